"""Skip the work Textual repeats when a screen is first shown.

- A screen's first layout sends the screen itself a `Resize` of the size it was just laid out at; Textual's
  handler then lays the screen out again and every screen below it too (the inbox under a proposal). On
  the proposal screen that was two of its four full layouts per open. A real terminal resize changes the
  size, so it still runs Textual's handler.
- Textual's `Header` sets its title after it mounts and at each sub-title change with a layout request,
  though the title's box (one line, the header's width) never changes: one more full layout per screen
  shown. `SteadyHeader` repaints the title only, and at once: Header's watcher is a coroutine, so a
  sub-title set before a frame was drawn in a second frame of its own (each open of a proposal of
  another DAO than the last).
- A `ScreenResume` from a push restyles every widget of the screen. The first one comes a moment after
  each widget was styled as it mounted (37 of the 99 style applications of a proposal open), and a screen
  pushed again (the reused proposal screen) keeps the styles it had unless the app's CSS, theme, focus or
  classes changed since it was last styled; then it restyles as Textual does.
- A screen just shown (pushed, or back after a pop) that also needs a layout was drawn twice: the
  layout's changes, then all of it (the screen below was on the terminal). It is drawn once, whole.
- Python's full garbage collection walks every object alive; with the app, its screens and the modules
  loaded it took 60-85 ms, landing in whichever key or open it happened to meet. Once the app has
  settled, and the user is idle, `freeze_heap` collects once and moves what is left out of its scans;
  `thaw_heap` (the app's end) hands them back, so a process running several apps (tests) frees each.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.dom import NoScreen
from textual.geometry import Size
from textual.screen import Screen
from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Header
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle

_frozen = False


def freeze_heap() -> None:
    """Collect once (call it while the user is idle), then leave the objects alive (modules, screens,
    caches built at start-up, which live as long as the app) out of the cyclic garbage collector's scans;
    what is created later is collected as before."""
    import gc

    global _frozen
    gc.collect()
    gc.freeze()
    _frozen = True


def thaw_heap() -> None:
    """Undo `freeze_heap` when the app ends: its objects are garbage now and collectable again."""
    import gc

    global _frozen
    if _frozen:
        _frozen = False
        gc.unfreeze()


def laid_out_at(screen: Screen[Any], size: Size) -> bool:
    """True when `screen` and every screen below it were last laid out at `size`."""
    try:
        screens = [screen, *screen.app._background_screens]
        return all(s._compositor.size == size for s in screens)
    except AttributeError:  # another Textual: always take its own path
        return False


def style_state(app: Any) -> tuple[Any, ...] | None:
    """What a screen's styles depend on beyond its own widgets: the app's CSS generation (a theme or CSS
    change bumps it), theme, focus and classes. None when this Textual does not expose it."""
    count = getattr(app, "_css_update_count", None)
    if count is None:
        return None
    return (count, app.theme, app.app_focus, frozenset(app.classes))


class SteadyResize:
    """Mixin for a Screen (listed before it): a `Resize` to the size every screen already has is dropped,
    and a resume keeps the styles the widgets have when nothing they depend on changed since."""

    _styled_with: tuple[Any, ...] | None = None

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        state = style_state(self.app)  # type: ignore[attr-defined]
        if self._styled_with is None or (state is not None and state == self._styled_with):
            event.refresh_styles = False  # first resume: styled as they mounted; later: nothing changed
        self._styled_with = state if state is not None else ()

    def on_resize(self, event: events.Resize) -> None:
        if isinstance(self, Screen) and laid_out_at(self, event.size):
            event.stop()
            event.prevent_default()

    def _on_timer_update(self) -> None:
        """A screen just shown wants a layout and a repaint of all of it (the one below was on the
        terminal): Textual draws the layout's changes, then the whole screen again, in two frames. The
        whole screen is drawn once, with the layout."""
        screen: Any = self
        if screen._layout_required and screen._repaint_required and screen.is_current:
            screen._repaint_required = False
            screen._dirty_widgets.add(screen)
        super()._on_timer_update()  # type: ignore[misc]


class SteadyTitle(HeaderTitle):
    def update(self, content: VisualType = "", *, layout: bool = False) -> None:
        super().update(content, layout=layout)


class SteadyHeader(Header):
    """Textual's Header (same look, click, icon and clock) whose title updates repaint without a layout,
    in the frame that follows them."""

    def _on_mount(self, event: events.Mount) -> None:
        Widget._on_mount(self, event)
        event.prevent_default()  # instead of Header's watchers, which run a coroutine after the next frame

        def set_title() -> None:
            try:
                self.query_one(HeaderTitle).update(self.format_title())
            except NoScreen:
                pass

        for node in (self.app, self.screen):
            self.watch(node, "title", set_title)
            self.watch(node, "sub_title", set_title)

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield SteadyTitle()
        yield HeaderClock().data_bind(Header.time_format) if self._show_clock else HeaderClockSpace()
