"""Sync of a Bittensor source into the archive.

One pass: the source row (genesis hash, symbol, and the governance detected from the metadata —
with its `governance_note` when there is none), the Triumvirate proposals and votes where the
runtime has them, free balances and stake positions of every vault account with a substrate
address, delegates and subnets (stake_targets), and the user's StakeAdded / StakeRemoved /
StakeMoved events from the blocks since the cursor (at most `extra.sync_blocks` on a first sync:
older history needs the archive endpoint).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from wallet.adapters.base import SyncReport

if TYPE_CHECKING:
    from wallet.adapters.base import Progress
    from wallet.adapters.bittensor.adapter import BittensorAdapter
    from wallet.cache.db import Archive


def _my_addresses(ad: BittensorAdapter) -> list[str]:
    from wallet.errors import BadInput
    from wallet.keys.vault import Vault

    out = []
    for acc in Vault().accounts():
        try:
            out.append(ad.address_of(acc))
        except BadInput:
            continue
    return list(dict.fromkeys(out))


def sync(ad: BittensorAdapter, archive: Archive, progress: Progress | None = None) -> SyncReport:
    from wallet.adapters.bittensor import reads as reads
    from wallet.cache import query, store

    report = SyncReport(source=ad.source)
    client = ad.client
    genesis = client.check_chain()
    kind, note = ad._governance()
    head, _ = client.head()
    prev = query.source(archive, ad.source)
    cursor = prev.get("cursor") if prev else None
    extra: dict[str, Any] = {"symbol": ad.network.denom.symbol, "decimals": ad.network.denom.decimals,
                             "genesis_hash": genesis, "governance": kind,
                             "spec_version": client.sub.runtime.runtime_version}
    if note:
        extra["governance_note"] = note
    mine = _my_addresses(ad)
    steps = 4 + len(mine)
    if progress:
        progress(0, steps, "governance")
    with archive.conn:
        store.upsert_source(archive, ad.source, network=ad.network.key, protocol="substrate", kind="bittensor",
                            chain_id=genesis, extra=extra)
        if kind == "triumvirate":
            _sync_triumvirate(ad, archive, report)
    if progress:
        progress(1, steps, "delegates and subnets")
    targets = ad.stake_targets()
    with archive.conn:
        store.upsert_stake_targets(archive, ad.source, targets)
    for i, addr in enumerate(mine):
        if progress:
            progress(2 + i, steps, f"stakes of {addr[:8]}…")
        positions = ad.stakes(addr)
        free = reads.holdings(client, addr, only=[]).free
        with archive.conn:
            store.replace_stakes(archive, ad.source, addr, positions)
            store.set_balances(archive, ad.source, addr, {ad.network.denom.base: free})
    if progress:
        progress(steps - 1, steps, "stake history")
    start = (int(cursor) + 1) if cursor is not None else max(0, head - ad.extra.sync_blocks)
    rows: list[tuple[Any, ...]] = []
    if mine:
        for n in range(start, head + 1):
            bh = client.call("get_block_hash", n)
            events = client.call("get_events", bh)
            for r in reads.stake_event_rows(ad.source, events, set(mine), block=n, tx=None, timestamp=None):
                rows.append(r)
    with archive.conn:
        if rows:
            store.insert_stake_events(archive, rows)
        store.set_cursor(archive, ad.source, head, head)
    report.from_point, report.to_point, report.events = start, head, len(rows)
    report.noop = start > head and not rows
    if progress:
        progress(steps, steps, "done")
    return report


def _sync_triumvirate(ad: BittensorAdapter, archive: Archive, report: SyncReport) -> None:
    from wallet.adapters.bittensor import governance as gov
    from wallet.cache import query, store

    block_time = ad.network.block_time
    now = int(time.time())
    for p in gov.proposals(ad.client):
        existed = query.source(archive, ad.source) is not None and _exists(archive, ad.source, p["id"])
        ends = now + (p["end_block"] - p["head"]) * block_time
        store.upsert_proposal(archive, ad.source, p["id"], {
            "title": f"Triumvirate #{p['index']}: {gov.call_title(p['call'])}",
            "body": f"Call: {p['call']}", "status": "active" if p["open"] else "expired",
            "native_status": "voting" if p["open"] else "ended", "end_point": p["end_block"], "end_ts": ends,
            "clock": "blocknumber", "choices": [{"key": "aye", "label": "Aye"}, {"key": "nay", "label": "Nay"}],
            "tally": [{"choice": "Aye", "weight": str(len(p["ayes"]))},
                      {"choice": "Nay", "weight": str(len(p["nays"]))}],
            "quorum": p["threshold"], "extra": {"index": p["index"], "threshold": p["threshold"]}})
        store.insert_votes(archive, [(ad.source, p["id"], v, choice, "1", "", None, None, None, None)
                                     for choice, voters in (("aye", p["ayes"]), ("nay", p["nays"])) for v in voters])
        store.refresh_vote_counts(archive, ad.source, [p["id"]])
        report.updated_proposals += existed
        report.new_proposals += not existed
        report.votes += len(p["ayes"]) + len(p["nays"])


def _exists(archive: Archive, source: str, pid: str) -> bool:
    return archive.conn.execute("SELECT 1 FROM proposals WHERE source=? AND id=?", (source, pid)).fetchone() is not None
