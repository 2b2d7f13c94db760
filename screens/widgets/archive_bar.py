"""One line at the bottom of the main screens: online/offline, archive age, sync progress.

The app owns the state (`PolisApp.archive_status`); every bar shows it. Offline and errors are
written out as words ("OFFLINE", "sync failed"), and the class only adds emphasis.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static


class ArchiveBar(Static):
    """Shows `text`; `offline` and `error` toggle classes the .tcss styles."""

    def show(self, text: str, *, offline: bool = False, error: bool = False) -> None:
        self.update(Text(text))
        self.set_class(offline, "-offline")
        self.set_class(error, "-error")


class StatusArea(Vertical):
    """The archive bar plus a sync progress bar that is only shown while a sync runs.

    The progress bar (four widgets) is mounted on the first progress update: every main screen has a
    StatusArea, and opening a screen should not pay for a bar that is hidden unless a sync runs."""

    DEFAULT_CSS = "StatusArea { height: auto; }"

    def compose(self) -> ComposeResult:
        yield ArchiveBar(id="archive-bar")

    def on_mount(self) -> None:
        refresh = getattr(self.app, "refresh_status", None)
        if refresh is not None:
            refresh(self)

    def render_state(self, text: str, *, offline: bool, error: bool, progress: tuple[int, int] | None) -> None:
        self.query_one(ArchiveBar).show(text, offline=offline, error=error)
        found = self.query(ProgressBar)
        if not found and progress is None:
            return
        if found:
            bar = found.first(ProgressBar)
        else:
            bar = ProgressBar(id="sync-progress", show_eta=False)
            self.mount(bar, before=0)
        bar.set_class(progress is not None, "-syncing")
        if progress is not None:
            done, total = progress
            bar.update(total=max(total, 1), progress=min(done, max(total, 1)))
