"""Decoding what the fork answered: revert data, events, token metadata. Nodes (and forks of them) are
untrusted: every slice is bounds-checked and a value that does not decode is shown raw."""

from __future__ import annotations

from typing import Any

from wallet.simulate.execute import keccak256, selector

PANIC_CODES = {
    0x01: "assertion failed", 0x11: "arithmetic overflow or underflow", 0x12: "division by zero",
    0x21: "invalid enum value", 0x22: "bad storage byte array", 0x31: "pop on an empty array",
    0x32: "array index out of bounds", 0x41: "out of memory", 0x51: "call to an invalid function",
}

# Custom errors a governance action commonly hits (OpenZeppelin 5); static arguments only.
KNOWN_ERRORS = [
    "ERC20InsufficientBalance(address,uint256,uint256)", "ERC20InsufficientAllowance(address,uint256,uint256)",
    "ERC20InvalidReceiver(address)", "ERC20InvalidSender(address)", "OwnableUnauthorizedAccount(address)",
    "AccessControlUnauthorizedAccount(address,bytes32)", "GovernorOnlyExecutor(address)",
    "GovernorInvalidQuorumFraction(uint256,uint256)", "GovernorInvalidVotingPeriod(uint256)",
    "TimelockUnauthorizedCaller(address)", "TimelockInsufficientDelay(uint256,uint256)",
    "TimelockUnexpectedOperationState(bytes32,bytes32)", "FailedCall()", "FailedInnerCall()",
    "AddressInsufficientBalance(address)", "InsufficientBalance(uint256,uint256)",
    "SafeERC20FailedOperation(address)", "EnforcedPause()",
]
_ERRORS = {selector(sig).hex(): sig for sig in KNOWN_ERRORS}

# Events: signature with parameter names; `indexed` marks topics.
KNOWN_EVENTS = [
    "Transfer(address indexed from,address indexed to,uint256 value)",
    "Approval(address indexed owner,address indexed spender,uint256 value)",
    "DelegateChanged(address indexed delegator,address indexed fromDelegate,address indexed toDelegate)",
    "DelegateVotesChanged(address indexed delegate,uint256 previousVotes,uint256 newVotes)",
    "VotingDelaySet(uint256 oldVotingDelay,uint256 newVotingDelay)",
    "VotingPeriodSet(uint256 oldVotingPeriod,uint256 newVotingPeriod)",
    "ProposalThresholdSet(uint256 oldProposalThreshold,uint256 newProposalThreshold)",
    "QuorumNumeratorUpdated(uint256 oldQuorumNumerator,uint256 newQuorumNumerator)",
    "QuorumVotesSet(uint256 oldQuorumVotes,uint256 newQuorumVotes)",
    "TimelockChange(address oldTimelock,address newTimelock)",
    "MinDelayChange(uint256 oldDuration,uint256 newDuration)",
    "NewDelay(uint256 indexed newDelay)",
    "NewAdmin(address indexed newAdmin)",
    "RoleGranted(bytes32 indexed role,address indexed account,address indexed sender)",
    "RoleRevoked(bytes32 indexed role,address indexed account,address indexed sender)",
    "CallExecuted(bytes32 indexed id,uint256 indexed index,address target,uint256 value,bytes data)",
    "CallScheduled(bytes32 indexed id,uint256 indexed index,address target,uint256 value,bytes data,"
    "bytes32 predecessor,uint256 delay)",
    "ExecuteTransaction(bytes32 indexed txHash,address indexed target,uint256 value,string signature,"
    "bytes data,uint256 eta)",
    "QueueTransaction(bytes32 indexed txHash,address indexed target,uint256 value,string signature,"
    "bytes data,uint256 eta)",
    "ProposalQueued(uint256 proposalId,uint256 etaSeconds)",
    "ProposalExecuted(uint256 proposalId)",
    "ProposalCanceled(uint256 proposalId)",
    "OwnershipTransferred(address indexed previousOwner,address indexed newOwner)",
]


def _parse_event(spec: str) -> tuple[str, str, list[tuple[str, str, bool]]]:
    name, _, rest = spec.partition("(")
    params = []
    for part in rest.rstrip(")").split(","):
        bits = part.split()
        params.append((bits[0], bits[-1], "indexed" in bits[1:-1]))
    signature = f"{name}({','.join(t for t, _, _ in params)})"
    return name, signature, params


_EVENTS = {"0x" + keccak256(sig.encode()).hex(): (name, params)
           for name, sig, params in (_parse_event(s) for s in KNOWN_EVENTS)}
TOPIC_TRANSFER = "0x" + keccak256(b"Transfer(address,address,uint256)").hex()
TOPIC_APPROVAL = "0x" + keccak256(b"Approval(address,address,uint256)").hex()


def checksum(word: bytes) -> str:
    from wallet.adapters.evm.codec import address_from_word

    return address_from_word(word)


def _static(kind: str, word: bytes) -> Any:
    if kind == "address":
        return checksum(word)
    if kind == "bool":
        return bool(int.from_bytes(word, "big"))
    if kind.startswith(("uint", "int")):
        v = int.from_bytes(word, "big")
        if kind.startswith("int") and v >= 1 << 255:
            v -= 1 << 256
        return str(v)
    return "0x" + word.hex()


def decode_revert(data: bytes | None, text: str = "") -> dict[str, Any]:
    """{"kind": error|panic|custom|empty|note, "reason": human text, "selector", "data"}."""
    if text:
        return {"kind": "note", "reason": text, "selector": "", "data": ""}
    data = data or b""
    out: dict[str, Any] = {"kind": "empty", "reason": "reverted without a reason", "selector": "",
                           "data": "0x" + data.hex()}
    if len(data) < 4:
        return out
    sel = data[:4].hex()
    out["selector"] = "0x" + sel
    body = data[4:]
    if sel == "08c379a0":  # Error(string)
        try:
            off = int.from_bytes(body[:32], "big")
            n = int.from_bytes(body[off:off + 32], "big")
            if off + 32 + n <= len(body):
                return {**out, "kind": "error", "reason": body[off + 32:off + 32 + n].decode("utf-8", "replace")}
        except (ValueError, IndexError):
            pass
    elif sel == "4e487b71" and len(body) >= 32:  # Panic(uint256)
        code = int.from_bytes(body[:32], "big")
        return {**out, "kind": "panic", "reason": f"panic 0x{code:02x}: {PANIC_CODES.get(code, 'unknown code')}"}
    known = _ERRORS.get(sel)
    if known:
        types = [t for t in known[known.index("(") + 1:-1].split(",") if t]
        if len(body) >= 32 * len(types):
            args = [_static(t, body[32 * i:32 * i + 32]) for i, t in enumerate(types)]
            return {**out, "kind": "custom", "reason": f"{known[:known.index('(')]}({', '.join(map(str, args))})"}
    return {**out, "kind": "custom", "reason": f"custom error 0x{sel}"}


def decode_event(log: dict[str, Any]) -> dict[str, Any]:
    """{"address", "name", "args": {name: value}} for a known event; else {"address", "topic"}."""
    address = str(log.get("address", ""))
    topics = [str(t) for t in log.get("topics") or []]
    try:
        data = bytes.fromhex(str(log.get("data") or "0x")[2:])
    except ValueError:
        data = b""
    base: dict[str, Any] = {"address": _safe_checksum(address), "topic": topics[0] if topics else ""}
    known = _EVENTS.get(topics[0].lower()) if topics else None
    if known is None:
        return base
    name, params = known
    n_indexed = sum(1 for _, _, ix in params if ix)
    if len(topics) != 1 + n_indexed:  # e.g. ERC-721's Transfer indexes its token id
        return {**base, "name": name, "args": {}, "note": "non-standard indexing"}
    args: dict[str, Any] = {}
    ti, di = 1, 0
    for kind, pname, indexed in params:
        if indexed:
            args[pname] = _static(kind, bytes.fromhex(topics[ti][2:].rjust(64, "0")))
            ti += 1
            continue
        word = data[32 * di:32 * di + 32]
        di += 1
        if len(word) < 32:
            return {**base, "name": name, "args": args, "note": "data too short"}
        static = kind in ("address", "bool", "bytes32") or kind.startswith(("uint", "int"))
        args[pname] = _static(kind, word) if static else "(dynamic)"
    return {**base, "name": name, "args": args}


def _safe_checksum(address: str) -> str:
    h = address.lower().removeprefix("0x")
    if len(h) != 40:
        return address
    try:
        return checksum(bytes.fromhex(h))
    except ValueError:
        return address


def decode_string_or_bytes32(raw: bytes) -> str:
    """symbol()/name(): an ABI string, or a bytes32 (older tokens such as MKR)."""
    if len(raw) >= 64:
        off = int.from_bytes(raw[:32], "big")
        if off + 32 <= len(raw):
            n = int.from_bytes(raw[off:off + 32], "big")
            if n <= 256 and off + 32 + n <= len(raw):
                return raw[off + 32:off + 32 + n].decode("utf-8", "replace")
    if len(raw) == 32:
        return raw.rstrip(b"\0").decode("utf-8", "replace")
    return ""
