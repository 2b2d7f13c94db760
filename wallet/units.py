"""Amounts: integers in base units, parsed from and formatted to human text with Decimal only."""

from __future__ import annotations

import re

from wallet.errors import BadInput
from wallet.records import Frozen

PRECISION = 120
"""Digits of every Decimal operation here (Decimal's default 28 are too few for 10^40 wei)."""

_AMOUNT_RE = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9_]*)?|\.[0-9]+)\s*([A-Za-z][A-Za-z0-9/]*)?\s*$")


class Denom(Frozen):
    """A token's display unit and base unit, e.g. AKT = 10^6 uakt."""

    _fields = ("symbol", "base", "decimals")
    symbol: str
    base: str
    decimals: int

    def __init__(self, symbol: str, base: str, decimals: int) -> None:
        self._init(symbol=symbol, base=base, decimals=decimals)


def parse_amount(text: str, denom: Denom) -> int:
    """Parse "1.5 AKT", "1500000uakt" or "1.5" (display unit) into base units.

    Rejects negative amounts, more decimals than the denom has, and unknown units.
    """
    if not isinstance(text, str):
        text = str(text)
    m = _AMOUNT_RE.match(text)
    if not m:
        raise BadInput(f"not an amount: {text!r} (examples: '1.5 {denom.symbol}', '15{denom.base}')")
    number, unit = m.group(1).replace("_", "").replace(",", ""), m.group(2)
    from decimal import Context, InvalidOperation  # only amounts typed by the user are parsed

    ctx = Context(prec=PRECISION)
    try:
        value = ctx.create_decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise BadInput(f"not an amount: {text!r}") from exc
    if unit is None or unit.lower() == denom.symbol.lower():
        scale = denom.decimals
    elif unit == denom.base or unit.lower() == denom.base.lower():
        scale = 0
    else:
        raise BadInput(f"unknown unit {unit!r} for {denom.symbol}; use {denom.symbol} or {denom.base}")
    scaled = value.scaleb(scale, context=ctx)
    if scaled != scaled.to_integral_value(context=ctx):
        shown = denom.symbol if scale else denom.base
        raise BadInput(f"{text.strip()!r} has more decimals than {shown} allows ({scale})")
    return int(scaled)


APPROX = "≈"
"""The mark of a displayed amount whose digits were cut: "≈1,000.1234 AGIX" is never passed off as exact."""
WEIGHT_DECIMALS = 2
"""Decimals a vote weight, tally, quorum or turnout shows (CLI and TUI)."""
FEE_DECIMALS = 8
"""Decimals a fee (estimate, paid, per-network total) shows (CLI and TUI)."""


def format_amount(value: int, denom: Denom, *, symbol: bool = True, max_decimals: int | None = None,
                  mark: bool = True) -> str:
    """Format base units for display, trimming trailing zeros; exact (no rounding) unless max_decimals.
    A value whose digits were cut reads "≈1,000.1234" (unless `mark` is False), so no display passes it off as
    exact. Machine output (--json) never comes from here: it carries exact decimal strings."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(int(value)), 10**denom.decimals)
    frac_s = str(frac).rjust(denom.decimals, "0").rstrip("0") if denom.decimals else ""
    cut = False
    if max_decimals is not None and len(frac_s) > max_decimals:
        frac_s = frac_s[:max_decimals].rstrip("0")
        cut = True
    text = (APPROX if cut and mark else "") + f"{sign}{whole:,}" + (f".{frac_s}" if frac_s else "")
    return f"{text} {denom.symbol}" if symbol else text


def weight_text(value: int, denom: Denom, *, symbol: bool = True) -> str:
    """A vote weight, tally line, quorum or turnout for display: WEIGHT_DECIMALS, marked when cut."""
    return format_amount(value, denom, symbol=symbol, max_decimals=WEIGHT_DECIMALS)


def fee_text(value: int, symbol: str, decimals: int) -> str:
    """A fee for display: FEE_DECIMALS, marked when cut ("≈0.00002103 ETH"); exact when it fits."""
    return format_amount(value, Denom(symbol or "fee", "base", decimals), max_decimals=FEE_DECIMALS)
