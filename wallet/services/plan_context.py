"""What every vote plan says before its adapter's own lines: which proposal (title, network/DAO,
archived state and deadline, the id shortened) and how the typed choice was read ("'yes' → FOR").

The CLI (`polis vote`), the TUI's vote dialog and batch plans all put these lines at the top of the
plan's summary, so `--yes` runs, `--json` plans and the dialog show the same words. The proposal
comes from the archive (no network); a proposal the archive does not hold yet is named by its id.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.services.proposal_state import StateView, state_of
from wallet.services.proposals import fixed_choices

if TYPE_CHECKING:
    from wallet.cache.db import Archive
    from wallet.models import Plan


def short_id(pid: str, keep: int = 16) -> str:
    """A long id (77-digit Governor ids, 66-character Snapshot hashes) as head…tail; short ids as they are."""
    if len(pid) <= keep:
        return pid
    head = max(4, keep - 7)
    return f"{pid[:head]}…{pid[-6:]}"


@dataclass(frozen=True)
class ProposalContext:
    source: str
    id: str
    title: str
    dao: str
    """The source's display name ("Polis DAO"), or the source key."""
    state: StateView
    labels: tuple[str, ...]
    """The proposal's own choice labels, in order (Snapshot's 1-based list)."""
    vote_type: str
    """Snapshot's vote type; empty elsewhere."""

    @property
    def short_id(self) -> str:
        return short_id(self.id)

    def lines(self) -> list[str]:
        where = self.source if self.dao in ("", self.source) else f"{self.source} ({self.dao})"
        head = [f"Proposal: {self.title}", f"  {where} · id {self.short_id} · {self.state.text}"]
        if self.state.deadline:
            head[-1] += f" · {self.state.deadline}"
        return head


def proposal_context(source: str, pid: str, *, now: float | None = None,
                     archive: Archive | None = None) -> ProposalContext | None:
    """The archive's view of one proposal for a header, or None when the archive does not hold it.
    `archive`: an open one (a batch plans hundreds of votes); otherwise one is opened read-only."""
    from wallet.cache import open_archive, query
    from wallet.errors import PolisError
    from wallet.textsafe import clean

    def read(ar: Archive) -> tuple[Any, Any]:
        row = ar.conn.execute(
            "SELECT title, status, start_ts, end_ts, choices, extra FROM proposals WHERE source=? AND id=?",
            (source, pid)).fetchone()
        return row, (query.source(ar, source) if row else None)

    try:
        if archive is not None:
            row, src = read(archive)
        else:
            with open_archive(readonly=True) as ar:
                row, src = read(ar)
    except (PolisError, sqlite3.Error):
        return None
    if row is None:
        return None
    import json

    title, status, start_ts, end_ts, choices_json, extra_json = row
    src = src or {}
    choices = json.loads(choices_json or "[]")
    extra = json.loads(extra_json or "{}") if isinstance(extra_json, str) else (extra_json or {})
    labels = tuple(clean(str(c.get("label", "")), limit=60) for c in choices if isinstance(c, dict))
    name = clean(str((src.get("extra") or {}).get("name") or ""), limit=60)
    vote_type = str(extra.get("type") or "")
    if vote_type and fixed_choices(source, src):  # resolving the adapter reads the network files: only if needed
        vote_type = ""
    return ProposalContext(
        source=source, id=pid, title=clean(title, limit=120) or "(untitled)", dao=name,
        state=state_of(status, start_ts=start_ts, end_ts=end_ts, synced_at=src.get("synced_at"), now=now),
        labels=labels, vote_type=vote_type)


def choice_line(adapter_cls: Any, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                weights: dict[str, str] | None = None) -> str:
    """"choice: 'yes' read as FOR" — the adapter's own reading of what was typed (BadInput if it has none)."""
    label = adapter_cls.read_choice(choice, labels=labels, vote_type=vote_type, weights=weights)
    typed = str(choice).strip()
    if weights:
        typed = ",".join(f"{k}={v}" for k, v in weights.items())
    if typed.lower() == label.lower():
        return f"choice: {label}"
    return f"choice: {typed!r} read as {label}"


def annotate_vote_plan(plan: Plan, adapter_cls: Any, pid: str, choice: str, *,
                       weights: dict[str, str] | None = None, now: float | None = None,
                       archive: Archive | None = None) -> Plan:
    """Put the proposal header and the choice reading under the first line of a vote plan's summary (in place)."""
    from wallet.errors import PolisError

    ctx = proposal_context(plan.source, pid, now=now, archive=archive)
    head = ctx.lines() if ctx else [f"Proposal: {short_id(pid)} on {plan.source} (not in the archive yet)"]
    labels = ctx.labels if ctx else ()
    vote_type = ctx.vote_type if ctx else str(plan.payload.get("vote_type") or "")
    if not labels and plan.payload.get("choices"):
        labels = tuple(str(c) for c in plan.payload["choices"])
    # The adapter already accepted the choice with the node's labels; when the archive's differ, its
    # own line says how it read it.
    with contextlib.suppress(PolisError):
        head.append(choice_line(adapter_cls, choice, labels=labels, vote_type=vote_type, weights=weights))
    # After the adapter's first line ("Vote FOR on … proposal …", which the journal keeps as its summary).
    at = 1 if plan.summary else 0
    if plan.summary[at: at + len(head)] != head:
        plan.summary[at:at] = head
    return plan
