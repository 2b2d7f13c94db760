"""Tally as one bar per choice, with the quorum and threshold written beside them.

Shares are integer permille from `wallet.inbox`; the bars are text, so they read the same without
colour. The quorum line marks where the quorum falls on the same scale as the bars.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from wallet.inbox import ProposalView

BAR = 30


class TallyBars(Static):
    def show(self, view: ProposalView) -> None:
        out = Text()
        scale = max(view.total_weight, view.quorum or 0, 1)
        for t in view.tally:
            filled = t.weight * BAR // scale
            out.append(f"{t.choice[:10]:<10} ")
            out.append("█" * filled, style="bold")
            out.append("░" * (BAR - filled))
            out.append(f" {t.permille // 10:>3}.{t.permille % 10}%  {t.amount}\n")
        if not view.tally:
            out.append("no votes recorded\n")
        if view.quorum is not None:
            pos = min(BAR - 1, view.quorum * BAR // scale)
            out.append(f"{'quorum':<10} " + " " * pos + "┃" + " " * (BAR - pos - 1) + "\n")
        out.append(view.quorum_text + "\n")
        out.append(view.threshold_text)
        self.update(out)
