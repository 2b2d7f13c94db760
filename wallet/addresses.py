"""Address parsing per key scheme. EVM: EIP-55 checksums are enforced on mixed-case input."""

from __future__ import annotations

import re

from wallet.errors import BadInput

_HEX40 = re.compile(r"^0x[0-9a-fA-F]{40}$")


def checksum(address_hex40: str) -> str:
    """EIP-55 checksum of a 40-hex-char address without 0x (wallet/keccak.py: no cffi, ~5 µs)."""
    from wallet.keccak import checksum_hex40

    return checksum_hex40(address_hex40.lower().encode())


def to_checksum(address: str) -> str:
    return checksum(address.lower().removeprefix("0x"))


def parse_evm_address(text: str, what: str = "address") -> str:
    """Return the checksummed address; reject malformed input and wrong mixed-case checksums."""
    s = (text or "").strip()
    if not _HEX40.match(s):
        raise BadInput(f"{what} {text!r} is not a 0x-prefixed 20-byte hex address")
    checksummed = to_checksum(s)
    body = s[2:]
    if body != body.lower() and body != body.upper() and s != checksummed:
        raise BadInput(f"{what} {text!r} has a wrong EIP-55 checksum (did you mean {checksummed}?)")
    return checksummed


def short(address: str, n: int = 6) -> str:
    return address if len(address) <= 2 * n + 3 else f"{address[:n + 2]}…{address[-4:]}"


_BECH32 = re.compile(r"^[a-z][a-z0-9]{0,82}1[02-9ac-hj-np-z]{38,90}$")
_SS58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{46,48}$")


def check_address_shape(text: str, what: str = "address") -> str:
    """An address of any family Polis archives, checked by shape only (filters of offline reads):
    EVM 0x + 40 hex, Cosmos bech32, or Substrate SS58. Anything else is BadInput."""
    s = (text or "").strip()
    if _HEX40.match(s) or _BECH32.match(s.lower()) and (s == s.lower() or s == s.upper()) or _SS58.match(s):
        return s
    raise BadInput(f"{what} {text!r} is not an address (0x + 40 hex digits, a bech32 address such as "
                   "cosmos1…, or an SS58 address)")
