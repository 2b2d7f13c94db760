"""snapshot.js + ethers as the oracle of every Snapshot envelope Polis posts: for each vote type the
typed data equals what snapshot.js signs for the same vote (so the signature equals ethers' over it),
ethers recovers the voter, and the message passes snapshot.js' vote schema as the sequencer checks it."""

from __future__ import annotations

import json
from typing import Any

from tests.plugins import oracles
from tests.plugins.snapshot import CASES, KEY_HEX, VSOURCE, _open_proposals, _pid, _sync


def _envelopes(double: Any) -> list[dict[str, Any]]:
    return [json.loads(r["body"]) for r in double.requests("/sequencer")]


def test_every_vote_type_is_what_snapshot_js_signs(voting, voter: str, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    _open_proposals(voting, voter)
    _sync(VSOURCE)
    extra = [("weighted", "-", "1=0.0000001,2=1e21,3=3"), ("quadratic", "-", "1=0.1,2=0.30000000000000004")]
    runs = [(kind, text, weights, i) for i, (kind, _c, text, weights, _s) in enumerate(CASES)]
    runs += [(kind, text, w, next(i for i, c in enumerate(CASES) if c[0] == kind)) for kind, text, w in extra]
    for kind, text, weights, i in runs:
        args = ["vote", f"{VSOURCE}:{_pid(0xA0 + i)}", text, "--reason", f"oracle {kind} ✓", "--yes", "--json"]
        if weights:
            args += ["--weights", weights]
        r = cli(*args)
        assert r.code == 0, (kind, r.err)
    envs = _envelopes(voting)
    assert len(envs) == len(runs)
    numbers = _random_doubles()
    out = oracles.run("snapshot", {"cases": [{"envelope": e, "type": kind, "private_key": "0x" + KEY_HEX}
                                             for e, (kind, *_r) in zip(envs, runs, strict=True)],
                                   "numbers": [repr(x) for x in numbers]})  # one node start for both checks
    assert out["version"] == "0.17.5"
    from wallet.adapters.snapshot.choices import js_number

    assert [js_number(x) for x in numbers] == out["numbers"]  # JSON.stringify of 3,000+ doubles
    for case, (kind, *_r) in zip(out["cases"], runs, strict=True):
        assert case["errors"] == [], (kind, case["errors"])
        assert case["recovered"] == voter
    weighted = [e["data"]["message"]["choice"] for e in envs[-2:]]
    assert weighted == ['{"1":1e-7,"2":1e+21,"3":3}', '{"1":0.1,"2":0.30000000000000004}']


def _random_doubles() -> list[float]:
    import random
    import struct

    rng = random.Random(14)
    xs = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(3000)]
    xs = [abs(x) for x in xs if x == x and abs(x) != float("inf")]
    return xs + [10.0**e for e in range(-9, 25)] + [1.5 * 10.0**e for e in range(-9, 25)] + [0.1, 0.30000000000000004]


def test_weights_a_javascript_number_cannot_hold_are_refused() -> None:
    import pytest

    from wallet.adapters.snapshot import choices as sc
    from wallet.errors import BadInput

    assert sc.parse("weighted", ["a", "b"], "-", {"1": "0.0000001", "2": "1e21"}) == '{"1":1e-7,"2":1e+21}'
    for bad in ("0.12345678901234567890", "1e400", "1e-400", "9007199254740993"):
        with pytest.raises(BadInput, match="JavaScript number"):
            sc.parse("weighted", ["a", "b"], "-", {"1": bad})


def test_the_oracle_catches_an_old_layout_and_a_tampered_vote(voting, voter: str, cli) -> None:  # type: ignore[no-untyped-def]
    import copy

    from wallet.adapters.snapshot import messages as eip712
    from wallet.keys.signer import EvmSigner

    _open_proposals(voting, voter)
    _sync(VSOURCE)
    assert cli("vote", f"{VSOURCE}:{_pid(0xA0)}", "2", "--yes").code == 0
    [env] = _envelopes(voting)
    tampered = copy.deepcopy(env)
    tampered["data"]["message"]["choice"] = 3
    old = copy.deepcopy(env)  # what Polis signed before: snapshot.js 0.12's layout, validly signed
    msg = old["data"]["message"]
    old["data"]["types"]["Vote"] = eip712.legacy_vote_types("single-choice", msg["proposal"])
    doc = {"types": {"EIP712Domain": eip712.DOMAIN_TYPE, **old["data"]["types"]}, "primaryType": "Vote",
           "domain": old["data"]["domain"], "message": msg}
    old["sig"] = "0x" + EvmSigner(bytes.fromhex(KEY_HEX)).sign_typed_data(doc).hex()
    out = oracles.run("snapshot", {"cases": [{"envelope": e, "type": "single-choice", "private_key": "0x" + KEY_HEX}
                                             for e in (tampered, old)]})["cases"]
    assert any("ethers recovers" in e for e in out[0]["errors"])
    assert out[1]["recovered"] == voter and any("types differ" in e for e in out[1]["errors"])
