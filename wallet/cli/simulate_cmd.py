"""`polis proposals simulate ID`: run the proposal's actions on a local anvil fork and print the report."""

from __future__ import annotations

import argparse
import sys

from wallet.cli.output import emit_json, err, out, style


def run(args: argparse.Namespace) -> int:
    from wallet.errors import BadInput
    from wallet.simulate import simulate
    from wallet.simulate.report import render

    if args.block is not None and args.block < 0:
        raise BadInput("--block must be ≥ 0")
    tty = sys.stderr.isatty() and not args.json

    def progress(msg: str) -> None:
        if tty:
            err(style(f"… {msg}", "2", sys.stderr))

    report = simulate(args.id, args.network, block=args.block, rpc_url=args.rpc, progress=progress,
                      lifetime=args.timeout)
    if args.json:
        emit_json(report)
    else:
        for line in render(report):
            out(line)
        err(style(f"simulated in {report['elapsed_ms']:,} ms · kept in the archive ('polis proposals show')",
                  "2", sys.stderr))
    return 0 if report["ok"] else 1
