"""SingularityNET stake plans act exactly once per step: `polis stake add` (approve then submitStake) killed
(SIGKILL) around the approve's broadcast, then run again, puts exactly one approve and one submitStake on
chain (on anvil, with the devnet TokenStake behind a forwarding node that kills the sender); a batch run
resumes the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.doubles.hostile_node import HostileNode
from tests.plugins.batch_evm import nonce as _nonce
from tests.plugins.snet import NET, agix, stake_info
from wallet.devnet.snet import AGIX

pytestmark = pytest.mark.anvil


def _journal() -> list[dict[str, Any]]:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        return query.journal(ar, limit=20)


def _approvals(anvil: Any, dep: Any, addr: str) -> int:
    """The sender's Approval logs. anvil can count a mined nonce before the block's logs answer
    eth_getLogs, so an empty answer is asked again (bounded) before it counts as none."""
    import time

    from wallet.adapters.snet.windows import topic

    deadline = time.monotonic() + 10
    while True:
        logs = anvil.rpc("eth_getLogs", {"address": dep.token, "fromBlock": "0x0", "toBlock": "latest",
                                         "topics": [topic("Approval(address,address,uint256)"),
                                                    "0x" + "00" * 12 + addr.lower().removeprefix("0x")]})
        if logs or time.monotonic() > deadline:
            return len(logs)
        time.sleep(0.05)


def _through(node: HostileNode, anvil: Any, dep: Any) -> None:
    from wallet import networks

    networks.set_user_table(NET, {
        "family": "evm", "name": "SNET devnet", "chain_id": dep.chain_id, "rpc": [node.url], "block_time": 1,
        "confirmations": 0, "adapter": "snet_stake", "denom": {"symbol": "ETH", "base": "wei", "decimals": 18},
        "extra": {"stake_contract": dep.stake, "token": dep.token, "start_block": dep.deploy_block}})


def _killed_stake(node: HostileNode, how: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "stake", "add", "current", "100", "-n", NET,
                             "--yes"], env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    setattr(node, how, proc.pid)
    proc.communicate(timeout=90)
    assert proc.returncode == -9
    return proc


def _open_window(anvil: Any, dep: Any) -> int:
    from wallet.devnet.snet import open_window, travel_to, window_from_now

    w = window_from_now(anvil, lead=100)
    idx = open_window(anvil, dep, w)
    travel_to(anvil, w.start + 1)
    return idx


def test_stake_killed_after_the_approve_left_sends_one_approve_and_one_stake(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]
    dep, addr = snet
    idx = _open_window(anvil, dep)
    with HostileNode(anvil.url) as node:
        _through(node, anvil, dep)
        start = _nonce(anvil, addr)
        _killed_stake(node, "kill_pid")  # the node took the approve; the sender died before hearing back
        assert node.sent_raw == 1 and _nonce(anvil, addr) == start + 1 and _approvals(anvil, dep, addr) == 1
        (entry,) = _journal()
        assert entry["state"] == "signed" and entry["tx_hash"]
        assert entry["detail"]["step"] == 0 and entry["detail"]["of"] == 2 and entry["detail"]["label"] == "approve"
        assert stake_info(anvil, dep, idx, addr)[2] == 0  # nothing staked yet

        again = cli("stake", "add", "current", "100", "-n", NET, "--yes")
        assert again.code == 0, again.err
        assert node.sent_raw == 2 and _nonce(anvil, addr) == start + 2 and _approvals(anvil, dep, addr) == 1
        assert stake_info(anvil, dep, idx, addr)[2] == 100 * AGIX and agix(anvil, dep, addr) == 900 * AGIX
        new, old = _journal()
        assert old["state"] == "failed" and "step 1 of 2 (approve" in old["error"]
        assert "steps after it were not sent" in old["error"]
        assert new["state"] == "confirmed"

        third = cli("stake", "add", "current", "100", "-n", NET, "--yes")  # a new, deliberate stake still goes
        assert third.code == 0, third.err
        assert stake_info(anvil, dep, idx, addr)[2] == 200 * AGIX and _nonce(anvil, addr) == start + 4


def test_stake_killed_before_the_approve_left_sends_the_same_approve_bytes_once(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]
    """The approve's hash and bytes were journaled, the node never had them: the re-run sends the very same
    approve (same nonce), sees the allowance it leaves and sends only the submitStake after it."""
    dep, addr = snet
    idx = _open_window(anvil, dep)
    with HostileNode(anvil.url) as node:
        _through(node, anvil, dep)
        start = _nonce(anvil, addr)
        _killed_stake(node, "kill_before_send")
        assert node.sent_raw == 0 and _nonce(anvil, addr) == start
        (entry,) = _journal()
        assert entry["state"] == "signed" and entry["detail"]["step"] == 0 and entry["detail"]["nonce"] == start
        approve_hash = entry["tx_hash"]

        again = cli("stake", "add", "current", "100", "-n", NET, "--yes")
        assert again.code == 0, again.err
        assert node.sent_raw == 2 and _nonce(anvil, addr) == start + 2 and _approvals(anvil, dep, addr) == 1
        receipt = anvil.rpc("eth_getTransactionReceipt", approve_hash)  # the journaled approve is the one that landed
        assert receipt and receipt["status"] == "0x1"
        assert stake_info(anvil, dep, idx, addr)[2] == 100 * AGIX and agix(anvil, dep, addr) == 900 * AGIX
        new, old = _journal()
        assert old["state"] == "failed" and new["state"] == "confirmed"


class _SecondSendKills(HostileNode):
    """Kills the sender right after the node took its second transaction (the submitStake after the approve)."""

    victim = 0
    seen = 0

    def _forward(self, body: bytes) -> bytes:
        if b"eth_sendRawTransaction" in body:
            self.seen += 1
            if self.seen == 2:
                self.kill_pid = self.victim
        return super()._forward(body)


def test_stake_killed_after_its_last_step_left_sends_nothing_again(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]
    dep, addr = snet
    idx = _open_window(anvil, dep)
    with _SecondSendKills(anvil.url) as node:
        _through(node, anvil, dep)
        start = _nonce(anvil, addr)
        _killed_stake(node, "victim")
        assert node.sent_raw == 2 and _nonce(anvil, addr) == start + 2
        (entry,) = _journal()
        assert entry["state"] == "signed" and entry["detail"]["step"] == 1 and len(entry["detail"]["earlier"]) == 1

        again = cli("stake", "add", "current", "100", "-n", NET, "--yes")
        assert again.code == 0, again.err
        assert "included on chain" in again.out and "nothing new was sent" in again.out
        assert node.sent_raw == 2 and _nonce(anvil, addr) == start + 2 and _approvals(anvil, dep, addr) == 1
        assert stake_info(anvil, dep, idx, addr)[2] == 100 * AGIX
        (entry,) = _journal()
        assert entry["state"] == "confirmed"


def test_an_approve_still_in_the_mempool_keeps_the_stake_pending(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]
    from wallet.devnet.seed import mine

    dep, addr = snet
    idx = _open_window(anvil, dep)
    with HostileNode(anvil.url) as node:
        _through(node, anvil, dep)
        start = _nonce(anvil, addr)
        anvil.rpc("evm_setAutomine", False)
        try:
            _killed_stake(node, "kill_pid")
            pending = cli("stake", "add", "current", "100", "-n", NET, "--yes")
            assert pending.code == 1 and "still pending" in pending.err and "nothing new was signed" in pending.err
            assert node.sent_raw == 1 and _journal()[0]["state"] == "pending"
        finally:
            anvil.rpc("evm_setAutomine", True)
        mine(anvil, 1)
        again = cli("stake", "add", "current", "100", "-n", NET, "--yes")
        assert again.code == 0, again.err
        assert node.sent_raw == 2 and _nonce(anvil, addr) == start + 2 and _approvals(anvil, dep, addr) == 1
        assert stake_info(anvil, dep, idx, addr)[2] == 100 * AGIX


def test_batch_stake_killed_after_the_approve_left_resumes_with_one_stake(anvil, snet, cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`polis batch run` goes through the same send path: killed after the approve left, the resume settles
    the journaled approve by hash and sends only the submitStake."""
    dep, addr = snet
    idx = _open_window(anvil, dep)
    plan = tmp_path / "snet.toml"
    plan.write_text(f'version = 1\nname = "agix"\n[defaults]\naccount = "staker"\n[run]\ntimeout = 20\n'
                    f'[[actions]]\nkind = "stake"\nnetwork = "{NET}"\ntarget = "current"\namount = "100"\n')
    with HostileNode(anvil.url) as node:
        _through(node, anvil, dep)
        start = _nonce(anvil, addr)
        proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "batch", "run", str(plan), "--yes"],
                                env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        node.kill_pid = proc.pid
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == -9, err
        assert node.sent_raw == 1 and _nonce(anvil, addr) == start + 1
        from wallet.cache import open_archive

        with open_archive(readonly=True) as ar:
            (row,) = ar.conn.execute("SELECT b.state, b.tx_hash, j.detail FROM batch_actions b "
                                     "JOIN journal j ON j.id = b.journal_id").fetchall()
        assert row[0] == "signed" and row[1]  # the approve's hash was journaled before it left
        assert json.loads(row[2])["step"] == 0 and json.loads(row[2])["label"] == "approve"

        done = cli("batch", "resume", "--yes", "--json")
        assert done.code == 0, done.err + done.out
        assert done.json()["counts"] == {"confirmed": 1}
        assert node.sent_raw == 2 and _nonce(anvil, addr) == start + 2 and _approvals(anvil, dep, addr) == 1
        assert stake_info(anvil, dep, idx, addr)[2] == 100 * AGIX and agix(anvil, dep, addr) == 900 * AGIX
