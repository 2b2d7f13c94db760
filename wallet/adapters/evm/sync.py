"""Incremental sync of one Governor DAO into the archive.

One round trip decides whether there is anything to do (chain id, head, stored block hashes for reorg
detection). Logs are fetched in ranges and written chunk by chunk, each chunk with its cursor in one
transaction, so an interrupted sync resumes where it stopped. Sync stays `confirmations` blocks behind
head; a reorg the node proves rolls the archive back to the last block that still matches (reorg.py).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from wallet.adapters.base import Progress, SyncReport
from wallet.adapters.evm import codec as codec
from wallet.adapters.evm import kinds, reorg
from wallet.adapters.evm.client import quantity
from wallet.adapters.evm.created import edit_fields, proposal_fields
from wallet.adapters.evm.logs import LogFetcher, ahead
from wallet.adapters.evm.refresh import REFRESH_BATCH, RefreshJob, archived_rows, created_rows
from wallet.cache import query, store, vote_parts

if TYPE_CHECKING:
    from wallet.adapters.evm.adapter import EvmGovernorAdapter
    from wallet.cache.db import Archive

log = logging.getLogger("polis.sync")

STATE_NAMES, STATE_STATUS = kinds.STATE_NAMES, kinds.STATE_STATUS
SUPPORT_LABEL = {0: "against", 1: "for", 2: "abstain"}
FINAL = {"canceled", "rejected", "expired", "executed"}
HASH_CHECKS = 12
AIM_LOGS = 1_000
"""Logs a range is sized for: the node answers the next range while this one is decoded and written."""
COMMIT_EVERY = 0.5
"""Seconds of written chunks one commit gathers. Each commit writes every page its chunks touched to the WAL
again, and one chunk's votes touch most of the votes table (they are keyed by proposal): one commit a chunk
cost ~30 ms of a 5,000-vote sync. A killed sync loses at most this much and resumes after the last commit."""


def _hash_points(safe_head: int, floor: int) -> list[int]:
    """Block numbers whose hashes we keep: head, head-1, head-2, head-4, ... (log-spaced)."""
    pts = {safe_head}
    step = 1
    while safe_head - step >= floor and len(pts) < HASH_CHECKS:
        pts.add(safe_head - step)
        step *= 2
    return sorted(p for p in pts if p >= max(floor, 0))


def sync_dao(ad: EvmGovernorAdapter, ar: Archive, progress: Progress | None = None) -> SyncReport:
    rpc = ad.rpc
    src = ad.source
    rep = SyncReport(source=src)
    trips0 = rpc.round_trips
    row = query.source(ar, src)
    if row:
        ad.restore(row)
    stored = query.block_hashes(ar, src)
    check = sorted(stored, reverse=True)[:HASH_CHECKS]
    facts = ad.fact_calls()  # a first sync learns the Governor's kind, clock and token in this same round trip
    # The newest stored hash only: when it still matches, the older ones do too (reorg.verify asks for them
    # otherwise). A block object carries its transactions' hashes: a full block is tens of kilobytes.
    replies = rpc.batch([("eth_chainId", []), ("eth_blockNumber", [])] + facts
                        + [("eth_getBlockByNumber", [hex(n), False]) for n in check[:1]])
    for r in replies[:2]:
        if isinstance(r, Exception):
            raise r
    ad.verify_chain_id(quantity(replies[0], "chain id", limit=2**256))
    ad.learn(replies[2:2 + len(facts)])
    del replies[2:2 + len(facts)]
    head = quantity(replies[1], "block number")
    safe_head = max(0, head - ad.network.confirmations)
    start = ad.dao.start_block if ad.dao else 0
    cursor = row["cursor"] if row and row["cursor"] is not None else start - 1

    # Reorg check: acted on only when the node proves it (wallet/adapters/evm/reorg.py).
    verdict = reorg.verify(rpc, stored, check, replies[2:], cursor=cursor, start=start,
                           max_depth=ad.network.reorg_depth, accept_deep=ad.accept_deep_reorg)
    rep.warnings.extend(verdict.warnings)
    if verdict.skip:
        rep.noop = True
        rep.round_trips = rpc.round_trips - trips0
        return rep
    fork = verdict.fork
    if fork is not None:
        rep.reorg_depth = max(0, cursor - fork)
        log.warning("reorg on %s: rolling back to block %d", src, fork)
        with ar.conn:
            store.rewind(ar, src, fork)
            if fork < start:
                ar.conn.execute("DELETE FROM block_hashes WHERE source=?", (src,))
        cursor = min(cursor, fork)

    with ar.conn:
        store.upsert_source(ar, src, network=ad.network.key, protocol="evm", kind=ad.kind(),
                            chain_id=ad.network.chain_id, extra=ad.source_extra())
    if (fits := kinds.adapter_name_for(ad.kind(), ad.counting_mode())) != ad.NAME and not row:
        rep.warnings.append(f"{src} is a {kinds.FACTS[ad.kind()].title}"
                            f"{' with fractional counting' if ad.fractional() else ''}, but its adapter is "
                            f"{ad.NAME}: set adapter = \"{fits}\" for it (or add it again with 'polis networks "
                            "add') so the CLI and TUI offer exactly its vote options")
    if cursor >= safe_head:
        with ar.conn:
            store.touch_source(ar, src)
        rep.noop = True
        rep.round_trips = rpc.round_trips - trips0
        return rep

    rep.from_point, rep.to_point = cursor + 1, safe_head
    touched: set[str] = set()
    new_ids: set[str] = set()
    total = safe_head - cursor

    def on_chunk(lo: int, hi: int, n: int) -> None:
        if progress:
            progress(hi - cursor, total, f"blocks {lo}–{hi}: {n} events")

    addresses = [ad.dao.governor, ad.dao.token] if ad.dao else []
    topics = [codec.GOVERNOR_TOPICS + codec.TOKEN_TOPICS]
    governor = ad.dao.governor.lower() if ad.dao else ""
    from concurrent.futures import ThreadPoolExecutor  # not on a no-op sync's path

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="polis-refresh") as pool:
        # Proposals still open in the archive are refreshed whatever the logs say; new ones as soon
        # as their chunk arrives. Both batches run while the logs are decoded and written.
        # The hashes kept for the next sync's reorg check are read before the logs: a chain that reorganises
        # during the fetch then fails that check instead of leaving old-fork logs under new-fork hashes.
        points = _hash_points(safe_head, max(start, 0))
        hash_batch = pool.submit(rpc.batch, [("eth_getBlockByNumber", [hex(n), False]) for n in points])
        jobs: list[RefreshJob] = []
        open_rows = archived_rows(ar, src)
        if open_rows:
            jobs.append(RefreshJob(ad, open_rows, head))
        net = ad.network
        # POLIS_SYNC_FIRST_RANGE: fixed small ranges (tests of crash resumption and faults make many requests)
        small = int(os.environ.get("POLIS_SYNC_FIRST_RANGE") or 0)
        lock = threading.Lock()

        def start_refresh(everything: bool) -> None:
            """The node answers the log ranges first: refresh batches wait until every range is answered (or a
            whole batch of calls is waiting), then run while the rest is written."""
            with lock:
                waiting = [job for job in jobs if job.future is None]
                if everything or sum(len(job.request) for job in waiting) >= REFRESH_BATCH:
                    for job in waiting:
                        job.start(pool)

        def on_answered() -> None:
            try:
                start_refresh(True)
            except RuntimeError:  # the sync already left with an error: the pool takes no more work
                pass

        fetcher = LogFetcher(rpc, addresses, topics, max_range=small or net.max_log_range,
                             concurrency=net.rpc_concurrency, batch=1 if small else net.rpc_batch,
                             first_range=small or 16, aim_logs=AIM_LOGS)
        fetcher.on_answered = on_answered
        committed = time.monotonic()
        try:
            for lo, hi, logs in ahead(fetcher.fetch(cursor + 1, safe_head)):
                on_chunk(lo, hi, len(logs))
                created = {k: v for k, v in created_rows(logs, governor).items() if k not in open_rows}
                if created:
                    with lock:
                        jobs.append(RefreshJob(ad, created, head))
                start_refresh(fetcher.answered.is_set() or hi >= safe_head)
                try:
                    _apply_logs(ad, ar, logs, rep, touched, new_ids, cursor=(src, hi, head))
                except BaseException:
                    ar.conn.rollback()  # a chunk stopped half-written: the chunks since the last commit go with it
                    raise
                del logs
                if time.monotonic() - committed >= COMMIT_EVERY:
                    ar.conn.commit()
                    committed = time.monotonic()
        except BaseException:
            if ar.conn.in_transaction:
                ar.conn.commit()  # the fetch failed between chunks: the whole ones written since the last commit stay
            raise
        with ar.conn:  # the refresh, with the chunks since the last commit
            for job in jobs:
                job.write(ad, ar, rep, new_ids)
    hashes = reorg.hashes_of(points, hash_batch.result())
    with ar.conn:
        store.save_block_hashes(ar, src, hashes)
        store.set_cursor(ar, src, safe_head, head)
    rep.round_trips = rpc.round_trips - trips0
    return rep


def _apply_logs(ad: EvmGovernorAdapter, ar: Archive, logs: list[dict[str, Any]], rep: SyncReport,
                touched: set[str], new_ids: set[str], cursor: tuple[str, int, int] | None = None) -> int | None:
    """Decode and store one chunk of logs, uncommitted (the caller commits); with `cursor` (source, block,
    head) the chunk's cursor moves in the same transaction, so an interrupted sync resumes after the last
    committed chunk."""
    rows, last_block = _decode_logs(ad, logs, rep, touched, new_ids)
    _store_rows(ar, ad.source, rows, cursor)
    return last_block


Rows = tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]], list[tuple[Any, ...]],
             list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]
"""What one chunk writes: (proposals, status updates, votes, partial votes, delegations, power changes)."""


def _store_rows(ar: Archive, src: str, rows: Rows, cursor: tuple[str, int, int] | None) -> None:
    """One chunk's rows and (with `cursor`) its cursor, in the open transaction (the caller commits)."""
    proposals, status_updates, votes, parts, delegations, powers = rows
    store.upsert_proposals(ar, src, proposals)
    store.upsert_proposals(ar, src, status_updates)
    if votes:
        store.insert_votes(ar, votes)
    if parts:
        vote_parts.insert_parts(ar, parts)
    if delegations:
        store.insert_delegation_events(ar, delegations)
    if powers:
        store.insert_power_events(ar, powers)
    if cursor is not None:
        store.set_cursor(ar, cursor[0], cursor[1], cursor[2], finished=False)


def _decode_logs(ad: EvmGovernorAdapter, logs: list[dict[str, Any]], rep: SyncReport, touched: set[str],
                 new_ids: set[str]) -> tuple[Rows, int | None]:
    """The rows of one chunk of logs (undecodable logs skipped with a warning), and its last event's block."""
    src = ad.source
    governor = ad.dao.governor.lower() if ad.dao else ""
    votes: list[tuple[Any, ...]] = []
    delegations: list[tuple[Any, ...]] = []
    powers: list[tuple[Any, ...]] = []
    proposals: list[tuple[str, dict[str, Any]]] = []
    status_updates: list[tuple[str, dict[str, Any]]] = []
    last_block: int | None = None
    pid_text: dict[int, str] = {}  # uint256 -> decimal text is ~1 µs; a chunk repeats few ids
    vote_topics = (codec.TOPIC_VOTE_CAST, codec.TOPIC_VOTE_CAST_WITH_PARAMS)
    parts: list[tuple[Any, ...]] = []
    fractional = ad.fractional()  # every vote is a part of the voter's total (GovernorCountingFractional)
    # GovernorCountingOverridable: votes, delegators' overrides and the delegates' reductions are parts too
    overridable = not fractional and ad.overridable()
    override_topics = (codec.TOPIC_OVERRIDE_VOTE_CAST, codec.TOPIC_VOTE_REDUCED)
    reductions = 0
    # A chunk repeats block numbers, timestamps and the two contract addresses: each text is read once.
    quantities: dict[str, int] = {}
    from_governor: dict[str, bool] = {}
    decode_vote, voter_of = codec.decode_vote_cast_hex, codec.address_from_word
    cancel_topics = (codec.TOPIC_PROPOSAL_CANCELED, codec.TOPIC_PROPOSAL_VETOED)  # a veto ends it as a cancel does
    deadline_topics = (codec.TOPIC_PROPOSAL_EXTENDED, codec.TOPIC_OBJECTION_PERIOD_SET)
    for lg in logs:
        try:
            topics = lg["topics"]
            t0 = topics[0]
            text = lg["blockNumber"]
            block = quantities.get(text)
            if block is None:
                block = quantities[text] = int(text, 16)
            idx = int(lg["logIndex"], 16)
            text = lg.get("blockTimestamp")
            ts = quantities.get(text) if text else None
            if ts is None and text:
                ts = quantities[text] = int(text, 16)
            text = lg["address"]
            is_gov = from_governor.get(text)
            if is_gov is None:
                is_gov = from_governor[text] = text.lower() == governor
            if t0 in vote_topics and is_gov:
                pid_n, support, weight, reason = decode_vote(lg["data"])
                pid = pid_text.get(pid_n)
                if pid is None:
                    pid = pid_text[pid_n] = str(pid_n)
                    touched.add(pid)
                if fractional or overridable:
                    split = _split(support, weight, lg["data"]) if fractional else _one_choice(support, weight)
                    parts.append((src, pid, voter_of(topics[1]), block, idx, *split, reason, lg["transactionHash"],
                                  ts))
                else:
                    votes.append((src, pid, voter_of(topics[1]), SUPPORT_LABEL.get(support) or str(support),
                                  str(weight), reason, block, lg["transactionHash"], idx, ts))
            elif t0 in override_topics and is_gov and overridable:
                reduced = t0 == codec.TOPIC_VOTE_REDUCED
                if reduced:
                    pid_n, support, weight = codec.decode_words(codec.hexbytes(lg["data"]), 3)
                    reason = ""
                else:
                    pid_n, support, weight, reason = decode_vote(lg["data"])
                reductions += reduced
                pid = str(pid_n)
                touched.add(pid)
                split = _one_choice(support, -weight if reduced else weight)
                parts.append((src, pid, voter_of(topics[1]), block, idx, *split, reason, lg["transactionHash"], ts))
            elif t0 == codec.TOPIC_VOTE_CAST_ALPHA and is_gov:
                voter, pid_n, support, weight = codec.decode_alpha_vote_hex(lg["data"])
                pid = str(pid_n)
                touched.add(pid)
                votes.append((src, pid, voter, SUPPORT_LABEL[support], str(weight), "", block, lg["transactionHash"],
                              idx, ts))
            elif t0 in deadline_topics and is_gov:  # late quorum; a Nouns objection period
                (deadline,) = codec.decode_words(codec.hexbytes(lg["data"]), 1)
                pid = str(int(topics[1], 16))
                status_updates.append((pid, {"end_point": deadline}))
                touched.add(pid)
            elif t0 in codec.PROPOSAL_EDIT_TOPICS and is_gov:  # a Nouns proposal edited while Updatable
                pid = str(int(topics[1], 16))
                edit = codec.decode_proposal_edit(t0, codec.hexbytes(lg["data"]))
                status_updates.append((pid, edit_fields(ad, edit)))
                touched.add(pid)
            elif t0 == codec.TOPIC_DELEGATE_VOTES_CHANGED and not is_gov:
                prev, new = codec.decode_words(codec.hexbytes(lg["data"]), 2)
                powers.append((src, codec.address_from_word(topics[1]), str(prev), str(new), block, idx))
            elif t0 == codec.TOPIC_DELEGATE_CHANGED and not is_gov:
                delegations.append((src, codec.address_from_word(topics[1]), codec.address_from_word(topics[2]),
                                    codec.address_from_word(topics[3]), block, idx))
            elif t0 == codec.TOPIC_PROPOSAL_CREATED and is_gov:
                pc = codec.decode_proposal_created(codec.hexbytes(lg["data"]))
                pid = str(pc.proposal_id)
                proposals.append((pid, proposal_fields(ad, pc, block, ts)))
                new_ids.add(pid)
                touched.add(pid)
            elif t0 == codec.TOPIC_PROPOSAL_QUEUED and is_gov:
                q_pid, eta = codec.decode_words(codec.hexbytes(lg["data"]), 2)
                status_updates.append((str(q_pid), {"queued_eta": eta, "queued_block": block}))
                touched.add(str(q_pid))
            elif t0 == codec.TOPIC_PROPOSAL_EXECUTED and is_gov:
                (x_pid,) = codec.decode_words(codec.hexbytes(lg["data"]), 1)
                status_updates.append((str(x_pid), {"executed_at": ts, "executed_block": block}))
                touched.add(str(x_pid))
            elif t0 in cancel_topics and is_gov:
                (c_pid,) = codec.decode_words(codec.hexbytes(lg["data"]), 1)
                status_updates.append((str(c_pid), {"canceled_at": ts, "canceled_block": block}))
                touched.add(str(c_pid))
            else:
                continue
            rep.events += 1
            last_block = block
        except (codec.DecodeError, KeyError, IndexError, TypeError, ValueError) as exc:
            rep.warnings.append(f"skipped an undecodable log ({exc.__class__.__name__}: {str(exc)[:80]})")
    rep.votes += len(votes) + len(parts) - reductions
    rep.new_proposals += len(proposals)
    return (proposals, status_updates, votes, parts, delegations, powers), last_block


def _one_choice(support: int, weight: int) -> tuple[int, int, int]:
    """(against, for, abstain) of `weight` on one choice (negative: a reduction)."""
    if support > 2:
        raise codec.DecodeError(f"unknown support {support}")
    out = [0, 0, 0]
    out[support] = weight
    return out[0], out[1], out[2]


def _split(support: int, weight: int, data: str) -> tuple[int, int, int]:
    """(against, for, abstain) of one vote on a fractional Governor: the packed params of a split vote
    (support 255), else the whole weight on the one choice."""
    if support == codec.FRACTIONAL_SUPPORT:
        split = codec.decode_fractional(codec.decode_vote_params_hex(data))
        if sum(split) != weight:
            raise codec.DecodeError("split vote parts do not add up to its weight")
        return split
    return _one_choice(support, weight)
