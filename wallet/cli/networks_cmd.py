"""`polis networks …`: presets and the user's networks file."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from wallet.cli.output import emit_json, err, out, table
from wallet.errors import BadInput

if TYPE_CHECKING:
    from wallet.networks import NetworkConfig


def run(args: argparse.Namespace) -> int:
    return {"list": _list, "show": _show, "add": _add, "remove": _remove}[args.verb](args)


def _net_json(n: NetworkConfig) -> dict[str, object]:
    """A network as shown: URLs redacted (userinfo, keys) and secret-looking settings masked."""
    from wallet.urls import redact

    d = n.model_dump()
    d["rpc"] = [redact(u) for u in n.rpc]
    d["extra"] = _masked(d.get("extra") or {})
    d["sources"] = n.sources()
    d["family"] = n.protocol  # the key's older name, for scripts that read it
    return d


_SECRET_KEY = ("key", "token", "secret", "password", "auth")


def _masked(extra: dict[str, object]) -> dict[str, object]:
    """Settings with secret-looking names (api_key, token …; not *_env, which name a variable) masked."""
    from wallet.urls import MASK, redact

    out_: dict[str, object] = {}
    for k, v in extra.items():
        lower = k.lower()
        if isinstance(v, dict):
            out_[k] = _masked(v)
        elif any(w in lower for w in _SECRET_KEY) and not lower.endswith("_env") and v not in ("", None):
            out_[k] = MASK
        elif isinstance(v, str) and "://" in v:
            out_[k] = redact(v)
        else:
            out_[k] = v
    return out_


def _list(args: argparse.Namespace) -> int:
    from wallet.networks import load_networks
    from wallet.urls import redact

    nets = load_networks()
    if args.json:
        emit_json([_net_json(n) for n in nets.values()])
        return 0
    rows = []
    for n in nets.values():
        rows.append([n.key, n.protocol, str(n.chain_id), n.name, "user" if n.user else "preset"])
        for d in n.daos:
            rows.append([f"  {n.key}/{d.id}", d.kind, d.governor, d.name or d.id, d.token_symbol])
        if n.follows_spaces:
            for src in n.sources():
                rows.append([f"  {src}", "space", redact(n.rpc[0]), src.partition("/")[2], "followed"])
    table(["NAME", "PROTOCOL/KIND", "CHAIN / GOVERNOR", "TITLE", "ORIGIN"], rows)
    return 0


def _show(args: argparse.Namespace) -> int:
    from wallet.networks import get_network

    key, _, dao_id = args.name.partition("/")
    n = get_network(key)
    doc: dict[str, object] = _net_json(n)
    if dao_id:
        doc = {"network": key, **n.dao(dao_id).model_dump()}
    if args.check:
        doc["health"] = _health(n)
    if args.json:
        emit_json(doc)
        return 0
    for k, v in doc.items():
        if k == "daos":
            for d in v:  # type: ignore[attr-defined]
                out(f"  dao {d['id']}: {d['kind']} governor {d['governor']} token {d['token']} ({d['token_symbol']})")
        elif k == "health":
            for h in v:  # type: ignore[attr-defined]
                out(f"  health {h['rpc']}: " + (f"chain {h['chain_id']} head {h['head']} {h['latency_ms']} ms"
                                                + ("" if h["chain_ok"] else "  WRONG CHAIN") if h.get("ok") else
                                                f"unreachable ({h['error']})"))
        else:
            out(f"{k:>14}: {v}")
    return 0


def _health(n: NetworkConfig) -> list[dict[str, object]]:
    from wallet.adapters.evm.client import JsonRpc
    from wallet.errors import PolisError
    from wallet.urls import redact

    out_: list[dict[str, object]] = []
    if n.follows_spaces:
        return _hub_health(n)
    for url in n.rpc:
        t0 = time.perf_counter()
        try:
            with JsonRpc(url, timeout=5.0, retries=0) as rpc:
                cid, head = rpc.batch([("eth_chainId", []), ("eth_blockNumber", [])])
            cid_i, head_i = int(cid, 16), int(head, 16)
            out_.append({"rpc": redact(url), "ok": True, "chain_id": cid_i, "chain_ok": cid_i == int(n.chain_id),
                         "head": head_i, "latency_ms": round((time.perf_counter() - t0) * 1000)})
        except (PolisError, TypeError, ValueError) as exc:
            out_.append({"rpc": redact(url), "ok": False, "error": str(exc)[:120]})
    return out_


def _follow_space(args: argparse.Namespace, key: str, space: str) -> int:
    """Follow a Snapshot space: add it to extra.spaces of the network in the user's networks file."""
    import re

    from wallet import networks
    from wallet.adapters.snapshot.adapter import SPACE_PATTERN, settings_of

    net = networks.get_network(key)
    if not net.follows_spaces:
        raise BadInput(f"{key!r} is a {net.protocol} network; spaces are followed on Snapshot networks (e.g. snapshot)")
    if not re.match(SPACE_PATTERN, space):
        raise BadInput(f"not a Snapshot space id: {space!r} (e.g. ens.eth)")
    settings_of(net)
    spaces = list(net.extra.get("spaces", []))
    already = space in spaces
    if not already:
        # The user table holds the whole `extra` (tables merge one level deep), URLs included.
        networks.set_user_table(key, {"extra": {**net.extra, "spaces": [*spaces, space]}})
    source = f"{key}/{space}"
    if args.json:
        emit_json({"network": key, "space": space, "source": source, "followed": True, "added": not already})
    else:
        out(f"{source} is already followed" if already else f"following {source}; sync it with 'polis sync {source}'")
    return 0


def _hub_health(n: NetworkConfig) -> list[dict[str, object]]:
    """A Snapshot hub has no chain: ask it for a trivial GraphQL answer and time it."""
    from wallet.adapters.snapshot.client import Hub, SnapshotHttp
    from wallet.errors import PolisError
    from wallet.urls import redact

    rows: list[dict[str, object]] = []
    for url in n.rpc:
        t0 = time.perf_counter()
        http = SnapshotHttp(timeout=5.0, retries=0)
        try:
            Hub(http, url).query("query Ping { __typename }", {})
            rows.append({"rpc": redact(url), "ok": True, "chain_id": n.chain_id, "chain_ok": True, "head": "-",
                         "latency_ms": round((time.perf_counter() - t0) * 1000)})
        except PolisError as exc:
            rows.append({"rpc": redact(url), "ok": False, "error": str(exc)[:120]})
        finally:
            http.close()
    return rows


def _add(args: argparse.Namespace) -> int:
    from wallet import networks
    from wallet.urls import link_local_warning

    key, _, dao_id = args.name.partition("/")
    networks.check_name(key if dao_id else args.name)
    for url in args.rpc or []:
        if warning := link_local_warning(url):
            err(f"warning: {warning}")
    space = getattr(args, "space", None)
    if networks.protocol_follows_spaces(args.protocol) or space:
        if dao_id and space and dao_id != space:
            raise BadInput(f"give the space once: {args.name} or --space {space}")
        if not (dao_id or space):
            raise BadInput("name the space: 'polis networks add snapshot/ens.eth' or --space ens.eth")
        return _follow_space(args, key, dao_id or str(space))
    if dao_id and key in networks.load_networks() and networks.get_network(key).follows_spaces:
        return _follow_space(args, key, dao_id)
    if dao_id:
        networks.check_name(args.name)
        if not args.governor or not args.token:
            raise BadInput("a DAO needs --governor ADDRESS and --token ADDRESS")
        from wallet.services.dao_setup import resolve_dao

        given = {"start_block": args.start_block, "token_decimals": args.token_decimals,
                 "token_symbol": args.token_symbol}
        networks.check_dao(key, {"id": dao_id, "name": args.title or dao_id, "governor": args.governor,
                                 "token": args.token, **{k: v for k, v in given.items() if v is not None}})
        if any(d.id == dao_id for d in networks.get_network(key).daos):
            raise BadInput(f"{key}/{dao_id} already exists; remove it first")
        setup = resolve_dao(key, args.governor, args.token, kind=args.kind, symbol=args.token_symbol,
                            decimals=args.token_decimals, rpc_url=(args.rpc or [None])[0])
        for warning in setup.warnings:
            err(f"warning: {warning}")
        cfg = networks.add_dao(key, {
            "id": dao_id, "name": args.title or dao_id, "governor": args.governor, "token": args.token,
            "start_block": args.start_block, **setup.fields})
        doc = {"network": key, **cfg.model_dump(), "warnings": setup.warnings}
    else:
        if args.chain_id is None or not args.rpc:
            raise BadInput("a network needs --chain-id and --rpc URL")
        table = _adapter_table(args, key) if args.adapter else _network_table(args, key)
        doc = networks.add_network(key, table).model_dump()
    if args.json:
        emit_json(doc)
    else:
        out(f"added {args.name}; sync it with 'polis sync {args.name}'")
    return 0


def _network_table(args: argparse.Namespace, key: str) -> dict[str, object]:
    """The TOML table of a new network from the options, checked for its protocol."""
    from wallet.networks import new_network_table

    return new_network_table(args.protocol, key, chain_id=args.chain_id, rpc=args.rpc, title=args.title,
                             block_time=args.block_time, confirmations=args.confirmations, symbol=args.symbol,
                             decimals=args.decimals, denom=args.denom, prefix=args.prefix,
                             valoper_prefix=args.valoper_prefix, gas_price=args.gas_price, gov=args.gov)


def _adapter_table(args: argparse.Namespace, key: str) -> dict[str, object]:
    """The table of a network served by a named adapter (e.g. snet_stake), described by that adapter."""
    from wallet.adapters import adapter_class

    return adapter_class(args.adapter).network_table(key, vars(args))


def _remove(args: argparse.Namespace) -> int:
    from wallet import networks

    key, _, space = args.name.partition("/")
    nets = networks.load_networks()
    if space and key in nets and nets[key].follows_spaces:
        spaces = list(nets[key].extra.get("spaces", []))
        if space not in spaces:
            raise BadInput(f"{args.name!r} is not followed")
        networks.set_user_table(key, {"extra": {**nets[key].extra, "spaces": [s for s in spaces if s != space]}})
        out(f"stopped following {args.name} (its archived proposals stay until you delete the archive)")
        return 0
    networks.remove(args.name)
    out(f"removed {args.name} (its archived proposals stay until you delete the archive)")
    return 0
