"""A voter's weight on one proposal of a Governor that takes partial votes (GovernorCountingFractional):
the weight they had at the proposal's snapshot, what their partial votes used, what is left.

One rule for `polis proposals show` (text and --json), the TUI's proposal screen and the vote plan:
`weight_left` computes what is left; `my_weights` reads the archive (used: the sum of the voter's archived
parts, as the Governor's usedVotes; total: the last DelegateVotesChanged at or before the snapshot, as the
token's getPastVotes); `with_node_totals` asks the node for the totals the archive cannot tell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from wallet.errors import PolisError
from wallet.records import Frozen

if TYPE_CHECKING:
    from wallet.cache.db import Archive


class WeightLeft(Frozen):
    """One voter's weight on a partial-vote proposal (a frozen record: wallet/records.py)."""

    _fields = ("voter", "total", "used", "votes", "total_from")
    voter: str
    total: int | None
    """Voting weight at the proposal's snapshot (base units), None when not known."""
    used: int
    """Weight already cast in partial votes."""
    votes: int = 0
    """Partial votes cast."""
    total_from: str = ""
    """Where `total` came from: "archive", "node" or "" (unknown)."""

    def __init__(self, voter: str, total: int | None, used: int, votes: int = 0, total_from: str = "") -> None:
        self._init(voter=voter, total=total, used=used, votes=votes, total_from=total_from)

    @property
    def remaining(self) -> int | None:
        return None if self.total is None else max(0, self.total - self.used)

    def after(self, this_vote: int) -> int | None:
        """What is left once `this_vote` more is cast."""
        left = self.remaining
        return None if left is None else max(0, left - this_vote)

    def text(self, amt: Callable[[int], str]) -> str:
        """ "100 PDT at the snapshot: 60 PDT used in 2 votes, 40 PDT left" (`amt` formats an amount)."""
        if self.total is None:
            return f"{self.used_text(amt)}; the weight at the snapshot is not in the archive (the node has it)"
        return f"{amt(self.total)} at the snapshot: {self.used_text(amt)}"

    def used_text(self, amt: Callable[[int], str]) -> str:
        """ "60 PDT used in 2 votes, 40 PDT left" ("none used yet" before the first part)."""
        used = (f"{amt(self.used)} used in {self.votes} vote{'s' if self.votes != 1 else ''}" if self.votes
                else "none used yet")
        return used if self.remaining is None else f"{used}, {amt(self.remaining)} left"

    def as_json(self) -> dict[str, Any]:
        """Base units as decimal strings (exact)."""
        return {"voter": self.voter, "total": None if self.total is None else str(self.total),
                "used": str(self.used), "remaining": None if self.remaining is None else str(self.remaining),
                "votes": self.votes, "total_from": self.total_from or None}


def weight_left(voter: str, total: int | None, used: int, votes: int = 0, total_from: str = "") -> WeightLeft:
    return WeightLeft(voter=voter, total=total, used=max(0, int(used)), votes=votes, total_from=total_from)


def takes_partial_votes(ar: Archive, source: str, pid: str, source_row: Mapping[str, Any] | None = None) -> bool:
    """The source's adapter declares partial votes, or the archive holds some for this proposal (not those of
    a GovernorCountingOverridable, whose votes are archived as parts but cast whole)."""
    from wallet.adapters import source_adapter_class
    from wallet.cache import query, vote_parts

    row = source_row if source_row is not None else query.source(ar, source) or {}
    cls = source_adapter_class(source, dict(row))
    if cls is not None and (cls.PARTIAL_VOTES or not cls.parts_are_split_votes(row)):
        return cls.PARTIAL_VOTES
    return vote_parts.has_parts(ar, source, pid)


def my_weights(ar: Archive, source: str, proposal: Mapping[str, Any], addresses: list[str],
               source_row: Mapping[str, Any] | None = None) -> list[WeightLeft]:
    """From the archive, for a proposal that takes partial votes: each of `addresses` that voted on it, or
    (none did) each that had weight at its snapshot. Empty for other proposals."""
    from wallet.cache import vote_parts

    pid = str(proposal["id"])
    if not addresses or not takes_partial_votes(ar, source, pid, source_row):
        return []
    snapshot = proposal.get("start_point") if proposal.get("clock") == "blocknumber" else None
    seen: dict[str, WeightLeft] = {}
    for address in addresses:
        parts = vote_parts.parts_of(ar, source, pid, address)
        total = vote_parts.power_at(ar, source, address, int(snapshot)) if snapshot is not None else None
        if not parts and not total:
            continue
        voter = str(parts[0]["voter"]) if parts else address
        if voter.lower() in seen:
            continue
        seen[voter.lower()] = weight_left(voter, total, sum(int(p["weight"]) for p in parts), len(parts),
                                          "archive" if total is not None else "")
    voted = [w for w in seen.values() if w.votes]
    return voted or list(seen.values())


def with_node_totals(source: str, pid: str, weights: list[WeightLeft]) -> tuple[list[WeightLeft], str]:
    """Ask the node for the snapshot weight of those whose total the archive cannot tell. Returns the
    weights and a warning ("" when none): an unreachable node leaves them unknown."""
    if all(w.total is not None for w in weights):
        return weights, ""
    from wallet.adapters import adapter_for

    out: list[WeightLeft] = []
    try:
        ad = adapter_for(source)
    except PolisError as exc:
        return weights, f"weight at the snapshot not asked ({exc})"
    warning = ""
    try:
        for w in weights:
            if w.total is None and not warning:
                try:
                    w = WeightLeft(w.voter, int(ad.voting_power(w.voter, pid)), w.used, w.votes, total_from="node")
                except PolisError as exc:
                    warning = f"weight at the snapshot unknown: {exc}"
            out.append(w)
    finally:
        ad.close()
    return out, warning
