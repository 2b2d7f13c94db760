"""Snapshot choices per vote type: parse what a user typed, validate it, label it, compare it.

Choices are 1-based. The rules follow snapshot.js `src/voting/*` `isValidChoice`:
- single-choice, basic: one integer in 1..n (basic: For 1, Against 2, Abstain 3);
- approval: a list of distinct integers in 1..n (Polis also asks for at least one);
- ranked-choice: every choice exactly once, best first ("1>3>2" or "1,3,2");
- weighted, quadratic: {choice: weight} with keys in 1..n and every weight > 0, signed as the JSON
  string `{"1":2,"3":1}` exactly as snapshot.js' JSON.stringify writes it (keys ascending, no spaces,
  numbers as JavaScript prints them: `1e-7`, `1e+21`); a weight a JavaScript number cannot hold is refused.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from wallet.errors import BadInput

TYPES = ("single-choice", "basic", "approval", "ranked-choice", "weighted", "quadratic")
WEIGHTED_TYPES = ("weighted", "quadratic")
_PLACEHOLDERS = {"", "-", "weighted", "quadratic", "weights"}
_BASIC_WORDS = {"for": 1, "yes": 1, "against": 2, "no": 2, "abstain": 3}


def _index(token: str, choices: list[str], vote_type: str) -> int:
    t = token.strip()
    if re.fullmatch(r"[0-9]+", t):
        i = int(t)
    else:
        low = t.lower()
        matches = [k + 1 for k, c in enumerate(choices) if c.strip().lower() == low]
        if vote_type == "basic" and not matches and low in _BASIC_WORDS:
            matches = [_BASIC_WORDS[low]]
        if len(matches) != 1:
            raise BadInput(f"{token!r} is not a choice number (1..{len(choices)})"
                           + (" or a unique choice label" if not matches else f"; it matches {len(matches)} labels"))
        i = matches[0]
    if not 1 <= i <= len(choices):
        raise BadInput(f"choice {i} is out of range: this proposal has choices 1..{len(choices)}")
    return i


def _weight(text: str, key: str) -> Decimal:
    try:
        w = Decimal(text.strip())
    except InvalidOperation:
        raise BadInput(f"weight of choice {key} is not a number: {text!r}") from None
    if not w.is_finite() or w <= 0:
        raise BadInput(f"weight of choice {key} must be greater than 0 (got {text.strip()})")
    return w


def _weights_from_text(text: str) -> dict[str, str]:
    t = text.strip()
    if t.startswith("{"):
        try:
            doc = json.loads(t, parse_float=str, parse_int=str)
        except ValueError:
            raise BadInput(f"not a weights object: {text!r}") from None
        if not isinstance(doc, dict):
            raise BadInput("weights must be an object {choice: weight}")
        return {str(k): str(v) for k, v in doc.items()}
    out: dict[str, str] = {}
    for part in t.split(","):
        k, sep, v = part.partition("=")
        if not sep or not k.strip() or not v.strip():
            raise BadInput(f"bad weight {part!r}: write CHOICE=WEIGHT, e.g. 1=2,3=1")
        if k.strip() in out:
            raise BadInput(f"choice {k.strip()!r} appears twice in the weights")
        out[k.strip()] = v.strip()
    return out


def js_number(x: float) -> str:
    """`String(x)` / `JSON.stringify(x)` of a finite JavaScript number (ECMAScript Number::toString):
    the shortest round-trip digits (Python's repr finds the same ones), plain from 1e-6 up to 1e21,
    exponent form (`1e-7`, `1.5e+21`) outside."""
    if x == 0:
        return "0"
    sign, digits_t, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    k = len(digits)
    n = k + int(exp)  # x = 0.digits × 10^n
    neg = "-" if x < 0 else ""
    if k <= n <= 21:
        return neg + digits + "0" * (n - k)
    if 0 < n <= 21:
        return neg + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return neg + "0." + "0" * -n + digits
    e = n - 1
    mant = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{neg}{mant}e{'+' if e >= 0 else '-'}{abs(e)}"


def _number_text(w: Decimal, key: str) -> str:
    """The weight as JSON.stringify writes the JavaScript number it parses to; BadInput when that number
    is not the weight the user typed (more digits than a double holds, or out of its range)."""
    import math

    ratio = float(w)  # a weight is a ratio, never money: Snapshot carries it as a JavaScript double
    if ratio == 0 or math.isinf(ratio):
        raise BadInput(f"weight of choice {key} ({w}) is outside what a JavaScript number holds")
    text = js_number(ratio)
    if Decimal(text) != w:
        raise BadInput(f"weight of choice {key} ({w}) has more digits than a JavaScript number holds: "
                       f"Snapshot would count it as {text}; give at most 15 significant digits")
    return text


def parse(vote_type: str, choices: list[str], text: str, weights: dict[str, str] | None = None) -> Any:
    """The value signed as `choice`: int, list[int] or the weights JSON string. BadInput if invalid."""
    n = len(choices)
    if n == 0:
        raise BadInput("this proposal has no choices")
    if vote_type in WEIGHTED_TYPES:
        no_choice_in_text = text.strip().lower() in _PLACEHOLDERS or "=" in text or text.strip().startswith("{")
        if weights and not no_choice_in_text:
            raise BadInput(f"give the weights once: --weights 1=2,3=1 (with '-' as CHOICE), not {text!r} as well")
        raw = weights if weights else _weights_from_text(text)
        if not raw:
            raise BadInput("a weighted vote needs at least one CHOICE=WEIGHT")
        parsed: dict[int, str] = {}
        for k, v in raw.items():
            i = _index(k, choices, vote_type)
            if i in parsed:
                raise BadInput(f"choice {i} appears twice in the weights")
            parsed[i] = _number_text(_weight(v, k), k)
        return "{" + ",".join(f'"{i}":{parsed[i]}' for i in sorted(parsed)) + "}"
    if weights:
        raise BadInput(f"{vote_type} votes are not weighted: give the choice as CHOICE")
    if vote_type in ("single-choice", "basic"):
        if vote_type == "basic" and n not in (2, 3):
            raise BadInput(f"a basic proposal has 2 or 3 choices, this one has {n}")
        if re.search(r"[,>]", text):
            raise BadInput(f"{vote_type} takes one choice, not {text!r}")
        return _index(text, choices, vote_type)
    if vote_type in ("approval", "ranked-choice"):
        tokens = [t for t in re.split(r"[,>]", text)]
        if any(not t.strip() for t in tokens):
            example = "1,3 or 1>3>2" if vote_type == "ranked-choice" else "1,3"
            raise BadInput(f"empty choice in {text!r}: write e.g. {example}")
        picks = [_index(t, choices, vote_type) for t in tokens]
        if len(set(picks)) != len(picks):
            raise BadInput(f"a choice appears twice in {text!r}")
        if vote_type == "ranked-choice" and len(picks) != n:
            missing = sorted(set(range(1, n + 1)) - set(picks))
            raise BadInput(f"a ranked-choice vote ranks all {n} choices; missing: {', '.join(map(str, missing))}")
        return picks
    raise BadInput(f"Polis cannot vote on Snapshot vote type {vote_type!r} (known: {', '.join(TYPES)})")


def _ints(raw: Any) -> list[int]:
    return [int(x) for x in raw]


def _as_weights(raw: Any) -> dict[int, Decimal]:
    if isinstance(raw, str):
        raw = json.loads(raw, parse_float=Decimal)
    return {int(k): Decimal(str(v)) for k, v in dict(raw).items()}


def label(vote_type: str, choices: list[str], raw: Any) -> str:
    """What a person reads for a signed or archived choice; never raises (hub data may be odd)."""
    def name(i: int) -> str:
        return choices[i - 1].strip() if 1 <= i <= len(choices) else f"#{i}"

    try:
        if vote_type in WEIGHTED_TYPES or isinstance(raw, dict):
            w = _as_weights(raw)
            total = sum(w.values()) or Decimal(1)
            return ", ".join(f"{name(i)} {(v * 100 / total).quantize(Decimal('0.1'))}%" for i, v in sorted(w.items()))
        if isinstance(raw, list):
            sep = " > " if vote_type == "ranked-choice" else ", "
            return sep.join(name(i) for i in _ints(raw))
        return name(int(raw))
    except (ValueError, TypeError, InvalidOperation, ArithmeticError):
        return json.dumps(raw, separators=(",", ":"))[:200] if not isinstance(raw, str) else raw[:200]


def same(vote_type: str, a: Any, b: Any) -> bool:
    """True when two choices are the same vote (approval ignores order, weights compare as shares)."""
    try:
        if vote_type in WEIGHTED_TYPES:
            wa, wb = _as_weights(a), _as_weights(b)
            ta, tb = sum(wa.values()), sum(wb.values())
            return set(wa) == set(wb) and all(wa[k] * tb == wb[k] * ta for k in wa)
        if vote_type == "approval":
            return sorted(_ints(a)) == sorted(_ints(b))
        if vote_type == "ranked-choice":
            return _ints(a) == _ints(b)
        return int(a) == int(b)
    except (ValueError, TypeError, InvalidOperation, ArithmeticError):
        return False


def is_valid(vote_type: str, n_choices: int, value: Any) -> bool:
    """Server-side check of a signed value (used by the sequencer double and by `submit`)."""
    try:
        if vote_type in ("single-choice", "basic"):
            return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= n_choices
        if vote_type in ("approval", "ranked-choice"):
            ok = (isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= n_choices
                                                    for v in value) and len(set(value)) == len(value))
            return ok and (len(value) == n_choices if vote_type == "ranked-choice" else len(value) > 0)
        if vote_type in WEIGHTED_TYPES:
            if not isinstance(value, str):
                return False
            doc = json.loads(value)
            return (isinstance(doc, dict) and len(doc) > 0
                    and all(k.isdigit() and 1 <= int(k) <= n_choices for k in doc)
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in doc.values()))
    except (ValueError, TypeError):
        return False
    return False
