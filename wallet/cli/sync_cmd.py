"""`polis sync`, `polis status` and `polis history`."""

from __future__ import annotations

import argparse
import time

from wallet.cli.output import Progress, ago, emit_json, err, out, table, when


def run(args: argparse.Namespace) -> int:
    return {"sync": _sync, "status": _status, "history": _history}[args.noun](args)


def _sync(args: argparse.Namespace) -> int:
    from wallet.sync import expand_targets, sync_sources

    sources = expand_targets(args.targets)
    if not sources:
        out("nothing followed yet: sync a network or DAO by name once and Polis follows it, e.g. "
            "'polis sync ethereum/compound', 'polis sync akash', 'polis sync bittensor', "
            "'polis networks add snapshot/ens.eth'; 'polis networks list' shows them all")
        return 0
    bars: dict[str, Progress] = {}

    def progress(src: str, done: int, total: int, msg: str) -> None:
        if args.json:
            return
        bar = bars.setdefault(src, Progress(src))
        bar(done, total, msg)

    t0 = time.perf_counter()
    outcome = sync_sources(sources, rpc_url=args.rpc, progress=progress,
                           accept_deep_reorg=getattr(args, "accept_deep_reorg", False))
    for bar in bars.values():
        bar.finish()
    elapsed_ms = round((time.perf_counter() - t0) * 1000)
    if args.json:
        emit_json({"ok": outcome.ok, "elapsed_ms": elapsed_ms, "reports": [r.as_dict() for r in outcome.reports],
                   "errors": outcome.errors})
    else:
        for r in outcome.reports:
            if r.noop and r.warnings:
                out(f"{r.source}: not synced, archive kept")
            elif r.noop:
                out(f"{r.source}: up to date")
            else:
                out(f"{r.source}: blocks {r.from_point}–{r.to_point}: {r.new_proposals} new proposals, "
                    f"{r.updated_proposals} updated, {r.votes} votes, {r.events} events"
                    + (f", rolled back {r.reorg_depth} blocks after a reorg" if r.reorg_depth else ""))
            for w in r.warnings[:5]:
                err(f"  warning: {w}")
        for src, msg in outcome.errors.items():
            err(f"{src}: failed: {msg}")
    if outcome.errors:
        from wallet.errors import NodeUnreachable

        return NodeUnreachable.exit_code if all("unreachable" in m for m in outcome.errors.values()) else 1
    return 0


def _status(args: argparse.Namespace) -> int:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        rows = query.sources(ar, counts=True)
    if args.json:
        emit_json({"archive": str(ar.path), "sources": rows})
        return 0
    out(f"archive: {ar.path}")
    if not rows:
        out("empty: run 'polis sync'")
        return 0
    table(["SOURCE", "KIND", "PROPOSALS", "VOTES", "BLOCK", "SYNCED"],
          [[r["id"], r["kind"], r["proposals"], r["votes"], r["cursor"], ago(r["synced_at"])] for r in rows])
    return 0


def _history(args: argparse.Namespace) -> int:
    from wallet.cache import open_archive, query

    if args.refresh:
        from wallet.once import refresh

        with open_archive() as ar:
            for jid, old, new in refresh(ar):
                if not args.json and old != new:
                    err(f"#{jid}: {old} -> {new}")
    with open_archive(readonly=True) as ar:
        rows = query.journal(ar, limit=args.limit)
    if args.json:
        emit_json(rows)
        return 0
    if not rows:
        out("no actions sent from this machine yet")
        return 0
    table(["WHEN", "ACCOUNT", "SOURCE", "KIND", "STATE", "TX", "SUMMARY"],
          [[when(r["created"]), r["account"], r["source"], r["kind"], r["state"], r["tx_hash"] or "-",
            r["summary"]] for r in rows], max_width={6: 60, 5: 20})
    return 0
