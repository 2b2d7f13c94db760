"""The service layer (wallet/services): quorum counted per the adapter's declared rule, one rule for a
final vote, one time format, the vault's passphrase rule, and `polis power` on a real anvil devnet."""

from __future__ import annotations

import pytest

from tests.conftest import JUNK_MNEMONIC, PASSPHRASE, add_devnet_dao

GOV = "0x" + "11" * 20
TOKEN = "0x" + "22" * 20


def _archive_proposal(source: str, kind: str, tally: dict[str, int], quorum: int, extra: dict | None = None) -> None:
    from wallet.cache import open_archive, store

    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, source, network=source.split("/")[0], protocol="evm", kind=kind,
                            extra={"symbol": "PDT", "decimals": 0, **(extra or {})})
        store.upsert_proposal(ar, source, "1", {"title": "t", "status": "rejected", "quorum": str(quorum),
                                                "tally": [{"choice": c, "weight": str(w)} for c, w in tally.items()]})


def test_quorum_choices_per_governor_kind() -> None:
    from wallet.adapters.cosmos.adapter import CosmosAdapter
    from wallet.adapters.evm.adapter import EvmGovernorAdapter
    from wallet.adapters.snapshot.adapter import SnapshotAdapter

    assert EvmGovernorAdapter.quorum_choices({}, {"kind": "bravo"}) == {"for"}
    assert EvmGovernorAdapter.quorum_choices({}, {"kind": "oz"}) == {"for", "abstain"}
    fractional = "support=bravo,fractional&quorum=for,abstain&params=fractional"
    assert EvmGovernorAdapter.quorum_choices({}, {"kind": "oz", "extra": {"counting_mode": fractional}}) \
        == {"for", "abstain"}
    bravo_compat = {"kind": "oz", "extra": {"counting_mode": "support=bravo&quorum=bravo"}}
    assert EvmGovernorAdapter.quorum_choices({}, bravo_compat) == {"for"}
    assert CosmosAdapter.quorum_choices({}, {}) is None  # yes, no, abstain and no_with_veto all count
    assert SnapshotAdapter.quorum_choices({"tally": [{"choice": "Yes"}, {"choice": "No"}]}, {}) is None
    optimistic = {"extra": {"quorum_type": "optimistic"}, "tally": [{"choice": "Yes"}, {"choice": "No"}]}
    assert SnapshotAdapter.quorum_choices(optimistic, {}) == {"no"}


def test_bravo_quorum_counts_for_only_in_cli_and_tui_views(cli, anvil) -> None:
    """A Bravo proposal with FOR below quorum and FOR + ABSTAIN above it did not reach quorum (the
    view used to add ABSTAIN for every Governor); an OZ one with the same tally did."""
    from wallet import networks
    from wallet.services.proposals import proposal_view

    networks.set_user_table("devnet", {"rpc": [anvil.url], "confirmations": 0})
    for dao_id, kind in (("bravo", "bravo"), ("oz", "oz")):
        networks.add_dao("devnet", {"id": dao_id, "kind": kind, "governor": GOV, "token": TOKEN,
                                    "token_symbol": "PDT", "token_decimals": 0}, replace=True)
        _archive_proposal(f"devnet/{dao_id}", kind, {"for": 60, "against": 10, "abstain": 50}, quorum=100)
    bravo = proposal_view("devnet/bravo", "1", addresses=[])
    assert bravo.counted_for_quorum == 60 and bravo.quorum_reached is False and "not reached" in bravo.quorum_text
    oz = proposal_view("devnet/oz", "1", addresses=[])
    assert oz.counted_for_quorum == 110 and oz.quorum_reached is True
    shown = cli("proposals", "show", "devnet/bravo:1")
    assert shown.code == 0 and "not reached (40 PDT short)" in shown.out
    j = cli("proposals", "show", "devnet/bravo:1", "--json").json()
    assert j["quorum_status"] == {"counted": "60", "reached": False, "choices": ["for"]}
    assert cli("proposals", "show", "devnet/oz:1", "--json").json()["quorum_status"]["reached"] is True


def test_one_rule_for_a_changed_final_vote(anvil, polis_home) -> None:
    """Every spelling of the recorded choice is "already voted"; any other choice is refused — the
    batch comparison used to let "no" after FOR through as already voted."""
    from wallet import networks
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive
    from wallet.errors import ActionRefused
    from wallet.services.requests import refuse_changed_vote

    networks.set_user_table("devnet", {"rpc": [anvil.url], "confirmations": 0})
    networks.add_dao("devnet", {"id": "oz", "kind": "oz", "governor": GOV, "token": TOKEN}, replace=True)
    voter = "0x" + "ab" * 20
    _archive_proposal("devnet/oz", "oz", {"for": 1}, quorum=1)
    with open_archive() as ar, ar.conn:
        ar.conn.execute("INSERT INTO votes (source, proposal_id, voter, choice, weight, reason) "
                        "VALUES ('devnet/oz', '1', ?, 'for', '1', '')", (voter,))
    ad = adapter_for("devnet/oz")
    try:
        for same in ("for", "FOR", "yes", "y", "1"):
            refuse_changed_vote(ad, "1", same, [voter], account="me")
        for other in ("against", "no", "n", "0", "abstain", "2"):
            with pytest.raises(ActionRefused, match="already voted FOR"):
                refuse_changed_vote(ad, "1", other, [voter], account="me")
        refuse_changed_vote(ad, "1", "against", ["0x" + "cd" * 20], account="me")  # no archived vote: no refusal
    finally:
        ad.close()


def test_time_format_is_one_rule() -> None:
    from wallet import inbox
    from wallet.cli import output
    from wallet.services import proposal_state, timefmt

    assert output.ago is inbox.ago is timefmt.ago and output.until is inbox.until is timefmt.until
    assert proposal_state._ago is timefmt.ago and proposal_state._when is timefmt.when
    assert timefmt.ago(1000, now=1003) == "just now" and timefmt.ago(1000, now=998) == "just now"
    assert timefmt.ago(1000, now=1000 + 7200) == "2h ago" and timefmt.ago(None) == "never"
    assert timefmt.until(1000, now=0) == "in 16m" and timefmt.until(1000, now=1000) == "closed"
    assert timefmt.when(0) == "1970-01-01 00:00 UTC" and timefmt.until(None) == "-"


def test_vault_enforces_the_passphrase_rule(polis_home) -> None:
    from wallet.errors import BadInput
    from wallet.keys.vault import Vault

    v = Vault()
    with pytest.raises(BadInput, match="at least 8 characters"):
        v.add_mnemonic("short", JUNK_MNEMONIC, "1234567")
    with pytest.raises(BadInput, match="at least 8 characters"):
        v.add_private_key("short", bytes.fromhex("11" * 32), "")
    assert v.accounts() == []
    assert v.add_mnemonic("ok", JUNK_MNEMONIC, PASSPHRASE).name == "ok"


def test_power_shows_delegation_and_votes_on_devnet(cli, anvil, dao, env_passphrase) -> None:
    from wallet.devnet.seed import fund_and_delegate

    dep = dao("oz")
    src = add_devnet_dao(anvil.url, dep)
    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    me = r.json()["addresses"]["evm"]
    fund_and_delegate(anvil, dep, [me], 1_234_500_000_000_000_000)  # 1.2345 PDT, self-delegated
    assert cli("sync", src, "--json").code == 0
    rows = cli("power", "-n", src, "--json")
    assert rows.code == 0, rows.err
    (row,) = [x for x in rows.json() if x["source"] == src]
    assert row["address"].lower() == me.lower() and row["delegate"].lower() == me.lower()
    assert row["voting_power"] == "1.2345" and row["voting_power_base"] == 1_234_500_000_000_000_000
    assert row["balance_base"] == 1_234_500_000_000_000_000 and row["token"] == {"symbol": "PDT", "decimals": 18}
    friend = "0x000000000000000000000000000000000000bEEF"
    assert cli("delegate", "--to", friend, "-n", src, "--yes").code == 0
    (row,) = [x for x in cli("power", "-n", src, "--json").json() if x["source"] == src]
    assert row["delegate"].lower() == friend.lower() and row["voting_power"] == "0" and row["voting_power_base"] == 0
    assert cli("sync", src, "--json").code == 0
    (off,) = [x for x in cli("power", "-n", src, "--offline", "--json").json() if x["source"] == src]
    assert off["archived"] is True and off["delegate"].lower() == friend.lower() and off["voting_power_base"] == 0
    text = cli("power", "-n", src)
    assert text.code == 0 and "DELEGATE" in text.out and src in text.out
    assert cli("power", "-n", "nosuchnet").code == 2


def test_networks_files_that_say_family_still_load(polis_home, cli) -> None:
    from wallet import networks
    from wallet.network_tables import raw_tables

    networks.add_network("oldfile", {"family": "evm", "chain_id": 5, "rpc": ["http://127.0.0.1:9"],
                                     "denom": {"symbol": "ETH", "base": "wei", "decimals": 18}})
    networks.add_network("newfile", {"protocol": "cosmos", "chain_id": "x-1", "rpc": ["http://127.0.0.1:9"],
                                     "denom": {"symbol": "X", "base": "ux", "decimals": 6},
                                     "extra": {"bech32_prefix": "x", "valoper_prefix": "xvaloper"}})
    old, new = networks.get_network("oldfile"), networks.get_network("newfile")
    assert (old.protocol, old.holds_daos, old.follows_spaces) == ("evm", True, False)
    assert (new.protocol, new.holds_daos, new.family) == ("cosmos", False, "cosmos")
    assert all("protocol" in t for k, t in raw_tables().items() if k not in ("oldfile", "newfile"))  # presets
    listed = {n["key"]: n for n in cli("networks", "list", "--json").json()}
    assert listed["oldfile"]["protocol"] == "evm" and listed["snapshot"]["protocol"] == "snapshot"
    r = cli("networks", "add", "hub2", "--protocol", "cosmos", "--chain-id", "hub-2", "--rpc", "http://127.0.0.1:9",
            "--prefix", "cosmos", "--denom", "uatom", "--symbol", "ATOM", "--decimals", "6", "--json")
    assert r.code == 0, r.err
    assert networks.get_network("hub2").protocol == "cosmos"


def test_an_archive_from_before_protocol_keeps_its_sources(tmp_path) -> None:
    """Migration 7 renames sources.family to protocol: an older archive's rows keep their value."""
    import sqlite3

    from wallet.cache.db import migrate
    from wallet.cache.schema import MIGRATIONS, SCHEMA_VERSION

    at = MIGRATIONS.index(["ALTER TABLE sources RENAME COLUMN family TO protocol"])
    conn = sqlite3.connect(tmp_path / "old.sqlite3", isolation_level=None)
    try:
        for stmts in MIGRATIONS[:at]:
            for stmt in stmts:
                conn.execute(stmt)
        conn.execute(f"PRAGMA user_version = {at}")
        conn.execute("INSERT INTO sources (id, network, family, kind, chain_id, extra) "
                     "VALUES ('akash', 'akash', 'cosmos', 'gov-v1', 'akashnet-2', '{}')")
        migrate(conn)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT protocol FROM sources WHERE id='akash'").fetchone() == ("cosmos",)
    finally:
        conn.close()
