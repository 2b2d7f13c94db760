"""Networks: presets and user networks, the DAOs followed on each, endpoint health (chain id check,
latency, head), add / remove a DAO."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.steady import SteadyHeader, SteadyResize
from screens.widgets.archive_bar import StatusArea
from screens.widgets.dialogs import ConfirmDialog, Field, FormDialog
from screens.widgets.fit_table import Col, FitTable
from screens.widgets.footer import KeyFooter

COLUMNS = (Col("net", "Network", 7, 24), Col("fam", "Family", 6, 12), Col("chain", "Chain", 5, 24),
           Col("followed", "Followed", 10, 200, slack=True), Col("health", "Health", 12, 40))

class NetworksScreen(SteadyResize, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "health", "Health", id="networks.health", tooltip="check every endpoint: chain id, latency, head"),
        Binding("f", "follow", "Follow", id="networks.follow",
                tooltip="follow a Snapshot space (snapshot/ens.eth) or a preset network/DAO (akash, bittensor)"),
        Binding("a", "add", "Add DAO", id="networks.add", tooltip="follow a Governor DAO on an EVM network"),
        Binding("delete,x", "remove", "Remove", id="networks.remove", tooltip="remove a DAO or network you added"),
    ]

    class Listed(Message):
        def __init__(self, rows: list[Any], error: str = "") -> None:
            super().__init__()
            self.rows = rows
            self.error = error

    class Checked(Message):
        def __init__(self, health: Any) -> None:
            super().__init__()
            self.health = health

    class Done(Message):
        def __init__(self, text: str, error: bool = False, sync: list[str] | None = None) -> None:
            super().__init__()
            self.text = text
            self.error = error
            self.sync = sync
            """Sources to sync now (just followed)."""

    def __init__(self) -> None:
        super().__init__()
        self.nets: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield SteadyHeader()
        yield FitTable(COLUMNS, id="networks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield StatusArea()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = "networks"
        self._list()

    @work(thread=True, exclusive=True, group="networks", exit_on_error=False)
    def _list(self) -> None:
        from wallet.errors import PolisError
        from wallet.health import network_rows

        try:
            self.post_message(self.Listed(network_rows()))
        except PolisError as exc:
            self.post_message(self.Listed([], str(exc)))

    def on_networks_screen_listed(self, msg: Listed) -> None:
        t = self.query_one(FitTable)
        t.clear()
        self.nets = {n.key: n for n in msg.rows}
        cells = []
        for n in msg.rows:
            followed = ", ".join(s.split("/", 1)[-1] for s in n.followed) or "-"
            cells.append([Text(n.key), Text(n.protocol), Text(n.chain_id), Text(followed),
                          Text("checking…" if n.followed else "not followed")])
            t.add_row(*cells[-1], key=n.key)
        t.observe(cells)
        if msg.error:
            self.query_one("#detail", Static).update(Text(msg.error))
        self.action_health()

    def action_health(self) -> None:
        offline = bool(getattr(self.app, "offline", False))
        for n in self.nets.values():
            if n.followed and offline:
                self.query_one(DataTable).update_cell(n.key, "health", Text("offline mode"))
                self.query_one(FitTable).observe_cell("health", Text("offline mode"))
            elif n.followed:
                self._check(n.key)

    @work(thread=True, group="health", exit_on_error=False)
    def _check(self, key: str) -> None:
        from wallet.health import check_network

        timeout = getattr(getattr(self.app, "settings", None), "tui", None)
        self.post_message(self.Checked(check_network(key, timeout=timeout.health_timeout if timeout else 3.0)))

    def on_networks_screen_checked(self, msg: Checked) -> None:
        h = msg.health
        if h.ok:
            text = f"ok {h.latency_ms} ms" + (f" · head {h.head:,}" if h.head is not None else "")
        elif h.chain_ok is False:
            text = "WRONG CHAIN " + (h.chain_id or "")
        else:
            text = "UNREACHABLE"
        t = self.query_one(FitTable)
        if h.network in t.rows:
            t.update_cell(h.network, "health", Text(text))
            t.observe_cell("health", Text(text))
        self.nets.setdefault(h.network, None)
        if self._current_key() == h.network:
            self._detail(h.network, h)
        self._health = getattr(self, "_health", {})
        self._health[h.network] = h

    def _current_key(self) -> str | None:
        t = self.query_one(DataTable)
        if not t.row_count:
            return None
        return str(t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value)

    def _detail(self, key: str, h: Any = None) -> None:
        n = self.nets.get(key)
        if n is None:
            return
        h = h or getattr(self, "_health", {}).get(key)
        lines = [f"{n.name} · {n.protocol} · chain id {n.chain_id} · endpoint {n.url}",
                 "sources: " + (", ".join(n.sources) or "none") + (" · yours" if n.user else " · preset")]
        if h is not None and h.error:
            lines.append(f"health: {h.error}")
        self.query_one("#detail", Static).update(Text("\n".join(lines)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = self._current_key()
        if key:
            self._detail(key)

    def action_add(self) -> None:
        key = self._current_key() or ""
        n = self.nets.get(key)
        fields = [Field("network", "EVM network", value=key if n is not None and n.holds_daos else "ethereum"),
                  Field("id", "DAO id (lowercase)"), Field("governor", "Governor address"),
                  Field("token", "Votes token address"), Field("symbol", "Token symbol", value="VOTES"),
                  Field("start_block", "Deployment block (0 = scan from genesis)", value="0")]

        def got(v: dict[str, str] | None) -> None:
            if v is not None:
                self._work_add(v)

        self.app.push_screen(FormDialog("Follow a Governor DAO", fields, ok="Add"), got)

    def action_follow(self) -> None:
        key = self._current_key() or ""
        n = self.nets.get(key)
        value = f"{key}/" if n is not None and n.follows_spaces else key

        def got(v: dict[str, str] | None) -> None:
            if v is not None:
                self._work_follow(v["source"])

        self.app.push_screen(FormDialog("Follow a network, DAO or Snapshot space", [
            Field("source", "Source: snapshot/SPACE (e.g. snapshot/ens.eth), akash, bittensor, ethereum/compound…",
                  value=value)], ok="Follow", note="It is synced at once; S syncs everything later."), got)

    @work(thread=True, exclusive=True, group="edit", exit_on_error=False)
    def _work_follow(self, text: str) -> None:
        from wallet.errors import PolisError
        from wallet.flows import follow_source

        try:
            source, needs_sync = follow_source(text)
        except PolisError as exc:
            hint = getattr(exc, "hint", "") or ""
            self.post_message(self.Done(f"{exc}" + (f" ({hint})" if hint else ""), error=True))
            return
        self.post_message(self.Done(f"following {source}", sync=[source] if needs_sync else None))

    @work(thread=True, exclusive=True, group="edit", exit_on_error=False)
    def _work_add(self, v: dict[str, str]) -> None:
        from pydantic import ValidationError

        from wallet import networks
        from wallet.errors import PolisError

        try:
            cfg = networks.add_dao(v["network"].strip(), {
                "id": v["id"].strip(), "governor": v["governor"].strip(), "token": v["token"].strip(),
                "token_symbol": v["symbol"].strip() or "VOTES", "start_block": int(v["start_block"] or 0)})
            self.post_message(self.Done(f"following {v['network']}/{cfg.id}; press S to sync it"))
        except (PolisError, ValueError, ValidationError) as exc:
            text = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
            self.post_message(self.Done(text, error=True))

    def action_remove(self) -> None:
        key = self._current_key()
        n = self.nets.get(key or "")
        if n is None:
            return
        target = n.followed[-1] if n.user and n.followed and "/" in n.followed[-1] else n.key
        if not n.user:
            self.notify(f"{n.key} is a preset; only DAOs and networks you added can be removed", severity="warning")
            return

        def got(yes: bool | None) -> None:
            if yes:
                self._work_remove(target)

        self.app.push_screen(ConfirmDialog(f"Stop following {target}? The archive keeps what was synced."), got)

    @work(thread=True, exclusive=True, group="edit", exit_on_error=False)
    def _work_remove(self, target: str) -> None:
        from wallet import networks
        from wallet.errors import PolisError

        try:
            networks.remove(target)
            self.post_message(self.Done(f"removed {target}"))
        except PolisError as exc:
            self.post_message(self.Done(str(exc), error=True))

    def on_networks_screen_done(self, msg: Done) -> None:
        self.notify(msg.text, title="Networks", severity="error" if msg.error else "information")
        self._list()
        if msg.sync:
            self.app.action_sync(msg.sync)  # type: ignore[attr-defined]
