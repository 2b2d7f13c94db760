"""Amounts: integers in base units, exact parsing and formatting, clear errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.errors import BadInput
from wallet.units import Denom, format_amount, parse_amount

AKT = Denom("AKT", "uakt", 6)
ETH = Denom("ETH", "wei", 18)


@pytest.mark.parametrize(("text", "want"), [
    ("1.5 AKT", 1_500_000), ("1500000uakt", 1_500_000), ("1.5", 1_500_000), ("0.000001 akt", 1),
    ("1,000 AKT", 1_000_000_000), (".5", 500_000), ("2", 2_000_000), ("7 uakt", 7),
])
def test_parse(text: str, want: int) -> None:
    assert parse_amount(text, AKT) == want


@pytest.mark.parametrize("text", ["1.0000001 AKT", "0.5uakt", "-1", "abc", "1.5 ATOM", "", "1e5", "1..2"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(BadInput):
        parse_amount(text, AKT)


def test_too_many_decimals_message_names_the_limit() -> None:
    with pytest.raises(BadInput, match="more decimals than AKT allows"):
        parse_amount("1.1234567 AKT", AKT)


def test_format_exact() -> None:
    assert format_amount(1, ETH) == "0.000000000000000001 ETH"
    assert format_amount(1_500_000, AKT) == "1.5 AKT"
    assert format_amount(10**24, ETH, symbol=False) == "1,000,000"
    assert format_amount(123_456_789, AKT, max_decimals=2) == "123.45 AKT"


@given(st.integers(min_value=0, max_value=10**40))
def test_round_trip(value: int) -> None:
    text = format_amount(value, ETH, symbol=False)
    assert parse_amount(text, ETH) == value
