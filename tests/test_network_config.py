"""Network settings are checked by hand (wallet/networks/config.py) so commands start without pydantic.

The oracle is the pydantic model set they replace, defined here as it was: every table of a matrix of good
and bad values reads the same (same values, or the same first error at the same place)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wallet.errors import BadInput
from wallet.networks import NetworkConfig, load_networks
from wallet.networks.config import (
    CHAIN_ID_PATTERN,
    EVM_CHAIN_ID_MAX,
    NAME_PATTERN,
    SYMBOL_PATTERN,
    ConfigError,
    DaoConfig,
)


class OracleDenom(BaseModel):
    model_config = ConfigDict(extra="forbid")
    symbol: str = Field(pattern=SYMBOL_PATTERN)
    base: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9/:._-]{1,127}$")
    decimals: int = Field(ge=0, le=36)


class OracleDao(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=NAME_PATTERN)
    name: str = ""
    adapter: str = "evm_governor"
    kind: Literal["oz", "bravo", "alpha", "nouns", "auto"] = "auto"
    governor: str
    token: str
    token_symbol: str = Field(default="VOTES", pattern=SYMBOL_PATTERN)
    token_decimals: int = Field(default=18, ge=0, le=36)
    start_block: int = Field(default=0, ge=0)

    @field_validator("governor", "token")
    @classmethod
    def _addr(cls, v: str) -> str:
        if not re.fullmatch(r"0x[0-9a-fA-F]{40}", v or ""):
            raise ValueError(f"{v!r} is not a 0x-prefixed 20-byte hex address")
        return v


class OracleNetwork(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = ""
    protocol: Literal["evm", "cosmos", "substrate", "snapshot"]
    name: str = ""
    chain_id: int | str
    rpc: list[str] = Field(min_length=1)
    explorer: str = ""
    ens_registry: str = Field(default="", pattern=r"^(0x[0-9a-fA-F]{40})?$")
    block_time: int = Field(default=12, ge=1, le=86_400)
    confirmations: int = Field(default=12, ge=0, le=10_000)
    max_log_range: int = Field(default=50_000, ge=1)
    rpc_rate: float = Field(default=0, ge=0, le=100_000)
    rpc_concurrency: int = Field(default=4, ge=1, le=64)
    rpc_batch: int = Field(default=10, ge=1, le=100)
    reorg_depth: int = Field(default=64, ge=0, le=1_000_000)
    max_fee: str = ""
    max_fee_multiple: int = Field(default=4, ge=1, le=1000)
    max_gas: int = Field(default=0, ge=0)
    denom: OracleDenom
    daos: list[OracleDao] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    adapter: str | None = None
    user: bool = False
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("rpc")
    @classmethod
    def _urls(cls, v: list[str]) -> list[str]:
        from wallet.urls import check_url

        try:
            return [check_url(u, "rpc URL") for u in v]
        except BadInput as exc:
            raise ValueError(str(exc)) from None

    @field_validator("explorer")
    @classmethod
    def _explorer(cls, v: str) -> str:
        if v and not re.match(r"^https?://[^\s\x00-\x1f]+$", v):
            raise ValueError(f"the explorer {v!r} must be an http(s) URL")
        return v

    @model_validator(mode="before")
    @classmethod
    def _legacy_family(cls, data: Any) -> Any:
        if isinstance(data, dict) and "family" in data:
            data = dict(data)
            data["protocol"] = data.pop("family")
        return data

    @model_validator(mode="after")
    def _chain_id(self) -> OracleNetwork:
        cid = self.chain_id
        if self.protocol == "evm":
            if not isinstance(cid, int) or isinstance(cid, bool) or not 1 <= cid <= EVM_CHAIN_ID_MAX:
                raise ValueError(f"an EVM chain id is a whole number in 1..2^256-1, not {str(cid)[:40]!r}")
        elif not isinstance(cid, str) or not re.fullmatch(CHAIN_ID_PATTERN, cid):
            raise ValueError(f"a {self.protocol} chain id is 1-128 letters, digits, '.', '_' or '-', "
                             f"not {str(cid)[:40]!r}")
        return self


GOOD_DAO = {"id": "dao", "governor": "0x" + "ab" * 20, "token": "0x" + "CD" * 20}
GOOD: dict[str, Any] = {"protocol": "evm", "chain_id": 5, "rpc": ["http://127.0.0.1:8545"],
                        "denom": {"symbol": "ETH", "base": "wei", "decimals": 18}, "daos": [GOOD_DAO]}
INTS = [True, 0, 1, 7, -1, 36, 37, 64, 65, 86_400, 86_401, 10**30, 3.0, 3.5, float("inf"), "12", " 12 ", "1_0", "3.0",
        "0x10", "3.5", "-4", "x", None, [], {}]
STRINGS = ["", "ok", "Upper", "a b", "ETH", "$MEME", "τ", "x" * 40, "a\n", 5, None, ["a"]]
FIELD_VALUES: dict[str, list[Any]] = {
    **{f: INTS for f in ("block_time", "confirmations", "max_log_range", "rpc_concurrency", "rpc_batch",
                         "reorg_depth", "max_fee_multiple", "max_gas")},
    "rpc_rate": [0, 1, 2.5, "1.5", 100_000, 100_001, -1, True, "x", None],
    "key": STRINGS, "name": STRINGS, "max_fee": STRINGS, "adapter": [*STRINGS],
    "protocol": ["evm", "cosmos", "substrate", "snapshot", "EVM", "", 1, None],
    "chain_id": [1, 5, 0, -1, 2**256, 2**256 - 1, "5", "cosmoshub-4", "bad chain", "", 5.0, 5.5, None, ["5"], True],
    "rpc": [[], ["http://x"], ("http://a", "https://b"), "http://x", [1], ["ftp://x"], ["http://"], ["http://a", ""],
            None],
    "explorer": ["", "https://etherscan.io", "ftp://x", "http://a b", 3],
    "ens_registry": ["", "0x" + "0" * 40, "0x12", "0X" + "0" * 40, None],
    "denom": [{"symbol": "ATOM", "base": "uatom", "decimals": 6}, {"symbol": "E T", "base": "wei", "decimals": 1},
              {"symbol": "E", "base": "w", "decimals": 1}, {"symbol": "E", "base": "wei", "decimals": 99},
              {"symbol": "E", "base": "wei"}, {"symbol": "E", "base": "wei", "decimals": 1, "x": 1}, "ETH", None],
    "daos": [[], {}, "x", [GOOD_DAO, {**GOOD_DAO, "id": "Bad"}], [{"id": "a"}], [{**GOOD_DAO, "kind": "oz"}],
             [{**GOOD_DAO, "kind": "compound"}], [{**GOOD_DAO, "governor": "0x12"}], [{**GOOD_DAO, "token": None}],
             [{**GOOD_DAO, "start_block": -1}], [{**GOOD_DAO, "token_decimals": "6"}], [{**GOOD_DAO, "extra": 1}],
             [{**GOOD_DAO, "token_symbol": "U N I"}], [GOOD_DAO, GOOD_DAO]],
    "aliases": [[], ["a", "b"], "a", [1], ("x",)],
    "user": [True, False, 0, 1, 2, "yes", "off", "maybe", None],
    "extra": [{}, {"spaces": ["a.eth"]}, [], "x", None],
    "family": ["evm", "cosmos", "bogus"],
    "unknown": [1],
}


def _oracle(table: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", OracleNetwork.model_validate(table).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = str(first["msg"]).removeprefix("Value error, ").replace("OracleDenom", "DenomConfig")
        return "error", (tuple(first["loc"]), msg)


def _ours(table: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", NetworkConfig.model_validate(table).model_dump()
    except ConfigError as exc:
        return "error", (exc.loc, exc.msg)


CASES = [(name, v) for name, values in FIELD_VALUES.items() for v in values]


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v!r}"[:40] for n, v in CASES])
def test_network_tables_read_as_the_pydantic_models_did(name: str, value: Any) -> None:
    table = {**GOOD, name: value}
    want, got = _oracle(table), _ours(table)
    assert got[0] == want[0], (got, want)
    if want[0] == "ok":
        assert got[1] == want[1]
        assert list(got[1]) == list(want[1])  # the same key order in `networks show --json`
    else:
        assert got[1][0] == want[1][0], (got, want)  # the same place
        assert got[1][1] == want[1][1], (got, want)  # and the same words


def test_missing_fields_and_non_tables() -> None:
    tables: list[Any] = [{}, {"protocol": "evm"}, {"protocol": "evm", "chain_id": 1, "rpc": ["http://x"]}, [], "evm"]
    for table in tables:
        want, got = _oracle(table), _ours(table)
        assert got[0] == want[0] == "error" and got[1][0] == want[1][0], (table, got, want)


def test_every_preset_reads_the_same() -> None:
    from wallet.network_tables import _preset_tables

    for key, table in _preset_tables().items():
        assert _ours({**table, "key": key}) == _oracle({**table, "key": key}), key


def test_a_bad_user_file_is_one_bad_input_line(polis_home: Path) -> None:
    cfg = polis_home / "config" / "networks.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('[networks.devnet]\nconfirmations = -3\n')
    with pytest.raises(BadInput, match=r"^network 'devnet': confirmations: Input should be greater than or equal "
                                       r"to 0$"):
        load_networks()
    cfg.write_text('[networks.mine]\nprotocol = "evm"\nchain_id = "five"\nrpc = ["http://x"]\n'
                   '[networks.mine.denom]\nsymbol = "ETH"\nbase = "wei"\ndecimals = 18\n')
    with pytest.raises(BadInput, match=r"^network 'mine': an EVM chain id is a whole number"):
        load_networks()


def test_dao_settings_dump_for_the_user_file() -> None:
    dao = DaoConfig.model_validate({**GOOD_DAO, "start_block": "12"})
    assert dao.start_block == 12
    assert dao.model_dump() == OracleDao.model_validate(GOOD_DAO | {"start_block": 12}).model_dump()
