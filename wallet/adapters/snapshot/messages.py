"""EIP-712 for Snapshot votes: the typed document the wallet signs and its digest, by hand.

The signer (`EvmSigner.sign_typed_data`, eth-account) hashes the document itself; this module
hashes it independently so a plan can name the digest it signs and `submit` can check that the
signature recovers the planned address before anything is posted. keccak comes from pycryptodome
(fast import). Checked against a real sequencer envelope in tests/test_snapshot_eip712.py.

Facts (snapshot.js `src/sign/types.ts`): domain {name: "snapshot", version: "0.1.4"}, no chainId; type
`Vote` with `choice` as uint32 (single-choice, basic), uint32[] (approval, ranked-choice) or string (the
JSON of weighted and quadratic votes). Polis signs the layout of snapshot.js 0.14.18 and later (checked
against 0.17.5 in tests/test_oracle_snapshot.py): `from: string` (since 0.13.0) and `proposal: string`
for every id (0.14.18 dropped the bytes32 types). The sequencer still accepts the older type hashes
(snapshot.js 0.12: `from: address`, `proposal: bytes32` for 0x ids), so `LEGACY_LAYOUTS` stay verifiable.
"""

from __future__ import annotations

import re
from typing import Any

DOMAIN = {"name": "snapshot", "version": "0.1.4"}
DOMAIN_TYPE = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"}]

CHOICE_TYPE = {
    "single-choice": "uint32", "basic": "uint32",
    "approval": "uint32[]", "ranked-choice": "uint32[]",
    "weighted": "string", "quadratic": "string",
}
"""Solidity type of `choice` per Snapshot vote type."""

_BYTES32 = re.compile(r"^0x[0-9a-fA-F]{64}$")


def keccak(data: bytes) -> bytes:
    from Crypto.Hash import keccak as _k

    return _k.new(digest_bits=256, data=data).digest()


SNAPSHOT_JS_LAYOUT = "0.14.18"
"""The snapshot.js release whose `Vote` types Polis signs (unchanged up to 0.17.5)."""

REASON_MAX = 5_000
APP_MAX = 24
"""The sequencer's vote schema (snapshot.js `schemas/vote.json`): reason and app lengths in characters."""


def _fields(from_type: str, proposal_type: str, choice: str) -> list[dict[str, str]]:
    return [{"name": "from", "type": from_type}, {"name": "space", "type": "string"},
            {"name": "timestamp", "type": "uint64"}, {"name": "proposal", "type": proposal_type},
            {"name": "choice", "type": choice}, {"name": "reason", "type": "string"},
            {"name": "app", "type": "string"}, {"name": "metadata", "type": "string"}]


def vote_types(vote_type: str, proposal_id: str = "") -> list[dict[str, str]]:
    """The `Vote` struct's fields snapshot.js ≥ 0.14.18 signs for a proposal of this vote type."""
    choice = CHOICE_TYPE.get(vote_type)
    if choice is None:
        from wallet.errors import BadInput

        raise BadInput(f"unknown Snapshot vote type {vote_type!r} (known: {', '.join(CHOICE_TYPE)})")
    return _fields("string", "string", choice)


def legacy_vote_types(vote_type: str, proposal_id: str) -> list[dict[str, str]]:
    """The snapshot.js 0.12 layout (`from: address`, bytes32 proposal for 0x ids), still accepted."""
    return _fields("address", "bytes32" if _BYTES32.match(proposal_id) else "string", CHOICE_TYPE[vote_type])


def known_layout(fields: list[dict[str, str]], proposal_id: str) -> bool:
    """True when `fields` are one of the Vote layouts the sequencer accepts (current or legacy)."""
    choices = set(CHOICE_TYPE.values())
    ok = [_fields(f, p, c) for f in ("string", "address") for p in ("string", "bytes32") for c in choices]
    if not _BYTES32.match(proposal_id):
        ok = [x for x in ok if x[3]["type"] == "string"]
    return fields in ok


def check_lengths(reason: str, app: str) -> None:
    """BadInput unless the sequencer's schema takes this reason and app."""
    from wallet.errors import BadInput

    if len(reason) > REASON_MAX:
        raise BadInput(f"the reason is {len(reason):,} characters; Snapshot takes at most {REASON_MAX:,}")
    if len(app) > APP_MAX:
        raise BadInput(f"the app name {app!r} is {len(app)} characters; Snapshot takes at most {APP_MAX}")


def document(message: dict[str, Any], vote_type: str) -> dict[str, Any]:
    """The full EIP-712 document {types, primaryType, domain, message} for `sign_typed_data`.
    BadInput when the sequencer would refuse the reason or app length ("wrong vote format")."""
    check_lengths(str(message.get("reason", "")), str(message.get("app", "")))
    return {"types": {"EIP712Domain": DOMAIN_TYPE, "Vote": vote_types(vote_type, str(message["proposal"]))},
            "primaryType": "Vote", "domain": dict(DOMAIN), "message": message}


def _type_string(name: str, fields: list[dict[str, str]]) -> bytes:
    return f"{name}({','.join(f['type'] + ' ' + f['name'] for f in fields)})".encode()


def _encode_value(typ: str, value: Any) -> bytes:
    if typ.endswith("[]"):
        inner = typ[:-2]
        return keccak(b"".join(_encode_value(inner, v) for v in value))
    if typ == "string":
        return keccak(str(value).encode())
    if typ == "bytes":
        return keccak(bytes.fromhex(str(value).removeprefix("0x")))
    if typ == "address":
        raw = bytes.fromhex(str(value).removeprefix("0x"))
        if len(raw) != 20:
            raise ValueError("address must be 20 bytes")
        return raw.rjust(32, b"\0")
    if typ == "bytes32":
        raw = bytes.fromhex(str(value).removeprefix("0x"))
        if len(raw) != 32:
            raise ValueError("bytes32 must be 32 bytes")
        return raw
    if typ.startswith("uint"):
        bits = int(typ[4:] or 256)
        v = int(value)
        if v < 0 or v >= 1 << bits:
            raise ValueError(f"{v} does not fit {typ}")
        return v.to_bytes(32, "big")
    if typ == "bool":
        return (1 if value else 0).to_bytes(32, "big")
    raise ValueError(f"type {typ} is not used by Snapshot votes")


def struct_hash(name: str, fields: list[dict[str, str]], data: dict[str, Any]) -> bytes:
    enc = keccak(_type_string(name, fields))
    for f in fields:
        enc += _encode_value(f["type"], data[f["name"]])
    return keccak(enc)


def digest(doc: dict[str, Any]) -> bytes:
    """keccak(0x1901 ‖ domainSeparator ‖ hashStruct(message)) of a Snapshot document."""
    types = doc["types"]
    domain_fields = types.get("EIP712Domain") or [f for f in DOMAIN_TYPE if f["name"] in doc["domain"]]
    primary = doc.get("primaryType") or next(k for k in types if k != "EIP712Domain")
    sep = struct_hash("EIP712Domain", domain_fields, doc["domain"])
    return keccak(b"\x19\x01" + sep + struct_hash(primary, types[primary], doc["message"]))


def recover(digest_: bytes, signature: bytes) -> str:
    """The checksummed address whose key made this 65-byte r‖s‖v signature over `digest_`."""
    from eth_keys import keys

    if len(signature) != 65:
        raise ValueError("a signature is 65 bytes")
    v = signature[64]
    v = v - 27 if v >= 27 else v
    if v not in (0, 1):
        raise ValueError("bad recovery id")
    sig = keys.Signature(signature_bytes=signature[:64] + bytes([v]))
    return sig.recover_public_key_from_msg_hash(digest_).to_checksum_address()
