"""Sync of one Cosmos SDK chain (gov + staking) into the archive.

Incremental: the cursor is the highest proposal id archived. New proposals come from the list in
reverse order until an archived id appears; proposals still in their deposit or voting period are
re-read one by one. Votes are fetched while a proposal is in its voting period, because chains delete
them once it is tallied (cosmos-sdk #2879, #10795): the archive is then the only copy.

Every read happens before the one write transaction, so a node failing half-way leaves the archive
exactly as it was.
"""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from wallet.adapters.base import Progress, SyncReport
from wallet.adapters.cosmos.errors import LcdError
from wallet.adapters.cosmos.models import (
    GovParams,
    TallyV1,
    TallyV1beta1,
    VoteRecord,
    parse_node,
    proposal_fields,
    tally_rows,
)
from wallet.cache import query, store

if TYPE_CHECKING:
    from wallet.adapters.cosmos.adapter import CosmosAdapter
    from wallet.cache.db import Archive

VOTE_PAGE = 500
OPEN_STATUSES = ("deposit", "active", "pending")


def parse_dec(value: Any) -> str:
    """A gov param decimal as sent by any SDK version: "0.334000000000000000", LegacyDec atomics
    ("334000000000000000"), or base64 of either (gogoproto `bytes` customtype through the gateway)."""
    text = str(value or "").strip()
    if not text:
        return ""
    candidates = [text]
    try:
        decoded = base64.b64decode(text, validate=True).decode()
        if decoded.replace(".", "", 1).isdigit():
            candidates.insert(0, decoded)
    except (ValueError, UnicodeDecodeError):
        pass
    for c in candidates:
        try:
            d = Decimal(c)
        except InvalidOperation:
            continue
        if "." not in c and d > 1:
            d = d.scaleb(-18)
        return f"{d.normalize():f}"
    return ""


def fetch_params(ad: CosmosAdapter, version: str) -> dict[str, str]:
    """Quorum, threshold, veto threshold, voting period, min deposit (decimals as strings)."""
    base = f"/cosmos/gov/{version}/params"
    out: dict[str, str] = {}
    try:
        tally = ad.lcd.get(f"{base}/tallying")
        voting = ad.lcd.get(f"{base}/voting")
        deposit = ad.lcd.get(f"{base}/deposit")
    except LcdError:
        return out
    merged: dict[str, Any] = {}
    for doc, key in ((deposit, "deposit_params"), (voting, "voting_params"), (tally, "tally_params")):
        for part in (doc.get(key), doc.get("params")):
            if isinstance(part, dict):
                merged.update({k: v for k, v in part.items() if v not in (None, "", [])})
    p = parse_node(GovParams, merged)
    for k in ("quorum", "threshold", "veto_threshold"):
        out[k] = parse_dec(getattr(p, k))
    out["voting_period"] = p.voting_period
    out["min_deposit"] = str(sum(c.value() for c in p.min_deposit if c.denom == ad.denom.base))
    return out


def fetch_votes(ad: CosmosAdapter, version: str, pid: str) -> list[VoteRecord]:
    votes: list[VoteRecord] = []
    for page in ad.lcd.pages(f"/cosmos/gov/{version}/proposals/{pid}/votes", "votes",
                             limit=max(ad.settings.page_limit, VOTE_PAGE)):
        votes.extend(parse_node(VoteRecord, v) for v in page)
    return votes


def fetch_tally(ad: CosmosAdapter, version: str, pid: str) -> list[dict[str, str]]:
    doc = ad.lcd.get(f"/cosmos/gov/{version}/proposals/{pid}/tally")
    raw = doc.get("tally") or {}
    return tally_rows(parse_node(TallyV1, raw) if version == "v1" else parse_node(TallyV1beta1, raw))


def vault_addresses(prefix: str) -> list[str]:
    """Every vault address re-prefixed for this chain (Cosmos keys and watch-only bech32 addresses)."""
    from wallet.errors import PolisError
    from wallet.keys.cosmos_keys import reprefix
    from wallet.keys.vault import Vault

    out: list[str] = []
    try:
        accounts = Vault().accounts()
    except PolisError:
        return out
    for acc in accounts:
        for fam, addr in acc.addresses.items():
            if fam == "evm" or addr.startswith("0x"):
                continue
            try:
                out.append(reprefix(addr, prefix))
            except PolisError:
                continue
    return list(dict.fromkeys(out))


def sync_chain(ad: CosmosAdapter, ar: Archive, progress: Progress | None = None) -> SyncReport:
    lcd = ad.lcd
    src = ad.source
    rep = SyncReport(source=src)
    trips0 = lcd.round_trips
    ad.check_chain()
    version = ad.gov_version()
    row = query.source(ar, src)
    cursor = row["cursor"] if row and row["cursor"] is not None else None
    known = {r[0]: r[1] for r in ar.conn.execute("SELECT id, status FROM proposals WHERE source=?", (src,))}

    fetched: dict[str, dict[str, Any]] = {}
    for page in lcd.pages(f"/cosmos/gov/{version}/proposals", "proposals", limit=ad.settings.page_limit,
                          reverse=True):
        stop = False
        for raw in page:
            pid, fields = proposal_fields(raw, version, ad.denom.base)
            if cursor is not None and int(pid) <= cursor:
                stop = True
                break
            fetched[pid] = fields
        if progress:
            progress(len(fetched), 0, f"{len(fetched)} new proposals")
        if stop:
            break
    # Archived proposals whose status may still change: re-read them one by one.
    for pid, status in known.items():
        if status in OPEN_STATUSES and pid not in fetched:
            try:
                doc = lcd.get(f"/cosmos/gov/{version}/proposals/{pid}")
            except LcdError as exc:
                if exc.status in (400, 404) and exc.code in (3, 5, None):
                    if status == "deposit":
                        # A proposal that never reached its minimum deposit is deleted from state.
                        fetched[pid] = {"status": "expired", "native_status": "PROPOSAL_DELETED"}
                    else:
                        # Only deposit-period proposals are ever deleted: a node that does not know a
                        # voting or passed one is not proof of anything.
                        rep.warnings.append(f"the node does not know proposal {pid} ({status} in the archive); "
                                            "archive kept")
                    continue
                raise
            fetched[pid] = proposal_fields(doc.get("proposal") or {}, version, ad.denom.base)[1]

    params = fetch_params(ad, version)
    active = [pid for pid, f in fetched.items() if f.get("status") == "active"]
    bonded = 0
    if active:
        pool = lcd.get("/cosmos/staking/v1beta1/pool").get("pool") or {}
        bonded = int(pool.get("bonded_tokens") or 0)
    votes: list[tuple[Any, ...]] = []
    mine = vault_addresses(ad.prefix)
    for n, pid in enumerate(sorted(active, key=int)):
        fields = fetched[pid]
        fields["tally"] = fetch_tally(ad, version, pid)
        if params.get("quorum") and bonded:
            fields["quorum"] = int(Decimal(bonded) * Decimal(params["quorum"]))
        for v in fetch_votes(ad, version, pid):
            votes.append((src, pid, v.voter, v.choice(), "0", v.metadata, None, None, None, None))
        if progress:
            progress(n + 1, len(active), f"votes of proposal {pid}")
    # Validators and my stakes: archived so `polis stake list --offline` and the TUI work offline.
    targets = ad.stake_targets()
    positions = {addr: ad.stakes(addr) for addr in mine}

    rep.votes = len(votes)
    rep.new_proposals = sum(1 for pid in fetched if pid not in known)
    rep.updated_proposals = len(fetched) - rep.new_proposals
    ids = [int(p) for p in fetched] + ([cursor] if cursor is not None else [])
    top = max(ids) if ids else None
    rep.from_point, rep.to_point = cursor, top
    rep.noop = not fetched
    with ar.conn:
        store.upsert_source(ar, src, network=ad.network.key, protocol="cosmos", kind=f"gov-{version}",
                            chain_id=ad.network.chain_id, extra=ad.source_extra(version, params))
        for pid, fields in fetched.items():
            if fields.get("extra"):
                fields["extra"] = {**fields["extra"], "params": params}
            store.upsert_proposal(ar, src, pid, fields)
        if votes:
            # Own votes recorded by `record` carry tx, block and power: keep those columns.
            store.insert_votes(ar, _merge_votes(ar, votes))
        store.refresh_vote_counts(ar, src, list(fetched))
        store.upsert_stake_targets(ar, src, targets)
        for addr, pos in positions.items():
            store.replace_stakes(ar, src, addr, pos)
        store.set_cursor(ar, src, top, top)
    rep.round_trips = lcd.round_trips - trips0
    return rep


def _merge_votes(ar: Archive, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    out = []
    for r in rows:
        prev = ar.conn.execute("SELECT choice, weight, block, tx, timestamp FROM votes WHERE source=? AND "
                               "proposal_id=? AND voter=?", (r[0], r[1], r[2])).fetchone()
        if prev and prev[0] == r[3] and prev[3]:
            out.append((*r[:4], prev[1], r[5], prev[2], prev[3], None, prev[4]))
        else:
            out.append(r)
    return out
