"""Names of addresses for display (ENS primary names on networks that have a registry), kept in the
archive so the offline Votes and Accounts views keep showing them. Only display: a name is never
turned back into a signing target from here (forward resolution for a plan asks the node each time).

The front ends call `cached` (archive only, any time) and `refresh` (the network; in a worker or behind
a flag) with the addresses they show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wallet.cache.db import Archive

NAME_TTL = 86_400
"""Seconds before a stored name (or its absence) is asked again."""
MAX_REFRESH = 500
"""Most addresses one refresh asks about."""


def network_of(source: str) -> str:
    return source.partition("/")[0]


def has_names(network: str) -> bool:
    """Whether names can resolve on this network at all (it declares a naming registry)."""
    from wallet.errors import PolisError
    from wallet.networks import get_network

    try:
        return bool(get_network(network).ens_registry)
    except PolisError:
        return False


def cached(ar: Archive, network: str, addresses: list[str]) -> dict[str, str]:
    """lower-case address → name, for the addresses that have one in the archive."""
    out: dict[str, str] = {}
    wanted = [a.lower() for a in addresses if a]
    try:
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for addr, name in ar.conn.execute(
                    f"SELECT address, name FROM names WHERE network=? AND address IN ({marks}) AND name != ''",
                    (network, *chunk)):
                out[addr] = name
    except Exception:  # an archive older than the names table (read-only open)
        return {}
    return out


def cached_for(network: str, addresses: list[str]) -> dict[str, str]:
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        return cached(ar, network, addresses)


def refresh(network: str, addresses: list[str], *, rpc_url: str | None = None,
            max_age: int = NAME_TTL) -> dict[str, str]:
    """Ask the node for the names of `addresses` not known for `max_age` seconds, store them (and their
    absence), and return every known name of `addresses` (lower-case address → name)."""
    from wallet.adapters.evm.ens import reverse_many
    from wallet.cache import open_archive
    from wallet.networks import get_network

    net = get_network(network)
    if not net.ens_registry:
        return {}
    now = int(time.time())
    wanted = sorted({a.lower() for a in addresses if a})
    with open_archive(readonly=True) as ar:
        try:
            fresh = {row[0] for i in range(0, len(wanted), 500) for row in ar.conn.execute(
                f"SELECT address FROM names WHERE network=? AND resolved_at>=? AND address IN "
                f"({','.join('?' * len(wanted[i:i + 500]))})", (net.key, now - max_age, *wanted[i:i + 500]))}
        except Exception:
            fresh = set()
    todo = [a for a in wanted if a not in fresh][:MAX_REFRESH]
    if todo:
        got = reverse_many(rpc_url or net.rpc[0], net.ens_registry, todo)
        with open_archive() as ar, ar.conn:
            ar.conn.executemany("INSERT OR REPLACE INTO names (network, address, name, resolved_at) VALUES (?,?,?,?)",
                                [(net.key, a.lower(), name, now) for a, name in got.items()])
    with open_archive(readonly=True) as ar:
        return cached(ar, net.key, wanted)


def label(address: str, names: dict[str, str], *, short: bool = False) -> str:
    """"alice.eth (0x12ab…cdef)" when a name is known, else the address."""
    name = names.get(address.lower())
    if not name:
        return address
    from wallet.textsafe import clean

    shown = f"{address[:6]}…{address[-4:]}" if short else address
    return f"{clean(name, limit=64)} ({shown})"


def naming_networks() -> list[str]:
    """Networks whose names resolve (they declare a registry), e.g. Ethereum."""
    from wallet.networks import load_networks

    return sorted(key for key, net in load_networks().items() if net.ens_registry)


def account_names(addresses: list[str], *, ask: bool,
                  on_error: Callable[[str, Exception], None] | None = None) -> dict[str, str]:
    """lower-case address → name over every naming network (the first that knows one); `ask` refreshes
    from the nodes first (errors leave the archived names, and are told to `on_error(network, error)`)."""
    from wallet.errors import PolisError

    if not ask:
        return _archived_anywhere(addresses)
    out: dict[str, str] = {}
    for network in naming_networks():
        try:
            got = refresh(network, addresses)
        except PolisError as exc:
            if on_error is not None:
                on_error(network, exc)
            got = cached_for(network, addresses)
        for addr, name in got.items():
            out.setdefault(addr, name)
    return out


def _archived_anywhere(addresses: list[str]) -> dict[str, str]:
    """The archive's names of `addresses` on any network (only naming networks' names are ever stored), the
    first network by name winning: one query, no network list to load (`keys list` stays light)."""
    from wallet.cache import open_archive

    out: dict[str, str] = {}
    wanted = sorted({a.lower() for a in addresses if a})
    with open_archive(readonly=True) as ar:
        try:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                marks = ",".join("?" * len(chunk))
                for addr, name in ar.conn.execute(
                        f"SELECT address, name FROM names WHERE name != '' AND address IN ({marks})"
                        " ORDER BY network DESC", chunk):
                    out[addr] = name
        except Exception:  # an archive older than the names table (read-only open)
            return {}
    return out


def names_by_source(pairs: list[tuple[str, str]], *, ask: bool) -> dict[str, str]:
    """(source, address) pairs → lower-case address → name, each looked up on its source's network
    (delegates on the Stakes screen); `ask` refreshes from the node first (errors leave the archive's)."""
    from wallet.errors import PolisError

    by_network: dict[str, list[str]] = {}
    for source, address in pairs:
        if address.startswith("0x") and len(address) == 42:
            by_network.setdefault(network_of(source), []).append(address)
    out: dict[str, str] = {}
    for network, addresses in by_network.items():
        if not has_names(network):
            continue
        try:
            got = refresh(network, addresses) if ask else cached_for(network, addresses)
        except PolisError:
            got = cached_for(network, addresses)
        out.update(got)
    return out
