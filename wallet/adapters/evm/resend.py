"""Sending signed EVM bytes that may have gone out before, and settling a transaction an earlier process signed.

The same signed bytes carry the same nonce, so sending them again can make them land at most once; a node
answers "already known" (it has them) or "nonce too low" (the nonce was used: by these bytes, found by
receipt, or by another transaction, and then they can never land). Batch resumes (pipelined sends) and
single commands settle through `send_again`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from wallet.errors import RpcError

if TYPE_CHECKING:
    from wallet.adapters.evm.client import JsonRpc
    from wallet.models import ActionResult, Plan

log = logging.getLogger("polis.evm")

DUPLICATE = ("already known", "already imported", "known transaction", "alreadyknown")
NONCE_USED = ("nonce too low", "nonce is too low", "oldnonce")


class Sender(Protocol):
    """An EVM adapter that sends raw bytes and awaits receipts (Governors, SingularityNET TokenStake)."""

    @property
    def rpc(self) -> JsonRpc: ...

    def send_raw(self, raw_hex: str) -> str: ...

    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult: ...


def send_again(ad: Sender, raw_hex: str) -> str:
    """"sent" (the node took them now), "known" (it had them) or "used" (their nonce is used); RpcError when
    the node refuses them otherwise."""
    try:
        ad.send_raw(raw_hex)
    except RpcError as exc:
        msg = str(exc).lower()
        if any(k in msg for k in DUPLICATE):
            return "known"
        if any(k in msg for k in NONCE_USED):
            return "used"
        raise
    return "sent"


def signed_bytes(journaled: dict[str, Any], tx_hash: str) -> str | None:
    """The journaled signed bytes (hex), when they are the transaction of `tx_hash` (its Keccak-256)."""
    from wallet.adapters.base import journaled_bytes
    from wallet.keccak import keccak256

    data = journaled_bytes(journaled, tx_hash, lambda b: "0x" + keccak256(b).hex())
    return data.hex() if data is not None else None


def look_up(ad: Sender, plan: Plan, tx_hash: str, journaled: dict[str, Any], *,
            timeout: float) -> ActionResult:
    """By receipt; a transaction the node does not know is sent again as its journaled bytes, so one killed
    before its broadcast lands once instead of being called dropped."""
    from wallet.models import ActionResult

    raw = signed_bytes(journaled, tx_hash)
    if raw is None or ad.rpc.call("eth_getTransactionReceipt", tx_hash) \
            or ad.rpc.call("eth_getTransactionByHash", tx_hash):
        return ad.await_result(plan, tx_hash, timeout=timeout)
    try:
        how = send_again(ad, raw)
    except RpcError as exc:
        return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                            error=f"not on chain, and the node refuses the same signed bytes again: {exc}")
    if how == "used" and not ad.rpc.call("eth_getTransactionReceipt", tx_hash):
        nonce = journaled.get("nonce")
        which = f" {nonce}" if isinstance(nonce, int) else ""
        return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                            error=f"its nonce{which} was used by another transaction, so this one cannot land")
    log.info("tx %s: %s", tx_hash, {"sent": "sent again (the node did not have it)",
                                    "known": "the node already has it", "used": "included"}[how])
    return ad.await_result(plan, tx_hash, timeout=timeout)
