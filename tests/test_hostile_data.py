"""Hostile chain data in every family: terminal escapes in titles, bodies, reasons, monikers and
subnet names never reach the terminal (JSON stays valid and keeps the data, escaped); huge fields,
deep nesting and absurd numbers from a node are refused or truncated in bounded time and memory."""

from __future__ import annotations

import json
import time

import pytest

from tests.plugins.cosmos import Env

EVIL = "Fund\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b[2J\x1b[31mred\rover\u202eevil\u2066x\u2069\x9b31m\x08!"
DANGEROUS = ("\x1b", "\r", "\x07", "\x08", "\u202e", "\u2066", "\u2069", "\x9b")


def assert_safe(text: str, where: str) -> None:
    for ch in DANGEROUS:
        assert ch not in text, f"{ch!r} reached the terminal in {where}"


def assert_json_keeps(text: str, needle: str) -> None:
    """Valid JSON, no raw dangerous character, and the hostile string still there (escaped) as data."""
    assert_safe(text, "--json output")
    assert needle in text.replace("\\u001b", "\x1b") or "\\u001b" in text
    json.loads(text)


def _sync(source: str):  # type: ignore[no-untyped-def]
    from wallet.sync import sync_sources

    outcome = sync_sources([source])
    assert outcome.ok, outcome.errors
    return outcome.reports[0]


# --- hostile strings, every family ---------------------------------------------------------------

def test_cosmos_hostile_titles_summaries_votes_and_monikers(akash: Env, cli) -> None:  # noqa: F811
    node = akash.node
    node.add_proposal(350, 2, title=EVIL)
    node.chain.proposals[350]["summary"] = "body " + EVIL
    node.add_validator("Moniker " + EVIL, tokens=7_000_000)
    node.add_vote(350, akash.me, [(1, "1")], metadata=EVIL)
    _sync("akash")
    for args in (("proposals", "list"), ("proposals", "show", "akash:350"), ("proposals", "votes", "akash:350"),
                 ("validators", "-n", "akash"), ("stake", "list", "-n", "akash", "--offline")):
        r = cli(*args)
        assert r.code == 0, (args, r.err)
        assert_safe(r.out + r.err, " ".join(args))
    assert "Moniker" in cli("validators", "-n", "akash").out
    j = cli("proposals", "show", "akash:350", "--json")
    assert_json_keeps(j.out, "Fund")
    assert json.loads(j.out)["title"] == EVIL  # the archive keeps the data as it came
    assert_json_keeps(cli("validators", "-n", "akash", "--json").out, "Moniker")


def test_snapshot_hostile_titles_bodies_and_reasons(cli) -> None:  # type: ignore[no-untyped-def]
    from tests.doubles.snapshot_hub import SnapshotDouble
    from wallet import networks

    snap = SnapshotDouble(fixtures=False).start()
    try:
        networks.set_user_table("snapshot", {"rpc": [snap.url + "/graphql"], "extra": {
            "sequencer": snap.url + "/sequencer", "score": snap.url + "/score", "spaces": [], "backoff": 0.05}})
        snap.state.add_space("evil.eth", "Evil " + EVIL)
        now = int(time.time())
        pid = "0x" + "ee" * 32
        snap.state.add_proposal("evil.eth", pid, "single-choice", ["Yes " + EVIL, "No"], start=now - 100,
                                end=now + 3600, title=EVIL, body="body " + EVIL)
        snap.state.votes.append({"id": "0x" + "01" * 32, "ipfs": "", "voter": "0x" + "12" * 20, "created": now - 10,
                                 "space_id": "evil.eth", "proposal": pid, "choice": 1, "vp": 3.5,
                                 "reason": "reason " + EVIL, "metadata": {}})
        assert cli("networks", "add", "snapshot/evil.eth").code == 0
        _sync("snapshot/evil.eth")
        for args in (("proposals", "list"), ("proposals", "show", f"snapshot/evil.eth:{pid}"),
                     ("proposals", "votes", f"snapshot/evil.eth:{pid}")):
            r = cli(*args)
            assert r.code == 0, (args, r.err)
            assert_safe(r.out + r.err, " ".join(args))
        assert "reason" in cli("proposals", "votes", f"snapshot/evil.eth:{pid}").out
        j = cli("proposals", "votes", f"snapshot/evil.eth:{pid}", "--json")
        assert_json_keeps(j.out, "reason")
    finally:
        snap.stop()


def test_bittensor_hostile_subnet_and_identity_names(bt_ready, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    bt_ready.chain.add_subnet(7, name=EVIL, tao=1_000 * 10**9, alpha=2_000 * 10**9, symbol="\x1b[5m")
    _sync("bittensor")
    for args in (("validators", "-n", "bittensor"), ("stake", "list", "-n", "bittensor", "--offline")):
        r = cli(*args)
        assert r.code == 0, (args, r.err)
        assert_safe(r.out + r.err, " ".join(args))
    j = cli("validators", "-n", "bittensor", "--json")
    assert j.code == 0
    assert_json_keeps(j.out, "Fund")


# --- huge, deep and absurd answers -------------------------------------------------------------------

class RawServer:
    """Answers every request with the bytes a test sets (a node that lies in the body)."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.body = b"{}"
        raw = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw.body)))
                self.end_headers()
                self.wfile.write(raw.body)

            do_GET = do_POST = _any  # noqa: N815

            def log_message(self, *a: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _peak_kib(fn) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    import tracemalloc

    tracemalloc.start()
    try:
        try:
            result: object = fn()
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            result = exc
        return result, tracemalloc.get_traced_memory()[1] // 1024
    finally:
        tracemalloc.stop()


def test_lcd_refuses_deep_nesting_and_oversized_answers() -> None:
    from wallet.adapters.cosmos.client import Lcd
    from wallet.errors import NodeUnreachable, PolisError, RpcError

    raw = RawServer()
    try:
        lcd = Lcd(raw.url, timeout=2, retries=1, backoff=0.01)
        raw.body = b"[" * 100_000 + b"]" * 100_000  # 100k levels: orjson stops at 1,024
        t0 = time.monotonic()
        with pytest.raises(NodeUnreachable):
            lcd.get("/cosmos/gov/v1/proposals")
        assert time.monotonic() - t0 < 3
        lcd.max_bytes = 2**20
        raw.body = b'{"proposals": ["' + b"x" * (8 * 2**20) + b'"]}'
        err, peak = _peak_kib(lambda: lcd.get("/cosmos/gov/v1/proposals"))
        assert isinstance(err, RpcError) and "MB allowed" in str(err)
        assert peak < 4 * 1024  # never held the 8 MB answer
        assert issubclass(RpcError, PolisError)
        lcd.close()
    finally:
        raw.close()


def test_cosmos_models_bound_text_and_refuse_absurd_numbers() -> None:
    from wallet.adapters.cosmos.models import ProposalV1, Validator, parse_node, proposal_fields
    from wallet.errors import RpcError

    base = {"id": "7", "status": "PROPOSAL_STATUS_PASSED", "title": "t" * 5_000_000, "summary": "s" * 3_000_000,
            "final_tally_result": {"yes_count": "12", "no_count": "0", "abstain_count": "0", "no_with_veto_count": "0"}}
    t0 = time.monotonic()
    pid, fields = proposal_fields(base, "v1", "uakt")
    assert pid == "7" and len(fields["title"]) <= 300 and len(fields["body"]) <= 200_000
    assert time.monotonic() - t0 < 2
    for bad in ({"yes_count": "1" * 5000}, {"yes_count": "1e99"}, {"yes_count": "-"}, {"yes_count": 1.5}):
        with pytest.raises(RpcError, match="malformed proposal"):
            proposal_fields({**base, "final_tally_result": bad}, "v1", "uakt")
    with pytest.raises(RpcError):
        parse_node(ProposalV1, {"id": "1" * 50})
    with pytest.raises(RpcError):
        parse_node(Validator, {"operator_address": "x", "tokens": "9" * 81})
    v = parse_node(Validator, {"operator_address": "x", "tokens": "9" * 80, "description": {"moniker": "m" * 10**6}})
    assert len(v.description.moniker) == 1000


def test_snapshot_hub_absurd_numbers_and_shapes_are_refused() -> None:
    from wallet.adapters.snapshot.models import HubProposal, HubVote, checked
    from wallet.adapters.snapshot.sync import vp_base
    from wallet.errors import RpcError

    t0 = time.monotonic()
    assert vp_base("1e999999999") == 0 and vp_base("NaN") == 0 and vp_base(-1) == 0
    assert time.monotonic() - t0 < 0.5  # not a billion-digit integer
    ok = {"id": "0x1", "title": "T" * 10**6, "body": "b" * 10**6, "choices": ["a"], "created": 5, "start": 1,
          "end": 2, "scores": [1.5], "scores_total": 1.5, "quorum": 0, "state": "closed"}
    (p,) = checked([ok], HubProposal, "proposal")
    assert len(p["title"]) == 1000 and len(p["body"]) == 200_000
    for bad in ({"created": 10**30}, {"scores": ["1e999"]}, {"choices": "abc"}, {"id": ""}, {"scores_total": [1]},
                {"start": "yesterday"}):
        with pytest.raises(RpcError, match="malformed proposal"):
            checked([{**ok, **bad}], HubProposal, "proposal")
    vote = {"id": "0xv", "voter": "0x" + "1" * 40, "created": 3, "choice": 1, "vp": 2.5, "reason": "r" * 10**5,
            "proposal": {"id": "0x1"}}
    assert len(checked([vote], HubVote, "vote")[0]["reason"]) == 10_000
    for bad in ({"choice": True}, {"choice": 2**40}, {"choice": [[1]]}, {"choice": {"1": "1e999"}},
                {"vp": float("inf")}, {"voter": None}, {"choice": {"k" * 20: 1}}):
        with pytest.raises(RpcError, match="malformed vote"):
            checked([{**vote, **bad}], HubVote, "vote")
    with pytest.raises(RpcError):
        checked({"not": "a list"}, HubVote, "vote")
