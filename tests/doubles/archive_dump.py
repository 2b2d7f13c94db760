"""A comparable dump of the whole archive: every table's rows, sorted, without the columns that
record *when* something was written (those differ between two syncs of the same chain)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

WALL_CLOCK = {"updated", "updated_at", "synced_at", "created", "fetched_at", "checked_at"}
SKIP_TABLES = {"journal", "schema_version", "meta"}


def dump(path: Path | None = None) -> dict[str, list[Any]]:
    from wallet.paths import archive_path

    con = sqlite3.connect(path or archive_path())
    try:
        out: dict[str, list[Any]] = {}
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for t in tables:
            if t.startswith(("sqlite_", "proposals_fts", "batch")) or t in SKIP_TABLES or "fts" in t:
                continue
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
            keep = [c for c in cols if c not in WALL_CLOCK and c != "pk"]
            rows = con.execute(f"SELECT {', '.join(keep)} FROM {t}").fetchall()
            docs = [dict(zip(keep, r, strict=True)) for r in rows]
            for d in docs:
                if t == "sources" and d.get("protocol") == "snapshot":
                    d["head"] = None  # an off-chain source's "head" is the wall clock of its sync
            out[t] = sorted(json.dumps(d, sort_keys=True, default=str) for d in docs)
        return out
    finally:
        con.close()
