"""SingularityNET TokenStake settings and the facts its plans and sync share."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wallet.adapters.evm import codec as codec
from wallet.errors import BadInput, RpcError

GOVERNANCE_NOTE = ("SingularityNET has no on-chain governance contract: community votes run on its off-chain "
                   "voting portal; Polis handles AGIX staking windows here.")
GAS_AFTER_APPROVE = 250_000
"""Gas limit assumed for submitStake in the fee estimate when it cannot be simulated before its approve
(the real limit is estimated once the approve is mined)."""


class SnetSettings(BaseModel):
    """`extra` of a network whose adapter is "snet_stake"."""

    model_config = ConfigDict(extra="forbid")
    stake_contract: str
    """TokenStake address."""
    token: str
    """The staked ERC-20 (AGIX)."""
    token_symbol: str = "AGIX"
    token_decimals: int = Field(default=8, ge=0, le=36)
    fet_token: str = ""
    """FET / ASI token, shown in balances."""
    fet_symbol: str = "FET"
    fet_decimals: int = Field(default=18, ge=0, le=36)
    start_block: int = Field(default=0, ge=0)
    """First block scanned for stake events."""
    windows_shown: int = Field(default=10, ge=1, le=500)
    """How many recent windows `polis validators` and `stakes` look at."""
    period_margin: int = Field(default=60, ge=0, le=86_400)
    """Seconds per transaction kept before a period's end: a step that would land later is refused."""

    @field_validator("stake_contract", "token", "fet_token")
    @classmethod
    def _addr(cls, v: str) -> str:
        from wallet.addresses import parse_evm_address

        if not v:
            return v
        try:
            return parse_evm_address(v)
        except BadInput as exc:
            raise ValueError(str(exc)) from None


def bool_opt(options: dict[str, str] | None, key: str) -> bool | None:
    raw = (options or {}).get(key)
    if raw is None:
        return None
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "y", "on"):
        return True
    if low in ("0", "false", "no", "n", "off"):
        return False
    raise BadInput(f"--opt {key}= takes true or false, not {raw!r}")


def revert_text(exc: RpcError) -> str:
    data = exc.data if isinstance(exc.data, str) else ""
    if data.startswith("0x08c379a0"):
        try:
            return codec.decode_string_result(codec.hexbytes(data)[4:])
        except codec.DecodeError:
            pass
    return str(exc)
