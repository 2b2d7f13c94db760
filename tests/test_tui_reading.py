"""Pilot tests of what the TUI shows and offers (issue 15): columns sized to the width, Home/End, vote
offered only where the archive says voting is open, offline mode never planning, the vote dialog's
header, stale statuses, empty states that name the hiding filter, tally bars and the growth plot from
the core's rule, help rows (enter listed, scrollable), one Theme entry in the palette, and the footer."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conftest import PASSPHRASE
from tests.plugins.tui_data import ME, NOW, fill, world
from tests.plugins.tui_helpers import table_rows, text_of, wait_for

LONG_TITLE = "A sixty character title that should be readable whole: yes!"


def make(**kw: Any):  # type: ignore[no-untyped-def]
    from screens.app import make_app

    kw.setdefault("check_online", False)
    kw.setdefault("clock", lambda: NOW)
    kw.setdefault("persist_settings", False)
    return make_app(**kw)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 90))


def notes(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


def _set(sql: str, *params: object) -> None:
    from wallet.cache import open_archive

    with open_archive() as ar, ar.conn:
        ar.conn.execute(sql, params)


def test_fit_widths_rule() -> None:
    from screens.widgets.fit_table import Col, fit_widths

    cols = [Col("net", "Network", 7, 24), Col("title", "Title", 16, 400, slack=True), Col("mine", "Mine", 4, 12)]
    wide = fit_widths(cols, {"net": 12, "mine": 7}, 120)
    assert wide == {"net": 12, "mine": 7, "title": 120 - 6 - 12 - 7}  # the title takes the slack
    narrow = fit_widths(cols, {"net": 24, "mine": 12}, 40)
    assert narrow["title"] == 16 and narrow["net"] + narrow["mine"] + 16 + 6 <= 40


def test_inbox_columns_fill_120_columns_and_home_end_move_the_cursor() -> None:
    world(PASSPHRASE)
    _set("UPDATE proposals SET title=? WHERE id='5'", LONG_TITLE)
    _set("UPDATE votes SET choice='abstain' WHERE proposal_id='12' AND voter=?", ME)

    async def go() -> None:
        app = make(offline=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 12)
            table = app.screen.query_one("#inbox")
            await wait_for(pilot, lambda: table.columns["title"].width >= 60, what="title widened")
            widths = {str(k.value): c.width for k, c in table.columns.items()}
            assert sum(widths.values()) + 2 * len(widths) <= 120 and widths["title"] >= 60
            assert widths["mine"] >= len("abstain") and widths["network"] >= len("devnet/alpha")
            assert any(r[1] == LONG_TITLE for r in table_rows(app, "#inbox"))
            await pilot.press("end")
            assert table.cursor_row == 11
            await pilot.press("home")
            assert table.cursor_row == 0
            await pilot.press("end")
            # 80 columns: the table refits, the title still gets its minimum
            await pilot.resize_terminal(80, 24)
            await wait_for(pilot, lambda: table.columns["title"].width < 60, what="refit at 80")
            assert table.columns["title"].width >= 16

    run(go())


def test_vote_offered_only_where_the_archive_says_voting_is_open() -> None:
    world(PASSPHRASE)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 12)
            rows = table_rows(app, "#inbox")
            table = app.screen.query_one("#inbox")
            table.move_cursor(row=next(i for i, r in enumerate(rows) if r[2] == "executed"))
            await pilot.press("v")
            await wait_for(pilot, lambda: any("does not accept votes" in n for n in notes(app)))
            assert type(app.screen).__name__ == "InboxScreen"
            # the highlighted active row, reached with End: `v` votes on that one, not on row 1
            active = [i for i, r in enumerate(rows) if r[2] == "active"]
            table.move_cursor(row=active[-1])
            await pilot.press("v")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionDialog")
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            assert app.screen.params["proposal"] == str(key).split("|")[1]
            head = text_of(app, "#subject") + " " + text_of(app, "#subject-meta")
            assert rows[active[-1]][1] in head and "devnet/alpha" in head
            assert "ACTIVE" in head and "closes 2026-01" in head and "(in " in head

    run(go())


def test_offline_mode_never_plans_an_action() -> None:
    world(PASSPHRASE)

    async def go() -> None:
        app = make(offline=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 12)
            app.open_vote("devnet/alpha", "11")
            await pilot.pause()
            assert type(app.screen).__name__ == "InboxScreen"
            assert any("offline mode: to vote Polis needs the network" in n for n in notes(app))
            app.open_action("delegate", "devnet/alpha")
            await pilot.pause()
            assert type(app.screen).__name__ == "InboxScreen"

    run(go())


def test_stale_active_status_says_the_outcome_is_not_synced() -> None:
    world(PASSPHRASE)
    # archived as active, but its end passed an hour ago; the archive was synced two hours ago
    _set("UPDATE proposals SET end_ts=? WHERE source='devnet/alpha' AND id='11'", NOW - 3600)
    _set("UPDATE sources SET synced_at=? WHERE id='devnet/alpha'", NOW - 7200)

    async def go() -> None:
        app = make(offline=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 12)
            row = next(r for r in table_rows(app, "#inbox") if r[1].startswith("Proposal 10:"))
            assert row[2] == "ended·unsynced" and row[4] != "—"  # not "needs my vote": voting has ended
            table = app.screen.query_one("#inbox")
            table.move_cursor(row=table.get_row_index("devnet/alpha|11"))
            await pilot.press("enter")
            await wait_for(pilot, lambda: "votes" in text_of(app, "#p-meta"))
            assert text_of(app, "#p-meta").startswith("voting ended · outcome not synced since 2h ago")

    run(go())


def test_empty_inbox_names_the_filter_that_hides_proposals() -> None:
    fill(6, my_votes=6)  # every proposal voted by "me"

    async def go() -> None:
        app = make(offline=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 6)
            await pilot.press("n")
            await wait_for(pilot, lambda: "no proposals match" in app.screen.sub_title)
            assert "needs my vote" in app.screen.sub_title and "x clears" in app.screen.sub_title
            assert "add a DAO" not in app.screen.sub_title

    run(go())


def test_proposal_header_short_id_copy_and_growth_plot() -> None:
    fill(4, votes_per=30)
    long_id = "2625837202637361" + "9" * 61
    _set("UPDATE proposals SET id=? WHERE id='4'", long_id)
    _set("UPDATE votes SET proposal_id=? WHERE proposal_id='4'", long_id)
    _set("UPDATE votes SET timestamp=? + block * 60 WHERE proposal_id=?", NOW - 7200, long_id)

    async def go() -> None:
        app = make(offline=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 4)
            await pilot.press("enter")  # newest first: the one with the long id and the votes
            await wait_for(pilot, lambda: "votes" in text_of(app, "#p-meta"))
            meta = text_of(app, "#p-meta")
            assert long_id not in meta and "id 262583720…999999" in meta and len(meta) <= 78
            assert f"devnet/beta:{long_id}" in text_of(app, "#timeline")  # the full id, once
            copied: list[str] = []
            app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
            await pilot.press("y")
            assert copied == [f"devnet/beta:{long_id}"]
            await wait_for(pilot, lambda: "31 archived votes" in text_of(app, "#growth"), what="growth plot")
            plot = text_of(app, "#growth")
            assert "quorum ┄" in plot and "turnout" in plot and "31 archived votes" in plot
            assert any(ch in plot for ch in "▁▂▃▄▅▆▇█")

    run(go())


def test_tally_bar_is_the_share_of_votes_cast() -> None:
    from wallet.services.tally_view import share_bar, turnout_bar

    # 60 % FOR fills 60 % of the bar, whatever the quorum (the TUI scaled to the quorum before)
    assert share_bar(60, 100, 30) == "█" * 18 + "░" * 12
    assert turnout_bar(50, 100, 10) == "█████░░░░┃"
    assert turnout_bar(200, 100, 10) == "█████┃████"


def test_help_lists_enter_scrolls_and_the_palette_has_one_theme_entry() -> None:
    fill(3)

    async def go() -> None:
        app = make(offline=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 3)
            inbox = app.screen
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: app.screen.query_one("#help-keys").row_count > 5)
            rows = table_rows(app, "#help-keys")
            assert any(r[0] in ("enter", "⏎") and r[1] == "Open" for r in rows) and any(r[0] == "end" for r in rows)
            table = app.screen.query_one("#help-keys")
            assert table.max_scroll_y > 0  # more rows than fit at 80×24: the table scrolls
            table.move_cursor(row=len(rows) - 1)
            await pilot.pause()
            assert table.scroll_y > 0
            await pilot.press("escape")
            commands = [c.title for c in app.get_system_commands(inbox)]
            assert sum(1 for t in commands if t.lower().startswith("theme") or t == "Change theme") == 1
            assert any("Vote" in t for t in commands)
            from screens.networks import NetworksScreen

            await pilot.press("4")
            await wait_for(pilot, lambda: isinstance(app.screen, NetworksScreen))
            assert any("Vote" in c.title for c in app.get_system_commands(app.screen))

    run(go())
