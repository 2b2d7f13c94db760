"""Cosmos sync against the node double: every proposal status, tallies, params, votes kept after the
chain prunes them, staking reads, offline CLI reads, v1beta1-only chains, faults without partial state."""

from __future__ import annotations

import pytest

from tests.plugins.cosmos import REAL_VALOPER, Env


def _sync(env: Env):  # type: ignore[no-untyped-def]
    from wallet.cache import open_archive

    ad = env.adapter()
    try:
        with open_archive() as ar:
            return ad.sync(ar)
    finally:
        ad.close()


def _proposals() -> dict[str, dict]:
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        cur = ar.conn.execute("SELECT id, status, native_status, title, tally, quorum, end_ts, vote_count "
                              "FROM proposals WHERE source='akash' OR source='fetchai'")
        cols = [c[0] for c in cur.description]
        return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}


def test_sync_archives_every_status_tallies_params_votes_and_stakes(akash: Env, cli) -> None:
    import json

    rep = _sync(akash)
    assert rep.new_proposals == 8 and rep.votes == 8 and rep.to_point == 342
    props = _proposals()
    assert {p: props[p]["status"] for p in props} == {
        "330": "passed", "331": "rejected", "332": "failed", "333": "passed", "334": "rejected",
        "340": "active", "341": "active", "342": "deposit"}
    assert props["341"]["title"].startswith("Hermes Price Relayer Operations")  # the real capture
    assert props["342"]["end_ts"] is not None  # deposit period: the deposit end is the deadline
    tally = {t["choice"]: int(t["weight"]) for t in json.loads(props["341"]["tally"])}
    # seven voters with 1..7 units on Beta vote yes, abstain, no, veto, yes, abstain, no
    assert tally == {"yes": 6_000_000, "abstain": 8_000_000, "no": 10_000_000, "no_with_veto": 4_000_000}
    bonded = 399_745_659_305 + 250_000_000_000
    assert int(props["341"]["quorum"]) == bonded * 334 // 1000
    assert props["341"]["vote_count"] == 7
    r = cli("proposals", "votes", "340", "-n", "akash", "--json")
    vote = r.json()["votes"][0]
    assert r.code == 0 and vote["choice"] == "yes=0.7,no=0.3" and vote["reason"] == "split"
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        extra = query.source(ar, "akash")["extra"]
        assert extra["gov"] == "v1" and extra["params"]["quorum"] == "0.334" and extra["symbol"] == "AKT"
        targets = {t["id"]: t for t in query.stake_targets(ar, "akash")}
        assert targets[REAL_VALOPER]["name"] == "cosmosrescue"
        assert targets[REAL_VALOPER]["commission"].startswith("0.05")
        assert targets[akash.validators["jailed"]]["status"] == "jailed"
        stakes = query.stakes(ar, [akash.me])
    assert [(s["target"], s["amount"], s["rewards"]) for s in stakes] == [(REAL_VALOPER, "10000000", "123456")]


def test_offline_reads_after_sync(akash: Env, cli) -> None:
    _sync(akash)
    akash.node.stop()  # nothing below may touch the network
    r = cli("proposals", "list", "-n", "akash", "--offline", "--json")
    assert r.code == 0 and {p["id"] for p in r.json()["proposals"]} >= {"341", "342", "330"}
    r = cli("proposals", "show", "341", "-n", "akash", "--offline")
    assert r.code == 0 and "Hermes Price Relayer" in r.out and "MsgCommunityPoolSpend" in r.out
    r = cli("stake", "list", "-n", "akash", "--offline", "--json")
    assert r.code == 0 and r.json()[0]["target"] == REAL_VALOPER
    r = cli("validators", "-n", "akash", "--offline", "--json")
    assert r.code == 0 and len(r.json()) == 4


def test_incremental_sync_keeps_pruned_votes_and_follows_status(akash: Env) -> None:
    first = _sync(akash)
    node = akash.node
    node.add_proposal(343, 2, title="Brand new")
    node.finish_proposal(341)  # the chain tallies 341 and deletes its votes
    del node.chain.proposals[342]  # never reached its deposit: deleted from state
    rep = _sync(akash)
    assert first.new_proposals == 8 and rep.new_proposals == 1
    props = _proposals()
    assert props["343"]["status"] == "active"
    assert props["341"]["status"] == "passed" and props["341"]["vote_count"] == 7  # the archive kept them
    assert props["342"]["status"] == "expired" and props["342"]["native_status"] == "PROPOSAL_DELETED"
    listed = [p for m, p in node.requests if m == "GET" and p.startswith("/cosmos/gov/v1/proposals/33")]
    assert not any(p.endswith(("/330", "/331", "/332", "/333", "/334")) for p in listed)  # final: not re-read


def test_v1beta1_only_chain_falls_back(fetch_v1beta1: Env, cli) -> None:
    rep = _sync(fetch_v1beta1)
    assert rep.new_proposals == 8
    props = _proposals()
    assert props["342"]["status"] == "deposit" and props["342"]["title"] == "Deposit period proposal"
    v1 = [p for _m, p in fetch_v1beta1.node.requests if p.startswith("/cosmos/gov/v1/")]
    assert v1 == ["/cosmos/gov/v1/params/tallying"]  # one probe answered 501, then v1beta1 only
    r = cli("proposals", "votes", "341", "-n", "fetchai", "--json")
    assert r.code == 0 and r.json()["total"] == 7


@pytest.mark.parametrize("kind", ["500", "429", "truncated"])
def test_transient_faults_are_retried(akash: Env, kind: str) -> None:
    akash.node.fault("/cosmos/gov/v1/proposals", kind, count=2)
    rep = _sync(akash)
    assert rep.new_proposals == 8


def test_persistent_fault_fails_cleanly_without_partial_state(akash: Env, cli) -> None:
    from wallet.errors import NodeUnreachable

    _sync(akash)
    before = _proposals()
    akash.node.add_proposal(343, 2, title="Arrives during an outage")
    akash.node.fault("/votes", "500", count=100)
    with pytest.raises(NodeUnreachable):
        _sync(akash)
    assert _proposals() == before  # 343 was read before the failure but not written
    r = cli("sync", "akash")
    assert r.code != 0 and "unreachable" in (r.out + r.err)


def test_timeouts_are_bounded(akash: Env) -> None:
    import time

    from wallet import networks
    from wallet.errors import NodeUnreachable

    extra = dict(networks.get_network("akash").extra, timeout=0.3)
    networks.set_user_table("akash", {"extra": extra})
    akash.node.fault("node_info", "timeout", count=10, delay=1.0)
    t0 = time.monotonic()
    with pytest.raises(NodeUnreachable, match="unreachable"):
        _sync(akash)
    assert time.monotonic() - t0 < 3  # 0.3 s × 3 tries plus backoff, not the node's 1 s × 3


def test_wrong_chain_id_is_refused(akash: Env, cli) -> None:
    from wallet.errors import ActionRefused

    akash.node.chain.chain_id = "akashnet-3"
    with pytest.raises(ActionRefused, match="akashnet-3"):
        _sync(akash)
    assert _proposals() == {}
