"""The address forms of the vault's accounts: what "my vote" and "my stake" look for in the archive."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wallet.keys.vault import AccountMeta


def bech32_prefixes() -> list[str]:
    """Every bech32 account prefix a configured network declares (Cosmos chains), read from the raw
    network tables: no models and no adapters are built."""
    from wallet.network_tables import raw_tables

    out = set()
    for t in raw_tables().values():
        extra = t.get("extra")
        prefix = extra.get("bech32_prefix") if isinstance(extra, dict) else None
        if prefix:
            out.add(str(prefix))
    return sorted(out)


def account_forms(accounts: list[AccountMeta]) -> list[str]:
    """Every address of these accounts, Cosmos ones under every configured chain prefix too (votes
    are archived as akash1…, fetch1…)."""
    addrs = [a for acc in accounts for a in acc.addresses.values()]
    cosmos = [acc.addresses["cosmos"] for acc in accounts if acc.addresses.get("cosmos")]
    if cosmos:
        from wallet.keys.cosmos_keys import reprefix

        prefixes = bech32_prefixes()
        addrs += [reprefix(a, p) for a in cosmos for p in prefixes]
    return list(dict.fromkeys(addrs))


def my_addresses(names: list[str] | None = None) -> list[str]:
    """Every address of the named vault accounts (all accounts when none are named; watch-only ones
    included: their votes count as mine)."""
    from wallet.keys.vault import Vault

    v = Vault()
    accounts = [v.get(n) for n in names] if names else v.accounts()
    return account_forms(accounts)
