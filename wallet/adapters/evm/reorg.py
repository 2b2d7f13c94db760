"""Reorg detection that acts only on proof.

The archive keeps the hashes of a few log-spaced blocks of each EVM source. At the next sync the node
is asked for those blocks again. A reorg is *proven* only when the node answers block objects for the
stored numbers above the highest one that still matches, with other hashes, and the parent chain of
the lowest of them links, block by block, to that matching block. Anything less — a null, an error,
a block without a hash, a parent chain that does not link, no stored block matching at all — is no
proof: nothing is deleted. A proven reorg deeper than the network's `reorg_depth` is refused too
unless the user accepts it (`polis sync --accept-deep-reorg`).
"""

from __future__ import annotations

import re
from typing import Any

from wallet.errors import RpcError
from wallet.records import Value

_HASH = re.compile(r"0x[0-9a-fA-F]{64}")


class DeepReorg(RpcError):
    """The node shows a reorg deeper than the network allows (or one that links to nothing stored)."""

    hint = ("the archive was kept; check the node (another RPC, 'polis networks show NET --check'); if the "
            "reorg is real, run 'polis sync SOURCE --accept-deep-reorg'")


class ReorgVerdict(Value):
    _fields = ("fork", "skip", "warnings")
    fork: int | None
    """Roll the archive back to this block (None: keep everything)."""
    skip: bool
    """True when the stored hashes could not be verified: the source is left as it is this time."""
    warnings: list[str]

    def __init__(self, fork: int | None = None, skip: bool = False, warnings: list[str] | None = None) -> None:
        self.fork = fork
        self.skip = skip
        self.warnings = [] if warnings is None else warnings


def _block(obj: Any, number: int) -> tuple[str, str] | None:
    """(hash, parentHash) of a well-formed block object for `number`, else None."""
    if not isinstance(obj, dict):
        return None
    h, parent, num = obj.get("hash"), obj.get("parentHash"), obj.get("number")
    if not (isinstance(h, str) and _HASH.fullmatch(h) and isinstance(parent, str) and _HASH.fullmatch(parent)):
        return None
    try:
        if not isinstance(num, str) or int(num, 16) != number:
            return None
    except (TypeError, ValueError):
        return None
    return h.lower(), parent.lower()


def hashes_of(numbers: list[int], replies: list[Any]) -> dict[int, str]:
    """The hashes of the well-formed block objects among `replies` (kept for the next sync's check)."""
    out: dict[int, str] = {}
    for n, r in zip(numbers, replies, strict=True):
        b = _block(r, n)
        if b is not None:
            out[n] = b[0]
    return out


def verify(rpc: Any, stored: dict[int, str], check: list[int], replies: list[Any], *, cursor: int, start: int,
           max_depth: int, accept_deep: bool) -> ReorgVerdict:
    """Decide what the answers to `eth_getBlockByNumber(check[i])` prove about the archive.

    `check` are stored block numbers, highest first; `replies` the node's answers to the first of them (at
    least the newest): the newest still matching proves its ancestors too, so the others are asked for only
    when it does not. Raises DeepReorg for a proven reorg deeper than `max_depth` (or with no stored block
    matching) unless `accept_deep`."""
    v = ReorgVerdict()
    if not check:
        return v
    first = _block(replies[0], check[0])
    if first is not None and first[0] == stored[check[0]].lower():
        return v  # the newest stored block still matches: no reorg (the common case, no extra round trip)
    replies = list(replies[:len(check)])
    if len(replies) < len(check):
        replies += rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in check[len(replies):]])
    seen = [_block(r, n) for n, r in zip(check, replies, strict=True)]
    unverifiable = [n for n, b in zip(check, seen, strict=True) if b is None]
    match = next((i for i, (n, b) in enumerate(zip(check, seen, strict=True))
                  if b is not None and b[0] == stored[n].lower()), None)
    above = seen[:match] if match is not None else seen
    if any(b is None for b in above):
        v.skip = True
        v.warnings.append(f"cannot verify block hashes at {', '.join(map(str, unverifiable[:6]))} "
                          f"(the node answered no block object); archive kept")
        return v
    if match is None:
        depth = cursor - start + 1
        if not accept_deep:
            raise DeepReorg(f"the node's blocks at every stored height ({check[-1]}–{check[0]}) differ from the "
                            f"archive's: a reorg deeper than {cursor - check[-1]} blocks, or another chain; "
                            "archive kept")
        v.fork = start - 1
        v.warnings.append(f"accepted a reorg of {depth} blocks: the source is synced again from block {start}")
        return v
    good = check[match]
    lowest_bad = check[match - 1]
    depth = cursor - good
    if depth > max_depth and not accept_deep:
        raise DeepReorg(f"the node shows a reorg of up to {depth} blocks (block {lowest_bad} has another hash; "
                        f"{good} still matches), deeper than this network's reorg_depth of {max_depth}; archive kept")
    # Proof: blocks good+1 .. lowest_bad form a parent chain that ends at the block we hold.
    numbers = list(range(good + 1, lowest_bad))
    if accept_deep and len(numbers) > 4096:
        v.fork = good  # accepted by the user; too long a chain to fetch for a proof
        return v
    chain: dict[int, tuple[str, str] | None] = {lowest_bad: seen[match - 1]}
    if numbers:
        got = rpc.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        chain.update({n: _block(b, n) for n, b in zip(numbers, got, strict=True)})
    want = stored[good].lower()
    for n in range(good + 1, lowest_bad + 1):
        b = chain.get(n)
        if b is None or b[1] != want:
            v.skip = True
            v.warnings.append(f"cannot verify block hashes at {lowest_bad}: the node's parent chain does not link "
                              f"to block {good} held in the archive; archive kept")
            return v
        want = b[0]
    v.fork = good
    return v
