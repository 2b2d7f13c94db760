"""Text from strangers (titles, reasons, monikers) made safe to print in a terminal.

Strips C0/C1 control characters (ANSI/OSC escape introducers, carriage returns, backspace) and the
Unicode bidi overrides that can reorder what a reader sees; keeps newlines and tabs where allowed.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def clean(text: object, *, multiline: bool = False, limit: int | None = None) -> str:
    s = str(text or "")
    s = _ANSI.sub("", s)
    if not multiline:
        s = s.replace("\n", " ").replace("\t", " ")
    s = _CONTROL.sub("", s)
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    return s
