"""Keccak-256 (Ethereum's hash) and EIP-55 checksums, fast to load and fast per call.

pycryptodome's `Crypto.Hash.keccak` loads cffi and pycparser (~120 ms of a sync's start-up) to reach its
compiled Keccak. This calls the same compiled code (`Crypto/Hash/_keccak*.so`, pycryptodome's C API:
keccak_init/reset/absorb/digest) through ctypes, ~4 ms to load and ~5 µs a hash, and falls back to
`Crypto.Hash.keccak` when that library is not where pycryptodome keeps it. tests/test_keccak.py checks
both against eth-hash and eth-utils.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_impl: Callable[[bytes], bytes] | None = None


def _load_ctypes() -> Callable[[bytes], bytes] | None:
    import ctypes
    from importlib.machinery import EXTENSION_SUFFIXES
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("Crypto")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for suffix in EXTENSION_SUFFIXES:
            path = Path(folder) / "Hash" / f"_keccak{suffix}"
            if path.is_file():
                break
        else:
            continue
        break
    else:
        return None
    try:
        lib = ctypes.CDLL(str(path))
        init, reset, absorb, digest = lib.keccak_init, lib.keccak_reset, lib.keccak_absorb, lib.keccak_digest
    except (OSError, AttributeError):
        return None
    vp, size, u8 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_ubyte
    init.argtypes = [ctypes.POINTER(vp), size, u8]
    reset.argtypes = [vp]
    absorb.argtypes = [vp, ctypes.c_char_p, size]
    digest.argtypes = [vp, ctypes.c_char_p, size, u8]
    for f in (init, reset, absorb, digest):
        f.restype = ctypes.c_int
    state = vp()
    if init(ctypes.byref(state), 64, 24):  # capacity 512 bits (Keccak-256), 24 rounds
        return None
    out = ctypes.create_string_buffer(32)

    def keccak(data: bytes) -> bytes:
        # One state reused under a lock: 3 foreign calls a hash instead of an allocation and a free too.
        with _lock:
            if reset(state) or absorb(state, data, len(data)) or digest(state, out, 32, 0x01):  # 0x01: Keccak padding
                raise RuntimeError("keccak failed")
            return out.raw

    return keccak


def _load_pycryptodome() -> Callable[[bytes], bytes]:
    from Crypto.Hash import keccak as _k

    def keccak(data: bytes) -> bytes:
        return _k.new(digest_bits=256, data=data).digest()

    return keccak


def _implementation() -> Callable[[bytes], bytes]:
    global _impl
    if _impl is None:
        _impl = _load_ctypes() or _load_pycryptodome()
    return _impl


def keccak256(data: bytes) -> bytes:
    return _implementation()(data)


_MASK_20 = int.from_bytes(b"\x20" * 40, "big")


def checksum_hex40(low: bytes) -> str:
    """EIP-55 of 40 lowercase hex digits (ASCII bytes): a letter is upper case where the matching digit of
    keccak(address text) is 8 or more. Done on whole integers: ASCII upper case is lower case minus 0x20, only
    letters have bit 0x40, and a hex digit of the hash is ≥ 8 when its character has bit 0x40 (a-f) or 0x08
    (8, 9)."""
    if len(low) != 40:
        raise ValueError("an address is 40 hex digits")
    a = int.from_bytes(low, "big")
    d = int.from_bytes(_implementation()(low)[:20].hex().encode(), "big")
    flip = (a >> 1) & ((d >> 1) | (d << 2)) & _MASK_20
    return "0x" + (a ^ flip).to_bytes(40, "big").decode()


def implementation_name() -> str:
    """Which Keccak is in use ("ctypes" or "pycryptodome"), for tests and diagnostics."""
    impl: Any = _implementation()
    return "pycryptodome" if "_load_pycryptodome" in impl.__qualname__ else "ctypes"
