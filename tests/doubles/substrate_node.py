"""A loopback Substrate JSON-RPC node double (websocket) serving a REAL runtime's metadata.

- `state_call("Metadata_metadata_at_version", 15)` returns the finney metadata from the fixtures
  (or another runtime's, e.g. one synthesised with a governance pallet);
- storage reads answer from `Chain` (values SCALE-encoded against that metadata), then from the
  recorded finney responses for the exact queries they cover (rpc_methods, Swap.AlphaSqrtPrice of
  subnet 71, …), else `null` as a node does for an empty key;
- every submitted extrinsic is decoded with the metadata: sr25519 signature over the exact payload
  (call ‖ signed-extension extras ‖ additional data: spec/tx version, genesis hash, era birth block
  hash, metadata-hash mode), nonce (after the account's transactions a test put in `pool`, which
  system_accountNextIndex counts and AccountNonceApi does not), era (mortal window), fee; then its
  call is applied to the state (with subtensor's per-block staking rate limiter)
  and the events a node emits land in System.Events of a new block. Invalid transactions get the
  node's error 1010 with the node's wording;
- with `automine` off a submission waits in the pool (`author_pendingExtrinsics`, counted by
  system_accountNextIndex) until `mine()` builds it into a block, re-validated then (an outdated or
  ancient one is dropped); `kill_pid` kills the sender right after the node accepted its extrinsic,
  `kill_before_submit` when its submission arrives (never processed).
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from tests.doubles.substrate_chain import Chain, DispatchError, Event
from tests.doubles.substrate_codec import (
    FINNEY_METADATA,
    RECORDINGS,
    Codec,
    blake2,
    metadata_bytes,
    option_opaque,
    read_compact,
)


def _recordings() -> tuple[dict[tuple[str, str], Any], dict[str, Any]]:
    data = json.loads(RECORDINGS.read_text())
    exact: dict[tuple[str, str], Any] = {}
    version: dict[str, Any] = {}
    for scenario in data.values():
        for method, pairs in scenario.items():
            for params, response in pairs.items():
                exact[(method, json.dumps(json.loads(params)))] = response.get("result")
                if method == "state_getRuntimeVersion" and not version:
                    version = response["result"]
    return exact, version


class RpcFailure(Exception):
    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


class Faults:
    """A seeded schedule of transport faults the double injects itself (its transport is a websocket,
    so the HTTP proxy of tests/faults.py cannot sit in front of it): a dropped connection, a stall
    past the client's timeout, a "try later" JSON-RPC error, a truncated (garbled) frame."""

    KINDS = ("drop", "stall", "rpc_busy", "rpc_limit", "garble")

    def __init__(self, rate: float, seed: int, *, stall: float = 1.0, kinds: tuple[str, ...] = KINDS) -> None:
        import random

        self.rate, self.rng, self.stall, self.kinds = rate, random.Random(seed), stall, kinds
        self.counts: Counter[str] = Counter()

    def pick(self) -> str | None:
        if self.rng.random() < self.rate:
            kind = self.rng.choice(self.kinds)
            self.counts[kind] += 1
            return kind
        self.counts["ok"] += 1
        return None

    @property
    def injected(self) -> int:
        return sum(v for k, v in self.counts.items() if k != "ok")


class SubstrateNode:
    """Start with `with SubstrateNode() as node:`; `node.url` is ws://127.0.0.1:PORT."""

    FEE_BASE = 120_000
    FEE_PER_BYTE = 1_000

    def __init__(self, metadata: Path | bytes = FINNEY_METADATA, *, head: int = 100, spec_version: int | None = None,
                 genesis_seed: bytes = b"polis-bittensor-double") -> None:
        inner = metadata if isinstance(metadata, bytes) else metadata_bytes(metadata)
        self.codec = Codec(inner)
        self.chain = Chain(self.codec)
        self.recorded, version = _recordings()
        self.version = dict(version)
        if spec_version is not None:
            self.version["specVersion"] = spec_version
        self.genesis = blake2(genesis_seed)
        self.blocks: list[dict[str, Any]] = []
        self.by_hash: dict[bytes, dict[str, Any]] = {}
        self.events_key = self.codec.key("System", "Events")
        for _ in range(head + 1):
            self._new_block([], b"\x00")
        self.calls: Counter[str] = Counter()
        self.rejected: list[str] = []
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.faults: Faults | None = None
        """Set to inject transport faults into reads (never into submissions)."""
        self.pool: dict[str, int] = {}
        """Transactions of an account (0x pubkey) already in the pool, not yet in a block: they take the
        nonces after the state's. system_accountNextIndex counts them, AccountNonceApi does not."""
        self.automine = True
        """False: a submitted extrinsic waits in the pool (`author_pendingExtrinsics`) until `mine()`."""
        self.pending: list[str] = []
        """Extrinsics (0x hex) validated into the pool and not yet in a block (automine off)."""
        self.kill_pid: int | None = None
        self.kill_before_submit: int | None = None
        """When set, that process is killed when its author_submitExtrinsic arrives, which is never processed."""
        """When set, this process is killed (SIGKILL) right after the node accepted an author_submitExtrinsic,
        before the answer is sent: its sender never hears back."""

    # --- blocks ------------------------------------------------------------------------------
    def _new_block(self, extrinsics: list[str], events: bytes) -> dict[str, Any]:
        number = len(self.blocks)
        parent = self.blocks[-1]["hash"] if self.blocks else b"\0" * 32
        h = self.genesis if number == 0 else blake2(parent + number.to_bytes(4, "little") + b"".join(
            bytes.fromhex(x[2:]) for x in extrinsics))
        block = {"number": number, "hash": h, "parent": parent, "extrinsics": extrinsics, "events": events}
        self.blocks.append(block)
        self.by_hash[h] = block
        return block

    @property
    def head(self) -> dict[str, Any]:
        return self.blocks[-1]

    def _block(self, at: str | None) -> dict[str, Any]:
        if at is None:
            return self.head
        b = self.by_hash.get(bytes.fromhex(at.removeprefix("0x")))
        if b is None:
            raise RpcFailure(4003, f"Client error: UnknownBlock: Header was not found in the database: {at}")
        return b

    def _header(self, b: dict[str, Any]) -> dict[str, Any]:
        return {"parentHash": "0x" + b["parent"].hex(), "number": hex(b["number"]),
                "stateRoot": "0x" + blake2(b["hash"] + b"state").hex(),
                "extrinsicsRoot": "0x" + blake2(b["hash"] + b"ext").hex(), "digest": {"logs": []}}

    # --- storage -----------------------------------------------------------------------------
    def _storage(self, key: str, at: str | None) -> str | None:
        raw = bytes.fromhex(key.removeprefix("0x"))
        block = self._block(at)
        if raw == self.events_key:
            return "0x" + block["events"].hex()
        value = self.chain.storage.get(raw)
        if value is not None:
            return "0x" + value.hex()
        for params in ([key, at], [key, None], [key]):
            rec = self.recorded.get(("state_getStorageAt", json.dumps(params)))
            if rec is not None:
                return rec
        return None

    def _keys_paged(self, prefix: str, count: int, start: str | None = None, at: str | None = None) -> list[str]:
        rec = self.recorded.get(("state_getKeysPaged", json.dumps([prefix, count, start, at])))
        p = bytes.fromhex(prefix.removeprefix("0x"))
        s = bytes.fromhex(start.removeprefix("0x")) if start else b""
        keys = sorted(k for k in self.chain.storage if k.startswith(p) and k > s)[:count]
        if not keys and rec is not None:
            return rec
        return ["0x" + k.hex() for k in keys]

    # --- runtime calls -----------------------------------------------------------------------
    def fee_for(self, length: int) -> int:
        return self.FEE_BASE + self.FEE_PER_BYTE * length

    def _state_call(self, name: str, data: str, at: str | None = None) -> str:
        raw = bytes.fromhex(data.removeprefix("0x"))
        if name == "Metadata_metadata_at_version":
            return option_opaque(self.codec.inner) if raw == (15).to_bytes(4, "little") else "0x00"
        if name == "Metadata_metadata_versions":
            return "0x" + self.codec.encode(self.codec.api_method("Metadata", "metadata_versions")["output"],
                                            [14, 15]).hex()
        if name == "AccountNonceApi_account_nonce":
            nonce = self.chain.account("0x" + raw[:32].hex())["nonce"]
            return "0x" + int(nonce).to_bytes(4, "little").hex()
        if name == "TransactionPaymentApi_query_info":
            length = int.from_bytes(raw[-4:], "little")
            out = self.codec.api_method("TransactionPaymentApi", "query_info")["output"]
            info = {"weight": {"ref_time": 300_000_000, "proof_size": 4_000}, "class": "Normal",
                    "partial_fee": self.fee_for(length)}
            return "0x" + self.codec.encode(out, info).hex()
        rec = self.recorded.get(("state_call", json.dumps([name, data, at])))
        if rec is not None:
            return rec
        raise RpcFailure(-32000, f"Client error: Execution failed: Other: Exported method {name} is not found")

    # --- extrinsics --------------------------------------------------------------------------
    def _call_tuple(self, value: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        args = {a["name"]: a["value"] for a in value["call_args"]}
        if value["call_module"] == "Utility" and value["call_function"] in ("batch_all", "batch", "force_batch"):
            args["calls"] = [self._call_tuple(c) for c in args["calls"]]
        return value["call_module"], value["call_function"], args

    def _invalid(self, why: str) -> RpcFailure:
        self.rejected.append(why)
        return RpcFailure(1010, "Invalid Transaction", why)

    def _decode_extrinsic(self, raw: bytes, *, pooled: bool = False) -> dict[str, Any]:
        """Decode and check a signed extrinsic; `pooled`: one already in the pool, now built into a block."""
        from scalecodec.base import ScaleBytes

        from wallet.keys.substrate_keys import verify

        length, at = read_compact(raw)
        body = raw[at:]
        if len(body) != length:
            raise RpcFailure(-32602, "Invalid params", "extrinsic length prefix does not match")
        if body[0] != 0x84:
            raise self._invalid("Transaction call is not expected")  # only signed v4 is accepted here
        if body[1] != 0:
            raise self._invalid("Invalid signing address")
        signer_pub = body[2:34]
        if body[34] != 1:
            raise self._invalid("Transaction has a bad signature")  # not sr25519
        signature = body[35:99]
        at = 99
        extras: dict[str, Any] = {}
        for se in self.codec.v15["extrinsic"]["signed_extensions"]:
            extras[se["identifier"]], at = self.codec.decode(se["ty"], body, at)
        extra_bytes = body[99:at]
        call_bytes = body[at:]
        call = self.codec.rc.create_scale_object("Call", data=ScaleBytes(call_bytes), metadata=self.codec.meta)
        call.decode()
        head = self.head["number"]
        additional = b""
        for se in self.codec.v15["extrinsic"]["signed_extensions"]:
            ident = se["identifier"]
            if ident == "CheckSpecVersion":
                additional += int(self.version["specVersion"]).to_bytes(4, "little")
            elif ident == "CheckTxVersion":
                additional += int(self.version["transactionVersion"]).to_bytes(4, "little")
            elif ident == "CheckGenesis":
                additional += self.genesis
            elif ident in ("CheckMortality", "CheckEra"):
                birth = self._era_birth(extras[ident], head)
                additional += self.blocks[birth]["hash"]
            elif ident == "CheckMetadataHash":
                mode = extras[ident]["mode"] if isinstance(extras[ident], dict) else extras[ident]
                if mode != "Disabled":
                    raise self._invalid("Transaction has a bad signature")
                additional += b"\x00"
            elif self.codec.types[se["additional_signed"]]["def"] != {"tuple": []}:
                raise RpcFailure(-32000, f"double does not know the additional data of {ident}")
        payload = call_bytes + extra_bytes + additional
        if len(payload) > 256:
            payload = blake2(payload)
        if not verify(signature, payload, signer_pub):
            raise self._invalid("Transaction has a bad signature")
        who = "0x" + signer_pub.hex()
        nonce = int(self.chain.account(who)["nonce"])
        got = int(extras["CheckNonce"]) if not isinstance(extras["CheckNonce"],
                                                          dict) else int(next(iter(extras["CheckNonce"].values())))
        pending = 0 if pooled else self.pool.get(who, 0)
        if got < nonce:
            raise self._invalid("Transaction is outdated")
        if got < nonce + pending:  # the pool already holds a transaction with this nonce
            raise RpcFailure(1014, "Priority is too low: (0 vs 0)",
                             "The transaction has too low priority to replace another transaction already in the pool.")
        if got > nonce + pending:
            raise self._invalid("Transaction will be valid in the future")
        return {"who": who, "call": self._call_tuple(call.value), "length": len(raw), "nonce": got}

    def _era_birth(self, era: Any, current: int) -> int:
        if era in ("00", "Immortal", None) or era == {"Immortal": None}:
            return 0
        if isinstance(era, dict):
            (_, pair), = era.items()
            period, phase = pair if isinstance(pair, (list, tuple)) else (pair["period"], pair["phase"])
        else:
            period, phase = era
        birth = (max(current, phase) - phase) // period * period + phase
        if birth > current:
            birth -= period
        if current >= birth + period:
            raise self._invalid("Transaction has an ancient birth block")
        return birth

    def submit(self, hex_ext: str) -> dict[str, Any] | None:
        """Validate, then include in a new block (returned) or, with automine off, keep it in the pool (None)."""
        raw = bytes.fromhex(hex_ext.removeprefix("0x"))
        with self._lock:
            if hex_ext in self.pending:
                raise RpcFailure(1013, "Transaction Already Imported", None)
            tx = self._decode_extrinsic(raw)
            if self.chain.free(tx["who"]) < self.fee_for(tx["length"]):
                raise self._invalid("Inability to pay some fees (e.g. account balance too low)")
            if not self.automine:
                self.pending.append(hex_ext)
                self.pool[tx["who"]] = self.pool.get(tx["who"], 0) + 1
                return None
            self.pool.pop(tx["who"], None)  # the pooled transactions land in this block before it
            return self._include(hex_ext, tx)

    def _include(self, hex_ext: str, tx: dict[str, Any]) -> dict[str, Any]:
        """Apply a validated extrinsic in a new block of its own, with the events a node emits."""
        who, fee = tx["who"], self.fee_for(tx["length"])
        self.chain.set_account(who, free=self.chain.free(who) - fee, nonce=tx["nonce"] + 1)
        self.chain.staked_in_block = set()
        snapshot = copy.copy(self.chain.storage)
        info = {"weight": {"ref_time": 300_000_000, "proof_size": 4_000}, "class": "Normal", "pays_fee": "Yes"}
        events = [Event("Balances", "Withdraw", {"who": who, "amount": fee})]
        try:
            events += self.chain.dispatch(who, *tx["call"])
            tail = [Event("System", "ExtrinsicSuccess", {"dispatch_info": info})]
        except DispatchError as exc:
            self.chain.storage = snapshot
            index, err = self.codec.error_index(exc.pallet, exc.error)
            events = events[:1]
            tail = [Event("System", "ExtrinsicFailed", {"dispatch_error": {"Module": {
                "index": index, "error": "0x" + err.hex()}}, "dispatch_info": info})]
        events += [Event("TransactionPayment", "TransactionFeePaid", {"who": who, "actual_fee": fee, "tip": 0})]
        events += tail
        records = [{"phase": {"ApplyExtrinsic": 0}, "event": {e.pallet: {e.name: e.attributes}}, "topics": []}
                   for e in events]
        encoded = self.codec.encode(self.codec.storage("System", "Events").value_type, records)
        return self._new_block([hex_ext], encoded)

    def pending_hashes(self) -> list[str]:
        """Extrinsic hashes (blake2-256 of the encoded bytes) of the pool, as `author_submitExtrinsic` answers."""
        return ["0x" + blake2(bytes.fromhex(x[2:])).hex() for x in self.pending]

    def mine(self, n: int = 1) -> None:
        """n blocks; the first includes the pool's extrinsics (one block each, in the order they came)."""
        with self._lock:
            waiting, self.pending = self.pending, []
            included = 0
            for hex_ext in waiting:
                raw = bytes.fromhex(hex_ext[2:])
                try:  # re-validated as its block is built: its nonce is now the state's, its era may be over
                    tx = self._decode_extrinsic(raw, pooled=True)
                except RpcFailure:
                    continue  # dropped from the pool, as a node drops an outdated or ancient transaction
                self.pool[tx["who"]] = max(self.pool.get(tx["who"], 1) - 1, 0)
                self._include(hex_ext, tx)
                included += 1
            for _ in range(max(n - included, 0)):
                self._new_block([], b"\x00")

    # --- JSON-RPC ----------------------------------------------------------------------------
    def handle(self, method: str, params: list[Any]) -> Any:
        if method == "author_submitExtrinsic" and self.kill_before_submit:
            import os
            import signal
            import time

            os.kill(self.kill_before_submit, signal.SIGKILL)  # the sender dies before its extrinsic arrived
            self.kill_before_submit = None
            time.sleep(0.2)
            raise RpcFailure(-32000, "sender gone", None)
        self.calls[method] += 1
        h = self.head
        if method == "system_chain":
            return "Bittensor"
        if method == "system_properties":
            return {"ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"}
        if method in ("system_name", "system_version"):
            return "polis-substrate-double" if method == "system_name" else "1.0.0"
        if method == "rpc_methods":
            return self.recorded[("rpc_methods", "[]")]
        if method in ("chain_getHead", "chain_getFinalizedHead", "chain_getFinalisedHead"):
            return "0x" + h["hash"].hex()
        if method == "chain_getBlockHash":
            n = params[0] if params else None
            if n is None:
                return "0x" + h["hash"].hex()
            n = int(n, 16) if isinstance(n, str) else int(n)
            return "0x" + self.blocks[n]["hash"].hex() if n < len(self.blocks) else None
        if method == "chain_getHeader":
            return self._header(self._block(params[0] if params else None))
        if method == "chain_getBlock":
            b = self._block(params[0] if params else None)
            return {"block": {"header": self._header(b), "extrinsics": b["extrinsics"]}, "justifications": None}
        if method == "state_getRuntimeVersion":
            self._block(params[0] if params else None)
            return self.version
        if method in ("state_getStorage", "state_getStorageAt"):
            return self._storage(params[0], params[1] if len(params) > 1 else None)
        if method == "state_queryStorageAt":
            at = params[1] if len(params) > 1 else None
            block = self._block(at)
            return [{"block": "0x" + block["hash"].hex(), "changes": [[k, self._storage(k, at)] for k in params[0]]}]
        if method == "state_getKeysPaged":
            return self._keys_paged(*params)
        if method == "state_call":
            return self._state_call(*params)
        if method in ("account_nextIndex", "system_accountNextIndex"):
            from wallet.keys.substrate_keys import ss58_decode

            who = "0x" + ss58_decode(params[0], None).hex()
            return int(self.chain.account(who)["nonce"]) + self.pool.get(who, 0)
        if method == "author_submitExtrinsic":
            self.submit(params[0])
            if self.kill_pid:
                import os
                import signal
                import time

                os.kill(self.kill_pid, signal.SIGKILL)  # the node has the extrinsic; its sender never hears back
                self.kill_pid = None
                time.sleep(0.2)
            return "0x" + blake2(bytes.fromhex(params[0].removeprefix("0x"))).hex()
        if method == "author_pendingExtrinsics":
            return list(self.pending)
        if method == "author_unwatchExtrinsic":
            return True
        raise RpcFailure(-32601, "Method not found")

    async def _serve(self, ws: Any) -> None:
        sub = 0
        async for message in ws:
            req = json.loads(message)
            batch = isinstance(req, list)
            fault = None
            if self.faults is not None and "author_submit" not in str(message)[:400]:
                fault = self.faults.pick()
            if fault == "drop":
                await ws.close()
                return
            if fault == "stall":
                await asyncio.sleep(self.faults.stall)  # type: ignore[union-attr]
            if fault in ("rpc_busy", "rpc_limit"):
                err = ({"code": -32603, "message": "Internal error", "data": "backend busy, try again"}
                       if fault == "rpc_busy" else {"code": -32029, "message": "Too many requests"})
                out = [{"jsonrpc": "2.0", "id": r.get("id"), "error": err} for r in (req if batch else [req])]
                await ws.send(json.dumps(out if batch else out[0]))
                continue
            replies, notes = [], []
            for r in (req if batch else [req]):
                try:
                    if r["method"] == "author_submitAndWatchExtrinsic":
                        self.calls[r["method"]] += 1
                        block = self.submit(r["params"][0])
                        sub += 1
                        sid = f"sub-{sub}"
                        replies.append({"jsonrpc": "2.0", "id": r["id"], "result": sid})
                        bh = "0x" + block["hash"].hex() if block is not None else ""
                        for result in ("ready", {"inBlock": bh}, {"finalized": bh}) if bh else ("ready",):
                            notes.append({"jsonrpc": "2.0", "method": "author_extrinsicUpdate",
                                          "params": {"subscription": sid, "result": result}})
                        continue
                    replies.append({"jsonrpc": "2.0", "id": r["id"],
                                    "result": self.handle(r["method"], r.get("params", []))})
                except Exception as exc:  # noqa: BLE001 - every failure becomes a JSON-RPC error
                    if not isinstance(exc, RpcFailure):
                        import traceback

                        traceback.print_exc()
                        exc = RpcFailure(-32603, f"Internal error: {type(exc).__name__}: {exc}")
                    err: dict[str, Any] = {"code": exc.code, "message": exc.message}
                    if exc.data is not None:
                        err["data"] = exc.data
                    replies.append({"jsonrpc": "2.0", "id": r.get("id"), "error": err})
            text = json.dumps(replies if batch else replies[0])
            if fault == "garble":
                text = text[: max(1, len(text) // 2)]
            try:
                await ws.send(text)
            except Exception:  # the client gave up on a stalled answer and closed the socket
                return
            for n in notes:
                await ws.send(json.dumps(n))

    def start(self) -> str:
        from websockets.asyncio.server import serve

        ready = threading.Event()

        async def main() -> None:
            async with serve(self._serve, "127.0.0.1", 0, max_size=2**25) as server:
                port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
                self.url = f"ws://127.0.0.1:{port}"
                self._stop = asyncio.Event()
                ready.set()
                await self._stop.wait()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(main())

        self._thread = threading.Thread(target=run, daemon=True, name="substrate-double")
        self._thread.start()
        ready.wait(10)
        return self.url

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> SubstrateNode:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
