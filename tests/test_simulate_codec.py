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
