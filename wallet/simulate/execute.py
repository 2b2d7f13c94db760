"""Run a proposal's actions on the fork, the way its executor would.

Two paths, and the report says which was used:

- `governor`: the proposal is Succeeded or Queued at the fork's block, so the fork runs the
  governor's own `queue` (when needed) and, after moving the clock past the eta, `execute` — exactly
  what a keeper would send. Per-action outcomes come from the call trace of that one transaction.
- `executor`: otherwise (still voting, or the governor path is not available), each action is sent
  from the executor's address (the timelock, or the governor itself), impersonated, in order, with its
  value and calldata; the sequence stops at the first revert, as the executor's single transaction
  would, and later actions are reported as not run.

Gas costs nothing on the fork (base fee 0), so no account is funded and native balances move only
by the actions' values.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet.adapters.evm.kinds import COMPOUND_KINDS, FACTS, STATE_NAMES  # queued and executed by id; the rest OZ
from wallet.errors import RpcError

if TYPE_CHECKING:
    from wallet.simulate.fork import Fork

KEEPER = "0x00000000000000000000000000000000000051a7"
"""The impersonated sender of the governor path's queue/execute (any address may send them)."""

OZ_SUCCEEDED, OZ_QUEUED = 4, 5  # OZ, Bravo, Alpha and Nouns share these two state numbers


@dataclass
class Action:
    index: int
    target: str
    value: int
    signature: str
    calldata: bytes
    summary: str = ""

    def call_bytes(self) -> bytes:
        """What the executor sends: Bravo/Alpha actions with a signature string send its selector and the
        ABI-encoded arguments. An archived OZ action's signature is only the decoded name and its calldata
        already starts with the selector: ABI arguments are whole 32-byte words, so a length of 4 mod 32
        tells the two apart."""
        if self.signature and len(self.calldata) % 32 == 0:
            return selector(self.signature) + self.calldata
        return self.calldata


@dataclass
class ActionRun:
    index: int
    status: str  # success | reverted | not_run
    gas_used: int | None = None
    revert_data: bytes | None = None
    revert_text: str = ""  # a reason that did not come as revert data (e.g. not enough ETH)
    logs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Execution:
    path: str  # governor | executor
    runs: list[ActionRun]
    notes: list[str] = field(default_factory=list)
    extra_logs: list[dict[str, Any]] = field(default_factory=list)
    """Logs of the governor path's queue/execute that no action emitted (ProposalQueued, …)."""


def selector(signature: str) -> bytes:
    from Crypto.Hash import keccak

    return keccak.new(digest_bits=256, data=signature.replace(" ", "").encode()).digest()[:4]


def keccak256(data: bytes) -> bytes:
    from Crypto.Hash import keccak

    return keccak.new(digest_bits=256, data=data).digest()


def _word(hexdata: Any, i: int = 0) -> int:
    raw = bytes.fromhex(str(hexdata)[2:])
    return int.from_bytes(raw[32 * i:32 * i + 32], "big")


def _call(fork: Fork, to: str, data: bytes, block: str = "latest") -> bytes:
    return bytes.fromhex(str(fork.rpc("eth_call", {"to": to, "data": "0x" + data.hex()}, block))[2:])


def gas_cap(fork: Fork) -> int:
    block = fork.rpc("eth_getBlockByNumber", "latest", False)
    return int(block["gasLimit"], 16)


def _send(fork: Fork, sender: str, to: str, data: bytes, value: int, gas: int) -> dict[str, Any]:
    tx = {"from": sender, "to": to, "data": "0x" + data.hex(), "value": hex(value), "gas": hex(gas),
          "gasPrice": "0x0"}
    tx_hash = fork.rpc("eth_sendTransaction", tx)
    receipt = fork.rpc("eth_getTransactionReceipt", tx_hash)
    if receipt is None:  # automine is on; one explicit block if the pool held it back
        fork.rpc("evm_mine")
        receipt = fork.rpc("eth_getTransactionReceipt", tx_hash)
    if receipt is None:
        raise RpcError(f"the fork did not mine the transaction {tx_hash}")
    return dict(receipt)


def _revert_of(fork: Fork, sender: str, to: str, data: bytes, value: int, gas: int) -> bytes:
    """Replay a reverted transaction as eth_call at the same state to get its revert data."""
    try:
        fork.rpc("eth_call", {"from": sender, "to": to, "data": "0x" + data.hex(), "value": hex(value),
                              "gas": hex(gas)}, "latest")
    except Exception as exc:
        raw = getattr(exc, "data", None)
        if isinstance(raw, dict):
            raw = raw.get("data")
        if isinstance(raw, str) and raw.startswith("0x"):
            try:
                return bytes.fromhex(raw[2:])
            except ValueError:
                return b""
    return b""


# --------------------------------------------------------------------------- executor path

def run_executor_path(fork: Fork, executor: str, actions: list[Action], gas: int) -> list[ActionRun]:
    fork.rpc("anvil_impersonateAccount", executor)
    runs: list[ActionRun] = []
    stopped = False
    for a in actions:
        if stopped:
            runs.append(ActionRun(index=a.index, status="not_run"))
            continue
        data = a.call_bytes()
        if a.value:
            have = int(fork.rpc("eth_getBalance", executor, "latest"), 16)
            if have < a.value:
                runs.append(ActionRun(index=a.index, status="reverted", revert_text=(
                    f"the executor holds {have} wei but the action sends {a.value} wei")))
                stopped = True
                continue
        receipt = _send(fork, executor, a.target, data, a.value, gas)
        used = int(receipt.get("gasUsed", "0x0"), 16)
        if receipt.get("status") == "0x1":
            runs.append(ActionRun(index=a.index, status="success", gas_used=used, logs=list(receipt.get("logs") or [])))
        else:
            runs.append(ActionRun(index=a.index, status="reverted", gas_used=used,
                                  revert_data=_revert_of(fork, executor, a.target, data, a.value, gas)))
            stopped = True
    fork.rpc("anvil_stopImpersonatingAccount", executor)
    return runs


# --------------------------------------------------------------------------- governor path

def proposal_state(fork: Fork, governor: str, pid: int) -> int | None:
    try:
        return _word("0x" + _call(fork, governor, selector("state(uint256)") + pid.to_bytes(32, "big")).hex())
    except Exception:
        return None


def _oz_args(actions: list[Action], description: str) -> bytes:
    """ABI encoding of (address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash),
    by hand: eth_abi costs ~0.2 s to import (tests check this against it)."""
    def word(v: int) -> bytes:
        return v.to_bytes(32, "big")

    def static_array(items: list[int]) -> bytes:
        return word(len(items)) + b"".join(word(v) for v in items)

    def bytes_array(items: list[bytes]) -> bytes:
        heads, tails, offset = [], [], 32 * len(items)
        for item in items:
            heads.append(word(offset))
            tail = word(len(item)) + item + b"\0" * (-len(item) % 32)
            tails.append(tail)
            offset += len(tail)
        return word(len(items)) + b"".join(heads) + b"".join(tails)

    targets = static_array([int(a.target, 16) for a in actions])
    values = static_array([a.value for a in actions])
    calldatas = bytes_array([a.call_bytes() for a in actions])
    head = word(128) + word(128 + len(targets)) + word(128 + len(targets) + len(values))
    return head + keccak256(description.encode()) + targets + values + calldatas


def decode_actions(raw: bytes) -> list[tuple[str, int, str, bytes]]:
    """getActions(uint256) → [(target, value, signature, calldata)] (bounds-checked, no eth_abi)."""
    from wallet.adapters.evm.codec import _Reader, address_from_word

    r = _Reader(raw)
    tr, nt = r.array_at(0)
    vr, nv = r.array_at(1)
    sr, ns = r.array_at(2)
    cr, nc = r.array_at(3)
    if not nt == nv == ns == nc:
        raise ValueError("action arrays differ in length")
    return [(address_from_word(tr.raw_word(k)), vr.word(k), sr.string_at(k), cr.bytes_at(k)) for k in range(nt)]


OZ_SIG = "(address[],uint256[],bytes[],bytes32)"


def try_governor_path(fork: Fork, *, kind: str, governor: str, executor: str, pid: int, description: str,
                      actions: list[Action], gas: int) -> tuple[Execution | None, str]:
    """The governor's own queue + execute when the proposal is Succeeded or Queued; (None, why not) else."""
    state = proposal_state(fork, governor, pid)
    if state not in (OZ_SUCCEEDED, OZ_QUEUED):
        name = STATE_NAMES[state] if state is not None and state < len(STATE_NAMES) else "unknown"
        if name == "Executed":
            return None, ("the proposal was already executed at the fork's block: its actions ran again from the "
                          "executor on today's state (--block before its execution shows what it did then)")
        return None, f"the proposal is {name} at the fork's block, so its actions ran from the executor directly"
    oz = kind not in COMPOUND_KINDS
    if oz:
        args = _oz_args(actions, description)
        try:
            hashed = int.from_bytes(_call(fork, governor, selector("hashProposal" + OZ_SIG) + args)[:32], "big")
        except Exception:
            hashed = -1
        if hashed != pid:
            return None, ("the archived actions and description do not hash to the proposal id: "
                          "ran them from the executor directly")
    notes: list[str] = []
    fork.rpc("anvil_impersonateAccount", KEEPER)
    pidw = pid.to_bytes(32, "big")
    if state == OZ_SUCCEEDED:
        needs = executor.lower() != governor.lower() or not oz
        if oz:
            with contextlib.suppress(Exception):
                sel = selector("proposalNeedsQueuing(uint256)")
                needs = bool(_word("0x" + _call(fork, governor, sel + pidw).hex()))
        if needs:
            data = selector("queue" + OZ_SIG) + args if oz else selector("queue(uint256)") + pidw
            receipt = _send(fork, KEEPER, governor, data, 0, gas)
            if receipt.get("status") != "0x1":
                return None, "the governor's queue() reverts on the fork: ran the actions from the executor directly"
            notes.append("queued through the governor")
    eta = _eta(fork, governor, pid, kind)
    now = int(fork.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    if eta and eta >= now:
        fork.rpc("evm_setNextBlockTimestamp", hex(eta + 1))
        notes.append(f"moved the fork's clock {eta + 1 - now:,} s ahead, past the timelock's eta")
    data = selector("execute" + OZ_SIG) + args if oz else selector("execute(uint256)") + pidw
    receipt = _send(fork, KEEPER, governor, data, 0, gas)
    ok = receipt.get("status") == "0x1"
    trace = _trace(fork, str(receipt["transactionHash"]))
    runs, extra = _runs_from_trace(trace, executor, actions, ok, receipt)
    if runs is None:
        return None, ("the governor's execute() reverts outside the actions"
                      + (f" ({_top_error(trace)})" if _top_error(trace) else "")
                      + ": ran the actions from the executor directly to find the failing one")
    notes.append("executed through the governor" + ("" if ok else " (the transaction reverts)"))
    return Execution(path="governor", runs=runs, notes=notes, extra_logs=extra), ""


def _eta(fork: Fork, governor: str, pid: int, kind: str) -> int:
    """When a queued proposal may run: OZ's proposalEta, else the eta word of the kind's `proposals(id)`."""
    pidw = pid.to_bytes(32, "big")
    try:
        if kind not in COMPOUND_KINDS:
            return _word("0x" + _call(fork, governor, selector("proposalEta(uint256)") + pidw).hex())
        return _word("0x" + _call(fork, governor, selector("proposals(uint256)") + pidw).hex(), FACTS[kind].eta_word)
    except Exception:
        return 0


def _trace(fork: Fork, tx_hash: str) -> dict[str, Any]:
    try:
        got = fork.rpc("debug_traceTransaction", tx_hash, {"tracer": "callTracer", "tracerConfig": {"withLog": True}})
        return dict(got) if isinstance(got, dict) else {}
    except RpcError:
        return {}
    except Exception as exc:  # an RpcError of the devnet client
        if type(exc).__name__ == "RpcError":
            return {}
        raise


def _top_error(trace: dict[str, Any]) -> str:
    return str(trace.get("revertReason") or trace.get("error") or "")[:200]


def _frames(frame: dict[str, Any]) -> list[dict[str, Any]]:
    out = [frame]
    for child in frame.get("calls") or []:
        out += _frames(child)
    return out


def _subtree_logs(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """Logs of a call frame and its children, in execution order (callTracer keeps a `position`)."""
    logs = [dict(lg) for lg in frame.get("logs") or []]
    for child in frame.get("calls") or []:
        logs += _subtree_logs(child)
    return logs


def _runs_from_trace(trace: dict[str, Any], executor: str, actions: list[Action], ok: bool,
                     receipt: dict[str, Any]) -> tuple[list[ActionRun] | None, list[dict[str, Any]]]:
    """Match the executor's calls in the trace to the actions, in order."""
    frames = [f for f in _frames(trace) if str(f.get("from", "")).lower() == executor.lower()
              and str(f.get("type", "")).upper() == "CALL"] if trace else []
    runs: list[ActionRun] = []
    k = 0
    seen_logs: set[tuple[str, str]] = set()
    failed = False
    for a in actions:
        while k < len(frames) and str(frames[k].get("to", "")).lower() != a.target.lower():
            k += 1
        if failed or k >= len(frames):
            runs.append(ActionRun(index=a.index, status="not_run"))
            continue
        f = frames[k]
        k += 1
        used = int(str(f.get("gasUsed", "0x0")), 16)
        if f.get("error"):
            out = str(f.get("output") or "0x")
            runs.append(ActionRun(index=a.index, status="reverted", gas_used=used,
                                  revert_data=bytes.fromhex(out[2:]) if out.startswith("0x") else b""))
            failed = True
            continue
        logs = _subtree_logs(f)
        for lg in logs:
            seen_logs.add((str(lg.get("address", "")).lower(), str(lg.get("data", ""))))
        runs.append(ActionRun(index=a.index, status="success", gas_used=used, logs=logs))
    if not ok and not failed:
        return None, []
    if ok and any(r.status == "not_run" for r in runs):
        return None, []  # the trace did not show every action: use the executor path instead
    extra = [dict(lg) for lg in receipt.get("logs") or []
             if (str(lg.get("address", "")).lower(), str(lg.get("data", ""))) not in seen_logs] if ok else []
    return runs, extra


def verify_actions(fork: Fork, *, kind: str, governor: str, pid: int, description: str,
                   actions: list[Action]) -> tuple[bool | None, str]:
    """Do the archived actions match the chain's? OZ: they (and the description) hash to the proposal id;
    Bravo/Alpha: `getActions(id)` at the fork's block. → (True/False, note), None when it cannot be told."""
    if kind not in COMPOUND_KINDS:
        try:
            got = int.from_bytes(_call(fork, governor, selector("hashProposal" + OZ_SIG)
                                       + _oz_args(actions, description))[:32], "big")
        except Exception:
            return None, "the governor has no hashProposal: the archived actions were not checked"
        if got != pid:
            return False, "the archived actions do not hash to the proposal id: the archive may be stale or altered"
        return True, ""
    try:
        raw = _call(fork, governor, selector("getActions(uint256)") + pid.to_bytes(32, "big"))
        stored = decode_actions(raw)
    except Exception:
        return None, "the proposal's actions could not be read from the governor at the fork's block"
    chain = [(t.lower(), int(v), (selector(s) + bytes(c)) if s else bytes(c)) for t, v, s, c in stored]
    mine = [(a.target.lower(), a.value, a.call_bytes()) for a in actions]
    if chain != mine:
        return False, ("the archived actions differ from the governor's getActions(): "
                       "the archive may be stale or altered")
    return True, ""
