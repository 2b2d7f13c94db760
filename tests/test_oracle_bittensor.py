"""@polkadot/types + util-crypto as the oracle of every Bittensor extrinsic Polis submits: decoded with
the real finney metadata, re-encoded and rebuilt from its arguments byte for byte, its sr25519
signature verified over the signing payload (blake2-hashed past 256 bytes); addresses equal
@polkadot/keyring's for the vault's accounts."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tests.doubles.substrate_codec import FINNEY_METADATA, option_opaque
from tests.doubles.substrate_node import SubstrateNode
from tests.plugins import oracles
from tests.plugins.bittensor import MNEMONIC, TAO, derive, pub_hex, use_node


def check(node: SubstrateNode, metadata: Path = FINNEY_METADATA) -> list[dict[str, Any]]:
    out = oracles.run("bittensor", {"metadata": str(metadata), "cases": oracles.substrate_cases(node)})["cases"]
    for case in out:
        assert case["errors"] == [], case["errors"]
    return out


def test_every_staking_call_matches_polkadot_types(bt_ready: SubstrateNode, bt_keys) -> None:  # noqa: F811
    from wallet.actions import execute
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import Vault

    hk0, hk1, hk2 = bt_keys.hotkeys
    ch, ck = bt_ready.chain, pub_hex(bt_keys.coldkey)
    v = Vault()
    meta = v.get("tao")
    ad = adapter_for("bittensor")
    tol = {"tolerance": "0.5"}
    steps = [lambda: ad.plan_stake(meta, hk0, 1_500_000_000, subtarget="1"),
             lambda: ad.plan_stake(meta, hk0, 2 * TAO, subtarget="1", options={"tolerance": "0.05"}),
             lambda: ad.plan_stake(meta, hk1, 3 * TAO, subtarget="0"),
             lambda: ad.plan_unstake(meta, hk0, TAO // 2, subtarget="1"),
             lambda: ad.plan_unstake(meta, hk0, TAO // 2, subtarget="1", options=tol),
             lambda: ad.plan_move(meta, hk1, hk2, TAO, source_sub="0", dest_sub="1"),
             lambda: ad.plan_unstake(meta, hk0, None),
             lambda: ad.combine([ad.plan_move(meta, hk1, hk2, TAO, source_sub="0", dest_sub="0"),
                                 ad.plan_stake(meta, hk2, TAO, subtarget="71")])]
    try:
        with open_archive() as ar:
            for step in steps:
                res = execute(ad, step(), archive=ar, confirm=None, assume_yes=True,
                              unlock=lambda: UnlockPolicy().unlock(v, meta).signer("substrate"))
                assert res.ok, res
    finally:
        ad.close()
    assert ch.alpha_of(pub_hex(hk2), ck, 71) > 0
    out = check(bt_ready)
    methods = [[c["method"] for c in case["calls"]] for case in out]
    assert methods == [["addStake"], ["addStakeLimit"], ["addStake"], ["removeStake"], ["removeStakeLimit"],
                       ["moveStake"], ["unstakeAll"], ["batchAll", "moveStake", "addStake"]]
    assert {case["signer"] for case in out} == {bt_keys.coldkey}
    assert [case["nonce"] for case in out] == list(range(8))
    first = out[0]["calls"][0]["args"]
    assert first == {"hotkey": hk0, "netuid": 1, "amountStaked": 1_500_000_000}
    assert all(case["era"] is not None for case in out)  # mortal
    assert bt_ready.rejected == []


def test_governance_vote_matches_polkadot_types(bt_keys, env_passphrase, cli) -> None:  # noqa: F811
    from tests.conftest import PASSPHRASE
    from tests.doubles.substrate_gov_metadata import governance_metadata
    from tests.plugins.bittensor import seed_chain
    from wallet.keys.vault import Vault

    Vault().add_mnemonic("tao", MNEMONIC, PASSPHRASE)
    inner = governance_metadata()
    with SubstrateNode(inner) as node, tempfile.TemporaryDirectory() as tmp:
        seed_chain(node, bt_keys.coldkey, bt_keys.hotkeys)
        use_node(node)
        ch = node.chain
        senator = pub_hex(bt_keys.hotkeys[2])
        ch.add_hotkey(senator, pub_hex(bt_keys.coldkey))
        ch.put("SenateMembers", "Members", (), [senator])
        prop = "0x" + "42" * 32
        ch.put("Triumvirate", "Proposals", (), [prop])
        ch.put("Triumvirate", "Voting", (prop,), {"index": 3, "threshold": 2, "ayes": [], "nays": [], "end": 500})
        assert cli("sync", "bittensor").code == 0
        r = cli("vote", prop, "aye", "-n", "bittensor", "--yes")
        assert r.code == 0, r.err
        path = Path(tmp) / "gov_metadata.hex"
        path.write_text(option_opaque(inner))
        [case] = check(node, path)
    assert case["calls"] == [{"section": "subtensorModule", "method": "vote", "args": {
        "hotkey": bt_keys.hotkeys[2], "proposal": prop, "index": 3, "approve": True}}]


def test_addresses_equal_polkadot_keyring_and_btcli() -> None:
    indexes = [0, 1, 2, 3, 9]
    theirs = oracles.run("bittensor", {"addresses": [{"mnemonic": MNEMONIC, "index": i} for i in indexes]})
    assert [derive(i) for i in indexes] == theirs["addresses"]
    from bittensor_wallet import Keypair  # what btcli derives for a coldkey regenerated from this mnemonic

    assert Keypair.create_from_mnemonic(MNEMONIC).ss58_address == derive(0)


def test_the_oracle_catches_a_forged_extrinsic(bt_ready: SubstrateNode, bt_keys) -> None:  # noqa: F811
    from wallet.adapters import adapter_for
    from wallet.keys.vault import Vault

    ad = adapter_for("bittensor")
    try:
        ad.submit(ad.plan_stake(Vault().get("tao"), bt_keys.hotkeys[0], TAO, subtarget="1"), _signer())
    finally:
        ad.close()
    [case] = oracles.substrate_cases(bt_ready)
    raw = bytearray(bytes.fromhex(case["extrinsic"][2:]))
    raw[-1] ^= 1  # the amount's last byte
    wrong_genesis = {**case, "genesis": "0x" + "11" * 32}
    out = oracles.run("bittensor", {"metadata": str(FINNEY_METADATA),
                                    "cases": [{**case, "extrinsic": "0x" + raw.hex()}, wrong_genesis]})["cases"]
    assert all(any("signature does not verify" in e for e in c["errors"]) for c in out), out


def _signer():  # type: ignore[no-untyped-def]
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import Vault

    v = Vault()
    return UnlockPolicy().unlock(v, v.get("tao")).signer("substrate")
