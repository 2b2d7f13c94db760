"""Pilot tests of the TUI over every family's test double (real wire formats, signatures verified by
the doubles): a Cosmos vote through the dialog (which fits 80×24), a Cosmos stake picked from the
validator list, Cosmos balances on the accounts screen, a Bittensor stake with hotkey and subnet
pickers, a Snapshot approval vote, and quitting in the middle of a sync."""

from __future__ import annotations

import asyncio
import time

from tests.conftest import PASSPHRASE
from tests.plugins.bittensor import pub_hex
from tests.plugins.cosmos import Env
from tests.plugins.snapshot import VSOURCE, _open_proposals, _pid
from tests.plugins.tui_helpers import table_rows, text_of, wait_for


def run(coro, timeout: float = 90):  # type: ignore[no-untyped-def]
    return asyncio.run(asyncio.wait_for(coro, timeout))


def make():  # type: ignore[no-untyped-def]
    from screens.app import make_app

    return make_app(check_online=False, persist_settings=False)


def fully_visible(app, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """On screen and not clipped by a scroll: what a person sees without scrolling."""
    w = app.screen.query_one(selector)
    r = w.region
    return r.height == w.outer_size.height and r.width > 0 and r.bottom <= app.size.height


async def plan_and_sign(pilot, app, passphrase: str | None = PASSPHRASE) -> str:  # type: ignore[no-untyped-def]
    panel = app.screen.query_one("#plan-panel")
    await pilot.click("#plan")
    await wait_for(pilot, lambda: panel.stage in ("review", "error"), timeout=30, what="plan")
    assert panel.stage == "review", text_of(app, "#plan-progress")
    # 80×24: no scrolling to sign (the button appears with the review stage's style, one frame later)
    await wait_for(pilot, lambda: fully_visible(app, "#sign") and fully_visible(app, "#cancel"), what="sign button")
    summary = text_of(app, "#plan-summary")
    if passphrase:
        app.screen.query_one("#passphrase").value = passphrase
    await pilot.click("#sign")
    await wait_for(pilot, lambda: panel.stage in ("done", "error"), timeout=30, what="inclusion")
    assert panel.stage == "done", text_of(app, "#plan-progress")
    return summary


def test_cosmos_vote_through_the_dialog_at_80x24(akash: Env) -> None:  # noqa: F811
    from wallet.cache import open_archive, query
    from wallet.sync import sync_sources

    assert sync_sources(["akash"]).ok

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count > 0)
            app.screen.set_filters(network="akash", status="active")
            await wait_for(pilot, lambda: [r[1] for r in table_rows(app, "#inbox")][:1] and
                           all(r[2] == "active" for r in table_rows(app, "#inbox")))
            rows = table_rows(app, "#inbox")
            app.screen.query_one("#inbox").move_cursor(row=next(i for i, r in enumerate(rows) if "second" not in r[1]))
            await pilot.press("enter")
            await wait_for(pilot, lambda: "akash:341" in text_of(app, "#timeline"), what="proposal 341")
            await pilot.press("v")
            await wait_for(pilot,
                           lambda: type(app.screen).__name__ == "ActionDialog" and app.screen.query("#plan-panel"))
            labels = [str(b.label) for b in app.screen.query("RadioButton")]
            assert labels == ["YES", "NO", "ABSTAIN", "NO WITH VETO"]
            assert fully_visible(app, "#plan") and fully_visible(app, "#reason")
            no = next(b for b in app.screen.query("RadioButton") if b.name == "no")
            no.value = True
            app.screen.query_one("#reason").value = "not [b]now[/b]"
            summary = await plan_and_sign(pilot, app)
            assert "NO" in summary and "fee estimate" in summary
            await pilot.press("escape")
            await wait_for(pilot, lambda: "voted NO" in text_of(app, "#my-vote"), what="my vote on the screen")

    run(go())
    vote = akash.node.chain.votes[341][akash.me]
    assert vote == {"options": [(3, "1")], "metadata": "not [b]now[/b]"}
    assert akash.node.signatures_verified == 1
    with open_archive(readonly=True) as ar:
        mine = query.vote_of(ar, "akash", "341", [akash.me])
    assert mine is not None and mine["choice"] == "no" and mine["reason"] == "not [b]now[/b]"


def test_cosmos_stake_from_the_validator_picker_and_balances(akash: Env) -> None:  # noqa: F811
    beta = akash.validators["beta"]

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("2")
            await wait_for(pilot, lambda: any(r[0] == "akash" and r[2] == "staked" and "cosmosrescue" in r[3]
                                              for r in table_rows(app, "#positions")), timeout=30, what="positions")
            row = next(r for r in table_rows(app, "#positions") if r[0] == "akash")
            assert row[4] == "10 AKT" and "rewards 0.1234" in row[5]
            await pilot.press("s")
            await wait_for(pilot,
                           lambda: type(app.screen).__name__ == "ActionDialog" and app.screen.query("#plan-panel"))
            await wait_for(pilot, lambda: "4 targets" in text_of(app, "#targets-note"), what="validator list")
            sel = app.screen.query_one("#target")
            labels = [str(p) for p, _v in sel._options]
            assert any("Beta Stake" in x for x in labels) and any("JAILED" in x for x in labels)
            sel.value = beta
            app.screen.query_one("#amount").value = "1.5"
            summary = await plan_and_sign(pilot, app)
            assert "1.5 AKT" in summary or "1500000" in summary
            await pilot.press("escape")
            await wait_for(pilot, lambda: any("Beta Stake" in r[3] for r in table_rows(app, "#positions")),
                           timeout=30, what="new position")
            await pilot.press("3")
            await wait_for(pilot, lambda: table_rows(app, "#accounts"))
            await pilot.press("b")
            await wait_for(pilot, lambda: "akash:" in text_of(app, "#detail"), timeout=30, what="balances")
            detail = text_of(app, "#detail")
            assert "AKT" in detail and "staked 11.5 AKT" in detail, detail

    run(go())
    assert akash.node.chain.delegations[(akash.me, beta)] == 1_500_000
    assert akash.node.signatures_verified == 1


def test_bittensor_stake_with_hotkey_and_subnet_pickers(bt_ready, bt_keys) -> None:  # noqa: F811
    hk = bt_keys.hotkeys[0]

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("2")
            await wait_for(pilot, lambda: "bittensor" in text_of(app, "#detail") or table_rows(app, "#positions")
                           or "no positions" in text_of(app, "#detail"), timeout=30)
            await pilot.press("s")
            await wait_for(pilot,
                           lambda: type(app.screen).__name__ == "ActionDialog" and app.screen.query("#plan-panel"))
            # the note reads "loading targets…" until the node's answer arrives
            await wait_for(pilot, lambda: "targets" in text_of(app, "#targets-note")
                           and "loading" not in text_of(app, "#targets-note"), timeout=30, what="hotkeys")
            # Bittensor stakes per subnet; the note says why when the node's subnets did not arrive
            assert not app.screen.query_one("#subnet-row").has_class("-hidden"), text_of(app, "#targets-note")
            app.screen.query_one("#target").value = hk
            app.screen.query_one("#subtarget").value = "1"
            app.screen.query_one("#amount").value = "1.5"
            summary = await plan_and_sign(pilot, app, passphrase=None)  # POLIS_PASSPHRASE_FILE unlocks
            assert "1.5" in summary and "TAO" in summary
            await pilot.press("escape")
            await wait_for(pilot,
                           lambda: any(r[0] == "bittensor" and r[3] == hk for r in table_rows(app, "#positions")),
                           timeout=30, what="the new stake")
            await pilot.press("3")
            await wait_for(pilot, lambda: table_rows(app, "#accounts"))
            await pilot.press("b")
            await wait_for(pilot, lambda: "bittensor:" in text_of(app, "#detail"), timeout=30, what="balances")
            assert "TAO" in text_of(app, "#detail")

    run(go())
    assert bt_ready.chain.alpha_of(pub_hex(hk), pub_hex(bt_keys.coldkey), 1) > 0
    assert bt_ready.rejected == []


def test_snapshot_approval_vote_and_choice_forms_per_vote_type(voting, voter) -> None:  # noqa: F811
    from wallet.sync import sync_sources

    _open_proposals(voting, voter)
    assert sync_sources([VSOURCE]).ok
    approval, ranked, weighted = _pid(0xA2), _pid(0xA3), _pid(0xA4)

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count == 6)
            app.open_vote(VSOURCE, ranked)  # from the inbox: choices and vote type come from the archive
            await wait_for(pilot, lambda: app.screen.query("#plan-panel") and app.screen.query("#ranking"))
            assert app.screen.query_one("#ranking").value == "1>2>3>4" and not app.screen.query("RadioSet")
            await pilot.press("escape")
            app.open_vote(VSOURCE, weighted)
            await wait_for(pilot, lambda: app.screen.query("#plan-panel") and app.screen.query("#weights"))
            assert "1=Alice" in " ".join(str(w.render()) for w in app.screen.query("Label"))
            await pilot.press("escape")
            app.open_vote(VSOURCE, approval)
            await wait_for(pilot, lambda: app.screen.query("#plan-panel") and len(app.screen.query(".approve")) == 4)
            boxes = list(app.screen.query(".approve"))
            assert [b.value for b in boxes] == [True, False, False, False]
            boxes[2].value = True
            app.screen.query_one("#reason").value = "because tests"
            summary = await plan_and_sign(pilot, app, passphrase=None)
            assert "Alice" in summary and "Carol" in summary

    run(go())
    [v] = [v for v in voting.state.votes if v["proposal"] == approval]
    assert v["voter"] == voter and v["choice"] == [1, 3] and v["reason"] == "because tests"


def test_quit_mid_sync_keeps_the_archive_consistent_and_resync_completes(akash: Env) -> None:  # noqa: F811
    from wallet.cache import open_archive
    from wallet.sync import sync_sources

    assert sync_sources(["akash"]).ok
    with open_archive(readonly=True) as ar:
        before = ar.conn.execute("SELECT count(*) FROM proposals WHERE source='akash'").fetchone()[0]
    for pid in range(350, 356):  # new open proposals; reading their votes is slow (0.3 s a request)
        akash.node.add_proposal(pid, 2, title=f"New proposal {pid}")
    akash.node.fault("/votes", "timeout", 100, delay=0.3)
    quit_at: dict[str, float] = {}

    async def go() -> None:
        app = make()
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.screen.query_one("#inbox").row_count > 0)
            await pilot.press("S")
            await wait_for(pilot, lambda: "votes of proposal" in text_of(app, "#archive-bar"), timeout=30,
                           what="sync in its votes phase")
            assert app.screen.query_one("#sync-progress").has_class("-syncing")
            quit_at["t"] = time.monotonic()
            await pilot.press("q")

    run(go())  # returns once the worker thread has stopped at its next checkpoint
    assert time.monotonic() - quit_at["t"] < 5, "quitting waited for the whole sync"
    with open_archive(readonly=True) as ar:
        assert ar.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        now = ar.conn.execute("SELECT count(*) FROM proposals WHERE source='akash'").fetchone()[0]
    assert now == before  # the interrupted sync stored nothing half-way and lost nothing
    akash.node.faults.clear()
    out = sync_sources(["akash"])
    assert out.ok, out.errors
    with open_archive(readonly=True) as ar:
        assert ar.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {r[0] for r in ar.conn.execute("SELECT id FROM proposals WHERE source='akash'")}
    assert {str(p) for p in range(350, 356)} <= ids and len(ids) == before + 6
