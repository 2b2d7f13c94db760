"""Domain models shared by every adapter, both front ends and the archive.

Ids are strings (uint256 proposal ids do not fit JS numbers or SQLite integers); amounts are ints
in base units. Statuses are normalised to `STATUSES`; the native one is kept beside it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wallet.status import OPEN_STATUSES, STATUSES  # noqa: F401  (re-exported)


class Status(StrEnum):
    DEPOSIT = "deposit"
    PENDING = "pending"
    ACTIVE = "active"
    PASSED = "passed"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELED = "canceled"
    QUEUED = "queued"
    EXECUTED = "executed"
    EXPIRED = "expired"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Choice(_Model):
    """One option a voter can pick."""

    key: str
    """Adapter-level value: "1" (For) on a Governor, "yes" on Cosmos, "2" on Snapshot."""
    label: str
    """What a person reads: For, Against, Abstain, No with veto, a Snapshot choice."""


class TallyEntry(_Model):
    choice: str
    """The choice label."""
    weight: int
    """Voting weight in the token's base units."""


class ProposalAction(_Model):
    """One call a proposal executes, decoded when the target's ABI is known."""

    target: str
    value: int = 0
    signature: str = ""
    """Human signature `transfer(address,uint256)`, or empty when unknown."""
    calldata: str = "0x"
    args: list[Any] = Field(default_factory=list)
    """Decoded arguments as JSON-friendly values (ints as strings when large)."""
    summary: str = ""
    """One-line human reading, e.g. "transfer 1,000 PDT to 0xAbc…"."""


class Proposal(_Model):
    source: str
    """The archive source this proposal belongs to, e.g. "ethereum/compound"."""
    id: str
    title: str
    body: str = ""
    proposer: str = ""
    status: Status
    native_status: str = ""
    created_at: int | None = None
    """Unix seconds when it was created (block timestamp on EVM)."""
    start: int | None = None
    """Voting opens: unix seconds when known."""
    end: int | None = None
    """Voting closes: unix seconds when known (estimated from block time on block-clock Governors)."""
    start_point: int | None = None
    """Native timepoint (block number or timestamp in the Governor's clock)."""
    end_point: int | None = None
    clock: str = ""
    """"blocknumber", "timestamp", or "" for off-chain/time-only sources."""
    choices: list[Choice] = Field(default_factory=list)
    tally: list[TallyEntry] = Field(default_factory=list)
    quorum: int | None = None
    actions: list[ProposalAction] = Field(default_factory=list)
    queued_eta: int | None = None
    executed_at: int | None = None
    canceled_at: int | None = None
    created_block: int | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


class Vote(_Model):
    source: str
    proposal_id: str
    voter: str
    choice: str
    """The choice label (For/Against/Abstain, yes/no, …)."""
    weight: int
    reason: str = ""
    block: int | None = None
    tx: str | None = None
    log_index: int | None = None
    timestamp: int | None = None


class Delegation(_Model):
    source: str
    delegator: str
    delegate: str
    amount: int | None = None
    block: int | None = None


class PlanCheck(_Model):
    name: str
    ok: bool
    detail: str = ""


class Plan(_Model):
    """An unsigned action: what will be signed, why it is safe, what it costs."""

    kind: str
    """"vote", "delegate", …"""
    network: str
    source: str
    account: str
    """Vault account name."""
    address: str
    summary: list[str]
    """Human lines describing exactly what is signed."""
    checks: list[PlanCheck] = Field(default_factory=list)
    fee_estimate: int | None = None
    """In the network's base fee unit (wei)."""
    fee_symbol: str = ""
    fee_decimals: int = 18
    payload: dict[str, Any] = Field(default_factory=dict)
    """Adapter-private data needed to sign (tx fields); never a secret."""
    target: str = ""
    """The proposal id or delegatee this acts on, for the journal."""

    def as_json(self) -> dict[str, Any]:
        """The plan as `--json` shows it: amounts as decimal strings of base units, as everywhere in
        Polis' JSON (uint256 values do not fit JSON numbers); `payload` is the signing data as is."""
        doc = self.model_dump()
        doc["fee_estimate"] = None if self.fee_estimate is None else str(self.fee_estimate)
        return doc


class ActionResult(_Model):
    plan: Plan
    ok: bool
    tx_hash: str | None = None
    block: int | None = None
    fee_paid: int | None = None
    error: str | None = None
    noop: bool = False
    """True when nothing was sent because the chain already had this state."""
    pending: bool = False
    """Not included within the wait but still known to the node: it may land later (not a failure)."""
    detail: dict[str, Any] = Field(default_factory=dict)
    """Adapter data about the inclusion (receipt logs), for `record`."""
