"""A loopback Cosmos SDK LCD node double for the Cosmos adapter's tests.

Real HTTP on 127.0.0.1 with cosmos-sdk's REST response shapes (the captures in
tests/data/cosmos are the templates), gov v1 + v1beta1 or v1beta1-only, pagination with
next_key. Transactions are decoded from `tx_bytes` with cosmpy's protobufs; the double runs the ante
checks a node runs (decode, signer, public key ↔ address, sequence, fee ≥ gas × min gas price,
secp256k1 signature over the SignDoc with its own chain id and the account number, low-S, spendable
balance for the fee), then executes the messages against its state (votes, delegations, unbondings,
redelegations, reward withdrawals) with the SDK's error codes. Faults can be injected per path.

Like CometBFT, the node keeps a cache of the txs it has accepted (mempool or block): the same bytes
broadcast again answer code 19 `ErrTxInMempoolCache` ("tx already exists in cache", as cosmos-sdk's
CheckCometError turns it into a tx_response) instead of being checked again. `kill_before_broadcast`
kills the sender when its broadcast arrives, before the node reads the tx (the send never reached it);
`kill_after_broadcast` kills it right after the node accepted the tx.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "cosmos"
OPTIONS = {1: "VOTE_OPTION_YES", 2: "VOTE_OPTION_ABSTAIN", 3: "VOTE_OPTION_NO", 4: "VOTE_OPTION_NO_WITH_VETO"}
STATUS_NAME = {1: "PROPOSAL_STATUS_DEPOSIT_PERIOD", 2: "PROPOSAL_STATUS_VOTING_PERIOD", 3: "PROPOSAL_STATUS_PASSED",
               4: "PROPOSAL_STATUS_REJECTED", 5: "PROPOSAL_STATUS_FAILED"}
UNBONDING_SECONDS = 21 * 86400
GAS = {"MsgVote": 20_000, "MsgVoteWeighted": 25_000, "MsgDelegate": 90_000, "MsgUndelegate": 100_000,
       "MsgBeginRedelegate": 130_000, "MsgWithdrawDelegatorReward": 60_000}
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def bech32(prefix: str, payload: bytes) -> str:
    from bip_utils import Bech32Encoder

    return str(Bech32Encoder.Encode(prefix, payload))


def unbech32(address: str) -> tuple[str, bytes]:
    from bip_utils import Bech32Decoder

    hrp = address.rpartition("1")[0]
    return hrp, bytes(Bech32Decoder.Decode(hrp, address))


class TxError(Exception):
    def __init__(self, codespace: str, code: int, log: str) -> None:
        super().__init__(log)
        self.codespace, self.code, self.log = codespace, code, log


@dataclass
class Account:
    address: str
    number: int
    sequence: int = 0
    pub_key: bytes | None = None
    vesting: dict[str, Any] | None = None
    """{"type": "ContinuousVestingAccount", "original": int, "start": int, "end": int}."""

    def still_vesting(self, now: float) -> int:
        v = self.vesting
        if not v or now >= v["end"]:
            return 0
        if v["type"] == "DelayedVestingAccount" or now <= v["start"]:
            return int(v["original"])
        return int(v["original"]) - int(v["original"]) * int(now - v["start"]) // (v["end"] - v["start"])


@dataclass
class Fault:
    path: str
    kind: str
    """"500", "429", "timeout" (stall, then handle), "lost_reply" (handle, then stall: the client times
    out although the node applied the request), "truncated"."""
    count: int = 1
    retry_after: str = "0"
    delay: float = 2.0


@dataclass
class Chain:
    chain_id: str = "akashnet-2"
    denom: str = "uakt"
    prefix: str = "akash"
    mode: str = "v1"
    """"v1" (v1 and v1beta1 gov routes) or "v1beta1" (v1 routes answer 501 Unimplemented)."""
    min_gas_price: Decimal = Decimal("0.025")
    height: int = 1_000
    accounts: dict[str, Account] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)
    validators: dict[str, dict[str, Any]] = field(default_factory=dict)
    delegations: dict[tuple[str, str], int] = field(default_factory=dict)
    unbondings: list[dict[str, Any]] = field(default_factory=list)
    redelegations: list[dict[str, Any]] = field(default_factory=list)
    rewards: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    proposals: dict[int, dict[str, Any]] = field(default_factory=dict)
    votes: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    txs: dict[str, dict[str, Any]] = field(default_factory=dict)
    hidden_polls: int = 1
    """GETs of a new tx hash answered "not found" before it shows as included."""
    max_metadata_len: int = 255
    """x/gov's MaxMetadataLen, compared (as the SDK does) with the metadata's length in UTF-8 bytes."""
    expose_metadata_len: bool = False
    """Serve it as `max_metadata_len` in the v1 gov params (chains that expose their limit)."""
    params: dict[str, str] = field(default_factory=lambda: {"quorum": "0.334000000000000000",
                                                            "threshold": "0.500000000000000000",
                                                            "veto_threshold": "0.334000000000000000"})


class CosmosNode:
    def __init__(self, chain: Chain | None = None) -> None:
        self.chain = chain or Chain()
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str]] = []
        self.broadcasts = 0
        self.signatures_verified = 0
        self.cache: set[str] = set()
        """Hashes of the txs CheckTx accepted (CometBFT's mempool cache, which keeps committed txs too)."""
        self.kill_before_broadcast: int | None = None
        self.kill_after_broadcast: int | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> CosmosNode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- seeding ---------------------------------------------------------------------------------
    @property
    def valoper_prefix(self) -> str:
        return self.chain.prefix + "valoper"

    def add_account(self, address: str, balance: int, *, vesting: dict[str, Any] | None = None) -> Account:
        with self.lock:
            acc = Account(address=address, number=1000 + len(self.chain.accounts), vesting=vesting)
            self.chain.accounts[address] = acc
            self.chain.balances[address] = balance
            return acc

    def add_validator(self, moniker: str, *, tokens: int = 10**12, jailed: bool = False,
                      status: str = "BOND_STATUS_BONDED", operator: str | None = None) -> str:
        tpl = fixture("akash_staking_v1beta1_validators_bonded_limit1.getblock.json")["validators"][0]
        if operator is None:
            payload = hashlib.sha256(moniker.encode()).digest()[:20]
            operator = bech32(self.valoper_prefix, payload)
        v = copy.deepcopy(tpl)
        v.update({"operator_address": operator, "jailed": jailed, "status": status, "tokens": str(tokens),
                  "delegator_shares": f"{tokens}.000000000000000000"})
        v["description"]["moniker"] = moniker
        with self.lock:
            self.chain.validators[operator] = v
        return operator

    def add_proposal(self, pid: int, status: int, *, title: str = "", voting_end: float | None = None,
                     tally: dict[str, int] | None = None, template: dict[str, Any] | None = None) -> None:
        now = time.time()
        tpl = copy.deepcopy(template or fixture("akash_gov_v1_proposal_341.getblock.json")["proposal"])
        p = {"id": pid, "status": status, "title": title or f"{tpl['title']} #{pid}", "summary": tpl["summary"],
             "metadata": tpl["metadata"], "messages": tpl["messages"], "proposer": tpl["proposer"],
             "submit": now - 3 * 86400, "deposit_end": now + 11 * 86400, "total_deposit": tpl["total_deposit"],
             "voting_start": None if status == 1 else now - 2 * 86400,
             "voting_end": None if status == 1 else (voting_end or (now + 5 * 86400 if status == 2 else now - 86400)),
             "final_tally": tally or {"yes": 0, "abstain": 0, "no": 0, "no_with_veto": 0}}
        with self.lock:
            self.chain.proposals[pid] = p
            self.chain.votes.setdefault(pid, {})

    def add_vote(self, pid: int, voter: str, options: list[tuple[int, str]], metadata: str = "") -> None:
        with self.lock:
            self.chain.votes.setdefault(pid, {})[voter] = {"options": options, "metadata": metadata}

    def finish_proposal(self, pid: int, status: int = 3) -> None:
        """End the voting period: store the final tally and prune the votes, as the SDK does."""
        with self.lock:
            p = self.chain.proposals[pid]
            p["final_tally"] = self._tally(pid)
            p["status"] = status
            p["voting_end"] = time.time() - 1
            self.chain.votes[pid] = {}

    def fault(self, path: str, kind: str, count: int = 1, **kw: Any) -> None:
        with self.lock:
            self.faults.append(Fault(path, kind, count, **kw))

    # --- tallies ---------------------------------------------------------------------------------
    def power(self, voter: str) -> int:
        return sum(a for (d, _v), a in self.chain.delegations.items() if d == voter)

    def _tally(self, pid: int) -> dict[str, int]:
        p = self.chain.proposals[pid]
        if p["status"] != 2:
            return dict(p["final_tally"])
        out = {"yes": Decimal(0), "abstain": Decimal(0), "no": Decimal(0), "no_with_veto": Decimal(0)}
        names = {1: "yes", 2: "abstain", 3: "no", 4: "no_with_veto"}
        for voter, v in self.chain.votes.get(pid, {}).items():
            for opt, w in v["options"]:
                out[names[opt]] += Decimal(self.power(voter)) * Decimal(w)
        return {k: int(x) for k, x in out.items()}

    # --- JSON views --------------------------------------------------------------------------------
    def proposal_json(self, p: dict[str, Any], version: str) -> dict[str, Any]:
        t = self._tally(p["id"]) if p["status"] != 2 else {"yes": 0, "abstain": 0, "no": 0, "no_with_veto": 0}
        zero = "0001-01-01T00:00:00Z"
        if version == "v1":
            return {"id": str(p["id"]), "messages": p["messages"], "status": STATUS_NAME[p["status"]],
                    "final_tally_result": {f"{k}_count": str(v) for k, v in t.items()},
                    "submit_time": iso(p["submit"]), "deposit_end_time": iso(p["deposit_end"]),
                    "total_deposit": p["total_deposit"], "voting_start_time": iso(p["voting_start"]),
                    "voting_end_time": iso(p["voting_end"]), "metadata": p["metadata"], "title": p["title"],
                    "summary": p["summary"], "proposer": p["proposer"], "expedited": False, "failed_reason": ""}
        return {"proposal_id": str(p["id"]),
                "content": {"@type": "/cosmos.gov.v1beta1.TextProposal", "title": p["title"],
                            "description": p["summary"]},
                "status": STATUS_NAME[p["status"]], "final_tally_result": {k: str(v) for k, v in t.items()},
                "submit_time": iso(p["submit"]), "deposit_end_time": iso(p["deposit_end"]),
                "total_deposit": p["total_deposit"], "voting_start_time": iso(p["voting_start"]) or zero,
                "voting_end_time": iso(p["voting_end"]) or zero}

    def vote_json(self, pid: int, voter: str, v: dict[str, Any], version: str) -> dict[str, Any]:
        opts = [{"option": OPTIONS[o], "weight": f"{Decimal(w):.18f}"} for o, w in v["options"]]
        doc: dict[str, Any] = {"proposal_id": str(pid), "voter": voter, "options": opts}
        if version == "v1":
            doc["metadata"] = v["metadata"]
        else:
            doc["option"] = opts[0]["option"] if len(opts) == 1 else "VOTE_OPTION_UNSPECIFIED"
        return doc

    def account_json(self, acc: Account) -> dict[str, Any]:
        base = {"address": acc.address,
                "pub_key": {"@type": "/cosmos.crypto.secp256k1.PubKey", "key": base64.b64encode(acc.pub_key).decode()}
                if acc.pub_key else None,
                "account_number": str(acc.number), "sequence": str(acc.sequence)}
        if not acc.vesting:
            return {"@type": "/cosmos.auth.v1beta1.BaseAccount", **base}
        v = acc.vesting
        dv = self.delegated_vesting(acc)
        doc = {"@type": f"/cosmos.vesting.v1beta1.{v['type']}",
               "base_vesting_account": {
                   "base_account": base,
                   "original_vesting": [{"denom": self.chain.denom, "amount": str(v["original"])}],
                   "delegated_free": [],
                   "delegated_vesting": [{"denom": self.chain.denom, "amount": str(dv)}] if dv else [],
                   "end_time": str(int(v["end"]))}}
        if v["type"] == "ContinuousVestingAccount":
            doc["start_time"] = str(int(v["start"]))
        return doc

    def delegated_vesting(self, acc: Account) -> int:
        delegated = sum(a for (d, _), a in self.chain.delegations.items() if d == acc.address)
        return min(delegated, acc.still_vesting(time.time()))

    def spendable(self, acc: Account) -> int:
        """balance − max(still vesting − delegated vesting, 0), the SDK's rule."""
        locked = max(acc.still_vesting(time.time()) - self.delegated_vesting(acc), 0)
        return self.chain.balances.get(acc.address, 0) - locked

    # --- transactions ------------------------------------------------------------------------------
    def run_tx(self, tx_bytes: bytes, *, simulate: bool) -> dict[str, Any]:
        """Ante checks, then the messages; returns a tx_response (or raises TxError for CheckTx)."""
        from cosmpy.protos.cosmos.crypto.secp256k1.keys_pb2 import PubKey
        from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import AuthInfo, SignDoc, TxBody, TxRaw

        c = self.chain
        try:
            raw = TxRaw.FromString(tx_bytes)
            body = TxBody.FromString(raw.body_bytes)
            auth = AuthInfo.FromString(raw.auth_info_bytes)
            msgs = [self._unpack(a) for a in body.messages]
        except TxError:
            raise
        except Exception as exc:
            raise TxError("sdk", 2, f"{exc}: tx parse error") from None
        if not msgs:
            raise TxError("sdk", 18, "must contain at least one message: invalid request")
        signers = {self._signer(m) for _t, m in msgs}
        if len(signers) != 1 or len(auth.signer_infos) != 1 or len(raw.signatures) != 1:
            raise TxError("sdk", 4, "wrong number of signers; expected 1: unauthorized")
        signer = signers.pop()
        acc = c.accounts.get(signer)
        if acc is None:
            raise TxError("sdk", 9, f"account {signer} not found: unknown address")
        info = auth.signer_infos[0]
        key = acc.pub_key
        if info.HasField("public_key"):
            pk = PubKey()
            info.public_key.Unpack(pk)
            from wallet.keys.cosmos_keys import address_of_pubkey

            if address_of_pubkey(pk.key, c.prefix) != signer:
                raise TxError("sdk", 8,
                              f"pubKey does not match signer address {signer} with signer index: 0: invalid pubkey")
            key = pk.key
        elif not simulate and key is None:
            raise TxError("sdk", 8, "pubkey on account is not set: invalid pubkey")
        if info.sequence != acc.sequence:
            raise TxError("sdk", 32, f"account sequence mismatch, expected {acc.sequence}, got {info.sequence}: "
                                     "incorrect account sequence")
        fee = sum(int(x.amount) for x in auth.fee.amount if x.denom == c.denom)
        gas_used = 40_000 + 10 * len(tx_bytes) + 1_000 + sum(GAS[t.rsplit(".", 1)[-1]] for t, _ in msgs)
        if not simulate:
            if any(x.denom != c.denom for x in auth.fee.amount):
                raise TxError("sdk", 13, f"fee must be paid in {c.denom}: insufficient fee")
            need = math.ceil(Decimal(auth.fee.gas_limit) * c.min_gas_price)
            if fee < need:
                raise TxError("sdk", 13, f"insufficient fees; got: {fee}{c.denom} required: {need}{c.denom}: "
                                         "insufficient fee")
            doc = SignDoc(body_bytes=raw.body_bytes, auth_info_bytes=raw.auth_info_bytes, chain_id=c.chain_id,
                          account_number=acc.number).SerializeToString()
            if not _verify(key, doc, raw.signatures[0]):  # type: ignore[arg-type]
                raise TxError("sdk", 4, f"signature verification failed; please verify account number "
                                        f"({acc.number}) and chain-id ({c.chain_id}): unauthorized")
            self.signatures_verified += 1
            spendable = self.spendable(acc)
            if spendable < fee:
                raise TxError("sdk", 5, f"{max(spendable, 0)}{c.denom} is smaller than {fee}{c.denom}: "
                                        "insufficient funds")
            # CheckTx passed: the fee is taken and the sequence moves, whatever the messages do.
            c.balances[signer] -= fee
            acc.sequence += 1
            acc.pub_key = key
        gas_wanted = auth.fee.gas_limit
        resp = {"height": "0", "txhash": hashlib.sha256(tx_bytes).hexdigest().upper(), "codespace": "", "code": 0,
                "data": "", "raw_log": "", "logs": [], "info": "", "gas_wanted": str(gas_wanted),
                "gas_used": str(gas_used), "tx": None, "timestamp": "", "events": []}
        if not simulate and gas_used > gas_wanted:
            resp.update(codespace="sdk", code=11, raw_log=f"out of gas in location: txSize; gasWanted: {gas_wanted}, "
                                                          f"gasUsed: {gas_used}: out of gas")
            return resp
        saved = copy.deepcopy((c.balances, c.delegations, c.unbondings, c.redelegations, c.rewards, c.votes,
                               c.validators))
        try:
            for i, (t, m) in enumerate(msgs):
                try:
                    self._apply(t, m)
                except TxError as exc:
                    exc.log = f"failed to execute message; message index: {i}: {exc.log}"
                    raise
        except TxError as exc:
            (c.balances, c.delegations, c.unbondings, c.redelegations, c.rewards, c.votes, c.validators) = saved
            if simulate:
                raise
            resp.update(codespace=exc.codespace, code=exc.code, raw_log=exc.log)
            return resp
        if simulate:
            (c.balances, c.delegations, c.unbondings, c.redelegations, c.rewards, c.votes, c.validators) = saved
        return resp

    def _unpack(self, a: Any) -> tuple[str, Any]:
        from cosmpy.protos.cosmos.distribution.v1beta1 import tx_pb2 as dist
        from cosmpy.protos.cosmos.gov.v1 import tx_pb2 as g1
        from cosmpy.protos.cosmos.gov.v1beta1 import tx_pb2 as g0
        from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as st

        types = {"/cosmos.gov.v1beta1.MsgVote": g0.MsgVote, "/cosmos.gov.v1beta1.MsgVoteWeighted": g0.MsgVoteWeighted,
                 "/cosmos.staking.v1beta1.MsgDelegate": st.MsgDelegate,
                 "/cosmos.staking.v1beta1.MsgUndelegate": st.MsgUndelegate,
                 "/cosmos.staking.v1beta1.MsgBeginRedelegate": st.MsgBeginRedelegate,
                 "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward": dist.MsgWithdrawDelegatorReward}
        if self.chain.mode == "v1":
            types.update({"/cosmos.gov.v1.MsgVote": g1.MsgVote, "/cosmos.gov.v1.MsgVoteWeighted": g1.MsgVoteWeighted})
        cls = types.get(a.type_url)
        if cls is None:
            raise TxError("sdk", 2, f"unable to resolve type URL {a.type_url}: tx parse error")
        return a.type_url, cls.FromString(a.value)

    @staticmethod
    def _signer(m: Any) -> str:
        return getattr(m, "voter", "") or getattr(m, "delegator_address", "")

    def _apply(self, t: str, m: Any) -> None:
        c = self.chain
        now = time.time()
        name = t.rsplit(".", 1)[-1]
        if name in ("MsgVote", "MsgVoteWeighted"):
            p = c.proposals.get(m.proposal_id)
            if p is None:
                raise TxError("gov", 2, f"{m.proposal_id}: unknown proposal")
            if p["status"] != 2 or (p["voting_end"] and p["voting_end"] < now):
                raise TxError("gov", 3, f"{m.proposal_id}: inactive proposal")
            if name == "MsgVote":
                opts = [(int(m.option), "1")]
            else:
                v1 = t.startswith("/cosmos.gov.v1.")
                opts = [(int(o.option), o.weight if v1 else str(Decimal(o.weight).scaleb(-18))) for o in m.options]
                total = sum((Decimal(w) for _, w in opts), Decimal(0))
                if len({o for o, _ in opts}) != len(opts):
                    raise TxError("gov", 7, "duplicated vote option: invalid vote option")
                if total != 1 or any(Decimal(w) <= 0 for _, w in opts):
                    raise TxError("gov", 7, f"total weight {total} must be 1: invalid vote option")
            if any(o not in OPTIONS for o, _ in opts):
                raise TxError("gov", 7, "invalid option: invalid vote option")
            metadata = getattr(m, "metadata", "")
            size = len(metadata.encode("utf-8"))  # Go len() of the string: bytes
            if size > c.max_metadata_len:
                raise TxError("gov", 15, f"got metadata with length {size}: metadata too long")
            c.votes.setdefault(m.proposal_id, {})[m.voter] = {"options": opts, "metadata": metadata}
            return
        if name == "MsgWithdrawDelegatorReward":
            key = (m.delegator_address, m.validator_address)
            if key not in c.delegations:
                raise TxError("distribution", 7, "delegation does not exist: no delegation distribution info")
            c.balances[key[0]] = c.balances.get(key[0], 0) + int(c.rewards.pop(key, Decimal(0)))
            return
        amount = int(m.amount.amount)
        if m.amount.denom != c.denom:
            raise TxError("staking", 5, f"invalid coin denomination: got {m.amount.denom}, expected {c.denom}")
        if amount <= 0:
            raise TxError("sdk", 18, "invalid delegation amount: invalid request")
        if name == "MsgDelegate":
            if m.validator_address not in c.validators:
                raise TxError("staking", 3, "validator does not exist")
            if c.balances.get(m.delegator_address, 0) < amount:  # vesting coins may be delegated
                raise TxError("sdk", 5, f"{c.balances.get(m.delegator_address, 0)}{c.denom} is smaller than "
                                        f"{amount}{c.denom}: insufficient funds")
            c.balances[m.delegator_address] -= amount
            key = (m.delegator_address, m.validator_address)
            c.delegations[key] = c.delegations.get(key, 0) + amount
            self._tokens(m.validator_address, amount)
            return
        src = m.validator_address if name == "MsgUndelegate" else m.validator_src_address
        key = (m.delegator_address, src)
        if c.delegations.get(key, 0) < amount:
            raise TxError("staking", 22, "invalid shares amount: not enough delegation shares")
        if name == "MsgBeginRedelegate":
            if m.validator_dst_address not in c.validators:
                raise TxError("staking", 3, "validator does not exist")
            if m.validator_dst_address == src:
                raise TxError("staking", 20, "cannot redelegate to the same validator")
        c.delegations[key] -= amount
        if not c.delegations[key]:
            del c.delegations[key]
        self._tokens(src, -amount)
        entry = {"delegator": m.delegator_address, "amount": amount, "height": c.height,
                 "completion": now + UNBONDING_SECONDS}
        if name == "MsgUndelegate":
            c.unbondings.append({**entry, "validator": src})
        else:
            dst_key = (m.delegator_address, m.validator_dst_address)
            c.delegations[dst_key] = c.delegations.get(dst_key, 0) + amount
            self._tokens(m.validator_dst_address, amount)
            c.redelegations.append({**entry, "src": src, "dst": m.validator_dst_address})

    def _tokens(self, valoper: str, delta: int) -> None:
        v = self.chain.validators[valoper]
        v["tokens"] = str(int(v["tokens"]) + delta)
        v["delegator_shares"] = f"{int(v['tokens'])}.000000000000000000"


def _verify(pub_key: bytes | None, message: bytes, signature: bytes) -> bool:
    import ecdsa

    if pub_key is None or len(signature) != 64:
        return False
    if int.from_bytes(signature[32:], "big") > SECP256K1_N // 2:  # the SDK rejects high-S signatures
        return False
    vk = ecdsa.VerifyingKey.from_string(pub_key, curve=ecdsa.SECP256k1, hashfunc=hashlib.sha256)
    try:
        return bool(vk.verify(signature, message))
    except ecdsa.BadSignatureError:
        return False


# --- HTTP ------------------------------------------------------------------------------------------

def _page(items: list[Any], q: dict[str, str], key_of: Any = None) -> tuple[list[Any], dict[str, Any]]:
    """cosmos-sdk pagination: limit, key (opaque next_key), offset, reverse."""
    limit = int(q.get("pagination.limit", "100") or 100)
    if q.get("pagination.reverse") == "true":
        items = list(reversed(items))
    start = 0
    if q.get("pagination.key"):
        raw = base64.b64decode(q["pagination.key"])
        start = int.from_bytes(raw[:8], "big")
    elif q.get("pagination.offset"):
        start = int(q["pagination.offset"])
    chunk = items[start:start + limit]
    nxt = start + limit
    next_key = base64.b64encode(nxt.to_bytes(8, "big")).decode() if nxt < len(items) else None
    return chunk, {"next_key": next_key, "total": "0"}


def _handler(node: CosmosNode) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes: without this, 40 ms delayed ACKs

        def log_message(self, *_a: Any) -> None:
            pass

        def _send(self, status: int, doc: Any, headers: dict[str, str] | None = None, truncate: bool = False) -> None:
            body = json.dumps(doc).encode()
            if truncate:
                body = body[: max(1, len(body) // 2)]
            delay = getattr(self, "_reply_delay", 0.0)
            if delay:
                self._reply_delay = 0.0
                time.sleep(delay)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _fault(self, path: str) -> bool:
            with node.lock:
                f = next((f for f in node.faults if f.path in path and f.count > 0), None)
                if f is None:
                    return False
                f.count -= 1
            if f.kind == "500":
                self._send(500, {"code": 13, "message": "internal error", "details": []})
            elif f.kind == "429":
                self._send(429, {"code": 8, "message": "rate limited", "details": []}, {"retry-after": f.retry_after})
            elif f.kind == "timeout":
                time.sleep(f.delay)
                return False
            elif f.kind == "lost_reply":
                self._reply_delay = f.delay
                return False
            elif f.kind == "truncated":
                self._send(200, {"padding": "x" * 64, "note": "truncated"}, truncate=True)
            return True

        def do_GET(self) -> None:
            self._dispatch("GET", None)

        def do_POST(self) -> None:
            n = int(self.headers.get("content-length") or 0)
            self._dispatch("POST", json.loads(self.rfile.read(n) or b"{}"))

        def _dispatch(self, method: str, body: Any) -> None:
            url = urlparse(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            node.requests.append((method, url.path))
            if self._fault(url.path):
                return
            try:
                with node.lock:
                    status, doc = route(node, method, url.path, q, body)
            except TxError as exc:  # simulate: a gRPC error through the gateway
                status, doc = 400, {"code": 2, "message": f"{exc.log} [{exc.codespace} {exc.code}]", "details": []}
            try:
                self._send(status, doc)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client is gone (a test killed it)

    return Handler


def _kill(pid: int) -> None:
    import os
    import signal

    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)  # the sender is gone before it could read an answer


NOT_IMPLEMENTED = (501, {"code": 12, "message": "Not Implemented", "details": []})


def route(node: CosmosNode, method: str, path: str, q: dict[str, str], body: Any) -> tuple[int, Any]:
    c = node.chain
    parts = path.strip("/").split("/")
    if method == "POST":
        tx = base64.b64decode(body.get("tx_bytes", ""))
        if path == "/cosmos/tx/v1beta1/simulate":
            resp = node.run_tx(tx, simulate=True)
            return 200, {"gas_info": {"gas_wanted": "0", "gas_used": resp["gas_used"]},
                         "result": {"data": "", "log": "", "events": [], "msg_responses": []}}
        if path == "/cosmos/tx/v1beta1/txs":
            if node.kill_before_broadcast:  # the sender dies before its tx reaches the node
                _kill(node.kill_before_broadcast)
                node.kill_before_broadcast = None
                return 503, {"code": 14, "message": "unavailable", "details": []}
            node.broadcasts += 1
            if body.get("mode") != "BROADCAST_MODE_SYNC":
                return 400, {"code": 3, "message": "unsupported broadcast mode", "details": []}
            txhash = hashlib.sha256(tx).hexdigest().upper()
            if txhash in node.cache:  # CometBFT's ErrTxInCache, as the SDK's broadcast answers it
                return 200, {"tx_response": {"height": "0", "txhash": txhash, "codespace": "sdk", "code": 19,
                                             "data": "", "raw_log": "", "logs": [], "info": "", "gas_wanted": "0",
                                             "gas_used": "0", "tx": None, "timestamp": "", "events": []}}
            try:
                resp = node.run_tx(tx, simulate=False)
            except TxError as exc:
                return 200, {"tx_response": {"height": "0", "txhash": hashlib.sha256(tx).hexdigest().upper(),
                                             "codespace": exc.codespace, "code": exc.code, "data": "",
                                             "raw_log": exc.log, "logs": [], "info": "", "gas_wanted": "0",
                                             "gas_used": "0", "tx": None, "timestamp": "", "events": []}}
            c.height += 1
            included = {**resp, "height": str(c.height),
                        "timestamp": iso(time.time())[:19] + "Z"}  # type: ignore[index]
            c.txs[resp["txhash"]] = {"doc": included, "hidden": c.hidden_polls}
            node.cache.add(resp["txhash"])
            if node.kill_after_broadcast:  # the node has the tx; its sender never hears back
                _kill(node.kill_after_broadcast)
                node.kill_after_broadcast = None
            return 200, {"tx_response": {**resp, "code": 0, "codespace": "", "raw_log": "", "gas_used": "0"}}
        return NOT_IMPLEMENTED
    if path == "/cosmos/base/tendermint/v1beta1/node_info":
        return 200, {"default_node_info": {"protocol_version": {"p2p": "8", "block": "11", "app": "0"},
                                           "default_node_id": "0f" * 20, "listen_addr": "tcp://0.0.0.0:26656",
                                           "network": c.chain_id, "version": "0.38.17",
                                           "channels": "40202122233038606100",
                                           "moniker": "polis-double", "other": {"tx_index": "on", "rpc_address": ""}},
                     "application_version": {"name": c.prefix, "app_name": c.prefix + "d", "version": "double",
                                             "cosmos_sdk_version": "v0.53.4" if c.mode == "v1" else "v0.45.16"}}
    if parts[:4] == ["cosmos", "auth", "v1beta1", "accounts"] and len(parts) == 5:
        acc = c.accounts.get(parts[4])
        if acc is None:
            fee = fixture("akash_auth_v1beta1_account_moduleaccount_fee_collector.getblock.json")
            if fee["account"]["base_account"]["address"] == parts[4]:
                return 200, fee
            return 404, {"code": 5, "message": f"account {parts[4]} not found: key not found", "details": []}
        return 200, {"account": node.account_json(acc)}
    if parts[:4] == ["cosmos", "bank", "v1beta1", "balances"]:
        bal = c.balances.get(parts[4], 0)
        return 200, {"balances": [{"denom": c.denom, "amount": str(bal)}] if bal else [],
                     "pagination": {"next_key": None, "total": "1" if bal else "0"}}
    if parts[:2] == ["cosmos", "gov"]:
        return _gov(node, parts[2], parts[3:], q)
    if parts[:3] == ["cosmos", "staking", "v1beta1"]:
        return _staking(node, parts[3:], q)
    if parts[:3] == ["cosmos", "distribution", "v1beta1"] and parts[3:4] == ["delegators"] and parts[5:] == ["rewards"]:
        d = parts[4]
        rows = [{"validator_address": v, "reward": [{"denom": c.denom, "amount": f"{r:.18f}"}] if r else []}
                for (dd, v), r in sorted(c.rewards.items()) if dd == d]
        rows += [{"validator_address": v, "reward": []} for (dd, v) in c.delegations
                 if dd == d and (dd, v) not in c.rewards]
        total = sum((r for (dd, _), r in c.rewards.items() if dd == d), Decimal(0))
        return 200, {"rewards": rows, "total": [{"denom": c.denom, "amount": f"{total:.18f}"}] if total else []}
    if parts[:4] == ["cosmos", "tx", "v1beta1", "txs"] and len(parts) == 5:
        entry = c.txs.get(parts[4].upper())
        if entry is None or entry["hidden"] > 0:
            if entry is not None:
                entry["hidden"] -= 1
            return 404, {"code": 5, "message": f"tx not found: {parts[4]}", "details": []}
        return 200, {"tx": None, "tx_response": entry["doc"]}
    return NOT_IMPLEMENTED


def _gov(node: CosmosNode, version: str, rest: list[str], q: dict[str, str]) -> tuple[int, Any]:
    c = node.chain
    if version == "v1" and c.mode != "v1" or version not in ("v1", "v1beta1"):
        return NOT_IMPLEMENTED
    if rest[:1] == ["params"] and len(rest) == 2:
        tally = {"quorum": c.params["quorum"], "threshold": c.params["threshold"],
                 "veto_threshold": c.params["veto_threshold"]}
        voting = {"voting_period": "604800s"}
        deposit = {"min_deposit": [{"denom": c.denom, "amount": "1000000000"}], "max_deposit_period": "1209600s"}
        if version == "v1":
            full = {**tally, **voting, **deposit, "min_initial_deposit_ratio": "0.250000000000000000"}
            if c.expose_metadata_len:
                full["max_metadata_len"] = str(c.max_metadata_len)
            return 200, {"voting_params": voting if rest[1] == "voting" else None,
                         "deposit_params": deposit if rest[1] == "deposit" else None,
                         "tally_params": tally if rest[1] == "tallying" else None, "params": full}
        return 200, {"voting_params": voting if rest[1] == "voting" else {"voting_period": "0s"},
                     "deposit_params": deposit if rest[1] == "deposit" else {"min_deposit": [],
                                                                             "max_deposit_period": "0s"},
                     "tally_params": tally if rest[1] == "tallying" else {"quorum": "0", "threshold": "0",
                                                                          "veto_threshold": "0"}}
    if rest == ["proposals"]:
        items = [p for _, p in sorted(c.proposals.items())]
        if q.get("proposal_status"):
            want = q["proposal_status"]
            items = [p for p in items if want in (STATUS_NAME[p["status"]], str(p["status"]))]
        chunk, pag = _page(items, q)
        return 200, {"proposals": [node.proposal_json(p, version) for p in chunk], "pagination": pag}
    if rest[:1] != ["proposals"] or len(rest) < 2:
        return NOT_IMPLEMENTED
    pid = int(rest[1])
    p = c.proposals.get(pid)
    if p is None:
        return 404, {"code": 5, "message": f"proposal {pid} doesn't exist: key not found", "details": []}
    if len(rest) == 2:
        return 200, {"proposal": node.proposal_json(p, version)}
    if rest[2] == "tally":
        t = node._tally(pid)
        return 200, {"tally": {(f"{k}_count" if version == "v1" else k): str(v) for k, v in t.items()}}
    if rest[2] == "votes":
        votes = c.votes.get(pid, {})
        if len(rest) == 4:
            v = votes.get(rest[3])
            if v is None:
                return 400, {"code": 3, "message": f"voter: {rest[3]} not found for proposal: {pid}", "details": []}
            return 200, {"vote": node.vote_json(pid, rest[3], v, version)}
        chunk, pag = _page(sorted(votes.items()), q)
        return 200, {"votes": [node.vote_json(pid, voter, v, version) for voter, v in chunk], "pagination": pag}
    return NOT_IMPLEMENTED


def _staking(node: CosmosNode, rest: list[str], q: dict[str, str]) -> tuple[int, Any]:
    c = node.chain
    if rest == ["validators"]:
        chunk, pag = _page(sorted(c.validators.values(), key=lambda v: v["operator_address"]), q)
        return 200, {"validators": chunk, "pagination": pag}
    if rest[:1] == ["validators"] and len(rest) == 2:
        v = c.validators.get(rest[1])
        if v is None:
            return 404, {"code": 5, "message": f"validator {rest[1]} not found: key not found", "details": []}
        return 200, {"validator": v}
    if rest == ["pool"]:
        bonded = sum(int(v["tokens"]) for v in c.validators.values() if v["status"] == "BOND_STATUS_BONDED")
        return 200, {"pool": {"not_bonded_tokens": "0", "bonded_tokens": str(bonded)}}
    if rest[:1] == ["delegations"] and len(rest) == 2:
        rows = [{"delegation": {"delegator_address": d, "validator_address": v, "shares": f"{a}.000000000000000000"},
                 "balance": {"denom": c.denom, "amount": str(a)}}
                for (d, v), a in sorted(c.delegations.items()) if d == rest[1]]
        if not rows:
            return 200, fixture("akash_staking_v1beta1_delegations_empty.getblock.json")
        chunk, pag = _page(rows, q)
        return 200, {"delegation_responses": chunk, "pagination": pag}
    if rest[:1] == ["delegators"] and len(rest) == 3:
        d = rest[1]
        if rest[2] == "unbonding_delegations":
            by_val: dict[str, list[dict[str, Any]]] = {}
            for u in c.unbondings:
                if u["delegator"] == d:
                    by_val.setdefault(u["validator"], []).append(
                        {"creation_height": str(u["height"]), "completion_time": iso(u["completion"]),
                         "initial_balance": str(u["amount"]), "balance": str(u["amount"]), "unbonding_id": "1",
                         "unbonding_on_hold_ref_count": "0"})
            rows = [{"delegator_address": d, "validator_address": v, "entries": e} for v, e in sorted(by_val.items())]
            chunk, pag = _page(rows, q)
            return 200, {"unbonding_responses": chunk, "pagination": pag}
        if rest[2] == "redelegations":
            rows = [{"redelegation": {"delegator_address": d, "validator_src_address": r["src"],
                                      "validator_dst_address": r["dst"], "entries": []},
                     "entries": [{"redelegation_entry": {"creation_height": str(r["height"]),
                                                         "completion_time": iso(r["completion"]),
                                                         "initial_balance": str(r["amount"]),
                                                         "shares_dst": f"{r['amount']}.000000000000000000"},
                                  "balance": str(r["amount"])}]}
                    for r in c.redelegations if r["delegator"] == d]
            chunk, pag = _page(rows, q)
            return 200, {"redelegation_responses": chunk, "pagination": pag}
    return NOT_IMPLEMENTED
