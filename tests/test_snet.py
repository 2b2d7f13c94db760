"""SingularityNET TokenStake: a stake window's whole life on anvil with time travel, through the CLI
(approve + submitStake in one plan, withdraw, request for claim with and without auto-renewal,
claim), each action refused outside its period; events synced into the archive; 8-decimal amounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wallet.devnet.snet import AGIX

FIXTURES = Path(__file__).resolve().parent / "data" / "singularitynet"
STAKER_KEY = "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"
NET = "snetdev"


def test_event_topics_are_the_mainnet_contracts() -> None:
    from wallet.adapters.snet.windows import TOPICS

    events = json.loads((FIXTURES / "TokenStake.networks.json").read_text())["1"]["events"]
    names = {"submit": "SubmitStake", "withdraw": "WithdrawStake", "request_claim": "RequestForClaim",
             "claim": "ClaimStake", "reject": "RejectStake", "reward": "AddReward", "open": "OpenForStake"}
    assert {t: events[t]["name"] for t in TOPICS} == {t: names[k] for t, k in TOPICS.items()}


def test_devnet_contract_has_the_tokenstake_interface(compiled) -> None:  # type: ignore[no-untyped-def]
    """Every function and event of the published TokenStake ABI that a staker or Polis uses exists in ours."""
    def sigs(abi: list) -> set[str]:
        return {f"{e['type']} {e.get('name')}({','.join(i['type'] for i in e.get('inputs', []))})"
                f"->{','.join(o['type'] for o in e.get('outputs', []))}" for e in abi if e["type"] in ("function",
                                                                                                       "event")}

    real = sigs(json.loads((FIXTURES / "TokenStake.abi.json").read_text()))
    ours = sigs(compiled["SnetTokenStake"]["abi"])
    used = {s for s in real if any(n in s for n in (
        "submitStake", "withdrawStake", "requestForClaim", "claimStake", "getStakeInfo", "currentStakeMapIndex",
        "stakeMap", "openForStake", "updateRewards", "computeAndAddReward", "rejectStake", "windowTotalStake",
        "event SubmitStake", "event WithdrawStake", "event RequestForClaim", "event ClaimStake", "event AddReward",
        "event OpenForStake", "event RejectStake"))}
    assert len(used) >= 19 and used <= ours
    assert compiled["SnetToken"]["abi"] and any(e.get("name") == "decimals" for e in compiled["SnetToken"]["abi"])


def test_amounts_with_more_than_8_decimals_refused(cli, env_passphrase) -> None:  # type: ignore[no-untyped-def]
    from wallet.adapters import adapter_for
    from wallet.errors import BadInput

    ad = adapter_for("singularitynet")
    assert ad.parse_amount("1.12345678") == 112_345_678
    assert ad.parse_amount("5 AGIX") == 5 * AGIX
    with pytest.raises(BadInput, match="more decimals"):
        ad.parse_amount("1.123456789")
    assert cli("keys", "import", "staker", "--private-key", stdin=STAKER_KEY + "\n").code == 0
    r = cli("stake", "add", "current", "0.000000001", "-n", "singularitynet", "--dry-run")
    assert r.code == 2 and "more decimals" in r.err


@pytest.fixture
def snet(anvil, cli, env_passphrase):  # type: ignore[no-untyped-def]
    from wallet import networks
    from wallet.devnet.snet import deploy_snet, mint

    dep = deploy_snet(anvil)
    networks.set_user_table(NET, {
        "family": "evm", "name": "SNET devnet", "chain_id": dep.chain_id, "rpc": [anvil.url], "block_time": 1,
        "confirmations": 0, "adapter": "snet_stake", "denom": {"symbol": "ETH", "base": "wei", "decimals": 18},
        "extra": {"stake_contract": dep.stake, "token": dep.token, "start_block": dep.deploy_block}})
    r = cli("keys", "import", "staker", "--private-key", "--json", stdin=STAKER_KEY + "\n")
    assert r.code == 0, r.err
    addr = r.json()["addresses"]["evm"]
    anvil.rpc("anvil_setBalance", addr, hex(10 * 10**18))
    mint(anvil, dep, addr, 1_000 * AGIX)
    return dep, addr


def _info(anvil, dep, idx: int, addr: str) -> tuple:  # type: ignore[no-untyped-def]
    from wallet.devnet.deploy import call

    return call(anvil, dep.stake, "getStakeInfo(uint256,address)", idx, addr,
                returns=("bool", "uint256", "uint256", "uint256", "uint256"))


def _agix(anvil, dep, addr: str) -> int:  # type: ignore[no-untyped-def]
    from wallet.devnet.deploy import call

    return int(call(anvil, dep.token, "balanceOf(address)", addr))


@pytest.mark.parametrize("snet", ["devnet", "published"], indirect=True)
def test_stake_window_lifecycle(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]
    """Through every period of a stake window, on the devnet's contract and on SingularityNET's published
    TokenStake and AGIX bytecode."""
    from wallet.devnet.snet import add_rewards, open_window, travel_to, window_from_now

    dep, addr = snet
    w = window_from_now(anvil, lead=100)
    idx = open_window(anvil, dep, w)

    early = cli("stake", "add", "current", "100", "-n", NET, "--yes")
    assert early.code == 1 and "not started period" in early.err and "submitted" in early.err

    travel_to(anvil, w.start + 1)
    r = cli("stake", "add", "current", "100", "-n", NET, "--yes", "--json")
    assert r.code == 0, r.err
    summary = r.json()["plan"]["summary"]
    assert summary[1].startswith("step 1/2: approve(") and summary[2].startswith("step 2/2: submitStake(10000000000)")
    assert _info(anvil, dep, idx, addr)[2] == 100 * AGIX and _agix(anvil, dep, addr) == 900 * AGIX

    small = cli("stake", "add", "current", "5", "-n", NET, "--yes")  # 5 more is fine: the total counts
    assert small.code == 0, small.err
    assert cli("stake", "remove", str(idx), "35", "-n", NET, "--yes").code == 0  # withdrawStake of pending
    assert _info(anvil, dep, idx, addr)[2] == 70 * AGIX
    below = cli("stake", "remove", str(idx), "65", "-n", NET, "--yes")
    assert below.code == 1 and "below the minimum" in below.err
    assert cli("stake", "claim", str(idx), "-n", NET, "--yes").code == 1  # claims come later

    listed = cli("stake", "list", "-n", NET, "--json").json()
    assert [(s["kind"], s["amount"]) for s in listed] == [("pending", str(70 * AGIX))]

    travel_to(anvil, w.approval_end + 1)  # incubation: the operator approves and adds rewards
    add_rewards(anvil, dep, idx, [addr])
    approved = _info(anvil, dep, idx, addr)[1]
    assert approved > 70 * AGIX
    held = cli("stake", "remove", str(idx), "--all", "-n", NET, "--yes")
    assert held.code == 1 and "incubation period" in held.err and "requested for claim" in held.err

    travel_to(anvil, w.request_withdraw_start + 1)
    assert cli("stake", "claim", str(idx), "-n", NET, "--yes").code == 0  # requestForClaim(idx, false)
    assert _info(anvil, dep, idx, addr)[4] == approved
    again = cli("stake", "claim", str(idx), "-n", NET, "--yes", "--json")
    assert again.code == 0 and again.json()["noop"] is True
    assert cli("stake", "claim", str(idx), "--opt", "auto_renew=true", "-n", NET, "--yes").code == 0
    assert _info(anvil, dep, idx, addr)[1:5:3] == (approved, 0)
    assert cli("stake", "remove", str(idx), "--all", "-n", NET, "--yes").code == 0  # opt out again
    assert cli("stake", "add", "current", "10", "-n", NET, "--yes").code == 1  # submission is over

    travel_to(anvil, w.end + 1)
    late = cli("stake", "claim", str(idx), "--opt", "auto_renew=true", "-n", NET, "--yes")
    assert late.code == 1 and "that period is over" in late.err
    assert cli("stake", "claim", str(idx), "-n", NET, "--yes").code == 0  # claimStake
    assert _agix(anvil, dep, addr) == 1_000 * AGIX - 70 * AGIX + approved

    synced = cli("sync", NET, "--json")
    assert synced.code == 0, synced.err
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        kinds = [k for (k,) in ar.conn.execute("SELECT kind FROM stake_events WHERE address=? ORDER BY block", (addr,))]
        targets = ar.conn.execute("SELECT id, status FROM stake_targets WHERE source=?", (NET,)).fetchall()
    assert kinds == ["submit", "submit", "withdraw", "reward", "request_claim", "request_claim", "request_claim",
                     "claim"]
    assert (str(idx), "ended") in targets
    assert cli("sync", NET, "--json").json()["reports"][0]["noop"] is True
    shown = cli("validators", "-n", NET, "--json").json()
    assert shown[0]["id"] == str(idx) and shown[0]["status"] == "ended"


@pytest.mark.parametrize("snet", ["devnet", "published"], indirect=True)
def test_stake_withdraw_takes_back_pending_stake(anvil, snet, cli) -> None:  # type: ignore[no-untyped-def]
    """`polis stake withdraw` (the TUI's withdraw): pending stake during submission, an amount or --all."""
    from wallet.devnet.snet import open_window, travel_to, window_from_now

    dep, addr = snet
    w = window_from_now(anvil, lead=100)
    idx = open_window(anvil, dep, w)
    travel_to(anvil, w.start + 1)
    assert cli("stake", "add", "current", "100", "-n", NET, "--yes").code == 0
    dry = cli("stake", "withdraw", str(idx), "30", "-n", NET, "--dry-run", "--json")
    assert dry.code == 0 and "withdrawStake" in " ".join(dry.json()["plan"]["summary"])
    r = cli("stake", "withdraw", str(idx), "30", "-n", NET, "--yes", "--json")
    assert r.code == 0, r.err
    assert r.json()["ok"] is True and _info(anvil, dep, idx, addr)[2] == 70 * AGIX
    assert cli("stake", "withdraw", str(idx), "-n", NET, "--yes").code == 2  # an AMOUNT or --all
    assert cli("stake", "withdraw", str(idx), "--all", "-n", NET, "--yes").code == 0
    assert _info(anvil, dep, idx, addr)[2] == 0 and _agix(anvil, dep, addr) == 1_000 * AGIX
    none = cli("stake", "withdraw", str(idx), "--all", "-n", NET, "--yes")
    assert none.code == 1 and "nothing pending" in none.err


def test_withdraw_is_refused_where_the_adapter_has_none(cli, snet) -> None:  # type: ignore[no-untyped-def]
    from wallet.adapters.cosmos.adapter import CosmosAdapter
    from wallet.adapters.snet.adapter import SnetStakeAdapter

    assert "withdraw" in SnetStakeAdapter.STAKE_ACTIONS and "withdraw" not in CosmosAdapter.STAKE_ACTIONS
    r = cli("stake", "withdraw", "1", "--all", "-n", "devnet", "--yes")
    assert r.code == 2 and "Traceback" not in r.err
