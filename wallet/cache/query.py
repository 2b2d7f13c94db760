"""Reads from the archive for both front ends. Rows come back as plain dicts (fast: no pydantic),
big integers as decimal strings, JSON columns decoded."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from wallet.cache.db import Archive
from wallet.errors import BadInput
from wallet.records import Value

_LIST_COLS = ("source, id, title, proposer, status, native_status, created_at, start_ts, end_ts, "
              "start_point, end_point, clock, quorum, tally, choices, vote_count")
_FULL_COLS = "*"


class ProposalFilter(Value):
    """What `list_proposals` and `count_proposals` select (a plain record: wallet/records.py)."""

    _fields = ("sources", "statuses", "search", "needs_vote_of", "closing_within", "limit", "offset", "order")
    sources: list[str]
    """Exact sources ("ethereum/compound") or whole networks ("ethereum")."""
    statuses: list[str]
    search: str | None
    needs_vote_of: list[str] | None
    """Addresses: keep active proposals none of them has voted on."""
    closing_within: int | None
    """Seconds: keep open proposals whose end is within this from now."""
    limit: int
    offset: int
    order: str
    """newest | oldest | closing"""

    def __init__(self, sources: list[str] | None = None, statuses: list[str] | None = None, search: str | None = None,
                 needs_vote_of: list[str] | None = None, closing_within: int | None = None, limit: int = 50,
                 offset: int = 0, order: str = "newest") -> None:
        self.sources = [] if sources is None else sources
        self.statuses = [] if statuses is None else statuses
        self.search = search
        self.needs_vote_of = needs_vote_of
        self.closing_within = closing_within
        self.limit = limit
        self.offset = offset
        self.order = order


def _row(cur: Any, row: tuple[Any, ...]) -> dict[str, Any]:
    out = {d[0]: v for d, v in zip(cur.description, row, strict=True)}
    for key in ("choices", "tally", "actions", "extra", "detail"):
        if key in out and isinstance(out[key], str):
            out[key] = json.loads(out[key])
    out.pop("pk", None)
    return out


def address_forms(addresses: list[str]) -> list[str]:
    """Each address as given and lowercased, so lookups can use the votes primary key (voters are
    archived in their canonical form: EIP-55 checksummed, bech32 lowercase, SS58)."""
    return list(dict.fromkeys([a for a in addresses] + [a.lower() for a in addresses]))


def _fts_query(text: str) -> str:
    """Turn user words into a safe FTS5 query: each word a quoted prefix term, all required."""
    words = re.findall(r"\w+", text, flags=re.UNICODE)
    if not words:
        raise BadInput("the search has no words")
    return " ".join(f'"{w}"*' for w in words)


def _where(f: ProposalFilter, params: list[Any]) -> str:
    clauses = []
    if f.sources:
        parts = []
        for s in f.sources:
            if "/" in s:
                parts.append("p.source = ?")
                params.append(s)
            else:
                parts.append("(p.source = ? OR p.source LIKE ?)")
                params.extend([s, f"{s}/%"])
        clauses.append("(" + " OR ".join(parts) + ")")
    if f.statuses:
        clauses.append(f"p.status IN ({','.join('?' for _ in f.statuses)})")
        params.extend(f.statuses)
    if f.needs_vote_of is not None:
        clauses.append("p.status = 'active'")
        if f.needs_vote_of:
            forms = address_forms(f.needs_vote_of)
            marks = ",".join("?" for _ in forms)
            clauses.append(f"NOT EXISTS (SELECT 1 FROM votes v WHERE v.source=p.source AND v.proposal_id=p.id "
                           f"AND v.voter IN ({marks}))")
            params.extend(forms)
    if f.closing_within is not None:
        clauses.append("p.status IN ('deposit','pending','active') AND p.end_ts IS NOT NULL AND p.end_ts <= ?")
        params.append(int(time.time()) + f.closing_within)
    return ("WHERE " + " AND ".join(clauses)) if clauses else ""


_ORDERS = {
    "newest": "p.created_at DESC, p.pk DESC",
    "oldest": "p.created_at ASC, p.pk ASC",
    "closing": "p.end_ts IS NULL, p.end_ts ASC",
}


COUNT_CAP = 1_000
"""Search results are counted up to this many (counting 100k matches costs ~150 ms; 1,000 about 5 ms)."""

# A search drives the query from the full-text index (CROSS JOIN fixes that join order): matches stream
# newest-archived first and LIMIT stops early; SQLite's planner otherwise may probe FTS once per row.
_SEARCH_ORDERS = {"newest": "f.rowid DESC", "oldest": "f.rowid ASC", "closing": _ORDERS["closing"]}


def list_proposals(ar: Archive, f: ProposalFilter) -> list[dict[str, Any]]:
    if f.order not in _ORDERS:
        raise BadInput(f"unknown order {f.order!r} (newest, oldest, closing)")
    params: list[Any] = []
    where = _where(f, params)
    source = "FROM proposals p"
    order = _ORDERS[f.order]
    if f.search:
        source = "FROM proposals_fts f CROSS JOIN proposals p ON p.pk = f.rowid"
        where = "WHERE proposals_fts MATCH ?" + (" AND " + where[6:] if where else "")
        params = [_fts_query(f.search), *params]
        order = _SEARCH_ORDERS[f.order]
    sql = (f"SELECT {', '.join('p.' + c.strip() for c in _LIST_COLS.split(','))} {source} {where} "
           f"ORDER BY {order} LIMIT ? OFFSET ?")
    cur = ar.conn.execute(sql, [*params, f.limit, f.offset])
    return [_row(cur, r) for r in cur.fetchall()]


def count_proposals(ar: Archive, f: ProposalFilter) -> int:
    """Exact count, except for searches: at most COUNT_CAP + 1 (meaning "more than COUNT_CAP")."""
    params: list[Any] = []
    where = _where(f, params)
    if not f.search:
        return int(ar.conn.execute(f"SELECT count(*) FROM proposals p {where}", params).fetchone()[0])
    where = "WHERE proposals_fts MATCH ?" + (" AND " + where[6:] if where else "")
    sql = (f"SELECT count(*) FROM (SELECT 1 FROM proposals_fts f CROSS JOIN proposals p ON p.pk = f.rowid "
           f"{where} LIMIT {COUNT_CAP + 1})")
    return int(ar.conn.execute(sql, [_fts_query(f.search), *params]).fetchone()[0])


def list_and_count(ar: Archive, f: ProposalFilter) -> tuple[list[dict[str, Any]], int]:
    """`list_proposals` and `count_proposals` of one filter. A search in rowid order reads the full-text index
    once (its prefix terms cost ~8 ms to expand on 100k proposals, each time): the ordered keys of the first
    max(COUNT_CAP + 1, offset + limit) matches give both the count and the page."""
    if not f.search or f.order not in ("newest", "oldest"):
        return list_proposals(ar, f), count_proposals(ar, f)
    params: list[Any] = []
    where = _where(f, params)
    where = "WHERE proposals_fts MATCH ?" + (" AND " + where[6:] if where else "")
    keys = [r[0] for r in ar.conn.execute(
        f"SELECT p.pk FROM proposals_fts f CROSS JOIN proposals p ON p.pk = f.rowid {where} "
        f"ORDER BY {_SEARCH_ORDERS[f.order]} LIMIT ?",
        [_fts_query(f.search), *params, max(COUNT_CAP + 1, f.offset + f.limit)])]
    page = keys[f.offset:f.offset + f.limit]
    rows: list[dict[str, Any]] = []
    if page:  # the index's rowid is the proposal's pk: the same order by pk
        cur = ar.conn.execute(f"SELECT {', '.join('p.' + c.strip() for c in _LIST_COLS.split(','))} FROM proposals p "
                              f"WHERE p.pk IN ({','.join('?' for _ in page)}) "
                              f"ORDER BY p.pk {'DESC' if f.order == 'newest' else 'ASC'}", page)
        rows = [_row(cur, r) for r in cur.fetchall()]
    return rows, min(len(keys), COUNT_CAP + 1)


def resolve_proposal(ar: Archive, ref: str, source: str | None = None) -> tuple[str, str]:
    """Find (source, id) from "source:id", a full id, or a unique id prefix (≥ 4 characters)."""
    ref = ref.strip()
    if ":" in ref and source is None:
        source, _, ref = ref.rpartition(":")
    params: list[Any] = [ref]
    sql = "SELECT source, id FROM proposals WHERE id = ?"
    if source:
        sql += " AND (source = ? OR source LIKE ?)"
        params += [source, f"{source}/%"]
    rows = ar.conn.execute(sql, params).fetchall()
    if not rows and len(ref) >= 4:
        like = ref.replace("%", "").replace("_", "") + "%"
        sql2 = "SELECT source, id FROM proposals WHERE id LIKE ?"
        params2: list[Any] = [like]
        if source:
            sql2 += " AND (source = ? OR source LIKE ?)"
            params2 += [source, f"{source}/%"]
        rows = ar.conn.execute(sql2 + " LIMIT 6", params2).fetchall()
    if not rows and 0 < len(ref) < 4:
        raise BadInput(f"no proposal {ref!r}, and as a prefix it is too short / ambiguous (give 4 or more characters)",
                       hint="write the full id or SOURCE:ID, as 'polis proposals list' prints it")
    if not rows:
        raise BadInput(f"no proposal {ref!r} in the archive" + (f" of {source}" if source else "")
                       + "; run 'polis sync' or check 'polis proposals list'")
    if len(rows) > 1:
        options = ", ".join(f"{s}:{i}" for s, i in rows[:5])
        raise BadInput(f"{ref!r} matches several proposals: {options}; write SOURCE:ID")
    return rows[0][0], rows[0][1]


def get_proposal(ar: Archive, source: str, pid: str) -> dict[str, Any]:
    cur = ar.conn.execute("SELECT * FROM proposals WHERE source=? AND id=?", (source, pid))
    row = cur.fetchone()
    if row is None:
        raise BadInput(f"no proposal {source}:{pid} in the archive")
    return _row(cur, row)


def votes(ar: Archive, source: str, pid: str, *, search: str | None = None, limit: int = 100,
          offset: int = 0, order: str = "weight") -> list[dict[str, Any]]:
    params: list[Any] = [source, pid]
    sql = "SELECT voter, choice, weight, reason, block, tx, timestamp FROM votes WHERE source=? AND proposal_id=?"
    if search:
        sql += " AND (lower(voter) LIKE ? OR lower(reason) LIKE ? OR lower(choice) = ?)"
        s = search.lower()
        params += [f"%{s}%", f"%{s}%", s]
    orders = {"weight": "length(weight) DESC, weight DESC", "time": "block ASC, log_index ASC",
              "recent": "block DESC, log_index DESC"}
    if order not in orders:
        raise BadInput(f"unknown order {order!r} ({', '.join(orders)})")
    sql += f" ORDER BY {orders[order]} LIMIT ? OFFSET ?"
    cur = ar.conn.execute(sql, [*params, limit, offset])
    return [_row(cur, r) for r in cur.fetchall()]


def vote_of(ar: Archive, source: str, pid: str, addresses: list[str]) -> dict[str, Any] | None:
    if not addresses:
        return None
    forms = address_forms(addresses)
    marks = ",".join("?" for _ in forms)
    cur = ar.conn.execute(
        f"SELECT voter, choice, weight, reason, block, tx, timestamp FROM votes WHERE source=? AND proposal_id=? "
        f"AND voter IN ({marks}) LIMIT 1", [source, pid, *forms])
    row = cur.fetchone()
    return _row(cur, row) if row else None


def my_votes_map(ar: Archive, keys: list[tuple[str, str]], addresses: list[str]) -> dict[tuple[str, str], str]:
    """(source, id) -> my choice, for the rows of a list."""
    if not keys or not addresses:
        return {}
    forms = address_forms(addresses)
    marks = ",".join("?" for _ in forms)
    out: dict[tuple[str, str], str] = {}
    for source, pid in keys:
        row = ar.conn.execute(f"SELECT choice FROM votes WHERE source=? AND proposal_id=? AND voter IN ({marks}) "
                              "LIMIT 1", [source, pid, *forms]).fetchone()
        if row:
            out[(source, pid)] = row[0]
    return out


def sources(ar: Archive, *, counts: bool = False) -> list[dict[str, Any]]:
    """Every archived source; `counts` adds proposal and vote totals (a scan of the votes: slow on
    millions of votes, so only `polis status` asks for it)."""
    if counts:
        cur = ar.conn.execute(
            "SELECT s.*, (SELECT count(*) FROM proposals p WHERE p.source=s.id) AS proposals, "
            "(SELECT count(*) FROM votes v WHERE v.source=s.id) AS votes FROM sources s ORDER BY s.id")
    else:
        cur = ar.conn.execute("SELECT * FROM sources ORDER BY id")
    return [_row(cur, r) for r in cur.fetchall()]


def source(ar: Archive, source_id: str) -> dict[str, Any] | None:
    cur = ar.conn.execute("SELECT * FROM sources WHERE id=?", (source_id,))
    row = cur.fetchone()
    return _row(cur, row) if row else None


def oldest_sync(ar: Archive, source_ids: list[str] | None = None) -> int | None:
    """The oldest last-sync time among the given sources (None when never synced)."""
    sql = "SELECT min(synced_at), count(*), count(synced_at) FROM sources"
    params: list[Any] = []
    if source_ids:
        sql += f" WHERE id IN ({','.join('?' for _ in source_ids)})"
        params = list(source_ids)
    low, n, synced = ar.conn.execute(sql, params).fetchone()
    if n == 0 or synced < n:
        return None
    return int(low) if low is not None else None


def current_delegate(ar: Archive, source: str, delegator: str) -> str | None:
    row = ar.conn.execute(
        "SELECT to_delegate FROM delegation_events WHERE source=? AND lower(delegator)=? "
        "ORDER BY block DESC, log_index DESC LIMIT 1", (source, delegator.lower())).fetchone()
    return row[0] if row else None


def current_power(ar: Archive, source: str, delegate: str) -> int | None:
    row = ar.conn.execute(
        "SELECT votes FROM power_events WHERE source=? AND lower(delegate)=? "
        "ORDER BY block DESC, log_index DESC LIMIT 1", (source, delegate.lower())).fetchone()
    return int(row[0]) if row else None


def delegators_of(ar: Archive, source: str, delegate: str) -> list[str]:
    cur = ar.conn.execute(
        "SELECT delegator FROM (SELECT delegator, to_delegate, max(block * 100000 + log_index) FROM delegation_events "
        "WHERE source=? GROUP BY delegator) WHERE lower(to_delegate)=?", (source, delegate.lower()))
    return [r[0] for r in cur.fetchall()]


def journal(ar: Archive, *, limit: int = 50, states: list[str] | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM journal"
    params: list[Any] = []
    if states:
        sql += f" WHERE state IN ({','.join('?' for _ in states)})"
        params = list(states)
    cur = ar.conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
    rows = [_row(cur, r) for r in cur.fetchall()]
    for row in rows:  # the signed bytes kept to re-send them are not shown
        row.pop("raw", None)
    return rows


def block_hashes(ar: Archive, source: str) -> dict[int, str]:
    return dict(ar.conn.execute("SELECT number, hash FROM block_hashes WHERE source=?", (source,)).fetchall())


def stakes(ar: Archive, addresses: list[str], source: str | None = None) -> list[dict[str, Any]]:
    """Archived stake positions of these addresses (amounts as decimal strings)."""
    if not addresses:
        return []
    marks = ",".join("?" for _ in addresses)
    sql = f"SELECT * FROM stakes WHERE address IN ({marks})"
    params: list[Any] = list(addresses)
    if source:
        sql += " AND (source = ? OR source LIKE ?)"
        params += [source, f"{source}/%"]
    cur = ar.conn.execute(sql + " ORDER BY source, target, subtarget", params)
    return [_row(cur, r) for r in cur.fetchall()]


def stake_targets(ar: Archive, source: str) -> list[dict[str, Any]]:
    cur = ar.conn.execute("SELECT * FROM stake_targets WHERE source=? ORDER BY length(power) DESC, power DESC, id",
                          (source,))
    return [_row(cur, r) for r in cur.fetchall()]


def balances(ar: Archive, addresses: list[str]) -> list[dict[str, Any]]:
    if not addresses:
        return []
    cur = ar.conn.execute(f"SELECT * FROM balances WHERE address IN ({','.join('?' for _ in addresses)})",
                          list(addresses))
    return [_row(cur, r) for r in cur.fetchall()]
