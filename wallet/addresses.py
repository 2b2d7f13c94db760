"""Address parsing per family. EVM: EIP-55 checksums are enforced on mixed-case input."""

from __future__ import annotations

import re

from wallet.errors import BadInput

_HEX40 = re.compile(r"^0x[0-9a-fA-F]{40}$")


def to_checksum(address: str) -> str:
    from wallet.adapters.evm.codec import checksum

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
