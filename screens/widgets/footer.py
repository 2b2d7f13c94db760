"""The key footer of every main screen: one widget that draws the screen's keys as one line of text.

Textual's `Footer` composes a `FooterKey` widget per key (14 on the proposal screen, over a quarter of
its widgets) and recomposes all of them each time the screen publishes `bindings_updated` (every mount
and focus change; twice per proposal open). Each rebuild mounts and styles a dozen widgets. This footer
keeps the same look (key in the key colour, its description, one space between keys, the command
palette key on the right behind a thin bar) but only re-renders one line when the shown keys change.
A click on a key presses it; hovering one highlights it and shows its tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class FooterItem:
    key: str
    """The key as Textual names it (pressed on click)."""
    display: str
    description: str
    enabled: bool
    tooltip: str


def footer_items(screen: Screen[Any]) -> tuple[list[FooterItem], FooterItem | None]:
    """The keys a footer shows for `screen` (one per action, in binding order) and the command palette's."""
    app = screen.app
    active = screen.active_bindings
    seen: dict[str, FooterItem] = {}
    for _node, b, enabled, tooltip in active.values():
        if b.show and b.action not in seen:
            seen[b.action] = FooterItem(b.key, app.get_key_display(b), b.description, enabled, tooltip or "")
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _node, b, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
        palette = FooterItem(b.key, app.get_key_display(b), b.description, enabled,
                             b.tooltip or tooltip or b.description)
    return list(seen.values()), palette


class KeyFooter(Widget, can_focus=False):
    """Compact (one space between keys) so that at 120 columns every key of the inbox fits, "4 Networks"
    and "q Quit" included."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--description", "key-footer--hover",
                                             "key-footer--bar"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 100%;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: clip;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .key-footer--bar {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._items: list[FooterItem] = []
        self._palette: FooterItem | None = None
        self._spans: list[tuple[int, int, FooterItem]] = []
        """(first cell, end cell, item) of each key as last drawn: what a click or hover hits."""
        self._hover: FooterItem | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        items, palette = footer_items(screen)
        if items != self._items or palette != self._palette:
            self._items, self._palette = items, palette
            self.refresh()

    # --- drawing -----------------------------------------------------------------------------------
    def _item_text(self, item: FooterItem) -> Text:
        hover = item == self._hover
        key = self.get_component_rich_style("key-footer--key")
        desc = self.get_component_rich_style("key-footer--description")
        if hover:
            over = self.get_component_rich_style("key-footer--hover")
            key, desc = key + Style(bgcolor=over.bgcolor), over
        out = Text.assemble((item.display, key), (f" {item.description}" if item.description else "", desc))
        if not item.enabled:
            out.stylize(Style(dim=True))
        return out

    def render(self) -> Text:
        width = self.size.width
        right = Text()
        if self._palette is not None:
            right = Text.assemble(("▏", self.get_component_rich_style("key-footer--bar")),
                                  self._item_text(self._palette))
        room = max(0, width - right.cell_len) if width else 10**6
        line = Text(no_wrap=True, overflow="crop")
        spans: list[tuple[int, int, FooterItem]] = []
        for item in self._items:
            part = self._item_text(item)
            start = line.cell_len
            if start + part.cell_len > room:
                break  # only whole keys: a key without its description would not say what it does
            line.append_text(part)
            spans.append((start, line.cell_len, item))
            line.append(" ")
        line.truncate(room)
        if self._palette is not None:
            line.pad_right(room - line.cell_len)
            spans.append((room + 1, room + right.cell_len, self._palette))
            line.append_text(right)
        self._spans = spans
        return line

    # --- mouse -------------------------------------------------------------------------------------
    def _at(self, x: int) -> FooterItem | None:
        return next((item for start, end, item in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._at(event.x)
        if item != self._hover:
            self._hover = item
            self.tooltip = (item.tooltip or item.description) if item is not None else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
