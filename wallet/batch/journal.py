"""The batch journal: one run per plan (keyed by the plan file's SHA-256), one row per action.

Each action row moves planned → signed (the signed bytes and their hash stored) → sent → confirmed |
failed, or planned → skipped (already true on chain). Every transition is one SQLite transaction that
also updates the action's row in the archive's shared `journal` table (same columns and
semantics as `store.journal_add/journal_update`, written in the same transaction), committed before the next step
touches the network; each of these commits runs with `synchronous=FULL` so it survives power loss, not
only a killed process.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wallet.batch.planfile import PlanFile
    from wallet.batch.validate import Step
    from wallet.cache.db import Archive

TABLES = (
    """CREATE TABLE IF NOT EXISTS batch_runs (
        id TEXT PRIMARY KEY,             -- sha256 of the plan file's bytes
        path TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        format TEXT NOT NULL,
        text TEXT NOT NULL,              -- the plan itself, so resume works if the file moved
        actions INTEGER NOT NULL,
        state TEXT NOT NULL,             -- running | finished
        runs INTEGER NOT NULL DEFAULT 0, -- how many processes worked on it (run + resumes)
        created INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        report TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS batch_actions (
        batch TEXT NOT NULL,
        idx INTEGER NOT NULL,
        key TEXT NOT NULL UNIQUE,        -- idempotency key: sha256(batch, index, the action)
        journal_id INTEGER NOT NULL,     -- its row in the shared journal table
        source TEXT NOT NULL,
        network TEXT NOT NULL,
        account TEXT NOT NULL,
        address TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        label TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,             -- planned | signed | sent | confirmed | failed | skipped
        grp TEXT,                        -- id of the (multi-message) transaction it went in
        nonce INTEGER,                   -- EVM nonce of its signed transaction
        marker INTEGER,                  -- account nonce/sequence read just before an unsplit submit
        raw TEXT,                        -- the signed transaction (hex), kept to re-broadcast the same bytes
        tx_hash TEXT,
        plan TEXT,                       -- the Plan (JSON) that was signed, to await and record on resume
        result TEXT,                     -- block, fee, noop …
        error TEXT,
        updated INTEGER NOT NULL,
        PRIMARY KEY (batch, idx)
    )""",
    "CREATE INDEX IF NOT EXISTS batch_actions_state ON batch_actions (batch, state)",
)

JOURNAL_STATE = {"planned": "planned", "signed": "signed", "sent": "sent", "confirmed": "confirmed",
                 "failed": "failed", "skipped": "confirmed"}
OPEN_STATES = ("planned", "signed", "sent")
DONE_STATES = ("confirmed", "skipped")


def ensure(ar: Archive) -> None:
    with ar.conn:
        for stmt in TABLES:
            ar.conn.execute(stmt)


class _durable:
    """fsync the WAL at this commit (the archive runs WAL + NORMAL, which survives a killed process but
    not a power loss); other writers on the connection (sync, record) keep NORMAL."""

    def __init__(self, ar: Archive) -> None:
        self.conn = ar.conn

    def __enter__(self) -> None:
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.__enter__()

    def __exit__(self, *exc: object) -> None:
        try:
            self.conn.__exit__(*exc)  # type: ignore[arg-type]
        finally:
            self.conn.execute("PRAGMA synchronous = NORMAL")


def action_key(batch: str, step: Step) -> str:
    canon = json.dumps([batch, step.index, step.source, step.account, step.action.model_dump()], sort_keys=True,
                       default=str)
    return hashlib.sha256(canon.encode()).hexdigest()


def get_run(ar: Archive, batch: str) -> dict[str, Any] | None:
    row = ar.conn.execute("SELECT * FROM batch_runs WHERE id=?", (batch,)).fetchone()
    return _dict(ar, row) if row else None


def _dict(ar: Archive, row: Any) -> dict[str, Any]:
    cols = [d[0] for d in ar.conn.execute("SELECT * FROM batch_runs LIMIT 0").description]
    return dict(zip(cols, row, strict=True))


def runs(ar: Archive, *, unfinished: bool = False, limit: int = 20) -> list[dict[str, Any]]:
    sql = "SELECT * FROM batch_runs" + (" WHERE state != 'finished'" if unfinished else "") + \
          " ORDER BY updated DESC, created DESC LIMIT ?"
    return [_dict(ar, r) for r in ar.conn.execute(sql, (limit,)).fetchall()]


def start(ar: Archive, plan: PlanFile, steps: list[Step]) -> tuple[dict[str, Any], bool]:
    """The run of this plan: created with every action `planned` (one transaction), or the existing one."""
    batch = plan.digest
    existing = get_run(ar, batch)
    now = int(time.time())
    if existing is not None:
        with ar.conn:
            ar.conn.execute("UPDATE batch_runs SET runs = runs + 1, updated=? WHERE id=?", (now, batch))
        return existing, False
    with _durable(ar):
        ar.conn.execute("INSERT INTO batch_runs (id, path, name, format, text, actions, state, runs, created, updated) "
                        "VALUES (?,?,?,?,?,?,'running',1,?,?)",
                        (batch, plan.path, plan.model.name, plan.format, plan.text, len(steps), now, now))
        for s in steps:
            # The shared journal's own columns, written in this same transaction (store.journal_add
            # commits per row; 200 fsyncs would cost a second for nothing).
            jid = ar.conn.execute(
                "INSERT INTO journal (created, updated, batch, account, address, network, source, kind, target, state, "
                "summary, detail) VALUES (?,?,?,?,?,?,?,?,?,'planned',?,?)",
                (now, now, batch, s.account, s.address, s.network, s.source, s.action.kind, _target(s), s.label,
                 json.dumps({"index": s.index}))).lastrowid
            ar.conn.execute(
                "INSERT INTO batch_actions (batch, idx, key, journal_id, source, network, account, address, kind, "
                "target, label, state, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,'planned',?)",
                (batch, s.index, action_key(batch, s), jid, s.source, s.network, s.account, s.address,
                 s.action.kind, _target(s), s.label, now))
    return get_run(ar, batch) or {}, True


def _target(s: Step) -> str:
    a = s.action
    return str({"vote": a.proposal, "delegate": a.to}.get(a.kind, a.target) or "")


def actions(ar: Archive, batch: str) -> dict[int, dict[str, Any]]:
    """Every action row of the run, with `detail`: its shared journal row's detail (JSON text), where a
    send keeps what its adapter journaled to look it up later (wallet/once.py)."""
    cur = ar.conn.execute("SELECT b.*, j.detail AS detail FROM batch_actions b LEFT JOIN journal j "
                          "ON j.id = b.journal_id WHERE b.batch=? ORDER BY b.idx", (batch,))
    cols = [d[0] for d in cur.description]
    return {r[1]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


_FIELDS = ("grp", "nonce", "marker", "raw", "tx_hash", "plan", "result", "error")


def transition(ar: Archive, batch: str, changes: list[tuple[int, str, dict[str, Any]]]) -> None:
    """Move several actions at once, in one committed transaction. `fields` may set any of _FIELDS
    (None clears it) and `detail` (merged into the shared journal row's detail); the shared journal row
    follows."""
    now = int(time.time())
    with _durable(ar):
        for idx, state, fields in changes:
            unknown = set(fields) - set(_FIELDS) - {"detail"}
            if unknown:
                raise ValueError(f"unknown batch action fields {unknown}")
            vals = {k: (json.dumps(v, default=str) if k in ("plan", "result") and v is not None else v)
                    for k, v in fields.items() if k != "detail"}
            sets = ", ".join(f"{k}=?" for k in vals)
            ar.conn.execute(f"UPDATE batch_actions SET state=?, updated=?{', ' + sets if sets else ''} "
                            "WHERE batch=? AND idx=?", (state, now, *vals.values(), batch, idx))
            jid = ar.conn.execute("SELECT journal_id FROM batch_actions WHERE batch=? AND idx=?",
                                  (batch, idx)).fetchone()[0]
            detail: dict[str, Any] = dict(fields.get("detail") or {})
            if state == "skipped":
                detail["noop"] = True
            res = fields.get("result")
            if isinstance(res, dict):
                detail.update({k: v for k, v in res.items() if k in ("block", "fee", "noop", "message")})
            if fields.get("nonce") is not None:
                detail["nonce"] = fields["nonce"]
            # A reset to planned clears the hash it had: the journal keeps only what is true now.
            if state == "planned" and "tx_hash" in fields:
                ar.conn.execute("UPDATE journal SET tx_hash=NULL WHERE id=?", (jid,))
            # Same statement as store.journal_update, inside this transaction.
            ar.conn.execute(
                "UPDATE journal SET state=?, updated=?, tx_hash=COALESCE(?, tx_hash), error=?, "
                "detail=CASE WHEN ? IS NULL THEN detail ELSE json_patch(detail, ?) END WHERE id=?",
                (JOURNAL_STATE[state], now, fields.get("tx_hash"), fields.get("error"), 1 if detail else None,
                 json.dumps(detail), jid))


def finish(ar: Archive, batch: str, report: dict[str, Any]) -> bool:
    """Store the report; mark the run finished when no action is left open. Returns finished."""
    open_ = ar.conn.execute(f"SELECT COUNT(*) FROM batch_actions WHERE batch=? AND state IN "
                            f"({','.join('?' * len(OPEN_STATES))})", (batch, *OPEN_STATES)).fetchone()[0]
    state = "running" if open_ else "finished"
    with ar.conn:
        ar.conn.execute("UPDATE batch_runs SET state=?, report=?, updated=? WHERE id=?",
                        (state, json.dumps(report, default=str), int(time.time()), batch))
    return state == "finished"
