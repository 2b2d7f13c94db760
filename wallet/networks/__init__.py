"""Network presets (TOML data beside this file) merged with the user's networks file.

A network names its protocol ("evm", "cosmos", "substrate", "snapshot"; user files may still say
`family = ...`) and chain id; EVM networks hold DAOs (a Governor and its token).
Every DAO is an archive *source* with the key "network/dao"; a network-wide source (Cosmos gov) is
just "network".
"""

from __future__ import annotations

import re
from typing import Any

from wallet.errors import BadInput
from wallet.networks.config import (  # noqa: F401  (re-exported: the settings' classes and rules)
    CHAIN_ID_PATTERN,
    EVM_CHAIN_ID_MAX,
    NAME_PATTERN,
    SYMBOL_PATTERN,
    ConfigError,
    DaoConfig,
    DenomConfig,
    NetworkConfig,
)
from wallet.paths import atomic_write

NAME_RULE = "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters"
TEXT_MAX = 100


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


from wallet.network_tables import (  # noqa: E402,F401  (the light TOML layer; re-exported here)
    _preset_tables,
    _user_tables,
    canonical_source,
    files_signature,
    keep_user_file,
    raw_tables,
    user_networks_path,
)

_LOADED: dict[tuple[object, ...], dict[str, NetworkConfig]] = {}
"""The validated networks per state of the files they come from (`network_tables.files_signature`): a sync,
a vote plan or the proposal screen resolves a source several times, and validating every network costs
~1-2 ms each."""


def load_networks() -> dict[str, NetworkConfig]:
    """Presets, then the user file: a user table replaces a preset's fields; its DAOs are added. Validated
    once per state of the files (callers get their own dict of the same, never modified, settings)."""
    sig = files_signature()
    hit = _LOADED.get(sig)
    if hit is None:
        hit = _load_networks()
        _LOADED.clear()
        _LOADED[sig] = hit
    return dict(hit)


def _load_networks() -> dict[str, NetworkConfig]:
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
        except ConfigError as exc:
            raise exc.as_bad_input(f"network {key!r}") from None
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
    keep_user_file()


def add_network(key: str, table: dict[str, Any]) -> NetworkConfig:
    _, dao_part = check_name(key)
    if dao_part:
        raise BadInput(f"bad network name {key!r}: a network name has no '/'")
    if key in _preset_tables():
        raise BadInput(f"{key!r} is a preset network; pick another name")
    check_text(str(table.get("name", "")), "the title")
    try:
        cfg = NetworkConfig.model_validate({**table, "key": key}) if table else None
    except ConfigError as exc:
        raise exc.as_bad_input(f"network {key!r}") from None
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
    except ConfigError as exc:
        raise exc.as_bad_input(f"DAO {network}/{dao.get('id')}") from None


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
