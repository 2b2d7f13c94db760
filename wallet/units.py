"""Amounts: integers in base units, parsed from and formatted to human text with Decimal only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation

from wallet.errors import BadInput

# Decimal's default context keeps 28 digits: too few for 10^40 wei. Every operation here uses this one.
_CTX = Context(prec=120)

_AMOUNT_RE = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9_]*)?|\.[0-9]+)\s*([A-Za-z][A-Za-z0-9/]*)?\s*$")


@dataclass(frozen=True)
class Denom:
    """A token's display unit and base unit, e.g. AKT = 10^6 uakt."""

    symbol: str
    base: str
    decimals: int


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
    try:
        value = _CTX.create_decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise BadInput(f"not an amount: {text!r}") from exc
    if unit is None or unit.lower() == denom.symbol.lower():
        scale = denom.decimals
    elif unit == denom.base or unit.lower() == denom.base.lower():
        scale = 0
    else:
        raise BadInput(f"unknown unit {unit!r} for {denom.symbol}; use {denom.symbol} or {denom.base}")
    scaled = value.scaleb(scale, context=_CTX)
    if scaled != scaled.to_integral_value(context=_CTX):
        shown = denom.symbol if scale else denom.base
        raise BadInput(f"{text.strip()!r} has more decimals than {shown} allows ({scale})")
    return int(scaled)


def format_amount(value: int, denom: Denom, *, symbol: bool = True, max_decimals: int | None = None,
                  mark: bool = False) -> str:
    """Format base units for display, trimming trailing zeros; exact (no rounding) unless max_decimals.
    With `mark`, a value whose digits were cut reads "≈1,000.1234" so a table never passes it off as exact."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(int(value)), 10**denom.decimals)
    frac_s = str(frac).rjust(denom.decimals, "0").rstrip("0") if denom.decimals else ""
    cut = False
    if max_decimals is not None and len(frac_s) > max_decimals:
        frac_s = frac_s[:max_decimals].rstrip("0")
        cut = True
    text = ("≈" if cut and mark else "") + f"{sign}{whole:,}" + (f".{frac_s}" if frac_s else "")
    return f"{text} {denom.symbol}" if symbol else text


def compact(value: int, denom: Denom) -> str:
    """Short form for tables: 1.23M, 4.5k, with the symbol."""
    whole = _CTX.create_decimal(abs(value)).scaleb(-denom.decimals, context=_CTX)
    sign = "-" if value < 0 else ""
    for limit, suffix in ((Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "k")):
        if whole >= limit:
            return f"{sign}{(whole / limit).quantize(Decimal('0.01')).normalize():f}{suffix}"
    q = whole.quantize(Decimal("0.0001")).normalize() if whole < 1000 else whole
    return f"{sign}{q:f}"
