"""Nouns DAO's published governor (NounsDAOLogicV1, and V1 upgraded to V2 as Nouns did on mainnet), its
executor and the real NounsToken (an ERC-721 with Comp-style votes, 0 decimals): the bytecode npm
@nouns/contracts 0.3.0 ships, deployed by tests/plugins/nouns.py. Polis is given only the two addresses; the
kind (`nouns`) and the token's metadata (NOUN, 0 decimals) come from the chain. Every number Polis shows is
compared with the contracts' own views: state, proposals (13 or 15 words), getReceipt, the quorum (V1: the one
the proposal was created with; V2: quorumVotes(id), which grows with the against votes) and the token's
getPriorVotes at the block Nouns counts (V1: startBlock − votingDelay(); V2: the creation block)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.devnet import follow_local
from tests.plugins.devnet import synced as sync
from tests.plugins.nouns import (
    ABSTAIN,
    ABSTAIN_VOTES,
    AGAINST,
    AGAINST_VOTES,
    END_BLOCK,
    FOR,
    FOR_VOTES,
    PROPOSER,
    START_BLOCK,
    STATES,
    NounsDao,
    deployed,
)

pytestmark = pytest.mark.anvil

STATUS = {"pending": "pending", "active": "active", "canceled": "canceled", "defeated": "rejected",
          "succeeded": "passed", "queued": "queued", "expired": "expired", "executed": "executed",
          "vetoed": "canceled"}
"""Polis's status for each Nouns state (a vetoed proposal ended without running, as a canceled one)."""
QUORUM_BPS, MAX_QUORUM_BPS = 2_000, 4_000  # 9 of 48 nouns; V2's quorum grows with against votes up to 19
DAVE_INDEX = 4  # the junk mnemonic's fifth account: the voter whose key Polis holds


@pytest.fixture(params=[1, 2], ids=["v1", "v2"])
def nouns(request: pytest.FixtureRequest) -> Iterator[NounsDao]:
    with deployed(request.param, quorum_bps=QUORUM_BPS, max_quorum_bps=MAX_QUORUM_BPS) as dao:
        yield dao


def follow(cli: Any, dao: NounsDao) -> str:
    return follow_local(cli, dao.node.url, "nouns", dao.governor, dao.token, dao.start_block,
                        ("nouns", "evm_governor", "NOUN", 0))


def check_against_chain(cli: Any, dao: NounsDao, src: str, pids: list[str], ends: dict[str, int]
                        ) -> dict[str, dict[str, Any]]:
    """Every proposal's status, tally, window, quorum and votes as Polis shows them equal the contracts'. `ends`:
    each proposal's end block as created (a Nouns proposal's end never moves; `end_voting` rewrites the word)."""
    listing = {p["id"]: p for p in cli("proposals", "list", "-n", src, "--json").json()["proposals"]}
    assert sorted(listing) == sorted(pids)
    shown: dict[str, dict[str, Any]] = {}
    for pid in pids:
        chain = dao.proposal(pid)
        state = STATES[dao.state(pid)]
        p = listing[pid]
        assert p["status"] == STATUS[state], pid
        tally = {"for": chain[FOR_VOTES], "against": chain[AGAINST_VOTES], "abstain": chain[ABSTAIN_VOTES]}
        assert {t["choice"]: int(t["weight"]) for t in p["tally"]} == tally, pid
        show = cli("proposals", "show", f"{src}:{pid}", "--json")
        assert show.code == 0, show.err
        doc = shown[pid] = show.json()
        assert doc["native_status"] == state.capitalize() if state != "vetoed" else doc["native_status"] == "Vetoed"
        window = (doc["start_point"], doc["end_point"], doc["proposer"].lower())
        assert window == (chain[START_BLOCK], ends[pid], chain[PROPOSER].lower()), pid
        quorum = dao.quorum(pid)
        assert int(doc["quorum"]) == quorum, pid
        assert doc["quorum_status"]["reached"] == (chain[FOR_VOTES] >= quorum), pid  # FOR only counts
        assert [c["label"] for c in doc["choices"]] == ["for", "against", "abstain"]
        votes = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "100").json()["votes"]
        assert len(votes) == doc["vote_count"]
        snapshot = dao.snapshot(pid)
        for v in votes:
            voted, support, weight = dao.receipt(pid, v["voter"])
            assert voted and v["choice"] == ("against", "for", "abstain")[support] and int(v["weight"]) == weight
            assert weight == dao.prior_votes(v["voter"], snapshot)
    return shown


def test_nouns_governor_through_every_state(cli: Any, nouns: NounsDao) -> None:
    dao = nouns
    grant = dao.propose(dao.alice, "# Send 1 ETH to Carol\nA grant from the treasury.")
    short = dao.propose(dao.dave, "# Below quorum\nFOR wins, with fewer FOR votes than the quorum.")
    stopped = dao.propose(dao.carol, "# Vetoed\nThe vetoer stops it.")
    ends = {pid: dao.proposal(pid)[END_BLOCK] for pid in (grant, short, stopped)}
    for pid in (grant, short, stopped):
        dao.start_voting(pid)
    dao.vote(dao.alice, grant, FOR)
    dao.vote(dao.bob, grant, AGAINST, "too much")
    dao.vote(dao.dave, short, FOR)
    dao.vote(dao.carol, short, ABSTAIN, "no view")
    src = follow(cli, dao)
    rep = sync(cli, src)
    assert (rep["new_proposals"], rep["votes"]) == (3, 4)
    check_against_chain(cli, dao, src, [grant, short, stopped], ends)
    if dao.version == 2:  # the against votes raised the grant's quorum above the one it was created with
        assert dao.quorum(grant) > dao.quorum(short)

    dao.veto(stopped)
    dao.end_voting(grant)
    dao.end_voting(short)
    sync(cli, src)
    shown = check_against_chain(cli, dao, src, [grant, short, stopped], ends)
    assert {p: STATES[dao.state(p)] for p in (grant, short, stopped)} == {
        grant: "succeeded", short: "defeated", stopped: "vetoed"}
    assert shown[stopped]["status"] == "canceled" and shown[stopped]["native_status"] == "Vetoed"
    # FOR only counts towards quorum: 5 FOR + 8 ABSTAIN over a quorum of 9 is still defeated
    assert shown[short]["quorum_status"]["reached"] is False

    # the passed proposal on a fork of the head: queue through the governor, the executor's two days, execute
    sim = cli("proposals", "simulate", f"{src}:{grant}", "--block", str(dao.head()), "--json")
    assert sim.code == 0, sim.err + sim.out
    report = sim.json()
    assert report["ok"] and report["succeeded"] == report["total"] == 1, report
    assert report["path"] == "governor", report["notes"]
    paid = [int(c["delta"]) for c in report["balance_changes"] if c["address"].lower() == dao.carol.lower()]
    assert paid == [10**18], report["balance_changes"]

    # queue, the executor's two days, execute: the treasury pays Carol 1 ETH
    dao.queue(grant)
    assert STATES[dao.state(grant)] == "queued"
    sync(cli, src)
    assert cli("proposals", "show", f"{src}:{grant}", "--json").json()["status"] == "queued"
    before = int(dao.node.rpc("eth_getBalance", dao.carol, "latest"), 16)
    dao.execute(grant)
    assert int(dao.node.rpc("eth_getBalance", dao.carol, "latest"), 16) - before == 10**18
    sync(cli, src)
    check_against_chain(cli, dao, src, [grant, short, stopped], ends)
    assert cli("proposals", "show", f"{src}:{grant}", "--json").json()["status"] == "executed"


def test_nouns_vote_from_the_vault_counts_the_creation_block(cli: Any, env_passphrase: Any, nouns: NounsDao) -> None:
    """Dave's key in the vault. A noun reaches him while the proposal is pending: Nouns counts his votes at the
    creation block (not at startBlock, as Bravo would), and the plan shows exactly that weight; the vote goes
    through castVoteWithReason; a second vote is refused."""
    dao = nouns
    r = cli("keys", "import", "dave", "--mnemonic", "--index", str(DAVE_INDEX), "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    assert r.json()["addresses"]["evm"].lower() == dao.dave.lower()
    src = follow(cli, dao)
    d = cli("delegate", "--to", "self", "-n", src, "--yes", "--json")
    assert d.code == 0, d.err + d.out
    power = cli("power", "-n", src, "--json")
    assert power.code == 0, power.err
    assert str(dao.votes(dao.dave)) in power.out and dao.dave.lower() in power.out.lower()

    dao.send(dao.admin, "_setVotingDelay(uint256)", 5)
    pid = dao.propose(dao.alice, "# Open for Dave\nA proposal Dave votes on from the vault.")
    dao.mine()  # getPriorVotes answers for past blocks only
    counted = dao.snapshot(pid)
    held = dao.prior_votes(dao.dave, counted)
    owned = dao.call(dao.token, "tokenOfOwnerByIndex(address,uint256)", dao.alice, 0)
    dao.send(dao.alice, "transferFrom(address,address,uint256)", dao.alice, dao.dave, owned, to=dao.token)
    dao.start_voting(pid)
    start = dao.proposal(pid)[START_BLOCK]
    assert dao.prior_votes(dao.dave, start) == held + 1  # what a startBlock rule would count
    sync(cli, src)
    dry = cli("vote", f"{src}:{pid}", "for", "--reason", "from the vault", "--dry-run", "--json")
    assert dry.code == 0, dry.err + dry.out
    checks = {c["name"]: c["detail"] for c in dry.json()["plan"]["checks"]}
    assert checks["voting power"] == f"{held} NOUN", checks
    r = cli("vote", f"{src}:{pid}", "for", "--reason", "from the vault", "--yes", "--json")
    assert r.code == 0 and r.json()["ok"], r.err + r.out
    assert dao.receipt(pid, dao.dave) == (True, FOR, held)
    sync(cli, src)
    mine = cli("proposals", "show", f"{src}:{pid}", "--json").json()["my_vote"]
    assert mine["choice"] == "for" and int(mine["weight"]) == held and mine["reason"] == "from the vault"
    again = cli("vote", f"{src}:{pid}", "against", "--yes")
    assert again.code == 1 and "already voted" in again.err
