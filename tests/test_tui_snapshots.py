"""Snapshot tests (pytest-textual-snapshot) of the main screens in each theme, deterministic: a fixed
clock, a synthetic archive with fixed timestamps, no online check, an isolated POLIS_HOME (no user
config). Update with `pytest tests/test_tui_snapshots.py --snapshot-update` and review the SVGs."""

from __future__ import annotations

import pytest

from tests.tui_data import NOW, fill
from tests.tui_helpers import wait_for

pytest.importorskip("pytest_textual_snapshot")

THEMES = ("polis-dark", "polis-light", "polis-high-contrast")


def _app(theme: str):  # type: ignore[no-untyped-def]
    from screens.app import make_app
    from wallet.settings import Settings

    s = Settings()
    s.tui.theme = theme
    return make_app(settings=s, clock=lambda: NOW, check_online=False, persist_settings=False)


async def _inbox_ready(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#inbox").row_count == 40)
    await wait_for(pilot, lambda: "proposals" in str(pilot.app.screen.query_one("#archive-bar").render()))
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
def test_inbox_snapshot(snap_compare, theme: str) -> None:  # type: ignore[no-untyped-def]
    fill(40, votes_per=4)
    assert snap_compare(_app(theme), terminal_size=(80, 24), run_before=_inbox_ready)


@pytest.mark.parametrize("theme", THEMES)
def test_proposal_snapshot(snap_compare, theme: str) -> None:  # type: ignore[no-untyped-def]
    fill(40, votes_per=4)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await _inbox_ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "votes" in str(pilot.app.screen.query_one("#p-meta").render()))
        await pilot.pause()

    assert snap_compare(_app(theme), terminal_size=(80, 24), run_before=ready)


def test_help_snapshot(snap_compare) -> None:  # type: ignore[no-untyped-def]
    fill(40)

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await _inbox_ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#help-keys").row_count > 5)
        await pilot.pause()

    assert snap_compare(_app("polis-dark"), terminal_size=(80, 24), run_before=ready)
