"""`polis batch template|check|run|resume|status`: plan files from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wallet.cli.output import emit_json, err, out, table
from wallet.errors import NotInteractive, PolisError

if TYPE_CHECKING:
    from wallet.batch.planfile import PlanFile
    from wallet.batch.runner import DryRun, Event
    from wallet.batch.validate import Step


def run(args: argparse.Namespace) -> int:
    return {"template": _template, "check": _check, "run": _run, "resume": _resume, "status": _status}[args.verb](args)


def _template(args: argparse.Namespace) -> int:
    from wallet.batch import template

    sys.stdout.write(template.JSON if args.format == "json" else template.TOML)
    return 0


def _load(args: argparse.Namespace, path: str) -> PlanFile | int:
    """The parsed, offline-checked plan, or the exit code after printing every problem."""
    from wallet.batch.planfile import PlanError, load
    from wallet.batch.runner import check

    try:
        plan = load(path)
        check(plan)
        return plan
    except PlanError as exc:
        if getattr(args, "json", False):
            emit_json({"ok": False, "errors": [i.as_dict() for i in exc.issues],
                       "error": {"code": "plan_error", "exit_code": exc.exit_code, "message": str(exc),
                                 "hint": exc.hint}})
        else:
            from wallet.textsafe import clean

            for issue in exc.issues:
                err("error: " + clean(str(issue)))
            err("hint: nothing was signed; fix the plan and run 'polis batch check' again")
        return exc.exit_code


def _fee_caps(args: argparse.Namespace, plan: PlanFile, steps: list[Step] | None = None) -> dict[str, str]:
    """`--max-fee [NETWORK=]AMOUNT` of this run, checked offline against the plan's networks (exit 2)."""
    from wallet.batch.runner import check, check_fee_caps
    from wallet.errors import BadInput

    caps: dict[str, str] = {}
    for key, amount in getattr(args, "max_fee", None) or []:
        if key in caps:
            raise BadInput(f"--max-fee given twice for {key or 'every network'}")
        caps[key] = amount
    if caps:
        check_fee_caps(steps if steps is not None else check(plan), caps)
    return caps


def _check(args: argparse.Namespace) -> int:
    from wallet.batch.runner import check, dry_run

    plan = _load(args, args.plan)
    if isinstance(plan, int):
        return plan
    steps = check(plan)
    caps = _fee_caps(args, plan, steps)
    if not args.dry_run:
        from wallet.batch.runner import archive_warnings

        nets = sorted({s.source for s in steps})
        warnings = archive_warnings(steps)
        if args.json:
            emit_json({"ok": True, "batch": plan.digest, "actions": len(steps), "networks": nets,
                       "warnings": warnings})
        else:
            for w in warnings:
                err(f"warning: {w}")
            out(f"ok: {len(steps)} action(s) on {', '.join(nets)} (plan {plan.digest[:12]}); checked offline"
                + (f", {len(warnings)} warning(s)" if warnings else ""))
            out("simulate them against the nodes with --dry-run")
        return 0
    preview = dry_run(plan, steps, max_fee=caps)
    if args.json:
        emit_json(_preview_json(plan, preview))
    else:
        _print_preview(preview)
        out("dry run: nothing was signed or sent")
    return 0 if preview.ok else 1


def _preview_json(plan: PlanFile, preview: DryRun) -> dict[str, Any]:
    return {"ok": preview.ok, "dry_run": True, "batch": plan.digest,
            "actions": [{"index": p.step.index, "label": p.step.label, "network": p.step.source,
                         "account": p.step.account, "kind": p.step.action.kind, "status": p.status,
                         "error": p.error or None, "plan": p.plan.as_json() if p.plan else None}
                        for p in preview.previews],
            "networks": {k: {**v, "fee": str(v["fee"])} for k, v in preview.transactions.items()}}


def _print_preview(preview: DryRun) -> None:
    from wallet.cli.common import print_plan
    from wallet.textsafe import clean
    from wallet.units import fee_text

    for p in preview.previews:
        out(f"[{p.step.index + 1}] {clean(p.step.label)}: {p.status.replace('_', ' ')}")
        if p.plan is not None:
            print_plan(p.plan)
        elif p.error:
            out("  " + clean(p.error))
    out("")
    out("per network:")
    for net, t in preview.transactions.items():
        fee = fee_text(t["fee"], t["fee_symbol"], t["fee_decimals"])
        out(f"  {net}: {t['actions']} action(s) in {t['transactions']} transaction(s), estimated fees {fee}")


def _printer(args: argparse.Namespace) -> Callable[[Event], None]:
    from wallet.textsafe import clean

    def on_event(ev: Event) -> None:
        if args.json:
            return
        if ev.kind == "group":
            err(f"{clean(ev.label)}: {ev.message}")
        elif ev.kind in ("confirmed", "failed", "skipped", "pending"):
            word = {"skipped": "already done"}.get(ev.kind, ev.kind)
            err(f"  [{ev.done}/{ev.total}] {word}: {clean(ev.label)}"
                + (f" — {clean(ev.message)}" if ev.message else ""))

    return on_event


def _preflight(args: argparse.Namespace, plan: PlanFile, caps: dict[str, str]) -> int | None:
    """Refuse at once, before any network call, when the run could not finish without a prompt."""
    from wallet.batch.runner import check, dry_run
    from wallet.cli.common import ask_confirm, interactive, policy
    from wallet.keys.vault import Vault

    if not interactive():
        if not args.yes:
            raise NotInteractive("a batch run needs confirmation and this run is not interactive",
                                 hint="review it with 'polis batch check PLAN --dry-run', then run again with --yes")
        from wallet.keys.unlock import OPTIONS_HELP

        vault = Vault()
        for name in dict.fromkeys(s.account for s in check(plan)):
            if policy(args)._from_sources(vault.get(name)) is None:
                raise NotInteractive(f"account {name!r} needs its passphrase and this run is not interactive",
                                     hint=OPTIONS_HELP)
        return None
    if args.yes:
        return None
    preview = dry_run(plan, max_fee=caps)
    _print_preview(preview)
    if not ask_confirm(None):  # type: ignore[arg-type]
        out("cancelled; nothing was signed")
        return 1
    return None


def _execute(args: argparse.Namespace, plan: PlanFile) -> int:
    from wallet.batch.runner import BatchRunner, exit_code

    caps = _fee_caps(args, plan)
    stop = _preflight(args, plan, caps)
    if stop is not None:
        return stop
    rep = BatchRunner(plan, passphrase_file=args.passphrase_file, on_event=_printer(args), max_fee=caps).run()
    if args.report:
        from pathlib import Path

        from wallet.paths import atomic_write

        atomic_write(Path(args.report), (json.dumps(rep, indent=2, default=str) + "\n").encode(), mode=0o644)
    if args.json:
        emit_json(rep)
    else:
        _print_report(rep)
    return exit_code(rep)


def _print_report(rep: dict[str, Any]) -> None:
    c = rep["counts"]
    if rep.get("already_finished"):
        out(f"this plan already ran to the end (batch {rep['batch'][:12]}): nothing to do")
    parts = [f"{c[k]} {k.replace('_', ' ')}" for k in ("confirmed", "already_done", "failed", "pending") if c.get(k)]
    out(f"batch {rep['batch'][:12]}: {', '.join(parts)} of {rep['total']} action(s) "
        f"in {rep['transactions']} transaction(s)")
    for a in rep["actions"]:
        if a["status"] in ("failed", "pending"):
            from wallet.textsafe import clean

            out(f"  {a['status']}: {clean(a['label'])}: {clean(a['error'] or '')}")
    if c.get("pending"):
        out("finish the pending ones later with 'polis batch resume'")


def _run(args: argparse.Namespace) -> int:
    plan = _load(args, args.plan)
    return plan if isinstance(plan, int) else _execute(args, plan)


def _resume(args: argparse.Namespace) -> int:
    from wallet.batch import journal
    from wallet.batch.runner import plan_of_run
    from wallet.cache import open_archive

    if args.plan:
        return _run(args)
    with open_archive() as ar:
        journal.ensure(ar)
        plan = plan_of_run(ar, None)
    return _execute(args, plan)


def _status(args: argparse.Namespace) -> int:
    from wallet.batch import journal
    from wallet.batch.planfile import load
    from wallet.batch.runner import report
    from wallet.cache import open_archive

    with open_archive() as ar:
        journal.ensure(ar)
        if args.plan:
            digest = load(args.plan).digest
            if journal.get_run(ar, digest) is None:
                raise PolisError(f"{args.plan} has not been run", hint="run it with 'polis batch run'")
            rep = report(ar, digest)
            rep["state"] = (journal.get_run(ar, digest) or {}).get("state")
            if args.json:
                emit_json(rep)
            else:
                out(f"{args.plan}: {rep['state']}")
                table(["#", "status", "network", "action", "tx"],
                      [[a["index"] + 1, a["status"], a["network"], a["label"], a["tx_hash"] or a["error"] or ""]
                       for a in rep["actions"]], max_width={3: 50, 4: 68})
            return 0
        runs = journal.runs(ar, limit=50)
        rows = []
        for r in runs:
            rep = report(ar, r["id"])
            rows.append({"batch": r["id"], "name": r["name"], "plan": r["path"], "state": r["state"],
                         "runs": r["runs"], "updated": r["updated"], "counts": rep["counts"]})
    if args.json:
        emit_json(rows)
    elif not rows:
        out("no batch runs yet")
    else:
        table(["batch", "state", "plan", "actions"],
              [[r["batch"][:12], r["state"], r["plan"], ", ".join(f"{v} {k}" for k, v in r["counts"].items())]
               for r in rows], max_width={2: 50})
    return 0
