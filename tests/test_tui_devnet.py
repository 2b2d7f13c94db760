"""Pilot tests of the TUI against the real anvil devnet: vote with a reason through the dialog (wrong
passphrase first), see the vote in the archive and on chain, and delegate from the stakes screen."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import PASSPHRASE, add_devnet_dao
from tests.plugins.tui_helpers import table_rows, text_of, wait_for

pytestmark = pytest.mark.anvil


@pytest.fixture
def devnet_dao(anvil, dao):  # type: ignore[no-untyped-def]
    from wallet.devnet.seed import fund_and_delegate, seed_dao
    from wallet.keys import derive
    from wallet.keys.vault import Vault
    from wallet.sync import sync_sources

    meta = Vault().add_mnemonic("me", derive.generate_mnemonic(12), PASSPHRASE)
    me = meta.addresses["evm"]
    dep = dao("oz")
    fund_and_delegate(anvil, dep, [me], 10**21)
    seed = seed_dao(anvil, dep, n_voters=6, with_states=False)
    src = add_devnet_dao(anvil.url, dep, "tui")
    assert sync_sources([src]).ok
    return src, seed, me


def test_vote_with_reason_wrong_passphrase_then_delegate(devnet_dao) -> None:  # type: ignore[no-untyped-def]
    from screens.app import make_app
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive, query

    src, seed, me = devnet_dao
    pid = seed.proposals["active"]
    other = seed.voters[0]

    async def go() -> None:
        app = make_app(check_online=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: "online" in text_of(app, "#archive-bar"), what="online check")
            inbox = app.screen
            inbox.set_filters(status="active")
            await wait_for(pilot, lambda: [r for r in table_rows(app, "#inbox")] and
                           all(r[2] == "active" for r in table_rows(app, "#inbox")))
            await pilot.press("enter")
            await wait_for(pilot, lambda: f"{src}:{pid}" in text_of(app, "#timeline"), what="proposal")
            assert "ACTIVE" in text_of(app, "#p-meta")
            assert "not voted" in text_of(app, "#my-vote")
            await pilot.press("v")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionDialog")
            app.screen.query_one("#reason").value = "ship it [b]now[/b]"
            app.screen.query_one("#plan").press()
            panel = app.screen.query_one("#plan-panel")
            await wait_for(pilot, lambda: panel.stage == "review", timeout=30, what="plan")
            summary = text_of(app, "#plan-summary")
            assert "Vote FOR" in summary and "reason: ship it [b]now[/b]" in summary and "fee estimate" in summary
            app.screen.query_one("#passphrase").value = "not the passphrase"
            app.screen.query_one("#sign").press()
            await wait_for(pilot, lambda: "wrong passphrase" in text_of(app, "#plan-progress"), timeout=30)
            assert panel.stage == "review"  # nothing signed; try again
            app.screen.query_one("#passphrase").value = PASSPHRASE
            app.screen.query_one("#sign").press()
            await wait_for(pilot, lambda: panel.stage == "done", timeout=60, what="inclusion")
            assert "included in block" in text_of(app, "#plan-progress")
            await pilot.press("escape")
            await wait_for(pilot, lambda: "voted FOR" in text_of(app, "#my-vote"), what="my vote shown")
            # delegate from the stakes screen
            await pilot.press("2")
            await wait_for(pilot, lambda: any(r[0] == src and r[2] == "delegation"
                                              for r in table_rows(app, "#positions")), timeout=30)
            await pilot.press("d")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionDialog")
            app.screen.query_one("#to").value = other
            app.screen.query_one("#plan").press()
            panel = app.screen.query_one("#plan-panel")
            await wait_for(pilot, lambda: panel.stage == "review", timeout=30)
            assert other.lower() in text_of(app, "#plan-summary").lower()
            app.screen.query_one("#passphrase").value = PASSPHRASE
            app.screen.query_one("#sign").press()
            await wait_for(pilot, lambda: panel.stage == "done", timeout=60)
            await pilot.press("escape")

    asyncio.run(asyncio.wait_for(go(), 150))
    with open_archive(readonly=True) as ar:
        vote = query.vote_of(ar, src, pid, [me])
    assert vote is not None and vote["choice"] == "for" and vote["reason"] == "ship it [b]now[/b]"
    ad = adapter_for(src)
    try:
        assert ad.has_voted(me, pid)
        assert str(ad.delegations(me)["delegate"]).lower() == other.lower()
    finally:
        ad.close()


def test_errors_are_plain_already_voted_and_not_active(devnet_dao) -> None:  # type: ignore[no-untyped-def]
    """The archive's state decides whether a vote is offered; the node's check still runs before signing
    (an archive that wrongly says "active" is caught by the plan)."""
    from screens.app import make_app
    from wallet.cache import open_archive

    src, seed, _me = devnet_dao
    pending = seed.proposals["pending"]

    async def go() -> None:
        app = make_app(check_online=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.open_vote(src, pending)
            await pilot.pause()
            assert type(app.screen).__name__ != "ActionDialog"  # not offered: the archive says it is pending
            # "voting has not opened", or, once its archived start has passed, "may have opened: sync it"
            assert any(n.title == "No vote here" and "PENDING" in n.message for n in app._notifications)
            with open_archive() as ar, ar.conn:
                ar.conn.execute("UPDATE proposals SET status='active', start_ts=?, end_ts=? WHERE source=? AND id=?",
                                (int(app.now()) - 60, int(app.now()) + 3600, src, pending))
            app.open_vote(src, pending)
            await wait_for(pilot, lambda: app.screen.query_one("#plan"))
            app.screen.query_one("#plan").press()
            panel = app.screen.query_one("#plan-panel")
            await wait_for(pilot, lambda: panel.stage == "error", timeout=30)
            text = text_of(app, "#plan-progress")
            assert "not Active" in text and "Traceback" not in text

    asyncio.run(asyncio.wait_for(go(), 60))


def test_focus_and_enter_in_the_vote_dialog(devnet_dao, passphrase_file) -> None:  # type: ignore[no-untyped-def]
    """After Review plan the Sign button has focus; Enter in a form field never re-plans (or signs) a plan
    under review, and editing the form withdraws it; after the result, Enter closes the dialog."""
    from screens.app import make_app

    src, seed, _me = devnet_dao
    pid = seed.proposals["active"]

    async def go() -> None:
        app = make_app(check_online=False, passphrase_file=str(passphrase_file))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.open_vote(src, pid)
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionDialog" and app.screen.query("#reason"))
            dialog = app.screen
            panel = dialog.query_one("#plan-panel")
            dialog.query_one("#plan").press()
            await wait_for(pilot, lambda: panel.stage == "review", timeout=30, what="plan")
            await wait_for(pilot, lambda: app.focused is dialog.query_one("#sign"), what="focus on Sign and send")
            summary = text_of(app, "#plan-summary")
            assert "Proposal: " in summary and "ACTIVE" in summary and "read as FOR" in summary
            plans = 0

            def count(*_a: object) -> None:
                nonlocal plans
                plans += 1

            panel._plan_worker = count  # type: ignore[method-assign]  (any new plan would go through here)
            dialog.query_one("#reason").focus()
            await pilot.press("enter")
            assert panel.stage == "review" and plans == 0
            await wait_for(pilot, lambda: app.focused is dialog.query_one("#sign"))
            await pilot.press("x")  # typing goes to the Sign button: nothing changes
            dialog.query_one("#reason").value = "changed my mind"
            await wait_for(pilot, lambda: panel.stage == "idle", what="plan withdrawn")
            assert "Review plan again" in text_of(app, "#plan-progress") and plans == 0
            del panel._plan_worker  # the real planner again
            dialog.query_one("#plan").press()
            await wait_for(pilot, lambda: panel.stage == "review", timeout=30)
            assert "reason: changed my mind" in text_of(app, "#plan-summary")
            await wait_for(pilot, lambda: app.focused is dialog.query_one("#sign"))
            await pilot.press("enter")  # Enter on the focused Sign button signs
            await wait_for(pilot, lambda: panel.stage == "done", timeout=60, what="inclusion")
            # the panel's stage turns "done" before its Finished message relabels the button
            close = dialog.query_one("#cancel")
            await wait_for(pilot, lambda: app.focused is close and str(close.label) == "Close", what="focus on Close")
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ != "ActionDialog", what="closed by Enter")

    asyncio.run(asyncio.wait_for(go(), 150))
