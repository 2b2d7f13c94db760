"""Snapshot end to end through the CLI against the loopback hub, sequencer and score API
(tests/snapshot_hub.py): follow a space, sync real hub records, vote in every vote type with the
signature recovered by the sequencer, refusals before signing, rate limits and faults."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from tests.doubles.snapshot_hub import FIXTURES, SIDEKICK_SPACE, SnapshotDouble
from tests.plugins.snapshot import (
    CASES,
    KEY_HEX,
    SIDEKICK_VOTES,
    SOURCE,
    VOTE_SPACE,
    VSOURCE,
    _open_proposals,
    _pid,
    _sync,
    configure,
)

# --- following and syncing ------------------------------------------------------------------------

def test_follow_sync_and_read_offline(followed: SnapshotDouble, cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("networks", "add", SOURCE).out.startswith(f"{SOURCE} is already followed")
    rep = _sync()
    assert (rep.new_proposals, rep.votes) == (6, SIDEKICK_VOTES)
    r = cli("proposals", "list", "-n", SOURCE, "--json", "--limit", "20")
    rows = r.json()["proposals"] if isinstance(r.json(), dict) else r.json()
    assert len(rows) == 6 and all(p["status"] in ("passed", "failed", "rejected") for p in rows)

    weighted = "0x79ae5f9eb3c710179cfbf706fa451459ddd18d4b0bce37c22aae601128efe927"
    rec = json.loads((FIXTURES / "sidekick" / f"hub-proposal-{weighted}.json").read_text())
    first = json.loads((FIXTURES / "sidekick" / f"hub-votes-{weighted}.json").read_text())[0]
    (k, _w), = first["choice"].items()
    votes = cli("proposals", "votes", f"{SOURCE}:{weighted}", "--search", first["voter"], "--json").json()["votes"]
    assert votes[0]["choice"] == f"{rec['choices'][int(k) - 1].strip()} 100.0%"
    assert int(votes[0]["weight"]) == int(Decimal(repr(first["vp"])) * 10**18)  # VP kept exactly, in 10^-18
    shown = cli("proposals", "show", f"{SOURCE}:{weighted}", "--json").json()
    assert shown["vote_count"] == 1175 and len(shown["tally"]) == len(rec["choices"])

    again = _sync()
    assert again.noop and again.votes == 0 and again.round_trips == 2  # one page of proposals, one of votes


def test_pagination_with_small_pages_keeps_every_vote(followed: SnapshotDouble) -> None:
    configure(followed, page_size=97, spaces=[SIDEKICK_SPACE])
    rep = _sync()
    assert rep.votes == SIDEKICK_VOTES
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        n = ar.conn.execute("SELECT count(*) FROM votes WHERE source=?", (SOURCE,)).fetchone()[0]
    assert n == SIDEKICK_VOTES


def test_429_waits_retry_after_then_succeeds(followed: SnapshotDouble) -> None:
    followed.fail("/graphql", 429, 2, retry_after="1")
    followed.fail("/graphql", 503, 1)
    t0 = time.monotonic()
    rep = _sync()
    assert rep.new_proposals == 6
    hub = followed.requests("/graphql")
    # request 1 and 2 got 429 with Retry-After: 1; each retry came at least a second later
    assert hub[1]["t"] - hub[0]["t"] >= 1.0 and hub[2]["t"] - hub[1]["t"] >= 1.0
    assert time.monotonic() - t0 >= 2.0
    assert any("rate-limited" in w for w in rep.warnings)


def test_api_key_sent_in_x_api_key(followed: SnapshotDouble, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SNAPSHOT_API_KEY", "k-123")
    _sync()
    assert {r["headers"].get("x-api-key") for r in followed.requests("/graphql")} == {"k-123"}


def test_persistent_outage_is_node_unreachable(followed: SnapshotDouble, cli) -> None:  # type: ignore[no-untyped-def]
    configure(followed, spaces=[SIDEKICK_SPACE], retries=2)
    followed.fail("/graphql", 502, 10)
    r = cli("sync", SOURCE, "--json")
    assert r.code != 0 or r.json()["ok"] is False
    assert "unreachable" in (r.out + r.err)


# --- voting ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", range(len(CASES)), ids=[c[0] for c in CASES])
def test_vote_every_type_end_to_end(voting: SnapshotDouble, voter: str, cli, case: int) -> None:  # type: ignore[no-untyped-def]
    kind, choices, text, weights, stored = CASES[case]
    _open_proposals(voting, voter)
    _sync(VSOURCE)
    pid = _pid(0xA0 + case)
    args = ["vote", f"{VSOURCE}:{pid}", text, "--reason", "because tests", "--yes", "--json"]
    if weights:
        args += ["--weights", weights]
    r = cli(*args)
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["ok"] and doc["tx_hash"].startswith("0x")
    assert doc["plan"]["payload"]["document"]["message"]["choice"] == (
        json.dumps(stored, separators=(",", ":")) if isinstance(stored, dict) else stored)
    [v] = [v for v in voting.state.votes if v["proposal"] == pid]
    assert v["voter"] == voter and v["choice"] == stored and v["reason"] == "because tests"
    assert v["id"] == doc["tx_hash"]
    mine = cli("proposals", "show", f"{VSOURCE}:{pid}", "--json").json()["my_vote"]
    assert mine["tx"] == doc["tx_hash"] and int(mine["weight"]) == 12_500_000_000_000_000_000
    _sync(VSOURCE)  # the hub now serves the vote; the archive keeps the one row
    assert cli("proposals", "show", f"{VSOURCE}:{pid}", "--json").json()["vote_count"] == 1


BAD = [  # (case index, CHOICE, --weights, message part) — all refused before anything is signed
    (0, "7", None, "out of range"),
    (1, "1,2", None, "one choice"),
    (2, "1,1", None, "twice"),
    (3, "1>2>3", None, "missing"),
    (4, "-", "1=0,2=1", "greater than 0"),
    (5, "-", "9=1", "out of range"),
    (5, "2", None, "CHOICE=WEIGHT"),
]


@pytest.mark.parametrize("bad", BAD, ids=[f"{CASES[b[0]][0]}-{b[1]}" for b in BAD])
def test_invalid_choice_refused_before_signing(voting: SnapshotDouble, voter: str, cli, bad: tuple) -> None:  # type: ignore[no-untyped-def]
    case, text, weights, why = bad
    _open_proposals(voting, voter)
    _sync(VSOURCE)
    args = ["vote", f"{VSOURCE}:{_pid(0xA0 + case)}", text, "--yes"] + (["--weights", weights] if weights else [])
    r = cli(*args)
    assert r.code == 2 and why in r.err, r.err
    assert voting.requests("/sequencer") == [] and voting.requests("/score") == []


def test_closed_pending_and_powerless_refused(voting: SnapshotDouble, voter: str, cli) -> None:  # type: ignore[no-untyped-def]
    now = int(time.time())
    voting.state.add_proposal(VOTE_SPACE, _pid(1), "single-choice", ["Yes", "No"], start=now - 7200, end=now - 3600)
    voting.state.add_proposal(VOTE_SPACE, _pid(2), "single-choice", ["Yes", "No"], start=now + 3600, end=now + 7200)
    voting.state.add_proposal(VOTE_SPACE, _pid(3), "single-choice", ["Yes", "No"], start=now - 60, end=now + 60)
    _sync(VSOURCE)
    closed = cli("vote", f"{VSOURCE}:{_pid(1)}", "1", "--yes")
    assert closed.code == 1 and "closed, not active" in closed.err and "UTC" in closed.err
    assert cli("vote", f"{VSOURCE}:{_pid(2)}", "1", "--yes").code == 1
    nopower = cli("vote", f"{VSOURCE}:{_pid(3)}", "1", "--yes")
    assert nopower.code == 1 and "no voting power" in nopower.err
    assert voting.requests("/sequencer") == []


def test_dry_run_shows_what_is_signed(voting: SnapshotDouble, voter: str, cli) -> None:  # type: ignore[no-untyped-def]
    _open_proposals(voting, voter)
    _sync(VSOURCE)
    r = cli("vote", f"{VSOURCE}:{_pid(0xA3)}", "2>1>4>3", "--dry-run", "--json")
    assert r.code == 0, r.err
    plan = r.json()["plan"]
    assert "Bob > Alice > Dave > Carol" in " ".join(plan["summary"])
    from wallet.adapters.snapshot import messages as eip712

    assert plan["payload"]["digest"] == "0x" + eip712.digest(plan["payload"]["document"]).hex()
    assert plan["payload"]["digest"] in " ".join(plan["summary"]) and plan["fee_estimate"] is None
    assert voting.requests("/sequencer") == []


def test_same_vote_twice_is_already_done_and_changes_are_allowed(voting: SnapshotDouble, voter: str) -> None:
    from wallet.adapters import adapter_for
    from wallet.errors import AlreadyDone
    from wallet.keys.signer import EvmSigner
    from wallet.keys.vault import Vault

    _open_proposals(voting, voter)
    _sync(VSOURCE)
    meta = Vault().get("voter")
    ad = adapter_for(VSOURCE)
    try:
        plan = ad.plan_vote(meta, _pid(0xA2), "1,3")
        ad.submit(plan, EvmSigner(bytes.fromhex(KEY_HEX)))
        with pytest.raises(AlreadyDone):
            ad.plan_vote(meta, _pid(0xA2), "3,1")
        changed = ad.plan_vote(meta, _pid(0xA2), "2")
        assert any("replaces the earlier vote: Alice, Carol" in s for s in changed.summary)
        ad.submit(changed, EvmSigner(bytes.fromhex(KEY_HEX)))
        [v] = [v for v in voting.state.votes if v["proposal"] == _pid(0xA2)]
        assert v["choice"] == [2]
    finally:
        ad.close()


def test_sequencer_refuses_duplicates_forgeries_and_stale_plans(voting: SnapshotDouble, voter: str) -> None:
    from wallet.adapters import adapter_for
    from wallet.adapters.snapshot.client import post_envelope
    from wallet.errors import ActionFailed, ActionRefused
    from wallet.keys.signer import EvmSigner
    from wallet.keys.vault import Vault

    _open_proposals(voting, voter)
    _sync(VSOURCE)
    ad = adapter_for(VSOURCE)
    signer = EvmSigner(bytes.fromhex(KEY_HEX))
    try:
        plan = ad.plan_vote(Vault().get("voter"), _pid(0xA0), "1")
        doc = plan.payload["document"]
        sig = "0x" + signer.sign_typed_data(doc).hex()
        env = {"address": voter, "sig": sig, "data": {"domain": doc["domain"], "types": {"Vote": doc["types"]["Vote"]},
                                                      "message": doc["message"]}}
        post_envelope(ad.http, ad.settings.sequencer, env)
        with pytest.raises(ActionFailed, match="duplicate"):
            post_envelope(ad.http, ad.settings.sequencer, env)
        other = EvmSigner(bytes(31) + b"\x07")
        forged = {**env, "sig": "0x" + other.sign_typed_data(doc).hex()}
        with pytest.raises(ActionFailed, match="signature validation failed"):
            post_envelope(ad.http, ad.settings.sequencer, forged)
        wrong_type = json.loads(json.dumps(env))
        wrong_type["data"]["types"]["Vote"][4]["type"] = "string"
        wrong_type["data"]["message"]["choice"] = "1"
        types = {"EIP712Domain": doc["types"]["EIP712Domain"], "Vote": wrong_type["data"]["types"]["Vote"]}
        wrong_type["sig"] = "0x" + signer.sign_typed_data({**doc, "types": types,
                                                            "message": wrong_type["data"]["message"]}).hex()
        with pytest.raises(ActionFailed, match="wrong choice type"):
            post_envelope(ad.http, ad.settings.sequencer, wrong_type)
        stale = plan.model_copy(deep=True)
        stale.payload["document"]["message"]["timestamp"] -= 600
        with pytest.raises(ActionRefused, match="old"):
            ad.submit(stale, signer)
    finally:
        ad.close()
