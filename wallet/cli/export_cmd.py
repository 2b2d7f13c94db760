"""`polis export proposals|votes`: CSV or JSON from the archive, streamed row by row.

Titles, bodies and reasons are strangers' text: control and bidi characters are removed (JSON escapes
them instead, keeping the data), and a CSV cell that a spreadsheet would run as a formula (starting
with = + - @, a tab or a CR) is prefixed with a quote, as OWASP recommends for CSV injection.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any, TextIO

from wallet.errors import BadInput
from wallet.textsafe import clean, json_escape

PROPOSAL_FIELDS = ["source", "id", "title", "status", "native_status", "proposer", "created_at", "start_ts",
                   "end_ts", "start_point", "end_point", "quorum", "tally", "vote_count", "body"]
VOTE_FIELDS = ["source", "proposal_id", "voter", "choice", "weight", "reason", "block", "tx", "timestamp",
               "for", "against", "abstain"]
# A voter's partial votes (GovernorCountingFractional) are exported one row each with its split, in place
# of the summed row in `votes`; a whole vote has no split (empty cells, null in JSON).
_PART_CHOICE = ("CASE WHEN against = '0' AND abstain = '0' THEN 'for' WHEN for_weight = '0' AND abstain = '0' "
                "THEN 'against' WHEN for_weight = '0' AND against = '0' THEN 'abstain' ELSE 'split' END")
_VOTES_SQL = (
    "SELECT source, proposal_id, voter, choice, weight, reason, block, tx, timestamp, NULL, NULL, NULL, log_index "
    "FROM votes v WHERE {clause} AND NOT EXISTS (SELECT 1 FROM vote_parts p WHERE p.source = v.source "
    "AND p.proposal_id = v.proposal_id AND p.voter = v.voter) "
    f"UNION ALL SELECT source, proposal_id, voter, {_PART_CHOICE}, weight, reason, block, tx, timestamp, "
    "for_weight, against, abstain, log_index FROM vote_parts WHERE {clause} ORDER BY 1, 7, 13")


def run(args: argparse.Namespace) -> int:
    from wallet.cache import open_archive, query
    from wallet.network_tables import checked_source
    from wallet.paths import ReplacingWriter

    args.network = [checked_source(n) for n in args.network]
    if args.voter is not None:
        from wallet.addresses import check_address_shape

        args.voter = check_address_shape(args.voter, "--voter")
    target = ReplacingWriter(args.out) if args.out else None
    with open_archive(readonly=True) as ar:
        where, params = [], []
        for s in args.network:
            where.append("(source = ? OR source LIKE ?)")
            params += [s, f"{s}/%"]
        clause = f"({' OR '.join(where)})" if where else "1"
        if args.what == "proposals":
            if args.proposal or args.voter:
                raise BadInput("--proposal and --voter apply to votes")
            sql = f"SELECT {', '.join(PROPOSAL_FIELDS)} FROM proposals WHERE {clause} ORDER BY created_at, pk"
            fields = PROPOSAL_FIELDS
        else:
            if args.proposal:
                src, pid = query.resolve_proposal(ar, args.proposal, args.network[0] if args.network else None)
                clause += " AND source = ? AND proposal_id = ?"
                params += [src, pid]
            if args.voter:
                clause += " AND lower(voter) = ?"
                params.append(args.voter.lower())
            sql = _VOTES_SQL.format(clause=clause)
            params += params
            fields = VOTE_FIELDS
        cur = ar.conn.execute(sql, params)
        if target is None:
            n = _write(sys.stdout, args.format, fields, cur)
        else:
            with target as stream:
                n = _write(stream, args.format, fields, cur)
    if args.out:
        sys.stderr.write(f"wrote {n} {args.what} to {args.out}\n")
    return 0


def _write(stream: TextIO, fmt: str, fields: list[str], cur: Any) -> int:
    n = 0
    if fmt == "csv":
        w = csv.writer(stream)
        w.writerow(fields)
        for row in cur:
            w.writerow([csv_cell(c) for c in row[:len(fields)]])
            n += 1
        return n
    stream.write("[")
    for row in cur:
        doc = dict(zip(fields, row[:len(fields)], strict=True))
        if "tally" in doc and isinstance(doc["tally"], str):
            doc["tally"] = json.loads(doc["tally"])
        stream.write(("," if n else "") + "\n  " + json_escape(json.dumps(doc, ensure_ascii=False)))
        n += 1
    stream.write("\n]\n" if n else "]\n")
    return n


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell safe for terminals and spreadsheets: text cleaned of control/bidi characters (line
    breaks kept, the CSV writer quotes them) and a leading formula character neutralised with `'`."""
    if not isinstance(value, str):
        return value
    value = clean(value, multiline=True)
    return "'" + value if value.startswith(_FORMULA_START) else value
