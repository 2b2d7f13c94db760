"""HTTP clients of Snapshot's three services: the hub (GraphQL reads), the sequencer (signed
envelopes) and the score API (`get_vp`). httpx, bounded timeouts, retries with back-off.

Rate limits: without a key the hub allows ~100 requests a minute and answers 429 beyond; every
client here waits what `Retry-After` says (seconds or an HTTP date, capped by `max_wait`) and tries
again. An API key, when configured, goes in the `X-API-KEY` header of hub and score requests.
"""

from __future__ import annotations

import logging
from typing import Any

from wallet.adapters.transport import OverTransport
from wallet.errors import ActionFailed, NodeUnreachable, RpcError

log = logging.getLogger("polis.snapshot")


PROPOSAL_FIELDS = ("id title body choices start end snapshot state type privacy scores scores_total "
                   "scores_state votes quorum network author created space { id name symbol }")
VOTE_FIELDS = "id voter created choice vp reason proposal { id }"

Q_PROPOSALS = (
    "query Proposals($first: Int!, $skip: Int!, $space: String!, $created_gte: Int!) {"
    " proposals(first: $first, skip: $skip, where: {space: $space, created_gte: $created_gte},"
    " orderBy: \"created\", orderDirection: asc) { " + PROPOSAL_FIELDS + " } }")
Q_PROPOSALS_BY_ID = (
    "query ProposalsById($ids: [String]!) {"
    " proposals(first: 1000, where: {id_in: $ids}) { " + PROPOSAL_FIELDS + " } }")
Q_PROPOSAL = (
    "query Proposal($id: String!) { proposal(id: $id) { " + PROPOSAL_FIELDS
    + " strategies { name network params } } }")
Q_VOTES = (
    "query Votes($first: Int!, $skip: Int!, $space: String!, $created_gte: Int!) {"
    " votes(first: $first, skip: $skip, where: {space: $space, created_gte: $created_gte},"
    " orderBy: \"created\", orderDirection: asc) { " + VOTE_FIELDS + " } }")
Q_MY_VOTE = (
    "query MyVote($proposal: String!, $voter: String!) {"
    " votes(first: 1, where: {proposal: $proposal, voter: $voter}) { " + VOTE_FIELDS + " } }")
Q_SPACE = "query Space($id: String!) { space(id: $id) { id name symbol network } }"


class SnapshotHttp(OverTransport):
    """One bounded transport (total deadline, size cap) for hub, sequencer and score URLs, with the
    retry policy above."""

    def __init__(self, *, api_key: str = "", timeout: float | None = None, retries: int = 4, backoff: float = 0.5,
                 max_wait: float = 60.0) -> None:
        from wallet.adapters.transport import Transport, default_deadline

        self.api_key = api_key
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._http = Transport(deadline=timeout if timeout is not None else default_deadline(20.0), retries=retries,
                               backoff=backoff, max_wait=max_wait, max_bytes=64 * 2**20,
                               headers={"content-type": "application/json", "accept": "application/json"})

    def post(self, url: str, body: dict[str, Any], *, keyed: bool = True) -> tuple[int, Any]:
        """POST JSON; retry 429 and 5xx; return (status, decoded body) of the final answer."""
        import orjson

        headers = {"x-api-key": self.api_key} if (keyed and self.api_key) else None

        def garbled(reply: Any) -> bool:
            if not reply.body:
                return False
            try:
                reply.doc = orjson.loads(reply.body)
            except orjson.JSONDecodeError:
                if reply.status >= 400:
                    reply.doc = {"error": bytes(reply.body[:300]).decode("utf-8", "replace")}
                    return False
                return True  # a 200 with truncated or garbled JSON: a broken connection or proxy, retried
            return False

        try:
            reply = self._http.request("POST", url, content=orjson.dumps(body), headers=headers,
                                       retry_garbled=garbled)
        except NodeUnreachable as exc:
            if "rate limiting" in str(exc):
                raise NodeUnreachable(str(exc), hint="set an API key: extra.api_key_env names the variable") from None
            raise
        return reply.status, reply.doc


def _checked(field: str, rows: Any) -> list[dict[str, Any]]:
    from wallet.adapters.snapshot.models import HubProposal, HubVote, checked

    return checked(rows, HubProposal if field == "proposals" else HubVote, field[:-1])


class Hub:
    """GraphQL reads from a Snapshot hub."""

    def __init__(self, http: SnapshotHttp, url: str) -> None:
        self.http = http
        self.url = url

    def query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        status, doc = self.http.post(self.url, {"query": query, "variables": variables})
        if not isinstance(doc, dict):
            raise RpcError(f"the hub at {self.url} answered HTTP {status} without a GraphQL document")
        if doc.get("errors"):
            first = doc["errors"][0]
            msg = first.get("message", first) if isinstance(first, dict) else first
            raise RpcError(f"hub query failed: {str(msg)[:300]}")
        if status >= 400 or not isinstance(doc.get("data"), dict):
            raise RpcError(f"the hub at {self.url} answered HTTP {status}")
        return doc["data"]

    def paged(self, query: str, field: str, variables: dict[str, Any], cursor: int, *,
              page: int) -> list[dict[str, Any]]:
        """Every row with `created >= cursor`, oldest first. Pages move `created_gte` forward and skip
        the rows already seen at the same second, so neither ties nor the hub's skip limit lose rows."""
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        skip = 0
        while True:
            rows = _checked(field, self.query(query, {**variables, "first": page, "skip": skip,
                                                        "created_gte": cursor}).get(field))
            fresh = [r for r in rows if r.get("id") not in seen]
            out.extend(fresh)
            seen.update(str(r.get("id")) for r in fresh)
            if len(rows) < page:
                return out
            last = int(rows[-1].get("created") or cursor)
            if last > cursor:
                skip = sum(1 for r in rows if int(r.get("created") or 0) == last)
                cursor = last
            else:
                skip += len(rows)

    def proposal(self, pid: str) -> dict[str, Any] | None:
        doc = self.query(Q_PROPOSAL, {"id": pid}).get("proposal")
        if doc is None:
            return None
        strategies = doc.get("strategies") if isinstance(doc, dict) else None
        p = _checked("proposals", [doc])[0]
        p["strategies"] = strategies if isinstance(strategies, list) else []
        return p

    def proposals_by_id(self, ids: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i in range(0, len(ids), 200):
            out += _checked("proposals", self.query(Q_PROPOSALS_BY_ID, {"ids": ids[i:i + 200]}).get("proposals"))
        return out

    def my_vote(self, proposal: str, voter: str) -> dict[str, Any] | None:
        rows = _checked("votes", self.query(Q_MY_VOTE, {"proposal": proposal, "voter": voter}).get("votes"))
        return rows[0] if rows else None

    def space(self, space: str) -> dict[str, Any] | None:
        return self.query(Q_SPACE, {"id": space}).get("space")


def get_vp(http: SnapshotHttp, score_url: str, *, address: str, space: str, network: str,
           strategies: list[dict[str, Any]], snapshot: str | int | None) -> int:
    """Voting power from the score API's `get_vp` JSON-RPC method, in base units (10^-18 VP)."""
    from wallet.adapters.snapshot.models import vp_base

    snap: str | int = "latest"
    if snapshot not in (None, "", "latest"):
        snap = int(snapshot)
    body = {"jsonrpc": "2.0", "method": "get_vp", "id": 1,
            "params": {"address": address, "space": space, "network": network, "strategies": strategies,
                       "snapshot": snap, "delegation": False}}
    status, doc = http.post(score_url, body)
    if not isinstance(doc, dict) or doc.get("error") or "result" not in doc:
        err = doc.get("error") if isinstance(doc, dict) else None
        detail = err.get("message", err) if isinstance(err, dict) else err
        raise RpcError(f"the score API could not compute voting power (HTTP {status}): {str(detail)[:200]}")
    return vp_base(doc["result"].get("vp"))


def post_envelope(http: SnapshotHttp, sequencer_url: str, envelope: dict[str, Any]) -> dict[str, Any]:
    """Send {address, sig, data} to the sequencer; its receipt {id, ipfs, relayer} or ActionFailed."""
    status, doc = http.post(sequencer_url, envelope, keyed=False)
    if status >= 400 or not isinstance(doc, dict) or doc.get("error"):
        desc = (doc.get("error_description") or doc.get("error")) if isinstance(doc, dict) else doc
        raise ActionFailed(f"the sequencer refused the vote: {str(desc)[:300]}")
    if not doc.get("id"):
        raise ActionFailed("the sequencer answered without a receipt id")
    return doc
