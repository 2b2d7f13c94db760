"""Opening the archive: WAL, busy timeout, migrations."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from wallet.cache.schema import MIGRATIONS, SCHEMA_VERSION
from wallet.errors import PolisError
from wallet.paths import archive_path, ensure_private_dir

BUSY_TIMEOUT_MS = 30_000


class Archive:
    """A connection to the archive with the read and write helpers of `query` and `store`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def migrate(conn: sqlite3.Connection) -> None:
    """Apply missing migrations in one IMMEDIATE transaction: two processes opening a new archive at
    once (a CLI sync beside the TUI) serialise here, and the second finds the work done."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise PolisError(f"the archive was written by a newer Polis (schema {version} > {SCHEMA_VERSION})")
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, SCHEMA_VERSION):
            for stmt in MIGRATIONS[number]:
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version = {number + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _ensure_wal(conn: sqlite3.Connection) -> None:
    """Switch a new archive to WAL. The switch takes a lock that SQLite's busy handler does not wait
    for, so two processes opening a new archive at once (CLI sync beside the TUI) retry it here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.01
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def open_archive(path: Path | None = None, *, readonly: bool = False) -> Archive:
    """Open (creating and migrating if needed). Read-only opens never create a file."""
    path = path or archive_path()
    if readonly and not path.exists():
        conn = sqlite3.connect(":memory:")
        migrate(conn)
        return Archive(conn, path)
    ensure_private_dir(path.parent)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level="DEFERRED")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _ensure_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    migrate(conn)
    return Archive(conn, path)
