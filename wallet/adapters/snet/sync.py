"""Sync of TokenStake's events into the shared `stake_events` table, incremental by block.

Sync stays `confirmations` blocks behind head, so a reorg deeper than that is the only thing it can
miss. Rows are keyed by transaction: a transaction already recorded (by `record` after a user's own
action) is replaced, never doubled. Windows opened are written as stake targets.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from wallet.adapters.base import Progress, SyncReport
from wallet.adapters.snet.windows import TOPICS, decode_event

if TYPE_CHECKING:
    from wallet.adapters.snet.adapter import SnetStakeAdapter
    from wallet.cache.db import Archive


def event_rows(ad: SnetStakeAdapter, logs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """stake_events rows (source, address, kind, target, subtarget, amount, block, tx, timestamp, extra)."""
    from wallet.adapters.evm import codec as codec

    rows = []
    stake = ad.settings.stake_contract.lower()
    for log in logs:
        if str(log.get("address", "")).lower() != stake:
            continue
        try:
            ev = decode_event(log)
        except (codec.DecodeError, ValueError, IndexError):
            continue
        if ev is None:
            continue
        ts = log.get("blockTimestamp")
        rows.append((ad.source, ev["staker"], ev["kind"], str(ev["window"]), "", str(ev["amount"]),
                     int(log["blockNumber"], 16), log.get("transactionHash"), int(ts, 16) if ts else None,
                     json.dumps({**ev["extra"], "log_index": int(log.get("logIndex", "0x0"), 16)}, default=str)))
    return rows


def sync_stake_events(ad: SnetStakeAdapter, ar: Archive, progress: Progress | None = None) -> SyncReport:
    from wallet.adapters.snet.models import GOVERNANCE_NOTE
    from wallet.cache import query, store

    rep = SyncReport(source=ad.source)
    trips = ad.rpc.round_trips
    ad.check_chain()
    head = int(ad.rpc.call("eth_blockNumber"), 16)
    safe = max(0, head - ad.network.confirmations)
    row = query.source(ar, ad.source) or {}
    start = max(int(row["cursor"]) + 1 if row.get("cursor") is not None else 0, ad.settings.start_block)
    rep.from_point = start
    s = ad.settings
    extra = {"symbol": s.token_symbol, "decimals": s.token_decimals, "stake_contract": s.stake_contract,
             "token": s.token, "fet_token": s.fet_token, "governance_note": GOVERNANCE_NOTE}
    with ar.conn:
        store.upsert_source(ar, ad.source, network=ad.network.key, protocol="evm", kind="snet_stake",
                            chain_id=str(ad.network.chain_id), extra=extra)
    opened = False
    if start <= safe:
        total = safe - start + 1

        def on_chunk(lo: int, hi: int, n: int) -> None:
            if progress:
                progress(hi - start + 1, total, f"blocks {lo}-{hi}: {n} events")

        for item in ad.rpc.logs([s.stake_contract], [list(TOPICS)], start, safe, max_range=ad.network.max_log_range,
                                on_chunk=on_chunk):
            # JsonRpc.logs yields (from, to, logs); older versions yielded the logs alone.
            hi, logs = (item[1], item[2]) if isinstance(item, tuple) else (None, item)
            rows = event_rows(ad, logs)
            hi = hi if hi is not None else max((int(lg["blockNumber"], 16) for lg in logs), default=None)
            with ar.conn:
                txs = sorted({r[7] for r in rows if r[7]})
                for i in range(0, len(txs), 500):
                    chunk = txs[i:i + 500]
                    ar.conn.execute(f"DELETE FROM stake_events WHERE source=? AND tx IN ({','.join('?' * len(chunk))})",
                                    [ad.source, *chunk])
                if rows:
                    store.insert_stake_events(ar, rows)
                if hi is not None:
                    store.set_cursor(ar, ad.source, hi, head, finished=False)
            rep.events += len(rows)
            opened = opened or any(r[2] == "open" for r in rows)
    with ar.conn:
        store.set_cursor(ar, ad.source, max(safe, start - 1), head)
    if opened or not query.stake_targets(ar, ad.source):
        targets = ad.stake_targets()
        with ar.conn:
            store.upsert_stake_targets(ar, ad.source, targets)
    rep.to_point = safe
    rep.noop = rep.events == 0
    rep.round_trips = ad.rpc.round_trips - trips
    return rep
