"""Network presets (TOML data beside this file) merged with the user's networks file.

A network names its protocol ("evm", "cosmos", "substrate", "snapshot"; user files may still say
`family = ...`) and chain id; EVM networks hold DAOs (a Governor and its token).
Every DAO is an archive *source* with the key "network/dao"; a network-wide source (Cosmos gov) is
just "network".
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from wallet.errors import BadInput
from wallet.paths import atomic_write
from wallet.units import Denom

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,62}$"
"""Network and DAO names: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit,
at most 63 characters; a DAO is NETWORK/NAME. Nothing a shell, TOML or a terminal would read specially."""
NAME_RULE = "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters"
TEXT_MAX = 100
CHAIN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
"""Non-EVM chain ids (Cosmos "cosmoshub-4", a Substrate name or 0x genesis hash, Snapshot names)."""
EVM_CHAIN_ID_MAX = 2**256 - 1
SYMBOL_PATTERN = r"^[^\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]{1,32}$"
"""A unit's display symbol (ETH, ATOM, τ, $MEME, UNI-V2): 1-32 visible characters, no spaces or controls."""


def check_name(text: str) -> tuple[str, str]:
    """A name the user gives to `networks add`: "NETWORK" or "NETWORK/DAO", each part by NAME_PATTERN."""
    parts = text.split("/")
    if len(parts) > 2 or not all(re.fullmatch(NAME_PATTERN, p) for p in parts):
        shown = text if len(text) <= 70 else text[:67] + "…"
        raise BadInput(f"bad name {shown!r}: use NETWORK or NETWORK/DAO, each {NAME_RULE}")
    return parts[0], parts[1] if len(parts) == 2 else ""


def check_text(value: str, what: str, limit: int = TEXT_MAX) -> str:
    """A display text the user gives (a title, a symbol): bounded, one line, no control characters."""
    if len(value) > limit:
        raise BadInput(f"{what} is longer than {limit} characters")
    if re.search(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]", value):
        raise BadInput(f"{what} contains control characters")
    return value


def _pydantic_error(exc: ValidationError, what: str) -> BadInput:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    msg = str(first["msg"]).removeprefix("Value error, ")
    return BadInput(f"{what}: {where + ': ' if where else ''}{msg}")


class DenomConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    symbol: str = Field(pattern=SYMBOL_PATTERN)
    base: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9/:._-]{1,127}$")
    decimals: int = Field(ge=0, le=36)

    def denom(self) -> Denom:
        return Denom(self.symbol, self.base, self.decimals)


class DaoConfig(BaseModel):
    """A governance contract pair on an EVM network."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=NAME_PATTERN)
    name: str = ""
    adapter: str = "evm_governor"
    kind: Literal["oz", "bravo", "alpha", "auto"] = "auto"
    """"oz" (OpenZeppelin Governor), "bravo" (Compound GovernorBravo), "alpha" (GovernorAlpha) or "auto"
    (detected by evidence on first use)."""
    governor: str
    token: str
    token_symbol: str = Field(default="VOTES", pattern=SYMBOL_PATTERN)
    token_decimals: int = Field(default=18, ge=0, le=36)
    start_block: int = Field(default=0, ge=0)
    """First block to scan for events (the deployment block)."""

    @field_validator("governor", "token")
    @classmethod
    def _addr(cls, v: str) -> str:
        # Shape only: checksums cost a keccak each and every command loads the networks; user input
        # is checksum-checked once, when `add_dao` writes it.
        if not re.fullmatch(r"0x[0-9a-fA-F]{40}", v or ""):
            raise ValueError(f"{v!r} is not a 0x-prefixed 20-byte hex address")
        return v


class NetworkConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = ""
    """The network's name in Polis ("ethereum", "devnet"); filled from the TOML table name."""
    protocol: Literal["evm", "cosmos", "substrate", "snapshot"]
    """The network's kind: which default adapter serves it and how its chain id and sources read. Not the
    adapter's identity (`Adapter.NAME`) nor a key scheme (`Adapter.KEY_SCHEME`)."""
    name: str = ""
    chain_id: int | str
    """EVM: integer chain id; Cosmos: chain id string; Substrate: genesis hash."""
    rpc: list[str] = Field(min_length=1)
    explorer: str = ""
    ens_registry: str = Field(default="", pattern=r"^(0x[0-9a-fA-F]{40})?$")
    """EVM: the ENS registry; names resolve on this network only when it is set (Ethereum mainnet)."""
    block_time: int = Field(default=12, ge=1, le=86_400)
    """Seconds per block, to estimate block-clock deadlines."""
    confirmations: int = Field(default=12, ge=0, le=10_000)
    """Sync stays this many blocks behind head (reorg safety)."""
    max_log_range: int = Field(default=50_000, ge=1)
    """Most blocks one eth_getLogs may span (the node's range cap)."""
    rpc_rate: float = Field(default=0, ge=0, le=100_000)
    """Requests a second the node allows (each call of a JSON-RPC batch counts); 0 = not known: sync sends
    as fast as `rpc_concurrency` allows and slows down when the node answers 429 or "rate limit"."""
    rpc_concurrency: int = Field(default=4, ge=1, le=64)
    """Log range requests a sync keeps in flight at once."""
    rpc_batch: int = Field(default=10, ge=1, le=100)
    """eth_getLogs ranges sent in one JSON-RPC batch (1 = no batches; nodes that refuse batches are detected)."""
    reorg_depth: int = Field(default=64, ge=0, le=1_000_000)
    """Deepest reorg a sync acts on by itself (blocks behind its last synced block); a deeper one, or
    one the node cannot prove (a block object whose parent chain links to a block the archive holds),
    changes nothing unless the user passes `polis sync --accept-deep-reorg`."""
    max_fee: str = ""
    """Absolute cap on one action's fee, in the native unit ("0.05 ETH", "1 AKT"); empty = a tenth of
    one native unit. A plan's `[policy] max_fee` or `--max-fee` may lower or raise it per run."""
    max_fee_multiple: int = Field(default=4, ge=1, le=1000)
    """EVM: max fee per gas may be at most this many times the latest block's base fee (at least 1 gwei)."""
    max_gas: int = Field(default=0, ge=0)
    """Largest gas of one transaction (0 = the family's default: 2,000,000 on EVM, never above the block gas
    limit; 10,000,000 on Cosmos)."""
    denom: DenomConfig
    daos: list[DaoConfig] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    """Other names that select this network ("fetchhub" for "fetchai", "local" for "bittensor-local")."""
    adapter: str | None = None
    """Adapter of the network-wide source (e.g. "snet_stake" on an EVM network); default by family."""
    user: bool = False
    """True when defined or extended in the user's networks file."""
    extra: dict[str, Any] = Field(default_factory=dict)
    """Family-specific settings, validated by the family's adapter (Cosmos: bech32 prefixes, gas
    price; Substrate: ss58 format, genesis hash; Snapshot: hub/sequencer/score URLs, `spaces`)."""

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
        """Networks files written before `protocol` say `family = "evm"`: still read, the file's own word wins."""
        if isinstance(data, dict) and "family" in data:
            data = dict(data)
            data["protocol"] = data.pop("family")
        return data

    @property
    def family(self) -> str:
        """The older name of `protocol` (plug-ins and scripts that read it keep working)."""
        return self.protocol

    @property
    def follows_spaces(self) -> bool:
        """Its sources are off-chain spaces the user follows by name ("snapshot/ens.eth")."""
        return self.protocol == "snapshot"

    @property
    def holds_daos(self) -> bool:
        """Its sources are Governor DAOs added by contract address ("ethereum/compound")."""
        return self.protocol == "evm"

    @property
    def speaks_eth_rpc(self) -> bool:
        """Its endpoint answers Ethereum JSON-RPC (eth_chainId, eth_blockNumber)."""
        return self.protocol == "evm"

    @model_validator(mode="after")
    def _chain_id(self) -> NetworkConfig:
        cid = self.chain_id
        if self.protocol == "evm":
            if not isinstance(cid, int) or isinstance(cid, bool) or not 1 <= cid <= EVM_CHAIN_ID_MAX:
                raise ValueError(f"an EVM chain id is a whole number in 1..2^256-1, not {str(cid)[:40]!r}")
        elif not isinstance(cid, str) or not re.fullmatch(CHAIN_ID_PATTERN, cid):
            raise ValueError(f"a {self.protocol} chain id is 1-128 letters, digits, '.', '_' or '-', "
                             f"not {str(cid)[:40]!r}")
        return self

    def dao(self, dao_id: str) -> DaoConfig:
        for d in self.daos:
            if d.id == dao_id:
                return d
        known = ", ".join(d.id for d in self.daos) or "none"
        raise BadInput(f"network {self.key!r} has no DAO {dao_id!r} (known: {known})")

    def sources(self) -> list[str]:
        """Archive sources: one per DAO (EVM), per followed space (Snapshot), else the network."""
        out = [f"{self.key}/{d.id}" for d in self.daos]
        if self.follows_spaces:
            out += [f"{self.key}/{space}" for space in self.extra.get("spaces", [])]
        elif self.adapter or not self.holds_daos:
            out.append(self.key)
        return out


from wallet.network_tables import (  # noqa: E402,F401  (the light TOML layer; re-exported here)
    _preset_tables,
    _user_tables,
    canonical_source,
    raw_tables,
    user_networks_path,
)


def load_networks() -> dict[str, NetworkConfig]:
    """Presets, then the user file: a user table replaces a preset's fields; its DAOs are added."""
    merged = _preset_tables()
    for key, table in _user_tables().items():
        base = dict(merged.get(key, {}))
        daos = {d["id"]: d for d in base.get("daos", [])}
        for d in table.get("daos", []):
            daos[d.get("id", "")] = d
        base.update({k: v for k, v in table.items() if k != "daos"})
        base["daos"] = list(daos.values())
        base["user"] = True
        merged[key] = base
    out: dict[str, NetworkConfig] = {}
    for key, table in merged.items():
        try:
            out[key] = NetworkConfig.model_validate({**table, "key": key})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise BadInput(f"network {key!r}: {where}: {first['msg']}") from None
    return out


def canonical(key: str, nets: dict[str, NetworkConfig]) -> str:
    """The network's own key for a key or an alias; unknown names are returned unchanged."""
    if key in nets:
        return key
    for n in nets.values():
        if key in n.aliases:
            return n.key
    return key


def get_network(key: str) -> NetworkConfig:
    nets = load_networks()
    key = canonical(key, nets)
    if key not in nets:
        raise BadInput(f"unknown network {key!r} (known: {', '.join(sorted(nets))})")
    return nets[key]


def resolve_source(source: str) -> tuple[NetworkConfig, DaoConfig | None]:
    """"ethereum/compound" -> (network, dao); "akash" -> (network, None)."""
    net_key, _, dao_id = source.partition("/")
    net = get_network(net_key)
    net_key = net.key
    if net.follows_spaces:
        if dao_id:
            return net, None
        raise BadInput(f"name a space: {net_key}/SPACE (followed: {', '.join(net.sources()) or 'none'})")
    if net.holds_daos and not (net.adapter and not dao_id):
        if not dao_id:
            if len(net.daos) == 1:
                return net, net.daos[0]
            raise BadInput(f"name a DAO on {net_key}: " + ", ".join(net.sources()) if net.daos else
                           f"network {net_key!r} has no DAO; add one with 'polis networks add {net_key}/NAME ...'")
        return net, net.dao(dao_id)
    return net, None


def all_sources() -> list[str]:
    return [s for n in load_networks().values() for s in n.sources()]


# --- editing the user's networks file -------------------------------------------------------

def _write_user(tables: dict[str, dict[str, Any]]) -> None:
    import tomli_w

    # 0600 in a 0700 folder: a user's node URLs may carry credentials or API keys.
    from wallet.paths import ensure_private_dir

    ensure_private_dir(user_networks_path().parent)
    atomic_write(user_networks_path(), tomli_w.dumps({"networks": tables}).encode(), mode=0o600)


def add_network(key: str, table: dict[str, Any]) -> NetworkConfig:
    _, dao_part = check_name(key)
    if dao_part:
        raise BadInput(f"bad network name {key!r}: a network name has no '/'")
    if key in _preset_tables():
        raise BadInput(f"{key!r} is a preset network; pick another name")
    check_text(str(table.get("name", "")), "the title")
    try:
        cfg = NetworkConfig.model_validate({**table, "key": key}) if table else None
    except ValidationError as exc:
        raise _pydantic_error(exc, f"network {key!r}") from None
    tables = _user_tables()
    if key in tables:
        raise BadInput(f"network {key!r} already exists; remove it first")
    tables[key] = {k: v for k, v in table.items() if v not in (None, [], {})}
    _write_user(tables)
    assert cfg is not None
    return cfg


def set_user_table(key: str, fields: dict[str, Any]) -> None:
    """Override fields of a network (preset or not) in the user's file, e.g. the devnet's rpc."""
    tables = _user_tables()
    tables.setdefault(key, {}).update(fields)
    _write_user(tables)
    get_network(key)  # validate what was written


SPACE_PROTOCOLS = ("snapshot",)
"""Protocols whose sources are spaces followed by name rather than networks or DAO contracts."""


def protocol_follows_spaces(protocol: str) -> bool:
    """Whether a network of this protocol (as a user names it in `networks add --protocol`) follows spaces."""
    return protocol in SPACE_PROTOCOLS


def new_network_table(protocol: str, key: str, *, chain_id: str | int, rpc: list[str], title: str = "",
                      block_time: int = 12, confirmations: int | None = None, symbol: str | None = None,
                      decimals: int | None = None, denom: str | None = None, prefix: str | None = None,
                      valoper_prefix: str | None = None, gas_price: str = "0.025", gov: str = "auto"
                      ) -> dict[str, Any]:
    """The TOML table of a network a user adds, checked for its protocol (BadInput names what is missing)."""
    table: dict[str, Any] = {"protocol": protocol, "name": title or key, "rpc": rpc, "block_time": block_time}
    if confirmations is not None:
        table["confirmations"] = confirmations
    if protocol == "cosmos":
        if not (prefix and denom and symbol and decimals is not None):
            raise BadInput("a Cosmos network needs --prefix, --denom, --symbol and --decimals "
                           "(e.g. --prefix cosmos --denom uatom --symbol ATOM --decimals 6)")
        from wallet.adapters.cosmos.settings import settings_of

        extra: dict[str, object] = {"bech32_prefix": prefix, "valoper_prefix": valoper_prefix or f"{prefix}valoper",
                                    "gas_price": gas_price, "gov": gov}
        settings_of(key, extra)
        table.update({"chain_id": str(chain_id), "confirmations": table.get("confirmations", 0),
                      "denom": {"symbol": symbol, "base": denom, "decimals": decimals}, "extra": extra})
        return table
    try:
        cid = int(str(chain_id), 0)
    except ValueError:
        raise BadInput(f"an EVM chain id is a number, not {chain_id!r}") from None
    table.update({"chain_id": cid, "denom": {"symbol": symbol or "ETH", "base": "wei",
                                             "decimals": 18 if decimals is None else decimals}})
    return table


def check_dao(network: str, dao: dict[str, Any]) -> tuple[NetworkConfig, DaoConfig]:
    """A DAO the user describes, checked without writing or asking a node: its name, title, addresses
    (EIP-55) and numbers (start block, token decimals)."""
    net = get_network(network)
    if not net.holds_daos:
        raise BadInput(f"DAOs are added to EVM networks; {network!r} is {net.protocol}")
    from wallet.addresses import parse_evm_address

    check_name(f"{network}/{dao.get('id', '')}")
    check_text(str(dao.get("name", "")), "the title")
    dao = {**dao, "governor": parse_evm_address(str(dao.get("governor", "")), "governor"),
           "token": parse_evm_address(str(dao.get("token", "")), "token")}
    try:
        return net, DaoConfig.model_validate(dao)
    except ValidationError as exc:
        raise _pydantic_error(exc, f"DAO {network}/{dao.get('id')}") from None


def add_dao(network: str, dao: dict[str, Any], *, replace: bool = False) -> DaoConfig:
    net, cfg = check_dao(network, dao)
    if not replace and any(d.id == cfg.id for d in net.daos):
        raise BadInput(f"{network}/{cfg.id} already exists; remove it first")
    tables = _user_tables()
    table = tables.setdefault(network, {})
    daos = [d for d in table.get("daos", []) if d.get("id") != cfg.id]
    daos.append(cfg.model_dump(exclude_defaults=False))
    table["daos"] = daos
    _write_user(tables)
    return cfg


def remove(key: str) -> None:
    """Remove a user network ("mynet") or a user DAO ("ethereum/mydao")."""
    tables = _user_tables()
    net_key, _, dao_id = key.partition("/")
    if dao_id:
        table = tables.get(net_key, {})
        daos = table.get("daos", [])
        kept = [d for d in daos if d.get("id") != dao_id]
        if len(kept) == len(daos):
            raise BadInput(f"{key!r} is not a DAO you added (presets cannot be removed)")
        table["daos"] = kept
    else:
        if net_key not in tables:
            raise BadInput(f"{key!r} is not a network you added (presets cannot be removed)")
        del tables[net_key]
    _write_user(tables)
