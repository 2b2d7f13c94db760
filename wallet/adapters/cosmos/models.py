"""Pydantic models of the LCD answers the Cosmos adapter reads, and their normalised forms.

Nodes add fields between SDK versions, so every model ignores what it does not know. Amounts are
integer strings on the wire and ints here; decimals (commission, weights) stay strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wallet.errors import RpcError

STATUS = {
    "PROPOSAL_STATUS_UNSPECIFIED": "pending",
    "PROPOSAL_STATUS_DEPOSIT_PERIOD": "deposit",
    "PROPOSAL_STATUS_VOTING_PERIOD": "active",
    "PROPOSAL_STATUS_PASSED": "passed",
    "PROPOSAL_STATUS_REJECTED": "rejected",
    "PROPOSAL_STATUS_FAILED": "failed",
}
OPEN_NATIVE = ("PROPOSAL_STATUS_DEPOSIT_PERIOD", "PROPOSAL_STATUS_VOTING_PERIOD")
OPTION_KEYS = {"VOTE_OPTION_YES": "yes", "VOTE_OPTION_ABSTAIN": "abstain", "VOTE_OPTION_NO": "no",
               "VOTE_OPTION_NO_WITH_VETO": "no_with_veto"}
OPTION_ENUM = {v: k for k, v in OPTION_KEYS.items()}
OPTION_NUM = {"yes": 1, "abstain": 2, "no": 3, "no_with_veto": 4}
CHOICES = (("yes", "Yes"), ("no", "No"), ("abstain", "Abstain"), ("no_with_veto", "No with veto"))
ZERO_TIME = "0001-01-01T00:00:00Z"


# Bounds at the node boundary. An integer amount has at most 80 digits (uint256 has 78); a decimal
# (Cosmos sdk.Dec) at most 18 fractional digits. Text is cut, not refused: a long summary is still a
# proposal. Deep nesting is refused by the JSON parser (orjson stops at 1,024 levels).
INT_STR = r"^-?[0-9]{1,80}$"
DEC_STR = r"^-?[0-9]{1,80}(\.[0-9]{0,18})?$"
MAX_TEXT = 200_000


def _cut(limit: int) -> Any:
    def cut(v: Any) -> Any:
        if isinstance(v, str) and len(v) > limit:
            return v[: limit - 1] + "…"
        return v
    return cut


class _M(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_max_length=5_000_000)


def parse_node(model: type[_M], raw: Any, what: str = "") -> Any:
    """`model.model_validate(raw)`, with a malformed answer reported as RpcError (never a traceback)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise RpcError(f"the node sent a malformed {what or model.__name__}: {where}: {first['msg'][:120]}") from None


def ts(value: str | None) -> int | None:
    """RFC 3339 with nanoseconds -> unix seconds; None for null and the Go zero time."""
    if not value or value.startswith("0001-01-01"):
        return None
    text = value.strip().replace("Z", "+00:00")
    if "." in text:  # Python parses at most 6 fractional digits; nodes send 9
        head, _, rest = text.partition(".")
        frac = "".join(c for c in rest if c.isdigit())
        tz = rest[len(frac):]
        text = f"{head}.{frac[:6]}{tz}"
    try:
        return int(datetime.fromisoformat(text).timestamp())
    except ValueError:
        return None


class Coin(_M):
    denom: str = Field(max_length=128)
    amount: str = Field(pattern=DEC_STR)

    def value(self) -> int:
        """Integer amount; DecCoins ("123.45") are floored."""
        whole = self.amount.split(".")[0]
        return int(whole or 0)


def amount_of(coins: list[Coin] | None, denom: str) -> int:
    return sum(c.value() for c in coins or [] if c.denom == denom)


# --- gov ---------------------------------------------------------------------------------------------

class TallyV1(_M):
    yes: str = Field("0", alias="yes_count", pattern=INT_STR)
    abstain: str = Field("0", alias="abstain_count", pattern=INT_STR)
    no: str = Field("0", alias="no_count", pattern=INT_STR)
    no_with_veto: str = Field("0", alias="no_with_veto_count", pattern=INT_STR)


class TallyV1beta1(_M):
    yes: str = Field("0", pattern=INT_STR)
    abstain: str = Field("0", pattern=INT_STR)
    no: str = Field("0", pattern=INT_STR)
    no_with_veto: str = Field("0", pattern=INT_STR)


def tally_rows(t: TallyV1 | TallyV1beta1 | None) -> list[dict[str, str]]:
    if t is None:
        return []
    return [{"choice": k, "weight": str(int(getattr(t, k) or 0))} for k, _ in CHOICES]


class ProposalV1(_M):
    id: str = Field(pattern=r"^[0-9]{1,20}$")
    messages: list[dict[str, Any]] = Field(default_factory=list)
    status: str = "PROPOSAL_STATUS_UNSPECIFIED"
    final_tally_result: TallyV1 | None = None
    submit_time: str | None = Field(None, max_length=64)
    deposit_end_time: str | None = Field(None, max_length=64)
    total_deposit: list[Coin] = Field(default_factory=list)
    voting_start_time: str | None = Field(None, max_length=64)
    voting_end_time: str | None = Field(None, max_length=64)
    metadata: str = ""
    title: str = ""
    summary: str = ""
    proposer: str = ""
    expedited: bool = False
    failed_reason: str = ""

    _text = field_validator("title", "summary", "metadata", "failed_reason", mode="before")(_cut(MAX_TEXT))


class ContentV1beta1(_M):
    type: str = Field("", alias="@type", max_length=300)
    title: str = ""
    description: str = ""

    _text = field_validator("title", "description", mode="before")(_cut(MAX_TEXT))


class ProposalV1beta1(_M):
    proposal_id: str = Field(pattern=r"^[0-9]{1,20}$")
    content: ContentV1beta1 | None = None
    status: str = "PROPOSAL_STATUS_UNSPECIFIED"
    final_tally_result: TallyV1beta1 | None = None
    submit_time: str | None = Field(None, max_length=64)
    deposit_end_time: str | None = Field(None, max_length=64)
    total_deposit: list[Coin] = Field(default_factory=list)
    voting_start_time: str | None = Field(None, max_length=64)
    voting_end_time: str | None = Field(None, max_length=64)


def proposal_fields(raw: dict[str, Any], version: str, denom: str) -> tuple[str, dict[str, Any]]:
    """(id, archive fields) of one proposal of either gov version."""
    if version == "v1":
        p1 = parse_node(ProposalV1, raw, "proposal")
        pid, native = p1.id, p1.status
        title = p1.title or _metadata_title(p1.metadata) or f"Proposal {pid}"
        body = p1.summary
        tally = tally_rows(p1.final_tally_result)
        msgs = p1.messages
        proposer = p1.proposer
        extra: dict[str, Any] = {"messages": [m.get("@type", "") for m in msgs], "metadata": p1.metadata[:2000],
                                 "expedited": p1.expedited, "failed_reason": p1.failed_reason}
        times = (p1.submit_time, p1.deposit_end_time, p1.voting_start_time, p1.voting_end_time)
        deposit = amount_of(p1.total_deposit, denom)
    else:
        p0 = parse_node(ProposalV1beta1, raw, "proposal")
        pid, native = p0.proposal_id, p0.status
        content = p0.content or ContentV1beta1.model_validate({})
        title, body = content.title or f"Proposal {pid}", content.description
        tally = tally_rows(p0.final_tally_result)
        msgs = [{"@type": content.type}] if content.type else []
        proposer = ""
        extra = {"messages": [content.type] if content.type else []}
        times = (p0.submit_time, p0.deposit_end_time, p0.voting_start_time, p0.voting_end_time)
        deposit = amount_of(p0.total_deposit, denom)
    submit, dep_end, v_start, v_end = (ts(t) for t in times)
    status = STATUS.get(native, "pending")
    extra.update({"gov": version, "deposit": str(deposit), "deposit_end": dep_end})
    fields: dict[str, Any] = {
        "title": title[:300], "body": body, "proposer": proposer, "status": status, "native_status": native,
        "created_at": submit, "start_ts": v_start, "end_ts": v_end if v_start else dep_end, "clock": "timestamp",
        "choices": [{"key": k, "label": label} for k, label in CHOICES],
        "actions": [_action(m) for m in msgs],
        "extra": extra,
    }
    if status != "deposit" or any(int(t["weight"]) for t in tally):
        fields["tally"] = tally  # deposit-period tallies are all zero: keep them out of the table
    return pid, fields


def _metadata_title(metadata: str) -> str:
    import json

    try:
        doc = json.loads(metadata)
    except (ValueError, TypeError):
        return ""
    return str(doc.get("title", "")) if isinstance(doc, dict) else ""


def _action(msg: dict[str, Any]) -> dict[str, Any]:
    type_url = str(msg.get("@type", ""))
    args = {k: v for k, v in msg.items() if k != "@type"}
    short = type_url.rsplit(".", 1)[-1]
    shown = ", ".join(f"{k}={_short(v)}" for k, v in list(args.items())[:4])
    return {"target": type_url, "value": 0, "signature": type_url, "calldata": "0x",
            "args": [args] if args else [], "summary": f"{short}({shown})"}


def _short(v: Any) -> str:
    if isinstance(v, list) and v and isinstance(v[0], dict) and "denom" in v[0]:
        return "+".join(f"{c.get('amount')}{c.get('denom')}" for c in v)
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "…"


class VoteOptionW(_M):
    option: str = Field(max_length=64)
    weight: str = Field("1", pattern=DEC_STR)


class VoteRecord(_M):
    proposal_id: str = Field("", max_length=20)
    voter: str = Field(max_length=200)
    options: list[VoteOptionW] = Field(default_factory=list, max_length=4)
    option: str | None = Field(None, max_length=64)
    """v1beta1 (SDK ≤ 0.43) single option, deprecated but still sent by some nodes."""
    metadata: str = ""

    _meta = field_validator("metadata", mode="before")(_cut(10_000))

    def choice(self) -> str:
        """"yes", or "yes=0.7,no=0.3" for a split vote."""
        opts = self.options or ([VoteOptionW(option=self.option, weight="1")] if self.option else [])
        if len(opts) == 1:
            return OPTION_KEYS.get(opts[0].option, opts[0].option.lower())
        return ",".join(f"{OPTION_KEYS.get(o.option, o.option.lower())}={_trim(o.weight)}" for o in opts)


def _trim(dec: str) -> str:
    return dec.rstrip("0").rstrip(".") if "." in dec else dec


class GovParams(_M):
    quorum: str = ""
    threshold: str = ""
    veto_threshold: str = ""
    voting_period: str = ""
    min_deposit: list[Coin] = Field(default_factory=list)


# --- staking & distribution -------------------------------------------------------------------------

class Description(_M):
    moniker: str = ""
    identity: str = ""
    website: str = ""
    details: str = ""

    _text = field_validator("moniker", "identity", "website", "details", mode="before")(_cut(1_000))


class CommissionRates(_M):
    rate: str = Field("0", pattern=DEC_STR)
    max_rate: str = Field("0", pattern=DEC_STR)


class Commission(_M):
    commission_rates: CommissionRates = Field(default_factory=lambda: CommissionRates.model_validate({}))


class Validator(_M):
    operator_address: str = Field(max_length=200)
    jailed: bool = False
    status: str = Field("BOND_STATUS_UNSPECIFIED", max_length=64)
    tokens: str = Field("0", pattern=INT_STR)
    delegator_shares: str = Field("0", pattern=DEC_STR)
    description: Description = Field(default_factory=Description)
    commission: Commission = Field(default_factory=Commission)

    @property
    def short_status(self) -> str:
        if self.jailed:
            return "jailed"
        return {"BOND_STATUS_BONDED": "bonded", "BOND_STATUS_UNBONDING": "unbonding",
                "BOND_STATUS_UNBONDED": "unbonded"}.get(self.status, "unknown")


class Delegation(_M):
    delegator_address: str = Field(max_length=200)
    validator_address: str = Field(max_length=200)
    shares: str = Field("0", pattern=DEC_STR)


class DelegationResponse(_M):
    delegation: Delegation
    balance: Coin


class UnbondingEntry(_M):
    creation_height: str = Field("0", pattern=INT_STR)
    completion_time: str | None = Field(None, max_length=64)
    initial_balance: str = Field("0", pattern=INT_STR)
    balance: str = Field("0", pattern=INT_STR)


class Unbonding(_M):
    delegator_address: str
    validator_address: str
    entries: list[UnbondingEntry] = Field(default_factory=list)


class RedelegationEntry(_M):
    completion_time: str | None = Field(None, max_length=64)
    initial_balance: str = Field("0", pattern=INT_STR)


class RedelegationEntryResponse(_M):
    redelegation_entry: RedelegationEntry
    balance: str = Field("0", pattern=INT_STR)


class RedelegationInner(_M):
    delegator_address: str
    validator_src_address: str
    validator_dst_address: str


class RedelegationResponse(_M):
    redelegation: RedelegationInner
    entries: list[RedelegationEntryResponse] = Field(default_factory=list)


class DelegatorReward(_M):
    validator_address: str
    reward: list[Coin] = Field(default_factory=list)


class Rewards(_M):
    rewards: list[DelegatorReward] = Field(default_factory=list)
    total: list[Coin] = Field(default_factory=list)


# --- tx ----------------------------------------------------------------------------------------------

class TxResponse(_M):
    height: str = "0"
    txhash: str = ""
    codespace: str = ""
    code: int = 0
    raw_log: str = ""
    gas_wanted: str = "0"
    gas_used: str = "0"
    timestamp: str = ""

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, v: Any) -> int:
        if isinstance(v, str) and (len(v) > 12 or not v.strip().isdigit()):
            raise ValueError("not a result code")
        return int(v or 0)
