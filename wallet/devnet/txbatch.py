"""Many devnet transactions at once: eth_sendTransaction from impersonated accounts in JSON-RPC batches
while automine is off, mined with evm_mine (never thousands of pending transactions under automine), success
read from the logs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wallet.devnet import DevnetError

if TYPE_CHECKING:
    from wallet.devnet.anvil import Anvil, RpcClient

RPC_BATCH = 500  # transactions per JSON-RPC batch request


def set_automine(client: RpcClient, on: bool) -> None:
    client.rpc("evm_setAutomine", on)


def send_batched(
    rpc: Anvil | RpcClient | str,
    txs: Sequence[dict[str, Any]],
    *,
    per_block: int = RPC_BATCH,
    check: bool = True,
) -> list[dict[str, Any]]:
    """Send `txs` (eth_sendTransaction dicts, each with an explicit gas) with automine off,
    `per_block` per mined block, in JSON-RPC batches of RPC_BATCH. Returns, in order, one
    {"transactionHash", "logs"} dict per transaction; with check=True raises DevnetError if any
    transaction failed (emitted no event: every seeding transaction emits one)."""
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    if not txs:
        return []
    txs = _with_nonces(client, txs)
    was_auto = client.rpc("anvil_getAutomine")
    if was_auto:
        set_automine(client, False)
    hashes: list[str] = []
    blocks: list[int] = []
    try:
        for start in range(0, len(txs), per_block):
            chunk = txs[start : start + per_block]
            for sub in range(0, len(chunk), RPC_BATCH):
                part = chunk[sub : sub + RPC_BATCH]
                hashes += client.batch([("eth_sendTransaction", [tx]) for tx in part])
            for _ in range(50):
                client.rpc("evm_mine")
                blocks.append(int(client.rpc("eth_blockNumber"), 16))
                status = client.rpc("txpool_status")
                if int(status["pending"], 16) == 0 and int(status["queued"], 16) == 0:
                    break
            else:
                raise DevnetError("transactions stayed pending after 50 mined blocks")
    finally:
        if was_auto:
            set_automine(client, True)
    # Receipts are slow to build in anvil (eth_getBlockReceipts costs ~0.5 ms per tx), so success
    # is read from the logs: every transaction the seeder sends emits at least one event, and a
    # reverted one emits none.
    logs_by_tx: dict[str, list[dict[str, Any]]] = {h: [] for h in hashes}
    lo, top = min(blocks), max(blocks)
    while lo <= top:
        hi = min(lo + 9, top)
        for log in client.rpc("eth_getLogs", {"fromBlock": hex(lo), "toBlock": hex(hi)}):
            bucket = logs_by_tx.get(log["transactionHash"])
            if bucket is not None:
                bucket.append(log)
        lo = hi + 1
    failed = [h for h in hashes if not logs_by_tx[h]]
    if check and failed:
        receipt = client.rpc("eth_getTransactionReceipt", failed[0])
        what = "was not mined" if receipt is None else f"reverted in block {int(receipt['blockNumber'], 16)}"
        raise DevnetError(f"{len(failed)} of {len(hashes)} seeded transactions failed; {failed[0]} {what}")
    return [{"transactionHash": h, "logs": logs_by_tx[h]} for h in hashes]


def _with_nonces(client: RpcClient, txs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give explicit nonces to senders with several transactions: anvil serves a JSON-RPC batch
    concurrently, so its own nonce filling would hand the same nonce out twice."""
    counts: dict[str, int] = {}
    for tx in txs:
        if "nonce" not in tx:
            key = tx["from"].lower()
            counts[key] = counts.get(key, 0) + 1
    repeated = [a for a, c in counts.items() if c > 1]
    if not repeated:
        return list(txs)
    nonces: dict[str, int] = {}
    for start in range(0, len(repeated), RPC_BATCH):
        part = repeated[start : start + RPC_BATCH]
        for a, n in zip(part, client.batch([("eth_getTransactionCount", [a, "pending"]) for a in part]), strict=True):
            nonces[a] = int(n, 16)
    out = []
    for tx in txs:
        key = tx["from"].lower()
        if key in nonces and "nonce" not in tx:
            tx = {**tx, "nonce": hex(nonces[key])}
            nonces[key] += 1
        out.append(tx)
    return out


def tx_dict(sender: str, to: str, data: str, gas: int) -> dict[str, Any]:
    """An eth_sendTransaction request with an explicit gas limit."""
    return {"from": sender, "to": to, "data": data, "gas": hex(gas)}
