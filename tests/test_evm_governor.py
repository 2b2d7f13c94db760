"""The EVM Governor adapter end to end on a real anvil with DAOs compiled from devnet/."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.conftest import JUNK_MNEMONIC, add_devnet_dao

pytestmark = pytest.mark.anvil

STATE_OF = {"pending": "pending", "active": "active", "canceled": "canceled", "defeated": "rejected",
            "succeeded": "passed", "queued": "queued", "expired": "expired", "executed": "executed"}


def sync(cli, source: str) -> dict[str, Any]:
    r = cli("sync", source, "--json")
    assert r.code == 0, r.err + r.out
    return r.json()


def chain_tally(anvil, dep, pid: str) -> dict[str, int]:
    from wallet.devnet.deploy import call

    if dep.kind == "bravo":
        p = call(anvil, dep.governor, "proposals(uint256)", int(pid),
                 returns=["uint256", "address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256",
                          "bool", "bool"])
        return {"for": p[5], "against": p[6], "abstain": p[7]}
    a, f, ab = call(anvil, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
    return {"for": f, "against": a, "abstain": ab}


@pytest.mark.parametrize("kind", ["oz", "bravo", "oz_timestamp"])
def test_sync_matches_chain(cli, anvil, seeded_dao, kind: str) -> None:
    dep, seed = seeded_dao(kind, n_voters=30)
    src = add_devnet_dao(anvil.url, dep, kind.replace("_", "-"))
    rep = sync(cli, src)["reports"][0]
    assert rep["new_proposals"] == len(seed.proposals) and rep["votes"] == seed.votes_cast
    listing = cli("proposals", "list", "-n", src, "--json", "--limit", "100").json()
    by_id = {p["id"]: p for p in listing["proposals"]}
    for state, pid in seed.proposals.items():
        assert by_id[pid]["status"] == STATE_OF[state], state
        tally = {t["choice"]: int(t["weight"]) for t in by_id[pid]["tally"]}
        assert tally == chain_tally(anvil, dep, pid)
        votes = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "1000").json()["votes"]
        summed: dict[str, int] = {"for": 0, "against": 0, "abstain": 0}
        for v in votes:
            summed[v["choice"]] += int(v["weight"])
        assert summed == tally, state
    shown = cli("proposals", "show", f"{src}:{seed.proposals['executed']}", "--json").json()
    assert shown["clock"] == ("timestamp" if kind == "oz_timestamp" else "blocknumber")
    assert any("transfer" in a["signature"] for a in shown["actions"])
    assert shown["executed_at"] is not None and shown["body"].startswith("#")
    if kind == "oz_timestamp":
        assert shown["start_ts"] == shown["start_point"]
    assert shown["quorum"] is not None


def test_noop_resync_is_one_round_trip(cli, anvil, seeded_dao, monkeypatch) -> None:
    """One round trip, asking for one block object: the newest stored hash still matching proves the older
    ones (they are asked for only when it does not, as the reorg test below needs)."""
    from wallet.adapters.evm.client import JsonRpc

    dep, _ = seeded_dao("oz", n_voters=10, with_states=False)
    src = add_devnet_dao(anvil.url, dep)
    sync(cli, src)
    asked: list[str] = []
    real = JsonRpc.batch

    def batch(self: JsonRpc, calls: list[tuple[str, list[Any]]], **kw: Any) -> list[Any]:
        asked.extend(m for m, _p in calls)
        return real(self, calls, **kw)

    monkeypatch.setattr(JsonRpc, "batch", batch)
    again = sync(cli, src)["reports"][0]
    assert again["noop"] and again["round_trips"] == 1
    assert asked.count("eth_getBlockByNumber") == 1


@pytest.fixture
def voter(cli, env_passphrase, anvil):
    """A vault key (known mnemonic, index 7) that holds tokens self-delegated before the proposals."""
    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    return r.json()["addresses"]["evm"]


def prepared(anvil, seeded_dao, dao, voter: str, kind: str = "oz"):
    from wallet.devnet.seed import fund_and_delegate, seed_dao

    dep = dao(kind, voting_delay=20)  # the pending proposal stays pending while a test acts
    fund_and_delegate(anvil, dep, [voter], 1_000 * 10**18)
    return dep, seed_dao(anvil, dep, n_voters=12)


def nonce(anvil, address: str) -> int:
    return int(anvil.rpc("eth_getTransactionCount", address, "latest"), 16)


@pytest.mark.parametrize("kind", ["oz", "bravo"])
def test_vote_with_reason_end_to_end(cli, anvil, seeded_dao, dao, voter, kind: str) -> None:
    from wallet.devnet.deploy import call

    dep, seed = prepared(anvil, seeded_dao, dao, voter, kind)
    src = add_devnet_dao(anvil.url, dep, kind)
    sync(cli, src)
    pid = seed.proposals["active"]
    start = nonce(anvil, voter)
    dry = cli("vote", f"{src}:{pid}", "for", "--reason", "fund it", "--dry-run", "--json")
    assert dry.code == 0 and dry.json()["plan"]["kind"] == "vote"
    assert nonce(anvil, voter) == start
    r = cli("vote", f"{src}:{pid}", "for", "--reason", "fund it: the milestones are clear", "--yes", "--json")
    assert r.code == 0, r.err
    assert r.json()["ok"] and r.json()["tx_hash"].startswith("0x")
    if kind == "oz":
        assert call(anvil, dep.governor, "hasVoted(uint256,address)", int(pid), voter, returns=["bool"])
    shown = cli("proposals", "show", f"{src}:{pid}", "--json").json()
    assert shown["my_vote"]["choice"] == "for" and shown["my_vote"]["reason"].startswith("fund it")
    assert int(shown["my_vote"]["weight"]) == 1_000 * 10**18
    # read back through a fresh sync of a fresh archive too
    sync(cli, src)
    votes = cli("proposals", "votes", f"{src}:{pid}", "--search", voter.lower()[2:10], "--json").json()["votes"]
    assert [v["voter"] for v in votes] == [voter]
    history = cli("history", "--json").json()
    assert history[0]["state"] == "confirmed" and history[0]["kind"] == "vote"

    # a second vote: same choice is a no-op, another choice is refused; nothing signed either way
    before = nonce(anvil, voter)
    same = cli("vote", f"{src}:{pid}", "for", "--yes")
    assert same.code == 0 and "already voted" in same.out
    other = cli("vote", f"{src}:{pid}", "against", "--yes")
    assert other.code == 1 and "already voted" in other.err
    assert nonce(anvil, voter) == before


@pytest.mark.parametrize("state", ["pending", "defeated", "executed"])
def test_vote_outside_active_refused(cli, anvil, seeded_dao, dao, voter, state: str) -> None:
    dep, seed = prepared(anvil, seeded_dao, dao, voter)
    src = add_devnet_dao(anvil.url, dep)
    sync(cli, src)
    start = nonce(anvil, voter)
    r = cli("vote", f"{src}:{seed.proposals[state]}", "for", "--yes")
    assert r.code == 1 and "not Active" in r.err
    assert nonce(anvil, voter) == start


def test_vote_without_power_refused(cli, anvil, seeded_dao, env_passphrase) -> None:
    dep, seed = seeded_dao("oz", n_voters=8, with_states=False)
    src = add_devnet_dao(anvil.url, dep)
    sync(cli, src)
    addr = cli("keys", "import", "poor", "--mnemonic", "--index", "9", "--json",
               stdin=JUNK_MNEMONIC).json()["addresses"]["evm"]
    anvil.rpc("anvil_setBalance", addr, hex(10**18))
    r = cli("vote", f"{src}:{seed.proposals['active']}", "for", "--yes")
    assert r.code == 1 and "no voting power" in r.err and "delegate" in r.err
    assert nonce(anvil, addr) == 0


def test_bad_choice_is_usage_error(cli, anvil, seeded_dao, dao, voter) -> None:
    dep, seed = prepared(anvil, seeded_dao, dao, voter)
    src = add_devnet_dao(anvil.url, dep)
    sync(cli, src)
    r = cli("vote", f"{src}:{seed.proposals['active']}", "maybe", "--yes")
    assert r.code == 2 and "for, against or abstain" in r.err


def test_delegate_end_to_end(cli, anvil, seeded_dao, dao, voter) -> None:
    from wallet.devnet.deploy import call

    dep, _ = prepared(anvil, seeded_dao, dao, voter)
    src = add_devnet_dao(anvil.url, dep)
    sync(cli, src)
    friend = "0x000000000000000000000000000000000000bEEF"
    bad = cli("delegate", "--to", friend.replace("bEEF", "BeeF"), "-n", src, "--yes")
    assert bad.code == 2 and "checksum" in bad.err
    r = cli("delegate", "--to", friend, "-n", src, "--yes", "--json")
    assert r.code == 0, r.err
    assert call(anvil, dep.token, "delegates(address)", voter, returns=["address"]).lower() == friend.lower()
    from wallet.cache import open_archive, query

    with open_archive() as ar:
        assert query.current_delegate(ar, src, voter) == friend
        assert query.current_power(ar, src, friend) == 1_000 * 10**18
    again = cli("delegate", "--to", friend, "-n", src, "--yes")
    assert again.code == 0 and "already delegates" in again.out
    back = cli("delegate", "--to", "self", "-n", src, "--yes")
    assert back.code == 0
    sync(cli, src)
    with open_archive() as ar:
        assert query.current_delegate(ar, src, voter) == voter


def test_wrong_chain_id_refused(cli, anvil, seeded_dao, dao, voter) -> None:
    from wallet import networks

    dep, seed = prepared(anvil, seeded_dao, dao, voter)
    start = nonce(anvil, voter)
    networks.add_network("fakemain", {"family": "evm", "chain_id": 1, "rpc": [anvil.url],
                                      "denom": {"symbol": "ETH", "base": "wei", "decimals": 18}})
    networks.add_dao("fakemain", {"id": "dao", "governor": dep.governor, "token": dep.token})
    s = cli("sync", "fakemain/dao")
    assert s.code == 1 and "chain id 31337" in s.err
    r = cli("vote", seed.proposals["active"], "for", "-n", "fakemain/dao", "--yes")
    assert r.code == 1 and "refusing" in r.err
    assert nonce(anvil, voter) == start


def test_node_down_reads_answer_from_archive(cli, anvil, seeded_dao, dao, voter) -> None:
    from wallet import networks

    dep, seed = prepared(anvil, seeded_dao, dao, voter)
    src = add_devnet_dao(anvil.url, dep)
    sync(cli, src)
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9"]})  # nothing listens on port 9
    listing = cli("proposals", "list", "--refresh", "--json")
    assert listing.code == 0 and listing.json()["total"] == len(seed.proposals)
    assert "unreachable" in listing.err and listing.json()["archive"]["age_seconds"] is not None
    plain = cli("proposals", "list")
    assert "archive synced" in plain.err
    assert cli("proposals", "show", seed.proposals["executed"][:8]).code == 0
    assert cli("proposals", "votes", seed.proposals["executed"]).code == 0
    assert cli("export", "votes", "--format", "json").code == 0
    vote = cli("vote", f"{src}:{seed.proposals['active']}", "for", "--yes")
    assert vote.code == 4 and "unreachable" in vote.err


def test_headless_without_passphrase_fails_before_network(cli, anvil, seeded_dao, dao, voter, monkeypatch) -> None:
    dep, seed = prepared(anvil, seeded_dao, dao, voter)
    src = add_devnet_dao(anvil.url, dep)
    sync(cli, src)
    start = nonce(anvil, voter)
    monkeypatch.delenv("POLIS_PASSPHRASE_FILE")
    r = cli("vote", f"{src}:{seed.proposals['active']}", "for", "--yes")
    assert r.code == 3 and "--passphrase-file" in r.err
    no_yes = cli("vote", f"{src}:{seed.proposals['active']}", "for")
    assert no_yes.code == 3 and "--yes" in no_yes.err
    assert nonce(anvil, voter) == start


def test_reorg_rolls_back_and_matches_chain(cli, anvil, seeded_dao) -> None:
    from wallet.adapters.evm.codec import TOPIC_VOTE_CAST
    from wallet.devnet.seed import cast_votes, mine

    dep, seed = seeded_dao("oz", n_voters=30, with_states=False, active_votes=5)
    src = add_devnet_dao(anvil.url, dep)
    pid = seed.proposals["active"]
    snap = anvil.rpc("evm_snapshot")
    cast_votes(anvil, dep, pid, seed.voters[10:20], supports=[0] * 10)
    sync(cli, src)
    assert cli("proposals", "show", f"{src}:{pid}", "--json").json()["vote_count"] == 15
    anvil.rpc("evm_revert", snap)
    cast_votes(anvil, dep, pid, seed.voters[20:23], supports=[2] * 3)
    mine(anvil, 20)  # the new branch is longer than the old one
    rep = sync(cli, src)["reports"][0]
    assert rep["reorg_depth"] > 0
    logs = anvil.rpc("eth_getLogs", {"address": dep.governor, "topics": [TOPIC_VOTE_CAST],
                                     "fromBlock": hex(dep.deploy_block), "toBlock": "latest"})
    on_chain = sorted("0x" + lg["topics"][1][-40:] for lg in logs)
    archived = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "100").json()["votes"]
    assert sorted(v["voter"].lower() for v in archived) == on_chain
    tally = {t["choice"]: int(t["weight"]) for t in cli("proposals", "show", f"{src}:{pid}", "--json").json()["tally"]}
    assert tally == chain_tally(anvil, dep, pid)


class _RangeCappingProxy(BaseHTTPRequestHandler):
    """Forwards JSON-RPC to anvil but rejects eth_getLogs spanning more than `cap` blocks, as public nodes do."""

    upstream = ""
    cap = 8
    rejected = 0

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        calls = body if isinstance(body, list) else [body]
        for c in calls:
            if c.get("method") == "eth_getLogs":
                f = c["params"][0]
                lo, hi = int(f["fromBlock"], 16), int(f["toBlock"], 16)
                if hi - lo + 1 > self.cap:
                    type(self).rejected += 1
                    self._send({"jsonrpc": "2.0", "id": c["id"], "error": {
                        "code": -32005, "message": f"query exceeds max block range {self.cap}"}})
                    return
        reply = httpx.post(self.upstream, json=body, timeout=30).content
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def _send(self, doc: dict[str, Any]) -> None:
        raw = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


def test_range_splitting_gives_the_same_archive(cli, anvil, seeded_dao, tmp_path, monkeypatch) -> None:
    dep, seed = seeded_dao("oz", n_voters=20)
    _RangeCappingProxy.upstream = anvil.url
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RangeCappingProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        src = add_devnet_dao(f"http://127.0.0.1:{server.server_address[1]}", dep)
        sync(cli, src)
        via_proxy = cli("export", "votes", "--format", "json").out
        assert _RangeCappingProxy.rejected > 0
        monkeypatch.setenv("POLIS_HOME", str(tmp_path / "direct"))
        add_devnet_dao(anvil.url, dep)
        sync(cli, src)
        assert cli("export", "votes", "--format", "json").out == via_proxy
        assert len(json.loads(via_proxy)) == seed.votes_cast
    finally:
        server.shutdown()


def test_refresh_answers_land_on_their_proposals(cli, anvil) -> None:
    """Proposals created in one block share their snapshot, so the sync asks their quorum(t) once; every
    proposal still gets its own state, tally and quorum, as the contract answers them."""
    from wallet.devnet.deploy import call, deploy_dao
    from wallet.devnet.seed import seed_large

    dep = deploy_dao(anvil, "oz")
    seed = seed_large(anvil, dep, n_proposals=12, n_votes=120)
    src = add_devnet_dao(anvil.url, dep, "shared")
    assert sync(cli, src)["reports"][0]["votes"] == seed.votes_cast
    starts = set()
    for pid in seed.proposal_ids:
        shown = cli("proposals", "show", f"{src}:{pid}", "--json").json()
        starts.add(shown["start_point"])
        quorum = call(anvil, dep.governor, "quorum(uint256)", shown["start_point"], returns=["uint256"])
        state = call(anvil, dep.governor, "state(uint256)", int(pid), returns=["uint8"])
        assert int(shown["quorum"]) == quorum
        assert shown["status"] == ("pending", "active", "canceled", "rejected", "passed", "queued", "expired",
                                   "executed")[state]
        assert {t["choice"]: int(t["weight"]) for t in shown["tally"]} == chain_tally(anvil, dep, pid)
    assert len(starts) < len(seed.proposal_ids)  # some snapshots are shared: their quorum was asked once
