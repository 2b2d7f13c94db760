"""Partial votes (GovernorCountingFractional): each cast kept as its own row with its split, and the
voter's row in `votes` rebuilt from them, so several partial votes never collapse into the last one.

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
    ar.conn.executemany(
        "INSERT OR REPLACE INTO vote_parts (source, proposal_id, voter, block, log_index, against, for_weight, "
        "abstain, weight, reason, tx, timestamp) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(s, p, v, b, i, str(a), str(f), str(ab), str(a + f + ab), r, tx, ts)
         for s, p, v, b, i, a, f, ab, r, tx, ts in rows])
    rebuild(ar, {(r[0], r[1], r[2]) for r in rows})


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
