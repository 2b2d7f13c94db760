"""SingularityNET TokenStake: stake windows, their periods, and the contract's events.

A window runs through five periods (PROTOCOLS.md, singnet/snet-stake):
  submission   [startPeriod, submissionEndPeriod]          submitStake, withdrawStake (pending stake)
  approval     (submissionEndPeriod, approvalEndPeriod]    the operator may reject pending stake
  incubation   (approvalEndPeriod, requestWithdrawStart)   the operator approves and adds rewards
  claim request [requestWithdrawStartPeriod, endPeriod]    requestForClaim(index, autoRenewal)
  ended        after endPeriod                             claimStake(index) of what was requested;
                                                           unrequested approved stake renews, and is
                                                           claimable itself after endPeriod + grace
with grace = endPeriod - requestWithdrawStartPeriod.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wallet.adapters.evm import codec as codec

EVENTS = {
    "SubmitStake(uint256,address,uint256)": "submit",
    "WithdrawStake(uint256,address,uint256)": "withdraw",
    "RequestForClaim(uint256,address,bool)": "request_claim",
    "ClaimStake(uint256,address,uint256)": "claim",
    "RejectStake(uint256,address,address,uint256)": "reject",
    "AddReward(address,uint256,address,uint256,uint256,uint256)": "reward",
    "OpenForStake(uint256,address,uint256,uint256,uint256,uint256)": "open",
}


def topic(signature: str) -> str:
    from Crypto.Hash import keccak

    return "0x" + keccak.new(digest_bits=256, data=signature.encode()).hexdigest()


def selector(signature: str) -> str:
    return topic(signature)[2:10]


TOPICS = {topic(sig): kind for sig, kind in EVENTS.items()}


def day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class Window:
    index: int
    start: int
    submission_end: int
    approval_end: int
    request_withdraw_start: int
    end: int
    min_stake: int
    open_for_external: bool
    reward: int

    @classmethod
    def decode(cls, index: int, data: bytes) -> Window:
        w = codec.decode_words(data, 8)
        return cls(index, w[0], w[1], w[2], w[3], w[4], w[5], bool(w[6]), w[7])

    @property
    def grace_end(self) -> int:
        return self.end + (self.end - self.request_withdraw_start)

    def period(self, now: int) -> str:
        if now < self.start:
            return "not started"
        if now <= self.submission_end:
            return "submission"
        if now <= self.approval_end:
            return "approval"
        if now < self.request_withdraw_start:
            return "incubation"
        if now <= self.end:
            return "claim request"
        return "ended"

    def dates(self) -> str:
        return (f"submission {day(self.start)} → {day(self.submission_end)}, approval until {day(self.approval_end)}, "
                f"claim requests {day(self.request_withdraw_start)} → {day(self.end)}")

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "start": self.start, "submission_end": self.submission_end,
                "approval_end": self.approval_end, "request_withdraw_start": self.request_withdraw_start,
                "end": self.end, "min_stake": str(self.min_stake), "open_for_external": self.open_for_external,
                "reward": str(self.reward)}


@dataclass(frozen=True)
class StakeInfo:
    found: bool
    approved: int
    pending: int
    reward_index: int
    claimable: int

    @classmethod
    def decode(cls, data: bytes) -> StakeInfo:
        w = codec.decode_words(data, 5)
        return cls(bool(w[0]), w[1], w[2], w[3], w[4])


def decode_event(log: dict[str, Any]) -> dict[str, Any] | None:
    """A TokenStake log as {kind, window, staker, amount, extra}; None for other events."""
    topics = log.get("topics") or []
    kind = TOPICS.get(str(topics[0]).lower()) if topics else None
    if kind is None:
        return None
    data = codec.hexbytes(log.get("data") or "0x")
    words = codec.decode_words(data, len(data) // 32)
    t = [int(x, 16) for x in topics[1:]]
    if kind == "reward":  # AddReward(address indexed staker, uint256 indexed stakeIndex, address, total, reward, wts)
        return {"kind": kind, "window": t[1], "staker": codec.address_from_word(topics[1]), "amount": words[2],
                "extra": {"total": str(words[1]), "window_total": str(words[3])}}
    if kind == "open":
        return {"kind": kind, "window": t[0], "staker": codec.address_from_word(topics[2]), "amount": words[3],
                "extra": {"start": words[0], "end": words[1], "approval_end": words[2]}}
    staker = codec.address_from_word(topics[2])
    if kind == "request_claim":
        return {"kind": kind, "window": t[0], "staker": staker, "amount": 0, "extra": {"auto_renewal": bool(words[0])}}
    return {"kind": kind, "window": t[0], "staker": staker, "amount": words[0] if words else 0, "extra": {}}
