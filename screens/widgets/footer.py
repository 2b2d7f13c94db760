"""The key footer of every main screen, rebuilt only when what it shows changes.

Textual's `Footer` recomposes (a dozen `FooterKey` widgets, each styled and mounted) every time the
screen publishes `bindings_updated`, which happens on each focus change and mount: opening the proposal
screen rebuilt it four times, about a third of the time to open it. This subclass remembers what it
last composed and skips the rebuild when the shown keys, labels and enabled states are the same.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Compact (one space between keys) so that at 120 columns every key of the inbox fits, "4 Networks"
    and "q Quit" included."""

    _shown: tuple[Any, ...] | None = None

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("compact", True)
        super().__init__(**kw)

    def _signature(self, screen: Screen[Any]) -> tuple[Any, ...]:
        return tuple((b.key, b.action, b.description, enabled, tooltip, self.app.get_key_display(b))
                     for (_node, b, enabled, tooltip) in screen.active_bindings.values() if b.show)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._signature(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if (self._bindings_ready and self.is_attached and screen is self.screen
                and self._shown is not None and self._signature(screen) == self._shown):
            return
        super().bindings_changed(screen)
