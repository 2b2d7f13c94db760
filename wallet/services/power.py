"""An account's current delegation and voting power on each followed source (network reads, with the
archive's last known delegate when a node does not answer). `polis power` and the TUI's accounts
screen show these rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.errors import PolisError

if TYPE_CHECKING:
    from wallet.keys.vault import AccountMeta


def decimal_string(value: int, decimals: int) -> str:
    """Base units as an exact decimal string without grouping: 1234500, 6 → "1.2345"."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(int(value)), 10**decimals)
    frac_s = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{sign}{whole}" + (f".{frac_s}" if frac_s else "")


@dataclass
class PowerRow:
    source: str
    account: str
    address: str = ""
    delegate: str | None = None
    power: int | None = None
    """Base units of `symbol`; None when the source has no current power (Snapshot: per proposal)."""
    balance: int | None = None
    symbol: str = ""
    decimals: int = 0
    note: str = ""
    error: str = ""
    archived: bool = False
    """True when the row came from the archive because the node could not be asked."""

    def formatted(self, value: int | None) -> str:
        from wallet.units import Denom, format_amount

        return "" if value is None else format_amount(value, Denom(self.symbol, "base", self.decimals), max_decimals=4)

    def as_json(self) -> dict[str, Any]:
        """Amounts as decimal strings ("12.5") beside their base-unit integers."""

        def dec(v: int | None) -> str | None:
            return None if v is None else decimal_string(v, self.decimals)

        return {"source": self.source, "account": self.account, "address": self.address,
                "delegate": self.delegate, "voting_power": dec(self.power), "voting_power_base": self.power,
                "balance": dec(self.balance), "balance_base": self.balance,
                "token": {"symbol": self.symbol, "decimals": self.decimals}, "note": self.note,
                "error": self.error or None, "archived": self.archived}


def followed_sources(filters: list[str] | None = None) -> list[str]:
    """Followed sources (synced or added by the user), narrowed to the given networks or sources."""
    from wallet.health import network_rows
    from wallet.networks import canonical_source

    wanted = [canonical_source(f) for f in filters or []]
    out = []
    for n in network_rows():
        for src in n.followed:
            if not wanted or any(src == w or src.startswith(w + "/") for w in wanted):
                out.append(src)
    if wanted and not out:
        from wallet.errors import BadInput

        raise BadInput(f"no followed source matches {', '.join(wanted)}", hint="'polis networks list' shows them")
    return out


def _archived(row: PowerRow) -> PowerRow:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        row.delegate = query.current_delegate(ar, row.source, row.address)
        row.power = query.current_power(ar, row.source, row.address)  # the votes last recorded for it
    row.archived = True
    return row


def source_power(source: str, accounts: list[AccountMeta], *, offline: bool = False) -> list[PowerRow]:
    """One row per account that has a key for this source's adapter."""
    from wallet.adapters import adapter_for

    try:
        ad = adapter_for(source)
    except PolisError as exc:
        return [PowerRow(source=source, account=a.name, error=str(exc)) for a in accounts]
    rows = []
    try:
        denom = ad.token_denom
        for acc in accounts:
            if not acc.addresses.get(ad.KEY_SCHEME):
                continue
            row = PowerRow(source=source, account=acc.name, symbol=denom.symbol, decimals=denom.decimals)
            try:
                row.address = ad.address_of(acc)
                if offline:
                    rows.append(_archived(row))
                    continue
                got = ad.current_power(row.address)
                row.delegate, row.power, row.balance, row.note = got.delegate, got.power, got.balance, got.note
            except PolisError as exc:
                row.error = str(exc)
                if row.address:
                    _archived(row)
            rows.append(row)
    finally:
        ad.close()
    return rows


def account_power(account_names: list[str] | None = None, sources: list[str] | None = None, *,
                  offline: bool = False) -> list[PowerRow]:
    """Rows for the named vault accounts (all when none) on the given networks/sources (all followed)."""
    from wallet.keys.vault import Vault

    v = Vault()
    accounts = [v.get(n) for n in account_names] if account_names else v.accounts()
    rows: list[PowerRow] = []
    for src in followed_sources(sources):
        rows += source_power(src, accounts, offline=offline)
    return rows
