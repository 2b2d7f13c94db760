"""How an EVM sync commits: chunks gathered COMMIT_EVERY seconds to a commit, each with its cursor; a fetch that
fails between chunks keeps the whole chunks written since the last commit, a write that fails inside a chunk
takes back everything since the last commit; either way a rerun ends with the archive a clean sync gives
(on anvil, with the devnet Governor)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.conftest import add_devnet_dao
from wallet.errors import NodeUnreachable

pytestmark = pytest.mark.anvil


def _state(home: Any) -> tuple[int | None, list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    db = sqlite3.connect(home / "data" / "archive.sqlite3")
    try:
        cursor = db.execute("SELECT cursor FROM sources WHERE id='devnet/test'").fetchone()
        votes = db.execute("SELECT proposal_id, voter, choice, weight, block FROM votes "
                           "ORDER BY proposal_id, voter").fetchall()
        props = db.execute("SELECT id, title, status, tally FROM proposals ORDER BY id").fetchall()
    finally:
        db.close()
    return (cursor[0] if cursor else None), votes, props


@pytest.fixture
def history(cli, anvil, seeded_dao, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A seeded DAO, the archive a clean sync gives, and a fresh home to sync it again in small ranges."""
    dep, _seed = seeded_dao("oz", n_voters=12)
    monkeypatch.setenv("POLIS_HOME", str(tmp_path / "clean"))
    add_devnet_dao(anvil.url, dep)
    assert cli("sync", "devnet/test").code == 0
    clean = _state(tmp_path / "clean")
    home = tmp_path / "again"
    monkeypatch.setenv("POLIS_HOME", str(home))
    add_devnet_dao(anvil.url, dep)
    monkeypatch.setenv("POLIS_SYNC_FIRST_RANGE", "2")  # many chunks, each on its own (no fetch-ahead merging)
    from wallet.adapters.evm import sync as evm_sync

    monkeypatch.setattr(evm_sync, "ahead", lambda chunks, **_kw: chunks)
    return dep, clean, home


def _fail_fetch_after(monkeypatch: pytest.MonkeyPatch, calls: int) -> list[tuple[int, int]]:
    from wallet.adapters.evm.logs import LogFetcher

    asked: list[tuple[int, int]] = []
    real = LogFetcher._ask

    def ask(self: LogFetcher, ranges: list[tuple[int, int]]) -> list[Any]:
        if len(asked) >= calls:
            raise NodeUnreachable("the node went away")
        asked.extend(ranges)
        return real(self, ranges)

    monkeypatch.setattr(LogFetcher, "_ask", ask)
    return asked


def test_a_fetch_failing_between_chunks_keeps_the_whole_ones(cli, history, monkeypatch) -> None:
    from wallet.adapters.evm import sync as evm_sync

    _dep, clean, home = history
    monkeypatch.setattr(evm_sync, "COMMIT_EVERY", 3600.0)  # nothing commits on time during this sync
    asked = _fail_fetch_after(monkeypatch, 6)
    r = cli("sync", "devnet/test")
    assert r.code != 0 and "went away" in r.err
    cursor, votes, _props = _state(home)
    last = max(hi for _lo, hi in asked)
    assert cursor == last  # every chunk that arrived is committed with its cursor
    assert votes == [v for v in clean[1] if v[4] <= last]
    monkeypatch.undo()
    monkeypatch.setenv("POLIS_HOME", str(home))
    assert cli("sync", "devnet/test").code == 0
    assert _state(home)[1:] == clean[1:]


def test_a_write_failing_inside_a_chunk_takes_back_what_the_last_commit_did_not_keep(cli, history,
                                                                                       monkeypatch) -> None:
    from wallet.adapters.evm import sync as evm_sync
    from wallet.cache import store

    _dep, clean, home = history
    monkeypatch.setattr(evm_sync, "COMMIT_EVERY", 0.0)  # every chunk commits
    real = store.insert_votes
    seen: list[int] = []

    def insert_votes(ar: Any, rows: Any) -> int:
        rows = list(rows)
        if seen:  # the second chunk with votes: half of it is written, then the disk says no
            real(ar, rows[: len(rows) // 2])
            raise sqlite3.OperationalError("disk I/O error")
        seen.append(len(rows))
        return real(ar, rows)

    monkeypatch.setattr(store, "insert_votes", insert_votes)
    r = cli("sync", "devnet/test")
    assert r.code != 0
    cursor, votes, _props = _state(home)
    assert len(votes) == seen[0] and cursor is not None  # the first chunk with votes, whole; nothing of the second
    assert {v[:4] for v in votes} <= {v[:4] for v in clean[1]}
    monkeypatch.undo()
    monkeypatch.setenv("POLIS_HOME", str(home))
    assert cli("sync", "devnet/test").code == 0
    assert _state(home)[1:] == clean[1:]
