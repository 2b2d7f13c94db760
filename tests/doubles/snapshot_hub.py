"""A loopback Snapshot: hub (GraphQL), sequencer and score API in one HTTP server, for tests.

- Hub `POST /graphql`: a real GraphQL executor (graphql-core) over a subset of the hub's schema, so a
  query with a wrong field, argument or variable type fails as it would on hub.snapshot.org. Data are
  the real hub records in tests/data/snapshot (votes verbatim; trimmed proposals completed
  with times and scores computed from those votes) plus proposals a test adds.
- Sequencer `POST /sequencer`: takes `{address, sig, data}`; recovers the EIP-712 signer with
  eth-account (not with Polis' own encoder), checks it is `address` and that `from` equals `address`
  exactly (checksummed), the domain, a Vote layout the sequencer lists, reason ≤ 5,000 and app ≤ 24
  characters, that the `choice` type and value are valid for the proposal's vote type, the proposal is active, the
  timestamp is fresh, the voter has power; refuses duplicates; stores the vote so the hub serves it.
- Score `POST /score`: JSON-RPC `get_vp` from a table of powers a test sets.
- Faults: `fail(path, status, count, retry_after=…)` answers the next `count` requests on a path with
  that status (429 with Retry-After, 5xx) before serving normally. Every request is logged.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "snapshot"

SDL = """
scalar Any
enum OrderDirection { asc desc }
type Query {
  space(id: String): Space
  proposal(id: String): Proposal
  proposals(first: Int, skip: Int, where: ProposalWhere, orderBy: String, orderDirection: OrderDirection): [Proposal]
  votes(first: Int, skip: Int, where: VoteWhere, orderBy: String, orderDirection: OrderDirection): [Vote]
}
input ProposalWhere {
  id: String id_in: [String] space: String space_in: [String] state: String
  created_gt: Int created_gte: Int created_lt: Int created_lte: Int
}
input VoteWhere {
  id: String id_in: [String] proposal: String proposal_in: [String] voter: String voter_in: [String]
  space: String space_in: [String] created_gt: Int created_gte: Int created_lt: Int created_lte: Int
}
type Strategy { name: String! network: String params: Any }
type Space { id: String! name: String symbol: String network: String strategies: [Strategy] }
type Proposal {
  id: String! ipfs: String author: String! created: Int! space: Space network: String! type: String
  strategies: [Strategy]! title: String! body: String choices: [String]! start: Int! end: Int!
  snapshot: String state: String privacy: String scores: [Float] scores_total: Float scores_state: String
  votes: Int quorum: Float
}
type Vote {
  id: String! ipfs: String voter: String! created: Int! space: Space! proposal: Proposal choice: Any!
  vp: Float reason: String metadata: Any
}
"""

# Independent of wallet.adapters.snapshot.messages: what the sequencer expects per vote type.
EXPECTED_CHOICE_TYPE = {"single-choice": "uint32", "basic": "uint32", "approval": "uint32[]",
                        "ranked-choice": "uint32[]", "weighted": "string", "quadratic": "string"}
SIDEKICK_SPACE = "sidekick.eth"


def _vote_fields(from_type: str, proposal_type: str, choice_type: str) -> list[dict[str, str]]:
    names = [("from", from_type), ("space", "string"), ("timestamp", "uint64"), ("proposal", proposal_type),
             ("choice", choice_type), ("reason", "string"), ("app", "string"), ("metadata", "string")]
    return [{"name": n, "type": t} for n, t in names]


def _known_layout(fields: Any, proposal: str) -> bool:
    """The Vote layouts the sequencer takes: snapshot.js ≥ 0.14.18 (from string, proposal string) and the
    older ones it still lists (from address; proposal bytes32 for 0x ids)."""
    proposals = ("string", "bytes32") if re.fullmatch(r"0x[0-9a-fA-F]{64}", proposal) else ("string",)
    return any(fields == _vote_fields(f, p, c) for f in ("string", "address") for p in proposals
               for c in ("uint32", "uint32[]", "string"))


def _checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    try:
        return str(to_checksum_address(address))
    except ValueError:
        return ""


def _valid_choice(kind: str, n: int, c: Any) -> bool:
    def is_int(x: Any) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    if kind in ("single-choice", "basic"):
        return is_int(c) and 1 <= c <= n
    if kind in ("approval", "ranked-choice"):
        if not isinstance(c, list) or not all(is_int(x) and 1 <= x <= n for x in c) or len(set(c)) != len(c):
            return False
        return len(c) == n if kind == "ranked-choice" else True
    if kind in ("weighted", "quadratic"):
        try:
            doc = json.loads(c) if isinstance(c, str) else None
        except ValueError:
            return False
        return (isinstance(doc, dict) and bool(doc) and all(str(k).isdigit() and 1 <= int(k) <= n for k in doc)
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in doc.values()))
    return False


def _tally(kind: str, n: int, votes: list[dict[str, Any]]) -> list[float]:
    scores = [0.0] * n
    for v in votes:
        c, vp = v["choice"], float(v.get("vp") or 0)
        if isinstance(c, str) and kind in ("weighted", "quadratic"):
            c = json.loads(c)
        if isinstance(c, dict):
            total = sum(float(x) for x in c.values()) or 1.0
            for k, w in c.items():
                if 1 <= int(k) <= n:
                    scores[int(k) - 1] += vp * float(w) / total
        elif isinstance(c, list):
            picks = [int(x) for x in c][: 1 if kind == "ranked-choice" else None]
            for k in picks:
                if 1 <= k <= n:
                    scores[k - 1] += vp
        elif isinstance(c, int) and 1 <= c <= n:
            scores[c - 1] += vp
    return scores


@dataclass
class HubState:
    spaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    proposals: dict[str, dict[str, Any]] = field(default_factory=dict)
    votes: list[dict[str, Any]] = field(default_factory=list)
    power: dict[tuple[str, str], float] = field(default_factory=dict)
    """(space, lowercase address) -> vp answered by get_vp."""
    digests: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def state_of(self, p: dict[str, Any], now: float | None = None) -> str:
        now = time.time() if now is None else now
        if p.get("fixed_state"):
            return str(p["fixed_state"])
        return "pending" if now < p["start"] else ("active" if now < p["end"] else "closed")

    def view(self, p: dict[str, Any]) -> dict[str, Any]:
        """A proposal as the hub serves it (state and scores computed now)."""
        votes = [v for v in self.votes if v["proposal"] == p["id"]]
        scores = _tally(p["type"], len(p["choices"]), votes)
        state = self.state_of(p)
        return {**p, "state": state, "scores": scores, "scores_total": sum(scores), "votes": len(votes),
                "scores_state": "final" if state == "closed" else "pending",
                "space": self.spaces.get(p["space_id"], {"id": p["space_id"]})}

    def vote_view(self, v: dict[str, Any]) -> dict[str, Any]:
        # graphql-core calls a callable field value: the proposal (and its tally) is computed only when asked for.
        p = self.proposals.get(v["proposal"])
        plain = {"id": p["id"]} if p else None

        def proposal(info: Any, **_: Any) -> dict[str, Any] | None:
            sub = {f.name.value for node in info.field_nodes
                   for f in (node.selection_set.selections if node.selection_set else []) if hasattr(f, "name")}
            return plain if p is None or sub <= {"id"} else self.view(p)

        return {**v, "space": self.spaces.get(v["space_id"], {"id": v["space_id"]}), "proposal": proposal}

    def add_space(self, sid: str, name: str = "", symbol: str = "VP", network: str = "1") -> None:
        self.spaces[sid] = {"id": sid, "name": name or sid, "symbol": symbol, "network": network,
                            "strategies": [{"name": "ticket", "network": network, "params": {"symbol": symbol}}]}

    def add_proposal(self, space: str, pid: str, kind: str, choices: list[str], *, start: int, end: int,
                     created: int | None = None, title: str = "", body: str = "", quorum: float = 0.0,
                     privacy: str = "", fixed_state: str = "", snapshot: str = "19000000") -> dict[str, Any]:
        p = {"id": pid, "ipfs": "bafy" + pid[2:14], "author": "0x" + "ab" * 20, "created": created or start,
             "space_id": space, "network": "1", "type": kind, "title": title or f"{kind} proposal", "body": body,
             "choices": choices, "start": start, "end": end, "snapshot": snapshot, "privacy": privacy,
             "quorum": quorum, "fixed_state": fixed_state,
             "strategies": [{"name": "ticket", "network": "1", "params": {"symbol": "VP"}}]}
        self.proposals[pid] = p
        return p

    def load_fixtures(self) -> None:
        """The six sidekick proposals with their real votes, and aurafinance.eth's weighted gauge vote."""
        self.add_space(SIDEKICK_SPACE, "Sidekick fixtures")
        for f in sorted((FIXTURES / "sidekick").glob("hub-proposal-*.json")):
            rec = json.loads(f.read_text())
            votes = json.loads((FIXTURES / "sidekick" / f.name.replace("hub-proposal-", "hub-votes-")).read_text())
            created = [int(v["created"]) for v in votes]
            self.add_proposal(SIDEKICK_SPACE, rec["id"], rec["type"], rec["choices"], start=min(created) - 60,
                              end=max(created) + 60, created=min(created) - 3600, privacy=rec.get("privacy", ""),
                              fixed_state=rec["state"], title=f"Sidekick fixture {rec['type']} {rec['id'][:10]}")
            for v in votes:
                self.votes.append({"id": "0x" + hashlib.sha256(v["ipfs"].encode() + rec["id"].encode()).hexdigest(),
                                   "ipfs": v["ipfs"], "voter": v["voter"], "created": int(v["created"]),
                                   "space_id": SIDEKICK_SPACE, "proposal": rec["id"], "choice": v["choice"],
                                   "vp": v["vp"], "reason": v.get("reason", ""), "metadata": {}})
        aura = json.loads((FIXTURES / "badger_aura_proposal_by_id_with_strategies.json").read_text())["proposals"][0]
        self.add_space("aurafinance.eth", aura["space"]["name"], "vlAURA")
        p = self.add_proposal("aurafinance.eth", aura["id"], "weighted", aura["choices"], start=aura["start"],
                              end=aura["end"], created=aura["start"] - 600, title=aura["title"], body=aura["body"],
                              snapshot=aura["snapshot"])
        p["strategies"] = aura["strategies"]
        p["author"] = aura["author"]
        for i, v in enumerate(json.loads((FIXTURES / "badger_aura_weighted_votes.json").read_text())["votes"]):
            self.votes.append({"id": "0x" + hashlib.sha256(f"{aura['id']}{v['voter']}".encode()).hexdigest(),
                               "ipfs": "", "voter": v["voter"], "created": aura["start"] + 10 * i,
                               "space_id": "aurafinance.eth", "proposal": aura["id"], "choice": v["choice"],
                               "vp": 1.0, "reason": "", "metadata": {}})


def _match(row: dict[str, Any], where: dict[str, Any], key_of: dict[str, str]) -> bool:
    for k, want in (where or {}).items():
        if want is None:
            continue
        base, _, op = k.partition("_")
        if k.endswith("_in"):
            base, op = k[:-3], "in"
        elif k.startswith("created_"):
            base, op = "created", k[len("created_"):]
        else:
            base, op = k, ""
        have = row.get(key_of.get(base, base))
        if base == "voter" and isinstance(have, str):
            have, want = have.lower(), (want.lower() if isinstance(want, str) else [w.lower() for w in want])
        if op == "" and have != want or op == "in" and have not in want:
            return False
        if op == "gt" and not have > want or op == "gte" and not have >= want:
            return False
        if op == "lt" and not have < want or op == "lte" and not have <= want:
            return False
    return True


def _page(rows: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    order = args.get("orderBy") or "created"
    rows = sorted(rows, key=lambda r: (r.get(order) or 0, r["id"]), reverse=(args.get("orderDirection") != "asc"))
    skip, first = int(args.get("skip") or 0), min(int(args.get("first") or 20), 1000)
    if skip > 5000:
        raise ValueError("The `skip` argument must not be greater than 5000")
    return rows[skip:skip + first]


class Root:
    def __init__(self, st: HubState) -> None:
        self.st = st

    def space(self, info: Any, id: str | None = None) -> dict[str, Any] | None:  # noqa: A002
        return self.st.spaces.get(id or "")

    def proposal(self, info: Any, id: str | None = None) -> dict[str, Any] | None:  # noqa: A002
        p = self.st.proposals.get(id or "")
        return self.st.view(p) if p else None

    def proposals(self, info: Any, **args: Any) -> list[dict[str, Any]]:
        where = dict(args.get("where") or {})
        state = where.pop("state", None)
        rows = [self.st.view(p) for p in self.st.proposals.values()
                if _match(p, where, {"space": "space_id"})]
        if state:
            rows = [r for r in rows if r["state"] == state]
        return _page(rows, args)

    def votes(self, info: Any, **args: Any) -> list[dict[str, Any]]:
        rows = [v for v in self.st.votes if _match(v, args.get("where") or {}, {"space": "space_id"})]
        return [self.st.vote_view(v) for v in _page(rows, args)]


def make_schema():  # type: ignore[no-untyped-def]
    from graphql import build_schema
    from graphql.utilities import value_from_ast_untyped

    schema = build_schema(SDL)
    any_ = schema.type_map["Any"]
    any_.serialize = lambda v: v  # type: ignore[attr-defined]
    any_.parse_value = lambda v: v  # type: ignore[attr-defined]
    any_.parse_literal = lambda node, variables=None: value_from_ast_untyped(node,
                                                                             variables)  # type: ignore[attr-defined]
    return schema


class SnapshotDouble:
    def __init__(self, *, fixtures: bool = True) -> None:
        self.state = HubState()
        if fixtures:
            self.state.load_fixtures()
        self.schema = make_schema()
        self.root = Root(self.state)
        self.log: list[dict[str, Any]] = []
        self._faults: list[tuple[str, int, int, str | None]] = []
        self.relayer = "0x" + "42" * 20
        self._server: ThreadingHTTPServer | None = None

    # --- control --------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, path: str, status: int, count: int = 1, *, retry_after: str | None = None) -> None:
        self._faults.append((path, status, count, retry_after))

    def requests(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.log if r["path"] == path]

    def start(self) -> SnapshotDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                double.log.append({"path": self.path, "t": time.monotonic(), "headers": dict(self.headers.items()),
                                   "body": raw})
                for i, (path, status, count, ra) in enumerate(double._faults):
                    if path == self.path and count > 0:
                        double._faults[i] = (path, status, count - 1, ra)
                        self._send(status, {"error": "injected", "error_description": f"injected HTTP {status}"},
                                   {"Retry-After": ra} if ra else {})
                        return
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    self._send(400, {"error": "client_error", "error_description": "not JSON"})
                    return
                route = {"/graphql": double._graphql, "/sequencer": double._sequencer, "/score": double._score}
                fn = route.get(self.path)
                if fn is None:
                    self._send(404, {"error": "not found"})
                    return
                status, doc = fn(body)
                self._send(status, doc)

            def _send(self, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # --- services -------------------------------------------------------------------------------
    def _graphql(self, body: Any) -> tuple[int, Any]:
        from graphql import graphql_sync

        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return 400, {"errors": [{"message": "Must provide query string."}]}
        with self.state.lock:
            res = graphql_sync(self.schema, body["query"], root_value=self.root,
                               variable_values=body.get("variables"))
        doc: dict[str, Any] = {"data": res.data}
        if res.errors:
            doc["errors"] = [{"message": e.message} for e in res.errors]
        return (400 if res.data is None and res.errors else 200), doc

    def _score(self, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or body.get("method") != "get_vp":
            return 400, {"jsonrpc": "2.0", "error": {"code": 400, "message": "unknown method"}}
        p = body.get("params") or {}
        if not isinstance(p.get("strategies"), list) or not p.get("address") or not p.get("space"):
            return 400, {"jsonrpc": "2.0", "error": {"code": 400, "message": "missing params"}}
        vp = self.state.power.get((p["space"], str(p["address"]).lower()), 0.0)
        return 200, {"jsonrpc": "2.0", "id": body.get("id"),
                     "result": {"vp": vp, "vp_by_strategy": [vp], "vp_state": "final"}}

    def _sequencer(self, body: Any) -> tuple[int, Any]:
        from eth_account import Account
        from eth_account.messages import encode_typed_data

        def refuse(msg: str, status: int = 400) -> tuple[int, Any]:
            return status, {"error": "client_error", "error_description": msg}

        try:
            address, sig, data = body["address"], body["sig"], body["data"]
            domain, types, msg = data["domain"], data["types"], data["message"]
        except (KeyError, TypeError):
            return refuse("wrong envelope format")
        if domain != {"name": "snapshot", "version": "0.1.4"} or list(types) != ["Vote"]:
            return refuse("wrong domain or types")
        if not _known_layout(types["Vote"], str(msg.get("proposal", ""))):
            return refuse("wrong types")  # the sequencer keeps a table of the type hashes it accepts
        if msg.get("from") != address or _checksum(str(address)) != address:
            return refuse("wrong from")  # compared exactly: both checksummed, as snapshot.js sends them
        reason, app = msg.get("reason", ""), msg.get("app", "")
        if not isinstance(reason, str) or len(reason) > 5_000 or not isinstance(app, str) or len(app) > 24:
            return refuse("wrong vote format")  # snapshot.js schemas/vote.json: reason ≤ 5,000, app ≤ 24
        try:
            signable = encode_typed_data(full_message={
                "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}],
                          "Vote": types["Vote"]}, "primaryType": "Vote", "domain": domain, "message": msg})
            recovered = Account.recover_message(signable, signature=bytes.fromhex(str(sig).removeprefix("0x")))
        except Exception as exc:  # noqa: BLE001 - any decoding failure is a bad signature
            return refuse(f"signature validation failed: {type(exc).__name__}", 401)
        if recovered.lower() != str(address).lower():
            return refuse("signature validation failed", 401)
        with self.state.lock:
            p = self.state.proposals.get(str(msg.get("proposal")))
            if p is None or p["space_id"] != msg.get("space"):
                return refuse("unknown proposal")
            now = time.time()
            ts = int(msg.get("timestamp") or 0)
            if ts > now + 30 or ts < now - 300:
                return refuse("wrong timestamp")
            state = self.state.state_of(p, now)
            if state != "active":
                return refuse(f"proposal is {state}")
            ctype = next((f["type"] for f in types["Vote"] if f["name"] == "choice"), None)
            if ctype != EXPECTED_CHOICE_TYPE.get(p["type"]):
                return refuse(f"wrong choice type {ctype} for a {p['type']} proposal")
            if not _valid_choice(p["type"], len(p["choices"]), msg.get("choice")):
                return refuse("invalid choice")
            vp = self.state.power.get((p["space_id"], recovered.lower()), 0.0)
            if vp <= 0:
                return refuse("no voting power")
            digest = "0x" + bytes(signable.header + signable.body).hex()
            vid = "0x" + hashlib.sha256(bytes.fromhex(digest[2:])).hexdigest()
            if vid in self.state.digests:
                return refuse("duplicate vote")
            self.state.digests.add(vid)
            self.state.votes = [v for v in self.state.votes
                                if not (v["proposal"] == p["id"] and v["voter"].lower() == recovered.lower())]
            self.state.votes.append({"id": vid, "ipfs": "bafkrei" + vid[2:40], "voter": recovered,
                                     "created": int(now), "space_id": p["space_id"], "proposal": p["id"],
                                     "choice": json.loads(msg["choice"]) if isinstance(msg["choice"],
                                                                                       str) else msg["choice"],
                                     "vp": vp, "reason": msg.get("reason", ""), "metadata": {}})
        return 200, {"id": vid, "ipfs": "bafkrei" + vid[2:40],
                     "relayer": {"address": self.relayer, "receipt": "0x" + "00" * 65}}
