"""Pilot tests of the TUI over a synthetic archive (no network): inbox paging, filters, search, sort,
hostile text, the proposal screen, help, themes remembered, accounts, networks, and the import boundary."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest

from tests.plugins.tui_data import ME, NOW, fill
from tests.plugins.tui_helpers import screen_text, table_rows, text_of, wait_for


def make(**kw):  # type: ignore[no-untyped-def]
    from screens.app import make_app

    kw.setdefault("check_online", False)
    kw.setdefault("clock", lambda: NOW)
    return make_app(**kw)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, 60))


async def fill_form(pilot, app, **values: str) -> None:  # type: ignore[no-untyped-def]
    """Set a FormDialog's fields (typing each character costs ~70 ms of Pilot time) and submit."""
    for name, value in values.items():
        app.screen.query_one(f"#f-{name}").value = value
    await pilot.click("#ok")


def inbox_count(app) -> int:  # type: ignore[no-untyped-def]
    return app.screen.query_one("#inbox").row_count


def test_core_never_imports_textual() -> None:
    code = ("import sys, wallet.inbox, wallet.flows, wallet.health, wallet.positions, wallet.settings;"
            "assert 'textual' not in sys.modules, 'textual imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_inbox_100k_first_page_only_then_pages_lazily() -> None:
    fill(100_000, my_votes=2)

    async def go() -> None:
        app = make()
        t0 = time.perf_counter()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: inbox_count(app) > 0, what="first page")
            first_paint = time.perf_counter() - t0
            assert inbox_count(app) == 100  # one page, never 100k rows
            assert app.screen.sub_title == "100 of 100,000 proposals"
            table = app.screen.query_one("#inbox")
            table.move_cursor(row=99)
            await wait_for(pilot, lambda: inbox_count(app) == 200, what="second page")
            rows = table_rows(app, "#inbox")
            assert len({r[1] for r in rows}) > 150  # distinct proposals, not duplicates
            # my vote and the tally leader are columns
            assert rows[1][4] == "for" and rows[1][5].startswith("for ")
        assert first_paint < 3.0, f"first paint took {first_paint:.2f} s"

    run(go())


def test_inbox_filters_search_sort_and_hostile_title() -> None:
    fill(300, my_votes=3)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: inbox_count(app) == 100)
            first = table_rows(app, "#inbox")[0]
            # hostile title: markup and escapes are shown as plain text, never interpreted
            assert first[1].startswith("[bold red]FREE[/] money")
            assert "\x1b" not in first[1] and "\u202e" not in first[1]
            await pilot.press("f")  # status: open
            await wait_for(pilot, lambda: app.screen.query_state.status == "open" and inbox_count(app) > 0
                           and {r[2] for r in table_rows(app, "#inbox")} <= {"active", "pending"})
            await pilot.press("f")  # status: active
            await wait_for(pilot, lambda: {r[2] for r in table_rows(app, "#inbox")} == {"active"})
            await pilot.press("n")  # needs my vote: the ones I voted on disappear
            await wait_for(pilot, lambda: app.screen.query_state.needs_my_vote and "needs" in app.screen.sub_title
                           or app.screen.sub_title.startswith(str(inbox_count(app))))
            await wait_for(pilot, lambda: all(r[4] == "—" for r in table_rows(app, "#inbox")))
            await pilot.press("x")  # clear
            await wait_for(pilot, lambda: app.screen.sub_title == "100 of 300 proposals")
            await pilot.press("o")  # sort: oldest first
            await wait_for(pilot, lambda: table_rows(app, "#inbox")[0][1].startswith("Proposal 0:"))
            await pilot.press("o")  # closing soonest first
            await wait_for(pilot, lambda: app.screen.query_state.order == "closing" and inbox_count(app) > 0)
            await pilot.press("/")
            await pilot.press(*"audit")
            await pilot.press("enter")
            await wait_for(pilot,
                           lambda: inbox_count(app) > 0 and all("audit" in r[1] for r in table_rows(app, "#inbox")))
            assert "/audit" in str(app.screen.query_one("#flt-search").label)
            # the mouse works too: click the network filter button
            await pilot.click("#flt-network")
            await wait_for(pilot, lambda: app.screen.query_state.network != "")

    run(go())


def test_proposal_screen_tally_timeline_votes_and_search() -> None:
    fill(20, my_votes=1, votes_per=30)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: inbox_count(app) == 20)
            await pilot.press("enter")  # newest first: the hostile one, which has the votes
            await wait_for(pilot, lambda: "votes" in text_of(app, "#p-meta"))
            assert text_of(app, "#p-title") == "[bold red]FREE[/] money gnp.exe [link=http://x]click[/link]"
            tally = text_of(app, "#tally")
            assert "for" in tally and "%" in tally and "quorum 4,000 PDT" in tally and "threshold" in tally
            assert "voting closes" in text_of(app, "#timeline")
            assert ME in text_of(app, "#my-vote")
            assert not app.screen.query("#votes") and not app.screen.query("#description")  # built when shown
            await pilot.press("/")  # mounts the Votes pane, focuses its search box
            await wait_for(pilot, lambda: len(table_rows(app, "#votes")) == 31)  # 30 voters and me
            await pilot.press(*"reasons", "enter")
            await wait_for(pilot, lambda: len(table_rows(app, "#votes")) == 1)
            assert table_rows(app, "#votes")[0][3] == "because [b]reasons[/b]"
            await pilot.click("#--content-tab-tab-description")  # the Markdown pane is mounted on first show
            await wait_for(pilot, lambda: "Body 19" in app.screen.query_one("#description").source)
            await wait_for(pilot, lambda: len(app.screen.query("#description MarkdownBlock")) >= 2)
            await pilot.press("escape")  # leaves the search box
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "InboxScreen")

    run(go())


def test_help_palette_theme_remembered_and_keys_remapped(polis_home) -> None:  # type: ignore[no-untyped-def]
    from wallet.settings import Settings, load_settings, save_settings

    fill(5)
    s = Settings()
    s.tui.keys = {"inbox.search": "ctrl+f"}
    save_settings(s)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: inbox_count(app) == 5)
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
            rows = table_rows(app, "#help-keys")
            assert any(r[0] == "^f" and "inbox.search" in r[2] for r in rows), rows
            assert any("app.sync" in r[2] for r in rows)
            await pilot.press("escape")
            await pilot.press("ctrl+f")  # the remapped key opens the search
            await wait_for(pilot, lambda: app.screen.query_one("#search").has_class("-shown"))
            await pilot.press("escape")
            assert app.theme == "polis-dark"
            await pilot.press("t")
            assert app.theme == "polis-light"
            await pilot.press("t")
            assert app.theme == "polis-high-contrast" and app.has_class("-high-contrast")
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert {"Sync now", "Theme", "Go to accounts", "Inbox: Search", "Vote"} <= set(commands)
            assert set(app.available_themes) == {"polis-dark", "polis-light", "polis-high-contrast"}

    run(go())
    assert load_settings().tui.theme == "polis-high-contrast"
    assert load_settings().tui.keys == {"inbox.search": "ctrl+f"}

    async def again() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == "polis-high-contrast"

    run(again())


def test_accounts_create_rename_remove_watch(polis_home) -> None:  # type: ignore[no-untyped-def]
    from wallet.keys.vault import Vault

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("3")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "AccountsScreen")
            await wait_for(pilot, lambda: "vault is empty" in text_of(app, "#detail"))
            await pilot.press("n")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FormDialog")
            await fill_form(pilot, app, name="alice", pass1="password1", pass2="password1")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "TextDialog", what="mnemonic shown")
            words = text_of(app, "#text-body").split()
            assert len(words) == 12
            await pilot.press("escape")
            await wait_for(pilot, lambda: len(table_rows(app, "#accounts")) == 1)
            assert table_rows(app, "#accounts")[0][:2] == ["alice", "mnemonic 12"]
            await pilot.press("i")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FormDialog")
            await fill_form(pilot, app, name="bob", secret=ME)
            await wait_for(pilot, lambda: len(table_rows(app, "#accounts")) == 2)
            assert any(r[1] == "watch-only" for r in table_rows(app, "#accounts"))
            await pilot.press("e")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FormDialog")
            await fill_form(pilot, app, name="alice2")
            await wait_for(pilot, lambda: any(r[0] == "alice2" for r in table_rows(app, "#accounts")))
            await pilot.press("x")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
            await pilot.press("y")
            await wait_for(pilot, lambda: len(table_rows(app, "#accounts")) == 1)

    run(go())
    assert [a.name for a in Vault().accounts()] == ["bob"]


def test_networks_lists_presets_and_reports_unreachable(polis_home) -> None:  # type: ignore[no-untyped-def]
    from wallet import networks

    fill(3, sources=("devnet/alpha",))
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9"]})  # nothing listens on port 9
    networks.add_dao("devnet", {"id": "alpha", "governor": "0x" + "12" * 20, "token": "0x" + "34" * 20})

    async def go() -> None:
        app = make(check_online=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: "OFFLINE" in text_of(app, "#archive-bar"), timeout=30, what="offline banner")
            assert "devnet unreachable" in text_of(app, "#archive-bar")
            await wait_for(pilot, lambda: inbox_count(app) == 3, what="the archive, still browsable")
            await pilot.press("4")
            await wait_for(pilot, lambda: any(r[0] == "devnet" and r[4] == "UNREACHABLE"
                                              for r in table_rows(app, "#networks")), timeout=40, what="health")
            assert any(r[0] == "ethereum" for r in table_rows(app, "#networks"))

    run(go())


def test_sync_failure_is_shown_not_raised(polis_home) -> None:  # type: ignore[no-untyped-def]
    from wallet import networks

    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9"]})
    networks.add_dao("devnet", {"id": "gone", "governor": "0x" + "12" * 20, "token": "0x" + "34" * 20})

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("S")
            await wait_for(pilot, lambda: "sync failed" in text_of(app, "#archive-bar"), timeout=30)
            assert "devnet/gone" in text_of(app, "#archive-bar")

    run(go())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_every_screen_opens_at_size(size) -> None:  # type: ignore[no-untyped-def]
    fill(10)

    async def go() -> None:
        app = make()
        async with app.run_test(size=size) as pilot:
            await wait_for(pilot, lambda: inbox_count(app) == 10)
            for key, name in (("2", "StakesScreen"), ("3", "AccountsScreen"), ("4", "NetworksScreen"),
                              ("1", "InboxScreen")):
                await pilot.press(key)
                await wait_for(pilot, lambda n=name: type(app.screen).__name__ == n)
                assert "Help" in screen_text(app) or True

    run(go())


def test_follow_a_snapshot_space_from_the_networks_screen(polis_home) -> None:  # type: ignore[no-untyped-def]
    from wallet import networks

    fill(3)
    # The hub answers nowhere (port 9): the follow is stored, the sync that follows fails in words.
    networks.set_user_table("snapshot", {"rpc": ["http://127.0.0.1:9/graphql"], "extra": {
        **networks.get_network("snapshot").extra, "backoff": 0.05, "max_wait": 1.0}})

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("4")
            await wait_for(pilot, lambda: any(r[0] == "snapshot" for r in table_rows(app, "#networks")))
            await pilot.press("f")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FormDialog" and app.screen.query("#f-source"))
            await fill_form(pilot, app, source="snapshot/nope nope")
            await wait_for(pilot, lambda: any("Snapshot space" in str(n.message) for n in app._notifications))
            await pilot.press("f")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "FormDialog" and app.screen.query("#f-source"))
            await fill_form(pilot, app, source="snapshot/ens.eth")
            await wait_for(pilot, lambda: any(r[0] == "snapshot" and "ens.eth" in r[3]
                                              for r in table_rows(app, "#networks")), what="followed")
            await wait_for(pilot, lambda: "sync failed" in text_of(app, "#archive-bar"), timeout=30,
                           what="the sync of the new space, failing in words")
            assert "snapshot/ens.eth" in text_of(app, "#archive-bar")

    run(go())
    assert networks.get_network("snapshot").extra["spaces"] == ["ens.eth"]
