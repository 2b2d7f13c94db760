"""Bittensor batch runs act exactly once: the extrinsic hash (with its nonce, signing block and era) is
journaled before `author_submitExtrinsic`, through the same send path as single commands (wallet/once.py).
`polis batch run` killed (SIGKILL) after the node took the extrinsic into its pool and before the journal
recorded the send, then resumed, never signs or submits a second one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.doubles.substrate_node import SubstrateNode
from tests.plugins.bittensor import TAO, pub_hex


def _plan(tmp_path: Path, hotkeys: list[str], *, timeout: int = 2, per_tx: int = 2) -> Path:
    text = (f'version = 1\nname = "tao"\n[defaults]\naccount = "tao"\n[run]\ntimeout = {timeout}\n'
            f'messages_per_tx = {per_tx}\n')
    for hk, amount in zip(hotkeys, ("1.5", "2"), strict=True):
        text += (f'[[actions]]\nkind = "stake"\nnetwork = "bittensor"\ntarget = "{hk}"\nsubnet = 1\n'
                 f'amount = "{amount} TAO"\n')
    path = tmp_path / "tao.toml"
    path.write_text(text)
    return path


def _rows() -> list[dict]:
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        cur = ar.conn.execute("SELECT b.idx, b.state, b.tx_hash, j.state, j.tx_hash, j.detail FROM batch_actions b "
                              "JOIN journal j ON j.id = b.journal_id ORDER BY b.idx")
        return [{"idx": r[0], "state": r[1], "tx_hash": r[2], "journal_state": r[3], "journal_tx": r[4],
                 "detail": json.loads(r[5] or "{}")} for r in cur.fetchall()]


def test_batch_killed_between_submit_and_record_is_submitted_once(bt_ready: SubstrateNode, bt_keys, cli,
                                                                  tmp_path: Path) -> None:
    node, ck = bt_ready, pub_hex(bt_keys.coldkey)
    hks = bt_keys.hotkeys[:2]
    before = node.chain.free(ck)
    plan = _plan(tmp_path, hks)
    node.automine = False  # the extrinsic waits in the pool, as between two 12 s blocks
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "batch", "run", str(plan), "--yes"],
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    node.kill_pid = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9 and node.calls["author_submitExtrinsic"] == 1
    (pooled,) = node.pending_hashes()
    rows = _rows()
    # journaled before the send: both actions (one Utility.batch_all) carry the hash, nonce, block and era
    assert [r["state"] for r in rows] == ["signed", "signed"] and {r["tx_hash"] for r in rows} == {pooled}
    assert {r["journal_tx"] for r in rows} == {pooled}
    assert all(r["detail"]["nonce"] == 0 and r["detail"]["signed_at"] == 100 and r["detail"]["era_period"] == 64
               for r in rows), rows

    resumed = cli("batch", "resume", "--yes", "--json")  # in the pool, within its era: pending, nothing new is signed
    assert resumed.code == 4, resumed.err + resumed.out
    assert [a["status"] for a in resumed.json()["actions"]] == ["pending", "pending"]
    assert node.calls["author_submitExtrinsic"] == 1 and len(node.pending) == 1

    node.mine()  # the first extrinsic lands
    done = cli("batch", "resume", "--yes", "--json")
    assert done.code == 0, done.err + done.out
    rep = done.json()
    assert rep["counts"] == {"confirmed": 2} and {a["tx_hash"] for a in rep["actions"]} == {pooled}
    assert node.calls["author_submitExtrinsic"] == 1 and node.rejected == []
    assert node.calls["author_submitAndWatchExtrinsic"] == 0
    fee = node.fee_for(len(bytes.fromhex(node.head["extrinsics"][0][2:])))
    assert node.chain.free(ck) == before - 3_500_000_000 - fee  # staked once, one fee
    assert 14 * TAO < node.chain.alpha_of(pub_hex(hks[0]), ck, 1) < 16 * TAO
    assert 19 * TAO < node.chain.alpha_of(pub_hex(hks[1]), ck, 1) < 21 * TAO
    assert all(r["journal_state"] == "confirmed" for r in _rows())


def test_batch_extrinsic_whose_nonce_another_used_is_planned_again(bt_ready: SubstrateNode, bt_keys, cli,
                                                                    tmp_path: Path) -> None:
    """Killed with its extrinsic in the pool; the pool loses it and another extrinsic takes the nonce: the
    resume settles it as never landing and plans the actions again, sent once."""
    node, ck = bt_ready, pub_hex(bt_keys.coldkey)
    plan = _plan(tmp_path, bt_keys.hotkeys[:2])
    node.automine = False
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "batch", "run", str(plan), "--yes"],
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    node.kill_pid = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    node.pending.clear()  # the node restarted and lost its pool; another extrinsic used nonce 0
    node.pool.clear()
    node.chain.set_account(ck, nonce=1)
    node.mine()
    node.automine = True
    done = cli("batch", "resume", "--yes", "--json")
    assert done.code == 0, done.err + done.out
    assert done.json()["counts"] == {"confirmed": 2}
    assert node.calls["author_submitExtrinsic"] == 2  # the lost one, then one new extrinsic for both actions
    assert node.chain.alpha_of(pub_hex(bt_keys.hotkeys[0]), ck, 1) > 14 * TAO


def test_one_extrinsic_per_action_killed_after_the_first_is_submitted_once_each(bt_ready: SubstrateNode, bt_keys,
                                                                                cli, tmp_path: Path) -> None:
    node, ck = bt_ready, pub_hex(bt_keys.coldkey)
    before = node.chain.free(ck)
    plan = _plan(tmp_path, bt_keys.hotkeys[:2], per_tx=1)
    node.automine = False
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "batch", "run", str(plan), "--yes"],
                            env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    node.kill_pid = proc.pid  # killed once the first action's extrinsic is in the pool
    proc.communicate(timeout=120)
    assert proc.returncode == -9 and node.calls["author_submitExtrinsic"] == 1
    assert [r["state"] for r in _rows()] == ["signed", "planned"]

    resumed = cli("batch", "resume", "--yes", "--json")  # the first still pending; the second signed after it
    assert resumed.code == 4, resumed.err + resumed.out
    assert node.calls["author_submitExtrinsic"] == 2 and len(node.pending) == 2
    node.mine()
    done = cli("batch", "resume", "--yes", "--json")
    assert done.code == 0 and done.json()["counts"] == {"confirmed": 2}, done.err + done.out
    assert node.calls["author_submitExtrinsic"] == 2 and node.rejected == []  # one per action
    fees = sum(node.fee_for(len(bytes.fromhex(b["extrinsics"][0][2:]))) for b in node.blocks[-2:])
    assert node.chain.free(ck) == before - 3_500_000_000 - fees
