"""What the archive knows about a proposal's state right now: one rule for the inbox, the proposal
screen, `proposals list/show`, every vote plan and `batch check`.

An archived status is the node's answer at the last sync. When that answer was "active" (or
"pending") and the archived voting window has since passed, the archive no longer knows the outcome:
the rule says "voting ended · outcome not synced since …" instead of repeating a stale "active".
Only a proposal whose archived status is active and whose window is still open accepts votes (the
node check before signing still runs).
"""

from __future__ import annotations

import time

from wallet.records import Frozen
from wallet.services.timefmt import ago as _ago
from wallet.services.timefmt import until as _until
from wallet.services.timefmt import when as _when
from wallet.status import OPEN_STATUSES as OPEN


class StateView(Frozen):
    """A proposal's state as the archive can vouch for it now (a frozen record: wallet/records.py)."""

    _fields = ("status", "short", "text", "accepts_votes", "stale", "deadline")
    status: str
    """The archived common status."""
    short: str
    """One word or two for a table cell: "active", "executed", "ended·unsynced"."""
    text: str
    """What a person reads in a header or a plan: "ACTIVE", "voting ended · outcome not synced since 1h ago"."""
    accepts_votes: bool
    """The archive says voting is open now (active, and the archived end has not passed)."""
    stale: bool
    """The archived status cannot be true any more (an open status whose window passed)."""
    deadline: str
    """"closes 2026-01-01 12:00 UTC (in 3h)", "closed 2025-12-31 23:00 UTC", "opens … (in 2d)" or ""."""

    def __init__(self, status: str, short: str, text: str, accepts_votes: bool, stale: bool, deadline: str) -> None:
        self._init(status=status, short=short, text=text, accepts_votes=accepts_votes, stale=stale,
                   deadline=deadline)


def state_of(status: str, *, start_ts: int | None, end_ts: int | None, synced_at: int | None,
             now: float | None = None) -> StateView:
    now = time.time() if now is None else now
    status = status or "unknown"
    ended = end_ts is not None and end_ts <= now
    started = start_ts is None or start_ts <= now
    if end_ts is None:
        deadline = ""
    elif ended:
        deadline = f"closed {_when(end_ts)}"
    elif status == "pending" and start_ts is not None and not started:
        deadline = f"opens {_when(start_ts)} ({_until(start_ts, now)}), closes {_when(end_ts)}"
    else:
        deadline = f"closes {_when(end_ts)} ({_until(end_ts, now)})"
    since = _ago(synced_at, now)
    if status in OPEN and ended:
        return StateView(status, "ended·unsynced", f"voting ended · outcome not synced since {since}",
                         accepts_votes=False, stale=True, deadline=deadline)
    if status == "pending" and started and start_ts is not None:
        return StateView(status, "pending", f"PENDING · voting may have opened (not synced since {since})",
                         accepts_votes=False, stale=True, deadline=deadline)
    return StateView(status, status, status.upper(), accepts_votes=status == "active", stale=False,
                     deadline=deadline)


def refusal(view: StateView, what: str) -> str:
    """Why `what` ("proposal 12") takes no vote, in the words the dialogs and `batch check` use."""
    if view.stale:
        return f"{what}: {view.text}; sync it to see whether it still takes votes"
    if view.status in ("pending", "deposit"):
        when = f" ({view.deadline})" if view.deadline else ""
        return f"{what} is {view.status.upper()}: voting has not opened{when}"
    return f"{what} is {view.status.upper()}: it does not accept votes"
