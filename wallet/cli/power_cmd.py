"""`polis power`: each vault account's current delegation and voting power on every followed source."""

from __future__ import annotations

import argparse

from wallet.cli.output import emit_json, err, out, table


def run(args: argparse.Namespace) -> int:
    from wallet.services.power import account_power

    rows = account_power(args.account or None, args.network or None, offline=args.offline)
    if args.json:
        emit_json([r.as_json() for r in rows])
        return 0
    if not rows:
        out("no account has a key for the followed sources ('polis keys list', 'polis networks list')")
        return 0
    table(["SOURCE", "ACCOUNT", "ADDRESS", "DELEGATE", "VOTING POWER", "BALANCE", "NOTE"],
          [[r.source, r.account, r.address, r.delegate or "-", r.formatted(r.power) or "-", r.formatted(r.balance),
            (r.error + " (archived delegate shown)" if r.archived else r.error) if r.error else r.note]
           for r in rows], max_width={2: 44, 3: 44, 6: 60})
    failed = sum(1 for r in rows if r.error)
    if failed:
        err(f"{failed} source(s) could not be read now; their rows show the archive")
    return 0
