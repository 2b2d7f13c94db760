"""Argument types for the parser: bounded integers and finite numbers, checked before a command runs.

A value out of range is a one-line usage error with exit 2 (see `PolisParser.error`), never an
OverflowError deep inside SQLite or a silently hardened HD index. Light: argparse only.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

INT64_MAX = 2**63 - 1
HD_INDEX_MAX = 2**31 - 1
"""BIP-32: indexes from 2^31 are hardened children; an account index stays below."""
DAYS_MAX = 36_500.0


def _parse_int(text: str) -> int:
    s = text.strip()
    if len(s) > 40:
        raise argparse.ArgumentTypeError(f"{s[:20]}… is not a number in range")
    try:
        return int(s, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not a whole number") from None


def bounded_int(low: int, high: int = INT64_MAX) -> Callable[[str], int]:
    """An integer in low..high (inclusive)."""

    def parse(text: str) -> int:
        n = _parse_int(text)
        if n > high and high == INT64_MAX:
            raise argparse.ArgumentTypeError(f"{n} is too large")
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"{n} is out of range ({low}..{high})")
        return n

    parse.__name__ = "integer"
    return parse


def hd_index(text: str) -> int:
    return bounded_int(0, HD_INDEX_MAX)(text)


def days(text: str) -> float:
    """A finite number of days in 0..DAYS_MAX."""
    try:
        value = float(text)  # days: a duration, never an amount
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not math.isfinite(value) or not 0 <= value <= DAYS_MAX:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days in 0..{DAYS_MAX:g}")
    return value


def seconds(text: str) -> float:
    """A command's time budget (the rule lives in wallet.budget: 0 = none, finite, bounded)."""
    from wallet.budget import parse
    from wallet.errors import BadInput

    try:
        return parse(text)
    except BadInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def fee_cap(text: str) -> str:
    """`--max-fee AMOUNT` (the rule lives in wallet.fees.cap_text; the unit is checked per network)."""
    from wallet.errors import BadInput
    from wallet.fees import cap_text

    try:
        return cap_text(text)
    except BadInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def fee_cap_for(text: str) -> tuple[str, str]:
    """`--max-fee [NETWORK=]AMOUNT` of a batch run: (network or source, "" for every one; the cap)."""
    key, sep, amount = str(text).partition("=")
    if not sep:
        key, amount = "", text
    key = key.strip()
    if sep and (not key or len(key) > 200 or any(c.isspace() for c in key)):
        raise argparse.ArgumentTypeError(f"--max-fee {str(text)[:40]!r}: give AMOUNT or NETWORK=AMOUNT")
    return key, fee_cap(amount)


def node_url(text: str) -> str:
    """A node URL (the rule lives in wallet.urls: http(s)/ws(s), a host, a valid port)."""
    from wallet.errors import BadInput
    from wallet.urls import check_url

    try:
        return check_url(text, "--rpc URL")
    except BadInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


hd_index.__name__ = "index"
node_url.__name__ = "URL"
days.__name__ = "days"
seconds.__name__ = "seconds"
fee_cap.__name__ = "amount"
fee_cap_for.__name__ = "cap"
