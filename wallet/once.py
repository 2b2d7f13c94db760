"""Exactly once for single commands (vote, delegate, stake …), as batch runs already are.

Before anything new is signed, `wallet.actions.execute` looks up the journal for an unfinished entry of
the same action (same address, source, kind and target, outside a batch) and settles it against the
chain first:

- it has a transaction hash (EVM tx hash, Cosmos tx hash, Substrate extrinsic hash): included → the
  entry is confirmed and nothing new is sent (AlreadyDone); reverted or unknown to the node → failed,
  and the new action may go; still waiting in the node → `pending`, nothing new is signed;
- it has none: on an adapter that commits the hash before the bytes leave (`HASH_BEFORE_SEND`: EVM,
  Cosmos, Bittensor, SingularityNET, whose multi-step plans journal each step: snet/settle.py) nothing
  was sent (`never_sent`) and the entry fails; otherwise the account nonce or sequence read before the
  send (`marker`) tells whether something left the account since; a transaction still in the node's
  mempool at or above the marker keeps the entry `pending` and nothing new is signed; otherwise the
  earlier attempt did not do it (the fresh plan says the chain lacks it).

"Pending" is a state, not a failure: a transaction not included within the wait is recorded `pending`
and settled later, by the next command for the same action or by `polis history --refresh`.

Batch runs (wallet/batch/executors.py) send and settle through the same two functions: `send` (the
adapter's `submit` with the journal hook that commits the hash, what the adapter needs to look it up and
the signed bytes before they leave) and `verdict` (what a looked-up outcome means for the entry).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wallet.cache import store
from wallet.errors import AlreadyDone, NodeUnreachable, PolisError

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.cache.db import Archive
    from wallet.keys.signer import Signer
    from wallet.models import ActionResult, Plan

log = logging.getLogger("polis.actions")

OPEN = ("planned", "signed", "sent", "pending")
SETTLE_WAIT = 3.0
"""Seconds an earlier transaction gets to show its receipt while being settled."""


class StillPending(PolisError):
    """An earlier attempt of this action may still land: nothing new is signed."""

    exit_code = 1
    hint = "wait for it ('polis history --refresh' shows when it lands), then run the command again if needed"


OnSigned = Callable[[str, "dict[str, Any] | None"], None]
"""(tx hash, detail): commits what `Adapter.signed` reports, before the signed bytes are broadcast."""


def send(adapter: Adapter, plan: Plan, signer: Signer, on_signed: OnSigned) -> str:
    """Sign and broadcast `plan` with `on_signed(tx_hash, detail)` called (and committed by the caller) once
    the bytes are signed and before they leave. `detail` may carry `raw`: the signed bytes (hex), kept to
    send the very same bytes again when the entry is settled (never logged; a signed transaction is no
    secret but it is the user's action)."""
    adapter.on_signed = on_signed
    try:
        return adapter.submit(plan, signer)
    finally:
        adapter.on_signed = None


def split_raw(detail: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str | None]:
    """(detail without the signed bytes, the signed bytes as hex or None)."""
    if not detail or "raw" not in detail:
        return detail, None
    rest = {k: v for k, v in detail.items() if k != "raw"}
    raw = detail["raw"]
    return rest or None, raw if isinstance(raw, str) else None


def journaled(detail: str | dict[str, Any] | None, raw: str | None) -> dict[str, Any]:
    """What `Adapter.look_up` is given about an earlier send: the journaled detail and its signed bytes."""
    if isinstance(detail, str):
        try:
            got = json.loads(detail or "{}")
        except ValueError:
            got = {}
        detail = got if isinstance(got, dict) else {}
    out = dict(detail or {})
    if raw:
        out["raw"] = raw
    return out


def never_sent(adapter: Adapter, tx_hash: str | None) -> bool:
    """An open entry without a hash, on an adapter that commits the hash before the bytes leave, was never sent."""
    return not tx_hash and adapter.HASH_BEFORE_SEND


def verdict(result: ActionResult) -> str:
    """What a looked-up send means: "confirmed"; "pending" (may still land); "failed" (included and
    failed: final); "dropped" (never included and it cannot be any more: the action may go again)."""
    if result.ok:
        return "confirmed"
    if result.pending:
        return "pending"
    return "failed" if result.block else "dropped"


def open_entries(ar: Archive, plan: Plan) -> list[dict[str, Any]]:
    cur = ar.conn.execute(
        f"SELECT * FROM journal WHERE batch IS NULL AND address=? AND source=? AND kind=? AND target=? "
        f"AND state IN ({','.join('?' * len(OPEN))}) ORDER BY id",
        (plan.address, plan.source, plan.kind, plan.target, *OPEN))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _detail(entry: dict[str, Any]) -> dict[str, Any]:
    try:
        d = json.loads(entry.get("detail") or "{}")
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def settle(adapter: Adapter, ar: Archive, entry: dict[str, Any], plan: Plan, *, wait: float = SETTLE_WAIT) -> str:
    """Settle one unfinished journal entry against the chain: "confirmed", "failed" or "pending"."""
    eid = int(entry["id"])
    if entry.get("tx_hash"):
        try:
            result = adapter.look_up(plan, entry["tx_hash"], journaled(entry.get("detail"), entry.get("raw")),
                                     timeout=wait)
        except NodeUnreachable:
            raise  # nothing is known: the entry stays open and nothing new is signed
        except PolisError as exc:  # the adapter cannot look this hash up (no receipt form for it)
            log.warning("journal #%s: %s cannot be checked on chain: %s", eid, entry["tx_hash"], exc)
            store.journal_update(ar, eid, "failed", error=f"could not be checked on chain: {exc}")
            return "failed"
        outcome = verdict(result)
        if outcome == "confirmed":
            store.journal_update(ar, eid, "confirmed", error=None,
                                 detail={"block": result.block, "fee": str(result.fee_paid), "settled": True})
        elif outcome == "pending":
            store.journal_update(ar, eid, "pending", error=None)
        else:  # failed on chain, or dropped: either way this attempt is over and the action may go again
            store.journal_update(ar, eid, "failed", error=result.error or "not included")
            outcome = "failed"
        return outcome
    if never_sent(adapter, entry.get("tx_hash")):
        store.journal_update(ar, eid, "failed", error="not sent: the earlier attempt stopped before its signed "
                                                     "transaction left")
        return "failed"
    marker = _detail(entry).get("marker")
    if isinstance(marker, int):
        latest = adapter.account_nonce(plan.address)
        waiting = adapter.account_nonce(plan.address, pending=True)
        if latest is not None and waiting is not None and waiting > latest and waiting > marker:
            store.journal_update(ar, eid, "pending", error=None,
                                 detail={"note": f"a transaction from nonce {marker} is in the node's mempool"})
            return "pending"
    store.journal_update(ar, eid, "failed", error="not found on chain: the earlier attempt stopped before it landed")
    return "failed"


def before_signing(adapter: Adapter, ar: Archive, plan: Plan) -> None:
    """Settle earlier unfinished attempts of this action; raise when one of them did it or may still do it."""
    for entry in open_entries(ar, plan):
        outcome = settle(adapter, ar, entry, plan)
        when = f"an earlier attempt of this {plan.kind} (journal #{entry['id']}"
        when += f", tx {entry['tx_hash']})" if entry.get("tx_hash") else ")"
        if outcome == "confirmed":
            raise AlreadyDone(f"{when} is included on chain; nothing new was sent")
        if outcome == "pending":
            raise StillPending(f"{when} is still pending; nothing new was signed")


def refresh(ar: Archive, *, limit: int = 200) -> list[tuple[int, str, str]]:
    """Settle every sent or pending single action of the journal (`polis history --refresh`):
    (journal id, old state, new state) of each entry looked at. Unreachable nodes leave entries as they are."""
    from wallet.adapters import adapter_for
    from wallet.models import Plan

    rows = ar.conn.execute("SELECT * FROM journal WHERE batch IS NULL AND state IN ('sent','pending','signed') "
                           "ORDER BY id DESC LIMIT ?", (limit,))
    cols = [d[0] for d in rows.description]
    entries = [dict(zip(cols, r, strict=True)) for r in rows.fetchall()]
    out: list[tuple[int, str, str]] = []
    adapters: dict[str, Adapter] = {}
    try:
        for e in entries:
            try:
                ad = adapters.get(e["source"]) or adapter_for(e["source"])
                adapters[e["source"]] = ad
                plan = Plan(kind=e["kind"], network=e["network"], source=e["source"], account=e["account"],
                            address=e["address"], summary=[e["summary"] or e["kind"]], target=e["target"] or "")
                out.append((int(e["id"]), e["state"], settle(ad, ar, e, plan, wait=0.0)))
            except PolisError as exc:
                log.info("could not settle journal #%s: %s", e["id"], exc)
    finally:
        for ad in adapters.values():
            ad.close()
    return out
