"""Printing for the CLI: JSON, plain tables, colour only on a TTY without NO_COLOR, safe text."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import Any

from wallet.services.timefmt import ago as ago  # one time format for the CLI and the TUI
from wallet.services.timefmt import until as until
from wallet.services.timefmt import when as when
from wallet.textsafe import clean, json_escape

# The only escape sequences Polis itself prints: SGR bold/dim/colours from `style()`.
_OWN_SGR = re.compile(r"\x1b\[(?:0|1|2|22|3[0-9]|9[0-7])(?:;(?:0|1|2|22|3[0-9]|9[0-7]))*m")
_RISKY = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def color_enabled(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("POLIS_NO_COLOR"):
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def style(text: str, code: str, stream: Any = None) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color_enabled(stream) else text


def emit_json(data: Any) -> None:
    sys.stdout.write(json_escape(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n")


def guard(line: str, *, keep_colour: bool = True) -> str:
    """Backstop for text from strangers that a caller forgot to `clean`: keeps Polis' own colour codes,
    strips every other control sequence, CR and bidi control from a line about to be printed."""
    if not _RISKY.search(line):
        return line
    if not keep_colour:
        return clean(line, multiline=True)
    parts, pos = [], 0
    for m in _OWN_SGR.finditer(line):
        parts.append(clean(line[pos:m.start()], multiline=True))
        parts.append(m.group())
        pos = m.end()
    parts.append(clean(line[pos:], multiline=True))
    return "".join(parts)


def out(line: str = "") -> None:
    sys.stdout.write(guard(line, keep_colour=color_enabled()) + "\n")


def err(line: str) -> None:
    sys.stderr.write(guard(line, keep_colour=color_enabled(sys.stderr)) + "\n")


def table(headers: list[str], rows: list[list[Any]], *, max_width: dict[int, int] | None = None) -> None:
    max_width = max_width or {}
    cells = [[clean(c, limit=max_width.get(i)) for i, c in enumerate(r)] for r in rows]
    widths = [len(h) for h in headers]
    for r in cells:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    out(style("  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip(), "1"))
    for r in cells:
        out("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())




class Progress:
    """A one-line progress bar on stderr, only on a TTY."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        frac = 0 if total <= 0 else min(1.0, done / total)  # ratio for the bar only
        bar = "#" * int(frac * 30)
        sys.stderr.write(f"\r{self.label} [{bar:<30}] {int(frac * 100):3d}% {clean(message, limit=40):<40}")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()
