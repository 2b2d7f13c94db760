"""DAOs deployed before OpenZeppelin 5: governors built from OpenZeppelin Contracts 4.9.6 (npm), one counting
with GovernorCountingSimple and one with GovernorCompatibilityBravo, whose tallies live in the Bravo-shaped
`proposals(id)` (it has no `proposalVotes`) and whose quorum counts FOR only. On their own anvil; Polis is
told the two addresses, and every number it shows is compared with the contract's views (state, proposalVotes
or proposals, quorum, getVotes, hasVoted, getReceipt), through active, defeated, succeeded, queued, executed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.devnet import synced as sync

pytestmark = pytest.mark.anvil

E18 = 10**18
STATE = ("pending", "active", "canceled", "rejected", "passed", "queued", "expired", "executed")
BRAVO_PROPOSAL = ["uint256", "address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "bool",
                  "bool"]
COUNTING = {"Oz4Governor": "support=bravo&quorum=for,abstain", "Oz4CompatBravo": "support=bravo&quorum=bravo"}
ROLES = ("PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE")
DAVE_INDEX = 4  # the junk mnemonic's fifth account: the voter whose key Polis holds
VOTING_PERIOD = 50  # blocks (GovernorSettings in Oz4Governors.sol)


class Oz4Dao:
    """An ERC20Votes token (1,000,000 minted), a TimelockController and the governor `name` on it."""

    def __init__(self, node: Any, arts: dict[str, dict[str, Any]], name: str) -> None:
        from wallet.devnet.deploy import deploy_contract, keccak_hex

        self.node, self.name = node, name
        self.admin, self.alice, self.bob, self.carol, self.dave = node.rpc("eth_accounts")[:5]
        self.token, self.start_block = deploy_contract(node, self.admin, arts["Oz4Token"])
        self.timelock, _ = deploy_contract(node, self.admin, arts["TimelockController"],
                                           "(uint256,address[],address[],address)", 1, [], [], self.admin)
        self.governor, _ = deploy_contract(node, self.admin, arts[name], "(address,address)", self.token,
                                           self.timelock)
        for role in ROLES:
            self.send(self.admin, "grantRole(bytes32,address)", bytes.fromhex(keccak_hex(role.encode())[2:]),
                      self.governor, to=self.timelock)
        for who, whole in ((self.alice, 100_000), (self.bob, 30_000), (self.carol, 20_000), (self.dave, 10_000),
                           (self.timelock, 1_000)):
            self.send(self.admin, "transfer(address,uint256)", who, whole * E18, to=self.token)
        for who in (self.alice, self.bob, self.carol, self.dave):
            self.send(who, "delegate(address)", who, to=self.token)

    def send(self, sender: str, signature: str, *args: Any, to: str | None = None) -> None:
        from wallet.devnet.deploy import transact

        transact(self.node, sender, to or self.governor, signature, *args)

    def call(self, signature: str, *args: Any, returns: list[str] | tuple[str, ...] = ("uint256",),
             to: str | None = None) -> Any:
        from wallet.devnet.deploy import call

        return call(self.node, to or self.governor, signature, *args, returns=returns)

    def action(self, description: str) -> tuple[list[str], list[int], list[bytes], bytes]:
        """Pay Carol 10 tokens from the timelock: (targets, values, calldatas, description hash)."""
        from eth_utils import keccak

        from wallet.devnet.deploy import encode_call

        data = bytes.fromhex(encode_call("transfer(address,uint256)", self.carol, 10 * E18)[2:])
        return [self.token], [0], [data], keccak(description.encode())

    def propose(self, proposer: str, description: str) -> str:
        targets, values, calldatas, dhash = self.action(description)
        self.send(proposer, "propose(address[],uint256[],bytes[],string)", targets, values, calldatas, description)
        pid = self.call("hashProposal(address[],uint256[],bytes[],bytes32)", targets, values, calldatas, dhash)
        return str(pid)

    def state(self, pid: str) -> str:
        return STATE[self.call("state(uint256)", int(pid), returns=["uint8"])]

    def tally(self, pid: str) -> dict[str, int]:
        """What the contract counts: proposalVotes, or (GovernorCompatibilityBravo) proposals(id)."""
        if self.name == "Oz4CompatBravo":
            w = self.call("proposals(uint256)", int(pid), returns=BRAVO_PROPOSAL)
            return {"for": w[5], "against": w[6], "abstain": w[7]}
        against, for_, abstain = self.call("proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
        return {"for": for_, "against": against, "abstain": abstain}


@pytest.fixture(params=sorted(COUNTING))
def oz4_dao(request, oz4_artifacts):
    from wallet.devnet.anvil import Anvil

    with Anvil() as node:
        yield Oz4Dao(node, oz4_artifacts, request.param)


def follow(cli, dao: Oz4Dao) -> str:
    r = cli("networks", "add", "local", "--protocol", "evm", "--chain-id", "31337", "--rpc", dao.node.url,
            "--confirmations", "0", "--symbol", "ETH", "--json")
    assert r.code == 0, r.err + r.out
    src = f"local/{dao.name.lower()}"
    r = cli("networks", "add", src, "--governor", dao.governor, "--token", dao.token, "--start-block",
            str(dao.start_block), "--json")
    assert r.code == 0, r.err + r.out
    added = r.json()
    assert (added["kind"], added["adapter"], added["token_symbol"], added["token_decimals"]) == \
        ("oz", "evm_governor", "FOUR", 18), added
    return src


def check_against_chain(cli, dao: Oz4Dao, src: str, pids: list[str]) -> dict[str, dict[str, Any]]:
    listing = {p["id"]: p for p in cli("proposals", "list", "-n", src, "--json").json()["proposals"]}
    assert sorted(listing) == sorted(pids)
    shown = {}
    for pid in pids:
        tally = dao.tally(pid)
        assert listing[pid]["status"] == dao.state(pid), (dao.name, pid)
        assert {t["choice"]: int(t["weight"]) for t in listing[pid]["tally"]} == tally, dao.name
        doc = shown[pid] = cli("proposals", "show", f"{src}:{pid}", "--json").json()
        snapshot = dao.call("proposalSnapshot(uint256)", int(pid))
        assert (doc["start_point"], doc["end_point"]) == (snapshot, dao.call("proposalDeadline(uint256)", int(pid)))
        quorum = dao.call("quorum(uint256)", snapshot)
        assert int(doc["quorum"]) == quorum == 40_000 * E18
        counted = tally["for"] if dao.name == "Oz4CompatBravo" else tally["for"] + tally["abstain"]
        assert doc["quorum_status"]["reached"] == (counted >= quorum), (dao.name, pid, doc["quorum_status"])
        votes = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "100").json()["votes"]
        assert sum(int(v["weight"]) for v in votes) == sum(tally.values())
        for v in votes:
            assert dao.call("hasVoted(uint256,address)", int(pid), v["voter"], returns=["bool"])
            assert int(v["weight"]) == dao.call("getVotes(address,uint256)", v["voter"], snapshot)
            if dao.name == "Oz4CompatBravo":
                voted, support, weight = dao.call("getReceipt(uint256,address)", int(pid), v["voter"],
                                                  returns=["(bool,uint8,uint96)"])
                assert voted and ("against", "for", "abstain")[support] == v["choice"] and weight == int(v["weight"])
    return shown


def test_oz4_governor_through_every_state(cli, env_passphrase, oz4_dao: Oz4Dao) -> None:
    dao = oz4_dao
    grant = dao.propose(dao.alice, "# Pay Carol\nTen tokens from the timelock.")
    small = dao.propose(dao.bob, "# Small turnout\nFOR below quorum; FOR and ABSTAIN above it.")
    dao.node.rpc("evm_mine")
    dao.send(dao.alice, "castVote(uint256,uint8)", int(grant), 1)
    dao.send(dao.bob, "castVoteWithReason(uint256,uint8,string)", int(grant), 2, "abstaining on grants")
    dao.send(dao.carol, "castVote(uint256,uint8)", int(grant), 0)
    dao.send(dao.bob, "castVote(uint256,uint8)", int(small), 1)
    dao.send(dao.carol, "castVote(uint256,uint8)", int(small), 2)
    src = follow(cli, dao)
    sync(cli, src)
    shown = check_against_chain(cli, dao, src, [grant, small])
    assert any(v["reason"] == "abstaining on grants"
               for v in cli("proposals", "votes", f"{src}:{grant}", "--json").json()["votes"])
    assert [c["label"] for c in shown[grant]["choices"]] == ["for", "against", "abstain"]

    # Dave votes from the vault, with a reason (castVoteWithReason)
    r = cli("keys", "import", "dave", "--mnemonic", "--index", str(DAVE_INDEX), "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0 and r.json()["addresses"]["evm"].lower() == dao.dave.lower(), r.err
    v = cli("vote", f"{src}:{grant}", "against", "--reason", "too early", "--yes", "--json")
    assert v.code == 0 and v.json()["ok"], v.err + v.out
    assert dao.call("hasVoted(uint256,address)", int(grant), dao.dave, returns=["bool"])
    again = cli("vote", f"{src}:{grant}", "for", "--yes")
    assert again.code == 1 and "already voted" in again.err
    sync(cli, src)
    check_against_chain(cli, dao, src, [grant, small])

    dao.node.rpc("anvil_mine", hex(VOTING_PERIOD + 2))
    sync(cli, src)
    shown = check_against_chain(cli, dao, src, [grant, small])
    # GovernorCountingSimple counts abstain towards quorum, GovernorCompatibilityBravo FOR only
    assert dao.state(small) == ("rejected" if dao.name == "Oz4CompatBravo" else "passed")
    assert shown[small]["quorum_status"]["reached"] is (dao.name != "Oz4CompatBravo")
    assert dao.state(grant) == "passed"
    # the passed proposal on a fork of the head (anvil's "safe" block, the default, is 32 blocks back, in the
    # voting period): queue through the governor, the timelock's delay, execute
    head = int(dao.node.rpc("eth_blockNumber"), 16)
    sim = cli("proposals", "simulate", f"{src}:{grant}", "--block", str(head), "--json")
    assert sim.code == 0, sim.err + sim.out
    rep = sim.json()
    assert rep["ok"] and rep["succeeded"] == rep["total"] == 1, rep
    assert rep["path"] == "governor", rep["notes"]
    paid = [int(c["delta"]) for c in rep["balance_changes"]
            if c["address"].lower() == dao.carol.lower() and c["asset"].lower() == dao.token.lower()]
    assert paid == [10 * E18], rep["balance_changes"]

    targets, values, calldatas, dhash = dao.action("# Pay Carol\nTen tokens from the timelock.")
    dao.send(dao.admin, "queue(address[],uint256[],bytes[],bytes32)", targets, values, calldatas, dhash)
    sync(cli, src)
    assert cli("proposals", "show", f"{src}:{grant}", "--json").json()["status"] == "queued" == dao.state(grant)
    dao.node.rpc("evm_increaseTime", hex(2))
    dao.node.rpc("evm_mine")
    before = dao.call("balanceOf(address)", dao.carol, to=dao.token)
    dao.send(dao.admin, "execute(address[],uint256[],bytes[],bytes32)", targets, values, calldatas, dhash)
    assert dao.call("balanceOf(address)", dao.carol, to=dao.token) - before == 10 * E18
    sync(cli, src)
    check_against_chain(cli, dao, src, [grant, small])
    assert dao.state(grant) == "executed"
