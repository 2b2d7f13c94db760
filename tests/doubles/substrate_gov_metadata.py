"""A finney metadata variant WITH the old governance shape, synthesised for the detection test.

Neither fixture runtime still has it (both postdate the Senate's removal), so this takes the real
finney metadata and adds what subtensor had before October 2025, in pallet_collective's types:
`Triumvirate` (Proposals: Vec<H256>, ProposalOf: H256 -> RuntimeCall, Voting: H256 -> Votes{index,
threshold, ayes, nays, end}, ProposalCount, Members, Prime), `SenateMembers` (Members), and the
senators' call `SubtensorModule.vote(hotkey, proposal, index: Compact<u32>, approve)` with its
errors. Everything else is the real runtime, re-encoded by scalecodec.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from tests.doubles.substrate_codec import FINNEY_METADATA, Codec


def _find(types: list[dict[str, Any]], pred: Any) -> int:
    for t in types:
        if pred(t["type"]):
            return int(t["id"])
    raise KeyError("type not found")


@lru_cache(maxsize=1)
def governance_metadata() -> bytes:
    base = Codec.from_file(FINNEY_METADATA)
    value = copy.deepcopy(base.meta.value)
    v15 = value[1]["V15"]
    types = v15["types"]["types"]
    next_id = max(t["id"] for t in types) + 1

    def add(ty: dict[str, Any]) -> int:
        nonlocal next_id
        types.append({"id": next_id, "type": {"path": [], "params": [], "docs": [], **ty}})
        next_id += 1
        return next_id - 1

    h256 = _find(types, lambda t: t["path"] == ["primitive_types", "H256"])
    boolean = _find(types, lambda t: t["def"] == {"primitive": "bool"})
    u32 = _find(types, lambda t: t["def"] == {"primitive": "u32"})
    accounts = _find(types, lambda t: t["def"] == {"sequence": {"type": 0}})
    account = 0
    c_u32 = add({"def": {"compact": {"type": u32}}})
    vec_h256 = add({"def": {"sequence": {"type": h256}}})
    opt_account = _find(types, lambda t: t["path"] == ["Option"] and t["params"] and t["params"][0]["type"] == account)

    def field(name: str, ty: int, tn: str) -> dict[str, Any]:
        return {"name": name, "type": ty, "typeName": tn, "docs": []}

    votes = add({"path": ["pallet_collective", "Votes"], "def": {"composite": {"fields": [
        field("index", u32, "ProposalIndex"), field("threshold", u32, "MemberCount"),
        field("ayes", accounts, "Vec<AccountId>"), field("nays", accounts, "Vec<AccountId>"),
        field("end", u32, "BlockNumber")]}}})
    call_ty = v15["extrinsic"]["call_ty"]

    # SubtensorModule.vote and the senate errors
    sm = next(p for p in v15["pallets"] if p["name"] == "SubtensorModule")
    calls = next(t for t in types if t["id"] == sm["calls"]["ty"])["type"]["def"]["variant"]["variants"]
    calls.append({"name": "vote", "index": 250, "docs": [], "fields": [
        field("hotkey", account, "T::AccountId"), field("proposal", h256, "T::Hash"),
        field("index", c_u32, "u32"), field("approve", boolean, "bool")]})
    errors = next(t for t in types if t["id"] == sm["error"]["ty"])["type"]["def"]["variant"]["variants"]
    for i, name in enumerate(("NotSenateMember", "ProposalMissing", "WrongProposalIndex", "DuplicateVote")):
        errors.append({"name": name, "index": 250 + i, "docs": [], "fields": []})

    template = next(p for p in v15["pallets"] if p["name"] == "Timestamp")
    plain = next(e for e in template["storage"]["entries"] if e["modifier"] == "Default")
    optional = next(e for p in v15["pallets"] if p["storage"] for e in p["storage"]["entries"]
                    if e["modifier"] == "Optional")

    def entry(name: str, ty: Any, default: bool = True) -> dict[str, Any]:
        src = plain if default else optional
        return {**src, "name": name, "type": ty, "default": src["default"] if default else optional["default"],
                "docs": []}

    def pallet(name: str, index: int, entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {**template, "name": name, "index": index, "calls": None, "event": None, "constants": [],
                "error": None, "docs": [], "storage": {"prefix": name, "entries": entries}}

    def ident_map(value: int) -> dict[str, Any]:
        return {"Map": {"hashers": ["Identity"], "key": h256, "value": value}}

    v15["pallets"].append(pallet("Triumvirate", 8, [
        {**entry("Proposals", {"Plain": vec_h256}), "default": "0x00"},
        entry("ProposalOf", ident_map(call_ty), default=False),
        entry("Voting", ident_map(votes), default=False),
        {**entry("ProposalCount", {"Plain": u32}), "default": "0x00000000"},
        {**entry("Members", {"Plain": accounts}), "default": "0x00"},
        entry("Prime", {"Plain": account}, default=False)]))
    v15["pallets"].append(pallet("SenateMembers", 10, [{**entry("Members", {"Plain": accounts}), "default": "0x00"}]))
    del opt_account
    obj = base.rc.create_scale_object("MetadataVersioned")
    return bytes(obj.encode(value).data)
