"""A command has one time budget, however many requests it makes (wallet/budget.py): many slow answers
(each within its own deadline), a slow-loris under a long per-request deadline, or a stalling websocket
end the command within the budget plus a small margin, with a one-line error naming it (exit 1); the
archive is left as it was and a send cut short stays open in the journal until it is settled."""

from __future__ import annotations

import time

import pytest

from tests.conftest import add_devnet_dao
from tests.doubles.archive_dump import dump
from tests.doubles.faults import FaultProxy
from tests.doubles.hostile_node import HostileNode
from tests.plugins.batch_evm import import_voter

MARGIN = 2.5
"""Seconds past the budget a loaded 2-core box may take to stop and exit."""


def _one_line_budget_error(r, seconds: int) -> None:  # type: ignore[no-untyped-def]
    assert r.code == 1, (r.code, r.err)
    (line,) = [x for x in r.err.splitlines() if x.startswith("error:")]
    assert f"used up its time budget of {seconds} s" in line and "Traceback" not in r.err, r.err


def test_budget_values_are_checked_and_prompts_do_not_count(cli, monkeypatch) -> None:
    from wallet import budget

    for bad in ("abc", "-1", "inf", "nan", "1e9"):
        r = cli("--timeout", bad, "status")
        assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and "--timeout" in r.err, (bad, r.err)
    monkeypatch.setenv("POLIS_COMMAND_TIMEOUT", "soon")
    r = cli("status")
    assert r.code == 2 and "POLIS_COMMAND_TIMEOUT" in r.err
    monkeypatch.setenv("POLIS_COMMAND_TIMEOUT", "0")
    assert budget.choose("read") is None and budget.choose("read", 5.0) == 5.0
    monkeypatch.delenv("POLIS_COMMAND_TIMEOUT")
    assert budget.choose("sync") == budget.DEFAULTS["sync"] and budget.choose("local") is None
    budget.start(0.3, "vote")
    try:
        with budget.paused():  # the user reading a plan or typing a passphrase
            time.sleep(0.4)
        assert budget.bound(10.0) <= 0.3
        time.sleep(0.35)
        with pytest.raises(budget.BudgetExceeded, match="'vote' used up its time budget of 0.3 s"):
            budget.bound(10.0)
    finally:
        budget.stop()


@pytest.mark.anvil
def test_many_slow_requests_end_within_the_budget(cli, anvil, seeded_dao, monkeypatch) -> None:
    from wallet.devnet.seed import mine

    dep, _seed = seeded_dao("oz", n_voters=12)
    with FaultProxy(anvil.url, rate=0.0) as proxy:
        src = add_devnet_dao(proxy.url, dep)
        assert cli("sync", src).code == 0
        before = dump()
        mine(anvil, 50)
        # every answer now takes 1 s, well within the 20 s deadline of one request: only the budget bounds the sum
        proxy.rate, proxy.faults, proxy.stall = 1.0, ("stall",), 1.0
        t0 = time.monotonic()
        r = cli("--timeout", "2", "sync", src)
        took = time.monotonic() - t0
        _one_line_budget_error(r, 2)
        assert took < 2 + MARGIN, took
        assert proxy.counts["stall"] >= 2  # it was making progress, request after request
        assert dump() == before
        monkeypatch.setenv("POLIS_COMMAND_TIMEOUT", "2")  # the same budget from the environment
        t0 = time.monotonic()
        _one_line_budget_error(cli("sync", src), 2)
        assert time.monotonic() - t0 < 2 + MARGIN
        assert dump() == before
        monkeypatch.setenv("POLIS_COMMAND_TIMEOUT", "0")  # no budget: the same slow node is simply slow
        proxy.stall = 0.05
        assert cli("sync", src).code == 0


@pytest.mark.anvil
def test_slow_loris_under_a_long_request_deadline_ends_at_the_budget(cli, anvil, seeded_dao, monkeypatch) -> None:
    dep, _seed = seeded_dao("oz", n_voters=4)
    monkeypatch.setenv("POLIS_RPC_TIMEOUT", "60")
    with HostileNode(anvil.url, drip=0.5) as node:
        src = add_devnet_dao(node.url, dep)
        assert cli("sync", src).code == 0
        before = dump()
        node.mode = "slow_loris"  # one byte every 0.5 s: the request's own 60 s would hold the user a minute
        t0 = time.monotonic()
        r = cli("--timeout", "2", "sync", src)
        _one_line_budget_error(r, 2)
        assert time.monotonic() - t0 < 2 + MARGIN
        assert dump() == before


def test_stalling_websocket_ends_within_the_budget(bt_ready, cli) -> None:  # type: ignore[no-untyped-def]
    from tests.doubles.substrate_node import Faults

    bt_ready.faults = Faults(rate=1.0, seed=3, kinds=("stall",), stall=1.0)  # each answer after 1 s of 30 allowed
    t0 = time.monotonic()
    r = cli("--timeout", "3", "stake", "list", "-n", "bittensor")
    _one_line_budget_error(r, 3)
    assert time.monotonic() - t0 < 3 + MARGIN
    assert bt_ready.faults.counts["stall"] >= 2


@pytest.mark.anvil
def test_a_send_cut_short_by_the_budget_stays_open_and_is_settled(cli, anvil, dao, env_passphrase) -> None:
    from wallet.cache import open_archive, query
    from wallet.devnet.seed import fund_and_delegate, mine

    voter = import_voter(cli)
    dep = dao("oz")
    fund_and_delegate(anvil, dep, [voter], 10 * 10**18)
    src = add_devnet_dao(anvil.url, dep)
    anvil.rpc("evm_setAutomine", False)  # sent, then waiting for a block that does not come
    try:
        t0 = time.monotonic()
        r = cli("--timeout", "8", "delegate", "--to", "0x" + "ab" * 20, "-n", src, "--yes")
        _one_line_budget_error(r, 8)
        assert time.monotonic() - t0 < 8 + MARGIN
        with open_archive(readonly=True) as ar:
            (entry,) = query.journal(ar, limit=5)
        assert entry["state"] in ("signed", "sent") and entry["tx_hash"]  # open, never "failed"
        again = cli("delegate", "--to", "0x" + "ab" * 20, "-n", src, "--yes")  # settled first: nothing new
        assert again.code == 1 and "still pending" in again.err, again.err
    finally:
        anvil.rpc("evm_setAutomine", True)
    mine(anvil, 1)
    hist = cli("history", "--refresh", "--json")
    assert [row["state"] for row in hist.json()] == ["confirmed"]
