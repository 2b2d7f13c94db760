"""Delegations and stakes per network and account, with the actions each adapter declares
(delegate; stake, unstake, move/redelegate, claim) through the plan → review → sign dialog."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.steady import SteadyHeader, SteadyResize
from screens.widgets.archive_bar import StatusArea
from screens.widgets.fit_table import Col, FitTable
from screens.widgets.footer import KeyFooter
from wallet.positions import PositionRow
from wallet.services.requests import Capabilities

ACTIONS = {"delegate": "delegation", "stake": "stake", "unstake": "unstake", "move": "move", "claim": "claim"}


COLUMNS = (Col("source", "Source", 6, 24), Col("account", "Account", 7, 16), Col("kind", "Kind", 4, 12),
           Col("target", "Target", 12, 200, slack=True), Col("amount", "Amount", 6, 28), Col("note", "Note", 4, 40))

class StakesScreen(SteadyResize, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "act('delegate')", "Delegate", id="stakes.delegate", tooltip="delegate voting power"),
        Binding("s", "act('stake')", "Stake", id="stakes.stake", tooltip="stake to a validator / hotkey"),
        Binding("u", "act('unstake')", "Unstake", id="stakes.unstake", tooltip="unstake / undelegate"),
        Binding("m", "act('move')", "Move", id="stakes.move", tooltip="move stake / redelegate"),
        Binding("c", "act('claim')", "Claim", id="stakes.claim", tooltip="claim rewards / a stake window"),
        Binding("w", "act('withdraw')", "Withdraw", id="stakes.withdraw",
                tooltip="take back pending stake (SingularityNET submission period)"),
        Binding("r", "reload", "Reload", id="stakes.reload", tooltip="read positions from the nodes again"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[PositionRow], warnings: list[str],
                     sources: list[tuple[str, Capabilities]]) -> None:
            super().__init__()
            self.rows = rows
            self.warnings = warnings
            self.sources = sources

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, PositionRow] = {}
        self.sources: list[tuple[str, Capabilities]] = []
        self.names: dict[str, str] = {}
        """ENS names of delegates (lower-case address → name)."""

    def compose(self) -> ComposeResult:
        yield SteadyHeader()
        yield FitTable(COLUMNS, id="positions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield StatusArea()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "delegations and stakes"
        self.action_reload()

    def action_reload(self) -> None:
        self.query_one("#detail", Static).update(Text("reading positions from the nodes…"))
        self._load()

    @work(thread=True, exclusive=True, group="positions", exit_on_error=False)
    def _load(self) -> None:
        from wallet.errors import PolisError
        from wallet.positions import actionable_sources, positions

        try:
            srcs = actionable_sources()
            rows, warnings = positions(offline=bool(getattr(self.app, "is_offline", False)))
        except PolisError as exc:
            rows, warnings, srcs = [], [str(exc)], []
        self.post_message(self.Loaded(rows, warnings, srcs))
        self._delegate_names([(r.source, r.target) for r in rows])

    @work(thread=True, exclusive=True, group="delegate-names", exit_on_error=False)
    def _delegate_names(self, pairs: list[tuple[str, str]]) -> None:
        """ENS names of the delegates shown: the archive's first, then (online) the nodes'."""
        from wallet.errors import PolisError
        from wallet.services.names import names_by_source

        try:
            known = names_by_source(pairs, ask=False)
            if known:
                self.post_message(self.Named(known))
            if not getattr(self.app, "is_offline", True):
                self.post_message(self.Named(names_by_source(pairs, ask=True)))
        except PolisError:
            return

    class Named(Message):
        def __init__(self, names: dict[str, str]) -> None:
            super().__init__()
            self.names = names

    def on_stakes_screen_named(self, msg: Named) -> None:
        from wallet.services.names import label

        if not msg.names or all(self.names.get(a) == n for a, n in msg.names.items()):
            return
        self.names.update(msg.names)
        t = self.query_one(FitTable)
        for key, r in self.rows.items():
            if r.target.lower() in self.names:
                t.update_cell(key, "target", Text(label(r.target, self.names, short=True)))

    def on_stakes_screen_loaded(self, msg: Loaded) -> None:
        from wallet.services.names import label

        self.sources = msg.sources
        t = self.query_one(FitTable)
        t.clear()
        self.rows = {}
        cells = []
        for r in msg.rows:
            if r.key in self.rows:
                continue
            self.rows[r.key] = r
            target = label(r.target, self.names, short=True) if self.names else r.target
            cells.append([Text(r.source), Text(r.account), Text(r.kind), Text(target), Text(r.amount),
                          Text(r.note)])
            t.add_row(*cells[-1], key=r.key)
        t.observe(cells)
        lines = msg.warnings[:3]
        if not msg.sources:
            lines.append("no followed source supports delegation or staking yet: add one on Networks (4)")
        elif not msg.rows:
            lines.append("no positions yet: d delegates, s stakes (where the network supports it)")
        self.query_one("#detail", Static).update(Text("\n".join(lines)))
        self.refresh_bindings()

    def _current(self) -> PositionRow | None:
        t = self.query_one(DataTable)
        if not t.row_count:
            return None
        key = t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value
        return self.rows.get(str(key))

    def _source_for(self, action: str) -> tuple[str, Capabilities] | None:
        row = self._current()
        cands = [(s, c) for s, c in self.sources if row is None or s == row.source] or self.sources
        for s, c in cands:
            if self._supports(c, action):
                return s, c
        for s, c in self.sources:
            if self._supports(c, action):
                return s, c
        return None

    @staticmethod
    def _supports(caps: Capabilities, action: str) -> bool:
        return caps.can(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act" and parameters:
            return self._source_for(str(parameters[0])) is not None
        return True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self._current()
        if row is not None:
            self.query_one("#detail", Static).update(
                Text(f"{row.account} {row.address}\n{row.kind} → {row.target}"
                     + (f" (sub {row.subtarget})" if row.subtarget else "") + f"  {row.amount}  {row.note}"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self._current()
        if row is None:
            return
        for action in ("delegate", "unstake"):
            if self._source_for(action):
                self.action_act(action)
                return

    def action_act(self, action: str) -> None:
        hit = self._source_for(action)
        if hit is None:
            self.notify(f"no followed network supports {action} here", severity="warning")
            return
        src, _caps = hit
        row = self._current()
        params: dict[str, str] = {}
        if row is not None and row.source == src and action != "delegate":
            params = {"target": row.target, "subtarget": row.subtarget}
        account = row.account if row is not None and row.source == src else None
        self.app.open_action(action, src, params=params, account=account,  # type: ignore[attr-defined]
                             on_done=self.action_reload)

    def on_archive_changed(self) -> None:
        pass
