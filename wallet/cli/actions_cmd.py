"""`polis vote` and `polis delegate`: the action pipeline from the command line."""

from __future__ import annotations

import argparse
import sys

from wallet.cli.common import ask_confirm, interactive, pick_account, policy, print_plan, resolve_source_arg, vault
from wallet.cli.output import emit_json, err, out
from wallet.errors import AlreadyDone, BadInput, NotInteractive


def run(args: argparse.Namespace) -> int:
    return _vote(args) if args.noun == "vote" else _delegate(args)


def _scheme(source: str | None) -> str | None:
    """The key scheme the source's adapter signs with (declared on its class; no network)."""
    if not source:
        return None
    from wallet.services.requests import capabilities

    return capabilities(source).key_scheme


def _preflight(args: argparse.Namespace, meta) -> None:  # type: ignore[no-untyped-def]
    """Fail fast, before any network call, when a run could not finish without a prompt."""
    if meta.watch_only:
        raise BadInput(f"{meta.name} is watch-only: it cannot sign", hint="import its key or use another --account")
    if args.dry_run:
        return
    if not interactive():
        from wallet.keys.unlock import OPTIONS_HELP

        if not args.yes:
            raise NotInteractive("this action needs confirmation and the run is not interactive",
                                 hint="review it with --dry-run, then run again with --yes")
        if policy(args)._from_sources(meta) is None:
            raise NotInteractive(f"account {meta.name!r} needs its passphrase and this run is not interactive",
                                 hint=OPTIONS_HELP)


def parse_weights(text: str) -> dict[str, str]:
    from wallet.services.requests import parse_weights as parse

    return parse(text)


def _finish(args: argparse.Namespace, adapter, plan, meta) -> int:  # type: ignore[no-untyped-def]
    from wallet.actions import execute
    from wallet.cache import open_archive
    from wallet.units import fee_text

    if args.json and args.dry_run:
        emit_json({"dry_run": True, "plan": plan.as_json()})
        return 0
    if not args.json:
        print_plan(plan)
    if args.dry_run:
        out("dry run: nothing was signed or sent")
        return 0
    pol = policy(args)
    v = vault()

    def on_step(name: str, detail: str) -> None:
        if not args.json:
            err(f"  {name} {detail}".rstrip())

    with open_archive() as ar:
        result = execute(adapter, plan, archive=ar, unlock=lambda: pol.unlock(v, meta).signer(adapter.KEY_SCHEME),
                         confirm=ask_confirm if interactive() else None, assume_yes=args.yes, on_step=on_step)
    if args.json:
        emit_json({"ok": result.ok, "tx_hash": result.tx_hash, "block": result.block,
                   "fee_paid": str(result.fee_paid) if result.fee_paid is not None else None,
                   "plan": plan.as_json()})
    else:
        fee = fee_text(result.fee_paid or 0, plan.fee_symbol, plan.fee_decimals)
        out(f"done: {plan.kind} included in block {result.block}, tx {result.tx_hash}, fee {fee}")
    return 0


def _already(args: argparse.Namespace, exc: AlreadyDone) -> int:
    if args.json:
        emit_json({"ok": True, "noop": True, "message": str(exc)})
    else:
        out(str(exc))
    return 0


def _vote(args: argparse.Namespace) -> int:
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive, query
    from wallet.services.requests import plan_checked

    source = resolve_source_arg(args.network)
    with open_archive(readonly=True) as ar:
        try:
            source, pid = query.resolve_proposal(ar, args.id, source)
        except BadInput:
            if not source or not args.id.isdigit() or len(args.id) > 78 or int(args.id) >= 2**256:
                raise  # no proposal id of any family is above 2^256: never send one
            pid = args.id  # not synced yet, but the user named the source and a full id
    v = vault()
    meta = pick_account(v, args.account, _scheme(source))
    _preflight(args, meta)
    weights = parse_weights(args.weights) if args.weights else None
    adapter = adapter_for(source, rpc_url=args.rpc)
    adapter.max_fee = args.max_fee
    try:
        plan = plan_checked(adapter, meta, "vote", {"proposal": pid, "choice": args.choice, "reason": args.reason,
                                                    "weights": weights})
        return _finish(args, adapter, plan, meta)
    except AlreadyDone as exc:
        return _already(args, exc)
    finally:
        adapter.close()


def _delegate(args: argparse.Namespace) -> int:
    from wallet.adapters import adapter_for
    from wallet.services.requests import plan_checked

    source = resolve_source_arg(args.network)
    assert source is not None
    v = vault()
    meta = pick_account(v, args.account, _scheme(source))
    _preflight(args, meta)
    adapter = adapter_for(source, rpc_url=args.rpc)
    adapter.max_fee = args.max_fee
    try:
        plan = plan_checked(adapter, meta, "delegate", {"to": args.to})
        return _finish(args, adapter, plan, meta)
    except AlreadyDone as exc:
        return _already(args, exc)
    finally:
        adapter.close()
        sys.stdout.flush()
