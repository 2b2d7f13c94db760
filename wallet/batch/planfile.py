"""Plan files: a list of actions across networks, in TOML or JSON, with defaults and policy limits.

Parsing keeps line numbers (see `lines.py`) so every error names the file, the line and the field:
`weekly.toml:14: actions[2].amount: '1.2345678 AKT' has more decimals than AKT allows (6)`.
The plan's identity is the SHA-256 of its bytes: the journal keys a run by it, so running the same
file twice is recognised, and an edited file is a new plan.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wallet.batch.lines import MAX_DEPTH, json_lines, line_for, nesting_too_deep, toml_lines
from wallet.errors import BadInput

KINDS = ("vote", "delegate", "stake", "unstake", "move", "claim")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _reject_floats(value: Any, what: str) -> Any:
    if isinstance(value, (bool, float)):
        raise ValueError(f"write {what} as a string (\"1.5 AKT\") or an integer; floats lose precision")
    return value


class Action(_Strict):
    """One line of work. Which fields apply depends on `kind` (see `polis batch template`)."""

    kind: Literal["vote", "delegate", "stake", "unstake", "move", "claim"]
    network: str = Field(min_length=1)
    """The archive source: "akash", "ethereum/compound", "devnet/polis", "snapshot/ens.eth"."""
    account: str | None = None
    """Vault account; default from [defaults.networks."NET"] or [defaults]."""
    id: str | None = None
    """Optional label shown in reports."""
    proposal: str | None = None
    """vote: the proposal id (full id, as `polis proposals show` prints it)."""
    choice: str | None = None
    """vote: for/against/abstain, yes/no/abstain/no_with_veto, a Snapshot choice number …"""
    reason: str | None = None
    weights: dict[str, str] | None = None
    """vote: weighted vote, choice -> decimal weight ("0.7"), where the adapter allows it."""
    to: str | None = None
    """delegate: the delegatee ("self" allowed); move: the destination validator / hotkey."""
    target: str | None = None
    """stake/unstake/claim: the validator, hotkey or stake window; move: the source."""
    subnet: str | None = None
    to_subnet: str | None = None
    amount: str | int | None = None
    """stake/unstake/move: "1.5 AKT", "1500000uakt", "2"; unstake/move also "all"."""
    options: dict[str, str] = Field(default_factory=dict)

    @field_validator("proposal", "subnet", "to_subnet", mode="before")
    @classmethod
    def _ids(cls, v: Any) -> Any:
        if isinstance(v, (bool, float)):
            raise ValueError("write the id as a string or an integer")
        return str(v) if isinstance(v, int) else v

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, v: Any) -> Any:
        v = _reject_floats(v, "amounts")
        if isinstance(v, int) and v < 0:
            raise ValueError("the amount must not be negative")
        return v

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): str(_reject_floats(w, "weights")) for k, w in v.items()}
        return v

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Action:
        need: dict[str, tuple[str, ...]] = {"vote": ("proposal",), "delegate": ("to",), "stake": ("target", "amount"),
                                            "unstake": ("target",), "move": ("target", "to"), "claim": ()}
        missing = [f for f in need[self.kind] if getattr(self, f) in (None, "")]
        if self.kind == "vote" and not self.choice and not self.weights:
            missing.append("choice")
        if missing:
            raise ValueError(f"a {self.kind} needs {' and '.join(missing)}")
        allowed = {"vote": {"proposal", "choice", "reason", "weights"}, "delegate": {"to"},
                   "stake": {"target", "amount", "subnet", "options"},
                   "unstake": {"target", "amount", "subnet", "options"},
                   "move": {"target", "to", "amount", "subnet", "to_subnet", "options"}, "claim": {"target", "options"}}
        extra = [f for f in ("proposal", "choice", "reason", "weights", "to", "target", "subnet", "to_subnet", "amount")
                 if getattr(self, f) not in (None, "") and f not in allowed[self.kind]]
        if self.options and "options" not in allowed[self.kind]:
            extra.append("options")
        if extra:
            raise ValueError(f"a {self.kind} takes no {', '.join(extra)}")
        return self


class NetworkDefaults(_Strict):
    account: str | None = None
    reason: str | None = None
    """Default vote reason on this network (only where the adapter records reasons)."""
    options: dict[str, str] = Field(default_factory=dict)


class Defaults(_Strict):
    account: str | None = None
    """Vault account for every action that names none."""
    networks: dict[str, NetworkDefaults] = Field(default_factory=dict)
    """Per network ("akash") or per source ("devnet/polis"); the source's entry wins."""


class Policy(_Strict):
    allowed_networks: list[str] | None = None
    """When set, every action's network (or its source) must be listed."""
    max_actions: int | None = Field(default=None, ge=1)
    max_amount: dict[str, str | int] = Field(default_factory=dict)
    """Per network or source: the largest amount one action may move ("100 AKT")."""

    max_fee: dict[str, str] = Field(default_factory=dict)
    """Per network or source: the most one transaction's fee may reach ("0.01 ETH"); over the network's
    max_fee for this run. A plan whose fee is over it is refused before signing."""

    @field_validator("max_amount", "max_fee", mode="before")
    @classmethod
    def _limits(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for amount in v.values():
                _reject_floats(amount, "limits")
        return v


class RunOptions(_Strict):
    messages_per_tx: int = Field(default=20, ge=1, le=200)
    """Largest number of actions one multi-message transaction carries (Cosmos, Bittensor batch_all)."""
    timeout: float = Field(default=180.0, gt=0, le=3600)
    """Seconds to wait for inclusion of a group's transactions before reporting them pending."""
    send_interval: float = Field(default=0.0, ge=0, le=60)
    """Seconds between two broadcasts of one EVM account (a rate-limited public RPC); receipts are
    still awaited together at the end."""
    offchain_interval: float = Field(default=1.0, ge=0, le=60)
    """Seconds between off-chain posts (Snapshot's hub allows ~100 requests a minute without a key)."""


class PlanModel(_Strict):
    version: Literal[1] = 1
    name: str = ""
    defaults: Defaults = Field(default_factory=Defaults)
    policy: Policy = Field(default_factory=Policy)
    run: RunOptions = Field(default_factory=RunOptions)
    actions: list[Action] = Field(min_length=1)


@dataclass
class Issue:
    """One problem in a plan file, with its place."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class PlanError(BadInput):
    """A malformed plan (exit 2); `issues` lists every problem found, nothing was signed."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        more = f" (and {len(issues) - 1} more problem{'s' if len(issues) > 2 else ''})" if len(issues) > 1 else ""
        super().__init__(f"{issues[0]}{more}",
                         hint="nothing was signed; fix the plan and run 'polis batch check' again")


@dataclass
class PlanFile:
    path: str
    """As the user named it (used in messages)."""
    text: str
    format: str
    model: PlanModel
    lines: dict[tuple[Any, ...], int] | None = None
    """Field paths to line numbers, located only when a message needs one (see `line`)."""
    steps: list[Any] | None = None
    """The offline-checked steps, once `validate.resolve` ran (it caches them here)."""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def line(self, *loc: Any) -> int | None:
        if self.lines is None:
            self.lines = json_lines(self.text) if self.format == "json" else toml_lines(self.text)
        return line_for(self.lines, loc)

    def issue(self, loc: tuple[Any, ...], message: str) -> Issue:
        return Issue(self.path, self.line(*loc), field_name(loc), message)


def field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _format_of(path: str, text: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    if path.lower().endswith(".json"):
        return "json"
    if path.lower().endswith(".toml"):
        return "toml"
    return "json" if text.lstrip().startswith("{") else "toml"


def parse_text(text: str, path: str = "<plan>", fmt: str | None = None) -> PlanFile:
    """Parse and validate the shape of a plan (no network, no vault). Raises PlanError."""
    import json
    import re
    import tomllib

    fmt = _format_of(path, text, fmt)
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        obj = dict(items)
        repeated = repeated or len(obj) != len(items)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs) if fmt == "json" else tomllib.loads(text)
    except RecursionError:
        raise PlanError([Issue(path, nesting_too_deep(text), "", f"nested more than {MAX_DEPTH} levels deep")]
                        ) from None
    except json.JSONDecodeError as exc:
        raise PlanError([Issue(path, exc.lineno, "", f"bad JSON: {exc.msg} (column {exc.colno})")]) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise PlanError([Issue(path, int(m.group(1)) if m else None, "",
                               f"bad TOML: {msg}" + (f" (column {m.group(2)})" if m else ""))]) from None
    except ValueError as exc:  # an integer of 4,300+ digits (Python's int conversion limit)
        long = re.search(r"\d{400,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        raise PlanError([Issue(path, line, "", f"a number is too long ({str(exc).split(':')[0]})")]) from None
    if repeated:
        duplicates: list[tuple[tuple[Any, ...], int]] = []
        json_lines(text, duplicates)
        raise PlanError([Issue(path, line, field_name(loc), "duplicate key: JSON would silently keep only the last one")
                         for loc, line in duplicates])
    if _deep_values(data):
        raise PlanError([Issue(path, nesting_too_deep(text), "", f"nested more than {MAX_DEPTH} levels deep")])
    if not isinstance(data, dict):
        raise PlanError([Issue(path, 1, "", "a plan is a table (TOML) or an object (JSON)")])
    plan = PlanFile(path=path, text=text, format=fmt, model=PlanModel.model_construct())
    try:
        plan.model = PlanModel.model_validate(data)
    except ValidationError as exc:
        issues = []
        for e in exc.errors():
            loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and ("[" in p or p in ("str", "int"))))
            msg = str(e["msg"]).removeprefix("Value error, ")
            if e["type"] == "extra_forbidden":
                msg = "unknown field"
            elif e["type"] == "literal_error" and loc[-1:] == ("kind",):
                msg = f"unknown kind {e.get('input')!r}: use one of {', '.join(KINDS)}"
            issues.append(plan.issue(loc, msg))
        raise PlanError(_dedupe(issues)) from None
    return plan


def _deep_values(data: Any, limit: int = MAX_DEPTH) -> bool:
    """True when the parsed data nests deeper than `limit` (checked on the data: cheap, no text scan)."""
    level = [data]
    for _ in range(limit):
        level = [v for x in level for v in (x.values() if isinstance(x, dict) else x if isinstance(x, list) else ())
                 if isinstance(v, (dict, list))]
        if not level:
            return False
    return True


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen: set[str] = set()
    out = []
    for i in issues:
        if str(i) not in seen:
            seen.add(str(i))
            out.append(i)
    return out


def load(path: str | Path, fmt: str | None = None) -> PlanFile:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read the plan {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanError([Issue(str(path), None, "", "the file is not UTF-8 text")]) from None
    return parse_text(text, str(path), fmt)
