"""Plan and run one action for an interactive front end (the TUI's vote, delegate and stake dialogs).

The rules live in `wallet.services.requests` (the CLI and batch runs call the same functions); this
module adds what a dialog needs around them: `run_plan` unlocks with the passphrase the user typed (or
the unlock policy's sources) and goes through `wallet.actions.execute`, `explain` turns an error into
two lines, `stake_choices` fills the pickers. No prompts here: the dialog already showed the plan and
got the user's confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.errors import AlreadyDone, BadInput, PolisError

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.models import ActionResult, Plan

from wallet.services.requests import (  # noqa: E402  (the form-shaped entry lives in the service layer)
    KINDS,
    ActionRequest,
    Capabilities,
    account_meta,
    capabilities,
    plan_action,
)

__all__ = ["KINDS", "ActionRequest", "Capabilities", "account_meta", "capabilities", "plan_action", "plan_lines",
           "passphrase_source", "run_plan", "explain", "TargetChoices", "stake_choices", "follow_source"]


def plan_lines(plan: Plan) -> list[str]:
    """The exact human summary, the checks that passed and the fee, one display line each."""
    from wallet.textsafe import clean
    from wallet.units import fee_text

    lines = [clean(s) for s in plan.summary]
    lines += [f"[{'ok' if c.ok else 'FAIL'}] {clean(c.name)}" + (f": {clean(c.detail)}" if c.detail else "")
              for c in plan.checks]
    if plan.fee_estimate is not None:
        lines.append(f"fee estimate: {fee_text(plan.fee_estimate, plan.fee_symbol, plan.fee_decimals)}")
    return lines


def passphrase_source(account: str, passphrase_file: str | None) -> str | None:
    """Where the unlock policy would find this account's passphrase without asking, or None."""
    import os

    from wallet.keys.vault import Vault

    if passphrase_file:
        return f"passphrase file {passphrase_file}"
    if os.environ.get("POLIS_PASSPHRASE_FILE"):
        return "POLIS_PASSPHRASE_FILE"
    if os.environ.get("POLIS_PASSPHRASE"):
        return "POLIS_PASSPHRASE"
    try:
        if Vault().get(account).remembered:
            return "the OS keyring"
    except PolisError:
        return None
    return None


def run_plan(adapter: Adapter, plan: Plan, *, passphrase: str | None, passphrase_file: str | None = None,
             on_step: Callable[[str, str], None] | None = None, timeout: float = 120.0) -> ActionResult:
    """Unlock (scrypt: seconds with real parameters, so call this from a worker), sign, submit, await,
    record. A typed `passphrase` wins over the policy's sources."""
    from wallet.actions import execute
    from wallet.cache import open_archive
    from wallet.keys.unlock import Unlocked, UnlockPolicy
    from wallet.keys.vault import Vault

    vault = Vault()
    meta = vault.get(plan.account)
    scheme = adapter.KEY_SCHEME

    def step(name: str, detail: str = "") -> None:
        if on_step:
            on_step(name, detail)

    def unlock():  # type: ignore[no-untyped-def]
        step("unlocking", meta.name)
        if passphrase:
            unlocked = Unlocked(meta, vault.read_secret(meta, passphrase))
        else:
            unlocked = UnlockPolicy(passphrase_file=passphrase_file, interactive=False).unlock(vault, meta)
        return unlocked.signer(scheme)

    with open_archive() as ar:
        return execute(adapter, plan, archive=ar, unlock=unlock, confirm=None, assume_yes=True,
                       on_step=on_step, timeout=timeout)


def explain(exc: BaseException) -> tuple[str, str]:
    """(what happened, what to do) for an error shown in a dialog; never a traceback."""
    from wallet.errors import ActionFailed, ActionRefused, NodeUnreachable, NotInteractive, VaultError, WrongPassphrase

    msg = str(exc) or type(exc).__name__
    hint = getattr(exc, "hint", None) or ""
    if isinstance(exc, WrongPassphrase):
        return msg, hint or "type the passphrase again; nothing was signed"
    if isinstance(exc, AlreadyDone):
        return msg, hint or "nothing to do"
    if isinstance(exc, NodeUnreachable):
        return msg, hint or "check the network's endpoint on the Networks screen; the archive stays browsable"
    if isinstance(exc, ActionRefused):
        return msg, hint or "nothing was signed"
    if isinstance(exc, ActionFailed):
        return msg, hint or "see the transaction on the network's explorer"
    if isinstance(exc, (VaultError, NotInteractive, BadInput)):
        return msg, hint
    if isinstance(exc, PolisError):
        return msg, hint
    return f"unexpected error: {type(exc).__name__}: {msg}", "this is a bug; the log has details"


@dataclass
class TargetChoices:
    """What the stake dialog's pickers offer for one source."""

    targets: list[tuple[str, str]]
    """(label, id) of validators / hotkeys / stake windows, best first."""
    subnets: list[tuple[str, str]]
    """(label, netuid) where the protocol stakes per subnet (Bittensor), else empty."""
    note: str = ""
    """Where the list came from when it is not the live network ("from the archive, 3h old")."""


def _target_label(t: dict[str, Any]) -> str:
    from wallet.textsafe import clean

    ident = str(t.get("id") or "")
    name = clean(str(t.get("name") or ""), limit=24)
    short = ident if len(ident) <= 20 else f"{ident[:10]}…{ident[-6:]}"
    parts = [f"{name} ({short})" if name else short]
    status = str(t.get("status") or "")
    extra = t.get("extra") or {}
    if extra.get("jailed"):
        status = "JAILED"
    if status and status not in ("delegate",):
        parts.append(status)
    if t.get("commission"):
        parts.append(f"commission {clean(str(t['commission']), limit=12)}")
    return " · ".join(parts)


def stake_choices(source: str, *, offline: bool = False) -> TargetChoices:
    """Stake targets for the dialog's pickers: the adapter's live `stake_targets()` (stored in the
    archive's stake_targets table on the way), or that table when the node cannot be reached."""
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive, query, store

    rows: list[dict[str, Any]] = []
    note = ""
    if not offline:
        try:
            ad = adapter_for(source)
            try:
                live = ad.stake_targets()
            finally:
                ad.close()
            rows = [t.as_dict() for t in live]
            try:
                with open_archive() as ar, ar.conn:
                    store.upsert_stake_targets(ar, source, live)
            except PolisError:
                pass  # a read-only or busy archive only loses the offline copy
        except PolisError as exc:
            note = f"node unreachable ({exc}); targets from the archive"
    if not rows:
        with open_archive(readonly=True) as ar:
            rows = query.stake_targets(ar, source)
        note = note or ("targets from the archive" if rows else "")
    targets, subnets = [], []
    for t in rows:
        extra = t.get("extra") or {}
        if extra.get("kind") == "subnet":
            from wallet.textsafe import clean

            subnets.append((f"{extra.get('netuid')} {clean(str(t.get('name') or ''), limit=20)}".strip(),
                            str(extra.get("netuid"))))
        else:
            targets.append((_target_label(t), str(t["id"])))
    if not targets and not note:
        note = "no stake targets known: type one, or sync this network"
    return TargetChoices(targets=targets, subnets=subnets, note=note)


def follow_source(text: str) -> tuple[str, bool]:
    """Follow what a user typed on the Networks screen: a Snapshot space ("snapshot/ens.eth") is added to
    the network's spaces; a preset network or DAO source ("akash", "bittensor", "ethereum/compound") is
    followed from its first sync. Returns (source, needs_sync). Governor DAOs by address use add_dao."""
    import re

    from wallet import networks

    t = networks.canonical_source(text.strip())
    key, _, sub = t.partition("/")
    nets = networks.load_networks()
    if key not in nets:
        raise BadInput(f"unknown network {key!r}", hint="known: " + ", ".join(sorted(nets)))
    net = nets[key]
    if net.follows_spaces:
        from wallet.adapters.snapshot.adapter import SPACE_PATTERN, settings_of

        if not sub or not re.match(SPACE_PATTERN, sub):
            raise BadInput(f"name a Snapshot space: {key}/ens.eth")
        settings_of(net)
        spaces = list(net.extra.get("spaces", []))
        if sub not in spaces:
            networks.set_user_table(key, {"extra": {**net.extra, "spaces": [*spaces, sub]}})
        return f"{key}/{sub}", True
    source = t
    if source not in net.sources():
        raise BadInput(f"{t!r} is not a source of {key}", hint="sources: " + ", ".join(net.sources()) +
                       (" — add a Governor DAO with its addresses (a)" if net.holds_daos else ""))
    return source, True
