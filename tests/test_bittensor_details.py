"""Bittensor details the reference implementations disagreed with: --opt era honoured (or refused), the
finney genesis hash shipped, stake+unstake of one triple in one batch refused (StakingOperationRateLimiter),
the nonce from system_accountNextIndex, and the fee estimated on the extrinsic that is signed."""

from __future__ import annotations

import pytest

from tests.doubles.substrate_codec import FINNEY_METADATA
from tests.doubles.substrate_node import SubstrateNode
from tests.plugins import oracles
from tests.plugins.bittensor import TAO, pub_hex

FINNEY_GENESIS = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03"


def _adapter():  # type: ignore[no-untyped-def]
    from wallet.adapters import adapter_for

    return adapter_for("bittensor")


def _execute(ad, plan):  # type: ignore[no-untyped-def]
    from wallet.actions import execute
    from wallet.cache import open_archive
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import Vault

    v = Vault()
    meta = v.get("tao")
    with open_archive() as ar:
        return execute(ad, plan, archive=ar, unlock=lambda: UnlockPolicy().unlock(v, meta).signer("substrate"),
                       confirm=None, assume_yes=True)


def test_era_option_is_honoured_or_refused(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    hk = bt_keys.hotkeys[0]
    r = cli("stake", "add", hk, "1", "--subnet", "1", "-n", "bittensor", "--opt", "era=256", "--yes", "--json")
    assert r.code == 0, r.err
    assert "mortal era 256 blocks" in "\n".join(r.json()["plan"]["summary"])
    doc = {"metadata": str(FINNEY_METADATA), "cases": oracles.substrate_cases(bt_ready)}
    [case] = oracles.run("bittensor", doc)["cases"]
    assert case["errors"] == [] and case["era"]["period"] == 256
    for bad, why in (("100", "power of two"), ("2", "power of two"), ("0", "immortal"), ("x", "number of blocks"),
                     ("4096", "BlockHashCount")):
        r = cli("stake", "add", hk, "1", "--subnet", "1", "-n", "bittensor", "--opt", f"era={bad}", "--yes")
        assert r.code == 2 and why in r.err, (bad, r.err)
    assert len(bt_ready.blocks) == 102


def test_finney_genesis_is_shipped_so_a_first_connection_is_verified(bt_node: SubstrateNode, cli) -> None:  # noqa: F811
    from wallet import networks
    from wallet.adapters.bittensor.client import pinned_genesis

    assert networks.get_network("bittensor").extra["genesis_hash"] == FINNEY_GENESIS
    networks.set_user_table("bittensor", {"rpc": [bt_node.url]})  # a node that is not finney, first contact
    r = cli("validators", "-n", "bittensor")
    assert "another chain" in r.err
    assert pinned_genesis("bittensor") is None


def test_stake_then_unstake_of_one_triple_is_refused_before_signing(bt_ready: SubstrateNode, bt_keys) -> None:  # noqa: F811
    from wallet.errors import ActionRefused
    from wallet.keys.vault import Vault

    hk0, hk1 = bt_keys.hotkeys[:2]
    ch, ck = bt_ready.chain, pub_hex(bt_keys.coldkey)
    ch._change_alpha(pub_hex(hk0), ck, 1, 50 * TAO)
    meta = Vault().get("tao")
    ad = _adapter()
    try:
        stake = ad.plan_stake(meta, hk0, TAO, subtarget="1")
        unstake = ad.plan_unstake(meta, hk0, TAO, subtarget="1")
        with pytest.raises(ActionRefused, match="StakingOperationRateLimitExceeded") as exc:
            ad.combine([stake, unstake])
        assert "add_stake" in str(exc.value) and "remove_stake" in str(exc.value)
        with pytest.raises(ActionRefused, match="rate limiter"):
            ad.combine([ad.plan_stake(meta, hk0, TAO, subtarget="1"), ad.plan_unstake(meta, hk0, None)])
        # unstake first, or unstake another hotkey: the limiter does not object
        assert ad.combine([unstake, stake]).kind == "batch"
        ch._change_alpha(pub_hex(hk1), ck, 1, 50 * TAO)
        assert ad.combine([stake, ad.plan_move(meta, hk1, hk0, TAO, source_sub="1", dest_sub="0")]).kind == "batch"
    finally:
        ad.close()
    assert len(bt_ready.blocks) == 101  # nothing signed
    # the double's runtime refuses such a batch whole, as subtensor does
    from tests.doubles.substrate_chain import DispatchError

    with pytest.raises(DispatchError) as err:
        ch.dispatch(ck, "Utility", "batch_all", {"calls": [
            ("SubtensorModule", "add_stake", {"hotkey": pub_hex(hk0), "netuid": 1, "amount_staked": TAO}),
            ("SubtensorModule", "remove_stake", {"hotkey": pub_hex(hk0), "netuid": 1, "amount_unstaked": TAO})]})
    assert err.value.error == "StakingOperationRateLimitExceeded"


def test_nonce_counts_pending_pool_transactions(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    ck = pub_hex(bt_keys.coldkey)
    bt_ready.pool[ck] = 2  # two earlier submissions of this account wait in the pool
    r = cli("stake", "add", bt_keys.hotkeys[0], "1", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 0, r.err
    assert bt_ready.chain.account(ck)["nonce"] == 3 and bt_ready.rejected == []


def test_fee_estimate_is_the_fee_of_the_signed_extrinsic(bt_ready: SubstrateNode, bt_keys) -> None:  # noqa: F811
    from wallet.keys.vault import Vault

    ad = _adapter()
    try:
        meta = Vault().get("tao")
        for plan in (ad.plan_stake(meta, bt_keys.hotkeys[0], TAO, subtarget="1"),
                     ad.plan_stake(meta, bt_keys.hotkeys[0], TAO, subtarget="1", options={"era": "1024"})):
            res = _execute(ad, plan)
            assert res.ok
            signed = bytes.fromhex(bt_ready.head["extrinsics"][0][2:])
            assert plan.fee_estimate == res.fee_paid == bt_ready.fee_for(len(signed))
    finally:
        ad.close()


def test_stake_list_shows_exact_amounts(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    ch, ck = bt_ready.chain, pub_hex(bt_keys.coldkey)
    ch._change_alpha(pub_hex(bt_keys.hotkeys[0]), ck, 0, 995_121_917)  # root: 1 alpha = 1 TAO
    r = cli("stake", "list", "-n", "bittensor")
    assert r.code == 0, r.err
    assert "0.995121917 TAO" in r.out and "0.995121 TAO" not in r.out
    rows = cli("stake", "list", "-n", "bittensor", "--json").json()
    assert [x["amount"] for x in rows if x["subtarget"] == "0"] == ["995121917"]


def test_rounded_amounts_are_marked() -> None:
    from wallet.units import Denom, format_amount

    agix = Denom("AGIX", "cog", 8)
    assert format_amount(100_012_345_678, agix) == "1,000.12345678 AGIX"
    assert format_amount(100_012_345_678, agix, max_decimals=4, mark=True) == "≈1,000.1234 AGIX"
    assert format_amount(100_012_340_000, agix, max_decimals=4, mark=True) == "1,000.1234 AGIX"


def test_batch_run_sends_stake_then_unstake_of_one_triple_apart(bt_ready: SubstrateNode, bt_keys, cli,  # noqa: F811
                                                                  tmp_path) -> None:  # type: ignore[no-untyped-def]
    ch, ck = bt_ready.chain, pub_hex(bt_keys.coldkey)
    hk0, hk1 = bt_keys.hotkeys[:2]
    ch._change_alpha(pub_hex(hk0), ck, 1, 50 * TAO)
    plan = tmp_path / "tao.toml"
    def action(kind: str, hotkey: str, amount: str) -> str:
        return (f'[[actions]]\nkind = "{kind}"\nnetwork = "bittensor"\ntarget = "{hotkey}"\nsubnet = "1"\n'
                f'amount = "{amount}"\n\n')

    plan.write_text('version = 1\nname = "tao"\n\n[defaults]\naccount = "tao"\n\n'
                    '[policy]\nallowed_networks = ["bittensor"]\n\n'
                    + action("stake", hk0, "1 TAO") + action("unstake", hk0, "0.5 TAO") + action("stake", hk1, "1 TAO"))
    r = cli("batch", "run", str(plan), "--yes", "--json")
    assert r.code == 0, r.err + r.out
    assert r.json()["counts"] == {"confirmed": 3}
    sent = [x for b in bt_ready.blocks for x in b["extrinsics"]]
    assert len(sent) == 3 and bt_ready.rejected == []  # the runner sends them one by one, never one batch_all
    assert ch.alpha_of(pub_hex(hk1), ck, 1) > 0
