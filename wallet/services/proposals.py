"""A proposal's detail view from the archive, the same for `polis proposals show` and the TUI: tally with
shares in tenths of a percent, quorum counted the way the source's adapter declares (`quorum_choices`:
GovernorBravo FOR only, OZ per COUNTING_MODE, Cosmos every option, Snapshot the space's setting), the
timeline, my vote and the decoded actions. Stranger text passes through `textsafe.clean`; no network.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet.errors import PolisError
from wallet.services.timefmt import until, when
from wallet.textsafe import clean

if TYPE_CHECKING:
    from wallet.cache.db import Archive
    from wallet.services.proposal_state import StateView
    from wallet.services.weights import WeightLeft


@dataclass
class Quorum:
    required: int | None
    """The proposal's quorum in base units, None when the archive has none."""
    counted: int
    """The tally weight that counts toward it."""
    choices: frozenset[str] | None
    """The choices that count (None: every choice)."""

    @property
    def reached(self) -> bool | None:
        return None if self.required is None else self.counted >= self.required


def quorum_of(proposal: Mapping[str, Any], source_row: Mapping[str, Any] | None = None) -> Quorum:
    """The quorum of an archived proposal, counted by the source adapter's declared rule."""
    from wallet.adapters import source_adapter_class

    row = dict(source_row or {})
    cls = source_adapter_class(str(row.get("id") or proposal.get("source") or ""), row)
    choices = cls.quorum_choices(proposal, row) if cls is not None else None
    counted = sum(int(t["weight"]) for t in proposal.get("tally") or []
                  if choices is None or str(t["choice"]).lower() in choices)
    q = proposal.get("quorum")
    return Quorum(required=int(q) if q not in (None, "") else None, counted=counted, choices=choices)


def split_note(parts: list[dict[str, Any]], amt: Any) -> str:
    """" (for 85 PDT, against 10 PDT in 3 votes)" for a voter's partial votes on a fractional Governor;
    "" for one whole vote. `amt` formats an amount."""
    if len(parts) < 2 and not (parts and sum(1 for c in ("for", "against", "abstain") if int(parts[0][c])) > 1):
        return ""
    sums = {c: sum(int(x[c]) for x in parts) for c in ("for", "against", "abstain")}
    return (" (" + ", ".join(f"{c} {amt(n)}" for c, n in sums.items() if n)
            + f" in {len(parts)} vote{'s' if len(parts) > 1 else ''})")


def fixed_choices(source: str, row: Mapping[str, Any]) -> bool:
    """True when the source's adapter has one fixed list of choices (no per-proposal vote type)."""
    from wallet.adapters import source_adapter_class

    cls = source_adapter_class(source, dict(row))
    return bool(cls is not None and cls.VOTE_CHOICES)


@dataclass
class TallyLine:
    choice: str
    weight: int
    amount: str
    """Formatted with the token symbol."""
    permille: int
    """Share of all votes, in tenths of a percent (integers, never floats)."""


@dataclass
class ProposalView:
    source: str
    id: str
    title: str
    status: str
    native_status: str
    proposer: str
    body: str
    """Cleaned multi-line markdown."""
    timeline: list[tuple[str, str]]
    tally: list[TallyLine]
    total_weight: int
    quorum: int | None
    quorum_text: str
    counted_for_quorum: int
    threshold_text: str
    actions: list[str]
    votes: list[dict[str, str]]
    vote_count: int
    my_vote: str
    symbol: str
    decimals: int
    choices: list[tuple[str, str]]
    """(key, label) the archive recorded for this proposal."""
    is_active: bool
    vote_type: str = ""
    """Snapshot's vote type (single-choice, approval, ranked-choice, weighted, …); empty elsewhere."""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    """The archived proposal row (ids, block points, raw tally) for --json and the CLI's detail."""
    source_row: dict[str, Any] = field(default_factory=dict, repr=False)
    mine: dict[str, Any] | None = None
    """My archived vote (voter, choice, weight, reason), None when not voted."""
    quorum_reached: bool | None = None
    partial_votes: bool = False
    """The proposal takes partial votes (GovernorCountingFractional): `votes` lists every part."""
    my_weight: list[WeightLeft] = field(default_factory=list)
    """My weight at the snapshot, used and left (partial votes only; from the archive)."""
    my_weight_text: str = ""
    state: StateView | None = None
    """The archived state as the core words it (`wallet.services.proposal_state`): stale statuses say so."""

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"


def proposal_view(source: str, pid: str, *, addresses: list[str] | None = None,
                  now: float | None = None) -> ProposalView:
    from wallet.cache import open_archive, query
    from wallet.services.proposal_state import state_of
    from wallet.units import Denom, weight_text

    now = time.time() if now is None else now
    if addresses is None:
        from wallet.services.addresses import my_addresses

        try:
            addresses = my_addresses()
        except PolisError:
            addresses = []
    with open_archive(readonly=True) as ar:
        p = query.get_proposal(ar, source, pid)
        src = query.source(ar, source) or {}
        mine = query.vote_of(ar, source, pid, addresses)
        from wallet.cache import vote_parts
        from wallet.services.weights import my_weights

        extra = src.get("extra") or {}
        denom = Denom(str(extra.get("symbol") or "votes"), "base", int(extra.get("decimals", 18)))
        partial, votes = _vote_rows(ar, source, pid, None, 200, denom)
        my_parts = vote_parts.parts_of(ar, source, pid, mine["voter"]) if mine else []
        weights = my_weights(ar, source, p, addresses, src)

    def amt(v: int) -> str:
        return weight_text(v, denom)

    created_block = f" (block {p['created_block']})" if p.get("created_block") else ""
    timeline = [("created", when(p["created_at"]) + created_block)]
    est = " (estimated)" if p["clock"] == "blocknumber" and p["end_ts"] and p["end_ts"] > now else ""
    timeline.append(("voting opens", when(p["start_ts"])))
    timeline.append(("voting closes", when(p["end_ts"]) + est
                     + (f" · {until(p['end_ts'], now)}" if p["status"] in ("pending", "active") else "")))
    if p.get("queued_eta"):
        timeline.append(("queued", f"executable after {when(p['queued_eta'])}"))
    if p.get("executed_at") or p["status"] == "executed":
        timeline.append(("executed", when(p.get("executed_at"))))
    if p.get("canceled_at") or p["status"] == "canceled":
        timeline.append(("canceled", when(p.get("canceled_at"))))
    total = sum(int(t["weight"]) for t in p["tally"])
    tally = [TallyLine(choice=clean(t["choice"], limit=24), weight=int(t["weight"]), amount=amt(int(t["weight"])),
                       permille=(int(t["weight"]) * 1000 // total) if total else 0) for t in p["tally"]]
    q = quorum_of(p, src)
    quorum, counted = q.required, q.counted
    if quorum is None:
        qtext = "quorum: not recorded"
    elif q.reached:
        qtext = f"quorum {amt(quorum)}: reached ({amt(counted)} counted)"
    else:
        qtext = f"quorum {amt(quorum)}: not reached ({amt(quorum - counted)} short)"
    labels = {t["choice"] for t in p["tally"]}
    threshold = ("threshold: more FOR than AGAINST" if {"for", "against"} & labels or not labels
                 else "threshold: the protocol's own rule (see the network)")
    if mine:
        my = f"{mine['voter']} voted {clean(mine['choice']).upper()} with {amt(int(mine['weight']))}"
        my += split_note(my_parts, amt)
        if mine.get("reason"):
            my += f" — {clean(mine['reason'], limit=200)}"
    else:
        my = "not voted" + (" (voting is open)" if p["status"] == "active" else "")
    return ProposalView(
        source=source, id=pid, title=clean(p["title"], limit=300) or "(untitled)", status=p["status"],
        native_status=clean(p["native_status"], limit=40), proposer=clean(p["proposer"], limit=80),
        body=clean(p["body"], multiline=True), timeline=timeline, tally=tally, total_weight=total,
        quorum=quorum, quorum_text=qtext, counted_for_quorum=counted, threshold_text=threshold,
        quorum_reached=q.reached,
        actions=[clean(a.get("summary") or a.get("target", ""), limit=300) for a in p["actions"]],
        votes=votes, partial_votes=partial, my_weight=weights,
        my_weight_text="\n".join(f"weight{' of ' + w.voter if len(weights) > 1 else ''}: {w.text(amt)}"
                                  for w in weights),
        vote_count=int(p["vote_count"]), my_vote=my, symbol=denom.symbol, decimals=denom.decimals,
        choices=[(str(c["key"]), clean(c["label"], limit=40)) for c in p["choices"]],
        is_active=p["status"] == "active",
        state=state_of(p["status"], start_ts=p["start_ts"], end_ts=p["end_ts"], synced_at=src.get("synced_at"),
                       now=now),
        vote_type="" if fixed_choices(source, src) else str((p.get("extra") or {}).get("type") or ""),
        raw=p, source_row=src, mine=mine)


def search_votes(source: str, pid: str, text: str, limit: int = 200) -> list[dict[str, str]]:
    from wallet.cache import open_archive, query
    from wallet.units import Denom

    with open_archive(readonly=True) as ar:
        src = query.source(ar, source) or {}
        extra = src.get("extra") or {}
        denom = Denom(str(extra.get("symbol") or "votes"), "base", int(extra.get("decimals", 18)))
        return _vote_rows(ar, source, pid, text.strip() or None, limit, denom)[1]


def _vote_rows(ar: Archive, source: str, pid: str, search: str | None, limit: int,
               denom: Any) -> tuple[bool, list[dict[str, str]]]:
    """(partial, rows) for the votes list: one row per voter, or on a fractional Governor one per partial
    vote, its choice column the split and its weight "40 PDT of 60 PDT" when the voter cast several."""
    from wallet.cache import query, vote_parts
    from wallet.units import weight_text

    def amt(v: Any) -> str:
        return weight_text(int(v), denom)

    if vote_parts.has_parts(ar, source, pid):
        rows = vote_parts.part_rows(ar, source, pid, search=search, limit=limit)
        return True, [{"voter": clean(r["voter"], limit=66),
                       "choice": ", ".join(f"{c} {weight_text(int(r[c]), denom, symbol=False)}"
                                           for c in ("for", "against", "abstain") if int(r[c])) or "-",
                       "weight": amt(r["weight"]) + (f" of {amt(r['voter_total'])}" if r["voter_votes"] > 1 else ""),
                       "reason": clean(r["reason"], limit=300)} for r in rows]
    rows = query.votes(ar, source, pid, search=search, limit=limit)
    return False, [{"voter": clean(v["voter"], limit=66), "choice": clean(v["choice"], limit=16),
                    "weight": amt(v["weight"]), "reason": clean(v["reason"], limit=300)} for v in rows]
