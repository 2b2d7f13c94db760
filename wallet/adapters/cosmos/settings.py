"""The `extra` table of a Cosmos network, validated: bech32 prefixes, gas price, gov module version."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wallet.errors import BadInput


class CosmosSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bech32_prefix: str = Field(pattern=r"^[a-z][a-z0-9]{0,30}$")
    """Account prefix ("akash", "fetch")."""
    valoper_prefix: str = ""
    """Validator operator prefix; default `bech32_prefix` + "valoper"."""
    gas_price: str = "0"
    """Price of one gas unit in the fee denom's base unit, a decimal string ("0.025")."""
    gas_adjustment: str = "1.4"
    """Gas limit = simulated gas × this factor (the signed tx is larger than the simulated one)."""
    gov: Literal["auto", "v1", "v1beta1"] = "auto"
    """Which gov REST/Msg version to use; "auto" tries v1 and falls back to v1beta1."""
    timeout: float = Field(default=15.0, gt=0, le=120)
    """Seconds per HTTP request."""
    retries: int = Field(default=3, ge=0, le=10)
    """Retries of a request on 5xx/429/timeouts/garbled JSON before the node counts as unreachable."""
    page_limit: int = Field(default=100, ge=1, le=1000)
    """pagination.limit for lists (proposals, votes, validators)."""

    @field_validator("gas_price", "gas_adjustment")
    @classmethod
    def _decimal(cls, v: str) -> str:
        try:
            d = Decimal(str(v))
        except InvalidOperation:
            raise ValueError(f"{v!r} is not a decimal number") from None
        if d < 0 or not d.is_finite():
            raise ValueError(f"{v!r} must be a non-negative number")
        return str(v)

    @property
    def valoper(self) -> str:
        return self.valoper_prefix or self.bech32_prefix + "valoper"

    def gas_price_dec(self) -> Decimal:
        return Decimal(self.gas_price)

    def adjustment(self) -> Decimal:
        return max(Decimal(self.gas_adjustment), Decimal(1))


def settings_of(network_key: str, extra: dict[str, object]) -> CosmosSettings:
    try:
        return CosmosSettings.model_validate(extra)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "extra"
        raise BadInput(f"network {network_key!r}: extra.{where}: {first['msg']}",
                       hint="a Cosmos network needs extra.bech32_prefix and extra.gas_price") from None
