"""Snapshot tests (pytest-textual-snapshot) of every screen — inbox, proposal, vote dialog, stakes,
accounts, networks, help — in each of the three themes at 80×24, and in the dark theme at 160×48.

Deterministic: the app's clock is fixed (`NOW`), the archive is written from fixed data
(`tests.plugins.tui_data.world`), the app runs in offline mode (no health checks, positions and balances from the
archive), every Input's cursor is steady (no blink), and POLIS_HOME is a fresh temporary directory (no
user config is discovered). Update with `pytest tests/test_tui_snapshots.py --snapshot-update` and
review the SVGs in tests/__snapshots__/test_tui_snapshots/.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import PASSPHRASE
from tests.plugins.tui_data import NOW, world
from tests.plugins.tui_helpers import text_of, wait_for

pytest.importorskip("pytest_textual_snapshot")

THEMES = ("polis-dark", "polis-light", "polis-high-contrast")


def _app(theme: str, offline: bool = True):  # type: ignore[no-untyped-def]
    from screens.app import make_app
    from wallet.settings import Settings

    s = Settings()
    s.tui.theme = theme
    return make_app(settings=s, clock=lambda: NOW, check_online=False, persist_settings=False, offline=offline)


async def _steady(pilot: Any) -> None:
    """No blinking cursor, every worker's message handled, one frame drawn."""
    from textual.widgets import Input

    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


async def _inbox(pilot: Any) -> None:
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#inbox").row_count == 12)
    await wait_for(pilot, lambda: "12 proposals" in text_of(pilot.app, "#archive-bar"))
    table = pilot.app.screen.query_one("#inbox")
    # the columns are refitted to the terminal once the rows are in: shoot after that frame
    await wait_for(pilot, lambda: table._fitted_for and table._fitted_for[0] == table.size.width)
    await pilot.pause()


async def _proposal(pilot: Any) -> None:
    await _inbox(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: "votes" in text_of(pilot.app, "#p-meta"))


async def _vote(pilot: Any) -> None:
    await _inbox(pilot)
    pilot.app.open_vote("devnet/alpha", "7")  # an active proposal
    await wait_for(pilot, lambda: pilot.app.screen.query("#plan-panel") and pilot.app.screen.query("#reason"))


async def _stakes(pilot: Any) -> None:
    await _inbox(pilot)
    await pilot.press("2")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#positions").row_count == 2, timeout=20)


async def _accounts(pilot: Any) -> None:
    await _inbox(pilot)
    await pilot.press("3")
    table = pilot.app.screen.query_one("#accounts")
    await wait_for(pilot, lambda: table.row_count == 2)
    table.move_cursor(row=table.get_row_index("alice"))
    await pilot.press("b")
    await wait_for(pilot, lambda: "(archived)" in text_of(pilot.app, "#detail"))


async def _networks(pilot: Any) -> None:
    await _inbox(pilot)
    await pilot.press("4")
    await wait_for(pilot, lambda: "offline mode" in " ".join(
        str(c) for r in range(pilot.app.screen.query_one("#networks").row_count)
        for c in pilot.app.screen.query_one("#networks").get_row_at(r)))


async def _help(pilot: Any) -> None:
    await _inbox(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#help-keys").row_count > 5)


SCREENS: dict[str, Callable[[Any], Awaitable[None]]] = {
    "inbox": _inbox, "proposal": _proposal, "vote": _vote, "stakes": _stakes, "accounts": _accounts,
    "networks": _networks, "help": _help,
}


ONLINE = {"vote"}
"""Screens shot with offline mode off (no health checks still): offline mode offers no vote dialog."""


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(snap_compare, screen: str, theme: str) -> None:  # type: ignore[no-untyped-def]
    world(PASSPHRASE)

    async def ready(pilot: Any) -> None:
        await SCREENS[screen](pilot)
        await _steady(pilot)

    assert snap_compare(_app(theme, offline=screen not in ONLINE), terminal_size=(80, 24), run_before=ready)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot_wide(snap_compare, screen: str) -> None:  # type: ignore[no-untyped-def]
    """160×48: the columns take the width (titles, reasons and ids whole), the footer shows every key."""
    world(PASSPHRASE)

    async def ready(pilot: Any) -> None:
        await SCREENS[screen](pilot)
        await _steady(pilot)

    assert snap_compare(_app("polis-dark", offline=screen not in ONLINE), terminal_size=(160, 48), run_before=ready)
