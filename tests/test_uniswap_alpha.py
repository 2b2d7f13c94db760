"""Uniswap's published GovernorAlpha, its Comp-style UNI token and its Timelock: the bytecode npm
@uniswap/governance 1.0.2 ships (compiled by Uniswap with solc 0.5.16 from Compound's GovernorAlpha), not a
contract written here. On their own anvil, through every state a proposal takes, with every number Polis
shows compared with the contract's own views (state, proposals, getReceipt, quorumVotes, getCurrentVotes,
getPriorVotes). Polis is told only the two addresses: the kind and the token's metadata come from the chain.

The contract's voting period is a constant 40,320 blocks, which anvil cannot mine in a test's time (4,000
blocks take ~20 s). The ended proposals get their `endBlock` word set to the current block instead, as a
contract upgrade never could but a node's storage override can; everything after that runs as on mainnet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.devnet import follow_local
from tests.plugins.devnet import synced as sync

pytestmark = pytest.mark.anvil

BUILD = Path(__file__).resolve().parent / "js" / "node_modules" / "@uniswap" / "governance" / "build"
STATE = ("pending", "active", "canceled", "rejected", "passed", "queued", "expired", "executed")
PROPOSAL = ["uint256", "address", "uint256", "uint256", "uint256", "uint256", "uint256", "bool", "bool"]
E18 = 10**18
PROPOSALS_SLOT = 3  # GovernorAlpha: timelock (0), uni (1), proposalCount (2), proposals (3)
END_BLOCK_WORD = 8  # Proposal: id, proposer, eta, targets, values, signatures, calldatas, startBlock, endBlock
DAVE_INDEX = 4  # the junk mnemonic's fifth account: the voter whose key Polis holds


def artifact(name: str) -> dict[str, Any]:
    doc = json.loads((BUILD / f"{name}.json").read_text())
    return {"abi": doc["abi"], "bytecode": "0x" + doc["bytecode"].removeprefix("0x")}


class Uniswap:
    """Uni, Timelock and GovernorAlpha deployed as Uniswap did (the timelock's admin is the governor)."""

    def __init__(self, node: Any) -> None:
        import rlp
        from eth_utils import keccak, to_bytes

        from wallet.devnet.deploy import checksum, deploy_contract, transact

        self.node = node
        accounts = node.rpc("eth_accounts")
        self.admin, self.alice, self.bob, self.carol, self.dave = accounts[:5]
        now = int(node.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
        self.uni, self.start_block = deploy_contract(node, self.admin, artifact("Uni"), "(address,address,uint256)",
                                                     self.admin, self.admin, now + 10**8)
        nonce = int(node.rpc("eth_getTransactionCount", self.admin, "latest"), 16)
        governor = checksum("0x" + keccak(rlp.encode([to_bytes(hexstr=self.admin), nonce + 1]))[12:].hex())
        self.timelock, _ = deploy_contract(node, self.admin, artifact("Timelock"), "(address,uint256)", governor,
                                           2 * 86_400)
        self.governor, _ = deploy_contract(node, self.admin, artifact("GovernorAlpha"), "(address,address)",
                                           self.timelock, self.uni)
        assert self.governor == governor
        for who, whole in ((self.alice, 50_000_000), (self.bob, 20_000_000), (self.carol, 30_000_000),
                           (self.dave, 15_000_000)):
            transact(node, self.admin, self.uni, "transfer(address,uint256)", who, whole * E18)
        for who in (self.admin, self.alice, self.bob, self.carol):
            transact(node, who, self.uni, "delegate(address)", who)
        transact(node, self.admin, self.uni, "transfer(address,uint256)", self.timelock, 1_000_000 * E18)

    def call(self, to: str, signature: str, *args: Any, returns: tuple[str, ...] | list[str] = ("uint256",)) -> Any:
        from wallet.devnet.deploy import call

        return call(self.node, to, signature, *args, returns=returns)

    def send(self, sender: str, signature: str, *args: Any, to: str | None = None) -> None:
        from wallet.devnet.deploy import transact

        transact(self.node, sender, to or self.governor, signature, *args)

    def propose(self, proposer: str, description: str, whole: int = 1_000) -> str:
        from wallet.devnet.deploy import encode_args

        data = encode_args("f(address,uint256)", [self.carol, whole * E18])
        self.send(proposer, "propose(address[],uint256[],string[],bytes[],string)", [self.uni], [0],
                  ["transfer(address,uint256)"], [data], description)
        return str(self.call(self.governor, "latestProposalIds(address)", proposer))

    def end_voting(self, pid: str) -> None:
        """The proposal's endBlock word set to the current block (see the module's doc); the next block is
        past it."""
        from eth_utils import keccak

        base = int.from_bytes(keccak(int(pid).to_bytes(32, "big") + PROPOSALS_SLOT.to_bytes(32, "big")), "big")
        stored_id = self.node.rpc("eth_getStorageAt", self.governor, hex(base), "latest")
        assert int(stored_id, 16) == int(pid), "the storage layout is not GovernorAlpha's"
        head = int(self.node.rpc("eth_blockNumber"), 16)
        self.node.rpc("anvil_setStorageAt", self.governor, hex(base + END_BLOCK_WORD), "0x" + f"{head:064x}")
        self.node.rpc("evm_mine")

    def proposal(self, pid: str) -> tuple:
        return self.call(self.governor, "proposals(uint256)", int(pid), returns=PROPOSAL)

    def state(self, pid: str) -> str:
        return STATE[self.call(self.governor, "state(uint256)", int(pid), returns=["uint8"])]


@pytest.fixture(scope="module")
def uniswap():
    from wallet.devnet.anvil import Anvil

    if not BUILD.is_dir():
        pytest.fail("npm @uniswap/governance is missing: run `make setup` (npm ci in tests/js)")
    with Anvil() as node:
        yield Uniswap(node)


def follow(cli, dao: Uniswap) -> str:
    return follow_local(cli, dao.node.url, "uniswap", dao.governor, dao.uni, dao.start_block,
                        ("alpha", "evm_alpha", "UNI", 18))


def check_against_chain(cli, dao: Uniswap, src: str, pids: list[str]) -> dict[str, dict[str, Any]]:
    """Every proposal's status, tally, window, quorum and votes as Polis shows them equal the contract's."""
    quorum = dao.call(dao.governor, "quorumVotes()")
    assert quorum == 40_000_000 * E18
    listing = {p["id"]: p for p in cli("proposals", "list", "-n", src, "--json").json()["proposals"]}
    assert sorted(listing) == sorted(pids)
    shown: dict[str, dict[str, Any]] = {}
    for pid in pids:
        chain = dao.proposal(pid)
        p = listing[pid]
        assert p["status"] == dao.state(pid), pid
        assert {t["choice"]: int(t["weight"]) for t in p["tally"]} == {"for": chain[5], "against": chain[6]}, pid
        show = cli("proposals", "show", f"{src}:{pid}", "--json")
        assert show.code == 0, show.err
        doc = shown[pid] = show.json()
        window = (doc["start_point"], doc["end_point"], doc["proposer"].lower())
        assert window == (chain[3], chain[4], chain[1].lower()), pid
        assert int(doc["quorum"]) == quorum and doc["quorum_status"]["reached"] == (chain[5] >= quorum), pid
        assert [c["label"] for c in doc["choices"]] == ["for", "against"]
        votes = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "100").json()["votes"]
        assert len(votes) == doc["vote_count"]
        for v in votes:
            voted, support, weight = dao.call(dao.governor, "getReceipt(uint256,address)", int(pid), v["voter"],
                                              returns=["(bool,bool,uint96)"])
            assert voted and v["choice"] == ("for" if support else "against") and int(v["weight"]) == weight
            assert weight == dao.call(dao.uni, "getPriorVotes(address,uint256)", v["voter"], chain[3],
                                      returns=["uint96"])
    return shown


def test_uniswap_governor_alpha_through_every_state(cli, uniswap: Uniswap) -> None:
    dao = uniswap
    grant = dao.propose(dao.admin, "# Send 1,000 UNI to Carol\nA grant from the treasury.")
    short = dao.propose(dao.carol, "# Below quorum\nFOR wins, but with fewer votes than quorumVotes.")
    dropped = dao.propose(dao.bob, "# Withdrawn\nIts proposer falls below the threshold.")
    dao.node.rpc("evm_mine")
    dao.send(dao.alice, "castVote(uint256,bool)", int(grant), True)
    dao.send(dao.bob, "castVote(uint256,bool)", int(grant), False)
    dao.send(dao.bob, "castVote(uint256,bool)", int(short), True)
    src = follow(cli, dao)
    rep = sync(cli, src)
    assert (rep["new_proposals"], rep["votes"]) == (3, 3)
    check_against_chain(cli, dao, src, [grant, short, dropped])
    assert {p: dao.state(p) for p in (grant, short, dropped)} == {grant: "active", short: "active", dropped: "active"}

    # Bob delegates away: his proposal may be cancelled by anyone; the two others end.
    dao.send(dao.bob, "delegate(address)", dao.alice, to=dao.uni)
    dao.node.rpc("evm_mine")
    dao.send(dao.carol, "cancel(uint256)", int(dropped))
    dao.end_voting(grant)
    dao.end_voting(short)
    sync(cli, src)
    shown = check_against_chain(cli, dao, src, [grant, short, dropped])
    assert {p: dao.state(p) for p in (grant, short, dropped)} == {grant: "passed", short: "rejected",
                                                                 dropped: "canceled"}
    # Bravo and Alpha count FOR only towards quorum: 20M FOR against none is still defeated
    assert shown[short]["quorum_status"]["reached"] is False

    # queue, the timelock's two days, execute: the treasury pays Carol
    dao.send(dao.admin, "queue(uint256)", int(grant))
    eta = dao.proposal(grant)[2]
    assert dao.state(grant) == "queued"
    sync(cli, src)
    assert cli("proposals", "show", f"{src}:{grant}", "--json").json()["status"] == "queued"
    before = dao.call(dao.uni, "balanceOf(address)", dao.carol)
    dao.node.rpc("evm_setNextBlockTimestamp", hex(eta + 1))
    dao.node.rpc("evm_mine")
    dao.send(dao.admin, "execute(uint256)", int(grant))
    assert dao.call(dao.uni, "balanceOf(address)", dao.carol) - before == 1_000 * E18
    sync(cli, src)
    check_against_chain(cli, dao, src, [grant, short, dropped])
    shown_grant = cli("proposals", "show", f"{src}:{grant}", "--json").json()
    assert shown_grant["status"] == "executed" == dao.state(grant)
    assert any("UNI.transfer(" in a["summary"] and "1,000 UNI" in a["summary"] for a in shown_grant["actions"])


def test_uniswap_delegate_then_vote_from_the_vault(cli, env_passphrase, uniswap: Uniswap) -> None:
    """Dave's key in the vault: `polis delegate --to self` on UNI, then a FOR vote through castVote(uint256,bool)
    with exactly the votes UNI's getPriorVotes gives him; no abstain, no reason, no second vote."""
    dao = uniswap
    r = cli("keys", "import", "dave", "--mnemonic", "--index", str(DAVE_INDEX), "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    assert r.json()["addresses"]["evm"].lower() == dao.dave.lower()
    src = follow(cli, dao)
    d = cli("delegate", "--to", "self", "-n", src, "--yes", "--json")
    assert d.code == 0, d.err + d.out
    current = dao.call(dao.uni, "getCurrentVotes(address)", dao.dave, returns=["uint96"])
    assert current == 15_000_000 * E18
    power = cli("power", "-n", src, "--json")
    assert power.code == 0, power.err
    assert str(current) in power.out and dao.dave.lower() in power.out.lower()

    pid = dao.propose(dao.alice, "# Open for Dave\nA proposal Dave votes on from the vault.", whole=10)
    dao.node.rpc("evm_mine")
    dao.node.rpc("evm_mine")
    sync(cli, src)
    assert dao.state(pid) == "active"
    abstain = cli("vote", f"{src}:{pid}", "abstain", "--yes")
    assert abstain.code == 2 and "abstain" in abstain.err
    reason = cli("vote", f"{src}:{pid}", "for", "--reason", "yes", "--yes")
    assert reason.code == 2 and "reason" in reason.err
    r = cli("vote", f"{src}:{pid}", "for", "--yes", "--json")
    assert r.code == 0 and r.json()["ok"], r.err + r.out
    voted, support, weight = dao.call(dao.governor, "getReceipt(uint256,address)", int(pid), dao.dave,
                                      returns=["(bool,bool,uint96)"])
    start = dao.proposal(pid)[3]
    assert voted and support and weight == current == dao.call(dao.uni, "getPriorVotes(address,uint256)", dao.dave,
                                                                 start, returns=["uint96"])
    sync(cli, src)
    mine = cli("proposals", "show", f"{src}:{pid}", "--json").json()["my_vote"]
    assert mine["choice"] == "for" and int(mine["weight"]) == weight
    again = cli("vote", f"{src}:{pid}", "against", "--yes")
    assert again.code == 1 and "already voted" in again.err
