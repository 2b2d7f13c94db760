"""Network, DAO and denomination settings: plain dataclasses checked by hand.

Every command that touches a node loads the networks, and building pydantic models cost ~150 ms of each
start. The rules, coercions and messages here follow pydantic's lax mode for the same fields ("12" and 12.0
read as 12, a tuple as a list, unknown keys refused), so a networks file reads exactly as it did;
tests/test_network_config.py holds the two side by side.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, ClassVar, Literal

from wallet.errors import BadInput
from wallet.units import Denom

NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,62}$"
"""Network and DAO names: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit,
at most 63 characters; a DAO is NETWORK/NAME. Nothing a shell, TOML or a terminal would read specially."""
CHAIN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
"""Non-EVM chain ids (Cosmos "cosmoshub-4", a Substrate name or 0x genesis hash, Snapshot names)."""
EVM_CHAIN_ID_MAX = 2**256 - 1
SYMBOL_PATTERN = r"^[^\s\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]{1,32}$"
"""A unit's display symbol (ETH, ATOM, τ, $MEME, UNI-V2): 1-32 visible characters, no spaces or controls."""
BASE_PATTERN = r"^[A-Za-z][A-Za-z0-9/:._-]{1,127}$"
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"

Loc = tuple[str | int, ...]


class ConfigError(ValueError):
    """The first field of a table that breaks its rule: `loc` is its path (("daos", 0, "governor"))."""

    def __init__(self, loc: Loc, msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg

    def as_bad_input(self, what: str) -> BadInput:
        where = ".".join(str(p) for p in self.loc)
        return BadInput(f"{what}: {where + ': ' if where else ''}{self.msg}")


class _Bad(ValueError):
    def __init__(self, msg: str, sub: Loc = ()) -> None:
        super().__init__(msg)
        self.msg = msg
        self.sub = sub


Check = Callable[[Any], Any]

_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def _to_int(v: Any) -> int:
    if isinstance(v, int):  # bool too: True reads as 1
        return int(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise _Bad("Input should be a finite number")
        if v != int(v):
            raise _Bad("Input should be a valid integer, got a number with a fractional part")
        return int(v)
    if isinstance(v, str):
        whole = re.fullmatch(r"\s*([+-]?[0-9][0-9_]*)(\.0*)?\s*", v)  # "12", " 12 ", "1_000", "3.0"
        try:
            if whole:
                return int(whole.group(1))
        except ValueError:  # "1__0", or past Python's 4300-digit limit
            pass
        raise _Bad("Input should be a valid integer, unable to parse string as an integer")
    raise _Bad("Input should be a valid integer")


def _bounded(v: Any, ge: float | None, le: float | None) -> Any:
    if ge is not None and not v >= ge:
        raise _Bad(f"Input should be greater than or equal to {ge}")
    if le is not None and not v <= le:
        raise _Bad(f"Input should be less than or equal to {le}")
    return v


def _int(ge: int | None = None, le: int | None = None) -> Check:
    return lambda v: _bounded(_to_int(v), ge, le)


def _rate(ge: int, le: int) -> Check:
    """A number of requests per second (rpc_rate): the one setting that may have a fraction."""
    def check(v: Any) -> float:
        if isinstance(v, (str, int, float)):
            try:
                v = float(v.strip() if isinstance(v, str) else v)  # a rate over seconds, never money
            except ValueError:
                raise _Bad("Input should be a valid number, unable to parse string as a number") from None
        else:
            raise _Bad("Input should be a valid number")
        if not math.isfinite(v):
            raise _Bad("Input should be a finite number")
        _bounded(v, ge, le)
        return v
    return check


def _str(pattern: str | None = None) -> Check:
    rx = re.compile(pattern) if pattern else None

    def check(v: Any) -> str:
        if not isinstance(v, str):
            raise _Bad("Input should be a valid string")
        if rx is not None and not rx.fullmatch(v):
            raise _Bad(f"String should match pattern '{pattern}'")
        return v
    return check


def _opt_str(v: Any) -> str | None:
    return None if v is None else _str()(v)


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE | _FALSE:
        return v.strip().lower() in _TRUE
    raise _Bad("Input should be a valid boolean, unable to interpret input" if isinstance(v, (int, str))
               else "Input should be a valid boolean")


def _literal(*choices: str) -> Check:
    shown = ", ".join(repr(c) for c in choices[:-1]) + f" or {choices[-1]!r}"

    def check(v: Any) -> str:
        if v not in choices or not isinstance(v, str):
            raise _Bad(f"Input should be {shown}")
        return v
    return check


def _list(item: Check, min_length: int = 0) -> Check:
    def check(v: Any) -> list[Any]:
        if not isinstance(v, (list, tuple)):
            raise _Bad("Input should be a valid list")
        out = []
        for i, x in enumerate(v):
            try:
                out.append(item(x))
            except _Bad as exc:
                raise _Bad(exc.msg, (i, *exc.sub)) from None
            except ConfigError as exc:
                raise _Bad(exc.msg, (i, *exc.loc)) from None
        if len(out) < min_length:
            raise _Bad(f"List should have at least {min_length} item after validation, not {len(out)}")
        return out
    return check


def _dict(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict) or not all(isinstance(k, str) for k in v):
        raise _Bad("Input should be a valid dictionary")
    return dict(v)


def _model(cls: Any) -> Check:
    def check(v: Any) -> Any:
        if isinstance(v, cls):
            return v
        try:
            return cls.model_validate(v)
        except ConfigError as exc:
            raise _Bad(exc.msg, exc.loc) from None
    return check


def _chain_id(v: Any) -> int | str:
    if isinstance(v, str):
        return v
    try:
        return _to_int(v)
    except _Bad as exc:
        raise _Bad(exc.msg, ("int",)) from None  # pydantic's place for the union's first member


_MISSING = object()


def _validate(cls: Any, data: Any, rules: dict[str, Check], required: set[str]) -> dict[str, Any]:
    """The checked values of `data` for the fields in `rules` (in their order): the first broken rule is a
    ConfigError; a missing required field or an unknown key too."""
    if not isinstance(data, dict):
        raise ConfigError((), f"Input should be a valid dictionary or instance of {cls.__name__}")
    out: dict[str, Any] = {}
    for name, check in rules.items():
        v = data.get(name, _MISSING)
        if v is _MISSING:
            if name in required:
                raise ConfigError((name,), "Field required")
            continue
        try:
            out[name] = check(v)
        except _Bad as exc:
            raise ConfigError((name, *exc.sub), exc.msg) from None
        except BadInput as exc:
            raise ConfigError((name,), str(exc)) from None
    for k in data:
        if k not in rules:
            raise ConfigError((k,), "Extra inputs are not permitted")
    return out


def _dump(v: Any) -> Any:
    if isinstance(v, _Config):
        return v.model_dump()
    if isinstance(v, (list, tuple)):
        return [_dump(x) for x in v]
    if isinstance(v, dict):
        return {k: _dump(x) for k, x in v.items()}
    return v


class _Config:
    """model_validate / model_dump, the two calls callers (and plug-ins) make of the settings. Plain classes,
    not dataclasses: generating a 24-field dataclass costs several ms of every start. Unset fields read
    their class default; lists and dicts are made per instance."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    FACTORIES: ClassVar[dict[str, Callable[[], Any]]] = {}

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(self.FIELDS)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        for name, make in self.FACTORIES.items():
            if name not in values:
                setattr(self, name, make())
        for name, value in values.items():
            setattr(self, name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and all(getattr(self, k) == getattr(other, k) for k in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the models before

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k, None)!r}' for k in self.FIELDS)})"

    def model_dump(self, **_options: Any) -> dict[str, Any]:
        """Every field, in the order of the file's rules, as plain dicts and lists (a deep copy)."""
        return {k: _dump(getattr(self, k)) for k in self.FIELDS}


class DenomConfig(_Config):
    symbol: str
    base: str
    decimals: int

    def denom(self) -> Denom:
        return Denom(self.symbol, self.base, self.decimals)

    @classmethod
    def model_validate(cls, data: Any) -> DenomConfig:
        return cls(**_validate(cls, data, _DENOM_RULES, {"symbol", "base", "decimals"}))


_DENOM_RULES: dict[str, Check] = {"symbol": _str(SYMBOL_PATTERN), "base": _str(BASE_PATTERN),
                                  "decimals": _int(0, 36)}
DenomConfig.FIELDS = tuple(_DENOM_RULES)


def _address(v: Any) -> str:
    # Shape only: checksums cost a keccak each and every command loads the networks; user input
    # is checksum-checked once, when `add_dao` writes it.
    if not isinstance(v, str):
        raise _Bad("Input should be a valid string")
    if not re.fullmatch(ADDRESS_PATTERN, v):
        raise _Bad(f"{v!r} is not a 0x-prefixed 20-byte hex address")
    return v


class DaoConfig(_Config):
    """A governance contract pair on an EVM network."""

    id: str
    governor: str
    token: str
    name: str = ""
    adapter: str = "evm_governor"
    kind: Literal["oz", "bravo", "alpha", "nouns", "auto"] = "auto"
    """"oz" (OpenZeppelin Governor), "bravo" (Compound GovernorBravo), "alpha" (GovernorAlpha), "nouns" (Nouns DAO's
    governor) or "auto" (detected by evidence on first use)."""
    token_symbol: str = "VOTES"
    token_decimals: int = 18
    start_block: int = 0
    """First block to scan for events (the deployment block)."""

    @classmethod
    def model_validate(cls, data: Any) -> DaoConfig:
        return cls(**_validate(cls, data, _DAO_RULES, {"id", "governor", "token"}))


_DAO_RULES: dict[str, Check] = {
    "id": _str(NAME_PATTERN), "name": _str(), "adapter": _str(),
    "kind": _literal("oz", "bravo", "alpha", "nouns", "auto"),
    "governor": _address, "token": _address, "token_symbol": _str(SYMBOL_PATTERN), "token_decimals": _int(0, 36),
    "start_block": _int(0)}
DaoConfig.FIELDS = tuple(_DAO_RULES)


def _urls(v: Any) -> list[str]:
    from wallet.urls import check_url

    return [check_url(u, "rpc URL") for u in _list(_str(), min_length=1)(v)]


def _explorer(v: Any) -> str:
    v = _str()(v)
    if v and not re.match(r"^https?://[^\s\x00-\x1f]+$", v):
        raise _Bad(f"the explorer {v!r} must be an http(s) URL")
    return str(v)


class NetworkConfig(_Config):
    protocol: Literal["evm", "cosmos", "substrate", "snapshot"]
    """The network's kind: which default adapter serves it and how its chain id and sources read. Not the
    adapter's identity (`Adapter.NAME`) nor a key scheme (`Adapter.KEY_SCHEME`)."""
    chain_id: int | str
    """EVM: integer chain id; Cosmos: chain id string; Substrate: genesis hash."""
    rpc: list[str]
    denom: DenomConfig
    key: str = ""
    """The network's name in Polis ("ethereum", "devnet"); filled from the TOML table name."""
    name: str = ""
    explorer: str = ""
    ens_registry: str = ""
    """EVM: the ENS registry; names resolve on this network only when it is set (Ethereum mainnet)."""
    block_time: int = 12
    """Seconds per block, to estimate block-clock deadlines."""
    confirmations: int = 12
    """Sync stays this many blocks behind head (reorg safety)."""
    max_log_range: int = 50_000
    """Most blocks one eth_getLogs may span (the node's range cap)."""
    rpc_rate: float = 0
    """Requests a second the node allows (each call of a JSON-RPC batch counts); 0 = not known: sync sends
    as fast as `rpc_concurrency` allows and slows down when the node answers 429 or "rate limit"."""
    rpc_concurrency: int = 4
    """Log range requests a sync keeps in flight at once."""
    rpc_batch: int = 10
    """eth_getLogs ranges sent in one JSON-RPC batch (1 = no batches; nodes that refuse batches are detected)."""
    reorg_depth: int = 64
    """Deepest reorg a sync acts on by itself (blocks behind its last synced block); a deeper one, or
    one the node cannot prove (a block object whose parent chain links to a block the archive holds),
    changes nothing unless the user passes `polis sync --accept-deep-reorg`."""
    max_fee: str = ""
    """Absolute cap on one action's fee, in the native unit ("0.05 ETH", "1 AKT"); empty = a tenth of
    one native unit. A plan's `[policy] max_fee` or `--max-fee` may lower or raise it per run."""
    max_fee_multiple: int = 4
    """EVM: max fee per gas may be at most this many times the latest block's base fee (at least 1 gwei)."""
    max_gas: int = 0
    """Largest gas of one transaction (0 = the family's default: 2,000,000 on EVM, never above the block gas
    limit; 10,000,000 on Cosmos)."""
    daos: list[DaoConfig]
    aliases: list[str]
    """Other names that select this network ("fetchhub" for "fetchai", "local" for "bittensor-local")."""
    adapter: str | None = None
    """Adapter of the network-wide source (e.g. "snet_stake" on an EVM network); default by family."""
    user: bool = False
    """True when defined or extended in the user's networks file."""
    extra: dict[str, Any]
    """Family-specific settings, validated by the family's adapter (Cosmos: bech32 prefixes, gas
    price; Substrate: ss58 format, genesis hash; Snapshot: hub/sequencer/score URLs, `spaces`)."""

    @classmethod
    def model_validate(cls, data: Any) -> NetworkConfig:
        if isinstance(data, dict) and "family" in data:
            # Networks files written before `protocol` say `family = "evm"`: still read, the file's own word wins.
            data = dict(data)
            data["protocol"] = data.pop("family")
        cfg = cls(**_validate(cls, data, _NETWORK_RULES, {"protocol", "chain_id", "rpc", "denom"}))
        cid = cfg.chain_id
        if cfg.protocol == "evm":
            if not isinstance(cid, int) or not 1 <= cid <= EVM_CHAIN_ID_MAX:
                raise ConfigError((), f"an EVM chain id is a whole number in 1..2^256-1, not {str(cid)[:40]!r}")
        elif not isinstance(cid, str) or not re.fullmatch(CHAIN_ID_PATTERN, cid):
            raise ConfigError((), f"a {cfg.protocol} chain id is 1-128 letters, digits, '.', '_' or '-', "
                                  f"not {str(cid)[:40]!r}")
        return cfg

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


_NETWORK_RULES: dict[str, Check] = {
    "key": _str(), "protocol": _literal("evm", "cosmos", "substrate", "snapshot"), "name": _str(),
    "chain_id": _chain_id, "rpc": _urls, "explorer": _explorer, "ens_registry": _str(r"^(0x[0-9a-fA-F]{40})?$"),
    "block_time": _int(1, 86_400), "confirmations": _int(0, 10_000), "max_log_range": _int(1),
    "rpc_rate": _rate(0, 100_000), "rpc_concurrency": _int(1, 64), "rpc_batch": _int(1, 100),
    "reorg_depth": _int(0, 1_000_000), "max_fee": _str(), "max_fee_multiple": _int(1, 1000), "max_gas": _int(0),
    "denom": _model(DenomConfig), "daos": _list(_model(DaoConfig)), "aliases": _list(_str()),
    "adapter": _opt_str, "user": _bool, "extra": _dict}
"""The fields of a network table in the order pydantic checked them (the first broken one is reported)."""
NetworkConfig.FIELDS = tuple(_NETWORK_RULES)
NetworkConfig.FACTORIES = {"daos": list, "aliases": list, "extra": dict}
