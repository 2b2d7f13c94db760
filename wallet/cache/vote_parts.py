"""Partial votes (GovernorCountingFractional): each cast kept as its own row with its split, and the
voter's row in `votes` rebuilt from them, so several partial votes never collapse into the last one. A
GovernorCountingOverridable's votes are parts as well: a delegator's override is its own part, and the
reduction of its delegate's vote a part with a negative weight.

Weights are decimal TEXT (wei overflow SQLite's integers): sums are taken in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wallet.cache.db import Archive

PART_CHOICES = ("against", "for", "abstain")


def insert_parts(ar: Archive, rows: Sequence[Sequence[Any]]) -> None:
    """Rows: (source, proposal_id, voter, block, log_index, against:int, for:int, abstain:int, reason, tx,
    timestamp). The voters' rows in `votes` are rebuilt from all their parts (call inside a transaction)."""
    if not rows:
        return
    keys = {(r[0], r[1], r[2]) for r in rows}
    _adopt_whole_rows(ar, keys)
    ar.conn.executemany(
        "INSERT OR REPLACE INTO vote_parts (source, proposal_id, voter, block, log_index, against, for_weight, "
        "abstain, weight, reason, tx, timestamp) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(s, p, v, b, i, str(a), str(f), str(ab), str(a + f + ab), r, tx, ts)
         for s, p, v, b, i, a, f, ab, r, tx, ts in rows])
    rebuild(ar, keys)


def _adopt_whole_rows(ar: Archive, keys: Iterable[tuple[str, str, str]]) -> None:
    """A voter's row archived whole, with no parts behind it (by a Polis that did not yet keep this DAO's votes
    as parts), becomes its first part before new parts arrive, so the rebuilt row still counts it. A row whose
    choice is not one of for/against/abstain, or that lacks its log's place, cannot be split and stays as is."""
    ar.conn.executemany(
        "INSERT OR IGNORE INTO vote_parts (source, proposal_id, voter, block, log_index, against, for_weight, "
        "abstain, weight, reason, tx, timestamp) SELECT source, proposal_id, voter, block, log_index, "
        "CASE choice WHEN 'against' THEN weight ELSE '0' END, CASE choice WHEN 'for' THEN weight ELSE '0' END, "
        "CASE choice WHEN 'abstain' THEN weight ELSE '0' END, weight, reason, tx, timestamp FROM votes v "
        "WHERE source=? AND proposal_id=? AND voter=? AND choice IN ('against', 'for', 'abstain') "
        "AND block IS NOT NULL AND log_index IS NOT NULL AND NOT EXISTS (SELECT 1 FROM vote_parts p "
        "WHERE p.source=v.source AND p.proposal_id=v.proposal_id AND p.voter=v.voter)", list(keys))


def rebuild(ar: Archive, keys: Iterable[tuple[str, str, str]]) -> None:
    """Write each (source, proposal, voter)'s row in `votes` as the sum of its parts (or delete it when
    no part is left): choice is the one label all parts share, else "split"."""
    for source, pid, voter in keys:
        parts = parts_of(ar, source, pid, voter)
        if not parts:
            ar.conn.execute("DELETE FROM votes WHERE source=? AND proposal_id=? AND voter=?", (source, pid, voter))
            continue
        sums = [sum(int(p[c]) for p in parts) for c in PART_CHOICES]
        used = [c for c, n in zip(PART_CHOICES, sums, strict=True) if n]
        if not used:  # a delegate's whole vote overridden (GovernorCountingOverridable): it still voted, for 0
            used = [next((c for c in PART_CHOICES for p in parts if int(p[c]) > 0), "split")]
        choice = used[0] if len(used) == 1 else "split"
        last = parts[-1]
        reason = next((p["reason"] for p in reversed(parts) if p["reason"]), "")
        ar.conn.execute(
            "INSERT OR REPLACE INTO votes (source, proposal_id, voter, choice, weight, reason, block, tx, log_index, "
            "timestamp) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (source, pid, voter, choice, str(sum(sums)), reason, last["block"], last["tx"], last["log_index"],
             last["timestamp"]))


def parts_of(ar: Archive, source: str, pid: str, voter: str | None = None) -> list[dict[str, Any]]:
    """Partial votes of a proposal (of one voter), in chain order."""
    sql = ("SELECT voter, block, log_index, against, for_weight, abstain, weight, reason, tx, timestamp "
           "FROM vote_parts WHERE source=? AND proposal_id=?")
    params: list[Any] = [source, pid]
    if voter is not None:
        sql += " AND voter=?"
        params.append(voter)
    cur = ar.conn.execute(sql + " ORDER BY block, log_index", params)
    out = []
    for r in cur.fetchall():
        d = dict(zip(("voter", "block", "log_index", "against", "for", "abstain", "weight", "reason", "tx",
                      "timestamp"), r, strict=True))
        out.append(d)
    return out


def rewind(ar: Archive, source: str, fork_block: int) -> None:
    """Forget parts from blocks after `fork_block` and rebuild the voters they belonged to."""
    keys = {(source, p, v) for p, v in ar.conn.execute(
        "SELECT DISTINCT proposal_id, voter FROM vote_parts WHERE source=? AND block>?", (source, fork_block))}
    if not keys:
        return
    ar.conn.execute("DELETE FROM vote_parts WHERE source=? AND block>?", (source, fork_block))
    rebuild(ar, keys)


def has_parts(ar: Archive, source: str, pid: str) -> bool:
    """Whether the proposal's votes were archived as partial votes (a fractional Governor)."""
    return ar.conn.execute("SELECT 1 FROM vote_parts WHERE source=? AND proposal_id=? LIMIT 1",
                           (source, pid)).fetchone() is not None


def count_parts(ar: Archive, source: str, pid: str) -> int:
    return int(ar.conn.execute("SELECT count(*) FROM vote_parts WHERE source=? AND proposal_id=?",
                               (source, pid)).fetchone()[0])


def part_rows(ar: Archive, source: str, pid: str, *, search: str | None = None, limit: int = 100, offset: int = 0,
              order: str = "weight") -> list[dict[str, Any]]:
    """Every partial vote of a proposal as its own row: its split (against, for, abstain), its weight,
    and the voter's total over all their parts (`voter_total`, `voter_votes`). Orders as `query.votes`."""
    from wallet.errors import BadInput

    orders = {"weight": "length(p.weight) DESC, p.weight DESC, p.block, p.log_index",
              "time": "p.block ASC, p.log_index ASC", "recent": "p.block DESC, p.log_index DESC"}
    if order not in orders:
        raise BadInput(f"unknown order {order!r} ({', '.join(orders)})")
    sql = ("SELECT p.voter, p.against, p.for_weight, p.abstain, p.weight, p.reason, p.block, p.tx, p.timestamp, "
           "p.log_index, v.weight, (SELECT count(*) FROM vote_parts q WHERE q.source=p.source AND "
           "q.proposal_id=p.proposal_id AND q.voter=p.voter) FROM vote_parts p LEFT JOIN votes v ON "
           "v.source=p.source AND v.proposal_id=p.proposal_id AND v.voter=p.voter "
           "WHERE p.source=? AND p.proposal_id=?")
    params: list[Any] = [source, pid]
    if search:
        s = search.lower()
        sql += " AND (lower(p.voter) LIKE ? OR lower(p.reason) LIKE ? OR lower(v.choice) = ?"
        params += [f"%{s}%", f"%{s}%", s]
        if s in PART_CHOICES:  # a choice matches the parts that put weight on it
            sql += f" OR p.{'for_weight' if s == 'for' else s} != '0'"
        sql += ")"
    cur = ar.conn.execute(sql + f" ORDER BY {orders[order]} LIMIT ? OFFSET ?", [*params, limit, offset])
    out = []
    for voter, a, f, ab, w, reason, block, tx, ts, idx, total, n in cur.fetchall():
        split = {"against": a, "for": f, "abstain": ab}
        used = [c for c in ("for", "against", "abstain") if int(split[c])]
        out.append({"voter": voter, "choice": used[0] if len(used) == 1 else "split", "weight": w,
                    "for": f, "against": a, "abstain": ab, "reason": reason, "block": block, "tx": tx,
                    "timestamp": ts, "log_index": idx, "voter_total": total or w,
                    "voter_votes": n})
    return out


def power_at(ar: Archive, source: str, delegate: str, block: int) -> int | None:
    """The delegate's votes after the last DelegateVotesChanged at or before `block` (what the token's
    getPastVotes answers for that block), None when the archive holds no such event."""
    best: tuple[int, int, int] | None = None
    for form in dict.fromkeys([delegate, delegate.lower()]):  # archived EIP-55; each form uses the index
        row = ar.conn.execute(
            "SELECT block, log_index, votes FROM power_events WHERE source=? AND delegate=? AND block<=? "
            "ORDER BY block DESC, log_index DESC LIMIT 1", (source, form, block)).fetchone()
        if row and (best is None or (row[0], row[1]) > best[:2]):
            best = (int(row[0]), int(row[1]), int(row[2]))
    return best[2] if best else None
