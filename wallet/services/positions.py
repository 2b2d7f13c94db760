"""Delegations and stakes of the vault's accounts on every followed source (the TUI's stakes screen).
Reads the network (`current_power`, `stakes`) and falls back to the archive when a node cannot be
reached, saying so in the row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wallet.errors import PolisError

if TYPE_CHECKING:
    from wallet.services.requests import Capabilities


@dataclass
class PositionRow:
    source: str
    account: str
    address: str
    kind: str
    """delegation · staked · unbonding · redelegating · claimable · pending"""
    target: str
    amount: str
    note: str = ""
    subtarget: str = ""

    @property
    def key(self) -> str:
        return f"{self.source}|{self.account}|{self.kind}|{self.target}|{self.subtarget}"


def actionable_sources() -> list[tuple[str, Capabilities]]:
    """(source, Capabilities) of followed sources whose adapter declares delegation or staking."""
    from wallet.health import network_rows
    from wallet.services.requests import capabilities

    out = []
    for n in network_rows():
        for src in n.followed:
            try:
                caps = capabilities(src)
            except PolisError:
                continue
            if caps.delegation or caps.staking:
                out.append((src, caps))
    return out


def positions(*, offline: bool = False) -> tuple[list[PositionRow], list[str]]:
    """Rows plus warnings (a source read from the archive because its node did not answer)."""
    from wallet.adapters import adapter_for
    from wallet.keys.vault import Vault
    from wallet.textsafe import clean
    from wallet.units import Denom, format_amount

    rows: list[PositionRow] = []
    warnings: list[str] = []
    accounts = Vault().accounts()
    for src, caps in actionable_sources():
        scheme = caps.key_scheme
        try:
            ad = adapter_for(src)
        except PolisError as exc:
            warnings.append(f"{src}: {exc}")
            continue
        try:
            for acc in accounts:
                if not acc.addresses.get(scheme):
                    continue
                try:
                    addr = ad.address_of(acc)  # the network's form: bech32 prefix, SS58 format
                except PolisError:
                    continue
                try:
                    if offline:
                        raise PolisError("offline")
                    if caps.delegation:
                        got = ad.current_power(addr)
                        d = ad.token_denom
                        rows.append(PositionRow(
                            source=src, account=acc.name, address=addr, kind="delegation",
                            target=clean(got.delegate or "nobody", limit=66),
                            amount=(format_amount(got.balance, d, max_decimals=4, mark=True)
                                    if got.balance is not None else ""),
                            note=("power " + format_amount(got.power, d, max_decimals=4, mark=True))
                            if got.power is not None else ""))
                    if caps.staking:
                        for p in ad.stakes(addr):
                            d = Denom(p.symbol or ad.network.denom.symbol, "base", p.decimals)
                            note = f"rewards {format_amount(p.rewards, d)}" if p.rewards else ""  # money: every digit
                            if p.kind != "staked" and p.completes_at:
                                from wallet.services.timefmt import day

                                note = (note + " " if note else "") + f"until {day(p.completes_at)}"
                            rows.append(PositionRow(
                                source=src, account=acc.name, address=addr, kind=p.kind,
                                target=clean(p.target_name or p.target, limit=66), subtarget=p.subtarget,
                                amount=format_amount(p.amount, d), note=note))
                except PolisError as exc:
                    if not offline:
                        warnings.append(f"{src}: {exc} — showing the archive")
                    rows.extend(_from_archive(src, acc.name, addr))
        finally:
            ad.close()
    return rows, warnings


def _from_archive(source: str, account: str, address: str) -> list[PositionRow]:
    from wallet.cache import open_archive, query

    out = []
    with open_archive(readonly=True) as ar:
        delegate = query.current_delegate(ar, source, address)
        if delegate:
            out.append(PositionRow(source=source, account=account, address=address, kind="delegation",
                                   target=delegate, amount="", note="from the archive"))
        try:
            archived = query.stakes(ar, [address], source)
        except Exception:  # an archive without the stakes table (older schema) has none to show
            archived = []
        for r in archived:
            extra = r.get("extra") or {}
            amount = str(r.get("amount", ""))
            if extra.get("symbol") and str(amount).isdigit():
                from wallet.units import Denom, format_amount

                amount = format_amount(int(amount), Denom(str(extra["symbol"]), "base",
                                                          int(extra.get("decimals") or 0)))
            out.append(PositionRow(source=source, account=account, address=address,
                                   kind=str(r.get("kind", "staked")),
                                   target=str(extra.get("target_name") or r.get("target", "")),
                                   subtarget=str(r.get("subtarget", "") or ""),
                                   amount=amount, note="from the archive"))
    return out
