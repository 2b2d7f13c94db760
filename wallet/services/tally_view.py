"""One rule for drawing a tally, used by the TUI's tally bars and `polis proposals show`:

- each choice's bar is its share of all votes cast (60 % FOR fills 60 % of the bar, whatever the quorum);
- turnout is a bar of its own, on the scale max(counted, quorum), with the quorum marked by `┃`;
- widths are integer cells (integer arithmetic on base units, never floats).

`history` turns the archived votes of one proposal into cumulative series per choice and of the
turnout counted toward quorum, bucketed over the voting period, for a picture of how the vote grew.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from wallet.records import Value

FULL, EMPTY, MARK = "█", "░", "┃"


def cells(part: int, whole: int, width: int) -> int:
    """How many of `width` cells `part` of `whole` fills (rounded down; a non-zero part shows one cell)."""
    if whole <= 0 or part <= 0 or width <= 0:
        return 0
    return max(1, min(width, part * width // whole))


def share_bar(weight: int, total: int, width: int) -> str:
    n = cells(weight, total, width)
    return FULL * n + EMPTY * (width - n)


def permille(weight: int, total: int) -> int:
    return weight * 1000 // total if total > 0 else 0


def percent_text(weight: int, total: int) -> str:
    p = permille(weight, total)
    return f"{p // 10}.{p % 10}%"


def turnout_bar(counted: int, quorum: int | None, width: int) -> str:
    """Counted weight against the quorum: filled to `counted`, `┃` where the quorum falls."""
    if not quorum:
        return share_bar(counted, counted, width) if counted else EMPTY * width
    scale = max(counted, quorum)
    n = cells(counted, scale, width)
    pos = min(width - 1, quorum * width // scale)
    bar = [FULL if i < n else EMPTY for i in range(width)]
    bar[pos] = MARK
    return "".join(bar)


class TallyHistory(Value):
    """One proposal's votes as cumulative series (a plain record: wallet/records.py)."""

    _fields = ("edges", "axis", "choices", "turnout", "quorum", "votes")
    edges: list[int]
    """Bucket ends (unix seconds, or block numbers when votes carry no time), ascending."""
    axis: str
    """"time" or "block"."""
    choices: dict[str, list[int]]
    """Cumulative weight per choice at each bucket end."""
    turnout: list[int]
    """Cumulative weight counted toward quorum at each bucket end."""
    quorum: int | None
    votes: int

    def __init__(self, edges: list[int] | None = None, axis: str = "time", choices: dict[str, list[int]] | None = None,
                 turnout: list[int] | None = None, quorum: int | None = None, votes: int = 0) -> None:
        self.edges = [] if edges is None else edges
        self.axis = axis
        self.choices = {} if choices is None else choices
        self.turnout = [] if turnout is None else turnout
        self.quorum = quorum
        self.votes = votes


def history(votes: Sequence[tuple[str, int, int | None, int | None]], *, start: int | None, end: int | None,
            quorum: int | None, counted: Collection[str] | None, buckets: int = 40) -> TallyHistory:
    """`votes`: (choice, weight, timestamp, block). `counted`: the choices that count toward quorum
    (None: all of them). Votes without a time are placed by block."""
    timed = [v for v in votes if v[2] is not None]
    axis = "time" if timed and len(timed) == len(votes) else "block"
    pts = [(int((v[2] if axis == "time" else v[3]) or 0), v[0], v[1]) for v in votes]
    if not pts:
        return TallyHistory(axis=axis, quorum=quorum)
    lo = min(p[0] for p in pts)
    hi = max(p[0] for p in pts)
    if axis == "time":
        lo = min(lo, start) if start else lo
        hi = max(hi, end) if end and end > lo else hi
    span = max(1, hi - lo)
    buckets = max(1, buckets)
    edges = [lo + span * (i + 1) // buckets for i in range(buckets)]
    names = list(dict.fromkeys(p[1] for p in pts))
    add = {c: [0] * buckets for c in names}
    for t, c, w in pts:
        b = min(buckets - 1, (t - lo) * buckets // span)
        add[c][b] += w
    cum: dict[str, list[int]] = {}
    for c in names:
        run, series = 0, []
        for x in add[c]:
            run += x
            series.append(run)
        cum[c] = series
    turnout = [sum(cum[c][i] for c in names if counted is None or c in counted) for i in range(buckets)]
    return TallyHistory(edges=edges, axis=axis, choices=cum, turnout=turnout, quorum=quorum, votes=len(pts))


def load_history(source: str, pid: str, *, buckets: int = 40) -> TallyHistory:
    """The archived votes of one proposal as cumulative series (archive only; one primary-key range read)."""
    from wallet.adapters import source_adapter_class
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        p = query.get_proposal(ar, source, pid)
        src = query.source(ar, source) or {}
        rows = ar.conn.execute("SELECT choice, weight, timestamp, block FROM votes WHERE source=? AND proposal_id=?",
                               (source, pid)).fetchall()
    quorum = int(p["quorum"]) if p.get("quorum") not in (None, "") else None
    # the choices counted toward quorum as the tally's quorum line counts them (`proposals.quorum_of`)
    cls = source_adapter_class(source, src)
    counted: Collection[str] | None = cls.quorum_choices(p, src) if cls is not None else None
    votes = [(str(c).lower(), int(w), t, b) for c, w, t, b in rows]
    return history(votes, start=p.get("start_ts"), end=p.get("end_ts"), quorum=quorum, counted=counted,
                   buckets=buckets)
