"""One pipeline for every state change: plan → check → confirm → unlock → sign → submit → await → record.

The adapter builds and checks the plan (chain id, proposal state, power, simulation). This module adds
the confirmation, the unlock, the journal (each step lands in the archive before the next) and the
record of the result. Both front ends call `execute`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wallet.cache import store
from wallet.errors import ActionFailed, NodeUnreachable, NotInteractive, PolisError

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.cache.db import Archive
    from wallet.keys.signer import Signer
    from wallet.models import ActionResult, Plan

log = logging.getLogger("polis.actions")

Confirm = Callable[["Plan"], bool]


def execute(adapter: Adapter, plan: Plan, *, archive: Archive, unlock: Callable[[], Signer],
            confirm: Confirm | None, assume_yes: bool = False, timeout: float = 120.0,
            on_step: Callable[[str, str], None] | None = None) -> ActionResult:
    """Run a checked plan. `confirm` is None when nobody can be asked (then `assume_yes` is required)."""

    def step(name: str, detail: str = "") -> None:
        if on_step:
            on_step(name, detail)

    from wallet.fees import recheck

    recheck(plan, adapter.network, override=adapter.max_fee,
            policy=adapter.policy_max_fee)  # FeeRefused: nothing signed
    from wallet import once

    once.before_signing(adapter, archive, plan)  # an earlier attempt of this action did it or may still do it
    if not assume_yes:
        if confirm is None:
            raise NotInteractive("this action needs confirmation and the run is not interactive",
                                 hint="review it with --dry-run, then run again with --yes")
        if not confirm(plan):
            raise PolisError("cancelled; nothing was signed")
    signer = unlock()
    marker = adapter.account_nonce(plan.address, pending=True)
    entry = store.journal_add(archive, account=plan.account, address=plan.address, network=plan.network,
                              source=plan.source, kind=plan.kind, target=plan.target,
                              summary=plan.summary[0] if plan.summary else plan.kind,
                              detail={"marker": marker} if marker is not None else None)
    step("signing")

    def on_signed(tx_hash: str, detail: dict[str, Any] | None = None) -> None:
        rest, raw = once.split_raw(detail)
        store.journal_update(archive, entry, "signed", tx_hash=tx_hash, detail=rest, raw=raw)

    try:
        tx_hash = once.send(adapter, plan, signer, on_signed)
    except NodeUnreachable as exc:
        # The send may have reached the node: the entry stays open, the next run settles it by the marker.
        store.journal_update(archive, entry, "signed", error=str(exc))
        raise
    except PolisError as exc:
        store.journal_update(archive, entry, "failed", error=str(exc))
        raise
    store.journal_update(archive, entry, "sent", tx_hash=tx_hash)
    log.info("%s on %s from %s: sent %s", plan.kind, plan.source, plan.address, tx_hash)
    step("sent", tx_hash)
    result: ActionResult = adapter.await_result(plan, tx_hash, timeout=timeout)
    if result.pending:  # may still land: settled by the next command or `polis history --refresh`
        store.journal_update(archive, entry, "pending", error=None)
        raise once.StillPending(f"{plan.kind} sent in tx {tx_hash} is not included yet ({result.error})")
    if not result.ok:
        store.journal_update(archive, entry, "failed", error=result.error)
        raise ActionFailed(f"{result.error} (tx {tx_hash})")
    store.journal_update(archive, entry, "confirmed", detail={"block": result.block, "fee": str(result.fee_paid)})
    log.info("%s %s confirmed in block %s", plan.kind, tx_hash, result.block)
    step("confirmed", f"block {result.block}")
    try:
        adapter.record(archive, result)
    except PolisError as exc:  # the action happened; a failed local record is only a warning
        log.warning("could not record the result locally: %s", exc)
    return result
