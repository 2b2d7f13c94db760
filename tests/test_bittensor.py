"""Bittensor end to end through the node double (real finney metadata, signatures verified)."""

from __future__ import annotations

import pytest

from tests.doubles.substrate_node import SubstrateNode
from tests.plugins.bittensor import MNEMONIC, TAO, derive, pub_hex, use_node


def _alpha(node: SubstrateNode, hotkey: str, coldkey: str, netuid: int) -> int:
    return node.chain.alpha_of(pub_hex(hotkey), pub_hex(coldkey), netuid)


def test_substrate_family_matches_known_addresses() -> None:
    from wallet.keys import derive as d

    # The well-known Substrate dev phrase: its root key and //Alice.
    assert d.family("substrate").derive(MNEMONIC, 0).address == "5DfhGyQdFobKM8NsWvEeAKk5EQQgYe9AydgJ7rMB6E1EqRzV"
    from bip_utils import Substrate, SubstrateBip39SeedGenerator, SubstrateCoins

    alice = Substrate.FromSeedAndPath(SubstrateBip39SeedGenerator(MNEMONIC).Generate(), "//Alice",
                                      SubstrateCoins.GENERIC)
    assert alice.PublicKey().ToAddress() == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"


def test_signer_signatures_verify_and_addresses_validate() -> None:
    from wallet.errors import BadInput
    from wallet.keys.substrate_keys import SubstrateSigner, normalise_address, secret_key, ss58_decode, verify

    s = SubstrateSigner(secret_key(MNEMONIC, 0))
    sig = s.sign(b"payload")
    assert len(sig) == 64 and verify(sig, b"payload", s.public_key) and not verify(sig, b"other", s.public_key)
    assert "secret" not in repr(s) and s.address in repr(s)
    assert normalise_address("0x" + s.public_key.hex()) == s.address
    bad = s.address[:-1] + ("A" if s.address[-1] != "A" else "B")
    with pytest.raises(BadInput):
        ss58_decode(bad)
    with pytest.raises(BadInput, match="prefix 0"):  # a Polkadot (prefix 0) address is another network's
        ss58_decode("15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5")


def test_stake_add_end_to_end(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    before = bt_ready.chain.free(pub_hex(bt_keys.coldkey))
    r = cli("stake", "add", bt_keys.hotkeys[0], "1.5 TAO", "--subnet", "1", "-n", "bittensor", "--yes", "--json")
    assert r.code == 0, r.err
    res = r.json()
    assert res["ok"] and res["block"] == 101
    assert _alpha(bt_ready, bt_keys.hotkeys[0], bt_keys.coldkey, 1) > 14 * TAO
    fee = int(res["fee_paid"])
    assert fee == bt_ready.fee_for(len(bytes.fromhex(bt_ready.head["extrinsics"][0][2:])))
    assert bt_ready.chain.free(pub_hex(bt_keys.coldkey)) == before - 1_500_000_000 - fee
    # the recorded stake event and position are in the archive
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        ev = ar.conn.execute("SELECT kind, target, subtarget, amount FROM stake_events").fetchall()
        st = ar.conn.execute("SELECT target, subtarget, amount FROM stakes").fetchall()
    assert ev == [("stake", bt_keys.hotkeys[0], "1", "1500000000")]
    assert st[0][0] == bt_keys.hotkeys[0] and st[0][1] == "1"
    assert bt_ready.rejected == []


def test_stake_list_values_alpha_at_recorded_finney_price(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    from fractions import Fraction

    ch = bt_ready.chain
    ck, hk = pub_hex(bt_keys.coldkey), pub_hex(bt_keys.hotkeys[1])
    ch._change_alpha(hk, ck, 71, 1000 * TAO)  # 1000 α on subnet 71, whose price the double does not hold
    r = cli("stake", "list", "-n", "bittensor", "--json")
    assert r.code == 0, r.err
    rows = r.json()
    row = next(x for x in rows if x["subtarget"] == "71")
    # Swap.AlphaSqrtPrice of netuid 71 as recorded on finney: bits 0x...169914ea8db69028
    sqrt = Fraction(int.from_bytes(bytes.fromhex("2890b68dea1499160000000000000000"), "little"), 1 << 64)
    assert int(row["amount"]) == int(1000 * TAO * sqrt * sqrt)
    assert row["extra"]["price_source"] == "swap" and row["extra"]["alpha"] == str(1000 * TAO)


def test_unstake_and_unstake_all(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    hk = bt_keys.hotkeys[0]
    assert cli("stake", "add", hk, "5", "--subnet", "1", "-n", "bittensor", "--yes").code == 0
    assert cli("stake", "add", hk, "3", "--subnet", "0", "-n", "bittensor", "--yes").code == 0
    have = _alpha(bt_ready, hk, bt_keys.coldkey, 1)
    r = cli("stake", "remove", hk, "1 TAO", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 0, r.err
    assert 0 < _alpha(bt_ready, hk, bt_keys.coldkey, 1) < have
    r = cli("stake", "remove", hk, "--all", "-n", "bittensor", "--yes")
    assert r.code == 0, r.err
    assert "unstake_all" in r.out
    assert _alpha(bt_ready, hk, bt_keys.coldkey, 1) == 0 and _alpha(bt_ready, hk, bt_keys.coldkey, 0) == 0
    r = cli("stake", "remove", hk, "--all", "-n", "bittensor", "--yes")
    assert r.code == 0 and "nothing to unstake" in r.out  # AlreadyDone: nothing sent
    assert len(bt_ready.blocks) == 105  # 101 seeded blocks + four extrinsics


def test_limit_price_options(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    hk = bt_keys.hotkeys[0]
    # price 0.1 TAO/α; 90 TAO would push it far above a 0.5 % tolerance: refused on chain, fee paid
    r = cli("stake", "add", hk, "90", "--subnet", "1", "-n", "bittensor", "--yes", "--opt", "tolerance=0.005")
    assert r.code == 1 and "SlippageTooHigh" in r.err
    assert "add_stake_limit" in r.out
    assert _alpha(bt_ready, hk, bt_keys.coldkey, 1) == 0
    r = cli("stake", "add", hk, "50", "--subnet", "1", "-n", "bittensor", "--yes", "--opt", "tolerance=0.005",
            "--opt", "allow_partial=true")
    assert r.code == 0, r.err
    tin, ain = bt_ready.chain.price(1)
    assert tin * TAO // ain <= int(0.1005 * TAO)  # filled only up to the limit
    r = cli("stake", "add", hk, "1", "--subnet", "1", "-n", "bittensor", "--dry-run", "--opt", "bogus=1")
    assert r.code == 2 and "unknown option" in r.err


def test_batch_all_of_three_moves(bt_ready: SubstrateNode, bt_keys) -> None:  # noqa: F811
    from wallet.actions import execute
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import Vault

    ch, ck = bt_ready.chain, pub_hex(bt_keys.coldkey)
    h0, h1, h2 = (pub_hex(h) for h in bt_keys.hotkeys)
    ch._change_alpha(h0, ck, 0, 30 * TAO)
    ch.put("SubtensorModule", "SubnetTAO", (0,), ch.price(0)[0] + 30 * TAO)
    v = Vault()
    meta = v.get("tao")
    ad = adapter_for("bittensor")
    try:
        plans = [ad.plan_move(meta, bt_keys.hotkeys[0], bt_keys.hotkeys[1], 5 * TAO, source_sub="0", dest_sub="0"),
                 ad.plan_move(meta, bt_keys.hotkeys[0], bt_keys.hotkeys[2], 5 * TAO, source_sub="0", dest_sub="1"),
                 ad.plan_move(meta, bt_keys.hotkeys[0], bt_keys.hotkeys[1], 5 * TAO, source_sub="0", dest_sub="71")]
        plan = ad.combine(plans)
        assert plan.summary[0].startswith("one Utility.batch_all of 3 calls")
        with open_archive() as ar:
            res = execute(ad, plan, archive=ar, unlock=lambda: UnlockPolicy().unlock(v, meta).signer("substrate"),
                          confirm=None, assume_yes=True)
    finally:
        ad.close()
    assert res.ok and len(bt_ready.blocks) == 102  # one extrinsic, one block
    assert ch.alpha_of(h0, ck, 0) == 15 * TAO
    assert ch.alpha_of(h1, ck, 0) == 5 * TAO and ch.alpha_of(h2, ck, 1) > 0 and ch.alpha_of(h1, ck, 71) > 0
    ids = [e["event_id"] for e in res.detail["events"]]
    assert ids.count("StakeMoved") == 3 and "BatchCompleted" in ids


def test_refusals_before_signing(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    hk = bt_keys.hotkeys[0]
    r = cli("stake", "add", hk, "1000rao", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 1 and "below the minimum stake" in r.err
    r = cli("stake", "add", hk, "0.0000000001 TAO", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 2 and "more decimals" in r.err
    r = cli("stake", "add", hk, "99.9999999 TAO", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 1 and "existential deposit" in r.err
    r = cli("stake", "add", derive(7), "1", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 1 and "not registered" in r.err
    r = cli("stake", "add", hk, "1", "--subnet", "9", "-n", "bittensor", "--yes")
    assert r.code == 1 and "subnet 9 does not exist" in r.err
    r = cli("stake", "add", "5NotAnAddress", "1", "-n", "bittensor", "--yes")
    assert r.code == 2
    assert len(bt_ready.blocks) == 101 and bt_ready.calls["author_submitAndWatchExtrinsic"] == 0


def test_wrong_genesis_hash_is_refused(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    use_node(bt_ready, genesis="0x" + "ab" * 32)
    r = cli("stake", "add", bt_keys.hotkeys[0], "1", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 1 and "another chain" in r.err
    assert bt_ready.calls["author_submitAndWatchExtrinsic"] == 0


def test_genesis_pinned_on_first_connect(bt_node: SubstrateNode, cli) -> None:  # noqa: F811
    from wallet import networks
    from wallet.adapters.bittensor.client import pinned_genesis

    networks.set_user_table("bittensor-local", {"rpc": [bt_node.url]})
    assert cli("validators", "-n", "bittensor-local").code == 0
    assert pinned_genesis("bittensor-local") == "0x" + bt_node.genesis.hex()
    with SubstrateNode(genesis_seed=b"another chain") as other:
        networks.set_user_table("bittensor-local", {"rpc": [other.url]})
        r = cli("validators", "-n", "bittensor-local")
        assert "another chain" in r.err


def test_double_rejects_a_forged_signature(bt_ready: SubstrateNode, bt_keys) -> None:  # noqa: F811
    """The double really verifies: a signature by another key over the same payload is refused."""
    from wallet.adapters import adapter_for
    from wallet.errors import ActionFailed
    from wallet.keys.substrate_keys import SubstrateSigner, secret_key
    from wallet.keys.vault import Vault

    ad = adapter_for("bittensor")
    try:
        plan = ad.plan_stake(Vault().get("tao"), bt_keys.hotkeys[0], TAO, subtarget="1")
        real = SubstrateSigner(secret_key(MNEMONIC, 0))
        forger = SubstrateSigner(secret_key(MNEMONIC, 5))
        forger.address, forger.public_key = real.address, real.public_key  # claims the real account
        with pytest.raises(ActionFailed, match="refused the extrinsic: Invalid Transaction: .*bad signature"):
            ad.submit(plan, forger)
    finally:
        ad.close()
    assert bt_ready.rejected == ["Transaction has a bad signature"]


def test_no_governance_on_finney_runtime(bt_ready: SubstrateNode, cli) -> None:  # noqa: F811
    assert cli("sync", "bittensor").code == 0
    r = cli("proposals", "list", "--network", "bittensor")
    assert r.code == 0
    assert "bittensor: this runtime has no on-chain governance" in r.out
    r = cli("vote", "1", "aye", "-n", "bittensor", "--yes")
    assert r.code == 1 and "no on-chain governance" in r.err


def test_validators_lists_delegates_and_subnets(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    r = cli("validators", "-n", "bittensor", "--json")
    assert r.code == 0, r.err
    rows = {x["id"]: x for x in r.json()}
    assert rows[bt_keys.hotkeys[0]]["commission"] == "0.18" and rows[bt_keys.hotkeys[0]]["status"] == "delegate"
    assert rows["subnet:1"]["name"] == "apex" and rows["subnet:1"]["extra"]["price"] == "0.1"
    assert rows["subnet:71"]["extra"]["kind"] == "subnet"


def test_governance_detected_listed_and_voted(bt_keys, env_passphrase, cli) -> None:  # noqa: F811
    """A runtime with the Triumvirate/Senate pallets (synthesised from finney's): sync lists its
    proposals, and a senator's coldkey votes through SubtensorModule.vote."""
    from scalecodec.base import ScaleBytes  # noqa: F401

    from tests.conftest import PASSPHRASE
    from tests.doubles.substrate_gov_metadata import governance_metadata
    from tests.plugins.bittensor import seed_chain
    from wallet.keys.vault import Vault

    Vault().add_mnemonic("tao", MNEMONIC, PASSPHRASE)
    with SubstrateNode(governance_metadata()) as node:
        seed_chain(node, bt_keys.coldkey, bt_keys.hotkeys)
        use_node(node)
        ch, c = node.chain, node.codec
        senator = pub_hex(bt_keys.hotkeys[2])
        ch.add_hotkey(senator, pub_hex(bt_keys.coldkey))  # my coldkey owns a senate hotkey
        ch.put("SenateMembers", "Members", (), [senator, pub_hex(derive(8))])
        prop = "0x" + "42" * 32
        call = c.rc.create_scale_object("Call", metadata=c.meta)
        call.encode({"call_module": "System", "call_function": "remark", "call_args": {"remark": "0x01"}})
        ch.put("Triumvirate", "Proposals", (), [prop])
        ch.storage[c.key("Triumvirate", "ProposalOf", prop)] = bytes(call.data.data)
        ch.put("Triumvirate", "Voting", (prop,), {"index": 3, "threshold": 2, "ayes": [pub_hex(derive(8))],
                                                 "nays": [], "end": 500})
        assert cli("sync", "bittensor").code == 0
        r = cli("proposals", "list", "--network", "bittensor", "--json")
        props = r.json()["proposals"]
        assert r.json()["notes"] == {}
        assert [p["id"] for p in props] == [prop] and props[0]["status"] == "active"
        assert "System.remark" in props[0]["title"]
        r = cli("vote", prop, "nay", "-n", "bittensor", "--yes")
        assert r.code == 0, r.err
        voting = ch.get("Triumvirate", "Voting", prop)
        assert [str(x) for x in voting["nays"]] == [senator]
        r = cli("vote", prop, "nay", "-n", "bittensor", "--yes")
        assert r.code == 0 and "already voted" in r.out
        assert node.rejected == []
