"""Single commands act exactly once: `polis vote` killed (SIGKILL) after the node accepted its transaction
and before the journal recorded the send, then run again, never sends a second transaction; "pending"
is a state that a later command or `polis history --refresh` settles."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import add_devnet_dao
from tests.doubles.hostile_node import HostileNode
from tests.plugins.batch_evm import import_voter as _voter
from tests.plugins.batch_evm import nonce as _nonce

pytestmark = pytest.mark.anvil


def _journal() -> list[dict]:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        return query.journal(ar, limit=20)


def test_vote_killed_between_send_and_record_is_sent_once(cli, anvil, dao, env_passphrase) -> None:
    from wallet.devnet.seed import fund_and_delegate, mine, seed_dao

    voter = _voter(cli)
    dep = dao("oz", voting_delay=20)
    fund_and_delegate(anvil, dep, [voter], 1_000 * 10**18)
    seed = seed_dao(anvil, dep, n_voters=6)
    pid = seed.proposals["active"]
    with HostileNode(anvil.url) as node:
        src = add_devnet_dao(node.url, dep)
        assert cli("sync", src).code == 0
        start = _nonce(anvil, voter)
        anvil.rpc("evm_setAutomine", False)  # the transaction waits in the mempool, as on a real chain
        try:
            proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "vote", f"{src}:{pid}", "for", "--yes"],
                                    env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            node.kill_pid = proc.pid
            proc.communicate(timeout=60)
            assert proc.returncode == -9 and node.sent_raw == 1
            (entry,) = _journal()
            assert entry["state"] == "signed" and entry["tx_hash"]  # the hash was journaled before the send

            # a node simulating on the latest block (where the first vote is not yet) passes the plan: the
            # journal check refuses to sign a second one
            node.mode = "simulate_latest"
            again = cli("vote", f"{src}:{pid}", "for", "--yes")
            assert again.code == 1 and "still pending" in again.err and "nothing new was signed" in again.err
            assert node.sent_raw == 1
            assert _journal()[0]["state"] == "pending"
            node.mode = "honest"  # anvil itself simulates on its pending block: the plan is refused
            assert cli("vote", f"{src}:{pid}", "for", "--yes").code == 1 and node.sent_raw == 1
        finally:
            anvil.rpc("evm_setAutomine", True)
        mine(anvil, 1)
        third = cli("vote", f"{src}:{pid}", "for", "--yes")
        assert third.code == 0, third.err
        assert "included on chain" in third.out or "already voted" in third.out
        assert node.sent_raw == 1 and _nonce(anvil, voter) == start + 1
        hist = cli("history", "--refresh", "--json")
        assert hist.code == 0
        assert [r["state"] for r in hist.json()] == ["confirmed"]


def test_a_tx_not_included_in_time_is_pending_then_settled(cli, anvil, dao, env_passphrase, monkeypatch) -> None:
    from wallet.devnet.seed import fund_and_delegate, mine

    voter = _voter(cli)
    dep = dao("oz")
    fund_and_delegate(anvil, dep, [voter], 10 * 10**18)
    src = add_devnet_dao(anvil.url, dep)
    other = "0x" + "ab" * 20
    import wallet.actions as actions

    real = actions.execute

    def short_wait(*a, **kw):  # the wait a slow chain exceeds
        kw["timeout"] = 0.5
        return real(*a, **kw)

    monkeypatch.setattr(actions, "execute", short_wait)
    anvil.rpc("evm_setAutomine", False)
    try:
        r = cli("delegate", "--to", other, "-n", src, "--yes")
        assert r.code == 1 and "not included yet" in r.err, r.err
        assert _journal()[0]["state"] == "pending"
    finally:
        anvil.rpc("evm_setAutomine", True)
    mine(anvil, 1)
    hist = cli("history", "--refresh", "--json")
    assert [row["state"] for row in hist.json()] == ["confirmed"]


def test_vote_killed_before_its_send_left_is_sent_once_as_the_same_bytes(cli, anvil, dao, env_passphrase) -> None:
    """Killed between journaling the hash (with the signed bytes) and eth_sendRawTransaction: the node
    never had it. The re-run sends the very same bytes (same nonce: at most one can land) instead of
    waiting, calling it dropped and signing a second transaction."""
    from wallet.devnet.seed import fund_and_delegate, seed_dao

    voter = _voter(cli)
    dep = dao("oz", voting_delay=20)
    fund_and_delegate(anvil, dep, [voter], 1_000 * 10**18)
    pid = seed_dao(anvil, dep, n_voters=6).proposals["active"]
    with HostileNode(anvil.url) as node:
        src = add_devnet_dao(node.url, dep)
        assert cli("sync", src).code == 0
        start = _nonce(anvil, voter)
        proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "vote", f"{src}:{pid}", "for", "--yes"],
                                env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        node.kill_before_send = proc.pid
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == -9 and node.sent_raw == 0 and _nonce(anvil, voter) == start
        (entry,) = _journal()
        assert entry["state"] == "signed" and entry["detail"]["nonce"] == start and "raw" not in entry

        again = cli("vote", f"{src}:{pid}", "for", "--yes")
        assert again.code == 0, again.err
        assert "included on chain" in again.out and "nothing new was sent" in again.out
        assert node.sent_raw == 1 and _nonce(anvil, voter) == start + 1
        (entry,) = _journal()
        assert entry["state"] == "confirmed"
