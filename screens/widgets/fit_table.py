"""A DataTable whose columns fill the terminal's width: fixed columns get the width their content needs
(within bounds), one slack column (a title, a reason) takes what is left, and a resize refits them.
`Home`/`End` move the row cursor to the first/last row (Textual's default only scrolls sideways). A cursor
move re-renders the two rows it changes, not every visible row, and reuses the other lines as put together.

`fit_widths` is the pure rule, so a test can check it at any width without a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.widgets import DataTable

_ELSEWHERE = Coordinate(-1, -1)


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    min: int
    max: int
    slack: bool = False
    """This column takes the width the others leave (at least `min`)."""


def fit_widths(cols: Sequence[Col], wants: dict[str, int], width: int, padding: int = 1) -> dict[str, int]:
    """Content widths per column for a table `width` cells wide (each column also takes 2×padding)."""
    budget = width - 2 * padding * len(cols)
    out = {c.key: max(c.min, min(c.max, wants.get(c.key, len(c.label)))) for c in cols if not c.slack}
    slack = [c for c in cols if c.slack]
    need = sum(c.min for c in slack)
    spare = budget - sum(out.values())
    if spare < need:
        # Too narrow: give back what the fixed columns hold above their minimum, widest first.
        deficit = need - spare
        for c in sorted((c for c in cols if not c.slack), key=lambda c: out[c.key] - c.min, reverse=True):
            give = min(deficit, out[c.key] - c.min)
            out[c.key] -= give
            deficit -= give
        spare = budget - sum(out.values())
    for i, c in enumerate(slack):
        share = max(c.min, spare // (len(slack) - i)) if spare > 0 else c.min
        out[c.key] = min(c.max, share)
        spare -= out[c.key]
    return out


class FitTable(DataTable[Any]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First row", id="table.first_row", show=False,
                tooltip="move the cursor to the first row"),
        Binding("end", "scroll_bottom", "Last row", id="table.last_row", show=False,
                tooltip="move the cursor to the last row loaded"),
    ]

    def __init__(self, cols: Sequence[Col], **kw: Any) -> None:
        self._fit_lines: LRUCache[tuple[Any, ...], Any] = LRUCache(1000)  # before: DataTable clears caches
        super().__init__(**kw)
        self.cols = list(cols)
        self._wants: dict[str, int] = {c.key: len(c.label) for c in self.cols}
        self._fitted_for: tuple[int, tuple[int, ...]] | None = None

    def on_mount(self) -> None:
        for c in self.cols:
            self.add_column(c.label, width=c.min, key=c.key)
        self.refit()

    def observe(self, rows: Iterable[Sequence[Any]]) -> None:
        """Widen fixed columns to fit these rows' cells (called as pages load), then refit."""
        for row in rows:
            for c, cell in zip(self.cols, row, strict=False):
                n = cell.cell_len if isinstance(cell, Text) else len(str(cell))
                if n > self._wants[c.key]:
                    self._wants[c.key] = n
        self.refit()

    def observe_cell(self, col_key: str, cell: Any) -> None:
        """Widen one fixed column for a cell written with `update_cell`."""
        n = cell.cell_len if isinstance(cell, Text) else len(str(cell))
        if n > self._wants.get(col_key, 0):
            self._wants[col_key] = n
            self.refit()

    def on_resize(self) -> None:
        self.refit()

    def _render_line_in_row(self, row_key: Any, line_no: int, base_style: Style, cursor_location: Coordinate,
                            hover_location: Coordinate) -> Any:
        """With a row cursor, a row the cursor (or the mouse) is not on renders the same wherever the cursor
        is; DataTable's row cache keys on the cursor's place, so each cursor move re-rendered every visible
        row (~20 at 80×24). Rows away from it are asked for with one fixed place instead: a move renders
        the row left and the row reached, and cached rows serve the rest."""
        if self.cursor_type == "row":
            index = self._row_locations.get(row_key)
            if index is not None:
                if cursor_location.row != index:
                    cursor_location = _ELSEWHERE
                if hover_location.row != index:
                    hover_location = _ELSEWHERE
        return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Any:
        """The same for a whole line: DataTable's line cache keys on the cursor's place too, so after each
        move every visible line was put together again from its row (segments joined, cropped, simplified).
        A line of a row the cursor and the mouse are not on is kept under one fixed place instead."""
        if self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        try:
            row_key, _ = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        index = self._row_locations.get(row_key)
        if index is None:  # the header row
            return super()._render_line(y, x1, x2, base_style)
        cursor = self.cursor_coordinate if index == self.cursor_coordinate.row else _ELSEWHERE
        hover = self.hover_coordinate if index == self.hover_coordinate.row else _ELSEWHERE
        key = (y, x1, x2, self.size.width, cursor, hover, base_style, self._show_hover_cursor, self._update_count,
               self._pseudo_class_state)
        strip = self._fit_lines.get(key)
        if strip is None:
            strip = self._fit_lines[key] = super()._render_line(y, x1, x2, base_style)
        return strip

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._fit_lines.clear()

    def refit(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        if width <= 0 or not self.columns:
            return
        widths = fit_widths(self.cols, self._wants, width - 1, padding=self.cell_padding)
        sig = (width, tuple(widths[c.key] for c in self.cols))
        if sig == self._fitted_for:
            return
        self._fitted_for = sig
        for c in self.cols:
            col = self.columns.get(c.key)  # type: ignore[call-overload]
            if col is not None:
                col.width = widths[c.key]
                col.auto_width = False
        self._clear_caches()
        self._require_update_dimensions = True
        self.refresh()
