"""A request (vote, delegate, stake, unstake, move, claim, withdraw) → the adapter's checked, unsigned plan.

The one place that dispatches on the kind of action and checks what the adapter declares (reasons,
weights, delegation, its STAKE_ACTIONS), used by `polis vote/delegate/stake`, the TUI's dialogs and
batch runs. Also the one rule for a final vote: where the adapter declares VOTES_FINAL, asking for the
choice already cast is "already voted" (exit 0) and asking for another one is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet.errors import AlreadyDone, BadInput

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.cache.db import Archive
    from wallet.keys.vault import AccountMeta
    from wallet.models import Plan

KINDS = ("vote", "delegate", "stake", "unstake", "move", "claim", "withdraw")
STAKE_KINDS = ("stake", "unstake", "move", "claim", "withdraw")


@dataclass
class ActionRequest:
    kind: str
    """One of KINDS."""
    source: str
    """Archive source the action is on ("devnet/polis", "akash")."""
    account: str
    """Vault account name."""
    params: dict[str, Any] = field(default_factory=dict)
    """vote: proposal, choice, reason, weights · delegate: to · stake: target, amount, subtarget ·
    unstake/withdraw: target, amount ("" = all), subtarget · move: target, dest, amount, dest_sub · claim: target.
    Amounts are the user's text here ("1.5", "all")."""


@dataclass
class Capabilities:
    """What a source's adapter declares, read without any network call."""

    choices: list[tuple[str, str]]
    reason: bool
    weighted: bool
    delegation: bool
    staking: bool
    stake_actions: tuple[str, ...]
    offchain: bool
    key_scheme: str
    votes_final: bool = False
    weights_hint: str = ""

    def can(self, kind: str) -> bool:
        """Whether the adapter can plan this kind of action at all."""
        if kind == "vote":
            return True
        if kind == "delegate":
            return self.delegation
        return self.staking and kind in self.stake_actions


def capabilities(source: str) -> Capabilities:
    from wallet.adapters import adapter_class, adapter_name
    from wallet.networks import resolve_source

    net, dao = resolve_source(source)
    cls = adapter_class(adapter_name(net, dao))
    return Capabilities(choices=list(cls.VOTE_CHOICES), reason=cls.VOTE_REASON, weighted=cls.WEIGHTED_VOTES,
                        delegation=cls.DELEGATION, staking=cls.STAKING, stake_actions=cls.STAKE_ACTIONS,
                        offchain=cls.OFFCHAIN, key_scheme=cls.KEY_SCHEME, votes_final=cls.VOTES_FINAL,
                        weights_hint=cls.WEIGHTS_HINT)


def account_meta(name: str) -> AccountMeta:
    """A vault account that can sign (watch-only ones are refused)."""
    from wallet.keys.vault import Vault

    meta = Vault().get(name)
    if meta.watch_only:
        raise BadInput(f"{meta.name} is watch-only: it cannot sign", hint="import its key or pick another account")
    return meta


def parse_weights(text: str) -> dict[str, str]:
    """"yes=0.7,no=0.3" -> {"yes": "0.7", "no": "0.3"}; the adapter checks they are valid for it."""
    out: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not key or not value:
            raise BadInput(f"bad weight {part!r}: write CHOICE=WEIGHT, e.g. yes=0.7,no=0.3")
        if key in out:
            raise BadInput(f"choice {key!r} appears twice in the weights")
        out[key] = value
    return out


def parse_amount(adapter: Adapter, text: Any, *, allow_all: bool = False) -> int | None:
    """A typed amount in the adapter's base units; blank or "all" is None (everything) where allowed."""
    s = str(text if text is not None else "").strip()
    if not s or s.lower() == "all":
        if allow_all:
            return None
        raise BadInput("enter an amount, e.g. 1.5")
    return adapter.parse_amount(s)


def check_supported(adapter: Adapter, kind: str, *, reason: str = "", weights: Mapping[str, str] | None = None) -> None:
    """BadInput unless the adapter declares this kind of action (and a vote's reason and weights)."""
    source = adapter.source
    if kind not in KINDS:
        raise BadInput(f"unknown action {kind!r} (known: {', '.join(KINDS)})")
    if kind == "vote":
        if reason and not adapter.VOTE_REASON:
            raise BadInput(f"{source} does not record vote reasons")
        if weights and not adapter.WEIGHTED_VOTES:
            raise BadInput(f"{source} does not take weighted votes")
    elif kind == "delegate":
        if not adapter.DELEGATION:
            raise BadInput(f"{source} does not support delegation")
    elif not adapter.STAKING:
        raise BadInput(f"{source} has no staking in Polis ({adapter.NAME})")
    elif kind not in adapter.STAKE_ACTIONS:
        if kind == "withdraw":
            raise BadInput(f"{source} has no separate withdraw; use unstake")
        offers = ", ".join(adapter.STAKE_ACTIONS) or "nothing"
        raise BadInput(f"{source} does not support '{kind}' (it offers: {offers})")


def plan_request(adapter: Adapter, meta: AccountMeta, kind: str, p: Mapping[str, Any], *,
                 archive: Archive | None = None) -> Plan:
    """The adapter's checked plan for one action. `p` holds parsed values: amounts in base units (None
    = all), `options` the adapter's KEY=VALUE options. Raises AlreadyDone when there is nothing to do."""
    opts = p.get("options") or None
    check_supported(adapter, kind, reason=str(p.get("reason") or ""), weights=p.get("weights"))
    if kind == "vote":
        if not str(p.get("choice") or "").strip() and not p.get("weights"):
            raise BadInput("pick a choice")
        kw: dict[str, Any] = {"reason": str(p.get("reason") or "")}
        if p.get("weights"):
            kw["weights"] = dict(p["weights"])
        from wallet.services.plan_context import annotate_vote_plan

        # Every vote plan names its proposal (title, network/DAO, state, deadline) and the choice as read.
        return annotate_vote_plan(adapter.plan_vote(meta, str(p["proposal"]), str(p.get("choice") or ""), **kw),
                                  type(adapter), str(p["proposal"]), str(p.get("choice") or ""),
                                  weights=kw.get("weights"), archive=archive)
    if kind == "delegate":
        to = str(p.get("to") or "").strip()
        if not to:
            raise BadInput("enter a delegate address (or 'self')")
        return adapter.plan_delegate(meta, to)
    target = str(p.get("target") or "").strip()
    sub = str(p.get("subtarget") or "").strip() or None
    if kind == "stake":
        if p.get("amount") is None:
            raise BadInput("a stake needs an amount")
        return adapter.plan_stake(meta, target, int(p["amount"]), subtarget=sub, options=opts)
    if kind == "unstake":
        return adapter.plan_unstake(meta, target, p.get("amount"), subtarget=sub, options=opts)
    if kind == "move":
        return adapter.plan_move(meta, target, str(p.get("dest") or "").strip(), p.get("amount"), source_sub=sub,
                                 dest_sub=str(p.get("dest_sub") or "").strip() or None, options=opts)
    if kind == "withdraw":
        return adapter.plan_withdraw(meta, target, p.get("amount"))
    return adapter.plan_claim(meta, target or None, options=opts)


# --- a final vote ------------------------------------------------------------------------------

def refuse_changed_vote(adapter: Adapter, proposal_id: str, choice: str, addresses: list[str], *,
                        account: str, archive: Archive | None = None) -> None:
    """Called when the adapter said the account has already voted (AlreadyDone). Where votes are final
    (VOTES_FINAL), a different choice than the one the archive recorded is refused (ActionRefused); the
    same choice, or a vote the archive does not know, stays "already voted". Votes that may change
    (Cosmos, Snapshot) never get here with a different choice: their adapters plan the new vote."""
    if not adapter.VOTES_FINAL or not str(choice).strip():
        return
    from wallet.errors import ActionRefused, PolisError

    try:
        wanted = type(adapter).read_choice(choice)
    except PolisError:
        return  # an unreadable choice fails when it is planned, not here
    prior = _prior_vote(adapter.source, proposal_id, addresses, archive)
    if prior and str(prior["choice"]).strip().upper() != wanted.strip().upper():
        raise ActionRefused(f"{account} already voted {str(prior['choice']).upper()} on proposal {proposal_id}; "
                            "a vote on this Governor cannot be changed")


def _prior_vote(source: str, pid: str, addresses: list[str], archive: Archive | None) -> dict[str, Any] | None:
    from wallet.cache import open_archive, query

    if archive is not None:
        return query.vote_of(archive, source, pid, addresses)
    with open_archive(readonly=True) as ar:
        return query.vote_of(ar, source, pid, addresses)


def plan_checked(adapter: Adapter, meta: AccountMeta, kind: str, p: Mapping[str, Any], *,
                 archive: Archive | None = None, addresses: list[str] | None = None) -> Plan:
    """`plan_request`, with a final vote's changed choice refused instead of reported as already done."""
    try:
        return plan_request(adapter, meta, kind, p, archive=archive)
    except AlreadyDone:
        if kind == "vote":
            refuse_changed_vote(adapter, str(p["proposal"]), str(p.get("choice") or ""),
                                addresses if addresses is not None else list(meta.addresses.values()),
                                account=meta.name, archive=archive)
        raise


def form_params(adapter: Adapter, req: ActionRequest) -> dict[str, Any]:
    """A form's text fields (amount "1.5" / "all", blank = all where allowed) as `plan_request` params."""
    p = dict(req.params)
    if req.kind in ("stake", "unstake", "move", "withdraw"):
        p["amount"] = parse_amount(adapter, p.get("amount"), allow_all=req.kind != "stake")
    return p


def plan_action(req: ActionRequest, *, rpc_url: str | None = None) -> tuple[Adapter, Plan]:
    """Build the adapter and its checked plan for a form's request (network reads, simulation). The
    caller closes the adapter."""
    from wallet.adapters import adapter_for

    if req.kind not in KINDS:
        raise BadInput(f"unknown action {req.kind!r}")
    meta = account_meta(req.account)
    adapter = adapter_for(req.source, rpc_url=rpc_url)
    try:
        plan = plan_checked(adapter, meta, req.kind, form_params(adapter, req))
    except BaseException:
        adapter.close()
        raise
    return adapter, plan
