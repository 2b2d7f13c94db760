"""Re-reading proposals from the Governor during a sync: state, tally, quorum (and a deadline that moved) for
each new or still open proposal, with the block timestamps of their voting windows, in one JSON-RPC batch
sent from a worker thread while the main thread writes logs.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from wallet.adapters.evm import codec as codec
from wallet.adapters.evm.kinds import FACTS, STATE_NAMES, STATE_STATUS
from wallet.cache import store
from wallet.errors import RpcError

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from wallet.adapters.base import SyncReport
    from wallet.adapters.evm.adapter import EvmGovernorAdapter
    from wallet.cache.db import Archive

REFRESH_BATCH = 500
"""Refresh calls that go at once even while log ranges are still being fetched (one JSON-RPC batch)."""

Row = tuple[int | None, int | None, int | None, int | None]
"""(start_point, end_point, created_block, created_at) of a proposal to refresh."""


def refresh_calls(ad: EvmGovernorAdapter, pid: str, start_point: int | None) -> list[tuple[str, list[Any]]]:
    """The eth_calls that re-read one proposal, as its Governor kind answers them (see `parse_refresh`)."""
    gov = ad.dao.governor
    pidw = codec.enc_uint(int(pid))

    def call(sig: str, *w: str) -> tuple[str, list[Any]]:
        return ("eth_call", [{"to": gov, "data": codec.call_data(sig, *w)}, "latest"])

    if ad.kind() == "nouns":  # V2's quorum moves with the against votes; V1 has no quorumVotes(uint256)
        return [call("state(uint256)", pidw), call("proposals(uint256)", pidw), call("quorumVotes(uint256)", pidw)]
    if ad.compound:
        return [call("state(uint256)", pidw), call("proposals(uint256)", pidw), call("quorumVotes()")]
    # GovernorCompatibilityBravo counts in its Bravo-shaped proposals(id): it has no proposalVotes
    tally = call("proposals(uint256)", pidw) if ad.bravo_compatible() else call("proposalVotes(uint256)", pidw)
    calls = [call("state(uint256)", pidw), tally]
    if start_point is not None:
        calls.append(call("quorum(uint256)", codec.enc_uint(start_point)))
    if ad.late_quorum():  # GovernorPreventLateQuorum moves deadlines: re-read on every refresh
        calls.append(call("proposalDeadline(uint256)", pidw))
    return calls


def parse_refresh(ad: EvmGovernorAdapter, results: list[Any]) -> dict[str, Any]:
    """The archived fields from the answers to `refresh_calls`: status, tally, quorum and a deadline that moved."""
    state = codec.answer_word(results[0])
    fields: dict[str, Any] = {}
    if state < len(STATE_NAMES):
        fields["status"] = STATE_STATUS[state]
        fields["native_status"] = STATE_NAMES[state]
    if ad.compound:
        facts = ad.facts
        w = codec.answer_words(results[1], facts.proposal_words)
        fields["tally"] = [{"choice": c, "weight": str(w[i])} for c, i in facts.tally_words]
        if ad.kind() != "nouns":  # Nouns V3+ moves the end for an objection period (read from its event)
            fields["end_point"] = w[facts.end_word]
        if not isinstance(results[2], Exception):
            fields["quorum"] = codec.answer_word(results[2])
        elif facts.quorum_word is not None:  # the quorum the proposal was created with (Nouns V1)
            fields["quorum"] = w[facts.quorum_word]
        return fields
    if ad.bravo_compatible():
        w = codec.answer_words(results[1], FACTS["bravo"].proposal_words)
        f_, a_, ab_ = w[5], w[6], w[7]
    else:
        a_, f_, ab_ = codec.answer_words(results[1], 3)
    rest = results[2:]
    fields["tally"] = [{"choice": "for", "weight": str(f_)}, {"choice": "against", "weight": str(a_)},
                       {"choice": "abstain", "weight": str(ab_)}]
    if ad.late_quorum():
        *rest, deadline = rest
        if not isinstance(deadline, Exception):
            fields["end_point"] = codec.answer_word(deadline)
    if rest and not isinstance(rest[0], Exception):
        fields["quorum"] = codec.answer_word(rest[0])
    return fields


class RefreshJob:
    """State/tally/quorum calls and block timestamps for some proposals, sent as one batch — in a
    worker thread during a sync, so the node answers while the main thread decodes and writes logs."""

    def __init__(self, ad: EvmGovernorAdapter, rows: dict[str, Row], head: int) -> None:
        self.rpc = ad.rpc
        self.rows = rows
        self.head = head
        self.ids = sorted(rows)
        self.clock_ts = ad.clock_mode() == "timestamp"
        calls: list[tuple[str, list[Any]]] = []
        self.spans: list[tuple[int, int]] = []
        need_blocks: set[int] = {head}
        for pid in self.ids:
            start_p, end_p, cblock, cat = rows[pid]
            mine = refresh_calls(ad, pid, start_p)
            self.spans.append((len(calls), len(calls) + len(mine)))
            calls.extend(mine)
            if cat is None and cblock is not None:
                need_blocks.add(cblock)
            if not self.clock_ts:
                need_blocks.update(p for p in (start_p, end_p) if p is not None and p <= head)
        # Identical calls are asked once (proposals of one snapshot share their quorum(t) call).
        distinct: dict[str, int] = {}
        request: list[tuple[str, list[Any]]] = []
        self.where: list[int] = []
        for c in calls:
            k = distinct.setdefault(repr(c), len(request))
            if k == len(request):
                request.append(c)
            self.where.append(k)
        self.n_calls = len(request)
        self.blist = sorted(need_blocks)
        request += [("eth_getBlockByNumber", [hex(n), False]) for n in self.blist]
        self.request = request
        self.future: Future[list[Any]] | None = None

    def start(self, pool: ThreadPoolExecutor) -> None:
        """Send the batch from `pool`'s thread; `write` waits for it (or sends it itself if never started)."""
        self.future = pool.submit(self.rpc.batch, self.request)

    def write(self, ad: EvmGovernorAdapter, ar: Archive, rep: SyncReport, new_ids: set[str]) -> None:
        answers = self.future.result() if self.future else self.rpc.batch(self.request)
        block_ts = {n: int(b["timestamp"], 16) for n, b in zip(self.blist, answers[self.n_calls:], strict=True)
                    if isinstance(b, dict)}
        results = [answers[i] for i in self.where]
        head, head_ts, bt = self.head, block_ts.get(self.head, int(time.time())), ad.network.block_time

        def to_ts(point: int | None) -> int | None:
            if point is None or self.clock_ts:
                return point
            return block_ts.get(point, head_ts + (point - head) * bt)

        updates: list[tuple[str, dict[str, Any]]] = []
        for (lo, hi), pid in zip(self.spans, self.ids, strict=True):
            start_p, end_p, cblock, cat = self.rows[pid]
            fields: dict[str, Any] = {"start_ts": to_ts(start_p), "end_ts": to_ts(end_p)}
            if cat is None and cblock in block_ts:
                fields["created_at"] = block_ts[cblock]
            try:
                fields.update(parse_refresh(ad, results[lo:hi]))
                if fields.get("end_point") not in (None, end_p):  # a deadline that moved (late quorum)
                    fields["end_ts"] = to_ts(fields["end_point"])
            except (RpcError, codec.DecodeError, IndexError, TypeError, ValueError) as exc:
                rep.warnings.append(f"could not refresh proposal {pid}: {str(exc)[:80]}")
            updates.append((pid, fields))
            if pid not in new_ids:
                rep.updated_proposals += 1
        store.upsert_proposals(ar, ad.source, updates)
        store.refresh_vote_counts(ar, ad.source, self.ids)


def archived_rows(ar: Archive, source: str, ids: set[str] | None = None) -> dict[str, Row]:
    """Rows of still-open proposals (ids None) or of the given ids."""
    if ids is None:
        cur = ar.conn.execute(
            "SELECT id, start_point, end_point, created_block, created_at FROM proposals WHERE source=? "
            "AND status NOT IN ('canceled','rejected','expired','executed')", (source,))
    else:
        cur = ar.conn.execute(
            f"SELECT id, start_point, end_point, created_block, created_at FROM proposals WHERE source=? "
            f"AND id IN ({','.join('?' for _ in ids)})", [source, *ids])
    return {r[0]: tuple(r[1:]) for r in cur.fetchall()}


def created_rows(logs: list[dict[str, Any]], governor: str) -> dict[str, Row]:
    """Ids and voting window of the ProposalCreated logs of a chunk, read from the head words only."""
    out: dict[str, Row] = {}
    for lg in logs:
        try:
            if lg["topics"][0] != codec.TOPIC_PROPOSAL_CREATED or lg["address"].lower() != governor:
                continue
            data = lg["data"]
            if len(data) < 2 + 64 * 9:
                continue
            pid = int(data[2:66], 16)
            start_p, end_p = int(data[2 + 64 * 6:2 + 64 * 7], 16), int(data[2 + 64 * 7:2 + 64 * 8], 16)
            ts = int(lg["blockTimestamp"], 16) if lg.get("blockTimestamp") else None
            out[str(pid)] = (start_p, end_p, int(lg["blockNumber"], 16), ts)
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return out


def refresh_now(ad: EvmGovernorAdapter, ar: Archive, ids: set[str], new_ids: set[str], head: int,
             rep: SyncReport) -> None:
    """Re-read state, tally and quorum of the given proposals now (used after an action)."""
    rows = archived_rows(ar, ad.source, ids)
    if rows:
        job = RefreshJob(ad, rows, head)
        with ar.conn:
            job.write(ad, ar, rep, new_ids)
