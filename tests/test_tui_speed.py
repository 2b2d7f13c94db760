"""Pilot tests of what keeps the TUI quick, each checked for what the user sees: the one-widget key footer
(whole keys only at 80 and 160 columns, the palette key at the right edge; a click presses a key, hovering
shows its tooltip; it follows the screen's bindings), the no-op Resize a new screen drops (a real resize
still lays out every screen), and a warm proposal open that has its data in the first layout."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.plugins.tui_data import NOW, fill
from tests.plugins.tui_helpers import wait_for


def make(**kw: Any):  # type: ignore[no-untyped-def]
    from screens.app import make_app

    kw.setdefault("check_online", False)
    kw.setdefault("clock", lambda: NOW)
    kw.setdefault("persist_settings", False)
    return make_app(**kw)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 90))


async def open_first(app: Any, pilot: Any, rows: int) -> Any:
    """Wait for the inbox's `rows` rows, press Enter on the first and wait until its proposal screen shows
    the archive's data; the screen."""
    from screens.proposal import ProposalScreen

    await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == rows)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProposalScreen) and app.screen.view is not None)
    return app.screen


def footer_text(app: Any) -> str:
    from screens.widgets.footer import KeyFooter

    return app.screen.query_one(KeyFooter).render().plain


def test_footer_shows_whole_keys_and_the_palette_at_the_right_edge(polis_home: Any) -> None:
    fill(30)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count > 0)
            text = await wait_for(pilot, lambda: footer_text(app) if "Search" in footer_text(app) else "")
            assert len(text) == 80 and text.endswith("▏^p palette")
            # keys that do not fit are left out whole ("3 Accounts" would need 10 more cells), never cut
            left = text.removesuffix("▏^p palette").rstrip()
            assert left == "/ Search n Needs vote f Status v Vote ? Help S Sync 1 Inbox 2 Stakes"
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ProposalScreen")
            text = await wait_for(pilot, lambda: footer_text(app) if "Back" in footer_text(app) else "")
            assert text.startswith("esc Back v Vote / Find vote p My power y Copy id s Simulate ? Help")
            assert "Search" not in text

    run(go())


def test_footer_wide_shows_every_key(polis_home: Any) -> None:
    fill(30)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count > 0)
            text = await wait_for(pilot, lambda: footer_text(app) if "Quit" in footer_text(app) else "")
            assert "3 Accounts 4 Networks q Quit" in text and text.endswith("▏^p palette")
            assert len(text) == 160

    run(go())


def test_clicking_a_footer_key_presses_it_and_hovering_shows_its_tooltip(polis_home: Any) -> None:
    from screens.widgets.footer import KeyFooter

    fill(30)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count > 0)
            await wait_for(pilot, lambda: "Status" in footer_text(app))
            text = footer_text(app)
            x = text.index("f Status")
            before = app.screen.query_state.status
            await pilot.hover(KeyFooter, offset=(x + 2, 0))
            footer = app.screen.query_one(KeyFooter)
            assert footer.tooltip == "cycle the status filter"
            await pilot.click(KeyFooter, offset=(x + 2, 0))
            await wait_for(pilot, lambda: app.screen.query_state.status != before, what="status filter cycled")
            # a click on the gap between keys presses nothing
            status = app.screen.query_state.status
            await pilot.click(KeyFooter, offset=(x + len("f Status"), 0))
            await pilot.pause(0.1)
            assert app.screen.query_state.status == status
            await pilot.hover(KeyFooter, offset=(text.index("? Help") + 1, 0))
            assert footer.tooltip == "keys of this screen and how to remap them"

    run(go())


def test_a_resize_under_the_proposal_screen_still_refits_both_screens(polis_home: Any) -> None:
    """The proposal screen drops the Resize of the size it was just laid out at (one full layout of it
    and of the inbox below per open); a real terminal resize still lays out both."""
    from screens.steady import laid_out_at
    from screens.widgets.footer import KeyFooter

    fill(30)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count > 0)
            inbox = app.screen
            table = inbox.query_one("#inbox")
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ProposalScreen" and app.screen.view)
            await pilot.pause(0.1)
            assert laid_out_at(app.screen, app.size)
            assert app.screen.query_one(KeyFooter).size.width == 80
            await pilot.resize_terminal(160, 48)
            await wait_for(pilot, lambda: app.screen.query_one(KeyFooter).size.width == 160, what="proposal relaid")
            await wait_for(pilot, lambda: "Quit" in footer_text(app), what="wide footer")
            assert laid_out_at(app.screen, app.size) and not laid_out_at(app.screen, inbox.size.with_width(80))
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is inbox)
            await wait_for(pilot, lambda: table.size.width == 160 and table.columns["title"].width > 60,
                           what="inbox refitted at 160")

    run(go())


def test_once_warm_a_proposal_opens_with_its_data_in_the_first_layout(polis_home: Any, monkeypatch: Any) -> None:
    """After the inbox's first page, one view is loaded off the main thread (imports done); from then on
    the proposal screen reads the archive as it mounts, so its first layout already has the data and no
    loading worker runs."""
    import screens.proposal as sp

    fill(30)
    monkeypatch.setattr(sp, "_WARM", False)
    loads: list[str] = []
    real_load = sp.ProposalScreen._load

    def counting_load(self: Any) -> Any:
        loads.append(self.pid)
        return real_load(self)

    monkeypatch.setattr(sp.ProposalScreen, "_load", counting_load)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count > 0)
            await wait_for(pilot, lambda: sp._WARM, what="warm-up view loaded")
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ProposalScreen")
            screen = app.screen
            assert screen.view is not None and screen.view.id == screen.pid  # set before the first layout
            assert loads == []
            title = screen.query_one("#p-title").render().plain
            assert title == screen.view.title

    run(go())


def test_cursor_moves_draw_the_cursor_on_exactly_the_row_it_is_on(polis_home: Any) -> None:
    """Rows away from the cursor are rendered once and reused as the cursor moves and the table scrolls:
    after every move the cursor's background is on its row and on no other visible row, and the mouse's
    hover row is drawn apart from it."""
    fill(80)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.screen.query_one("#inbox")
            await wait_for(pilot, lambda: table.row_count > 0)
            cursor_bg = table.get_component_rich_style("datatable--cursor").bgcolor

            def cursor_rows() -> list[int]:
                rows = []
                for y in range(table.header_height, table.size.height):
                    strip = table.render_line(y)
                    if any(seg.style is not None and seg.style.bgcolor == cursor_bg and seg.text.strip()
                           for seg in strip):
                        rows.append(y - table.header_height + table.scroll_offset.y)
                return rows

            assert cursor_rows() == [0]
            for expected in range(1, 40):
                await pilot.press("down")
                assert table.cursor_row == expected
                assert cursor_rows() == [expected], (expected, table.scroll_offset)
            for expected in range(38, 30, -1):
                await pilot.press("up")
                assert cursor_rows() == [expected]
            await pilot.hover("#inbox", offset=(5, table.header_height + 2))
            await pilot.pause(0.05)
            assert cursor_rows() == [31]

    run(go())


OVERVIEW = ("#p-title", "#p-meta", "#timeline", "#tally", "#growth", "#my-vote", "#my-power", "#actions", "#sim-line")


def test_a_later_open_reuses_the_screen_and_shows_the_proposal_as_a_new_screen_would(polis_home: Any) -> None:
    """The second open pushes the same ProposalScreen pointed at the next proposal: its overview reads as a
    new screen's for that proposal, the Overview tab is active and nothing is focused, the Votes and
    Description panes show the new proposal when shown (no search left over), and a late answer from a
    worker about the previous proposal is dropped."""
    from screens.proposal import ProposalScreen
    from tests.plugins.tui_helpers import table_rows, text_of
    from wallet.services.tally_view import load_history

    fill(20, my_votes=1, votes_per=30)

    def overview(app: Any) -> dict[str, str]:
        return {sel: text_of(app, sel) for sel in OVERVIEW}

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 20)
            await pilot.press("enter")  # newest first: the one with 30 votes and mine
            await wait_for(pilot, lambda: "31 archived votes" in text_of(app, "#growth"), what="growth plot")
            first = app.screen
            old_key = first.key
            await pilot.press("/")
            await wait_for(pilot, lambda: len(table_rows(app, "#votes")) == 31)
            await pilot.press(*"reasons", "enter")
            await wait_for(pilot, lambda: len(table_rows(app, "#votes")) == 1)
            await pilot.click("#--content-tab-tab-description")
            await wait_for(pilot, lambda: "Body 19" in app.screen.query_one("#description").source)
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ProposalScreen) and app.screen.view is not None)
            screen = app.screen
            assert screen is first and screen.key != old_key and screen.view.key == screen.key
            await wait_for(pilot, lambda: "no archived votes to plot" in text_of(app, "#growth"), what="its plot")
            reused = overview(app)
            assert "31 archived votes" not in reused["#growth"] and "not voted" in reused["#my-vote"]
            assert screen.query_one("TabbedContent").active == "tab-overview"
            assert screen.focused is None or screen.focused.id != "votes-search"
            # a late answer about the first proposal changes nothing
            source, _, pid = old_key.partition(":")
            screen.post_message(ProposalScreen.Growth(old_key, load_history(source, pid)))
            await pilot.pause(0.1)
            assert overview(app) == reused
            # the panes show this proposal once shown
            await pilot.press("/")
            await wait_for(pilot, lambda: screen.query_one("#votes-search").has_focus)
            assert screen.query_one("#votes-search").value == "" and table_rows(app, "#votes") == []
            await pilot.click("#--content-tab-tab-description")
            await wait_for(pilot, lambda: "Body 18" in screen.query_one("#description").source)
            await pilot.press("escape", "escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            # the same proposal in a screen of its own reads the same
            await app.push_screen(ProposalScreen(screen.source, screen.pid))
            await wait_for(pilot, lambda: app.screen is not screen and app.screen.view is not None)
            await pilot.pause(0.1)
            assert overview(app) == reused

    run(go())


def test_the_reused_proposal_screen_takes_a_theme_changed_while_it_was_hidden(polis_home: Any) -> None:
    """A push of the reused screen keeps its styles only while nothing they depend on changed: after a
    theme change on the inbox its widgets have the new theme's colours, as a new screen's do."""
    from screens.proposal import ProposalScreen

    fill(5)

    def colours(screen: Any) -> list[Any]:
        return [(w.styles.color, w.styles.background) for w in (screen, *screen.query("Static, Tab"))]

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_first(app, pilot, rows=5)
            reused = app.screen
            dark = colours(reused)
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            await pilot.press("t")
            await wait_for(pilot, lambda: app.theme != "polis-dark")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is reused and reused.view is not None)
            await pilot.pause(0.05)
            now = colours(reused)
            assert now != dark
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            await app.push_screen(ProposalScreen(reused.source, reused.pid))
            await wait_for(pilot, lambda: app.screen is not reused and app.screen.view is not None)
            await pilot.pause(0.05)
            assert colours(app.screen) == now

    run(go())


def test_once_the_inbox_is_idle_the_heap_is_frozen_and_thawed_when_the_app_ends(polis_home: Any) -> None:
    """Once nothing was pressed on the inbox for a moment after its first page (and no dialog is over it), one
    garbage collection runs and the objects alive are left out of later collections, so full collections no
    longer land on a key or an open; the app's end hands them back. While keys keep coming, or while a dialog
    is up, nothing is frozen."""
    import gc

    import screens.inbox as si

    fill(5, votes_per=3)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 5)
            await wait_for(pilot, lambda: gc.get_freeze_count() > 0, what="start-up objects frozen")
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ProposalScreen" and app.screen.view)

    run(go())
    assert gc.get_freeze_count() == 0  # handed back to the collector when the app ended

    async def busy() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            app.screen._last_input = time.monotonic() + 3600  # a key "just now", for the next hour
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 5)
            await pilot.pause(si.IDLE_BEFORE_FREEZE + 0.5)
            assert gc.get_freeze_count() == 0

    run(busy())

    async def dialog() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            inbox = app.screen
            await pilot.press("question_mark")  # the help dialog over the inbox, before its first page
            await wait_for(pilot, lambda: app.screen is not inbox)
            await wait_for(pilot, lambda: inbox.query_one("#inbox").row_count == 5)
            await pilot.pause(si.IDLE_BEFORE_FREEZE + 0.7)
            assert gc.get_freeze_count() == 0
            await pilot.press("escape")
            await wait_for(pilot, lambda: gc.get_freeze_count() > 0, what="frozen once the dialog closed")

    run(dialog())


def test_the_reused_proposal_screen_is_laid_out_at_a_size_the_terminal_took_while_it_was_hidden(
        polis_home: Any) -> None:
    from screens.widgets.footer import KeyFooter

    fill(5)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_first(app, pilot, rows=5)
            reused = app.screen
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            await pilot.resize_terminal(160, 48)
            await wait_for(pilot, lambda: app.screen.size.width == 160, what="inbox at 160")
            await pilot.press("down", "enter")
            await wait_for(pilot, lambda: app.screen is reused and reused.view is not None)
            await wait_for(pilot, lambda: reused.query_one(KeyFooter).size.width == 160, what="relaid at 160")
            await wait_for(pilot, lambda: "Quit" in footer_text(app), what="wide footer")
            assert reused.query_one("#timeline").size.width > 100

    run(go())


def test_a_description_shown_takes_the_new_body_when_the_archive_changes(polis_home: Any) -> None:
    from wallet.cache import open_archive

    fill(5)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_first(app, pilot, rows=5)
            screen = app.screen
            await pilot.click("#--content-tab-tab-description")
            await wait_for(pilot, lambda: "Body 4" in screen.query_one("#description").source)
            with open_archive() as ar, ar.conn:
                ar.conn.execute("UPDATE proposals SET body='## Amended' WHERE source=? AND id=?",
                                (screen.source, screen.pid))
            app.archive_changed()
            await wait_for(pilot, lambda: "Amended" in screen.query_one("#description").source, what="new body")

    run(go())


def test_the_reused_screen_pointed_at_a_proposal_the_archive_lacks_shows_nothing_of_the_last_one(
        polis_home: Any) -> None:
    from screens.proposal import proposal_screen
    from tests.plugins.tui_helpers import text_of

    fill(5)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_first(app, pilot, rows=5)
            first = app.screen
            old_title = text_of(app, "#p-title")
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            screen = proposal_screen(app, "devnet/alpha", "404")
            assert screen is first
            await app.push_screen(screen)
            await wait_for(pilot, lambda: "no proposal devnet/alpha:404" in text_of(app, "#p-title"))
            assert text_of(app, "#timeline") == "Timeline" and text_of(app, "#p-meta") == ""
            assert old_title not in " ".join(text_of(app, s) for s in OVERVIEW)

    run(go())


def test_the_header_title_takes_a_new_sub_title_before_the_next_frame(polis_home: Any) -> None:
    """Textual's Header sets its title from a coroutine scheduled after the sub-title changed (a frame of
    its own); the proposal screen's header has the new DAO's name as soon as the screen is pointed at it."""
    from screens.proposal import proposal_screen
    from screens.steady import SteadyTitle

    fill(4)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_first(app, pilot, rows=4)
            first = app.screen
            title = first.query_one(SteadyTitle)
            await wait_for(pilot, lambda: f"{first.source} proposal" in str(title.render()))
            other = "devnet/alpha" if first.source == "devnet/beta" else "devnet/beta"
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            assert proposal_screen(app, other, "1" if other == "devnet/alpha" else "2") is first
            assert f"{other} proposal" in str(title.render())  # no frame drawn in between

    run(go())


def test_a_reused_open_writes_every_cell_of_the_screen_in_one_frame(polis_home: Any) -> None:
    """The terminal showed the inbox: the proposal screen pushed again must overwrite all of it. Its layout
    and the whole-screen repaint go out as the first update (Textual sent the layout's changes first, then
    the whole screen again)."""
    from textual._compositor import ChopsUpdate, LayoutUpdate

    from screens.proposal import ProposalScreen

    fill(5)

    def cells(update: Any) -> set[tuple[int, int]]:
        if isinstance(update, LayoutUpdate):
            r = update.region
            return {(y, x) for y in range(r.y, r.bottom) for x in range(r.x, r.right)}
        assert isinstance(update, ChopsUpdate)
        return {(y, x) for y, x1, x2 in update.spans for x in range(x1, x2)}

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_first(app, pilot, rows=5)
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")
            await pilot.press("down")
            await pilot.pause(0.1)
            updates: list[Any] = []
            real = app._display

            def display(screen: Any, update: Any) -> None:
                if update is not None:
                    updates.append(update)
                real(screen, update)

            app._display = display  # type: ignore[method-assign]
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ProposalScreen) and app.screen.view is not None)
            await pilot.pause(0.2)
            assert updates
            assert cells(updates[0]) >= {(y, x) for y in range(24) for x in range(80)}

    run(go())

