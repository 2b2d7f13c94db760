"""Headless batch runs: plan files across networks, one unlock, dry-run, journal, crash-safe resume.

The API a front end uses (the CLI in `wallet/cli/batch_cmd.py`, a TUI batch screen in a worker):

    from wallet.batch import load, check, dry_run, BatchRunner
    plan = load(path)                 # PlanError (a BadInput, exit 2) names file:line: field
    steps = check(plan)               # offline checks, same errors
    preview = dry_run(plan, steps)    # network reads only; nothing signed, nothing written
    report = BatchRunner(plan, passphrase=…, on_event=callback).run()   # run or resume

Modules: `planfile` (models, TOML/JSON), `lines` (field → line), `validate` (offline checks),
`journal` (tables and transitions), `executors` (EVM pipeline, multi-message and one-at-a-time),
`runner` (groups, unlock, report), `template` (the commented example).
"""

from __future__ import annotations

from typing import Any

__all__ = ["load", "parse_text", "check", "dry_run", "BatchRunner", "Event", "PlanError", "report", "exit_code"]


def __getattr__(name: str) -> Any:
    if name in ("load", "parse_text", "PlanError"):
        from wallet.batch import planfile

        return getattr(planfile, name)
    if name in ("check", "dry_run", "BatchRunner", "Event", "report", "exit_code"):
        from wallet.batch import runner

        return getattr(runner, name)
    raise AttributeError(name)
