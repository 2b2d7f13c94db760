"""The anvil devnet: contracts compile, every DAO kind deploys, seeding reaches every state."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wallet.devnet import DevnetError, devnet_dir
from wallet.devnet.deploy import TREASURY_SUPPLY, call, keccak_hex
from wallet.devnet.seed import cast_votes, grant_recipient, seed_large, voter_addresses

STATES = ["pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed"]
KINDS = ["oz", "oz_timestamp", "bravo"]
REPO = Path(__file__).resolve().parents[1]


def state_of(rpc, dep, pid) -> str:
    return STATES[call(rpc, dep.governor, "state(uint256)", int(pid), returns=["uint8"])]


def tally(rpc, dep, pid) -> tuple[int, int, int]:
    """(against, for, abstain)."""
    if dep.kind == "bravo":
        p = call(rpc, dep.governor, "proposals(uint256)", int(pid),
                 returns=["uint256", "address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256",
                          "bool", "bool"])
        return p[6], p[5], p[7]
    return call(rpc, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)


def test_compile_produces_the_five_artifacts(compiled):
    assert set(compiled) >= {"PolisToken", "PolisTokenTs", "PolisGovernor", "TimelockController", "PolisBravo"}
    for name, art in compiled.items():
        assert art["bytecode"].startswith("0x") and len(art["bytecode"]) > 1000, name
        assert isinstance(art["abi"], list) and art["abi"], name
    from wallet.devnet.compile import compile_contracts

    t = time.perf_counter()
    assert compile_contracts() == compiled
    assert time.perf_counter() - t < 0.5  # cached


def test_compile_without_node_modules_says_npm_ci(tmp_path, monkeypatch):
    (tmp_path / "contracts").mkdir()
    monkeypatch.setenv("POLIS_DEVNET_DIR", str(tmp_path))
    assert devnet_dir() == tmp_path.resolve()
    from wallet.devnet.compile import compile_contracts

    with pytest.raises(DevnetError) as err:
        compile_contracts()
    assert "npm ci" in (err.value.hint or "")


def test_bravo_events_share_the_oz_topics(compiled):
    def topics(abi):
        return {
            e["name"]: keccak_hex(f"{e['name']}({','.join(i['type'] for i in e['inputs'])})")
            for e in abi if e["type"] == "event"
        }

    oz, bravo = topics(compiled["PolisGovernor"]["abi"]), topics(compiled["PolisBravo"]["abi"])
    for name in ("ProposalCreated", "VoteCast", "ProposalQueued", "ProposalExecuted", "ProposalCanceled"):
        assert bravo[name] == oz[name], name


@pytest.mark.anvil
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_deploys(anvil, dao, kind):
    dep = dao(kind)
    assert dep.chain_id == 31337 and dep.admin.startswith("0x") and dep.deploy_block > 0
    assert call(anvil, dep.token, "balanceOf(address)", dep.treasury) == TREASURY_SUPPLY
    assert call(anvil, dep.token, "getVotes(address)", dep.admin) > 0
    assert call(anvil, dep.governor, "votingPeriod()") == dep.voting_period
    assert call(anvil, dep.governor, "votingDelay()") == dep.voting_delay
    if kind == "bravo":
        assert dep.timelock is None and dep.treasury == dep.governor
        assert call(anvil, dep.governor, "comp()", returns=["address"]).lower() == dep.token.lower()
        assert call(anvil, dep.governor, "proposalCount()") == 0
        assert call(anvil, dep.governor, "quorumVotes()") > 0
    else:
        assert call(anvil, dep.governor, "token()", returns=["address"]).lower() == dep.token.lower()
        assert call(anvil, dep.governor, "timelock()", returns=["address"]).lower() == dep.timelock.lower()
        proposer = bytes.fromhex(keccak_hex("PROPOSER_ROLE")[2:])
        assert call(anvil, dep.timelock, "hasRole(bytes32,address)", proposer, dep.governor, returns=["bool"])
        assert call(anvil, dep.governor, "COUNTING_MODE()", returns=["string"]) == "support=bravo&quorum=for,abstain"


@pytest.mark.anvil
def test_timestamp_variant_reports_timestamp_clock(anvil, dao):
    dep = dao("oz_timestamp")
    assert dep.clock_mode == "timestamp"
    assert call(anvil, dep.token, "CLOCK_MODE()", returns=["string"]) == "mode=timestamp"
    assert call(anvil, dep.governor, "CLOCK_MODE()", returns=["string"]) == "mode=timestamp"
    block = anvil.rpc("eth_getBlockByNumber", "latest", False)
    assert call(anvil, dep.governor, "clock()", returns=["uint48"]) == int(block["timestamp"], 16)
    block_dep = dao("oz")
    assert call(anvil, block_dep.token, "CLOCK_MODE()", returns=["string"]) == "mode=blocknumber&from=default"


@pytest.mark.anvil
@pytest.mark.parametrize("kind", KINDS)
def test_seed_reaches_every_state(anvil, seeded_dao, kind):
    dep, report = seeded_dao(kind, n_voters=30)
    expected = {"pending", "active", "canceled", "defeated", "succeeded", "queued", "executed"}
    if kind == "bravo":
        expected.add("expired")
    assert set(report.proposals) == expected
    for name, pid in report.proposals.items():
        assert state_of(anvil, dep, pid) == name, (kind, name)
    assert len(report.voters) == 30 and report.blocks[0] <= report.blocks[1]
    assert report.descriptions["active"].startswith("# ")

    # votes counted: 30 voters (mixed supports) + the admin's deciding vote
    against, for_, abstain = tally(anvil, dep, report.proposals["succeeded"])
    assert for_ > against and abstain > 0 and against > 0
    against, for_, _ = tally(anvil, dep, report.proposals["defeated"])
    assert against >= for_ > 0
    assert tally(anvil, dep, report.proposals["canceled"]) == (0, 0, 0)
    assert sum(tally(anvil, dep, report.proposals["active"])) > 0
    voted = 5 if kind == "bravo" else 4
    assert report.votes_cast == voted * 31 + 20

    # the executed proposal moved treasury funds
    assert call(anvil, dep.token, "balanceOf(address)", dep.treasury) < TREASURY_SUPPLY

    # the active proposal stays open for the tests (>= 30 blocks or seconds)
    active = int(report.proposals["active"])
    if kind == "bravo":
        end = call(anvil, dep.governor, "proposals(uint256)", active, returns=["uint256"] * 5)[4]
        now = int(anvil.rpc("eth_blockNumber"), 16)
    else:
        end = call(anvil, dep.governor, "proposalDeadline(uint256)", active)
        now = call(anvil, dep.governor, "clock()", returns=["uint48"])
    assert end - now >= 30

    # receipts: Bravo's getReceipt (a static struct) / OZ's hasVoted
    voter = report.voters[0]
    if kind == "bravo":
        has_voted, support, votes = call(anvil, dep.governor, "getReceipt(uint256,address)",
                                         int(report.proposals["succeeded"]), voter, returns=["bool", "uint8", "uint96"])
        assert has_voted and support in (0, 1, 2) and votes == 100 * 10**18
    else:
        assert call(anvil, dep.governor, "hasVoted(uint256,address)", int(report.proposals["succeeded"]), voter,
                    returns=["bool"])


@pytest.mark.anvil
@pytest.mark.parametrize("kind", ["oz", "bravo"])
def test_cast_votes_on_the_active_proposal(anvil, seeded_dao, kind):
    dep, report = seeded_dao(kind, n_voters=40, active_votes=10)
    pid = report.proposals["active"]
    before = tally(anvil, dep, pid)
    fresh = report.voters[10:16]  # funded, delegated, not yet voted on the active proposal
    n = cast_votes(anvil, dep, pid, fresh, supports=[0, 1, 2, 1, 1, 0], reasons=["no", "", "meh", "", "yes", ""])
    assert n == 6
    after = tally(anvil, dep, pid)
    unit = 100 * 10**18
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2]) == (2 * unit, 3 * unit, unit)
    with pytest.raises(DevnetError, match="failed"):
        cast_votes(anvil, dep, pid, fresh[:1])  # already voted: reverts


@pytest.mark.anvil
@pytest.mark.parametrize("kind", ["oz", "bravo"])
def test_seed_large_small_run(anvil, dao, kind):
    dep = dao(kind)
    report = seed_large(anvil, dep, n_proposals=12, n_votes=300)
    assert len(report.proposal_ids) == 12 and report.votes_cast == 300
    topic = keccak_hex("VoteCast(address,uint256,uint8,uint256,string)")
    logs = anvil.rpc("eth_getLogs", {"address": dep.governor, "fromBlock": hex(report.blocks[0]),
                                     "toBlock": hex(report.blocks[1]), "topics": [topic]})
    assert len(logs) == 300
    assert sum(sum(tally(anvil, dep, pid)) for pid in report.proposal_ids) == 300 * 100 * 10**18


def test_voters_are_deterministic_and_checksummed():
    a, b = voter_addresses(3), voter_addresses(3)
    assert a == b and len(set(a)) == 3
    assert all(x.startswith("0x") and len(x) == 42 and x != x.lower() for x in a)
    assert grant_recipient(0) not in a


@pytest.mark.anvil
def test_anvil_stop_kills_the_process_group(compiled):
    from wallet.devnet.anvil import Anvil

    with Anvil() as node:
        pid = node.process.pid
        assert os.getpgid(pid) == pid  # its own session / process group
        assert int(node.rpc("eth_chainId"), 16) == 31337
        assert node.port and node.url.endswith(str(node.port))
    assert not node.running
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)


@pytest.mark.anvil
def test_cli_deploys_seeds_and_exits(compiled):
    if shutil.which("node") is None:
        pytest.skip("node missing")
    out = subprocess.run(
        [sys.executable, "-m", "wallet.devnet", "--port", "0", "--voters", "8", "--exit"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["url"].startswith("http://127.0.0.1:")
    assert set(summary["daos"]) == set(KINDS)
    assert summary["daos"]["bravo"]["seed"]["proposals"]["expired"]
    with pytest.raises(ProcessLookupError):
        os.killpg(summary["pid"], 0)
