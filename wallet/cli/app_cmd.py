"""`polis tui` and `polis demo`."""

from __future__ import annotations

import argparse
import sys

from wallet.cli.output import emit_json, err, out


def open_tui(**kwargs: object) -> None:
    """Run the Textual front end. Looked up by name: the headless core never imports the UI, and
    only these two commands load it."""
    from importlib import import_module

    import_module("screens.app").make_app(**kwargs).run()


def run(args: argparse.Namespace) -> int:
    return _tui(args) if args.noun == "tui" else _demo(args)


def _tui(args: argparse.Namespace) -> int:
    if not sys.stdout.isatty():
        from wallet.errors import NotInteractive

        raise NotInteractive("the TUI needs a terminal", hint="use the headless commands, e.g. 'polis proposals list'")
    open_tui(offline=True) if getattr(args, "offline", False) else open_tui()
    return 0


def _demo(args: argparse.Namespace) -> int:
    from wallet.demo import DEMO_ACCOUNT, start_demo

    say = (lambda s: None) if args.json else (lambda s: err(s))
    env = start_demo(port=args.port, voters=args.voters, say=say)
    try:
        if args.headless or args.json:
            from wallet.cache import open_archive, query

            with open_archive() as ar:
                rows = query.list_proposals(ar, query.ProposalFilter(limit=100, order="oldest"))
            if args.json:
                emit_json({"home": str(env.home), "rpc": env.url, "account": DEMO_ACCOUNT, "address": env.address,
                           "daos": {k: d.as_dict() for k, d in env.daos.items()}, "proposals": rows})
            else:
                out(f"Devnet {env.url} · home {env.home} · account '{DEMO_ACCOUNT}' {env.address}")
                from wallet.cli.output import table, until

                table(["SOURCE", "ID", "STATUS", "CLOSES", "VOTES", "TITLE"],
                      [[r["source"], r["id"] if len(r["id"]) <= 12 else r["id"][:10] + "…", r["status"],
                        until(r["end_ts"]) if r["status"] in ("pending", "active") else "-", r["vote_count"],
                        r["title"]] for r in rows], max_width={5: 60})
                out("")
                out("Try it (in another shell, while this demo keeps running with --keep):")
                out(f"  export POLIS_HOME={env.home} POLIS_PASSPHRASE_FILE={env.passphrase_file}")
                out("  polis proposals list --status active")
                out("  polis vote <ID> for --reason 'looks good' --network devnet/polis")
            if args.keep:
                err("devnet running; Ctrl-C stops it")
                import time

                while True:
                    time.sleep(3600)
            return 0
        open_tui(passphrase_file=str(env.passphrase_file))
        return 0
    finally:
        env.stop()
