"""One time budget per command: however many requests a command makes, it ends within the budget.

Each request already has its own total deadline and bounded retries (wallet/adapters/transport.py, the
Substrate websocket in wallet/adapters/bittensor/client.py). The budget bounds the sum: every request
gets min(its own deadline, what is left of the command's), a retry pauses only within it, and when it
is used up `BudgetExceeded` stops the command (exit 1) with a one-line message naming the budget.

`BudgetExceeded` is deliberately no PolisError: the fallbacks that turn a failed read into a warning
(`except PolisError`) must not swallow it and carry on, and the journal code that marks a refused send
`failed` must not touch it. A send cut short leaves its journal entry open (signed/sent), which the
next command or `polis history --refresh` settles; archive writes are transactions, so a sync cut
short keeps what it committed.

The budget is process-wide (batch planning shares it across threads); the CLI starts it per command
(`--timeout SECONDS`, `POLIS_COMMAND_TIMEOUT`, else `DEFAULTS` for the command's kind; 0 = none).
Nothing here imports more than the standard library: the transport consults it on every request.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "POLIS_COMMAND_TIMEOUT"
MAX_SECONDS = 7 * 86_400.0
DEFAULTS: dict[str, float | None] = {
    "read": 300.0,  # balances, stake lists, networks check, proposals --refresh: a few dozen requests
    "action": 900.0,  # plan, sign, send, up to two minutes of waiting for inclusion, record
    "sync": 3_600.0,  # a first sync of a large DAO reads many log pages
    "batch": 6 * 3_600.0,  # thousands of actions; every step is journaled, a re-run resumes
    "local": None,  # offline commands and the long-running TUI / demo
}

_end: float | None = None
_seconds: float | None = None
_label = "command"


class BudgetExceeded(Exception):
    """The command's time budget is used up: it stops (exit 1); open journal entries stay open."""

    exit_code = 1
    hint = (f"give it more with --timeout SECONDS or {ENV} (0: no limit); a send it cut short is settled by "
            "the next command or 'polis history --refresh'")


def parse(text: str, what: str = "--timeout") -> float:
    """Seconds from user text: a finite number in 0..MAX_SECONDS (0: no budget); BadInput otherwise."""
    from wallet.errors import BadInput

    try:
        seconds = float(str(text).strip())
    except ValueError:
        raise BadInput(f"{what} must be a number of seconds, not {str(text)[:40]!r}") from None
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_SECONDS:
        raise BadInput(f"{what} must be 0 (no limit) … {MAX_SECONDS:.0f} seconds, not {str(text)[:40]!r}")
    return seconds


def choose(kind: str, option: float | None = None) -> float | None:
    """The budget of a command of this kind, in seconds (None: none): the option when given, else the
    environment variable, else the kind's default; 0 means none."""
    if option is None:
        env = os.environ.get(ENV, "").strip()
        if env:
            option = parse(env, ENV)
    if option is not None:
        return option or None
    return DEFAULTS.get(kind, DEFAULTS["read"])


def start(seconds: float | None, label: str = "command") -> None:
    """Start the budget (None: no budget) for the command named `label`."""
    global _end, _seconds, _label
    _seconds, _label = seconds, label
    _end = None if seconds is None else time.monotonic() + seconds


def stop() -> None:
    start(None)


def left() -> float | None:
    """Seconds left, or None without a budget (never negative)."""
    return None if _end is None else max(_end - time.monotonic(), 0.0)


def exceeded() -> BudgetExceeded:
    return BudgetExceeded(f"'{_label}' used up its time budget of {_seconds:g} s and stopped")


def check() -> None:
    """Raise BudgetExceeded when the budget is used up."""
    if _end is not None and time.monotonic() >= _end:
        raise exceeded()


def bound(timeout: float) -> float:
    """`timeout` cut to what is left of the budget; BudgetExceeded when nothing is left."""
    check()
    rest = left()
    return timeout if rest is None else min(timeout, rest)


@contextmanager
def paused() -> Iterator[None]:
    """Time spent inside (a prompt waiting for the user) does not count against the budget."""
    global _end
    began = time.monotonic()
    try:
        yield
    finally:
        if _end is not None:
            _end += time.monotonic() - began


def sleep(seconds: float) -> None:
    """Pause within the budget: a pause longer than what is left ends the command instead."""
    rest = left()
    if rest is not None and seconds >= rest:
        time.sleep(rest)
        raise exceeded()
    time.sleep(seconds)
