"""Pydantic models of the hub's proposal and vote records: the boundary where a hostile or broken
hub is stopped. Text is truncated to bounded lengths (a long body is still a proposal), numbers
must be finite and plausible, a vote's choice must have one of the shapes Snapshot signs; anything
else is an RpcError naming the record, never a traceback."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wallet.errors import RpcError

MAX_TITLE = 1_000
MAX_BODY = 200_000
MAX_REASON = 10_000
MAX_LABEL = 500
MAX_CHOICES = 1_000
MAX_TIME = 2**40
"""Seconds: ~36,000 years; a bigger timestamp is a broken hub, not a date."""
MAX_VP = Decimal(10) ** 40
"""Voting power beyond this is absurd (stored scaled by 10^18, it would still fit, but no token has it)."""


def _text(limit: int) -> Any:
    def cut(v: Any) -> str:
        if v is None:
            return ""
        if not isinstance(v, (str, int, float)):
            raise ValueError("not a string")
        s = str(v)
        return s if len(s) <= limit else s[: limit - 1] + "…"
    return cut


def _number(v: Any) -> float | str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueError("not a number")
    try:
        d = Decimal(str(v))
    except (InvalidOperation, ValueError):
        raise ValueError("not a number") from None
    if not d.is_finite() or abs(d) > MAX_VP:
        raise ValueError("absurd number")
    return v


def _time(v: Any) -> int | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise ValueError("not a unix time")
    if isinstance(v, str) and (not v.isdigit() or len(v) > 13):
        raise ValueError("not a unix time")
    n = int(v)
    if not 0 <= n <= MAX_TIME:
        raise ValueError("time out of range")
    return n


class _Hub(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SpaceRef(_Hub):
    id: str = Field("", max_length=200)


class HubProposal(_Hub):
    id: str = Field(min_length=1, max_length=200)
    title: str = ""
    body: str = ""
    author: str = Field("", max_length=200)
    choices: list[str] = Field(default_factory=list, max_length=MAX_CHOICES)
    start: int | None = None
    end: int | None = None
    created: int | None = None
    snapshot: str | None = Field(None, max_length=100)
    state: str = Field("", max_length=50)
    type: str | None = Field(None, max_length=50)
    privacy: str | None = Field(None, max_length=50)
    scores: list[Any] = Field(default_factory=list, max_length=MAX_CHOICES)
    scores_total: Any = None
    scores_state: str | None = Field(None, max_length=50)
    votes: int | None = Field(None, ge=0, le=10**12)
    quorum: Any = None
    network: str | None = Field(None, max_length=50)
    space: SpaceRef | None = None

    _title = field_validator("title", mode="before")(_text(MAX_TITLE))
    _body = field_validator("body", mode="before")(_text(MAX_BODY))
    _times = field_validator("start", "end", "created", mode="before")(_time)
    _nums = field_validator("scores_total", "quorum", mode="before")(_number)

    @field_validator("snapshot", mode="before")
    @classmethod
    def _snap(cls, v: Any) -> Any:
        return None if v is None else str(v) if isinstance(v, (int, str)) and not isinstance(v, bool) else v

    @field_validator("choices", mode="before")
    @classmethod
    def _choices(cls, v: Any) -> Any:
        if isinstance(v, list) and len(v) <= MAX_CHOICES:
            return [_text(MAX_LABEL)(c) for c in v]
        return v

    @field_validator("scores", mode="before")
    @classmethod
    def _scores(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, list) and len(v) <= MAX_CHOICES:
            return [_number(x) for x in v]
        return v


class ProposalRef(_Hub):
    id: str = Field(min_length=1, max_length=200)


def _choice(v: Any) -> Any:
    """Shapes Snapshot signs: uint32, uint32[], a JSON object string or dict of weights, an encrypted string."""
    if isinstance(v, bool):
        raise ValueError("a choice is not a boolean")
    if isinstance(v, int):
        if not 0 <= v < 2**32:
            raise ValueError("choice out of range")
        return v
    if isinstance(v, str):
        if len(v) > 20_000:
            raise ValueError("choice too long")
        return v
    if isinstance(v, list):
        # numbers, or digit strings as the hub serves decrypted shutter votes (['1', '2'])
        if len(v) > MAX_CHOICES or not all((isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 2**32)
                                           or (isinstance(x, str) and x.isdigit() and len(x) <= 10) for x in v):
            raise ValueError("not a list of choice numbers")
        return v
    if isinstance(v, dict):
        if len(v) > MAX_CHOICES:
            raise ValueError("too many weights")
        for k, w in v.items():
            if len(str(k)) > 10:
                raise ValueError("bad weight key")
            _number(w)
        return v
    raise ValueError("not a Snapshot choice")


class HubVote(_Hub):
    id: str = Field("", max_length=200)
    voter: str = Field(min_length=1, max_length=100)
    created: int | None = None
    choice: Any = None
    vp: Any = None
    reason: str = ""
    proposal: ProposalRef | None = None

    _reason = field_validator("reason", mode="before")(_text(MAX_REASON))
    _created = field_validator("created", mode="before")(_time)
    _vp = field_validator("vp", mode="before")(_number)
    _c = field_validator("choice", mode="before")(_choice)


def checked(rows: Any, model: type[_Hub], what: str) -> list[dict[str, Any]]:
    """Validate the hub's rows; plain dicts of the valid shape, or RpcError naming the bad record."""
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise RpcError(f"the hub sent {what}s that are not a list")
    out = []
    for r in rows:
        try:
            out.append(model.model_validate(r).model_dump(exclude_none=False))
        except ValidationError as exc:
            first = exc.errors()[0]
            rid = str(r.get("id"))[:80] if isinstance(r, dict) else "?"
            where = ".".join(str(p) for p in first["loc"]) or what
            raise RpcError(f"the hub sent a malformed {what} {rid!r}: {where}: {first['msg']}") from None
    return out


VP_DECIMALS = 18


def vp_base(value: Any) -> int:
    """A hub float (vp, score, quorum) in base units of 10^-18 VP; garbage counts as 0."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return 0
    if not d.is_finite() or d <= 0 or d.adjusted() > 40:  # absurd values would make a giant int
        return 0
    return int(d.scaleb(VP_DECIMALS).to_integral_value())
