"""Writes into the archive, used by sync and the action pipeline. Each call is its own transaction
unless the caller holds one (`with archive.conn:`)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

from wallet.cache.db import Archive

_PROPOSAL_COLS = (
    "title", "body", "proposer", "status", "native_status", "created_at", "start_ts", "end_ts",
    "start_point", "end_point", "clock", "quorum", "choices", "tally", "actions", "queued_eta",
    "executed_at", "canceled_at", "created_block", "queued_block", "executed_block", "canceled_block",
    "vote_count", "extra",
)
_JSON_COLS = {"choices", "tally", "actions", "extra"}


def upsert_source(ar: Archive, source: str, *, network: str, protocol: str = "", kind: str = "",
                  chain_id: str | int = "", extra: dict[str, Any] | None = None, family: str = "") -> None:
    """`protocol` is the network's kind (evm, cosmos, substrate, snapshot; `family` is its older name);
    `extra` keeps what offline reads need to display amounts: name, token symbol and decimals."""
    protocol = protocol or family
    ar.conn.execute(
        "INSERT INTO sources (id, network, protocol, kind, chain_id, extra) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET network=excluded.network, protocol=excluded.protocol, "
        "kind=CASE WHEN excluded.kind != '' THEN excluded.kind ELSE sources.kind END, chain_id=excluded.chain_id, "
        "extra=excluded.extra",
        (source, network, protocol, kind, str(chain_id), json.dumps(extra or {})),
    )


def set_cursor(ar: Archive, source: str, cursor: int | None, head: int | None, *, finished: bool = True) -> None:
    ar.conn.execute(
        "UPDATE sources SET cursor=?, head=?, synced_at=COALESCE(?, synced_at) WHERE id=?",
        (cursor, head, int(time.time()) if finished else None, source),
    )


def touch_source(ar: Archive, source: str) -> None:
    ar.conn.execute("UPDATE sources SET synced_at=? WHERE id=?", (int(time.time()), source))


_compact = json.JSONEncoder(separators=(",", ":")).encode
"""json.dumps with these separators, without building an encoder per call (a sync encodes thousands)."""


def _encode(col: str, value: Any) -> Any:
    if col in _JSON_COLS:
        return _compact(value)
    if col == "quorum" and value is not None:
        return str(value)
    return value


def _upsert_sql(cols: Sequence[str], rows: int = 1) -> str:
    """The upsert of `rows` proposals with these fields in one statement (rows in order, a later one with the
    same id updating the earlier, as one statement each would)."""
    unknown = set(cols) - set(_PROPOSAL_COLS)
    if unknown:
        raise ValueError(f"unknown proposal fields: {sorted(unknown)}")
    insert_cols = ", ".join(["source", "id", "updated_at", *cols])
    marks = ", ".join("?" for _ in range(3 + len(cols)))
    updates = ", ".join([f"{c}=excluded.{c}" for c in cols] + ["updated_at=excluded.updated_at"])
    if "status" not in cols:
        # A row must have a status; an update-only call on a missing row is a caller bug.
        insert_cols += ", status"
        marks += ", 'pending'"
    values = ", ".join([f"({marks})"] * rows)
    return f"INSERT INTO proposals ({insert_cols}) VALUES {values} ON CONFLICT(source, id) DO UPDATE SET {updates}"


ROWS_PER_UPSERT = 30
"""Proposals a multi-row upsert carries at most. One statement per row would cost a full-text index flush per
row: FTS5 writes its pending terms out at every statement's savepoint, ~100 µs a proposal."""
MAX_PARAMS = 999
"""Parameters one statement may bind on any SQLite (the limit before 3.32); a row binds 3 + its fields."""


def upsert_proposal(ar: Archive, source: str, pid: str, fields: dict[str, Any]) -> None:
    """Insert a proposal or update only the given fields of an existing one."""
    cols = list(fields)
    ar.conn.execute(_upsert_sql(cols), (source, pid, int(time.time()), *[_encode(c, fields[c]) for c in cols]))


def upsert_proposals(ar: Archive, source: str, items: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """`upsert_proposal` of many, in their order: each run of items with the same fields is one executemany
    (a sync writes hundreds of proposals with the same columns)."""
    now = int(time.time())
    run: list[tuple[Any, ...]] = []
    run_cols: tuple[str, ...] = ()
    for pid, fields in items:
        cols = tuple(fields)
        if cols != run_cols and run:
            _upsert_run(ar, run_cols, run)
            run = []
        run_cols = cols
        run.append((source, pid, now, *[_encode(c, fields[c]) for c in cols]))
    if run:
        _upsert_run(ar, run_cols, run)


def _upsert_run(ar: Archive, cols: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows with the same fields, ROWS_PER_UPSERT to a statement (fewer when their parameters would pass
    MAX_PARAMS)."""
    per = max(1, min(ROWS_PER_UPSERT, MAX_PARAMS // (3 + len(cols))))
    whole = len(rows) - len(rows) % per
    if whole:
        sql = _upsert_sql(cols, per)
        ar.conn.executemany(sql, [tuple(chain.from_iterable(rows[i:i + per])) for i in range(0, whole, per)])
    if whole < len(rows):
        ar.conn.execute(_upsert_sql(cols, len(rows) - whole), tuple(chain.from_iterable(rows[whole:])))


def insert_votes(ar: Archive, rows: Iterable[Sequence[Any]]) -> int:
    """Rows: (source, proposal_id, voter, choice, weight:str, reason, block, tx, log_index, timestamp)."""
    cur = ar.conn.executemany(
        "INSERT OR REPLACE INTO votes (source, proposal_id, voter, choice, weight, reason, block, tx, "
        "log_index, timestamp) VALUES (?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    return cur.rowcount


def refresh_vote_counts(ar: Archive, source: str, proposal_ids: Iterable[str] | None = None) -> None:
    if proposal_ids is None:
        ar.conn.execute(
            "UPDATE proposals SET vote_count=(SELECT count(*) FROM votes v WHERE v.source=proposals.source "
            "AND v.proposal_id=proposals.id) WHERE source=?", (source,))
        return
    ar.conn.executemany(
        "UPDATE proposals SET vote_count=(SELECT count(*) FROM votes v WHERE v.source=? AND v.proposal_id=?) "
        "WHERE source=? AND id=?", [(source, p, source, p) for p in proposal_ids])


def insert_delegation_events(ar: Archive, rows: Iterable[Sequence[Any]]) -> None:
    """Rows: (source, delegator, from_delegate, to_delegate, block, log_index)."""
    ar.conn.executemany("INSERT OR REPLACE INTO delegation_events (source, delegator, from_delegate, to_delegate, "
                        "block, log_index) VALUES (?,?,?,?,?,?)", rows)


def insert_power_events(ar: Archive, rows: Iterable[Sequence[Any]]) -> None:
    """Rows: (source, delegate, previous:str, votes:str, block, log_index)."""
    ar.conn.executemany("INSERT OR REPLACE INTO power_events (source, delegate, previous, votes, block, log_index) "
                        "VALUES (?,?,?,?,?,?)", rows)


def save_block_hashes(ar: Archive, source: str, hashes: dict[int, str], keep: int = 256) -> None:
    ar.conn.executemany("INSERT OR REPLACE INTO block_hashes VALUES (?,?,?)",
                        [(source, n, h) for n, h in hashes.items()])
    ar.conn.execute(
        "DELETE FROM block_hashes WHERE source=? AND number NOT IN "
        "(SELECT number FROM block_hashes WHERE source=? ORDER BY number DESC LIMIT ?)",
        (source, source, keep))


def rewind(ar: Archive, source: str, fork_block: int) -> None:
    """Forget everything learnt from blocks after `fork_block` (a reorg replaced them)."""
    c = ar.conn
    c.execute("DELETE FROM votes WHERE source=? AND block>?", (source, fork_block))
    c.execute("DELETE FROM delegation_events WHERE source=? AND block>?", (source, fork_block))
    c.execute("DELETE FROM power_events WHERE source=? AND block>?", (source, fork_block))
    c.execute("DELETE FROM proposals WHERE source=? AND created_block>?", (source, fork_block))
    for col, ts in (("queued_block", "queued_eta"), ("executed_block", "executed_at"),
                    ("canceled_block", "canceled_at")):
        c.execute(f"UPDATE proposals SET {col}=NULL, {ts}=NULL WHERE source=? AND {col}>?", (source, fork_block))
    c.execute("DELETE FROM block_hashes WHERE source=? AND number>?", (source, fork_block))
    c.execute("UPDATE sources SET cursor=? WHERE id=? AND cursor>?", (fork_block, source, fork_block))
    from wallet.cache import vote_parts

    vote_parts.rewind(ar, source, fork_block)
    refresh_vote_counts(ar, source)


# --- the action journal --------------------------------------------------------------------------

def journal_add(ar: Archive, *, account: str, address: str, network: str, source: str, kind: str,
                target: str, summary: str, detail: dict[str, Any] | None = None, batch: str | None = None) -> int:
    now = int(time.time())
    with ar.conn:
        cur = ar.conn.execute(
            "INSERT INTO journal (created, updated, batch, account, address, network, source, kind, target, state, "
            "summary, detail) VALUES (?,?,?,?,?,?,?,?,?,'planned',?,?)",
            (now, now, batch, account, address, network, source, kind, target, summary, json.dumps(detail or {})))
    return int(cur.lastrowid or 0)


def journal_update(ar: Archive, entry: int, state: str, *, tx_hash: str | None = None,
                   error: str | None = None, detail: dict[str, Any] | None = None, raw: str | None = None) -> None:
    """`raw`: the signed bytes (hex) of the send, kept while the entry is open to send them again when it
    is settled (wallet/once.py); dropped once it is confirmed or failed."""
    with ar.conn:
        ar.conn.execute(
            "UPDATE journal SET state=?, updated=?, tx_hash=COALESCE(?, tx_hash), error=?, "
            "detail=CASE WHEN ? IS NULL THEN detail ELSE json_patch(detail, ?) END, "
            "raw=CASE WHEN ? IN ('confirmed', 'failed') THEN NULL ELSE COALESCE(?, raw) END WHERE id=?",
            (state, int(time.time()), tx_hash, error, None if detail is None else 1,
             json.dumps(detail or {}), state, raw, entry))


# --- staking (shared by every family) ------------------------------------------------------------

def replace_stakes(ar: Archive, source: str, address: str, positions: Iterable[Any]) -> None:
    """Make the archived stakes of (source, address) exactly `positions` (StakePosition objects)."""
    now = int(time.time())
    ar.conn.execute("DELETE FROM stakes WHERE source=? AND address=?", (source, address))
    ar.conn.executemany(
        "INSERT OR REPLACE INTO stakes (source, address, target, subtarget, kind, amount, rewards, completes_at, "
        "extra, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [(source, address, p.target, p.subtarget, p.kind, str(p.amount), str(p.rewards), p.completes_at,
          json.dumps({"target_name": p.target_name, "symbol": p.symbol, "decimals": p.decimals, **p.extra},
                     default=str), now) for p in positions])


def upsert_stake_targets(ar: Archive, source: str, targets: Iterable[Any]) -> None:
    """StakeTarget objects (validators, delegates, windows)."""
    now = int(time.time())
    ar.conn.executemany(
        "INSERT OR REPLACE INTO stake_targets (source, id, name, status, commission, power, extra, updated) "
        "VALUES (?,?,?,?,?,?,?,?)",
        [(source, t.id, t.name, t.status, t.commission, None if t.power is None else str(t.power),
          json.dumps(t.extra, default=str), now) for t in targets])


def insert_stake_events(ar: Archive, rows: Iterable[Sequence[Any]]) -> None:
    """Rows: (source, address, kind, target, subtarget, amount:str, block, tx, timestamp, extra_json)."""
    ar.conn.executemany("INSERT INTO stake_events VALUES (?,?,?,?,?,?,?,?,?,?)", rows)


def set_balances(ar: Archive, source: str, address: str, amounts: dict[str, int]) -> None:
    now = int(time.time())
    ar.conn.executemany("INSERT OR REPLACE INTO balances VALUES (?,?,?,?,?)",
                        [(source, address, denom, str(v), now) for denom, v in amounts.items()])
