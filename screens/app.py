"""The Polis Textual app: an inbox of archived proposals and a proposal view.

`make_app` is the one factory shared by `polis tui`, `polis demo` and the Pilot tests.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Markdown, Static

PAGE = 200


class ProposalScreen(Screen[None]):
    """One proposal from the archive: summary, tally, actions, description."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back", id="back")]

    def __init__(self, source: str, pid: str) -> None:
        super().__init__()
        self.source = source
        self.pid = pid

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Markdown(id="proposal")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from wallet.cache import open_archive, query
        from wallet.textsafe import clean

        with open_archive(readonly=True) as ar:
            p = query.get_proposal(ar, self.source, self.pid)
        total = sum(int(t["weight"]) for t in p["tally"]) or 1
        lines = [f"# {clean(p['title'])}", "", f"`{self.source}:{self.pid}` — **{p['status']}**", "", "## Tally", ""]
        for t in p["tally"]:
            pct = int(t["weight"]) * 100 // total
            lines.append(f"- **{t['choice']}** {pct}% `{'█' * (pct // 4)}`")
        if p["actions"]:
            lines += ["", "## Actions", ""] + [f"1. `{clean(a.get('summary') or a['target'])}`" for a in p["actions"]]
        lines += ["", "## Description", "", clean(p["body"], multiline=True)]
        self.app.call_from_thread(self.query_one("#proposal", Markdown).update, "\n".join(lines))


class InboxScreen(Screen[None]):
    """Proposals of every followed source, newest first, loaded a page at a time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("/", "search", "Search", id="search", tooltip="full-text search in the archive"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="search titles and descriptions…", id="search")
        yield DataTable(id="inbox", cursor_type="row", zebra_stripes=True)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Source", "ID", "Status", "Closes", "Title")
        self.query_one("#search", Input).display = False
        self.load()

    @work(thread=True, exclusive=True)
    def load(self, search: str | None = None) -> None:
        from wallet.cache import open_archive, query
        from wallet.errors import PolisError
        from wallet.textsafe import clean

        try:
            with open_archive(readonly=True) as ar:
                f = query.ProposalFilter(search=search or None, limit=PAGE)
                rows = query.list_proposals(ar, f)
                total = query.count_proposals(ar, f)
                synced = query.oldest_sync(ar)
        except PolisError as exc:
            self.app.call_from_thread(self.query_one("#status", Static).update, f"error: {exc}")
            return
        self.app.call_from_thread(self._fill, rows, total, synced, clean)

    def _fill(self, rows: list[dict[str, Any]], total: int, synced: int | None, clean: Any) -> None:
        from wallet.cli.output import ago, until

        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            closes = until(r["end_ts"]) if r["status"] in ("pending", "active") else "-"
            table.add_row(r["source"], r["id"][:10], r["status"], closes, clean(r["title"], limit=70),
                          key=f"{r['source']}|{r['id']}")
        self.query_one("#status", Static).update(
            f"{len(rows)} of {total} proposals · archive synced {ago(synced)}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        source, _, pid = str(event.row_key.value).partition("|")
        self.app.push_screen(ProposalScreen(source, pid))

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    def action_reload(self) -> None:
        self.load()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.load(event.value.strip() or None)
        self.query_one(DataTable).focus()


class PolisApp(App[None]):
    TITLE = "Polis"
    SUB_TITLE = "governance and staking wallet"

    def __init__(self, passphrase_file: str | None = None) -> None:
        super().__init__()
        self.passphrase_file = passphrase_file

    def on_mount(self) -> None:
        self.push_screen(InboxScreen())


def make_app(passphrase_file: str | None = None) -> PolisApp:
    return PolisApp(passphrase_file=passphrase_file)
