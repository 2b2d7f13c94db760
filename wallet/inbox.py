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


def until(ts: int | None, now: float) -> str:
    if ts is None:
        return "-"
    d = int(ts - now)
    if d <= 0:
        return "closed"
    for unit, secs in (("d", 86400), ("h", 3600), ("m", 60)):
        if d >= secs:
            return f"in {d // secs}{unit}"
    return f"in {d}s"


def ago(ts: int | None, now: float) -> str:
    if ts is None:
        return "never"
    d = int(now - ts)
    if d < 5:
        return "just now"
    for unit, secs in (("d", 86400), ("h", 3600), ("m", 60)):
        if d >= secs:
            return f"{d // secs}{unit} ago"
    return f"{d}s ago"


def my_addresses() -> list[str]:
    """Every address of every vault account (watch-only included: their votes count as mine), Cosmos
    ones under every configured chain prefix (votes are archived as akash1…, fetch1…). The same rule
    as the CLI's, from the one place that defines it."""
    from wallet.cli.common import my_addresses as vault_addresses
    from wallet.errors import PolisError

    try:
        return vault_addresses()
    except PolisError:
        return []


def fetch_page(q: InboxQuery, *, offset: int, limit: int, addresses: list[str], count: bool,
               now: float | None = None) -> InboxPage:
    from wallet.cache import open_archive, query

    now = time.time() if now is None else now
    with open_archive(readonly=True) as ar:
        f = q.to_filter(addresses, limit=limit, offset=offset)
        raw = query.list_proposals(ar, f)
        total = query.count_proposals(ar, f) if count else None
        mine = query.my_votes_map(ar, [(r["source"], r["id"]) for r in raw], addresses)
    rows = []
    for r in raw:
        is_open = r["status"] in ("deposit", "pending", "active")
        vote = mine.get((r["source"], r["id"]))
        rows.append(InboxRow(
            source=r["source"], id=r["id"], title=clean(r["title"], limit=200) or "(untitled)",
            status=r["status"], closes=until(r["end_ts"], now) if is_open else "-",
            my_vote=clean(vote, limit=12) if vote else ("—" if r["status"] == "active" else ""),
            leader=leader(r["tally"])))
    return InboxPage(rows=rows, offset=offset, total=total)


def archive_state() -> ArchiveState:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        srcs = [r[0] for r in ar.conn.execute("SELECT id FROM sources ORDER BY id").fetchall()]
        n = int(ar.conn.execute("SELECT count(*) FROM proposals").fetchone()[0])
        return ArchiveState(synced_at=query.oldest_sync(ar), sources=srcs, proposals=n)


# --- one proposal ------------------------------------------------------------------------------

@dataclass
class TallyLine:
    choice: str
    weight: int
    amount: str
    """Formatted with the token symbol."""
    permille: int
    """Share of all votes, in tenths of a percent (integers, never floats)."""


@dataclass
class ProposalView:
    source: str
    id: str
    title: str
    status: str
    native_status: str
    proposer: str
    body: str
    """Cleaned multi-line markdown."""
    timeline: list[tuple[str, str]]
    tally: list[TallyLine]
    total_weight: int
    quorum: int | None
    quorum_text: str
    counted_for_quorum: int
    threshold_text: str
    actions: list[str]
    votes: list[dict[str, str]]
    vote_count: int
    my_vote: str
    symbol: str
    decimals: int
    choices: list[tuple[str, str]]
    """(key, label) the archive recorded for this proposal."""
    is_active: bool
    vote_type: str = ""
    """Snapshot's vote type (single-choice, approval, ranked-choice, weighted, …); empty elsewhere."""

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"


def when(ts: int | None) -> str:
    if ts is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def proposal_view(source: str, pid: str, *, addresses: list[str] | None = None,
                  now: float | None = None) -> ProposalView:
    from wallet.cache import open_archive, query
    from wallet.units import Denom, format_amount

    now = time.time() if now is None else now
    addresses = my_addresses() if addresses is None else addresses
    with open_archive(readonly=True) as ar:
        p = query.get_proposal(ar, source, pid)
        src = query.source(ar, source) or {}
        mine = query.vote_of(ar, source, pid, addresses)
        votes = query.votes(ar, source, pid, limit=200)
    extra = src.get("extra") or {}
    denom = Denom(str(extra.get("symbol") or "votes"), "base", int(extra.get("decimals", 18)))

    def amt(v: int) -> str:
        return format_amount(v, denom, max_decimals=2)

    timeline = [("created", when(p["created_at"]) + (f" (block {p['created_block']})" if p.get("created_block") else ""))]
    est = " (estimated)" if p["clock"] == "blocknumber" and p["end_ts"] and p["end_ts"] > now else ""
    timeline.append(("voting opens", when(p["start_ts"])))
    timeline.append(("voting closes", when(p["end_ts"]) + est
                     + (f" · {until(p['end_ts'], now)}" if p["status"] in ("pending", "active") else "")))
    if p.get("queued_eta"):
        timeline.append(("queued", f"executable after {when(p['queued_eta'])}"))
    if p.get("executed_at") or p["status"] == "executed":
        timeline.append(("executed", when(p.get("executed_at"))))
    if p.get("canceled_at") or p["status"] == "canceled":
        timeline.append(("canceled", when(p.get("canceled_at"))))
    total = sum(int(t["weight"]) for t in p["tally"])
    tally = [TallyLine(choice=clean(t["choice"], limit=24), weight=int(t["weight"]), amount=amt(int(t["weight"])),
                       permille=(int(t["weight"]) * 1000 // total) if total else 0) for t in p["tally"]]
    quorum = int(p["quorum"]) if p.get("quorum") not in (None, "") else None
    # Governors count for + abstain towards quorum; Cosmos and Snapshot count every option.
    counted = sum(int(t["weight"]) for t in p["tally"]
                  if src.get("family") in ("snapshot", "cosmos") or t["choice"] in ("for", "abstain", "yes"))
    if quorum is None:
        qtext = "quorum: not recorded"
    elif counted >= quorum:
        qtext = f"quorum {amt(quorum)}: reached ({amt(counted)} counted)"
    else:
        qtext = f"quorum {amt(quorum)}: not reached ({amt(quorum - counted)} short)"
    labels = {t["choice"] for t in p["tally"]}
    threshold = ("threshold: more FOR than AGAINST" if {"for", "against"} & labels or not labels
                 else "threshold: the protocol's own rule (see the network)")
    if mine:
        my = f"{mine['voter']} voted {clean(mine['choice']).upper()} with {amt(int(mine['weight']))}"
        if mine.get("reason"):
            my += f" — {clean(mine['reason'], limit=200)}"
    else:
        my = "not voted" + (" (voting is open)" if p["status"] == "active" else "")
    return ProposalView(
        source=source, id=pid, title=clean(p["title"], limit=300) or "(untitled)", status=p["status"],
        native_status=clean(p["native_status"], limit=40), proposer=clean(p["proposer"], limit=80),
        body=clean(p["body"], multiline=True), timeline=timeline, tally=tally, total_weight=total,
        quorum=quorum, quorum_text=qtext, counted_for_quorum=counted, threshold_text=threshold,
        actions=[clean(a.get("summary") or a.get("target", ""), limit=300) for a in p["actions"]],
        votes=[{"voter": clean(v["voter"], limit=66), "choice": clean(v["choice"], limit=16),
                "weight": amt(int(v["weight"])), "reason": clean(v["reason"], limit=300)} for v in votes],
        vote_count=int(p["vote_count"]), my_vote=my, symbol=denom.symbol, decimals=denom.decimals,
        choices=[(str(c["key"]), clean(c["label"], limit=40)) for c in p["choices"]],
        is_active=p["status"] == "active",
        vote_type=str((p.get("extra") or {}).get("type") or "") if src.get("family") == "snapshot" else "")


def search_votes(source: str, pid: str, text: str, limit: int = 200) -> list[dict[str, str]]:
    from wallet.cache import open_archive, query
    from wallet.units import Denom, format_amount

    with open_archive(readonly=True) as ar:
        src = query.source(ar, source) or {}
        rows = query.votes(ar, source, pid, search=text.strip() or None, limit=limit)
    extra = src.get("extra") or {}
    denom = Denom(str(extra.get("symbol") or "votes"), "base", int(extra.get("decimals", 18)))
    return [{"voter": clean(v["voter"], limit=66), "choice": clean(v["choice"], limit=16),
             "weight": format_amount(int(v["weight"]), denom, max_decimals=2),
             "reason": clean(v["reason"], limit=300)} for v in rows]
