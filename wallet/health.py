"""Endpoint health of followed networks and an account's holdings per source (network reads).

Used by the TUI's networks and accounts screens from worker threads; each call is bounded by a short
timeout so an unreachable node turns into a row that says so, never a hang.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet.errors import PolisError

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.units import Denom


@dataclass
class Health:
    network: str
    url: str
    ok: bool
    chain_ok: bool | None = None
    """None when not checked (the node did not answer)."""
    chain_id: str = ""
    latency_ms: int | None = None
    head: int | None = None
    error: str = ""


@dataclass
class NetworkRow:
    key: str
    name: str
    protocol: str
    chain_id: str
    url: str
    sources: list[str] = field(default_factory=list)
    followed: list[str] = field(default_factory=list)
    """Sources that are in the archive or that the user added."""
    user: bool = False
    follows_spaces: bool = False
    """Its sources are spaces followed by name (Snapshot)."""
    holds_daos: bool = False
    """Its sources are Governor DAOs added by address (EVM)."""


def network_rows() -> list[NetworkRow]:
    from wallet.cache import open_archive
    from wallet.networks import load_networks
    from wallet.urls import redact

    nets = load_networks()
    with open_archive(readonly=True) as ar:
        archived = {r[0] for r in ar.conn.execute("SELECT id FROM sources").fetchall()}
    rows = []
    for key, n in sorted(nets.items()):
        srcs = n.sources()
        followed = [s for s in srcs if s in archived or n.user]
        rows.append(NetworkRow(key=key, name=n.name or key, protocol=n.protocol, chain_id=str(n.chain_id),
                               follows_spaces=n.follows_spaces, holds_daos=n.holds_daos,
                               url=redact(n.rpc[0]), sources=srcs, followed=followed, user=n.user))
    return rows


def check_network(key: str, *, timeout: float = 3.0) -> Health:
    """Chain id check, latency of one round trip and the head, for the network's first endpoint."""
    from wallet.networks import get_network
    from wallet.urls import redact

    net = get_network(key)
    url = net.rpc[0]
    if not net.speaks_eth_rpc:
        return _check_generic(key, redact(url), timeout)
    shown = redact(url)  # Health rows are for display: never a credential
    from wallet.adapters.evm.client import JsonRpc

    rpc = JsonRpc(url, timeout=timeout, retries=0)
    try:
        t0 = time.perf_counter()
        res = rpc.batch([("eth_chainId", []), ("eth_blockNumber", [])])
        ms = int((time.perf_counter() - t0) * 1000)
        chain = int(res[0], 16) if isinstance(res[0], str) else None
        head = int(res[1], 16) if isinstance(res[1], str) else None
        ok = chain == int(net.chain_id)
        return Health(network=key, url=shown, ok=ok, chain_ok=ok, chain_id=str(chain), latency_ms=ms, head=head,
                      error="" if ok else f"node is on chain {chain}, expected {net.chain_id}")
    except PolisError as exc:
        return Health(network=key, url=shown, ok=False, error=str(exc))
    finally:
        rpc.close()


def _check_generic(key: str, url: str, timeout: float) -> Health:
    """Other families: time the adapter's own chain check on the network's first source."""
    from wallet.adapters import adapter_for
    from wallet.networks import get_network

    srcs = get_network(key).sources()
    if not srcs:
        return Health(network=key, url=url, ok=False, error="nothing followed on this network")
    try:
        ad = adapter_for(srcs[0])
    except PolisError as exc:
        return Health(network=key, url=url, ok=False, error=str(exc))
    try:
        t0 = time.perf_counter()
        ad.check_chain()
        return Health(network=key, url=url, ok=True, chain_ok=True, latency_ms=int((time.perf_counter() - t0) * 1000))
    except PolisError as exc:
        return Health(network=key, url=url, ok=False, chain_ok=False, error=str(exc))
    finally:
        ad.close()


def reachable(keys: list[str], *, timeout: float = 2.0) -> dict[str, Health]:
    return {k: check_network(k, timeout=timeout) for k in keys}


@dataclass
class Holding:
    source: str
    address: str
    balances: dict[str, str] = field(default_factory=dict)
    """Symbol -> formatted amount."""
    voting_power: str = ""
    delegate: str = ""
    error: str = ""


def balance_denom(adapter: Adapter, key: str) -> Denom:
    """The Denom to format a balance key that an adapter returned (declared by the adapter)."""
    return adapter.balance_denom(key)


def holdings(account: Any, sources: list[str]) -> list[Holding]:
    """Balances and current voting power of a vault account on each source, in each family's own
    address form (bech32 prefix of the chain, SS58) and units (`wallet.services.power` reads the power)."""
    from wallet.adapters import adapter_for
    from wallet.units import format_amount

    out = []
    for src in sources:
        try:
            ad = adapter_for(src)
        except PolisError as exc:
            out.append(Holding(source=src, address="", error=str(exc)))
            continue
        h = Holding(source=src, address="")
        try:
            if not account.addresses.get(ad.KEY_SCHEME):
                raise PolisError(f"no {ad.KEY_SCHEME} key")
            addr = h.address = ad.address_of(account)
            for key, v in ad.balances(addr).items():
                d = ad.balance_denom(key)
                h.balances[d.symbol] = format_amount(int(v), d, max_decimals=4)
            got = ad.current_power(addr)
            if got.power is not None and (got.power or not ad.STAKE_IS_POWER):
                h.voting_power = ("staked " if ad.STAKE_IS_POWER else "") + format_amount(
                    got.power, ad.token_denom, max_decimals=4)
            h.delegate = got.delegate or ""
        except PolisError as exc:
            h.error = str(exc)
        finally:
            ad.close()
        out.append(h)
    return out


def archived_holdings(account: Any) -> list[Holding]:
    """The balances that syncs stored in the archive for this account (offline: no node is asked)."""
    from wallet.cache import open_archive, query
    from wallet.services.addresses import my_addresses
    from wallet.units import Denom, format_amount

    addrs = my_addresses([account.name])
    out: dict[tuple[str, str], Holding] = {}
    with open_archive(readonly=True) as ar:
        rows = query.balances(ar, addrs)
        extras = {s["id"]: s.get("extra") or {} for s in query.sources(ar)}
    for r in rows:
        h = out.setdefault((r["source"], r["address"]), Holding(source=r["source"], address=r["address"]))
        ex = extras.get(r["source"], {})
        dec = int(ex.get("decimals") or 0) if r["denom"] in (ex.get("symbol"), ex.get("denom")) else 0
        sym = str(ex.get("symbol") or r["denom"]) if dec else str(r["denom"])
        h.balances[sym] = format_amount(int(r["amount"]), Denom(sym, "base", dec), max_decimals=4) + " (archived)"
    return list(out.values())
