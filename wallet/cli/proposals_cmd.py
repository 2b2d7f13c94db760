"""`polis proposals list|due|show|votes`: reads from the archive, no network unless --refresh."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from wallet.cli.output import ago, emit_json, err, out, style, table, until, when
from wallet.textsafe import clean

if TYPE_CHECKING:
    from wallet.cache.db import Archive


def run(args: argparse.Namespace) -> int:
    if getattr(args, "network", None):  # the networks (TOML) are read only for a -n filter
        from wallet.network_tables import checked_source

        if isinstance(args.network, list):
            args.network = [checked_source(n) for n in args.network]
        else:
            args.network = checked_source(args.network)
    if args.verb == "simulate":
        from wallet.cli import simulate_cmd

        return simulate_cmd.run(args)
    return {"list": _list, "due": _list, "show": _show, "votes": _votes}[args.verb](args)


def _open() -> Archive:
    from wallet.cache import open_archive

    return open_archive(readonly=True)


def _refresh(sources: list[str]) -> None:
    """Sync first; when the node is down, say so and answer from the archive."""
    from wallet.errors import PolisError
    from wallet.sync import expand_targets, sync_sources

    try:
        outcome = sync_sources(expand_targets(sources))
    except PolisError as exc:
        err(f"warning: could not refresh ({exc}); answering from the archive")
        return
    for src, msg in outcome.errors.items():
        err(f"warning: {src}: {msg}; answering from the archive")


def _token(extra: dict[str, Any] | None) -> tuple[str, int]:
    extra = extra or {}
    return str(extra.get("symbol", "")), int(extra.get("decimals", 18))


def _leader(tally: list[dict[str, Any]]) -> str:
    total = sum(int(t["weight"]) for t in tally)
    if not tally or total == 0:
        return "-"
    best = max(tally, key=lambda t: int(t["weight"]))
    return f"{best['choice']} {int(best['weight']) * 100 // total}%"


def _short(pid: str) -> str:
    return pid if len(pid) <= 12 else pid[:10] + "…"


def _age_note(ar: Archive, sources: list[str] | None = None) -> tuple[int | None, str]:
    from wallet.cache import query

    ts = query.oldest_sync(ar)
    return ts, f"archive synced {ago(ts)}" if ts else "archive never synced: run 'polis sync'"


def _governance_notes(ar: Archive, networks: list[str]) -> dict[str, str]:
    """Sources whose adapter recorded why they have no proposals (e.g. a runtime without governance)."""
    from wallet.cache import query

    notes = {}
    for row in query.sources(ar):
        note = (row.get("extra") or {}).get("governance_note")
        if note and (not networks or any(row["id"] == n or row["id"].startswith(n + "/") for n in networks)):
            notes[row["id"]] = str(note)
    return notes


def _list(args: argparse.Namespace) -> int:
    from wallet import status
    from wallet.cache import query
    from wallet.cli.common import my_addresses
    from wallet.errors import BadInput

    due = args.verb == "due"
    if args.limit < 1 or args.offset < 0:
        raise BadInput("--limit must be ≥ 1 and --offset ≥ 0")
    if args.closing_within is not None and args.closing_within < 0:
        raise BadInput("--closing-within must be ≥ 0 days")
    statuses = status.expand(args.status)
    mine = my_addresses(args.account or None)
    if args.refresh and not args.offline:
        _refresh(args.network)
    f = query.ProposalFilter(
        sources=args.network, statuses=statuses, search=args.search,
        needs_vote_of=mine if (args.needs_my_vote or due) else None,
        closing_within=int(args.closing_within * 86400) if args.closing_within is not None else None,
        limit=args.limit, offset=args.offset, order=args.order)
    with _open() as ar:
        notes = _governance_notes(ar, args.network)
        if f.search:  # one read of the full-text index for the page and the count
            rows, count = query.list_and_count(ar, f)
        else:
            rows = query.list_proposals(ar, f)
            count = query.count_proposals(ar, f) if len(rows) == args.limit or args.offset else 0
        total = count if (len(rows) == args.limit or args.offset) else len(rows) + args.offset
        my = query.my_votes_map(ar, [(r["source"], r["id"]) for r in rows], mine)
        synced, note = _age_note(ar)
        synced_by = dict(ar.conn.execute("SELECT id, synced_at FROM sources").fetchall()) if rows else {}
    now = int(time.time())
    if args.json:
        for r in rows:
            r["my_vote"] = my.get((r["source"], r["id"]))
        emit_json({"total": total, "total_is_lower_bound": total > query.COUNT_CAP, "offset": args.offset,
                   "archive": {"synced_at": synced,
                   "age_seconds": None if synced is None else now - synced}, "notes": notes, "proposals": rows})
        return 0
    for source, note in notes.items():
        out(f"{source}: {note}")
    if not rows:
        out("no proposals match" + ("" if synced else " (the archive is empty: run 'polis sync')"))
    else:
        from wallet.services.proposal_state import state_of

        def shown_status(r: dict[str, Any]) -> str:  # the core's rule: a stale "active" says so
            return state_of(r["status"], start_ts=r["start_ts"], end_ts=r["end_ts"],
                            synced_at=synced_by.get(r["source"]), now=now).short

        table(["SOURCE", "ID", "STATUS", "CLOSES", "MY VOTE", "LEADER", "TITLE"],
              [[r["source"], _short(r["id"]), shown_status(r),
                until(r["end_ts"], now) if r["status"] in status.OPEN_STATUSES else when(r["end_ts"])[:10],
                my.get((r["source"], r["id"]), "-" if r["status"] != "active" else "none"),
                _leader(r["tally"]), r["title"]] for r in rows],
              max_width={6: 60, 0: 24})
        of = f"more than {query.COUNT_CAP:,}" if total > query.COUNT_CAP else f"{total:,}"
        shown = f"{args.offset + 1}–{args.offset + len(rows)} of {of}"
        err(style(f"{shown} · {note}", "2", sys.stderr))
    return 0


def _show(args: argparse.Namespace) -> int:
    from wallet.cache import query
    from wallet.cli.common import my_addresses
    from wallet.units import Denom, weight_text

    if args.refresh and not args.offline:
        _refresh([args.network] if args.network else [])
    mine = my_addresses(args.account or None)
    with _open() as ar:
        src, pid = query.resolve_proposal(ar, args.id, args.network)
        p = query.get_proposal(ar, src, pid)
        my_vote = query.vote_of(ar, src, pid, mine)
        from wallet.cache import vote_parts

        my_parts = vote_parts.parts_of(ar, src, pid, my_vote["voter"]) if my_vote else []
        source_row = query.source(ar, src) or {}
        from wallet.services.weights import my_weights, with_node_totals

        weights = my_weights(ar, src, p, mine, source_row)
        from wallet.simulate import latest as latest_simulation

        simulation = latest_simulation(ar, src, pid)
        synced, note = _age_note(ar)
    if weights and not args.offline:  # a snapshot weight the archive cannot tell is asked of the node
        weights, warning = with_node_totals(src, pid, weights)
        if warning:
            err(f"warning: {warning}")
    symbol, decimals = _token(source_row.get("extra"))
    if args.json:
        p["my_vote"] = my_vote
        p["my_vote_parts"] = [{k: part[k] for k in ("against", "for", "abstain", "weight", "block", "tx", "reason")}
                              for part in my_parts]
        p["my_weight"] = [w.as_json() for w in weights]
        p["token"] = {"symbol": symbol, "decimals": decimals}
        p["archive"] = {"synced_at": source_row.get("synced_at")}
        p["simulation"] = simulation
        from wallet.services.proposals import quorum_of

        q = quorum_of(p, source_row)
        p["quorum_status"] = {"counted": str(q.counted), "reached": q.reached,
                              "choices": sorted(q.choices) if q.choices is not None else None}
        emit_json(p)
        return 0
    denom = Denom(symbol or "votes", "base", decimals)
    out(style(clean(p["title"]), "1"))
    out(f"{src}:{pid}")
    from wallet.services.proposal_state import state_of

    st = state_of(p["status"], start_ts=p["start_ts"], end_ts=p["end_ts"], synced_at=source_row.get("synced_at"))
    out(f"status {st.text} ({clean(p['native_status'], limit=40)}) · proposer {clean(p['proposer'], limit=80)}"
        f" · {p['vote_count']} votes archived")
    out("")
    out(style("Timeline", "1"))
    out(f"  created   {when(p['created_at'])}" + (f" (block {p['created_block']})" if p["created_block"] else ""))
    unit = "block" if p["clock"] == "blocknumber" else "time"
    est = " (estimated)" if p["clock"] == "blocknumber" and p["end_ts"] and p["end_ts"] > time.time() else ""
    out(f"  voting    {when(p['start_ts'])} → {when(p['end_ts'])}{est}"
        + (f"  [{unit} {p['start_point']} → {p['end_point']}]" if unit == "block" else ""))
    if p["queued_eta"]:
        out(f"  queued    executable after {when(p['queued_eta'])}")
    if p["executed_at"] or p["status"] == "executed":
        out(f"  executed  {when(p['executed_at'])}")
    if p["canceled_at"] or p["status"] == "canceled":
        out(f"  canceled  {when(p['canceled_at'])}")
    out("")
    out(style("Tally", "1"))
    total = sum(int(t["weight"]) for t in p["tally"]) or 0
    for t in p["tally"]:
        w = int(t["weight"])
        # One drawing rule with the TUI: a choice's bar is its share of the votes cast.
        from wallet.services.tally_view import percent_text, share_bar

        out(f"  {clean(t['choice'], limit=40):<14} {weight_text(w, denom):>24}  "
            f"{percent_text(w, total):>6} {share_bar(w, total, 20)}")
    if p["quorum"] is not None:
        needed = int(p["quorum"])
        from wallet.services.proposals import quorum_of

        counted = quorum_of(p, source_row).counted  # the choices the source's adapter counts
        from wallet.services.tally_view import turnout_bar

        out(f"  quorum         {weight_text(needed, denom):>24}  "
            + ("reached" if counted >= needed else
               f"not reached ({weight_text(needed - counted, denom)} short)"))
        out(f"  turnout        {weight_text(counted, denom):>24}  "
            f"{turnout_bar(counted, needed, 27)} (┃ = quorum)")
    out("")
    out(style("My vote", "1"))
    if my_vote:
        weight = weight_text(int(my_vote["weight"]), denom)
        from wallet.services.proposals import split_note

        out(f"  {my_vote['voter']} voted {clean(my_vote['choice'], limit=80).upper()} with {weight}"
            + split_note(my_parts, lambda n: weight_text(n, denom))
            + (f" — {clean(my_vote['reason'], limit=200)}" if my_vote["reason"] else ""))
    else:
        out("  not voted" + (" (voting is open)" if p["status"] == "active" else ""))
    for left in weights:  # partial votes: the weight at the snapshot, used and left
        out(f"  weight{' of ' + left.voter if len(weights) > 1 else ''}: "
            f"{left.text(lambda n: weight_text(n, denom))}")
    if p["actions"]:
        out("")
        out(style("Actions (what it executes)", "1"))
        for i, a in enumerate(p["actions"], 1):
            out(f"  {i}. {clean(a.get('summary') or a['target'])}")
        from wallet.simulate import headline

        out("  " + (headline(simulation) if simulation
                    else "not simulated: 'polis proposals simulate' runs them on a fork"))
    out("")
    out(style("Description", "1"))
    for line in clean(p["body"], multiline=True).splitlines():
        out("  " + line)
    err(style(note, "2", sys.stderr))
    return 0


def _voter_names(source: str, voters: list[str], *, ask: bool) -> dict[str, str]:
    """Names of the voters shown: from the archive, or (--names) asked of the node and kept."""
    from wallet.errors import PolisError
    from wallet.services import names

    network = names.network_of(source)
    if ask and names.has_names(network):
        try:
            return names.refresh(network, voters)
        except PolisError as exc:
            err(f"warning: names not refreshed ({exc}); showing the archived ones")
    return names.cached_for(network, voters)


def names_label(address: str, known: dict[str, str]) -> str:
    from wallet.services.names import label

    return label(address, known)


def _votes(args: argparse.Namespace) -> int:
    from wallet.cache import query
    from wallet.errors import BadInput
    from wallet.units import Denom, weight_text

    if args.limit < 1 or args.offset < 0:
        raise BadInput("--limit must be ≥ 1 and --offset ≥ 0")
    from wallet.cache import vote_parts

    with _open() as ar:
        src, pid = query.resolve_proposal(ar, args.id, args.network)
        voters = int(ar.conn.execute("SELECT count(*) FROM votes WHERE source=? AND proposal_id=?",
                                     (src, pid)).fetchone()[0])
        partial = vote_parts.has_parts(ar, src, pid)  # a fractional Governor: every partial vote is a row
        if partial:
            rows = vote_parts.part_rows(ar, src, pid, search=args.search, limit=args.limit, offset=args.offset,
                                        order=args.order)
            total = vote_parts.count_parts(ar, src, pid)
        else:
            rows = query.votes(ar, src, pid, search=args.search, limit=args.limit, offset=args.offset,
                               order=args.order)
            total = voters
        source_row = query.source(ar, src) or {}
    known = _voter_names(src, [r["voter"] for r in rows], ask=bool(getattr(args, "names", False)))
    for r in rows:
        r["name"] = known.get(str(r["voter"]).lower())
    if args.json:
        emit_json({"source": src, "proposal_id": pid, "total": total, "voters": voters, "partial": partial,
                   "votes": rows})
        return 0
    symbol, decimals = _token(source_row.get("extra"))
    denom = Denom(symbol or "votes", "base", decimals)
    if not rows:
        out("no votes archived for this proposal" + (" match" if args.search else ""))
        return 0
    if partial:
        def bare(n: Any) -> str:
            return weight_text(int(n), denom, symbol=False) if int(n) else "-"

        table(["VOTER", f"FOR {denom.symbol}", "AGAINST", "ABSTAIN", "VOTER TOTAL", "BLOCK", "REASON"],
              [[names_label(r["voter"], known), bare(r["for"]), bare(r["against"]), bare(r["abstain"]),
                f"{weight_text(int(r['voter_total']), denom)} in {r['voter_votes']} "
                f"vote{'s' if r['voter_votes'] > 1 else ''}", r["block"], r["reason"]] for r in rows],
              max_width={6: 50})
        err(style(f"{args.offset + 1}–{args.offset + len(rows)} of {total} partial votes by {voters} voters on "
                  f"{src}:{_short(pid)}", "2", sys.stderr))
        return 0
    table(["VOTER", "CHOICE", "WEIGHT", "BLOCK", "REASON"],
          [[names_label(r["voter"], known), r["choice"], weight_text(int(r["weight"]), denom),
            r["block"] or "-", r["reason"]] for r in rows], max_width={4: 60})
    err(style(f"{args.offset + 1}–{args.offset + len(rows)} of {total} votes on {src}:{_short(pid)}", "2", sys.stderr))
    return 0
