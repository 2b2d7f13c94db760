"""Nouns DAO's governor as V3 and V4 run it (the logic Nouns runs today), on tests/contracts/nouns/NounsV3Double.sol:
a governor written here from V3's public interface and rules, on the real NounsToken from npm @nouns/contracts
(tests/plugins/nouns.py). What the published V1 and V2 bytecode cannot show, each number checked with the
contract's views: a proposal edited while Updatable (its title, body and actions follow the edits), the vote
snapshot switch (proposals from `voteSnapshotBlockSwitchProposalId()` on count votes at their startBlock,
earlier ones at their creation block), and the objection period a last-minute swing opens (the proposal stays
open until its end block, and only AGAINST votes are taken)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.devnet import follow_local
from tests.plugins.devnet import synced as sync
from tests.plugins.nouns import AGAINST, FOR, PROPOSAL_V2, NounsDao, deployed
from tests.plugins.oz4 import OZ4, TESTS, compile_folder

pytestmark = pytest.mark.anvil

STATES = ("Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed", "Vetoed",
          "ObjectionPeriod", "Updatable")
STATUS = ("pending", "active", "canceled", "rejected", "passed", "queued", "expired", "executed", "canceled",
          "active", "pending")
PROPOSAL = f"({','.join(PROPOSAL_V2)})"  # V3 returns V2's ProposalCondensed
START, END, FOR_VOTES, AGAINST_VOTES, ABSTAIN_VOTES, CREATION = 5, 6, 7, 8, 9, 14
VOTING_DELAY, VOTING_PERIOD, UPDATABLE, LAST_MINUTE, OBJECTION, QUORUM_BPS = 3, 12, 10, 4, 5, 2_000
CAROL_INDEX, DAVE_INDEX = 3, 4  # the junk mnemonic's accounts whose keys the vault holds


class V3:
    """The V3 double beside a Nouns token and its holders (from the V2 deployment of tests/plugins/nouns.py)."""

    def __init__(self, dao: NounsDao) -> None:
        from wallet.devnet.deploy import deploy_contract

        artifact = compile_folder(TESTS / "contracts" / "nouns", OZ4, TESTS / "js" / "build" / "nouns.json")
        self.dao = dao
        self.governor, self.deploy_block = deploy_contract(
            dao.node, dao.admin, artifact["NounsV3Double"], "(address,address,uint256[6])", dao.token, dao.vetoer,
            [VOTING_DELAY, VOTING_PERIOD, UPDATABLE, LAST_MINUTE, OBJECTION, QUORUM_BPS])

    def send(self, sender: str, signature: str, *args: Any) -> None:
        self.dao.send(sender, signature, *args, to=self.governor)

    def call(self, signature: str, *args: Any, returns: tuple[str, ...] | list[str] = ("uint256",)) -> Any:
        return self.dao.call(self.governor, signature, *args, returns=returns)

    def propose(self, proposer: str, description: str, wei: int = 10**18) -> str:
        self.send(proposer, "propose(address[],uint256[],string[],bytes[],string)", [self.dao.carol], [wei], [""],
                  [b""], description)
        return str(self.call("latestProposalIds(address)", proposer))

    def proposal(self, pid: str) -> tuple:
        return self.call("proposals(uint256)", int(pid), returns=[PROPOSAL])

    def state(self, pid: str) -> str:
        return STATES[self.call("state(uint256)", int(pid), returns=["uint8"])]

    def mine_to(self, block: int) -> None:
        self.dao.mine(max(0, block - self.dao.head()))


@pytest.fixture
def v3() -> Iterator[V3]:
    with deployed(2) as dao:
        yield V3(dao)


def follow(cli: Any, v3: V3) -> str:
    return follow_local(cli, v3.dao.node.url, "nouns", v3.governor, v3.dao.token, v3.deploy_block,
                        ("nouns", "evm_governor", "NOUN", 0))


def shown(cli: Any, src: str, pid: str) -> dict[str, Any]:
    r = cli("proposals", "show", f"{src}:{pid}", "--json")
    assert r.code == 0, r.err
    return r.json()


def check(cli: Any, v3: V3, src: str, pid: str) -> dict[str, Any]:
    """Status, tally and quorum as Polis shows them equal the contract's."""
    doc = shown(cli, src, pid)
    chain = v3.proposal(pid)
    state = v3.state(pid)
    assert (doc["status"], doc["native_status"]) == (STATUS[STATES.index(state)], state), pid
    assert {t["choice"]: int(t["weight"]) for t in doc["tally"]} == {
        "for": chain[FOR_VOTES], "against": chain[AGAINST_VOTES], "abstain": chain[ABSTAIN_VOTES]}
    assert int(doc["quorum"]) == v3.call("quorumVotes(uint256)", int(pid))
    return doc


def test_nouns_v3_edits_snapshot_switch_and_objection_period(cli: Any, env_passphrase: Any, v3: V3) -> None:
    dao = v3.dao
    for name, index in (("carol", CAROL_INDEX), ("dave", DAVE_INDEX)):
        r = cli("keys", "import", name, "--mnemonic", "--index", str(index), "--json", stdin=JUNK_MNEMONIC)
        assert r.code == 0, r.err
    early = v3.propose(dao.carol, "# Before the switch\nIts votes count at its creation block.")
    v3.send(dao.admin, "_setVoteSnapshotBlockSwitchProposalId()")
    assert v3.call("voteSnapshotBlockSwitchProposalId()") == int(early) + 1
    grant = v3.propose(dao.alice, "# Pay Carol 1 ETH\nFirst draft.")

    # edited while Updatable: the description, then the transactions
    v3.send(dao.alice, "updateProposalDescription(uint256,string,string)", int(grant),
            "# Revised: pay Carol 2 ETH\nThe second draft, after feedback.", "clearer title")
    v3.send(dao.alice, "updateProposalTransactions(uint256,address[],uint256[],string[],bytes[],string)",
            int(grant), [dao.carol], [2 * 10**18], [""], [b""], "2 ETH, not 1")
    assert v3.state(grant) == "Updatable"
    src = follow(cli, v3)
    sync(cli, src)
    doc = check(cli, v3, src, grant)
    assert doc["title"] == "Revised: pay Carol 2 ETH" and "after feedback" in doc["body"]
    assert [a["value"] for a in doc["actions"]] == [str(2 * 10**18)]
    listed = cli("proposals", "list", "-n", src, "--search", "revised", "--json").json()["proposals"]
    assert [p["id"] for p in listed] == [grant]

    # a noun reaches Dave before voting opens: the grant (after the switch) counts it, the early one does not
    owned = dao.call(dao.token, "tokenOfOwnerByIndex(address,uint256)", dao.alice, 0)
    dao.send(dao.alice, "transferFrom(address,address,uint256)", dao.alice, dao.dave, owned, to=dao.token)
    v3.mine_to(max(v3.proposal(grant)[START], v3.proposal(early)[START]) + 1)
    assert v3.state(grant) == v3.state(early) == "Active"
    at_start = dao.prior_votes(dao.dave, v3.proposal(grant)[START])
    at_creation = dao.prior_votes(dao.dave, v3.proposal(early)[CREATION])
    assert at_start == at_creation + 1
    sync(cli, src)
    for pid, power in ((grant, at_start), (early, at_creation)):
        dry = cli("vote", f"{src}:{pid}", "for", "-a", "dave", "--dry-run", "--json")
        assert dry.code == 0, dry.err + dry.out
        checks = {c["name"]: c["detail"] for c in dry.json()["plan"]["checks"]}
        assert checks["voting power"] == f"{power} NOUN", (pid, checks)

    # Dave FOR from the vault, Bob AGAINST: defeated until Alice's last-minute FOR swings it, which opens an
    # objection period
    r = cli("vote", f"{src}:{grant}", "for", "-a", "dave", "--yes", "--json")
    assert r.code == 0, r.err + r.out
    assert v3.call("getReceipt(uint256,address)", int(grant), dao.dave, returns=["(bool,uint8,uint96)"]) == \
        (True, FOR, at_start)
    dao.send(dao.bob, "castVote(uint256,uint8)", int(grant), AGAINST, to=v3.governor)
    end = v3.proposal(grant)[END]
    v3.mine_to(end - LAST_MINUTE + 2)
    dao.send(dao.alice, "castVote(uint256,uint8)", int(grant), FOR, to=v3.governor)
    objection_end = v3.call("objectionPeriodEndBlock(uint256)", int(grant))
    assert objection_end == end + OBJECTION
    v3.mine_to(end + 1)
    assert v3.state(grant) == "ObjectionPeriod"
    sync(cli, src)
    doc = check(cli, v3, src, grant)
    assert doc["end_point"] == objection_end  # open until the objection period ends, not at its end block

    # in the objection period only AGAINST is taken
    refused = cli("vote", f"{src}:{grant}", "for", "-a", "carol", "--yes")
    assert refused.code == 1 and "only AGAINST" in refused.err, refused.err
    r = cli("vote", f"{src}:{grant}", "against", "-a", "carol", "--reason", "an objection", "--yes", "--json")
    assert r.code == 0, r.err + r.out
    assert v3.call("getReceipt(uint256,address)", int(grant), dao.carol, returns=["(bool,uint8,uint96)"]) == \
        (True, AGAINST, dao.prior_votes(dao.carol, v3.proposal(grant)[START]))

    v3.mine_to(objection_end + 1)
    sync(cli, src)
    doc = check(cli, v3, src, grant)
    assert doc["status"] == "passed" and doc["end_point"] == objection_end
    votes = {v["voter"].lower(): v for v in cli("proposals", "votes", f"{src}:{grant}", "--json").json()["votes"]}
    assert set(votes) == {dao.alice.lower(), dao.bob.lower(), dao.carol.lower(), dao.dave.lower()}
    assert votes[dao.carol.lower()]["choice"] == "against" and votes[dao.carol.lower()]["reason"] == "an objection"
