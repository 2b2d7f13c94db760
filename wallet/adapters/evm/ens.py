"""ENS names with web3.py's `ens` module (imported here only: ~0.7 s): forward resolution of a name a user
types (a delegate), reverse resolution of addresses for display. web3 checks every reverse record against
the forward record of the name it claims, so an address cannot pose as someone else's name."""

from __future__ import annotations

import re
import threading
from typing import Any

from wallet.errors import BadInput, NodeUnreachable

NAME_SHAPE = re.compile(r"^[^\s/:@]+\.[^\s/:@.]+$")
REVERSE_THREADS = 8


def looks_like_name(text: str) -> bool:
    """`vitalik.eth`, `dao.alice.eth`: dotted, no 0x address, no URL."""
    t = text.strip()
    return bool(NAME_SHAPE.match(t)) and not t.lower().startswith("0x")


def normalize(name: str) -> str:
    """ENSIP-15 normalisation (BadInput when the name is not valid)."""
    from ens.exceptions import InvalidName
    from ens.utils import normalize_name

    try:
        return str(normalize_name(name.strip()))
    except (InvalidName, ValueError) as exc:
        raise BadInput(f"{name!r} is not a valid ENS name: {exc}") from None


def _client(rpc_url: str, registry: str) -> Any:
    from ens import ENS
    from web3 import HTTPProvider

    return ENS(HTTPProvider(rpc_url, request_kwargs={"timeout": 20}), addr=registry)


def _unreachable(exc: BaseException) -> bool:
    import requests

    return isinstance(exc, requests.exceptions.RequestException)


def forward(rpc_url: str, registry: str, name: str, *, network: str = "") -> str:
    """The address `name` points to now (asked of the node), or BadInput when it points nowhere."""
    if not registry:
        raise BadInput(f"{network or 'this network'} has no ENS registry: give a 0x address")
    normal = normalize(name)
    try:
        address = _client(rpc_url, registry).address(normal)
    except Exception as exc:
        if _unreachable(exc):
            raise NodeUnreachable(f"could not ask the node for {normal}: {type(exc).__name__}") from None
        raise BadInput(f"{normal} could not be resolved on {network or 'this network'}: {exc}") from None
    if not address:
        raise BadInput(f"{normal} does not resolve to an address on {network or 'this network'}")
    return str(address)


def reverse_many(rpc_url: str, registry: str, addresses: list[str]) -> dict[str, str]:
    """address → its verified primary name, or "" when it has none (a few requests in parallel)."""
    if not registry or not addresses:
        return {}
    local = threading.local()

    def one(address: str) -> tuple[str, str]:
        from eth_utils import to_checksum_address

        ns = getattr(local, "ns", None)
        if ns is None:
            ns = local.ns = _client(rpc_url, registry)
        try:
            name = ns.name(to_checksum_address(address))
        except Exception as exc:
            if _unreachable(exc):
                raise NodeUnreachable(f"could not ask the node for names: {type(exc).__name__}") from None
            name = None
        return address, str(name or "")

    _client(rpc_url, registry)  # import once, before the threads
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(REVERSE_THREADS, len(addresses))) as pool:
        return dict(pool.map(one, addresses))
