"""Polis themes: Textual `Theme` palettes plus the `.tcss` files beside this module.

`polis.tcss` holds the layout every theme shares (it only uses palette variables); `high-contrast.tcss`
adds rules that apply while the app carries the `-high-contrast` class (bold text, heavy borders, no
zebra stripes), because contrast is more than colour. Meaning is never carried by colour alone: statuses,
marks and errors are words.
"""

from __future__ import annotations

from pathlib import Path

from textual.theme import Theme

HERE = Path(__file__).parent
CSS_PATHS = [HERE / "polis.tcss", HERE / "high-contrast.tcss"]

DARK = Theme(
    name="polis-dark", dark=True,
    primary="#5fafff", secondary="#87afaf", accent="#ffaf5f",
    foreground="#e4e4e4", background="#121417", surface="#1b1e23", panel="#262a31",
    success="#5fd787", warning="#ffd75f", error="#ff5f5f",
)

LIGHT = Theme(
    name="polis-light", dark=False,
    primary="#005faf", secondary="#3a6f6f", accent="#af5f00",
    foreground="#1c1c1c", background="#fafafa", surface="#f0f0f0", panel="#e2e6ea",
    success="#00782a", warning="#8a6100", error="#c4001a",
)

HIGH_CONTRAST = Theme(
    name="polis-high-contrast", dark=True,
    primary="#ffff00", secondary="#00ffff", accent="#ff00ff",
    foreground="#ffffff", background="#000000", surface="#000000", panel="#000000",
    success="#00ff00", warning="#ffff00", error="#ff3030",
    luminosity_spread=0.0, text_alpha=1.0,
)

THEMES = (DARK, LIGHT, HIGH_CONTRAST)
NAMES = tuple(t.name for t in THEMES)
LABELS = {"polis-dark": "dark", "polis-light": "light", "polis-high-contrast": "high contrast"}
