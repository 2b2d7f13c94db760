"""Reads of the Bittensor adapter: balances, dynamic-TAO stake positions, delegates, subnets.

Every read is a storage read decoded by the runtime's own metadata, batched with
`state_queryStorageAt` so a stake listing costs a handful of round trips whatever the number of
hotkeys and subnets:

1. System.Account[coldkey] + SubtensorModule.StakingHotkeys[coldkey]      (one batch)
2. NetworksAdded (keys paged + values)                                      (two)
3. Alpha[(hk, ck, n)], TotalHotkeyAlpha[(hk, n)], TotalHotkeyShares[(hk, n)] for every pair (one)
4. prices and names of the subnets with a stake: Swap.AlphaSqrtPrice, SubnetTAO, SubnetAlphaIn,
   SubnetIdentitiesV3, TokenSymbol; Delegates[hk] takes                    (one)

A coldkey's alpha on (hotkey, netuid) is its U64F64 share of the hotkey's pool:
alpha = shares * TotalHotkeyAlpha / TotalHotkeyShares. Its TAO value is alpha × price, the price
being AlphaSqrtPrice² where the swap pallet has one, else SubnetTAO / SubnetAlphaIn (root: 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wallet.adapters.bittensor.client import Client

RAO = 10**9
U64F64 = 1 << 64


def fixed(value: Any) -> Fraction:
    """A substrate_fixed U64F64 ({"bits": n} or n) as an exact fraction."""
    if value is None:
        return Fraction(0)
    bits = value.get("bits", 0) if isinstance(value, dict) else value
    return Fraction(int(bits), U64F64)


def text(value: Any) -> str:
    """Vec<u8> fields come back as 0x-hex or str; node strings stay data (cleaned on output)."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    s = str(value)
    if s.startswith("0x"):
        try:
            return bytes.fromhex(s[2:]).decode("utf-8", "replace")
        except ValueError:
            return s
    return s


@dataclass
class Subnet:
    netuid: int
    name: str = ""
    symbol: str = ""
    tao_in: int = 0
    alpha_in: int = 0
    price: Fraction = Fraction(0)
    """TAO per alpha."""
    price_source: str = ""

    def price_text(self, digits: int = 9) -> str:
        return ratio_text(self.price, digits)


@dataclass
class Position:
    hotkey: str
    netuid: int
    alpha: int
    tao_value: int
    take: Fraction | None = None
    subnet: Subnet | None = None


@dataclass
class Holdings:
    free: int = 0
    positions: list[Position] = field(default_factory=list)


def _price(netuid: int, sqrt_price: Any, tao_in: int, alpha_in: int) -> tuple[Fraction, str]:
    if netuid == 0:
        return Fraction(1), "root"
    sp = fixed(sqrt_price)
    if sp:
        return sp * sp, "swap"
    if alpha_in:
        return Fraction(tao_in, alpha_in), "pool"
    return Fraction(0), "none"


def netuids(client: Client) -> list[int]:
    return sorted(int(k[0] if isinstance(k, (list, tuple)) else k)
                  for k, v in client.query_map("SubtensorModule", "NetworksAdded") if v)


def subnets(client: Client, ids: list[int]) -> dict[int, Subnet]:
    keys: list[tuple[str, str, list[Any]]] = []
    for n in ids:
        keys += [("Swap", "AlphaSqrtPrice", [n]), ("SubtensorModule", "SubnetTAO", [n]),
                 ("SubtensorModule", "SubnetAlphaIn", [n]), ("SubtensorModule", "SubnetIdentitiesV3", [n]),
                 ("SubtensorModule", "TokenSymbol", [n])]
    values = client.query_multi(keys)
    out = {}
    for i, n in enumerate(ids):
        sqrt_price, tao_in, alpha_in, ident, symbol = values[5 * i:5 * i + 5]
        tao_in, alpha_in = int(tao_in or 0), int(alpha_in or 0)
        price, source = _price(n, sqrt_price, tao_in, alpha_in)
        name = text(ident.get("subnet_name")) if isinstance(ident, dict) else ""
        out[n] = Subnet(n, name or ("root" if n == 0 else ""), text(symbol), tao_in, alpha_in, price, source)
    return out


def holdings(client: Client, coldkey: str, only: list[int] | None = None) -> Holdings:
    account, hotkeys = client.query_multi([("System", "Account", [coldkey]),
                                           ("SubtensorModule", "StakingHotkeys", [coldkey])])
    free = int(((account or {}).get("data") or {}).get("free", 0))
    hotkeys = list(hotkeys or [])
    if not hotkeys:
        return Holdings(free)
    ids = only if only is not None else netuids(client)
    pairs = [(hk, n) for hk in hotkeys for n in ids]
    keys: list[tuple[str, str, list[Any]]] = []
    for hk, n in pairs:
        keys += [("SubtensorModule", "Alpha", [hk, coldkey, n]), ("SubtensorModule", "TotalHotkeyAlpha", [hk, n]),
                 ("SubtensorModule", "TotalHotkeyShares", [hk, n])]
    values = client.query_multi(keys)
    found: list[tuple[str, int, int]] = []
    for i, (hk, n) in enumerate(pairs):
        shares, total_alpha, total_shares = values[3 * i:3 * i + 3]
        s, ts = fixed(shares), fixed(total_shares)
        if s and ts:
            found.append((hk, n, int(s * int(total_alpha or 0) / ts)))
    found = [f for f in found if f[2] > 0]
    if not found:
        return Holdings(free)
    used = sorted({n for _, n, _ in found})
    nets = subnets(client, used)
    hks = sorted({hk for hk, _, _ in found})
    takes = dict(zip(hks, client.query_multi([("SubtensorModule", "Delegates", [hk]) for hk in hks]), strict=False))
    positions = [Position(hk, n, alpha, int(alpha * nets[n].price), Fraction(int(takes[hk] or 0), 65535), nets[n])
                 for hk, n, alpha in found]
    return Holdings(free, positions)


def delegates(client: Client) -> list[tuple[str, Fraction]]:
    return [(str(k[0] if isinstance(k, (list, tuple)) else k), Fraction(int(v or 0), 65535))
            for k, v in client.query_map("SubtensorModule", "Delegates")]


def ratio_text(value: Fraction, digits: int = 9) -> str:
    """An exact ratio (price, take) as a decimal string, rounded half-up to `digits` places."""
    from decimal import Decimal

    scaled = (2 * value.numerator * 10**digits + value.denominator) // (2 * value.denominator)
    text = str(Decimal(scaled).scaleb(-digits))
    return text.rstrip("0").rstrip(".") if "." in text else text


def take_text(take: Fraction | None) -> str:
    if take is None:
        return ""
    return ratio_text(take, 4)


STAKE_EVENTS = {"StakeAdded": "stake", "StakeRemoved": "unstake", "StakeMoved": "move"}


def stake_event_rows(source: str, events: list[dict[str, Any]], mine: set[str], *, block: int | None,
                     tx: str | None, timestamp: int | None) -> list[tuple[Any, ...]]:
    """stake_events rows from decoded SubtensorModule events whose coldkey is one of `mine`."""
    import json

    from wallet.errors import RpcError

    rows = []
    for ev in events if isinstance(events, (list, tuple)) else ():
        e = ev.get("event", ev) if isinstance(ev, dict) else None
        if not isinstance(e, dict) or e.get("module_id") != "SubtensorModule" or e.get("event_id") not in STAKE_EVENTS:
            continue
        attrs = e.get("attributes")
        a = list(attrs) if isinstance(attrs, (list, tuple)) else []
        kind = STAKE_EVENTS[e["event_id"]]
        if len(a) < (6 if kind == "move" else 5):
            raise RpcError(f"SubtensorModule.{e['event_id']} has {len(a)} fields, not the layout Polis reads "
                           "(a runtime upgrade?)")
        coldkey = str(a[0])
        if coldkey not in mine:
            continue
        if kind == "move":
            extra = {"from_hotkey": a[1], "from_netuid": a[2], "to_hotkey": a[3], "to_netuid": a[4]}
            rows.append((source, coldkey, kind, str(a[3]), str(a[4]), str(a[5]), block, tx, timestamp,
                         json.dumps(extra, default=str)))
        else:
            extra = {"tao": str(a[2]), "alpha": str(a[3])}
            rows.append((source, coldkey, kind, str(a[1]), str(a[4]), str(a[2]), block, tx, timestamp,
                         json.dumps(extra, default=str)))
    return rows
