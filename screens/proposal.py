"""One proposal from the archive: overview (timeline, tally bars with quorum and threshold, my vote and
voting power, decoded actions), the description as Markdown, and the searchable votes table.

Opening must feel instant (≤ 100 ms with 100k archived proposals, see bench/tui_bench.py), so the screen
composes only the overview; the Description pane (Markdown parsing) and the Votes pane (an Input and a
DataTable) are mounted the first time their tab is shown. The first open of a session reads the archive in
a worker (its imports take ~150 ms) and fills the overview in when it answers; later opens read it (a few
ms) before the first layout, so the screen is laid out and drawn once. The growth plot, voters' names and
the stored simulation always come from workers.

The app keeps one ProposalScreen installed (`proposal_screen`): each open points it at the next proposal
and pushes it again, so no widget is composed, mounted or styled per open, only the overview's texts change
(panes shown before are brought up to date when next shown). Workers' answers carry the proposal they
were asked for; an answer about another is dropped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Static, TabbedContent, TabPane

from screens.proposal_sim import Answer, SimulationPane
from screens.steady import SteadyHeader, SteadyResize
from screens.widgets.archive_bar import StatusArea
from screens.widgets.fit_table import Col, FitTable
from screens.widgets.footer import KeyFooter
from screens.widgets.tally import TallyBars, TallyGrowth, titled
from wallet.inbox import ProposalView

VOTE_COLUMNS = (Col("voter", "Voter", 12, 66), Col("choice", "Choice", 6, 16), Col("weight", "Weight", 8, 28),
                Col("reason", "Reason", 12, 600, slack=True))


ACTIONS_TITLE = "Actions (what it executes)"


_WARM = False
"""True once a view has loaded in this process: later opens read the archive before the first layout."""


INSTALLED = "polis-proposal"
"""The name the reused ProposalScreen is installed under."""


def proposal_screen(app: Any, source: str, pid: str) -> ProposalScreen:
    """The screen to push to show `source`:`pid`: the app's installed ProposalScreen pointed at it; when
    there is none yet, a new one installed for the next opens; when it is busy (on a screen stack, still
    composing, or running a simulation), a new one of its own."""
    try:
        screen = app.get_screen(INSTALLED)
    except KeyError:
        screen = None
    if isinstance(screen, ProposalScreen):
        if screen.retarget(source, pid):
            return screen
        return ProposalScreen(source, pid)  # the installed one stays for the next open
    screen = ProposalScreen(source, pid)
    app.install_screen(screen, INSTALLED)
    return screen


def warm_up(source: str, pid: str, now: float) -> bool:
    """Load one view off the main thread (the inbox does this after its first page), so that even the
    first open reads the archive before its first layout instead of waiting for the imports. False when
    the archive could not give it."""
    global _WARM
    from wallet.errors import PolisError
    from wallet.inbox import proposal_view

    try:
        proposal_view(source, pid, now=now)
    except PolisError:
        return False
    _WARM = True
    return True


class ProposalScreen(SteadyResize, SimulationPane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="proposal.back", tooltip="back to the inbox"),
        Binding("v", "vote", "Vote", id="proposal.vote", tooltip="vote on this proposal (plan, review, sign)"),
        Binding("/", "search_votes", "Find vote", id="proposal.search_votes", tooltip="search voters and reasons"),
        Binding("p", "power", "My power", id="proposal.power", tooltip="ask the node for my voting power"),
        Binding("y", "copy_id", "Copy id", id="proposal.copy_id",
                tooltip="copy the full id (SOURCE:ID) to the clipboard"),
        Binding("s", "simulate", "Simulate", id="proposal.simulate",
                tooltip="run its actions on a local anvil fork: reverts, balance changes, settings (never signs)"),
    ]

    class Growth(Answer):
        def __init__(self, key: str, history: Any) -> None:
            super().__init__(key)
            self.history = history

    class Loaded(Answer):
        def __init__(self, key: str, view: ProposalView) -> None:
            super().__init__(key)
            self.view = view

    class VotesFound(Answer):
        def __init__(self, key: str, rows: list[dict[str, str]]) -> None:
            super().__init__(key)
            self.rows = rows

    class Power(Answer):
        def __init__(self, key: str, text: str) -> None:
            super().__init__(key)
            self.text = text

    class Failed(Answer):
        def __init__(self, key: str, text: str) -> None:
            super().__init__(key)
            self.text = text

    def __init__(self, source: str, pid: str) -> None:
        super().__init__()
        self.source = source
        self.pid = pid
        self.view: ProposalView | None = None
        """The archive's data, once the loading worker has answered."""
        self._votes_rows: list[dict[str, str]] | None = None
        """Rows for the votes table (the view's, or a search's) until the Votes pane is mounted."""
        self._raw_votes: list[dict[str, str]] = []
        self._names: dict[str, str] = {}
        """ENS names of voters (lower-case address → name), from the archive, then the node."""
        self._sim_report: dict[str, Any] | None = None
        self._sim_progress: list[str] = []
        self._sim_running = False
        self._votes_stale = False
        """The mounted votes table shows another proposal's rows (filled when its pane is shown)."""
        self._description_of = ""
        """The proposal (SOURCE:ID) the mounted Description pane shows."""
        self._built = False
        """Composed and mounted."""

    def retarget(self, source: str, pid: str) -> bool:
        """Point this screen, mounted and off every screen stack, at another proposal, as a new screen
        would show it: the overview with its data (read now once warm), the Overview tab active and
        scrolled to the top, nothing focused; the other panes are refreshed when next shown. False (nothing
        changed) when it is not free: on a screen stack, not mounted yet, running a simulation, or before
        the first view has loaded (a new screen then shows "loading…" alone)."""
        stacks = getattr(self.app, "_screen_stacks", None)  # another Textual: a new screen per open
        if (stacks is None or not self._built or self._sim_running or not _WARM
                or any(self in stack for stack in stacks.values())):
            return False
        self.source, self.pid = source, pid
        self.view = None
        self._description_of = ""
        self._votes_rows = None
        self._raw_votes = []
        self._names = {}
        self._sim_report = None
        self._sim_progress = []
        if self.focused is not None and self.focused is not self._first_focus():
            self.set_focus(None)  # the push focuses what a new screen would (a focus change restyles)
        tabs = self.query_one(TabbedContent)
        if tabs.active != "tab-overview":
            tabs.active = "tab-overview"
        overview = self.query_one("#overview", VerticalScroll)
        if overview.scroll_offset != (0, 0):
            overview.scroll_home(animate=False, immediate=True)
        for box in self.query("#votes-search").results(Input):
            box.value = ""
        self._show_simulation()
        self._open()
        return True

    def _first_focus(self) -> Any:
        """The widget Textual's auto-focus gives a new screen of this kind (the tab bar)."""
        auto = self.app.AUTO_FOCUS if self.AUTO_FOCUS is None else self.AUTO_FOCUS
        return next((w for w in self.query(auto) if w.focusable), None) if auto else None

    def _open(self) -> None:
        """Fill the overview for the current proposal: read now once warm, else from a worker."""
        if _WARM:
            # Once the first view has loaded (imports done), reading one proposal takes a few ms of
            # bounded archive reads: done before the first layout, the screen is laid out and drawn once
            # with its data instead of once empty and again when a worker answers.
            from wallet.errors import PolisError
            from wallet.inbox import proposal_view

            try:
                self._show(proposal_view(self.source, self.pid, now=self.app.now()))  # type: ignore[attr-defined]
            except PolisError:
                self._blank()
                self._load()  # the worker reports it
        else:
            self._blank()
            self._load()
        self._stored_simulation()

    def _blank(self) -> None:
        """The overview as composed, before any proposal's data (nothing of a previous one left)."""
        self.query_one("#p-title", Static).update(Text("loading…"))
        self.query_one("#p-meta", Static).update("")
        for sel, title in (("#timeline", "Timeline"), ("#my-vote", "My vote"), ("#actions", ACTIONS_TITLE),
                           ("#tally", TallyBars.TITLE)):
            self.query_one(sel, Static).update(titled(title))
        self.query_one(TallyGrowth).clear()
        self.query_one("#my-power", Static).update("")
        self.sub_title = self.SUB_TITLE

    def compose(self) -> ComposeResult:
        yield SteadyHeader()
        yield Static(Text("loading…"), id="p-title")
        yield Static("", id="p-meta")
        with TabbedContent(initial="tab-overview"):
            with TabPane("Overview", id="tab-overview"), VerticalScroll(id="overview"):
                yield Static(titled("Timeline"), id="timeline", classes="titled")
                yield TallyBars(id="tally", classes="titled")
                yield TallyGrowth(id="growth", classes="titled")
                yield Static(titled("My vote"), id="my-vote", classes="titled")
                yield Static(id="my-power")
                yield Static(titled(ACTIONS_TITLE), id="actions", classes="titled")
                yield Static(id="sim-line")
            yield TabPane("Description", id="tab-description")
            yield TabPane("Votes", id="tab-votes")
            yield TabPane("Simulation", id="tab-simulation")
        yield StatusArea()
        yield KeyFooter()

    def on_mount(self) -> None:
        self._open()
        self._built = True

    # --- panes built on first show ---------------------------------------------------------------
    async def _ensure_pane(self, pane_id: str) -> None:
        """Mount the Description, Votes or Simulation pane's widgets the first time it is shown; on later
        shows bring one that shows another proposal up to date."""
        pane = self.query_one(f"#{pane_id}", TabPane)
        if pane.children:
            if pane_id == "tab-description":
                await self._update_description()
            elif pane_id == "tab-votes" and self._votes_stale and self._votes_rows is not None:
                self._fill_votes(self._votes_rows, now=True)
            return
        if pane_id == "tab-description":
            from textual.widgets import Markdown

            await pane.mount(VerticalScroll(Markdown(id="description", open_links=False), id="description-scroll"))
            await self._update_description()
        elif pane_id == "tab-simulation":
            await pane.mount(VerticalScroll(Static(self._simulation_text(), id="simulation")))
        elif pane_id == "tab-votes":
            table = FitTable(VOTE_COLUMNS, id="votes", cursor_type="row", zebra_stripes=True)
            await pane.mount(Input(placeholder="search voter, reason or choice (Enter)", id="votes-search"), table)
            if self._votes_rows is not None:
                self._fill_votes(self._votes_rows, now=True)

    async def _update_description(self) -> None:
        """The mounted Description pane shows this proposal's body (parsed once per proposal shown)."""
        from textual.widgets import Markdown

        found = self.query("#description")
        if not found or self.view is None or self._description_of == self.view.key:
            return
        self._description_of = self.view.key
        self.query_one("#description-scroll", VerticalScroll).scroll_home(animate=False, immediate=True)
        await found.first(Markdown).update(self.view.body or "_no description_")

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id in ("tab-description", "tab-votes", "tab-simulation"):
            await self._ensure_pane(event.pane.id)

    # --- data ------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="proposal", exit_on_error=False)
    def _load(self) -> None:
        from wallet.errors import PolisError
        from wallet.inbox import proposal_view

        key = self.key
        try:
            view = proposal_view(self.source, self.pid, now=self.app.now())  # type: ignore[attr-defined]
        except PolisError as exc:
            self.post_message(self.Failed(key, str(exc)))
            return
        self.post_message(self.Loaded(key, view))

    async def on_proposal_screen_loaded(self, msg: Loaded) -> None:
        global _WARM
        _WARM = True
        if not self._fresh(msg):
            return
        self._description_of = ""  # the archive may hold a new body (a sync, a vote)
        self._show(msg.view)
        if self.query_one(TabbedContent).active == "tab-description":
            await self._update_description()

    def _show(self, v: ProposalView) -> None:
        from wallet.services.plan_context import short_id

        self.view = v
        self.query_one("#p-title", Static).update(Text(v.title))
        # The state first, so it stays on screen at 80 columns; the id shortened (`y` copies it whole).
        state = v.state.text if v.state else v.status.upper()
        native = f" ({v.native_status})" if v.native_status and v.native_status.upper() != v.status.upper() else ""
        self.query_one("#p-meta", Static).update(
            Text(f"{state}{native} · {v.source} · id {short_id(v.id)} · {v.vote_count} votes"))
        rows = [("id", f"{v.source}:{v.id}"), *v.timeline]
        width = max(len(k) for k, _ in rows)
        timeline = "\n".join(f"{k:<{width}}  {w}" for k, w in rows)
        self.query_one("#timeline", Static).update(titled("Timeline", timeline))
        self.query_one(TallyBars).show(v)
        self.query_one(TallyGrowth).clear()
        if v.vote_count:
            self._growth()
        mine = v.my_vote + (f"\n{v.my_weight_text}" if v.my_weight_text else "")  # partial votes: weight left
        self.query_one("#my-vote", Static).update(titled("My vote", mine))
        self.query_one("#my-power", Static).update(Text("voting power: press p to ask the node"
                                                        if v.is_active else ""))
        self.query_one("#actions", Static).update(
            titled(ACTIONS_TITLE, "\n".join(f"{i}. {a}" for i, a in enumerate(v.actions, 1)) or "none recorded"))
        self.sub_title = f"{v.source} proposal"
        self._show_votes(v.votes)

    def _fill_votes(self, rows: list[dict[str, str]], *, now: bool = False) -> None:
        """Rows for the votes table: filled now when it is on screen (or `now`), else when next shown."""
        self._votes_rows = rows
        found = self.query("#votes")
        if not found:
            return  # the Votes pane is not mounted yet: it fills itself from _votes_rows
        if not now and self.query_one(TabbedContent).active != "tab-votes":
            self._votes_stale = True
            return
        self._votes_stale = False
        table = found.first(FitTable)
        table.clear()
        cells = [[Text(r["voter"]), Text(r["choice"]), Text(r["weight"]), Text(r["reason"])] for r in rows]
        for c in cells:
            table.add_row(*c)
        table.observe(cells)

    @work(thread=True, exclusive=True, group="growth", exit_on_error=False)
    def _growth(self) -> None:
        from wallet.errors import PolisError
        from wallet.services.tally_view import load_history

        key = self.key
        try:
            self.post_message(self.Growth(key, load_history(self.source, self.pid)))
        except PolisError:
            return

    def on_proposal_screen_growth(self, msg: Growth) -> None:
        if self.view is not None and self._fresh(msg):
            self.query_one(TallyGrowth).show(msg.history, self.view)

    def action_copy_id(self) -> None:
        full = f"{self.source}:{self.pid}"
        self.app.copy_to_clipboard(full)
        self.notify(f"copied {full}", title="Proposal id", timeout=4)

    def on_proposal_screen_failed(self, msg: Failed) -> None:
        if not self._fresh(msg):
            return
        self.query_one("#p-title", Static).update(Text(msg.text))
        self.notify(msg.text, title="Proposal", severity="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "votes-search":
            event.stop()
            self._search(event.value)

    @work(thread=True, exclusive=True, group="votes", exit_on_error=False)
    def _search(self, text: str) -> None:
        from wallet.errors import PolisError
        from wallet.inbox import search_votes

        key = self.key
        try:
            self.post_message(self.VotesFound(key, search_votes(self.source, self.pid, text)))
        except PolisError as exc:
            self.post_message(self.Failed(key, str(exc)))

    def on_proposal_screen_votes_found(self, msg: VotesFound) -> None:
        if self._fresh(msg):
            self._show_votes(msg.rows)

    # --- voters' names ---------------------------------------------------------------------------
    class NamesKnown(Answer):
        def __init__(self, key: str, names: dict[str, str]) -> None:
            super().__init__(key)
            self.names = names

    def _show_votes(self, rows: list[dict[str, str]]) -> None:
        self._raw_votes = rows
        self._fill_votes(self._named(rows))
        unknown = [r["voter"] for r in rows if r.get("voter") and r["voter"].lower() not in self._names]
        if unknown:
            self._voter_names(unknown)

    def _named(self, rows: list[dict[str, str]]) -> list[dict[str, str]]:
        from wallet.services.names import label

        return [{**r, "voter": label(r["voter"], self._names, short=True)} if r.get("voter") else r for r in rows]

    @work(thread=True, exclusive=True, group="names", exit_on_error=False)
    def _voter_names(self, voters: list[str]) -> None:
        from wallet.errors import PolisError
        from wallet.services import names

        key = self.key
        network = names.network_of(self.source)
        try:
            known = names.cached_for(network, voters)
            if known:
                self.post_message(self.NamesKnown(key, known))
            if not getattr(self.app, "is_offline", True) and names.has_names(network):
                self.post_message(self.NamesKnown(key, names.refresh(network, voters)))
        except PolisError:
            return

    def on_proposal_screen_names_known(self, msg: NamesKnown) -> None:
        if self._fresh(msg) and any(self._names.get(a) != n for a, n in msg.names.items()):
            self._names.update(msg.names)
            self._fill_votes(self._named(self._raw_votes))

    async def action_search_votes(self) -> None:
        await self._ensure_pane("tab-votes")
        self.query_one(TabbedContent).active = "tab-votes"
        self.query_one("#votes-search", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_vote(self) -> None:
        choices = self.view.choices if self.view else None
        self.app.open_vote(self.source, self.pid, choices=choices,  # type: ignore[attr-defined]
                           subject=self.view.title if self.view else "", on_done=self._load,
                           vote_type=self.view.vote_type if self.view else "")

    def action_power(self) -> None:
        self.query_one("#my-power", Static).update(Text("voting power: asking the node…"))
        self._power()

    @work(thread=True, exclusive=True, group="power", exit_on_error=False)
    def _power(self) -> None:
        from wallet.adapters import adapter_for
        from wallet.errors import PolisError
        from wallet.keys.vault import Vault
        from wallet.units import Denom, format_amount

        key = self.key
        try:
            ad = adapter_for(self.source)
            try:
                parts = []
                d = Denom(self.view.symbol if self.view else "votes", "base", self.view.decimals if self.view else 18)
                archived = {w.voter.lower(): w for w in self.view.my_weight} if self.view else {}
                for acc in Vault().accounts():
                    addr = acc.addresses.get(ad.KEY_SCHEME)
                    if addr:
                        power = ad.voting_power(addr, self.pid)
                        line = f"{acc.name} {format_amount(power, d, max_decimals=4)}"
                        if self.view is not None and self.view.partial_votes:  # partial votes: used and left
                            from wallet.services.weights import weight_left

                            had = archived.get(addr.lower())
                            left = weight_left(addr, power, had.used if had else 0, had.votes if had else 0)
                            line += f" ({left.used_text(lambda n: format_amount(n, d, max_decimals=4))})"
                        parts.append(line)
                text = "voting power at the snapshot: " + (", ".join(parts) or "no account in the vault")
            finally:
                ad.close()
        except PolisError as exc:
            text = f"voting power unknown: {exc}"
        self.post_message(self.Power(key, text))

    def on_proposal_screen_power(self, msg: Power) -> None:
        if self._fresh(msg):
            self.query_one("#my-power", Static).update(Text(msg.text))

    def on_archive_changed(self) -> None:
        self._load()
