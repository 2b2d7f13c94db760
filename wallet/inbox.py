"""The inbox and proposal views as plain data, for the TUI (and any other front end).

Every function here reads the archive only (no network) and returns display-ready rows: stranger
text passed through `textsafe.clean`, amounts formatted from base units, relative times computed
against an injectable `now` (the snapshot tests fix the clock). A page is `limit` rows: the inbox
never materialises 100k rows, it asks for the next page when the cursor nears the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wallet.textsafe import clean

Clock = Callable[[], float]

ORDERS = ("newest", "oldest", "closing")
STATUS_FILTERS = ("all", "open", "active", "pending", "closed", "passed", "rejected", "executed", "canceled")


@dataclass
class InboxQuery:
    """What the inbox shows: every field is one filter control of the screen."""

    network: str = ""
    """A source ("devnet/polis") or a whole network ("devnet"); empty for everything."""
    status: str = "all"
    """"all", "open", "closed" or one common status."""
    needs_my_vote: bool = False
    """Active proposals none of my vault addresses has voted on."""
    closing_soon: bool = False
    """Open proposals that end within `closing_soon_hours`."""
    closing_soon_hours: int = 72
    search: str = ""
    """Words for the archive's full-text index (titles and bodies)."""
    order: str = "newest"
    """newest | oldest | closing"""

    def to_filter(self, addresses: list[str], *, limit: int, offset: int) -> Any:
        from wallet import status as st
        from wallet.cache.query import ProposalFilter

        statuses = [] if self.status in ("", "all") else st.expand([self.status])
        return ProposalFilter(
            sources=[self.network] if self.network else [], statuses=statuses,
            search=self.search.strip() or None,
            needs_vote_of=addresses if self.needs_my_vote else None,
            closing_within=self.closing_soon_hours * 3600 if self.closing_soon else None,
            limit=limit, offset=offset, order=self.order)


@dataclass
class InboxRow:
    source: str
    id: str
    title: str
    """Cleaned, single line."""
    status: str
    closes: str
    """"in 2d", "closed", "-"."""
    my_vote: str
    """My choice, "—" when open and not voted, "" otherwise."""
    leader: str
    """"for 62%" or "-"."""
    accepts_votes: bool = False
    """The archive says voting is open now (`wallet.services.proposal_state`)."""

    @property
    def key(self) -> str:
        return f"{self.source}|{self.id}"


@dataclass
class InboxPage:
    rows: list[InboxRow]
    offset: int
    total: int | None
    """Matching rows (counted only for the first page of a query)."""


@dataclass
class ArchiveState:
    synced_at: int | None
    """Oldest last sync among followed sources (None: never synced)."""
    sources: list[str] = field(default_factory=list)
    proposals: int = 0


def leader(tally: list[dict[str, Any]]) -> str:
    total = sum(int(t["weight"]) for t in tally)
    if not tally or total == 0:
        return "-"
    best = max(tally, key=lambda t: int(t["weight"]))
    return f"{clean(best['choice'], limit=10)} {int(best['weight']) * 100 // total}%"


def my_addresses() -> list[str]:
    """Every address of every vault account (watch-only included: their votes count as mine), Cosmos
    ones under every configured chain prefix (votes are archived as akash1…, fetch1…)."""
    from wallet.errors import PolisError
    from wallet.services.addresses import my_addresses as vault_addresses

    try:
        return vault_addresses()
    except PolisError:
        return []


def fetch_page(q: InboxQuery, *, offset: int, limit: int, addresses: list[str], count: bool,
               now: float | None = None) -> InboxPage:
    from wallet.cache import open_archive, query
    from wallet.services.proposal_state import state_of

    now = time.time() if now is None else now
    with open_archive(readonly=True) as ar:
        f = q.to_filter(addresses, limit=limit, offset=offset)
        raw = query.list_proposals(ar, f)
        total = query.count_proposals(ar, f) if count else None
        mine = query.my_votes_map(ar, [(r["source"], r["id"]) for r in raw], addresses)
        synced = dict(ar.conn.execute("SELECT id, synced_at FROM sources").fetchall()) if raw else {}
    rows = []
    for r in raw:
        is_open = r["status"] in ("deposit", "pending", "active")
        vote = mine.get((r["source"], r["id"]))
        st = state_of(r["status"], start_ts=r["start_ts"], end_ts=r["end_ts"], synced_at=synced.get(r["source"]),
                      now=now)
        rows.append(InboxRow(
            source=r["source"], id=r["id"], title=clean(r["title"], limit=200) or "(untitled)",
            status=st.short, closes=until(r["end_ts"], now) if is_open else "-",
            my_vote=clean(vote, limit=12) if vote else ("—" if st.accepts_votes else ""),
            leader=leader(r["tally"]), accepts_votes=st.accepts_votes))
    return InboxPage(rows=rows, offset=offset, total=total)


def archive_state() -> ArchiveState:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        srcs = [r[0] for r in ar.conn.execute("SELECT id FROM sources ORDER BY id").fetchall()]
        n = int(ar.conn.execute("SELECT count(*) FROM proposals").fetchone()[0])
        return ArchiveState(synced_at=query.oldest_sync(ar), sources=srcs, proposals=n)


# --- one proposal: the detail view lives in wallet.services.proposals (the CLI shows the same) ----

from wallet.services.proposals import ProposalView, TallyLine, proposal_view, search_votes  # noqa: E402
from wallet.services.timefmt import ago, until, when  # noqa: E402

__all__ = ["ORDERS", "STATUS_FILTERS", "InboxQuery", "InboxRow", "InboxPage", "ArchiveState", "leader", "my_addresses",
           "fetch_page", "archive_state", "ProposalView", "TallyLine", "proposal_view", "search_votes", "ago", "until",
           "when"]
