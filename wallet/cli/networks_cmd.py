"""`polis networks …`: presets and the user's networks file."""

from __future__ import annotations

import argparse
import time

from wallet.cli.output import emit_json, out, table
from wallet.errors import BadInput


def run(args: argparse.Namespace) -> int:
    return {"list": _list, "show": _show, "add": _add, "remove": _remove}[args.verb](args)


def _net_json(n) -> dict[str, object]:  # type: ignore[no-untyped-def]
    d = n.model_dump()
    d["sources"] = n.sources()
    return d


def _list(args: argparse.Namespace) -> int:
    from wallet.networks import load_networks

    nets = load_networks()
    if args.json:
        emit_json([_net_json(n) for n in nets.values()])
        return 0
    rows = []
    for n in nets.values():
        rows.append([n.key, n.family, str(n.chain_id), n.name, "user" if n.user else "preset"])
        for d in n.daos:
            rows.append([f"  {n.key}/{d.id}", d.kind, d.governor, d.name or d.id, d.token_symbol])
    table(["NAME", "FAMILY/KIND", "CHAIN / GOVERNOR", "TITLE", "ORIGIN"], rows)
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


def _health(n) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    from wallet.adapters.evm_rpc import JsonRpc
    from wallet.errors import PolisError

    out_: list[dict[str, object]] = []
    for url in n.rpc:
        t0 = time.perf_counter()
        try:
            with JsonRpc(url, timeout=5.0, retries=0) as rpc:
                cid, head = rpc.batch([("eth_chainId", []), ("eth_blockNumber", [])])
            cid_i, head_i = int(cid, 16), int(head, 16)
            out_.append({"rpc": url, "ok": True, "chain_id": cid_i, "chain_ok": cid_i == int(n.chain_id),
                         "head": head_i, "latency_ms": round((time.perf_counter() - t0) * 1000)})
        except (PolisError, TypeError, ValueError) as exc:
            out_.append({"rpc": url, "ok": False, "error": str(exc)[:120]})
    return out_


def _add(args: argparse.Namespace) -> int:
    from wallet import networks

    key, _, dao_id = args.name.partition("/")
    if dao_id:
        if not args.governor or not args.token:
            raise BadInput("a DAO needs --governor ADDRESS and --token ADDRESS")
        cfg = networks.add_dao(key, {
            "id": dao_id, "name": args.title or dao_id, "kind": args.kind, "governor": args.governor,
            "token": args.token, "token_symbol": args.token_symbol, "token_decimals": args.token_decimals,
            "start_block": args.start_block})
        doc = {"network": key, **cfg.model_dump()}
    else:
        if args.chain_id is None or not args.rpc:
            raise BadInput("a network needs --chain-id N and --rpc URL")
        table = {"family": args.family, "name": args.title or key, "chain_id": args.chain_id, "rpc": args.rpc,
                 "block_time": args.block_time,
                 "denom": {"symbol": args.symbol, "base": "wei", "decimals": args.decimals}}
        if args.confirmations is not None:
            table["confirmations"] = args.confirmations
        doc = networks.add_network(key, table).model_dump()
    if args.json:
        emit_json(doc)
    else:
        out(f"added {args.name}; sync it with 'polis sync {args.name}'")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from wallet import networks

    networks.remove(args.name)
    out(f"removed {args.name} (its archived proposals stay until you delete the archive)")
    return 0
