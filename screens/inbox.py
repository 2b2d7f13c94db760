"""The inbox: proposals of every followed network/DAO in one table, filtered, searched, sorted,
loaded a page at a time (the next page is asked for when the cursor nears the end), so 100,000
archived proposals paint as fast as 100."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input

from screens.steady import SteadyHeader, SteadyResize
from screens.widgets.archive_bar import StatusArea
from screens.widgets.fit_table import Col, FitTable
from screens.widgets.footer import KeyFooter
from wallet.inbox import ORDERS, STATUS_FILTERS, InboxPage, InboxQuery, InboxRow

COLUMNS = (Col("network", "Network", 7, 24), Col("title", "Title", 16, 400, slack=True),
           Col("status", "Status", 6, 14), Col("closes", "Closes", 6, 8), Col("mine", "Mine", 4, 12),
           Col("leader", "Leader", 6, 16))
"""Fixed columns as wide as their content needs; the title takes the rest of the terminal's width."""
PREFETCH = 25
"""Rows before the end of what is loaded at which the next page is requested."""
IDLE_BEFORE_FREEZE = 0.5
"""Seconds without a key on the inbox before the one garbage collection of `screens.steady.freeze_heap`
(~60-85 ms of the main thread, so never while the user is moving through the rows)."""


def _cells(r: InboxRow) -> list[Text]:
    return [Text(r.source), Text(r.title), Text(r.status), Text(r.closes), Text(r.my_vote), Text(r.leader)]


class InboxScreen(SteadyResize, Screen[None]):
    """Home screen. Filters are buttons (mouse) and keys (keyboard); `query` holds them all."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("/", "search", "Search", id="inbox.search", tooltip="full-text search of titles and descriptions"),
        Binding("n", "toggle_needs", "Needs vote", id="inbox.needs_vote",
                tooltip="only active proposals none of your accounts has voted on"),
        # Closing and Sort are buttons of the filter bar too, so the footer leaves them out: at 120 columns
        # it then has room for every screen key and "q Quit".
        Binding("c", "toggle_closing", "Closing", id="inbox.closing", show=False,
                tooltip="only open proposals closing soon"),
        Binding("f", "cycle_status", "Status", id="inbox.status", tooltip="cycle the status filter"),
        Binding("N", "cycle_network", "Network", id="inbox.network", show=False,
                tooltip="cycle the network / DAO filter"),
        Binding("o", "cycle_order", "Sort", id="inbox.sort", show=False, tooltip="sort: newest, oldest, closing first"),
        Binding("v", "vote", "Vote", id="inbox.vote", tooltip="vote on the highlighted proposal"),
        Binding("enter", "open", "Open", id="inbox.open", show=False,
                tooltip="open the highlighted proposal: overview, description, votes"),
        Binding("y", "copy_id", "Copy id", id="inbox.copy_id", show=False,
                tooltip="copy the highlighted proposal's full id (SOURCE:ID) to the clipboard"),
        Binding("x", "clear", "Clear", id="inbox.clear", show=False, tooltip="clear every filter and the search"),
    ]

    query_state: reactive[InboxQuery] = reactive(InboxQuery, always_update=True, init=False)
    """The filters, search and sort; any change reloads the first page."""

    class PageLoaded(Message):
        def __init__(self, page: InboxPage, generation: int) -> None:
            super().__init__()
            self.page = page
            self.generation = generation

    class LoadFailed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self._generation = 0
        self._loaded = 0
        self._total: int | None = None
        self._loading_more = False
        self._networks: list[str] = []
        self._addresses: list[str] | None = None
        self._rows: dict[str, InboxRow] = {}
        """Loaded rows by table key (what `v` and `y` act on)."""
        self._warmed = False
        self._last_input = 0.0
        """time.monotonic() of the last key seen here."""

    def compose(self) -> ComposeResult:
        yield SteadyHeader()
        with Horizontal(classes="filters"):
            yield Button("", id="flt-network")
            yield Button("", id="flt-status")
            yield Button("", id="flt-needs")
            yield Button("", id="flt-closing")
            yield Button("", id="flt-order")
            yield Button(Text("/search"), id="flt-search")
        yield Input(placeholder="search words (Enter to apply, Esc to close)", id="search")
        yield FitTable(COLUMNS, id="inbox", cursor_type="row", zebra_stripes=True)
        yield StatusArea()
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        settings = getattr(self.app, "settings", None)
        q = InboxQuery()
        if settings is not None:
            q.closing_soon_hours = settings.tui.closing_soon_hours
        self.query_state = q
        table.focus()

    @property
    def page_size(self) -> int:
        settings = getattr(self.app, "settings", None)
        return settings.tui.page_size if settings is not None else 100

    # --- loading ---------------------------------------------------------------------------------
    def watch_query_state(self, q: InboxQuery) -> None:
        self._render_filters(q)
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        self._loading_more = False
        self.sub_title = "loading…"
        self._load(self.query_state, 0, self._generation, count=True)

    @work(thread=True, exclusive=True, group="inbox", exit_on_error=False)
    def _load(self, q: InboxQuery, offset: int, generation: int, count: bool) -> None:
        from wallet.errors import PolisError
        from wallet.inbox import fetch_page, my_addresses

        try:
            if self._addresses is None:
                self._addresses = my_addresses()
            if count and not self._networks:
                from wallet.inbox import archive_state

                self._networks = archive_state().sources
            page = fetch_page(q, offset=offset, limit=self.page_size, addresses=self._addresses, count=count,
                              now=self.app.now())  # type: ignore[attr-defined]
        except PolisError as exc:
            self.post_message(self.LoadFailed(str(exc)))
            return
        self.post_message(self.PageLoaded(page, generation))

    def on_inbox_screen_page_loaded(self, msg: PageLoaded) -> None:
        if msg.generation != self._generation:
            return  # a newer query replaced this one
        table = self.query_one(FitTable)
        if msg.page.offset == 0:
            table.clear()
            self._rows = {}
            self._loaded = 0
            self._total = msg.page.total
        cells = []
        for r in msg.page.rows:
            if r.key not in table.rows:
                cells.append(_cells(r))
                table.add_row(*cells[-1], key=r.key)
                self._rows[r.key] = r
        table.observe(cells)
        self._loaded += len(msg.page.rows)
        self._loading_more = False
        self._update_count()
        if msg.page.offset == 0 and msg.page.rows and not self._warmed:
            self._warmed = True
            first = msg.page.rows[0]
            self.set_timer(0.1, lambda: self._warm(first.source, first.id))

    @work(thread=True, group="warm", exit_on_error=False)
    def _warm(self, source: str, pid: str) -> None:
        """After the first page is on screen: load one proposal view off the main thread, so that even the
        first Enter finds the imports done (see `screens.proposal.warm_up`)."""
        from screens.proposal import warm_up

        if warm_up(source, pid, self.app.now()):  # type: ignore[attr-defined]
            self.app.call_from_thread(self._freeze_when_idle)

    def _freeze_when_idle(self) -> None:
        """Once nothing was pressed on the inbox for IDLE_BEFORE_FREEZE seconds (and no dialog is over it),
        collect once and leave start-up's objects out of later collections (`screens.steady.freeze_heap`)."""
        wait = IDLE_BEFORE_FREEZE - (time.monotonic() - self._last_input)
        if not self.is_active:  # a dialog or another screen is on top: the user is busy there, not idle here
            wait = max(wait, IDLE_BEFORE_FREEZE)
        if wait > 0:
            self.set_timer(wait, self._freeze_when_idle)
            return
        from screens.steady import freeze_heap

        freeze_heap()

    def on_inbox_screen_load_failed(self, msg: LoadFailed) -> None:
        self._loading_more = False
        self.sub_title = "archive unreadable"
        self.notify(msg.text, title="Inbox", severity="error")

    def _update_count(self) -> None:
        total = self._total if self._total is not None else self._loaded
        if total:
            self.sub_title = f"{self._loaded:,} of {total:,} proposals"
            return
        hiding = self.hiding_filters()
        archived = getattr(self.app, "_archive", (None, 0, []))[1]
        if hiding:
            self.sub_title = (f"no proposals match {' + '.join(hiding)}"
                              + (f" ({archived:,} archived)" if archived else "") + ": x clears the filters")
        else:
            self.sub_title = "no proposals yet: add a DAO on Networks (4), then sync (S)"

    def hiding_filters(self) -> list[str]:
        """The filters in effect, in the words of their buttons (what an empty inbox blames)."""
        q = self.query_state
        out = []
        if q.network:
            out.append(f"network {q.network}")
        if q.status not in ("", "all"):
            out.append(f"status {q.status}")
        if q.needs_my_vote:
            out.append("needs my vote")
        if q.closing_soon:
            out.append(f"closing within {q.closing_soon_hours}h")
        if q.search:
            out.append(f"search {q.search!r}")
        return out

    @on(DataTable.RowHighlighted)
    def _maybe_more(self, event: DataTable.RowHighlighted) -> None:
        total = self._total or 0
        if self._loading_more or self._loaded >= total:
            return
        if event.cursor_row >= self._loaded - PREFETCH:
            self._loading_more = True
            self._load(self.query_state, self._loaded, self._generation, count=False)

    # --- filters ---------------------------------------------------------------------------------
    def _render_filters(self, q: InboxQuery) -> None:
        def mark(on_: bool) -> str:
            return "[x]" if on_ else "[ ]"

        self.query_one("#flt-network", Button).label = Text(f"net:{q.network or 'all'}")
        self.query_one("#flt-status", Button).label = Text(f"status:{q.status}")
        self.query_one("#flt-needs", Button).label = Text(f"{mark(q.needs_my_vote)}needs vote")
        self.query_one("#flt-closing", Button).label = Text(f"{mark(q.closing_soon)}closing")
        self.query_one("#flt-order", Button).label = Text(f"sort:{q.order}")
        self.query_one("#flt-search", Button).label = Text(f"/{q.search[:10]}" if q.search else "/search")
        self.query_one("#flt-needs").set_class(q.needs_my_vote, "-on")
        self.query_one("#flt-closing").set_class(q.closing_soon, "-on")
        self.query_one("#flt-search").set_class(bool(q.search), "-on")
        for b in self.query(".filters Button"):
            b.refresh(layout=True)  # labels change width

    def _change(self, **kw: Any) -> None:
        from dataclasses import replace

        self.query_state = replace(self.query_state, **kw)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"flt-network": self.action_cycle_network, "flt-status": self.action_cycle_status,
                   "flt-needs": self.action_toggle_needs, "flt-closing": self.action_toggle_closing,
                   "flt-order": self.action_cycle_order, "flt-search": self.action_search}
        if event.button.id in actions:
            event.stop()
            actions[event.button.id]()

    def action_toggle_needs(self) -> None:
        self._change(needs_my_vote=not self.query_state.needs_my_vote)

    def action_toggle_closing(self) -> None:
        self._change(closing_soon=not self.query_state.closing_soon)

    def action_cycle_status(self) -> None:
        i = STATUS_FILTERS.index(self.query_state.status) if self.query_state.status in STATUS_FILTERS else 0
        self._change(status=STATUS_FILTERS[(i + 1) % len(STATUS_FILTERS)])

    def action_cycle_order(self) -> None:
        i = ORDERS.index(self.query_state.order)
        self._change(order=ORDERS[(i + 1) % len(ORDERS)])

    def action_cycle_network(self) -> None:
        nets = sorted({s.split("/")[0] for s in self._networks})
        options = [""] + [n for n in nets if any(s.startswith(n + "/") for s in self._networks)] + self._networks
        options = list(dict.fromkeys(options))
        cur = self.query_state.network
        i = options.index(cur) if cur in options else 0
        self._change(network=options[(i + 1) % len(options)])

    def set_filters(self, **kw: object) -> None:
        """Set several filters at once (command palette, tests)."""
        self._change(**kw)

    def action_clear(self) -> None:
        self.query_state = InboxQuery(closing_soon_hours=self.query_state.closing_soon_hours)

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.value = self.query_state.search
        box.add_class("-shown")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.stop()
        words = event.value.strip()
        if words:
            import re

            if not re.findall(r"\w+", words):
                self.notify("the search has no words", severity="warning")
                return
        event.input.remove_class("-shown")
        self._change(search=words)
        self.query_one(DataTable).focus()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        self._last_input = time.monotonic()
        box = self.query_one("#search", Input)
        if event.key == "escape" and box.has_class("-shown"):
            event.stop()
            box.remove_class("-shown")
            self.query_one(DataTable).focus()

    # --- opening ---------------------------------------------------------------------------------
    def _highlighted(self) -> tuple[str, str] | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        source, _, pid = str(key).partition("|")
        return source, pid

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        source, _, pid = str(event.row_key.value).partition("|")
        self._open(source, pid)

    def _open(self, source: str, pid: str) -> None:
        from screens.proposal import proposal_screen

        self.app.push_screen(proposal_screen(self.app, source, pid))

    def action_open(self) -> None:
        hit = self._highlighted()
        if hit:
            self._open(*hit)

    def action_vote(self) -> None:
        """Vote on the highlighted row; the app refuses (and says why) where the archive says voting is shut."""
        hit = self._highlighted()
        if hit:
            self.app.open_vote(*hit)  # type: ignore[attr-defined]

    def action_copy_id(self) -> None:
        hit = self._highlighted()
        if hit:
            self.app.copy_to_clipboard(f"{hit[0]}:{hit[1]}")
            self.notify(f"copied {hit[0]}:{hit[1]}", title="Proposal id", timeout=4)

    def on_archive_changed(self) -> None:
        """Called by the app after a sync or an action changed the archive."""
        self._networks = []
        self._addresses = None
        self.reload()
