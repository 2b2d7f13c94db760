"""Helpers for the Pilot tests: wait for a condition without fixed sleeps, read a screen's text."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


async def wait_for(pilot: Any, cond: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = cond()
        except Exception:  # widgets not mounted yet
            got = None
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or cond}")
        await pilot.pause(0.02)


def text_of(app: Any, selector: str) -> str:
    w = app.screen.query_one(selector)
    r = w.render()
    return str(getattr(r, "plain", r))


def table_rows(app: Any, selector: str) -> list[list[str]]:
    from textual.widgets import DataTable

    t = app.screen.query_one(selector, DataTable)
    return [[str(getattr(c, "plain", c)) for c in t.get_row_at(i)] for i in range(t.row_count)]


def screen_text(app: Any) -> str:
    """Everything the user sees, as plain text (for assertions on what a person would read)."""
    from textual.widgets import DataTable, Static

    parts = []
    for w in app.screen.query("*"):
        if isinstance(w, DataTable):
            parts += [" ".join(r) for r in table_rows(app, f"#{w.id}")] if w.id else []
        elif isinstance(w, Static):
            r = w.render()
            parts.append(str(getattr(r, "plain", r)))
    return "\n".join(parts)
