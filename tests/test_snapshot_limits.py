"""The sequencer's vote-format limits, enforced by the hub double as snapshot-sequencer does and checked
by Polis before anything is signed: reason ≤ 5,000 characters, app ≤ 24, `from` equal to the
checksummed envelope address; the legacy (snapshot.js 0.12) layout is still accepted."""

from __future__ import annotations

import pytest

from tests.plugins.snapshot import KEY_HEX, VSOURCE, _open_proposals, _pid, _sync


def _signed(doc: dict, signer) -> dict:  # type: ignore[no-untyped-def]
    return {"address": doc["message"]["from"], "sig": "0x" + signer.sign_typed_data(doc).hex(),
            "data": {"domain": doc["domain"], "types": {"Vote": doc["types"]["Vote"]}, "message": doc["message"]}}


def test_polis_refuses_long_reason_before_signing(voting, voter: str, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _open_proposals(voting, voter)
    _sync(VSOURCE)
    r = cli("vote", f"{VSOURCE}:{_pid(0xA0)}", "1", "--reason", "x" * 5_001, "--yes")
    assert r.code == 2 and "5,001 characters" in r.err and "at most 5,000" in r.err
    assert voting.requests("/sequencer") == []
    r = cli("vote", f"{VSOURCE}:{_pid(0xA0)}", "1", "--reason", "ü" * 5_000, "--yes")
    assert r.code == 0, r.err


def test_hub_double_enforces_the_sequencer_vote_format(voting, voter: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from wallet.adapters import adapter_for
    from wallet.adapters.snapshot import messages as eip712
    from wallet.adapters.snapshot.client import post_envelope
    from wallet.errors import ActionFailed
    from wallet.keys.signer import EvmSigner
    from wallet.keys.vault import Vault

    _open_proposals(voting, voter)
    _sync(VSOURCE)
    ad = adapter_for(VSOURCE)
    signer = EvmSigner(bytes.fromhex(KEY_HEX))
    try:
        doc = ad.plan_vote(Vault().get("voter"), _pid(0xA0), "1").payload["document"]
        msg = doc["message"]
        for change, why in (({"reason": "r" * 5_001}, "wrong vote format"), ({"app": "a" * 25}, "wrong vote format"),
                            ({"from": voter.lower()}, "wrong from")):
            bad = {**doc, "message": {**msg, **change}}
            env = _signed(bad, signer)
            env["address"] = voter
            with pytest.raises(ActionFailed, match=why):
                post_envelope(ad.http, ad.settings.sequencer, env)
        lower = _signed(doc, signer)
        lower["address"] = voter.lower()
        with pytest.raises(ActionFailed, match="wrong from"):
            post_envelope(ad.http, ad.settings.sequencer, lower)
        odd = {**doc, "types": {**doc["types"], "Vote": doc["types"]["Vote"][:-1]}}
        with pytest.raises(ActionFailed, match="wrong types"):
            post_envelope(ad.http, ad.settings.sequencer, _signed(odd, signer))
        # snapshot.js 0.12's layout (from: address, proposal: bytes32) is still taken
        legacy = {**doc, "types": {**doc["types"], "Vote": eip712.legacy_vote_types("single-choice", msg["proposal"])}}
        assert post_envelope(ad.http, ad.settings.sequencer, _signed(legacy, signer))["id"].startswith("0x")
        assert [v["voter"] for v in voting.state.votes if v["proposal"] == _pid(0xA0)] == [voter]
    finally:
        ad.close()
