"""SingularityNET TokenStake as the deployed contract behaves (snet-stake phase 2): the devnet contract's
semantics, the refusals they call for (a claim request that would overwrite an owed amount, a step that
would land past its period's end), the allowance reset when step 2 fails, exact and complete display,
and a probe that refuses a contract with another ABI (phase 1)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.plugins.snet import NET
from tests.plugins.snet import agix as _agix
from tests.plugins.snet import stake_info as _info
from wallet.devnet.snet import AGIX


def _as_staker(anvil: Any, dep: Any, addr: str, sig: str, *args: Any) -> dict[str, Any]:
    from wallet.devnet.deploy import transact

    anvil.rpc("anvil_impersonateAccount", addr)
    try:
        return transact(anvil, addr, dep.stake, sig, *args)
    finally:
        anvil.rpc("anvil_stopImpersonatingAccount", addr)


def _two_windows(anvil: Any, dep: Any, addr: str, cli: Any) -> tuple[Any, Any, int, int]:
    """Window 1: 100 AGIX staked, rewarded, requested for claim; window 2 opened during window 1's claim-request
    period: 550 AGIX staked and rewarded. Returns (w1, w2, claimable in 1, approved now)."""
    from wallet.devnet.snet import add_rewards, open_window, travel_to, window_from_now

    w1 = window_from_now(anvil, lead=50, submission=300, approval=300, incubation=300, request=50_000)
    assert open_window(anvil, dep, w1) == 1
    travel_to(anvil, w1.start + 1)
    assert cli("stake", "add", "current", "100", "-n", NET, "--yes").code == 0
    travel_to(anvil, w1.approval_end + 1)
    add_rewards(anvil, dep, 1, [addr])
    # the only staker: reward = 100 × 1,000 / ((1,000 + 100) − 1,000) = the whole 1,000 AGIX
    assert _info(anvil, dep, 1, addr)[1] == 1_100 * AGIX
    travel_to(anvil, w1.request_withdraw_start + 1)
    assert cli("stake", "claim", "1", "-n", NET, "--yes").code == 0  # requestForClaim(1, false)
    assert _info(anvil, dep, 1, addr)[4] == 1_100 * AGIX
    w2 = window_from_now(anvil, lead=20, submission=300, approval=300, incubation=300, request=300, reward=500 * AGIX)
    assert open_window(anvil, dep, w2) == 2
    travel_to(anvil, w2.start + 1)
    assert cli("stake", "add", "current", "550", "-n", NET, "--yes").code == 0
    travel_to(anvil, w2.approval_end + 1)
    add_rewards(anvil, dep, 2, [addr])
    approved = _info(anvil, dep, 2, addr)[1]
    assert approved == 1_050 * AGIX  # 550 + 550 × 500 / ((500 + 550) − 500)
    assert w2.end < w1.end  # window 1's claim requests are still open
    return w1, w2, 1_100 * AGIX, approved


def test_claim_request_that_would_overwrite_an_owed_amount_is_refused(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dep, addr = snet
    w1, w2, claimable, approved = _two_windows(anvil, dep, addr, cli)
    r = cli("stake", "claim", "1", "--opt", "auto_renew=false", "-n", NET, "--yes")
    assert r.code == 1, r.out
    assert "1,100 AGIX" in r.err and "1,050 AGIX" in r.err and "never be claimed" in r.err
    assert "first claim the 1,100 AGIX from window #1" in r.err
    r = cli("stake", "claim", "1", "--opt", "auto_renew=true", "-n", NET, "--yes")
    assert r.code == 1 and "1,100 AGIX" in r.err and "1,050 AGIX" in r.err and "keep the 1,050 AGIX staked" in r.err
    assert _info(anvil, dep, 1, addr)[1::3] == (approved, claimable)  # nothing sent
    # the contract itself would have lost the 1,100: requestForClaim assigns
    _as_staker(anvil, dep, addr, "requestForClaim(uint256,bool)", 1, False)
    assert _info(anvil, dep, 1, addr)[1] == 0 and _info(anvil, dep, 1, addr)[4] == approved


def test_contract_semantics_follow_the_deployed_tokenstake(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from wallet.devnet.deploy import DevnetError, call, transact
    from wallet.devnet.snet import open_window, travel_to, window_from_now

    dep, addr = snet
    w = window_from_now(anvil, lead=50, reward=700 * AGIX)
    open_window(anvil, dep, w)
    assert call(anvil, dep.stake, "windowTotalStake()") == 700 * AGIX  # openForStake pre-adds the reward
    travel_to(anvil, w.start + 1)
    assert cli("stake", "add", "current", "100", "-n", NET, "--yes").code == 0
    assert call(anvil, dep.stake, "windowTotalStake()") == 800 * AGIX
    compiled_names = {e.get("name") for e in __import__("wallet.devnet.compile", fromlist=["x"])
                      .compile_contracts()["SnetTokenStake"]["abi"]}
    assert "approveStake" not in compiled_names and "depositToken" not in compiled_names
    w2 = window_from_now(anvil, lead=5_000)
    travel_to(anvil, w.approval_end + 1)
    with pytest.raises(DevnetError):  # rejectStake takes the current window only
        transact(anvil, dep.operator, dep.stake, "rejectStake(uint256,address)", 2, addr)
    transact(anvil, dep.operator, dep.stake, "rejectStake(uint256,address)", 1, addr)
    assert _info(anvil, dep, 1, addr)[2] == 0 and _agix(anvil, dep, addr) == 1_000 * AGIX
    assert w2.start > w.end


def test_a_step_near_its_periods_end_is_refused(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from wallet.devnet.snet import open_window, travel_to, window_from_now

    dep, addr = snet
    w = window_from_now(anvil, lead=50)
    open_window(anvil, dep, w)
    travel_to(anvil, w.submission_end - 90)  # approve + submitStake need 2 × 60 s
    r = cli("stake", "add", "current", "100", "-n", NET, "--yes")
    assert r.code == 1 and "submission period ends" in r.err and "2 transaction(s)" in r.err
    assert _info(anvil, dep, 1, addr)[2] == 0


def test_step_two_failing_after_the_approve_resets_the_allowance(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from wallet.adapters import adapter_for
    from wallet.devnet.deploy import call
    from wallet.devnet.snet import open_window, travel_to, window_from_now
    from wallet.errors import ActionFailed
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import Vault

    dep, addr = snet
    w = window_from_now(anvil, lead=50)
    open_window(anvil, dep, w)
    travel_to(anvil, w.start + 1)
    ad = adapter_for(NET)
    try:
        meta = Vault().get("staker")
        plan = ad.plan_stake(meta, "current", 100 * AGIX)
        assert [s["label"] for s in plan.payload["steps"]] == ["approve", "submitStake"]
        travel_to(anvil, w.submission_end + 1)  # the period ends between the plan and the second step
        with pytest.raises(ActionFailed) as exc:
            ad.submit(plan, UnlockPolicy().unlock(Vault(), meta).signer("evm"))
    finally:
        ad.close()
    text = str(exc.value)
    assert "step 2 (submitStake) would revert" in text and "step 1 (approve, tx 0x" in text
    assert "reset the AGIX allowance of TokenStake to 0 AGIX" in text
    assert call(anvil, dep.token, "allowance(address,address)", addr, dep.stake) == 0
    assert _agix(anvil, dep, addr) == 1_000 * AGIX


def test_display_is_exact_dated_and_shows_rewards(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from wallet.devnet.snet import add_rewards, open_window, travel_to, window_from_now
    from wallet.services.timefmt import when

    dep, addr = snet
    w = window_from_now(anvil, lead=50, reward=12_345_678)  # 0.12345678 AGIX of reward
    open_window(anvil, dep, w)
    travel_to(anvil, w.start + 1)
    assert cli("stake", "add", "current", "100.12345678", "-n", NET, "--yes").code == 0
    r = cli("stake", "list", "-n", NET)
    assert "100.12345678 AGIX" in r.out and "pending" in r.out
    assert f"approved when rewards are added, after {when(w.approval_end)}" in r.out
    assert str(w.approval_end) not in r.out
    v = cli("validators", "-n", NET)
    assert "DETAIL" in v.out and "claim requests" in v.out
    travel_to(anvil, w.approval_end + 1)
    add_rewards(anvil, dep, 1, [addr])
    rows = cli("stake", "list", "-n", NET, "--json").json()
    [staked] = [x for x in rows if x["kind"] == "staked"]
    assert (staked["amount"], staked["rewards"]) == (str(10_012_345_678), str(12_345_678))
    assert staked["extra"]["approved"] == str(10_024_691_356)
    r = cli("stake", "list", "-n", NET)
    assert "100.12345678 AGIX" in r.out and "0.12345678 AGIX" in r.out and when(w.end) in r.out


def test_a_contract_with_the_phase_one_abi_is_refused(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from wallet import networks
    from wallet.devnet.compile import compile_contracts
    from wallet.devnet.deploy import deploy_contract

    dep, _addr = snet
    phase1, _ = deploy_contract(anvil, dep.operator, compile_contracts()["SnetTokenStakePhase1"])
    net = networks.get_network(NET)
    networks.set_user_table(NET, {"extra": {**net.extra, "stake_contract": phase1}})
    for args in (("validators", "-n", NET), ("stake", "list", "-n", NET), ("stake", "add", "current", "10", "-n", NET,
                                                                            "--yes")):
        r = cli(*args)
        assert "does not answer the TokenStake (snet-stake phase 2) views" in r.err, (args, r.err)
        assert "stakeMap 160 bytes" in r.err


def test_networks_add_describes_a_tokenstake_network(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dep, addr = snet
    r = cli("networks", "add", "mystake", "--adapter", "snet_stake", "--chain-id", str(dep.chain_id), "--rpc",
            anvil.url, "--stake-contract", dep.stake.lower(), "--token", dep.token, "--token-symbol", "AGIX",
            "--token-decimals", "8", "--start-block", str(dep.deploy_block), "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["adapter"] == "snet_stake" and doc["extra"]["stake_contract"] == dep.stake
    assert doc["extra"]["start_block"] == dep.deploy_block and doc["extra"]["token_decimals"] == 8
    from wallet.devnet.snet import open_window, window_from_now

    open_window(anvil, dep, window_from_now(anvil, lead=50))
    v = cli("validators", "-n", "mystake", "--json")
    assert v.code == 0 and v.json()[0]["id"] == "1"
    bad = cli("networks", "add", "other", "--adapter", "snet_stake", "--chain-id", "1", "--rpc", anvil.url,
              "--token", dep.token)
    assert bad.code == 2 and "--stake-contract" in bad.err
    bad = cli("networks", "add", "other", "--adapter", "snet_stake", "--chain-id", "1", "--rpc", anvil.url,
              "--stake-contract", "0x1234", "--token", dep.token)
    assert bad.code == 2 and "stake-contract" in bad.err and "Traceback" not in bad.err
    bad = cli("networks", "add", "other", "--adapter", "cosmos", "--chain-id", "1", "--rpc", anvil.url)
    assert bad.code == 2 and "not offered" in bad.err
