"""The archive: migrations, full-text search, filters, id resolution, exports — all offline."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time

import pytest

from wallet.cache import open_archive, query, store
from wallet.cache.schema import SCHEMA_VERSION


def fill(n: int = 30) -> None:
    now = int(time.time())
    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, "devnet/a", network="devnet", family="evm", kind="oz",
                            extra={"symbol": "PDT", "decimals": 18})
        for i in range(n):
            store.upsert_proposal(ar, "devnet/a", str(10**70 + i), {
                "title": f"Grant {i} for the indexer" if i % 3 == 0 else f"Treasury top-up {i}",
                "body": "Résumé: fund the **bridge** audit" if i == 4 else "plain body",
                "status": "active" if i % 2 else "executed", "created_at": now - 1000 + i,
                "end_ts": now + i * 3600 if i % 2 else now - 10,
                "tally": [{"choice": "for", "weight": str(10**24)}, {"choice": "against", "weight": "5"}]})
        store.insert_votes(ar, [("devnet/a", str(10**70 + 1), "0x000000000000000000000000000000000000bEEF", "for",
                                 str(10**24), "yes please", 10, "0xab", 0, now)])
        store.refresh_vote_counts(ar, "devnet/a")
        store.set_cursor(ar, "devnet/a", 100, 100)


def test_migrations_are_versioned(polis_home) -> None:
    with open_archive() as ar:
        assert ar.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert ar.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with open_archive() as ar:  # reopening migrates nothing twice
        assert ar.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_archive_is_refused(polis_home) -> None:
    from wallet.errors import PolisError

    with open_archive() as ar:
        ar.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(PolisError, match="newer Polis"):
        open_archive()


def test_search_filters_and_paging(cli) -> None:
    fill()
    r = cli("proposals", "list", "--search", "indexer", "--json", "--limit", "100").json()
    assert r["total"] == 10 and all("indexer" in p["title"] for p in r["proposals"])
    assert cli("proposals", "list", "--search", "resume bridge", "--json").json()["total"] == 1  # diacritics folded
    active = cli("proposals", "list", "--status", "active", "--json", "--limit", "5").json()
    assert active["total"] == 15 and len(active["proposals"]) == 5
    page2 = cli("proposals", "list", "--status", "active", "--json", "--limit", "5", "--offset", "5").json()
    assert not {p["id"] for p in page2["proposals"]} & {p["id"] for p in active["proposals"]}
    soon = cli("proposals", "list", "--closing-within", "0.5", "--json").json()
    assert {int(p["id"]) - 10**70 for p in soon["proposals"]} == {1, 3, 5, 7, 9, 11}
    assert cli("proposals", "list", "--status", "bogus").code == 2
    assert cli("proposals", "list", "--search", "!!!").code == 2


def test_needs_my_vote_and_due(cli, env_passphrase) -> None:
    fill()
    cli("keys", "import", "w", "--watch", "0x000000000000000000000000000000000000bEEF")
    needs = cli("proposals", "list", "--needs-my-vote", "--json", "--limit", "100").json()
    ids = {int(p["id"]) - 10**70 for p in needs["proposals"]}
    assert 1 not in ids and ids == {3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29}
    due = cli("proposals", "due", "--json").json()["proposals"]
    assert int(due[0]["id"]) - 10**70 == 3  # closing soonest first
    listed = cli("proposals", "list", "--status", "active", "--json", "--limit", "100").json()["proposals"]
    assert {p["my_vote"] for p in listed if int(p["id"]) - 10**70 == 1} == {"for"}


def test_resolve_by_prefix_and_source(cli) -> None:
    fill(3)
    assert cli("proposals", "show", str(10**70 + 1), "--json").json()["vote_count"] == 1
    amb = cli("proposals", "show", "1000000")
    assert amb.code == 2 and "several" in amb.err
    assert cli("proposals", "show", "nope").code == 2
    shown = cli("proposals", "show", f"devnet/a:{10**70 + 2}")
    assert shown.code == 0 and "Treasury top-up 2" in shown.out


def test_exports(cli, tmp_path) -> None:
    fill(5)
    out = tmp_path / "p.csv"
    assert cli("export", "proposals", "--out", str(out)).code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 5 and rows[0]["source"] == "devnet/a"
    votes = json.loads(cli("export", "votes", "--format", "json").out)
    assert votes[0]["weight"] == str(10**24) and votes[0]["reason"] == "yes please"
    assert json.loads(cli("export", "votes", "--format", "json", "--voter", "0x" + "de" * 20).out) == []


def test_hostile_titles_are_neutralised_in_output(cli) -> None:
    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, "devnet/a", network="devnet", family="evm")
        store.upsert_proposal(ar, "devnet/a", "1", {"title": "ok\x1b]8;;http://evil\x07click\x1b[2J\r\u202eevil",
                                                   "body": "x\x1b[31mred", "status": "active"})
    r = cli("proposals", "list")
    assert "\x1b" not in r.out and "\r" not in r.out and "\u202e" not in r.out
    s = cli("proposals", "show", "devnet/a:1")
    assert "\x1b" not in s.out


def test_readonly_open_of_missing_archive_creates_nothing(polis_home) -> None:
    with open_archive(readonly=True) as ar:
        assert query.sources(ar) == []
    assert not (polis_home / "data" / "archive.sqlite3").exists()


def test_concurrent_writers_wait(polis_home) -> None:
    fill(1)
    with open_archive() as a, open_archive() as b:
        a.conn.execute("BEGIN IMMEDIATE")
        a.conn.execute("UPDATE sources SET head = 1")
        b.conn.execute("PRAGMA busy_timeout = 100")
        with pytest.raises(sqlite3.OperationalError):
            b.conn.execute("BEGIN IMMEDIATE")
        a.conn.execute("COMMIT")
        b.conn.execute("BEGIN IMMEDIATE")
        b.conn.execute("COMMIT")
    _ = io


@pytest.mark.parametrize("max_params", [999, 40])
def test_many_proposals_upsert_as_one_at_a_time_would(polis_home, monkeypatch, max_params: int) -> None:
    """upsert_proposals writes runs of proposals in multi-row statements (ROWS_PER_UPSERT a statement, the
    rest in one): the rows, a repeated id updating the earlier, and the full-text index equal what one
    upsert_proposal after another gives."""
    n = 2 * store.ROWS_PER_UPSERT + 7
    items = [(str(10**70 + i), {"title": f"Grant {i} for the bridge", "body": f"word{i} treasury",
                                "status": "active", "created_at": i, "tally": [{"choice": "for", "weight": str(i)}]})
             for i in range(n)]
    items.insert(40, (items[3][0], {**items[3][1], "title": "Renamed grant", "body": "renamed body"}))
    items.append((str(10**70 + 5), {"status": "executed", "native_status": "Executed"}))  # another run: update only

    def rows(path) -> list[tuple]:  # type: ignore[no-untyped-def]
        with open_archive(path) as ar:
            cols = "source, id, title, body, status, native_status, created_at, tally, updated_at IS NOT NULL"
            got = ar.conn.execute(f"SELECT {cols} FROM proposals ORDER BY pk").fetchall()
            found = {t: sorted(r[0] for r in ar.conn.execute(
                "SELECT p.id FROM proposals_fts f JOIN proposals p ON p.pk = f.rowid WHERE proposals_fts MATCH ?",
                (t,))) for t in ("bridge", "renamed", "word3", "word66", "treasury")}
            return [*got, found]

    # 40 parameters: 5 rows a statement for the 5 fields (3 + 5 a row), 8 for the update-only run
    monkeypatch.setattr(store, "MAX_PARAMS", max_params)
    real_sql, bound = store._upsert_sql, []

    def sql(cols, rows=1):  # type: ignore[no-untyped-def]
        bound.append(rows * (3 + len(cols)))
        return real_sql(cols, rows)

    monkeypatch.setattr(store, "_upsert_sql", sql)
    one, many = polis_home / "one.sqlite3", polis_home / "many.sqlite3"
    with open_archive(one) as ar, ar.conn:
        for pid, fields in items:
            store.upsert_proposal(ar, "devnet/a", pid, fields)
    with open_archive(many) as ar, ar.conn:
        store.upsert_proposals(ar, "devnet/a", items)
    got = rows(many)
    assert got == rows(one)
    assert max(bound) <= max_params and (max_params == 999 or len(set(bound)) > 2)
    assert len(got) == n + 1 and got[-1]["renamed"] == [str(10**70 + 3)] and len(got[-1]["treasury"]) == n - 1
    assert got[5][4:6] == ("executed", "Executed")
