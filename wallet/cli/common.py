"""Helpers shared by command modules: the unlock policy, confirmation, account and source choice."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from wallet.cli.output import out
from wallet.errors import BadInput

if TYPE_CHECKING:
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import AccountMeta, Vault
    from wallet.models import Plan


def policy(args: argparse.Namespace) -> UnlockPolicy:
    from wallet.keys.unlock import UnlockPolicy

    return UnlockPolicy(passphrase_file=getattr(args, "passphrase_file", None))


def vault() -> Vault:
    from wallet.keys.vault import Vault

    v = Vault()
    for w in v.check_permissions():
        sys.stderr.write(f"warning: {w}\n")
    return v


def pick_account(v: Vault, name: str | None, scheme: str | None = None) -> AccountMeta:
    """The named account, or the vault's only signing account (for key `scheme`); watch-only ones never count."""
    return v.get(name) if name else v.default(scheme)


def my_addresses(names: list[str] | None = None) -> list[str]:
    """Every address of the named vault accounts (all accounts when none are named)."""
    from wallet.services.addresses import my_addresses as vault_addresses

    return vault_addresses(names)


def interactive() -> bool:
    from wallet.keys.unlock import is_interactive

    return is_interactive()


def ask_confirm(plan: Plan) -> bool:
    from wallet import budget

    try:
        with budget.paused():  # the user's reading time is not the command's
            answer = input("Sign and send? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def print_plan(plan: Plan) -> None:
    from wallet.textsafe import clean
    from wallet.units import fee_text

    out(f"Plan: {plan.kind} on {plan.source}")
    for line in plan.summary:
        out("  " + clean(line))
    for c in plan.checks:
        out(f"  [{'ok' if c.ok else 'FAIL'}] {c.name}" + (f": {clean(c.detail)}" if c.detail else ""))
    if plan.fee_estimate is not None:
        out(f"  fee estimate: {fee_text(plan.fee_estimate, plan.fee_symbol, plan.fee_decimals)}")


def resolve_source_arg(text: str | None) -> str | None:
    if text is None:
        return None
    from wallet.networks import resolve_source

    net, dao = resolve_source(text)
    return f"{net.key}/{dao.id}" if dao else net.key


def need_int(value: int, name: str, low: int = 0) -> int:
    if value < low:
        raise BadInput(f"{name} must be ≥ {low}")
    return value
