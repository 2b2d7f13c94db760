"""The simulation's hand-written ABI encoding and decoding, checked against eth_abi (the reference)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.simulate.execute import Action, _oz_args, decode_actions, keccak256

addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
actions = st.lists(st.tuples(addresses, st.integers(0, 2**256 - 1), st.binary(max_size=200)), max_size=6)


@settings(max_examples=200, deadline=None)
@given(actions, st.text(max_size=300))
def test_oz_proposal_arguments_match_eth_abi(items: list[tuple[str, int, bytes]], description: str) -> None:
    from eth_abi import encode

    acts = [Action(index=i, target=t, value=v, signature="", calldata=c) for i, (t, v, c) in enumerate(items, 1)]
    expected = encode(["address[]", "uint256[]", "bytes[]", "bytes32"],
                      [[t for t, _, _ in items], [v for _, v, _ in items], [c for _, _, c in items],
                       keccak256(description.encode())])
    assert _oz_args(acts, description) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(addresses, st.integers(0, 2**256 - 1), st.text(max_size=40), st.binary(max_size=120)),
                max_size=6))
def test_get_actions_decoding_matches_eth_abi(items: list[tuple[str, int, str, bytes]]) -> None:
    from eth_abi import encode

    raw = encode(["address[]", "uint256[]", "string[]", "bytes[]"],
                 [[t for t, *_ in items], [v for _, v, _, _ in items], [s for *_, s, _ in items],
                  [c for *_, c in items]])
    got = decode_actions(raw)
    assert [(t.lower(), v, s, c) for t, v, s, c in got] == [(t.lower(), v, s, c) for t, v, s, c in items]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_revert_data_from_a_node_never_breaks_the_report(data: bytes) -> None:
    from wallet.simulate.decode import decode_revert

    for blob in (data, bytes.fromhex("08c379a0") + data, bytes.fromhex("4e487b71") + data,
                 bytes.fromhex("e450d38c") + data):
        out = decode_revert(blob)
        assert out["kind"] in ("error", "panic", "custom", "empty") and isinstance(out["reason"], str)


def test_revert_reasons_decode_exactly() -> None:
    from eth_abi import encode

    from wallet.simulate.decode import decode_revert

    assert decode_revert(bytes.fromhex("08c379a0") + encode(["string"], ["PolisBravo: admin only"])) == {
        "kind": "error", "reason": "PolisBravo: admin only", "selector": "0x08c379a0",
        "data": "0x08c379a0" + encode(["string"], ["PolisBravo: admin only"]).hex()}
    assert decode_revert(bytes.fromhex("4e487b71") + encode(["uint256"], [0x11]))["reason"] == \
        "panic 0x11: arithmetic overflow or underflow"
    custom = decode_revert(bytes.fromhex("e450d38c") + encode(["address", "uint256", "uint256"],
                                                              ["0x" + "11" * 20, 5, 7]))
    assert custom["reason"] == "ERC20InsufficientBalance(0x1111111111111111111111111111111111111111, 5, 7)"
    assert decode_revert(bytes.fromhex("deadbeef"))["reason"] == "custom error 0xdeadbeef"
    assert decode_revert(b"")["kind"] == "empty"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=40), max_size=5), st.binary(max_size=200))
def test_events_from_a_node_never_break_the_report(topics: list[bytes], data: bytes) -> None:
    from wallet.simulate.decode import TOPIC_TRANSFER, decode_event

    for first in ([], [TOPIC_TRANSFER]):
        log = {"address": "0x" + "ab" * 20, "topics": first + ["0x" + t.hex() for t in topics],
               "data": "0x" + data.hex()}
        ev = decode_event(log)
        assert ev["address"].lower() == "0x" + "ab" * 20
