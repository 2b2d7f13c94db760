"""`?`: the keys of the current screen and of the app, with what each does and its id for remapping."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from screens.widgets.fit_table import Col, FitTable

HELP_COLUMNS = (Col("key", "Key", 3, 14), Col("does", "Does", 6, 22), Col("about", "Id / about", 20, 200, slack=True))

INTRO = ("Polis works offline from its archive; S syncs it. Ctrl+P opens the command palette with every "
         "action. Remap a key in settings.toml under [tui.keys] with the id shown here, "
         "e.g. \"inbox.search\" = \"ctrl+f\".")


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close", tooltip="close the help"),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.target = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text(f"Keys · {type(self.target).__name__.removesuffix('Screen') or 'App'}"),
                         classes="dialog-title")
            yield Static(Text(INTRO), classes="hint")
            yield FitTable(HELP_COLUMNS, id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static("", id="help-about", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        table = self.query_one(FitTable)
        # The binding chain has the user's keymap applied: the keys shown are the keys that work. Every
        # binding with an id is listed, also one whose key a focused widget handles the same way
        # (`enter` opens the highlighted proposal: the table's own Enter does it).
        seen: set[str] = set()
        for _node, bindings in self.target._modal_binding_chain:
            for _key, binding in bindings:
                if not binding.id or binding.system or binding.id in seen:
                    continue
                seen.add(binding.id)
                about = " · ".join(x for x in (binding.id, binding.tooltip) if x)
                cells = [Text(self.app.get_key_display(binding)), Text(binding.description or binding.action),
                         Text(about)]
                table.add_row(*cells)
                table.observe([cells])
        table.focus()

    def on_data_table_row_highlighted(self, event: FitTable.RowHighlighted) -> None:
        """The highlighted key's whole description, wrapped (a narrow terminal cuts the table's column)."""
        row = event.data_table.get_row_at(event.cursor_row)
        self.query_one("#help-about", Static).update(Text(f"{row[0]}  {row[1]}: {row[2]}"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
