"""Every Governor kind on a real anvil: GovernorAlpha on a 6-decimal Comp-style token, OpenZeppelin
GovernorCountingFractional and GovernorPreventLateQuorum. Every number Polis shows is compared with the
contract's own views (state, proposals, proposalVotes, getReceipt, usedVotes, proposalDeadline, quorum)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.devnet import synced as sync

pytestmark = pytest.mark.anvil

STATE = ("pending", "active", "canceled", "rejected", "passed", "queued", "expired", "executed")
ALPHA_PROPOSAL = ["uint256", "address", "uint256", "uint256", "uint256", "uint256", "uint256", "bool", "bool"]


def add(cli, anvil, dep, dao_id: str, *extra: str) -> tuple[str, Any]:
    """`polis networks add devnet/ID` with only the addresses: kind and token metadata come from the chain."""
    from wallet import networks

    networks.set_user_table("devnet", {"rpc": [anvil.url], "confirmations": 0})
    r = cli("networks", "add", f"devnet/{dao_id}", "--governor", dep.governor, "--token", dep.token,
            "--start-block", str(dep.deploy_block), "--json", *extra)
    assert r.code == 0, r.err + r.out
    return f"devnet/{dao_id}", r


def proposals(cli, src: str) -> dict[str, dict[str, Any]]:
    listing = cli("proposals", "list", "-n", src, "--json", "--limit", "100").json()
    return {p["id"]: p for p in listing["proposals"]}


def all_votes(cli, src: str, pid: str) -> list[dict[str, Any]]:
    r = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "1000")
    assert r.code == 0, r.err
    return r.json()["votes"]


@pytest.fixture
def voter(cli, env_passphrase, anvil):
    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    return r.json()["addresses"]["evm"]


def test_alpha_on_comp_token_matches_chain(cli, anvil, seeded_dao) -> None:
    from wallet.devnet.deploy import call

    dep, seed = seeded_dao("alpha", n_voters=20)
    src, added = add(cli, anvil, dep, "alpha")
    cfg = added.json()
    assert (cfg["kind"], cfg["adapter"], cfg["token_symbol"], cfg["token_decimals"]) == ("alpha", "evm_alpha", "PDT", 6)
    rep = sync(cli, src)
    assert rep["new_proposals"] == len(seed.proposals) and rep["votes"] == seed.votes_cast
    quorum = call(anvil, dep.governor, "quorumVotes()")
    by_id = proposals(cli, src)
    for key, pid in seed.proposals.items():
        p = by_id[pid]
        assert p["status"] == STATE[call(anvil, dep.governor, "state(uint256)", int(pid), returns=["uint8"])], key
        chain = call(anvil, dep.governor, "proposals(uint256)", int(pid), returns=ALPHA_PROPOSAL)
        assert {t["choice"]: int(t["weight"]) for t in p["tally"]} == {"for": chain[5], "against": chain[6]}
        shown = cli("proposals", "show", f"{src}:{pid}", "--json").json()
        assert int(shown["quorum"]) == quorum and shown["end_point"] == chain[4] and shown["start_point"] == chain[3]
        assert shown["quorum_status"]["reached"] == (chain[5] >= quorum)
        assert [c["label"] for c in shown["choices"]] == ["for", "against"]
        for v in all_votes(cli, src, pid):
            voted, support, weight = call(anvil, dep.governor, "getReceipt(uint256,address)", int(pid), v["voter"],
                                          returns=["(bool,bool,uint96)"])
            assert voted and v["choice"] == ("for" if support else "against") and int(v["weight"]) == weight
    # the 6-decimal token: 10,000,000 whole tokens of the admin show as such, not as 10 "VOTES"
    admin_votes = call(anvil, dep.token, "getCurrentVotes(address)", dep.admin, returns=["uint96"])
    assert admin_votes == 10_000_000 * 10**6


def test_alpha_vote_offers_only_for_and_against(cli, anvil, dao, voter) -> None:
    from wallet.devnet.deploy import call
    from wallet.devnet.seed import fund_and_delegate, seed_dao

    dep = dao("alpha", voting_delay=20)
    fund_and_delegate(anvil, dep, [voter], 1_000 * 10**6)
    seed = seed_dao(anvil, dep, n_voters=8)
    src, _ = add(cli, anvil, dep, "alpha")
    sync(cli, src)
    pid = seed.proposals["active"]
    abstain = cli("vote", f"{src}:{pid}", "abstain", "--yes")
    assert abstain.code == 2 and "for or against (no abstain)" in abstain.err
    reason = cli("vote", f"{src}:{pid}", "for", "--reason", "yes please", "--yes")
    assert reason.code == 2 and "reason" in reason.err
    dry = cli("vote", f"{src}:{pid}", "against", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert any("castVote(" in line and "false" in line for line in dry.json()["plan"]["summary"])
    assert any("1,000 PDT" in line for line in dry.json()["plan"]["summary"])
    r = cli("vote", f"{src}:{pid}", "for", "--yes", "--json")
    assert r.code == 0 and r.json()["ok"], r.err + r.out
    voted, support, weight = call(anvil, dep.governor, "getReceipt(uint256,address)", int(pid), voter,
                                  returns=["(bool,bool,uint96)"])
    assert voted and support and weight == 1_000 * 10**6
    mine = cli("proposals", "show", f"{src}:{pid}", "--json").json()["my_vote"]
    assert mine["choice"] == "for" and int(mine["weight"]) == weight
    again = cli("vote", f"{src}:{pid}", "against", "--yes")
    assert again.code == 1 and "already voted" in again.err
    # what the CLI, the TUI and batch plans are offered for this DAO: its adapter's declaration
    from wallet.services.requests import capabilities

    caps = capabilities(src)
    assert [label for _k, label in caps.choices] == ["for", "against"] and not caps.reason and not caps.weighted
    # Comp power: the token's getCurrentVotes, read without getVotes (which Comp does not have)
    from wallet.adapters import adapter_for

    ad = adapter_for(src)
    try:
        assert ad.delegations(voter)["votes"] == call(anvil, dep.token, "getCurrentVotes(address)", voter,
                                                      returns=["uint96"])
        assert ad.voting_power(voter, pid) == weight
    finally:
        ad.close()


def test_bravo_quorum_counts_for_only(cli, anvil, dao) -> None:
    """A Bravo proposal with FOR below quorumVotes but FOR + ABSTAIN above it is Defeated on chain and
    'not reached' in Polis."""
    from wallet.devnet.deploy import call
    from wallet.devnet.seed import advance_clock_past, cast_votes, seed_dao

    dep = dao("bravo", quorum_percent=1)
    seed = seed_dao(anvil, dep, n_voters=4, with_states=False, active_votes=0)
    pid = seed.proposals["active"]
    quorum = call(anvil, dep.governor, "quorumVotes()")
    admin = dep.admin
    cast_votes(anvil, dep, pid, [admin], supports=[2])  # the admin's 10M abstain > quorum (110k)
    cast_votes(anvil, dep, pid, seed.voters[:2], supports=[1, 1])
    end = call(anvil, dep.governor, "proposals(uint256)", int(pid), returns=["uint256"] * 10)[4]
    advance_clock_past(anvil, dep, end)
    assert call(anvil, dep.governor, "state(uint256)", int(pid), returns=["uint8"]) == 3  # Defeated
    src, _ = add(cli, anvil, dep, "bravo")
    sync(cli, src)
    shown = cli("proposals", "show", f"{src}:{pid}", "--json").json()
    assert shown["status"] == "rejected" and int(shown["quorum"]) == quorum
    assert shown["quorum_status"]["reached"] is False
    assert int(shown["quorum_status"]["counted"]) == 200 * 10**18
    text = cli("proposals", "show", f"{src}:{pid}")
    assert text.code == 0 and "not reached" in text.out


def test_unknown_contract_is_refused_naming_the_probes(cli, anvil, dao) -> None:
    from wallet import networks

    dep = dao("oz")
    networks.set_user_table("devnet", {"rpc": [anvil.url], "confirmations": 0})
    r = cli("networks", "add", "devnet/token", "--governor", dep.token, "--token", dep.token)
    assert r.code == 2
    assert "COUNTING_MODE()" in r.err and "proposals(0)" in r.err and "quorumVotes()" in r.err
    assert "token" not in [d.id for d in networks.get_network("devnet").daos]
    empty = cli("networks", "add", "devnet/nothing", "--governor", "0x" + "12" * 20, "--token", dep.token)
    assert empty.code == 2 and "no contract code" in empty.err


def test_token_metadata_given_values_win_with_a_warning(cli, anvil, dao) -> None:
    dep = dao("alpha")
    _src, r = add(cli, anvil, dep, "alpha", "--token-decimals", "18", "--token-symbol", "AUR")
    cfg = r.json()
    assert cfg["token_decimals"] == 18 and cfg["token_symbol"] == "AUR"
    assert "6 decimals" in r.err and "'PDT'" in r.err


def test_late_quorum_extension_moves_the_deadline(cli, anvil, seeded_dao) -> None:
    from wallet.devnet.deploy import call
    from wallet.devnet.seed import cast_votes, mine

    dep, seed = seeded_dao("oz_late_quorum", n_voters=6, with_states=False, active_votes=2)
    src, _ = add(cli, anvil, dep, "late")
    pid = seed.proposals["active"]
    sync(cli, src)
    before = proposals(cli, src)[pid]
    original = call(anvil, dep.governor, "proposalDeadline(uint256)", int(pid))
    assert before["end_point"] == original
    head = int(anvil.rpc("eth_blockNumber"), 16)
    mine(anvil, original - head - 3)  # three blocks before the end, the admin brings quorum
    cast_votes(anvil, dep, pid, [dep.admin])
    extended = call(anvil, dep.governor, "proposalDeadline(uint256)", int(pid))
    assert extended > original
    logs = anvil.rpc("eth_getLogs", {"address": dep.governor, "fromBlock": hex(head), "toBlock": "latest",
                                     "topics": ["0x541f725fb9f7c98a30cc9c0ff32fbb14358cd7159c847a3aa20a2bdc442ba511"]})
    assert len(logs) == 1 and int(logs[0]["data"], 16) == extended
    rep = sync(cli, src)
    after = cli("proposals", "show", f"{src}:{pid}", "--json").json()
    assert rep["updated_proposals"] >= 1
    assert after["end_point"] == extended and after["status"] == "active"
    latest = anvil.rpc("eth_getBlockByNumber", "latest", False)  # block clock: estimated from the head
    assert after["end_ts"] == int(latest["timestamp"], 16) + (extended - int(latest["number"], 16)) * 1
    assert after["end_ts"] > int(latest["timestamp"], 16)
    assert int(after["quorum"]) == call(anvil, dep.governor, "quorum(uint256)",
                                        call(anvil, dep.governor, "proposalSnapshot(uint256)", int(pid)))
    # the extended proposal is still open past its original end, and sync keeps following it
    mine(anvil, original - int(anvil.rpc("eth_blockNumber"), 16) + 1)
    sync(cli, src)
    assert cli("proposals", "show", f"{src}:{pid}", "--json").json()["status"] == "active"


def test_fractional_partial_votes_each_archived(cli, anvil, seeded_dao) -> None:
    from wallet.devnet.deploy import call
    from wallet.devnet.seed import FRACTIONAL_SPLITS

    dep, seed = seeded_dao("oz_fractional", n_voters=26, active_votes=20)
    src, added = add(cli, anvil, dep, "frac")
    assert added.json()["adapter"] == "evm_fractional"
    rep = sync(cli, src)
    assert rep["votes"] == seed.votes_cast
    by_id = proposals(cli, src)
    for key, pid in seed.proposals.items():
        a, f, ab = call(anvil, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
        assert {t["choice"]: int(t["weight"]) for t in by_id[pid]["tally"]} == {"for": f, "against": a,
                                                                                "abstain": ab}, key
        for v in all_votes(cli, src, pid):  # one row per partial vote, with the voter's total
            assert int(v["voter_total"]) == call(anvil, dep.governor, "usedVotes(uint256,address)", int(pid),
                                                 v["voter"])
    pid = seed.proposals["active"]
    splitters = seed.voters[20:23]
    votes = {v["voter"]: v for v in all_votes(cli, src, pid)}
    unit = 10**18
    from wallet.cache import open_archive, query, vote_parts

    with open_archive(readonly=True) as ar:
        for who in splitters:
            assert int(votes[who]["voter_total"]) == sum(sum(s) for s in FRACTIONAL_SPLITS) * unit
            (whole,) = [v for v in query.votes(ar, src, pid, limit=1000) if v["voter"] == who]
            assert whole["choice"] == "split" and int(whole["weight"]) == int(votes[who]["voter_total"])
            parts = vote_parts.parts_of(ar, src, pid, who)
            assert [(int(p["against"]), int(p["for"]), int(p["abstain"])) for p in parts] == [
                tuple(x * unit for x in s) for s in FRACTIONAL_SPLITS]


def test_fractional_vote_by_weights_until_none_is_left(cli, anvil, dao, voter) -> None:
    from wallet.devnet.deploy import call
    from wallet.devnet.seed import fund_and_delegate, seed_dao

    dep = dao("oz_fractional", voting_delay=20)
    fund_and_delegate(anvil, dep, [voter], 100 * 10**18)
    seed = seed_dao(anvil, dep, n_voters=6, with_states=False, active_votes=2)
    src, _ = add(cli, anvil, dep, "frac")
    sync(cli, src)
    from wallet.services.requests import capabilities

    caps = capabilities(src)
    assert caps.weighted and "for=60" in caps.weights_hint and caps.reason
    pid = seed.proposals["active"]
    twice = cli("vote", f"{src}:{pid}", "-", "--weights", "for=1,1=2", "--yes")
    assert twice.code == 2 and "twice" in twice.err
    first = cli("vote", f"{src}:{pid}", "-", "--weights", "for=30,against=10", "--yes", "--json")
    assert first.code == 0 and first.json()["ok"], first.err + first.out
    assert call(anvil, dep.governor, "usedVotes(uint256,address)", int(pid), voter) == 40 * 10**18
    too_much = cli("vote", f"{src}:{pid}", "-", "--weights", "abstain=61", "--yes")
    assert too_much.code == 1 and "60 PDT of 100 PDT left" in too_much.err
    dry = cli("vote", f"{src}:{pid}", "-", "--weights", "abstain=5", "--dry-run", "--json")
    assert any("100 PDT in all, 40 PDT used before, 55 PDT left after" in s for s in dry.json()["plan"]["summary"])
    second = cli("vote", f"{src}:{pid}", "-", "--weights", "abstain=5", "--yes", "--json")
    assert second.code == 0 and second.json()["ok"], second.err
    rest = cli("vote", f"{src}:{pid}", "for", "--yes", "--json")  # a plain choice takes what is left (55)
    assert rest.code == 0 and rest.json()["ok"], rest.err
    assert call(anvil, dep.governor, "usedVotes(uint256,address)", int(pid), voter) == 100 * 10**18
    done = cli("vote", f"{src}:{pid}", "against", "--yes")
    assert done.code == 1 and "used all 100 PDT" in done.err
    sync(cli, src)
    from wallet.cache import open_archive, vote_parts

    with open_archive(readonly=True) as ar:
        parts = vote_parts.parts_of(ar, src, pid, voter)
    assert [(int(p["against"]), int(p["for"]), int(p["abstain"])) for p in parts] == [
        (10 * 10**18, 30 * 10**18, 0), (0, 0, 5 * 10**18), (0, 55 * 10**18, 0)]
    mine = cli("proposals", "show", f"{src}:{pid}", "--json").json()["my_vote"]
    assert mine["choice"] == "split" and int(mine["weight"]) == 100 * 10**18
    text = cli("proposals", "show", f"{src}:{pid}").out
    assert "voted SPLIT with 100 PDT (for 85 PDT, against 10 PDT, abstain 5 PDT in 3 votes)" in text
    a, f, ab = call(anvil, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
    tally = {t["choice"]: int(t["weight"]) for t in proposals(cli, src)[pid]["tally"]}
    assert tally == {"for": f, "against": a, "abstain": ab}


@pytest.mark.parametrize("kind", ["alpha", "oz_fractional", "oz_late_quorum"])
def test_devnet_seeds_each_new_kind_through_every_state(anvil, seeded_dao, kind: str) -> None:
    from wallet.devnet.deploy import call

    dep, seed = seeded_dao(kind, n_voters=12)
    names = {"defeated": "rejected", "succeeded": "passed"}
    expected = {"pending", "active", "canceled", "defeated", "succeeded", "queued", "executed"}
    assert set(seed.proposals) == expected | ({"expired"} if kind == "alpha" else set())
    for key, pid in seed.proposals.items():
        assert STATE[call(anvil, dep.governor, "state(uint256)", int(pid), returns=["uint8"])] == names.get(key, key)


@pytest.mark.parametrize("kind", ["alpha", "oz_fractional", "oz_late_quorum", "oz_timestamp"])
def test_a_first_sync_learns_the_facts_in_one_batch(anvil, kind: str) -> None:
    """What a first sync learns from the answers riding in its first batch (kind, counting mode, clock,
    late quorum, token interface) is what the one-call-per-fact reads find on the contract."""
    from tests.plugins.devnet import add_devnet_dao
    from wallet.adapters import adapter_for
    from wallet.devnet.deploy import deploy_dao

    src = add_devnet_dao(anvil.url, deploy_dao(anvil, kind), "facts", kind="auto")
    batched, lazy = adapter_for(src), adapter_for(src)
    calls = batched.fact_calls()  # type: ignore[attr-defined]
    assert calls
    batched.learn(batched.rpc.batch(calls))  # type: ignore[attr-defined]
    assert batched.fact_calls() == []  # type: ignore[attr-defined]

    def facts(ad: Any) -> tuple[Any, ...]:
        return ad.kind(), ad.counting_mode(), ad.clock_mode(), ad.late_quorum(), ad.votes_api()

    trips = batched.rpc.round_trips
    assert facts(batched) == facts(lazy)
    assert batched.rpc.round_trips == trips  # nothing left to ask
    assert facts(batched)[0] == ("alpha" if kind == "alpha" else "oz")
    assert facts(batched)[2] == ("timestamp" if kind == "oz_timestamp" else "blocknumber")
    assert facts(batched)[3] == (kind == "oz_late_quorum")
    batched.close()
    lazy.close()
