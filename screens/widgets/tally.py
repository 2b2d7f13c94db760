"""Tally as one bar per choice plus a turnout bar with the quorum marked, and a small plot of how the
tally and the turnout grew over the voting period.

The drawing rule is the core's (`wallet.services.tally_view`, the same as `polis proposals show`): a
choice's bar is its share of the votes cast; turnout is drawn against the quorum. The bars are text,
so they read the same without colour.
"""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.widgets import Static

from wallet.inbox import ProposalView
from wallet.services.tally_view import TallyHistory, percent_text, share_bar, turnout_bar

BAR = 30
SPARK = " ▁▂▃▄▅▆▇█"
PLOT_ROWS = 5


def titled(title: str, body: str | Text = "") -> Text:
    """A section's title line (bold, underlined) above its text: one widget per overview section instead
    of a title widget and a text widget (the `.titled` class gives the blank line above it)."""
    out = Text()
    out.append(title, style="bold underline")
    if body:
        out.append("\n")
        out.append(body)
    return out


class TallyBars(Static):
    TITLE = "Tally"

    def __init__(self, **kw: Any) -> None:
        super().__init__(titled(self.TITLE), **kw)

    def show(self, view: ProposalView) -> None:
        out = Text()
        for t in view.tally:
            out.append(f"{t.choice[:12]:<12} ")
            bar = share_bar(t.weight, view.total_weight, BAR)
            filled = len(bar.rstrip("░"))
            out.append(bar[:filled], style="bold")
            out.append(bar[filled:])
            out.append(f" {percent_text(t.weight, view.total_weight):>6}  {t.amount}\n")
        if not view.tally:
            out.append("no votes recorded\n")
        if view.quorum is not None:
            out.append(f"{'turnout':<12} {turnout_bar(view.counted_for_quorum, view.quorum, BAR)}"
                       f"  (┃ = quorum)\n")
        out.append(view.quorum_text + "\n")
        out.append(view.threshold_text)
        self.update(titled(self.TITLE, out))


def _spark(series: list[int], top: int) -> str:
    n = len(SPARK) - 1
    return "".join(SPARK[min(n, v * n // top)] if top > 0 else " " for v in series)


class TallyGrowth(Static):
    """Cumulative turnout as a column plot with the quorum as a dashed line, then one sparkline per
    choice on the same scale; the x axis is the voting period (or blocks when votes carry no time)."""

    TITLE = "How the vote grew"

    def __init__(self, **kw: Any) -> None:
        super().__init__(titled(self.TITLE), **kw)
        self._plotted = False

    def clear(self) -> None:
        """Back to the title alone (another proposal's plot is on its way, or it has no votes)."""
        if self._plotted:
            self._plotted = False
            self.update(titled(self.TITLE))

    def show(self, h: TallyHistory, view: ProposalView) -> None:
        self._plotted = True
        if not h.votes:
            self.update(titled(self.TITLE, "no archived votes to plot"))
            return
        width = max(10, min(len(h.turnout), (self.size.width or 60) - 14))
        step = len(h.turnout) / width
        pick = [min(len(h.turnout) - 1, int((i + 1) * step) - 1) for i in range(width)]
        turnout = [h.turnout[i] for i in pick]
        top = max([*turnout, h.quorum or 0, 1])
        levels = PLOT_ROWS * 8
        q_level = (h.quorum or 0) * levels // top if h.quorum else None
        q_row = (q_level - 1) // 8 + 1 if q_level else None
        out = Text()
        for row in range(PLOT_ROWS, 0, -1):
            label = "quorum ┄" if row == q_row else ("turnout" if row == (PLOT_ROWS if q_row == 1 else 1) else "")
            out.append(f"{label:<12} ")
            for v in turnout:
                lvl = v * levels // top
                fill = lvl - (row - 1) * 8
                if fill >= 8:
                    out.append("█", style="bold")
                elif fill > 0:
                    out.append(SPARK[fill], style="bold")
                elif row == q_row:
                    out.append("┄")
                else:
                    out.append(" ")
            out.append("\n")
        cast = sum(series[-1] for series in h.choices.values())
        for choice, series in h.choices.items():
            picked = [series[i] for i in pick]
            out.append(f"{choice[:12]:<12} ")
            out.append(_spark(picked, top))
            out.append(f" {percent_text(picked[-1], cast):>6}\n")
        if h.edges:
            if h.axis == "time":
                first = time.strftime("%Y-%m-%d %H:%M", time.gmtime(h.edges[0]))
                last = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(h.edges[-1]))
            else:
                first, last = f"block {h.edges[0]}", f"block {h.edges[-1]}"
            out.append(f"{'':<12} {first} → {last} · {h.votes:,} archived votes")
        self.update(titled(self.TITLE, out))
