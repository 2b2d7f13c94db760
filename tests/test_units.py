"""Amounts: integers in base units, exact parsing and formatting, clear errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.errors import BadInput
from wallet.units import Denom, fee_text, format_amount, parse_amount, weight_text

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
    assert format_amount(123_456_789, AKT, max_decimals=2) == "≈123.45 AKT"  # digits cut: marked
    assert format_amount(123_450_000, AKT, max_decimals=2) == "123.45 AKT"  # nothing cut: exact, unmarked
    assert format_amount(123_456_789, AKT, max_decimals=2, mark=False) == "123.45 AKT"


def test_weights_and_fees_share_one_display_rule() -> None:
    assert weight_text(1_234_567 * 10**15, ETH) == "≈1,234.56 ETH"
    assert weight_text(1_234_560 * 10**15, ETH) == "1,234.56 ETH"
    assert fee_text(21_000 * 1_000_000_007, "ETH", 18) == "≈0.000021 ETH"  # 0.000021000147
    assert fee_text(21_000 * 10**9, "ETH", 18) == "0.000021 ETH"
    assert fee_text(1, "", 18) == "≈0 fee"  # a dust fee is never shown as an exact zero
    assert fee_text(5_000, "uakt", 0) == "5,000 uakt"


@given(st.integers(min_value=0, max_value=10**40), st.integers(min_value=0, max_value=18))
def test_a_shown_amount_is_exact_or_marked(value: int, places: int) -> None:
    text = format_amount(value, ETH, symbol=False, max_decimals=places)
    if text.startswith("≈"):
        assert parse_amount(text[1:], ETH) < value
    else:
        assert parse_amount(text, ETH) == value


@given(st.integers(min_value=0, max_value=10**40))
def test_round_trip(value: int) -> None:
    text = format_amount(value, ETH, symbol=False)
    assert parse_amount(text, ETH) == value
