"""Snapshot hub records into the archive: proposals (with scores), votes, incremental by `created`.

Voting power on Snapshot is a float; the archive keeps integers, so VP is stored scaled by 10^18
(`VP_DECIMALS`) and the source's `extra` says so (symbol, decimals) for offline display.
Proposals whose result may still change (pending, active, or scores not final) are re-read on
every sync by id; everything else is read once.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from wallet.adapters.base import Progress, SyncReport
from wallet.adapters.snapshot import choices as sc
from wallet.adapters.snapshot.client import Q_PROPOSALS, Q_VOTES
from wallet.adapters.snapshot.models import VP_DECIMALS as VP_DECIMALS  # re-exported
from wallet.adapters.snapshot.models import vp_base as vp_base  # re-exported

if TYPE_CHECKING:
    from wallet.adapters.snapshot.adapter import SnapshotAdapter
    from wallet.cache.db import Archive

def status_of(p: dict[str, Any]) -> str:
    """Common status of a hub proposal. Closed ones: `failed` when a quorum was set and missed,
    a basic vote `passed`/`rejected` by For vs Against, any other closed vote `passed` (it has a result)."""
    state = str(p.get("state") or "")
    if state in ("pending", "active"):
        return state
    if state != "closed":
        return "pending"
    quorum, total = vp_base(p.get("quorum")), vp_base(p.get("scores_total"))
    if quorum > 0 and total < quorum:
        return "failed"
    scores = p.get("scores") or []
    if p.get("type") == "basic" and len(scores) >= 2:
        return "passed" if vp_base(scores[0]) > vp_base(scores[1]) else "rejected"
    return "passed"


def proposal_fields(p: dict[str, Any]) -> dict[str, Any]:
    choices = [str(c) for c in (p.get("choices") or [])]
    scores = p.get("scores") or []
    tally = [{"choice": c, "weight": str(vp_base(scores[i] if i < len(scores) else 0))} for i, c in enumerate(choices)]
    quorum = vp_base(p.get("quorum"))
    return {
        "title": str(p.get("title") or ""), "body": str(p.get("body") or ""), "proposer": str(p.get("author") or ""),
        "status": status_of(p), "native_status": str(p.get("state") or ""), "created_at": p.get("created"),
        "start_ts": p.get("start"), "end_ts": p.get("end"), "clock": "timestamp",
        "choices": [{"key": str(i + 1), "label": c} for i, c in enumerate(choices)], "tally": tally,
        "quorum": quorum or None,
        "extra": {"type": p.get("type") or "single-choice", "snapshot": p.get("snapshot"),
                  "network": p.get("network"), "privacy": p.get("privacy") or "",
                  "scores_state": p.get("scores_state") or "", "votes": p.get("votes"),
                  "space": (p.get("space") or {}).get("id") if isinstance(p.get("space"), dict) else None},
    }


def vote_row(source: str, v: dict[str, Any], kind: str, choices: list[str]) -> tuple[Any, ...]:
    pid = (v.get("proposal") or {}).get("id") if isinstance(v.get("proposal"), dict) else v.get("proposal")
    return (source, str(pid), str(v.get("voter") or ""), sc.label(kind, choices, v.get("choice")),
            str(vp_base(v.get("vp"))), str(v.get("reason") or ""), None, str(v.get("id") or "") or None, None,
            v.get("created"))


def _known(ar: Archive, source: str) -> dict[str, tuple[str, list[str], str, str]]:
    """id -> (vote type, choice labels, status, scores_state) of the archived proposals of a source."""
    out = {}
    for pid, choices, extra, status in ar.conn.execute(
            "SELECT id, choices, extra, status FROM proposals WHERE source=?", (source,)):
        ex = json.loads(extra or "{}")
        out[pid] = (str(ex.get("type") or "single-choice"), [c["label"] for c in json.loads(choices or "[]")],
                    status, str(ex.get("scores_state") or ""))
    return out


def sync_space(ad: SnapshotAdapter, ar: Archive, progress: Progress | None) -> SyncReport:
    from wallet.cache import query, store

    source, space = ad.source, ad.space
    hub = ad.hub
    rep = SyncReport(source=source)
    row = query.source(ar, source) or {}
    extra = dict(row.get("extra") or {})
    p_cursor = int(row.get("cursor") or 0)
    v_cursor = old_v_cursor = int(extra.get("votes_cursor") or 0)
    rep.from_point = p_cursor
    t0 = ad.http.round_trips
    if "name" not in extra:
        info = hub.space(space)
        if info is None:
            from wallet.errors import BadInput

            raise BadInput(f"the hub has no space {space!r}", hint="check the id (e.g. ens.eth) on snapshot.box")
        extra.update({"name": str(info.get("name") or space), "symbol": str(info.get("symbol") or "VP"),
                      "network": str(info.get("network") or "")})
    extra.update({"decimals": VP_DECIMALS, "hub": ad.hub.url, "space": space,
                  "vp_note": "VP is Snapshot voting power (a float), stored in units of 10^-18"})
    if progress:
        progress(0, 3, "proposals")
    known = _known(ar, source)
    fresh = hub.paged(Q_PROPOSALS, "proposals", {"space": space}, p_cursor, page=ad.settings.page_size)
    stale = [pid for pid, (_t, _c, status, scores_state) in known.items()
             if status in ("pending", "active") or (scores_state and scores_state != "final")]
    fresh_ids = {p.get("id") for p in fresh}
    again = hub.proposals_by_id([s for s in stale if s not in fresh_ids]) if stale else []
    if progress:
        progress(1, 3, "votes")
    votes = hub.paged(Q_VOTES, "votes", {"space": space}, v_cursor, page=ad.settings.page_size)
    with ar.conn:
        store.upsert_source(ar, source, network=ad.network.key, protocol="snapshot", kind="snapshot",
                            chain_id=str(ad.network.chain_id), extra=extra)
        for p in fresh + again:
            if not isinstance(p, dict) or not p.get("id"):
                continue
            fields = proposal_fields(p)
            pid = str(p["id"])
            if pid not in known:
                rep.new_proposals += 1
            elif p in again or int(p.get("created") or 0) > rep.from_point:
                rep.updated_proposals += 1
            store.upsert_proposal(ar, source, pid, fields)
            known[pid] = (fields["extra"]["type"], [c["label"] for c in fields["choices"]], fields["status"], "")
            p_cursor = max(p_cursor, int(p.get("created") or 0))
        rows = []
        touched: set[str] = set()
        for v in votes:
            ref = v.get("proposal")
            of: str | None = ref.get("id") if isinstance(ref, dict) else None
            kind, labels = (known[of][0], known[of][1]) if of in known else ("single-choice", [])
            rows.append(vote_row(source, v, kind, labels))
            touched.add(str(of))
            v_cursor = max(v_cursor, int(v.get("created") or 0))
        if rows:
            store.insert_votes(ar, rows)
        # The cursors are inclusive (created_gte): the newest rows of the last sync come back each time.
        rep.votes = sum(1 for v in votes if int(v.get("created") or 0) > old_v_cursor) if old_v_cursor else len(rows)
        if touched:
            store.refresh_vote_counts(ar, source, sorted(touched))
        extra["votes_cursor"] = v_cursor
        store.upsert_source(ar, source, network=ad.network.key, protocol="snapshot", kind="snapshot",
                            chain_id=str(ad.network.chain_id), extra=extra)
        store.set_cursor(ar, source, p_cursor, int(time.time()))
    if progress:
        progress(3, 3, "done")
    rep.to_point = p_cursor
    rep.round_trips = ad.http.round_trips - t0
    rep.noop = not (rep.new_proposals or rep.updated_proposals or rep.votes)
    if ad.http.waited:
        rep.warnings.append(f"the hub rate-limited or failed; waited {ad.http.waited:.1f} s in back-off")
    return rep
