"""Snapshot EIP-712 encoding and choice rules: a real signed envelope as a fixed vector, properties
against eth-account's independent encoder, and every vote type's valid and invalid choices."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.doubles.snapshot_hub import FIXTURES
from wallet.adapters.snapshot import choices as sc
from wallet.adapters.snapshot import messages as eip712
from wallet.errors import BadInput

KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


def test_real_sequencer_envelope_recovers_its_signer() -> None:
    env = json.loads((FIXTURES / "signed_vote_envelope.sequencer.json").read_text())
    d = env["data"]
    assert eip712.recover(eip712.digest(d), bytes.fromhex(env["sig"][2:])) == env["address"]
    # the recorded envelope is snapshot.js 0.12's layout: still verifiable, no longer what Polis signs
    assert eip712.legacy_vote_types("single-choice", d["message"]["proposal"]) == d["types"]["Vote"]
    assert eip712.known_layout(d["types"]["Vote"], d["message"]["proposal"])
    current = eip712.vote_types("single-choice", d["message"]["proposal"])
    assert [f["type"] for f in current if f["name"] in ("from", "proposal")] == ["string", "string"]
    assert eip712.known_layout(current, d["message"]["proposal"])
    assert not eip712.known_layout(current[:-1], d["message"]["proposal"])


def test_reason_and_app_lengths_are_checked_before_signing() -> None:
    msg = {"from": "0x" + "11" * 20, "space": "s.eth", "timestamp": 1, "proposal": "0x" + "22" * 32, "choice": 1,
           "reason": "é" * 5_000, "app": "a" * 24, "metadata": "{}"}
    assert eip712.document(msg, "single-choice")["message"]["reason"] == "é" * 5_000
    with pytest.raises(BadInput, match="5,001 characters"):
        eip712.document({**msg, "reason": "x" * 5_001}, "single-choice")
    with pytest.raises(BadInput, match="at most 24"):
        eip712.document({**msg, "app": "a" * 25}, "single-choice")


def test_tampered_envelope_recovers_someone_else() -> None:
    env = json.loads((FIXTURES / "signed_vote_envelope.sequencer.json").read_text())
    d = env["data"]
    d["message"]["choice"] = 2
    assert eip712.recover(eip712.digest(d), bytes.fromhex(env["sig"][2:])) != env["address"]


def test_alias_envelope_uses_the_same_domain() -> None:
    """The snapshot.js Alias vector verifies through the same domain separator and struct hashing."""
    env = json.loads((FIXTURES / "signed_alias_envelope.snapshotjs.json").read_text())
    assert eip712.recover(eip712.digest(env["data"]), bytes.fromhex(env["sig"][2:])) == env["address"]


def test_bad_proposal_envelope_does_not_verify() -> None:
    env = json.loads((FIXTURES / "signed_proposal_envelope.sequencer.json").read_text())
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    d = env["data"]
    full = {"types": {"EIP712Domain": eip712.DOMAIN_TYPE, **d["types"]}, "primaryType": "Proposal",
            "domain": d["domain"], "message": d["message"]}
    assert Account.recover_message(encode_typed_data(full_message=full), signature=env["sig"]) != env["address"]


_message = st.fixed_dictionaries({
    "space": st.text(max_size=40), "timestamp": st.integers(0, 2**64 - 1),
    "proposal": st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()),
    "reason": st.text(max_size=80), "app": st.text(max_size=10), "metadata": st.just("{}"),
})
_choice = st.one_of(
    st.tuples(st.sampled_from(["single-choice", "basic"]), st.integers(0, 2**32 - 1)),
    st.tuples(st.sampled_from(["approval", "ranked-choice"]), st.lists(st.integers(0, 2**32 - 1), max_size=6)),
    st.tuples(st.sampled_from(["weighted", "quadratic"]), st.text(max_size=30)),
)


@settings(max_examples=60, deadline=None)
@given(_message, _choice)
def test_digest_matches_eth_account_and_signatures_round_trip(msg: dict, kind_choice: tuple) -> None:
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    from wallet.keys.signer import EvmSigner

    kind, choice = kind_choice
    signer = EvmSigner(KEY)
    doc = eip712.document({**msg, "from": signer.address, "choice": choice}, kind)
    signable = encode_typed_data(full_message=doc)
    from eth_utils import keccak

    assert eip712.digest(doc) == keccak(b"\x19" + signable.version + signable.header + signable.body)
    sig = signer.sign_typed_data(doc)
    assert eip712.recover(eip712.digest(doc), sig) == signer.address == Account.recover_message(signable, signature=sig)


CH3 = ["For", "Against", "Abstain"]
CH4 = ["Alice", "Bob", "Carol", "Dave"]


@pytest.mark.parametrize(("kind", "choices", "text", "weights", "value"), [
    ("single-choice", CH4, "2", None, 2),
    ("single-choice", CH4, "carol", None, 3),
    ("basic", CH3, "against", None, 2),
    ("basic", CH3, "3", None, 3),
    ("approval", CH4, "1,3", None, [1, 3]),
    ("approval", CH4, "4", None, [4]),
    ("ranked-choice", CH4, "2>4>1>3", None, [2, 4, 1, 3]),
    ("ranked-choice", CH4, "2,4,1,3", None, [2, 4, 1, 3]),
    ("weighted", CH4, "-", {"1": "2", "3": "1"}, '{"1":2,"3":1}'),
    ("weighted", CH4, "3=0.25,1=0.75", None, '{"1":0.75,"3":0.25}'),
    ("quadratic", CH4, '{"2": 5}', None, '{"2":5}'),
])
def test_valid_choices(kind: str, choices: list, text: str, weights: dict | None, value: object) -> None:
    got = sc.parse(kind, choices, text, weights)
    assert got == value
    assert sc.is_valid(kind, len(choices), got)


@pytest.mark.parametrize(("kind", "choices", "text", "weights", "why"), [
    ("single-choice", CH4, "5", None, "out of range"),
    ("single-choice", CH4, "0", None, "out of range"),
    ("single-choice", CH4, "1,2", None, "one choice"),
    ("basic", CH4, "1", None, "2 or 3 choices"),
    ("approval", CH4, "1,1", None, "twice"),
    ("approval", CH4, "1,,2", None, "empty"),
    ("approval", CH4, "1,9", None, "out of range"),
    ("ranked-choice", CH4, "1>2>3", None, "missing: 4"),
    ("ranked-choice", CH4, "1>2>3>3", None, "twice"),
    ("weighted", CH4, "-", {"1": "0"}, "greater than 0"),
    ("weighted", CH4, "-", {"1": "-1", "2": "3"}, "greater than 0"),
    ("weighted", CH4, "-", {"7": "1"}, "out of range"),
    ("quadratic", CH4, "2", None, "CHOICE=WEIGHT"),
    ("quadratic", CH4, "1=x", None, "not a number"),
    ("single-choice", CH4, "1", {"1": "1"}, "not weighted"),
])
def test_invalid_choices_are_bad_input(kind: str, choices: list, text: str, weights: dict | None, why: str) -> None:
    with pytest.raises(BadInput, match=why):
        sc.parse(kind, choices, text, weights)


def test_labels_of_real_hub_choice_shapes() -> None:
    assert sc.label("single-choice", ["Yes", "No"], 1) == "Yes"
    assert sc.label("approval", CH4, [1, 2]) == "Alice, Bob"
    assert sc.label("ranked-choice", ["A", "B"], ["2", "1"]) == "B > A"  # shutter reveals strings
    assert sc.label("weighted", CH4, {"1": 3, "2": 1}) == "Alice 75.0%, Bob 25.0%"
    assert sc.label("weighted", CH4, '{"4":1}') == "Dave 100.0%"
    assert sc.same("weighted", {"1": 2, "3": 2}, '{"1":1,"3":1}')
    assert sc.same("approval", [3, 1], [1, 3]) and not sc.same("ranked-choice", [3, 1], [1, 3])
