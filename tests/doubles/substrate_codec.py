"""SCALE against a real runtime's metadata, for the Substrate node double.

Storage keys are hashed here (twox128 of pallet and item, then each key with its hasher) rather than
with the client library's helper, so a wrong key on either side shows up as a miss, not as two
identical bugs. Values and calls are encoded/decoded by scalecodec from the metadata's own types.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "bittensor"
FINNEY_METADATA = FIXTURES / "finney_metadata_v15.hex"
OLDER_METADATA = FIXTURES / "older_runtime_metadata_v15.hex"
RECORDINGS = FIXTURES / "finney_ws_recordings.json"


def twox(data: bytes, n: int) -> bytes:
    import xxhash

    return b"".join(xxhash.xxh64(data, seed=i).intdigest().to_bytes(8, "little") for i in range(n))


def blake2(data: bytes, size: int = 32) -> bytes:
    return hashlib.blake2b(data, digest_size=size).digest()


def hash_key(hasher: str, data: bytes) -> bytes:
    return {
        "Blake2_128Concat": lambda d: blake2(d, 16) + d,
        "Blake2_128": lambda d: blake2(d, 16),
        "Blake2_256": lambda d: blake2(d, 32),
        "Twox64Concat": lambda d: twox(d, 1) + d,
        "Twox128": lambda d: twox(d, 2),
        "Identity": lambda d: d,
    }[hasher](data)


def compact(n: int) -> bytes:
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little")
    if n < 1 << 30:
        return ((n << 2) | 2).to_bytes(4, "little")
    body = n.to_bytes((n.bit_length() + 7) // 8, "little")
    return bytes([((len(body) - 4) << 2) | 3]) + body


def read_compact(data: bytes, at: int = 0) -> tuple[int, int]:
    mode = data[at] & 3
    if mode == 0:
        return data[at] >> 2, at + 1
    if mode == 1:
        return int.from_bytes(data[at:at + 2], "little") >> 2, at + 2
    if mode == 2:
        return int.from_bytes(data[at:at + 4], "little") >> 2, at + 4
    n = (data[at] >> 2) + 4
    return int.from_bytes(data[at + 1:at + 1 + n], "little"), at + 1 + n


def metadata_bytes(path: Path) -> bytes:
    """The inner RuntimeMetadataPrefixed bytes of a `Metadata_metadata_at_version` result."""
    raw = bytes.fromhex(path.read_text().strip().removeprefix("0x"))
    assert raw[0] == 1, "Option::Some expected"
    length, at = read_compact(raw, 1)
    return raw[at:at + length]


def option_opaque(inner: bytes) -> str:
    """Wrap metadata bytes back into the `Option<OpaqueMetadata>` a node returns."""
    return "0x" + (b"\x01" + compact(len(inner)) + inner).hex()


def _raw(value: Any) -> bytes:
    """Metadata byte strings come back from scalecodec as hex, bytes, or text decoded as UTF-8."""
    if isinstance(value, bytes):
        return value
    if value.startswith("0x"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    return value.encode("utf-8", "surrogateescape")


@dataclass
class StorageItem:
    pallet: str
    name: str
    hashers: list[str]
    key_types: list[int]
    value_type: int
    optional: bool
    default: bytes


class Codec:
    """A decoded runtime: its type registry, storage items, calls, and SCALE helpers."""

    def __init__(self, inner: bytes) -> None:
        from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
        from scalecodec.type_registry import load_type_registry_preset

        self.inner = inner
        self.rc = RuntimeConfigurationObject()
        self.rc.update_type_registry(load_type_registry_preset(name="core"))
        self.meta = self.rc.create_scale_object("MetadataVersioned", data=ScaleBytes(inner))
        self.meta.decode()
        self.rc.add_portable_registry(self.meta)
        self.v15 = self.meta.value[1]["V15"]
        self.types = {t["id"]: t["type"] for t in self.v15["types"]["types"]}

    @classmethod
    def from_file(cls, path: Path) -> Codec:
        return cls(metadata_bytes(path))

    @cached_property
    def pallets(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.v15["pallets"]}

    def storage(self, pallet: str, name: str) -> StorageItem:
        p = self.pallets[pallet]
        for e in p["storage"]["entries"]:
            if e["name"] == name:
                t = e["type"]
                if "Plain" in t:
                    return StorageItem(pallet, name, [], [], t["Plain"], e["modifier"] == "Optional",
                                       _raw(e["default"]))
                mp = t["Map"]
                keys = [mp["key"]]
                if len(mp["hashers"]) > 1:
                    keys = self.types[mp["key"]]["def"]["tuple"]
                return StorageItem(pallet, name, mp["hashers"], keys, mp["value"], e["modifier"] == "Optional",
                                   _raw(e["default"]))
        raise KeyError(f"{pallet}.{name}")

    def encode(self, type_id: int, value: Any) -> bytes:
        obj = self.rc.create_scale_object(f"scale_info::{type_id}")
        return bytes(obj.encode(value).data)

    def decode(self, type_id: int, data: bytes, at: int = 0) -> tuple[Any, int]:
        from scalecodec.base import ScaleBytes

        obj = self.rc.create_scale_object(f"scale_info::{type_id}", data=ScaleBytes(bytes(data[at:])))
        value = obj.decode(check_remaining=False)
        return value, at + obj.data.offset

    def key(self, pallet: str, name: str, *keys: Any) -> bytes:
        item = self.storage(pallet, name)
        if len(keys) == 1 and isinstance(keys[0], tuple) and len(item.hashers) > 1:
            keys = keys[0]  # a double map's key given as one tuple
        out = twox(pallet.encode(), 2) + twox(name.encode(), 2)
        for hasher, ty, k in zip(item.hashers, item.key_types, keys, strict=False):  # a prefix has fewer keys
            out += hash_key(hasher, self.encode(ty, k))
        return out

    def decode_key(self, item: StorageItem, key: bytes) -> list[Any]:
        """The key values of a full storage key (only for *Concat / Identity hashers)."""
        at, out = 32, []
        for hasher, ty in zip(item.hashers, item.key_types, strict=True):
            at += {"Blake2_128Concat": 16, "Twox64Concat": 8, "Identity": 0}[hasher]
            value, at = self.decode(ty, key, at)
            out.append(value)
        return out

    def call_index(self, pallet: str, call: str) -> tuple[int, int]:
        p = self.pallets[pallet]
        calls = self.types[p["calls"]["ty"]]["def"]["variant"]["variants"]
        for v in calls:
            if v["name"] == call:
                return p["index"], v["index"]
        raise KeyError(f"{pallet}.{call}")

    def error_index(self, pallet: str, error: str) -> tuple[int, bytes]:
        p = self.pallets[pallet]
        for v in self.types[p["error"]["ty"]]["def"]["variant"]["variants"]:
            if v["name"] == error:
                return p["index"], bytes([v["index"], 0, 0, 0])
        raise KeyError(f"{pallet}.{error}")

    def constant(self, pallet: str, name: str) -> Any:
        for c in self.pallets[pallet]["constants"]:
            if c["name"] == name:
                return self.decode(c["type"], _raw(c["value"]))[0]
        raise KeyError(f"{pallet}.{name}")

    def api_method(self, api: str, method: str) -> dict[str, Any]:
        for a in self.v15["apis"]:
            if a["name"] == api:
                for m in a["methods"]:
                    if m["name"] == method:
                        return m
        raise KeyError(f"{api}_{method}")
