"""Bittensor single commands act exactly once: the extrinsic hash (blake2-256 of the signed bytes) is
journaled before `author_submitExtrinsic`; `polis stake add` killed (SIGKILL) after the node accepted the
extrinsic and before the journal recorded it, then run again, never submits a second one. An extrinsic
not in a block within the wait is `pending`, settled later by blocks, nonce and its mortal era."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from tests.doubles.substrate_node import SubstrateNode
from tests.plugins.bittensor import TAO, pub_hex


def _journal() -> list[dict]:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        return query.journal(ar, limit=20)


def _detail(entry: dict) -> dict:
    import json

    d = entry.get("detail")
    return json.loads(d) if isinstance(d, str) else dict(d or {})


def _short_wait(monkeypatch) -> None:  # the wait a slow chain exceeds
    import wallet.actions as actions

    real = actions.execute

    def short(*a, **kw):
        kw["timeout"] = 0.5
        return real(*a, **kw)

    monkeypatch.setattr(actions, "execute", short)


def test_stake_killed_between_submit_and_record_is_submitted_once(bt_ready: SubstrateNode, bt_keys, cli) -> None:
    node, hk, ck = bt_ready, bt_keys.hotkeys[0], pub_hex(bt_keys.coldkey)
    before = node.chain.free(ck)
    stake = ["stake", "add", hk, "1.5", "--subnet", "1", "-n", "bittensor", "--yes"]
    node.automine = False  # the extrinsic waits in the pool, as between two 12 s blocks
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", *stake], env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    node.kill_pid = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9 and node.calls["author_submitExtrinsic"] == 1
    (entry,) = _journal()
    assert entry["state"] == "signed" and entry["tx_hash"] == node.pending_hashes()[0]  # journaled before the send
    sent = _detail(entry)
    assert sent["nonce"] == 0 and sent["signed_at"] == 100 and sent["era_period"] == 64

    again = cli(*stake)  # in the pool, not in a block, within its era: nothing new is signed
    assert again.code == 1 and "still pending" in again.err and "nothing new was signed" in again.err, again.err
    assert node.calls["author_submitExtrinsic"] == 1 and _journal()[0]["state"] == "pending"

    node.mine()  # the first extrinsic lands
    third = cli(*stake)
    assert third.code == 0, third.err
    assert "included on chain" in third.out and "nothing new was sent" in third.out
    assert node.calls["author_submitExtrinsic"] == 1 and node.rejected == []
    assert node.calls["author_submitAndWatchExtrinsic"] == 0  # one extrinsic, sent once, by one method
    fee = node.fee_for(len(bytes.fromhex(node.head["extrinsics"][0][2:])))
    assert node.chain.free(ck) == before - 1_500_000_000 - fee  # staked once, one fee
    assert node.chain.alpha_of(pub_hex(hk), ck, 1) > 14 * TAO
    (entry,) = _journal()
    assert entry["state"] == "confirmed" and _detail(entry)["block"] == 101

    hist = cli("history", "--refresh", "--json")
    assert hist.code == 0 and [r["state"] for r in hist.json()] == ["confirmed"]


def test_pending_extrinsic_is_settled_by_history_refresh(bt_ready: SubstrateNode, bt_keys, cli, monkeypatch) -> None:
    node = bt_ready
    _short_wait(monkeypatch)
    node.automine = False
    r = cli("stake", "add", bt_keys.hotkeys[0], "1", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 1 and "not included yet" in r.err and "may land until block 163" in r.err, r.err
    (entry,) = _journal()
    assert entry["state"] == "pending" and entry["tx_hash"] == node.pending_hashes()[0]  # never "failed"

    refreshed = cli("history", "--refresh", "--json")  # still in the pool: stays pending
    assert [row["state"] for row in refreshed.json()] == ["pending"]
    node.mine(3)
    hist = cli("history", "--refresh", "--json")
    assert [row["state"] for row in hist.json()] == ["confirmed"]
    assert node.calls["author_submitExtrinsic"] == 1 and node.rejected == []


def test_extrinsic_gone_after_its_era_is_dropped_and_the_action_may_go_again(bt_ready: SubstrateNode, bt_keys, cli,
                                                                              monkeypatch) -> None:
    node, hk, ck = bt_ready, bt_keys.hotkeys[0], pub_hex(bt_keys.coldkey)
    _short_wait(monkeypatch)
    node.automine = False
    stake = ["stake", "add", hk, "1", "--subnet", "1", "-n", "bittensor", "--yes"]
    assert cli(*stake).code == 1 and _journal()[0]["state"] == "pending"

    node.pending.clear()  # the node restarted and its pool lost the extrinsic
    node.pool.clear()
    node.mine(70)  # past its era (blocks 100–163): the node refuses the same bytes, the chain can never include it
    (row,) = cli("history", "--refresh", "--json").json()
    assert row["state"] == "failed" and "dropped" in row["error"] and "mortal era" in row["error"]
    assert node.calls["author_submitExtrinsic"] == 2 and node.pending == []  # offered again, refused as ancient

    node.automine = True
    again = cli(*stake)  # nothing of the first attempt can land: the action is signed anew, once
    assert again.code == 0, again.err
    assert node.calls["author_submitExtrinsic"] == 3 and node.chain.alpha_of(pub_hex(hk), ck, 1) > 0


def test_extrinsic_lost_from_the_pool_within_its_era_is_submitted_again_as_the_same_bytes(
        bt_ready: SubstrateNode, bt_keys, cli, monkeypatch) -> None:
    node, hk, ck = bt_ready, bt_keys.hotkeys[0], pub_hex(bt_keys.coldkey)
    _short_wait(monkeypatch)
    node.automine = False
    before = node.chain.free(ck)
    assert cli("stake", "add", hk, "1", "--subnet", "1", "-n", "bittensor", "--yes").code == 1
    (first,) = node.pending
    node.pending.clear()  # the node restarted and its pool lost the extrinsic
    node.pool.clear()
    node.mine(30)  # within its era
    assert cli("history", "--refresh", "--json").json()[0]["state"] == "pending"
    assert node.pending == [first]  # the very same bytes, back in the pool
    node.mine()
    assert cli("history", "--refresh", "--json").json()[0]["state"] == "confirmed"
    fee = node.fee_for(len(bytes.fromhex(first[2:])))
    assert node.chain.free(ck) == before - 1_000_000_000 - fee  # staked once, one fee


def test_stake_killed_before_its_extrinsic_reached_the_node_is_submitted_once(bt_ready: SubstrateNode, bt_keys,
                                                                              cli) -> None:
    node, hk, ck = bt_ready, bt_keys.hotkeys[0], pub_hex(bt_keys.coldkey)
    before = node.chain.free(ck)
    stake = ["stake", "add", hk, "1.5", "--subnet", "1", "-n", "bittensor", "--yes"]
    proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", *stake], env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    node.kill_before_submit = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9 and node.calls["author_submitExtrinsic"] == 0
    (entry,) = _journal()
    assert entry["state"] == "signed" and entry["tx_hash"] and "raw" not in entry  # history never shows the bytes

    again = cli(*stake)  # the journaled bytes are submitted, not a second extrinsic signed
    assert again.code == 0, again.err
    assert "included on chain" in again.out and "nothing new was sent" in again.out
    assert node.calls["author_submitExtrinsic"] == 1 and node.rejected == []
    (landed,) = node.head["extrinsics"]
    assert "0x" + hashlib.blake2b(bytes.fromhex(landed[2:]), digest_size=32).hexdigest() == entry["tx_hash"]
    fee = node.fee_for(len(bytes.fromhex(node.head["extrinsics"][0][2:])))
    assert node.chain.free(ck) == before - 1_500_000_000 - fee  # staked once


def test_nonce_used_by_another_extrinsic_settles_as_failed(bt_ready: SubstrateNode, bt_keys, cli, monkeypatch) -> None:
    node, ck = bt_ready, pub_hex(bt_keys.coldkey)
    _short_wait(monkeypatch)
    node.automine = False
    assert cli("stake", "add", bt_keys.hotkeys[0], "1", "--subnet", "1", "-n", "bittensor", "--yes").code == 1
    assert _journal()[0]["state"] == "pending"
    node.pending.clear()  # another extrinsic of this coldkey (signed elsewhere) took nonce 0 instead
    node.pool.clear()
    node.chain.set_account(ck, nonce=1)
    node.mine()
    (row,) = cli("history", "--refresh", "--json").json()
    assert row["state"] == "failed" and "nonce moved past 0" in row["error"], row
