"""Offline checks of a parsed plan: networks, adapters' declared capabilities, accounts, addresses,
amounts and policy limits. No network, no unlock. Every problem becomes an `Issue` with its line.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet.batch.planfile import Action, Issue, PlanError, PlanFile
from wallet.errors import PolisError

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.keys.vault import AccountMeta

_CHOICE_ALIASES = {"y": "yes", "n": "no", "veto": "no_with_veto", "nowithveto": "no_with_veto",
                   "no-with-veto": "no_with_veto", "no with veto": "no_with_veto"}


@dataclass
class Step:
    """An action after defaults, resolved against the networks and the vault (still unsigned, unplanned)."""

    index: int
    action: Action
    source: str
    network: str
    account: str
    address: str
    adapter_name: str
    """The adapter's registry NAME ("evm_governor", "cosmos", "snapshot", …)."""
    amount: int | None = None
    """Base units; None for "all" or no amount."""
    reason: str = ""
    options: dict[str, str] = field(default_factory=dict)
    plan: PlanFile | None = field(default=None, repr=False, compare=False)

    @property
    def line(self) -> int | None:
        """The action's line in the plan file (located on first use: a valid plan never pays for it)."""
        return self.plan.line("actions", self.index) if self.plan is not None else None

    @property
    def label(self) -> str:
        a = self.action
        what = a.proposal if a.kind == "vote" else (a.to if a.kind == "delegate" else a.target or "all")
        return a.id or f"#{self.index + 1} {a.kind} {what} on {self.source}"


def _choice_ok(adapter_cls: type[Adapter], choice: str) -> bool:
    if not adapter_cls.VOTE_CHOICES:
        return True  # per-proposal choices (Snapshot): the adapter checks them when it plans
    c = choice.strip().lower()
    c = _CHOICE_ALIASES.get(c, c)
    known = _known_choices(adapter_cls)
    return c in known or c.replace(" ", "_") in known


@functools.lru_cache(maxsize=64)
def _known_choices(adapter_cls: type[Adapter]) -> frozenset[str]:
    """Keys and labels an adapter class accepts, once per class (a plan may hold thousands of votes)."""
    known = {k.lower() for k, _ in adapter_cls.VOTE_CHOICES} | {lab.lower() for _, lab in adapter_cls.VOTE_CHOICES}
    known |= {x.replace(" ", "_") for x in known}
    if {"for", "against"} <= known:
        known |= {"yes", "no"}
    return frozenset(known)


def resolve(plan: PlanFile) -> list[Step]:
    """Every action checked offline; raises PlanError listing all problems. Cached on the plan."""
    if plan.steps is None:
        plan.steps = _resolve(plan)
    return list(plan.steps)


def _resolve(plan: PlanFile) -> list[Step]:
    from wallet.adapters import make_adapter
    from wallet.keys.vault import Vault
    from wallet.networks import resolve_source

    m = plan.model
    issues: list[Issue] = []
    steps: list[Step] = []
    vault = Vault()
    metas: dict[str, AccountMeta | None] = {}
    adapters: dict[str, Adapter] = {}
    pol = m.policy
    if pol.max_actions is not None and len(m.actions) > pol.max_actions:
        issues.append(plan.issue(("actions",), f"{len(m.actions)} actions, over the policy's max_actions "
                                               f"({pol.max_actions})"))
    seen: dict[tuple[str, ...], int] = {}
    resolved: dict[str, Any] = {}
    for i, a in enumerate(m.actions):
        loc = ("actions", i)

        def bad(fld: str, msg: str, loc: tuple[Any, ...] = loc) -> None:
            issues.append(plan.issue(loc + ((fld,) if fld else ()), msg))

        # Loading the networks parses every preset (~10 ms): once per distinct network name, refusals too.
        if a.network not in resolved:
            try:
                resolved[a.network] = resolve_source(a.network)
            except PolisError as exc:
                resolved[a.network] = exc
        got = resolved[a.network]
        if isinstance(got, PolisError):
            bad("network", str(got))
            continue
        net, dao = got
        source = f"{net.key}/{dao.id}" if dao else (a.network if "/" in a.network else net.key)
        if pol.allowed_networks is not None and net.key not in pol.allowed_networks \
                and source not in pol.allowed_networks:
            bad("network", f"{source} is not in the policy's allowed_networks ({', '.join(pol.allowed_networks)})")
            continue
        nd = m.defaults.networks.get(source) or m.defaults.networks.get(net.key)
        account = a.account or (nd.account if nd else None) or m.defaults.account
        if not account:
            bad("account", "no account: name one here, in [defaults.networks.\"NET\"] or in [defaults]")
            continue
        if account not in metas:
            try:
                metas[account] = vault.get(account)
            except PolisError as exc:
                metas[account] = None
                bad("account", str(exc))
                continue
        meta = metas[account]
        if meta is None:
            bad("account", f"no account named {account!r} in the vault")
            continue
        if meta.watch_only:
            bad("account", f"{account} is watch-only: it cannot sign")
            continue
        try:
            adapter = adapters.get(source) or make_adapter(net, dao, source=source)
        except PolisError as exc:
            bad("network", str(exc))
            continue
        adapters[source] = adapter
        cls = type(adapter)
        try:
            address = adapter.address_of(meta)
        except PolisError as exc:
            bad("account", str(exc))
            continue
        step = Step(index=i, action=a, source=source, network=net.key, account=account, address=address,
                    adapter_name=cls.NAME, plan=plan,
                    options={**(nd.options if nd else {}), **a.options})
        if a.kind == "vote":
            step.reason = a.reason if a.reason is not None else ((nd.reason if nd else None) or "")
            if a.choice and not _choice_ok(cls, a.choice):
                choices = ", ".join(k for k, _ in cls.VOTE_CHOICES)
                bad("choice", f"unknown choice {a.choice!r} on {source}: use {choices}")
            if a.reason and not cls.VOTE_REASON:
                bad("reason", f"{source} does not record vote reasons")
            if a.weights and not cls.WEIGHTED_VOTES:
                bad("weights", f"{source} does not take weighted votes")
            key = (source, account, "vote", str(a.proposal))
            if key in seen:
                bad("proposal", f"a second vote by {account} on proposal {a.proposal} (first in actions[{seen[key]}])")
            seen[key] = i
        elif a.kind == "delegate":
            if not cls.DELEGATION:
                bad("kind", f"{source} does not support delegating voting power")
            else:
                _check(bad, "to", lambda adapter=adapter, a=a: adapter.parse_delegatee(str(a.to)))
        else:
            if a.kind not in cls.STAKE_ACTIONS:
                what = "staking" if not cls.STAKING else f"'{a.kind}'"
                bad("kind", f"{source} does not support {what}"
                            + (f" (it can: {', '.join(cls.STAKE_ACTIONS)})" if cls.STAKE_ACTIONS else ""))
                continue
            parse_target = adapter.parse_target  # declared per adapter (Cosmos: a valoper address)
            if a.target:
                _check(bad, "target", lambda parse_target=parse_target, a=a: parse_target(a.target))
            if a.kind == "move" and a.to:
                _check(bad, "to", lambda parse_target=parse_target, a=a: parse_target(a.to))
            if a.amount is not None:
                text = str(a.amount).strip()
                if text.lower() == "all":
                    if a.kind == "stake":
                        bad("amount", "a stake needs an amount, not 'all'")
                else:
                    try:
                        step.amount = adapter.parse_amount(text)
                    except PolisError as exc:
                        bad("amount", str(exc))
                    else:
                        if step.amount <= 0:
                            bad("amount", "the amount must be above zero")
                        _limit(plan, step, bad, adapter)
        _fee_cap(plan, step, adapter)
        steps.append(step)
    for ad in adapters.values():
        ad.close()
    if issues:
        raise PlanError(issues)
    return steps


def _check(bad: Any, fld: str, fn: Any) -> None:
    try:
        fn()
    except PolisError as exc:
        bad(fld, str(exc))


def _fee_cap(plan: PlanFile, step: Step, adapter: Adapter) -> None:
    """A `[policy] max_fee` entry for the step's source or network must be an amount of its native unit."""
    fees = plan.model.policy.max_fee
    raw = fees.get(step.source, fees.get(step.network))
    if raw is None:
        return
    from wallet.units import parse_amount

    try:
        parse_amount(str(raw), adapter.network.denom.denom())
    except PolisError as exc:
        where = ("policy", "max_fee", step.source if step.source in fees else step.network)
        raise PlanError([plan.issue(where, str(exc))]) from None


def _limit(plan: PlanFile, step: Step, bad: Any, adapter: Adapter) -> None:
    limits = plan.model.policy.max_amount
    raw = limits.get(step.source, limits.get(step.network))
    if raw is None or step.amount is None:
        return
    from wallet.units import format_amount

    try:
        cap = adapter.parse_amount(str(raw))
    except PolisError as exc:
        key = step.source if step.source in limits else step.network
        issues_loc = ("policy", "max_amount", key)
        raise PlanError([plan.issue(issues_loc, str(exc))]) from None
    if step.amount > cap:
        denom = adapter.network.denom.denom()
        bad("amount", f"{format_amount(step.amount, denom)} is over the policy limit of "
                      f"{format_amount(cap, denom)} per action on {step.network}")
