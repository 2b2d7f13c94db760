"""The hand-written event decoder agrees with eth_abi, and garbage never escapes as anything but DecodeError."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.adapters.evm import codec as codec

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
uint = st.integers(min_value=0, max_value=2**256 - 1)


@pytest.mark.parametrize("signature", list(codec.SEL))
def test_selectors_match_keccak(signature: str) -> None:
    assert codec.SEL[signature] == keccak(text=signature)[:4].hex()


@pytest.mark.parametrize(("const", "signature"), [
    (codec.TOPIC_PROPOSAL_CREATED,
     "ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)"),
    (codec.TOPIC_VOTE_CAST, "VoteCast(address,uint256,uint8,uint256,string)"),
    (codec.TOPIC_VOTE_CAST_WITH_PARAMS, "VoteCastWithParams(address,uint256,uint8,uint256,string,bytes)"),
    (codec.TOPIC_PROPOSAL_QUEUED, "ProposalQueued(uint256,uint256)"),
    (codec.TOPIC_PROPOSAL_EXECUTED, "ProposalExecuted(uint256)"),
    (codec.TOPIC_PROPOSAL_CANCELED, "ProposalCanceled(uint256)"),
    (codec.TOPIC_DELEGATE_CHANGED, "DelegateChanged(address,address,address)"),
    (codec.TOPIC_DELEGATE_VOTES_CHANGED, "DelegateVotesChanged(address,uint256,uint256)"),
    (codec.TOPIC_VOTE_CAST_ALPHA, "VoteCast(address,uint256,bool,uint256)"),
    (codec.TOPIC_PROPOSAL_EXTENDED, "ProposalExtended(uint256,uint64)"),
    (codec.TOPIC_PROPOSAL_VETOED, "ProposalVetoed(uint256)"),
    (codec.TOPIC_OBJECTION_PERIOD_SET, "ProposalObjectionPeriodSet(uint256,uint256)"),
    (codec.TOPIC_PROPOSAL_UPDATED,
     "ProposalUpdated(uint256,address,address[],uint256[],string[],bytes[],string,string)"),
    (codec.TOPIC_PROPOSAL_TXS_UPDATED,
     "ProposalTransactionsUpdated(uint256,address,address[],uint256[],string[],bytes[],string)"),
    (codec.TOPIC_PROPOSAL_DESCRIPTION_UPDATED, "ProposalDescriptionUpdated(uint256,address,string,string)"),
])
def test_topics_match_keccak(const: str, signature: str) -> None:
    assert const == "0x" + keccak(text=signature).hex()


def test_known_calls_match_keccak() -> None:
    for sel, (name, types, _names) in codec.KNOWN_CALLS.items():
        assert sel == keccak(text=f"{name}({','.join(types)})")[:4].hex()


@settings(max_examples=200, deadline=None)
@given(uint, addresses, st.lists(st.tuples(addresses, uint, st.text(max_size=20), st.binary(max_size=80)), max_size=4),
       uint, uint, st.text(max_size=300))
def test_proposal_created_round_trip(pid, proposer, actions, start, end, description) -> None:
    data = encode(["uint256", "address", "address[]", "uint256[]", "string[]", "bytes[]", "uint256", "uint256",
                   "string"],
                  [pid, proposer, [a[0] for a in actions], [a[1] for a in actions], [a[2] for a in actions],
                   [a[3] for a in actions], start, end, description])
    pc = codec.decode_proposal_created(data)
    assert (pc.proposal_id, pc.vote_start, pc.vote_end, pc.description) == (pid, start, end, description)
    assert pc.proposer.lower() == proposer.lower()
    assert [t.lower() for t in pc.targets] == [a[0].lower() for a in actions]
    assert pc.values == [a[1] for a in actions] and pc.signatures == [a[2] for a in actions]
    assert pc.calldatas == [a[3] for a in actions]


@settings(max_examples=200, deadline=None)
@given(uint, st.integers(min_value=0, max_value=255), uint, st.text(max_size=500))
def test_vote_cast_round_trip(pid, support, weight, reason) -> None:
    data = encode(["uint256", "uint8", "uint256", "string"], [pid, support, weight, reason])
    assert codec.decode_vote_cast(data) == (pid, support, weight, reason)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_garbage_only_raises_decode_error(data: bytes) -> None:
    for fn in (codec.decode_proposal_created, codec.decode_vote_cast, codec.decode_string_result):
        try:
            fn(data)
        except codec.DecodeError:
            pass
    assert codec.decode_call(data) is None or isinstance(codec.decode_call(data), tuple)


def test_huge_length_is_rejected_without_allocating() -> None:
    data = encode(["uint256", "uint8", "uint256", "string"], [1, 1, 1, "x"])
    forged = data[:128] + (2**255).to_bytes(32, "big") + data[160:]
    with pytest.raises(codec.DecodeError):
        codec.decode_vote_cast(forged)


def test_decode_known_call() -> None:
    data = bytes.fromhex("a9059cbb") + encode(["address", "uint256"], ["0x000000000000000000000000000000000000dEaD", 5])
    assert codec.decode_call(data) == ("transfer", ["0x000000000000000000000000000000000000dEaD", 5], ["to", "amount"])


@settings(max_examples=300, deadline=None)
@given(uint, st.integers(min_value=0, max_value=255), uint, st.text(max_size=300))
def test_vote_cast_hex_fast_path_agrees(pid, support, weight, reason) -> None:
    data = encode(["uint256", "uint8", "uint256", "string"], [pid, support, weight, reason])
    assert codec.decode_vote_cast_hex("0x" + data.hex()) == codec.decode_vote_cast(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_vote_cast_hex_garbage(data: bytes) -> None:
    for text in ("0x" + data.hex(), data.hex()[:-1], "0xzz" + data.hex()):
        try:
            codec.decode_vote_cast_hex(text)
        except codec.DecodeError:
            pass


@given(addresses, uint, st.booleans(), uint)
@settings(max_examples=50, deadline=None)
def test_alpha_vote_cast_round_trip(voter, pid, support, votes) -> None:
    data = "0x" + encode(["address", "uint256", "bool", "uint256"], [voter, pid, support, votes]).hex()
    got = codec.decode_alpha_vote_hex(data)
    assert (got[0].lower(), got[1], got[2], got[3]) == (voter, pid, int(support), votes)


u128 = st.integers(min_value=0, max_value=2**128 - 1)


@given(uint, st.text(max_size=40), u128, u128, u128)
@settings(max_examples=50, deadline=None)
def test_fractional_params_round_trip(pid, reason, against, for_, abstain) -> None:
    params = codec.encode_fractional(against, for_, abstain)
    data = encode(["uint256", "uint8", "uint256", "string", "bytes"],
                  [pid, 255, against + for_ + abstain, reason, params])
    assert codec.decode_fractional(codec.decode_vote_params_hex("0x" + data.hex())) == (against, for_, abstain)


def test_fractional_params_of_the_wrong_size_are_refused() -> None:
    with pytest.raises(codec.DecodeError):
        codec.decode_fractional(b"\0" * 47)


def test_an_action_on_the_dao_token_shows_its_amount_in_the_token_units(tmp_path, monkeypatch) -> None:
    """A call to the DAO's token shows `amount` in the token's units (6 decimals here); the same call to any other
    contract shows the raw integer, and a Bravo-style signature selects the call as the selector would."""
    from eth_abi import encode as abi

    from wallet import networks
    from wallet.adapters import adapter_for
    from wallet.adapters.evm.created import describe_action

    monkeypatch.setenv("POLIS_HOME", str(tmp_path))
    token, other, to = "0x" + "22" * 20, "0x" + "33" * 20, "0x" + "44" * 20
    networks.add_dao("devnet", {"id": "aur", "kind": "oz", "governor": "0x" + "11" * 20, "token": token,
                                "token_symbol": "AUR", "token_decimals": 6})
    ad = adapter_for("devnet/aur")
    args = abi(["address", "uint256"], [to, 400_000 * 10**6])
    call = bytes.fromhex("a9059cbb") + args
    on_token = describe_action(ad, token, 0, "", call)
    assert on_token["signature"] == "transfer(address,uint256)" and "AUR.transfer(" in on_token["summary"]
    assert on_token["summary"] == f"AUR.transfer(to={to}, amount=400,000 AUR)"
    elsewhere = describe_action(ad, other, 0, "", call)
    assert f"amount={400_000 * 10**6}" in elsewhere["summary"] and "AUR" not in elsewhere["summary"]
    bravo = describe_action(ad, token, 0, "transfer(address, uint256)", args)
    assert bravo["summary"] == on_token["summary"] and bravo["args"] == on_token["args"]
