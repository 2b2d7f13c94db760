"""Skip the work Textual repeats when a screen is first shown.

- A screen's first layout sends the screen itself a `Resize` of the size it was just laid out at; Textual's
  handler then lays the screen out again and every screen below it too (the inbox under a proposal). On
  the proposal screen that was two of its four full layouts per open. A real terminal resize changes the
  size, so it still runs Textual's handler.
- Textual's `Header` sets its title after it mounts and at each sub-title change with a layout request,
  though the title's box (one line, the header's width) never changes: one more full layout per screen
  shown. `SteadyHeader` repaints the title only.
- The first `ScreenResume` restyles every widget of the screen, each of which was styled as it mounted
  a moment before (37 of the 99 style applications of a proposal open). Later resumes (back from a
  screen above it, a theme changed meanwhile) still restyle.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.visual import VisualType
from textual.widgets import Header
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle


def laid_out_at(screen: Screen[Any], size: Size) -> bool:
    """True when `screen` and every screen below it were last laid out at `size`."""
    try:
        screens = [screen, *screen.app._background_screens]
        return all(s._compositor.size == size for s in screens)
    except AttributeError:  # another Textual: always take its own path
        return False


class SteadyResize:
    """Mixin for a Screen (listed before it): a `Resize` to the size every screen already has is dropped,
    and the first resume keeps the styles the widgets got when they mounted."""

    _resumed_once = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed_once:
            self._resumed_once = True
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        if isinstance(self, Screen) and laid_out_at(self, event.size):
            event.stop()
            event.prevent_default()


class SteadyTitle(HeaderTitle):
    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        super().update(content, layout=layout)


class SteadyHeader(Header):
    """Textual's Header (same look, click, icon and clock) whose title updates repaint without a layout."""

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield SteadyTitle()
        yield HeaderClock().data_bind(Header.time_format) if self._show_clock else HeaderClockSpace()
