"""Text from strangers (titles, reasons, monikers) made safe to print in a terminal.

Strips C0/C1 control characters (ANSI/OSC escape introducers, carriage returns, backspace) and the
Unicode bidi overrides that can reorder what a reader sees; keeps newlines and tabs where allowed.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Characters JSON may carry raw (json.dumps escapes only C0) that a terminal still acts on: DEL and C1
# (\x9b is a one-byte CSI), bidi marks/overrides/isolates, and the Unicode line separators.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
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


def json_escape(text: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False) with every character a terminal would act
    on written as a \\uXXXX escape: still valid JSON, still the same data."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
