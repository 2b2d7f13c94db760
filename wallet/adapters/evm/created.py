"""What a ProposalCreated event (and a later edit of the proposal) archives as: the proposal's fields and each
action described for reading offline (the call decoded where its selector is known, token amounts in the DAO's
units)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wallet.adapters.evm import codec

if TYPE_CHECKING:
    from wallet.adapters.evm.adapter import EvmGovernorAdapter


def title_of(description: str) -> str:
    for line in description.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return "(untitled)"


def proposal_fields(ad: EvmGovernorAdapter, pc: codec.ProposalCreated, block: int, ts: int | None) -> dict[str, Any]:
    actions = [describe_action(ad, t, v, s, c) for t, v, s, c in
               zip(pc.targets, pc.values, pc.signatures, pc.calldatas, strict=True)]
    return {
        "title": title_of(pc.description), "body": pc.description, "proposer": pc.proposer,
        "status": "pending", "native_status": "Pending", "start_point": pc.vote_start,
        "end_point": pc.vote_end, "clock": ad.clock_mode(), "created_block": block, "created_at": ts,
        "choices": [{"key": k, "label": label} for k, label in ad.facts.choices], "actions": actions,
    }


def edit_fields(ad: EvmGovernorAdapter, edit: codec.ProposalEdit) -> dict[str, Any]:
    """The archived fields a proposal edit replaces: title and body, actions, or both."""
    fields: dict[str, Any] = {}
    if edit.description is not None:
        fields["title"], fields["body"] = title_of(edit.description), edit.description
    if edit.actions is not None:
        fields["actions"] = [describe_action(ad, t, v, s, c) for t, v, s, c in zip(*edit.actions, strict=True)]
    return fields


def describe_action(ad: EvmGovernorAdapter, target: str, value: int, signature: str,
                    calldata: bytes) -> dict[str, Any]:
    from wallet.units import format_amount

    data = calldata
    if signature:  # Bravo style: the selector comes from the signature, calldata holds the arguments
        known = next((sel for sel, (name, types, _n) in codec.KNOWN_CALLS.items()
                      if f"{name}({','.join(types)})" == signature.replace(" ", "")), None)
        data = bytes.fromhex(known) + calldata if known else b""
    decoded = codec.decode_call(data) if data else None
    out: dict[str, Any] = {"target": target, "value": str(value), "signature": signature,
                           "calldata": "0x" + calldata.hex(), "args": [], "summary": ""}
    if decoded:
        name, args, names = decoded
        types = codec.KNOWN_CALLS[data[:4].hex()][1]
        out["signature"] = f"{name}({','.join(types)})"
        out["args"] = [str(a) if isinstance(a, int) else a for a in args]
        to_token = target.lower() == ad.dao.token.lower()
        token = ad.token_denom if to_token else None  # the DAO's units: only a call to its token shows amounts in them
        shown = [f"{n}={format_amount(a, token)}" if token is not None and n == "amount" and isinstance(a, int)
                 else f"{n}={a}" for n, a in zip(names, args, strict=True)]
        where = ad.dao.token_symbol if to_token else (
            "Governor" if target.lower() == ad.dao.governor.lower() else target)
        out["summary"] = f"{where}.{name}({', '.join(shown)})"
    else:
        sel = calldata[:4].hex() if len(calldata) >= 4 and not signature else ""
        out["summary"] = f"call {target} {signature or ('0x' + sel if sel else '')} ({len(calldata)} bytes)"
    if value:
        out["summary"] += f" with {format_amount(value, ad.network.denom.denom())}"
    return out
