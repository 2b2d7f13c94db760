"""Synthetic archives for the TUI tests: many proposals written straight into the archive with one
executemany (the sync path is tested elsewhere; these tests measure what the screens do with rows).

Timestamps are fixed relative to `NOW`, so the snapshot tests (which also fix the app clock) render the
same text every run. Titles include hostile text (Rich markup, ANSI escapes, bidi overrides) on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

NOW = 1_767_225_600
"""2026-01-01 00:00 UTC: the fixed clock of the snapshot tests."""

STATUSES = ("active", "passed", "rejected", "executed", "pending", "canceled", "defeated_x")
ME = "0x00000000000000000000000000000000000000aa"
HOSTILE_TITLE = "[bold red]FREE[/] \x1b[31mmoney\x1b[0m \u202egnp.exe [link=http://x]click[/link]"


def fill(n: int, *, sources: tuple[str, ...] = ("devnet/alpha", "devnet/beta"), path: Path | None = None,
         my_votes: int = 3, votes_per: int = 0, watch_me: bool = True) -> None:
    from wallet.cache import open_archive, store
    from wallet.keys.vault import Vault

    if watch_me and not Vault().accounts():
        Vault().add_watch("me", {"evm": ME})

    statuses = [s for s in STATUSES if s != "defeated_x"]
    with open_archive(path) as ar, ar.conn:
        for i, s in enumerate(sources):
            store.upsert_source(ar, s, network=s.split("/")[0], family="evm", kind="oz", chain_id=31337,
                                extra={"name": s, "symbol": "PDT", "decimals": 18})
            ar.conn.execute("UPDATE sources SET synced_at=? WHERE id=?", (NOW - 300 - i, s))
        choices = json.dumps([{"key": "1", "label": "for"}, {"key": "0", "label": "against"},
                              {"key": "2", "label": "abstain"}])
        tallies = [json.dumps([{"choice": "for", "weight": str((k % 7 + 1) * 10**21)},
                               {"choice": "against", "weight": str((k % 3) * 10**21)},
                               {"choice": "abstain", "weight": "0"}]) for k in range(21)]
        rows = []
        for i in range(n):
            status = statuses[i % len(statuses)]
            area = ("grants", "audit", "infra")[i % 3]
            title = HOSTILE_TITLE if i == n - 1 else f"Proposal {i}: fund the {area} program"
            tally = tallies[i % 21]
            rows.append((sources[i % len(sources)], str(i + 1), title, f"## Body {i}\n\nSpend **{i}** tokens.",
                         "0x" + "11" * 20, status, status.title(), NOW - (n - i) * 60, NOW - (n - i) * 60,
                         NOW + 3600 * (1 + i % 200) if status in ("active", "pending") else NOW - 3600,
                         "blocknumber", str(4 * 10**21), choices, tally, "[]", votes_per))
        ar.conn.executemany(
            "INSERT INTO proposals (source, id, title, body, proposer, status, native_status, created_at, "
            "start_ts, end_ts, clock, quorum, choices, tally, actions, vote_count) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        votes = []
        for i in range(min(my_votes, n)):
            votes.append((sources[(n - 1 - i) % len(sources)], str(n - i), ME, "for", str(10**21), "", 1, "0x", 0,
                          NOW))
        for i in range(votes_per):
            votes.append((sources[(n - 1) % len(sources)], str(n), f"0x{i:040x}", ("for", "against")[i % 2],
                          str((i + 1) * 10**20), "because [b]reasons[/b]" if i == 0 else "", 10 + i, "0x", 0, NOW))
        store.insert_votes(ar, votes)


ABOUT = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
"""A published BIP-39 vector: fixed addresses in every family for the snapshot tests."""


def world(passphrase: str) -> dict[str, str]:
    """Everything the snapshot tests show, fixed: 12 Governor proposals on devnet/alpha and beta (the
    DAOs followed), a signing account ("alice", the ABOUT vector) beside the watch-only "me", and an
    archived Akash source with alice's stakes, unbonding and balances (shown in offline mode)."""
    from wallet import networks
    from wallet.adapters.base import StakePosition, StakeTarget
    from wallet.cache import open_archive, store
    from wallet.keys.cosmos_keys import reprefix
    from wallet.keys.vault import Vault

    fill(12, votes_per=4)
    for i, dao in enumerate(("alpha", "beta")):
        networks.add_dao("devnet", {"id": dao, "governor": "0x" + f"{i + 1:02x}" * 20, "token": "0x" + "34" * 20})
    alice = Vault().add_mnemonic("alice", ABOUT, passphrase)
    akash = reprefix(alice.addresses["cosmos"], "akash")
    val = "akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t"
    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, "akash", network="akash", family="cosmos", kind="gov-v1", chain_id="akashnet-2",
                            extra={"name": "Akash", "symbol": "AKT", "decimals": 6, "denom": "uakt"})
        ar.conn.execute("UPDATE sources SET synced_at=? WHERE id='akash'", (NOW - 7200,))
        store.upsert_stake_targets(ar, "akash", [StakeTarget(id=val, name="cosmosrescue", status="bonded",
                                                             commission="0.05", power=399_745_659_305)])
        common = {"source": "akash", "address": akash, "target": val, "target_name": "cosmosrescue",
                  "symbol": "AKT", "decimals": 6}
        store.replace_stakes(ar, "akash", akash, [
            StakePosition(**common, amount=10_000_000, rewards=123_456),
            StakePosition(**common, amount=2_500_000, kind="unbonding", completes_at=NOW + 86400 * 14)])
        store.set_balances(ar, "akash", akash, {"AKT": 50_000_000})
    return {"alice": alice.addresses["evm"], "akash": akash}
