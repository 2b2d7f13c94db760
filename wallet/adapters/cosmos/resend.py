"""Settling a Cosmos transaction an earlier process signed: by its hash, else by sending the very same bytes.

A tx that is not found by hash is either on its way (in a mempool) or was never broadcast (the process
stopped between journaling its hash and the broadcast): the LCD cannot tell the two apart. The journaled
signed bytes can: broadcast again, they are the same transaction with the same account sequence, so they
can land at most once, and the node answers

- code 0: it takes them now (it never had them): on its way, awaited as any send;
- code 19 `ErrTxInMempoolCache` (CometBFT's "tx already exists in cache", cosmos-sdk client/broadcast.go
  CheckCometError): the node has seen them, in its mempool or in a block: looked up by hash again, pending
  until a block has them;
- code 32 `ErrWrongSequence`: the account's sequence moved past theirs: in a block (found by hash) or
  another transaction used the sequence, and this one can never land (dropped);
- any other refusal (CheckTx: fee, funds, signature): not in a mempool and not accepted as they are (dropped).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from wallet.adapters.base import journaled_bytes
from wallet.adapters.cosmos.errors import TX_IN_MEMPOOL, WRONG_SEQUENCE, LcdError, explain, sdk_code_of
from wallet.adapters.cosmos.models import TxResponse, parse_node

if TYPE_CHECKING:
    from wallet.adapters.cosmos.adapter import CosmosAdapter
    from wallet.models import ActionResult, Plan

log = logging.getLogger("polis.cosmos")


def tx_hash_of(raw: bytes) -> str:
    """A Cosmos tx hash: SHA-256 of the TxRaw bytes, upper-case hex (as the node answers it)."""
    return hashlib.sha256(raw).hexdigest().upper()


def find(ad: CosmosAdapter, tx_hash: str) -> dict[str, Any] | None:
    """The tx's LCD document when a block includes it, None when the node does not know it (yet)."""
    try:
        doc = ad.lcd.get(f"/cosmos/tx/v1beta1/txs/{tx_hash}")
    except LcdError as exc:
        if exc.status not in (400, 404):
            raise
        return None
    return doc if isinstance(doc, dict) else None


def look_up(ad: CosmosAdapter, plan: Plan, tx_hash: str, journaled: dict[str, Any], *,
            timeout: float) -> ActionResult:
    from wallet.models import ActionResult

    raw = journaled_bytes(journaled, tx_hash, tx_hash_of)
    if raw is None or find(ad, tx_hash) is not None:
        return ad.await_result(plan, tx_hash, timeout=timeout)
    doc = ad.lcd.post("/cosmos/tx/v1beta1/txs",
                      {"tx_bytes": base64.b64encode(raw).decode(), "mode": "BROADCAST_MODE_SYNC"})
    resp = parse_node(TxResponse, doc.get("tx_response") or {} if isinstance(doc, dict) else {})
    code = 0 if resp.code == 0 else sdk_code_of(resp.codespace, resp.code, resp.raw_log)
    if code in (0, TX_IN_MEMPOOL):
        log.info("tx %s: %s", tx_hash, "sent again (the node did not have it)" if code == 0 else
                 "the node already has it")
        return ad.await_result(plan, tx_hash, timeout=timeout)
    if code == WRONG_SEQUENCE:
        if find(ad, tx_hash) is not None:  # it landed meanwhile
            return ad.await_result(plan, tx_hash, timeout=timeout)
        seq = journaled.get("sequence")
        which = f" {seq}" if isinstance(seq, int) else ""
        return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                            error=f"not in any block while the account's sequence moved past its own{which}: "
                                  "another transaction used that sequence, so this one cannot land")
    return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                        error="not in any block, and the node refuses the same signed bytes again: "
                              + explain(resp.codespace, resp.code, resp.raw_log))
