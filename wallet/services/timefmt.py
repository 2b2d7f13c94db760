"""Relative and absolute times, the same in the CLI, the TUI and every export. `now` is injectable
(the snapshot tests fix the clock); timestamps are Unix seconds, None when unknown."""

from __future__ import annotations

import time

_UNITS = (("d", 86400), ("h", 3600), ("m", 60))
JUST_NOW = 5
"""Seconds within which a past moment reads "just now" (also clock skew: a moment slightly ahead)."""


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def ago(ts: int | float | None, now: float | None = None) -> str:
    """"3h ago", "just now", or "never" for no timestamp."""
    if ts is None:
        return "never"
    d = int(_now(now) - ts)
    if d < JUST_NOW:
        return "just now"
    for unit, secs in _UNITS:
        if d >= secs:
            return f"{d // secs}{unit} ago"
    return f"{d}s ago"


def until(ts: int | float | None, now: float | None = None) -> str:
    """"in 2d", "closed" once the moment has passed, or "-" for no timestamp."""
    if ts is None:
        return "-"
    d = int(ts - _now(now))
    if d <= 0:
        return "closed"
    for unit, secs in _UNITS:
        if d >= secs:
            return f"in {d // secs}{unit}"
    return f"in {d}s"


def when(ts: int | float | None) -> str:
    """"2026-01-02 03:04 UTC", or "-" for no timestamp."""
    if ts is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def day(ts: int | float | None) -> str:
    """"2026-01-02", or "-"."""
    return when(ts)[:10] if ts is not None else "-"
