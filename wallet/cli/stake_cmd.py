"""`polis stake list|add|remove|move|claim` and `polis validators`, over any adapter that declares
STAKE_ACTIONS. Plans go through the same pipeline as votes."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from wallet.cli.actions_cmd import _already, _finish, _preflight
from wallet.cli.common import my_addresses, pick_account, vault
from wallet.cli.output import emit_json, err, out, table
from wallet.errors import AlreadyDone, BadInput, PolisError

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter


def run(args: argparse.Namespace) -> int:
    if args.noun == "validators":
        return _validators(args)
    return _list(args) if args.verb == "list" else _write(args)


def _options(pairs: list[str]) -> dict[str, str]:
    opts: dict[str, str] = {}
    for p in pairs:
        k, sep, v = p.partition("=")
        if not sep or not k.strip():
            raise BadInput(f"bad --opt {p!r}: write KEY=VALUE")
        opts[k.strip()] = v.strip()
    return opts


def _adapter(network: str, rpc: str | None = None) -> Adapter:
    from wallet.adapters import adapter_for

    ad = adapter_for(network, rpc_url=rpc)
    if not ad.STAKING:
        ad.close()
        raise BadInput(f"{network} has no staking in Polis ({ad.NAME})")
    return ad


VERBS = {"add": "stake", "remove": "unstake", "move": "move", "claim": "claim", "withdraw": "withdraw"}


def _write(args: argparse.Namespace) -> int:
    from wallet.services.requests import check_supported, plan_checked

    verb = VERBS[args.verb]
    v = vault()
    meta = pick_account(v, args.account)
    _preflight(args, meta)
    ad = _adapter(args.network, args.rpc)
    ad.max_fee = args.max_fee
    try:
        check_supported(ad, verb)
        p: dict[str, object] = {"options": _options(args.opt)}
        if verb == "move":
            p.update(target=args.source_target, dest=args.dest_target, subtarget=args.from_subnet,
                     dest_sub=args.to_subnet)
        else:
            p.update(target=args.target, subtarget=getattr(args, "subnet", None))
        if verb == "stake":
            p["amount"] = ad.parse_amount(args.amount)
        elif verb in ("unstake", "move", "withdraw"):
            if bool(args.amount) == bool(args.all):
                raise BadInput("give an AMOUNT or --all")
            p["amount"] = None if args.all else ad.parse_amount(args.amount)
        plan = plan_checked(ad, meta, verb, p)
        return _finish(args, ad, plan, meta)
    except AlreadyDone as exc:
        return _already(args, exc)
    finally:
        ad.close()


def _list(args: argparse.Namespace) -> int:
    from wallet.cache import open_archive, query, store
    from wallet.errors import PolisError
    from wallet.keys.vault import Vault
    from wallet.networks import load_networks
    from wallet.units import Denom, format_amount

    v = Vault()
    accounts = [v.get(n) for n in args.account] if args.account else v.accounts()
    nets = args.network or _staking_networks(load_networks())
    if not args.offline:
        with open_archive() as ar:
            for net in nets:
                try:
                    ad = _adapter(net)
                except PolisError:
                    if args.network:
                        raise
                    continue
                try:
                    for acc in accounts:
                        try:
                            addr = ad.address_of(acc)
                        except BadInput:
                            continue
                        positions = ad.stakes(addr)
                        with ar.conn:
                            store.replace_stakes(ar, ad.source, addr, positions)
                except PolisError as exc:
                    err(f"warning: {net}: {exc}; showing archived stakes")
                finally:
                    ad.close()
    with open_archive(readonly=True) as ar:
        addrs = my_addresses([a.name for a in accounts]) if accounts else []
        rows = [r for r in query.stakes(ar, _all_forms(addrs, nets)) if not args.network or
                any(r["source"] == n or r["source"].startswith(n + "/") for n in args.network)]
    if args.json:
        emit_json(rows)
        return 0
    if not rows:
        out("no stakes found" + ("" if args.offline else " (or none archived yet)"))
        return 0
    from wallet.services.timefmt import when

    def exact(value: str, r: dict[str, Any]) -> str:
        """Every digit of the base units: a table never rounds money (1,000.12345678 AGIX, 0.995121917 TAO)."""
        return format_amount(int(value), Denom(r["extra"].get("symbol", ""), "", int(r["extra"].get("decimals", 0))))

    table(["SOURCE", "ADDRESS", "TARGET", "SUB", "KIND", "AMOUNT", "REWARDS", "COMPLETES"],
          [[r["source"], r["address"], r["extra"].get("target_name") or r["target"], r["subtarget"], r["kind"],
            exact(r["amount"], r), exact(r["rewards"], r),
            when(int(r["completes_at"])) if r["completes_at"] else r["extra"].get("completes_note") or "-"]
           for r in rows], max_width={2: 30})
    return 0


def _staking_networks(nets: dict[str, Any]) -> list[str]:
    """Networks whose network-wide source's adapter declares staking (read from the class: no network)."""
    from wallet.adapters import adapter_class, adapter_name

    out = []
    for n in nets.values():
        if n.key not in n.sources():
            continue  # only DAOs or spaces: nothing staked network-wide
        try:
            if adapter_class(adapter_name(n, None)).STAKING:
                out.append(n.key)
        except PolisError:
            continue
    return out


def _all_forms(addresses: list[str], nets: list[str]) -> list[str]:
    """Vault addresses plus their per-network forms (declared by each network's adapter: Cosmos bech32)."""
    from wallet.adapters import adapter_for

    forms = list(addresses)
    for n in nets:
        try:
            ad = adapter_for(n)
        except PolisError:
            continue
        try:
            forms += [f for a in addresses for f in ad.address_forms(a)]
        finally:
            ad.close()
    return list(dict.fromkeys(forms))


def _validators(args: argparse.Namespace) -> int:
    from wallet.cache import open_archive, query, store
    from wallet.errors import PolisError

    if not args.offline:
        ad = _adapter(args.network)
        try:
            targets = ad.stake_targets()
            with open_archive() as ar, ar.conn:
                store.upsert_stake_targets(ar, ad.source, targets)
        except PolisError as exc:
            err(f"warning: {exc}; showing the archive")
        finally:
            ad.close()
    with open_archive(readonly=True) as ar:
        rows = query.stake_targets(ar, args.network)[: args.limit]
    if args.json:
        emit_json(rows)
        return 0
    if not rows:
        out("nothing archived yet")
        return 0
    if any((r.get("extra") or {}).get("summary") for r in rows):  # e.g. stake windows: their dates
        table(["ID", "NAME", "STATUS", "COMMISSION", "POWER", "DETAIL"],
              [[r["id"], r["name"], r["status"], r["commission"], r["power"] or "-",
                (r.get("extra") or {}).get("summary") or "-"] for r in rows], max_width={1: 30})
        return 0
    table(["ID", "NAME", "STATUS", "COMMISSION", "POWER"],
          [[r["id"], r["name"], r["status"], r["commission"], r["power"] or "-"] for r in rows], max_width={1: 30})
    return 0
