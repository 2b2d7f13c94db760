"""Where a submitted extrinsic is: in a block, still waiting, or gone for good.

An extrinsic is known by its hash, blake2-256 of its SCALE encoding (what `author_submitExtrinsic`
answers). `submit` journals the hash together with `Sent` — the nonce it was signed with, the head it
was signed at and its mortal era — before the bytes go to the node, so a later run can settle it:

- found in a block since it was signed → included (its events tell success or failure);
- not found, and the account's nonce moved past the journaled one → another extrinsic used the nonce:
  this one can never land (failed);
- not found, and the head is past the end of its mortal era → dropped (failed): the chain refuses it;
- otherwise it may still land → pending (never failed), settled by the next command or
  `polis history --refresh`.

The signed bytes are journaled too: an extrinsic neither in the node's pool nor past its nonce is
submitted again as the very same bytes (`send_again`; same nonce, so it can land at most once), so one
killed before its submission lands now instead of waiting out its era.

Each block is read once (its raw extrinsics, hashed here), from the block it was signed at.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet import budget
from wallet.errors import RpcError

if TYPE_CHECKING:
    from wallet.adapters.bittensor.client import Client
    from wallet.models import ActionResult, Plan


def ext_hash(encoded: bytes) -> str:
    """The extrinsic hash: blake2-256 of the encoded extrinsic (length prefix included)."""
    return "0x" + hashlib.blake2b(encoded, digest_size=32).hexdigest()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64 else None


@dataclass(frozen=True)
class Sent:
    """What is journaled with an extrinsic's hash before it is broadcast."""

    nonce: int | None
    signed_at: int | None
    """The head's number when it was signed (the era's `current`): it cannot be in an earlier block."""
    era_period: int

    @property
    def last_block(self) -> int | None:
        """The last block that may include it: its era began at or before `signed_at`."""
        return None if self.signed_at is None else self.signed_at + self.era_period - 1

    def as_detail(self) -> dict[str, int]:
        out = {"era_period": self.era_period}
        if self.nonce is not None:
            out["nonce"] = self.nonce
        if self.signed_at is not None:
            out["signed_at"] = self.signed_at
        return out

    @classmethod
    def from_detail(cls, detail: Mapping[str, Any], era_period: int) -> Sent:
        return cls(nonce=_int(detail.get("nonce")), signed_at=_int(detail.get("signed_at")),
                   era_period=_int(detail.get("era_period")) or era_period)


@dataclass(frozen=True)
class Found:
    number: int
    block_hash: str
    index: int


def _result(client: Client, method: str, params: list[Any]) -> Any:
    got = client.call("rpc_request", method, params)
    return got.get("result") if isinstance(got, dict) else got


class Finder:
    """Looks for one extrinsic hash in the blocks from `start` on, reading each block once."""

    def __init__(self, client: Client, tx_hash: str, start: int) -> None:
        self.client, self.want, self.next = client, tx_hash.lower(), max(start, 0)

    def scan(self, head: int) -> Found | None:
        while self.next <= head:
            number = self.next
            bh = _result(self.client, "chain_getBlockHash", [number])
            block = _result(self.client, "chain_getBlock", [bh]) if isinstance(bh, str) else None
            extrinsics = (block.get("block") or {}).get("extrinsics") if isinstance(block, dict) else None
            if not isinstance(extrinsics, list):
                raise RpcError(f"the node has no block {number} (chain_getBlock), though its head is {head}")
            for i, hex_ext in enumerate(extrinsics):
                if isinstance(hex_ext, str) and _hash_of_hex(hex_ext) == self.want:
                    return Found(number=number, block_hash=str(bh), index=i)
            self.next = number + 1
        return None


def _hash_of_hex(hex_ext: str) -> str | None:
    try:
        return ext_hash(bytes.fromhex(hex_ext.removeprefix("0x")))
    except ValueError:
        return None


def in_pool(client: Client, tx_hash: str) -> bool | None:
    """Whether the node's pool holds it (`author_pendingExtrinsics`); None when the node does not say."""
    try:
        pending = _result(client, "author_pendingExtrinsics", [])
    except RpcError:
        return None
    if not isinstance(pending, list):
        return None
    return tx_hash.lower() in {_hash_of_hex(x) for x in pending if isinstance(x, str)}


def send_again(client: Client, address: str, tx_hash: str, raw_hex: str, sent: Sent) -> bool:
    """Submit the journaled bytes of `tx_hash` again when the account's nonce has not passed theirs and the
    node's pool lacks them; True when the node took them. A refusal (already imported, outdated, ancient)
    is left to `wait` to read from the chain."""
    import logging

    try:
        encoded = bytes.fromhex(raw_hex.removeprefix("0x"))
    except ValueError:
        return False
    if ext_hash(encoded) != tx_hash.lower() or sent.nonce is None:
        return False
    if chain_nonce(client, address) > sent.nonce or in_pool(client, tx_hash) is not False:
        return False  # its nonce is used (by it or another), or it is on its way, or the node does not say
    try:
        client.broadcast(encoded)
    except RpcError as exc:
        logging.getLogger("polis.bittensor").info("extrinsic %s not taken again: %s", tx_hash, exc)
        return False
    return True


def chain_nonce(client: Client, address: str) -> int:
    """The account's nonce in the head's state (System.Account): transactions in blocks only."""
    acc = client.query("System", "Account", [address])
    nonce = _int(acc.get("nonce")) if isinstance(acc, dict) else None
    if nonce is None:
        raise RpcError(f"the node's System.Account answer has no nonce: {str(acc)[:60]!r}")
    return nonce


def wait(client: Client, plan: Plan, tx_hash: str, sent: Sent | None, *, timeout: float,
         poll: float = 2.0) -> ActionResult:
    """Wait up to `timeout` seconds for the extrinsic to be in a block; the outcome as an ActionResult."""
    from wallet.models import ActionResult

    period = sent.era_period if sent else int(plan.payload.get("era_period") or 64)
    if sent is not None and sent.signed_at is None:
        sent = None  # journaled without its signing block: neither its era nor where to look from is known
    head, _ = client.head()
    start = sent.signed_at if sent and sent.signed_at is not None else head - 2 * period
    finder = Finder(client, tx_hash, start)
    deadline = time.monotonic() + timeout
    delay = min(0.1, poll)
    while True:
        nonce = chain_nonce(client, plan.address) if sent and sent.nonce is not None else None
        head, _ = client.head()  # read after the nonce: a block that moved it is at or below this head
        found = finder.scan(head)
        if found is not None:
            return outcome(client, plan, tx_hash, found)
        if sent and sent.nonce is not None and nonce is not None and nonce > sent.nonce:
            return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                                error=f"not in any block since {start} while the account's nonce moved past "
                                      f"{sent.nonce}: another extrinsic used that nonce, so this one cannot land")
        last = sent.last_block if sent else None
        if last is not None and head > last:
            return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                                error=f"dropped: not included within its mortal era (blocks {start}–{last}); "
                                      "the chain no longer accepts it")
        if time.monotonic() >= deadline:
            break
        budget.sleep(min(delay, max(deadline - time.monotonic(), 0.0)))
        delay = min(delay * 2, poll)
    pooled = in_pool(client, tx_hash)
    if sent is None and pooled is False:  # no era known: what is neither in a block nor in the pool is gone
        return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                            error=f"not in blocks {start}–{head} nor in the node's pool (dropped)")
    until = f"; it may land until block {sent.last_block}" if sent and sent.last_block is not None else ""
    where = " in the node's pool" if pooled else ""
    return ActionResult(plan=plan, ok=False, tx_hash=tx_hash, pending=True,
                        error=f"not included after {int(timeout)} s; still pending{where}{until}")


def outcome(client: Client, plan: Plan, tx_hash: str, found: Found) -> ActionResult:
    """Success or failure, fee and events of an included extrinsic (System.Events of its block)."""
    import json

    from async_substrate_interface.sync_substrate import ExtrinsicReceipt

    from wallet.models import ActionResult

    receipt = ExtrinsicReceipt(client.sub, extrinsic_hash=tx_hash, block_hash=found.block_hash,
                               block_number=found.number, extrinsic_idx=found.index)
    try:
        ok = bool(receipt.is_success)
        events = events_of(receipt)
        fee = receipt.total_fee_amount
        err = receipt.error_message
    except Exception as exc:
        raise client.error(exc) from None
    error = None
    if not ok:
        error = (f"{err.get('type', '')}.{err.get('name', '')}: {err.get('docs', '')}".strip(". :")
                 if isinstance(err, dict) else str(err or "extrinsic failed"))
    return ActionResult(plan=plan, ok=ok, tx_hash=tx_hash, block=found.number, fee_paid=fee, error=error,
                        detail={"events": json.loads(json.dumps(events, default=str)),
                                "block_hash": found.block_hash})


def events_of(receipt: Any) -> list[dict[str, Any]]:
    out = []
    for e in receipt.triggered_events:
        ev = e.get("event", e)
        attrs = ev.get("attributes")
        out.append({"module_id": ev.get("module_id"), "event_id": ev.get("event_id"),
                    "attributes": list(attrs) if isinstance(attrs, tuple) else attrs})
    return out
