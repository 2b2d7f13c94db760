"""Auth accounts of every kind, decoded by hand: cosmpy's `query_account` only knows BaseAccount.

Vesting accounts nest the base account (`base_vesting_account.base_account`) and lock part of the
balance until their schedule ends. The SDK's rule: locked = max(still-vesting − delegated_vesting, 0),
spendable = balance − locked. Delegating may use locked coins; fees may not.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from wallet.adapters.cosmos.models import ts
from wallet.errors import RpcError

VESTING_TYPES = ("ContinuousVestingAccount", "DelayedVestingAccount", "PeriodicVestingAccount",
                 "PermanentLockedAccount")


@dataclass
class AuthAccount:
    address: str
    account_number: int
    sequence: int
    pub_key: bytes | None = None
    """Compressed secp256k1 key once the account has signed a tx; None before."""
    type: str = "BaseAccount"
    original_vesting: int = 0
    delegated_vesting: int = 0
    start_time: int | None = None
    end_time: int | None = None
    periods: list[tuple[int, int]] = field(default_factory=list)
    """(length seconds, amount) of a PeriodicVestingAccount, in order."""

    @property
    def vesting(self) -> bool:
        return self.type in VESTING_TYPES

    def still_vesting(self, now: int) -> int:
        """Amount of the original vesting that has not vested at `now` (the fee denom only)."""
        if not self.vesting:
            return 0
        ov = self.original_vesting
        if self.type == "PermanentLockedAccount":
            return ov
        end = self.end_time or 0
        if now >= end:
            return 0
        if self.type == "DelayedVestingAccount":
            return ov
        start = self.start_time or 0
        if now <= start:
            return ov
        if self.type == "ContinuousVestingAccount":
            vested = ov * (now - start) // max(end - start, 1)
            return ov - vested
        vested, t = 0, start
        for length, amount in self.periods:
            t += length
            if t > now:
                break
            vested += amount
        return max(ov - vested, 0)

    def locked(self, now: int) -> int:
        return max(self.still_vesting(now) - self.delegated_vesting, 0)


def _coins(coins: Any, denom: str) -> int:
    total = 0
    for c in coins or []:
        if isinstance(c, dict) and c.get("denom") == denom:
            total += int(str(c.get("amount", "0")).split(".")[0] or 0)
    return total


def _find_base(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The innermost dict holding account_number (BaseAccount), however deeply a type nests it."""
    if "account_number" in doc and "address" in doc:
        return doc
    for key in ("base_vesting_account", "base_account"):
        inner = doc.get(key)
        if isinstance(inner, dict):
            found = _find_base(inner)
            if found:
                return found
    for v in doc.values():
        if isinstance(v, dict):
            found = _find_base(v)
            if found:
                return found
    return None


def decode_account(doc: dict[str, Any], denom: str) -> AuthAccount:
    """Decode `/cosmos/auth/v1beta1/accounts/{address}`'s `account` of any known type."""
    type_url = str(doc.get("@type", ""))
    base = _find_base(doc)
    if base is None:
        raise RpcError(f"cannot read the account ({type_url or 'unknown type'}): no account number in it")
    pk = base.get("pub_key")
    key = None
    if isinstance(pk, dict) and pk.get("key"):
        try:
            key = base64.b64decode(pk["key"])
        except ValueError:
            key = None
    acc = AuthAccount(address=str(base.get("address", "")), account_number=int(base.get("account_number") or 0),
                      sequence=int(base.get("sequence") or 0), pub_key=key,
                      type=type_url.rsplit(".", 1)[-1] or "BaseAccount")
    bva = doc.get("base_vesting_account")
    if acc.vesting and isinstance(bva, dict):
        acc.original_vesting = _coins(bva.get("original_vesting"), denom)
        acc.delegated_vesting = _coins(bva.get("delegated_vesting"), denom)
        acc.end_time = int(bva.get("end_time") or 0)
        st = doc.get("start_time")
        acc.start_time = int(st) if st not in (None, "") and str(st).lstrip("-").isdigit() else ts(st) if st else None
        acc.periods = [(int(p.get("length") or 0), _coins(p.get("amount"), denom))
                       for p in doc.get("vesting_periods") or [] if isinstance(p, dict)]
    return acc
