"""What a vote plan says before anything is signed: the proposal's title, network/DAO, archived state and
deadline, and how the typed choice was read — in the CLI plan (text and --json) on a real anvil, and in
the core rules the TUI and batch runs share. Watch-only accounts never count as signers."""

from __future__ import annotations

import pytest

from tests.conftest import JUNK_MNEMONIC, add_devnet_dao

NOW = 1_767_225_600


def test_governor_choice_aliases_read_as_labels() -> None:
    from wallet.adapters.evm.adapter import EvmGovernorAdapter as Gov
    from wallet.errors import BadInput

    assert [Gov.read_choice(c) for c in ("for", "yes", "y", "1")] == ["FOR"] * 4
    assert [Gov.read_choice(c) for c in ("against", "no", "n", "0")] == ["AGAINST"] * 4
    assert [Gov.read_choice(c) for c in ("abstain", "2")] == ["ABSTAIN"] * 2
    with pytest.raises(BadInput):
        Gov.read_choice("maybe")


def test_other_families_read_choices() -> None:
    from wallet.adapters.bittensor.adapter import BittensorAdapter
    from wallet.adapters.cosmos.adapter import CosmosAdapter
    from wallet.adapters.snapshot.adapter import SnapshotAdapter
    from wallet.services.plan_context import choice_line

    assert CosmosAdapter.read_choice("veto") == "NO_WITH_VETO"
    assert CosmosAdapter.read_choice("weighted", weights={"yes": "0.6", "abstain": "0.4"}) == \
        "WEIGHTED yes=0.6 abstain=0.4"
    # Snapshot: 1 is the proposal's first choice, whatever its label says.
    assert SnapshotAdapter.read_choice("1", labels=["Against", "For"]) == "Against (#1)"
    assert SnapshotAdapter.read_choice("1,3", labels=["a", "b", "c"], vote_type="approval") == "a, c (#1, #3)"
    assert BittensorAdapter.read_choice("yes") == "AYE"
    assert choice_line(SnapshotAdapter, "1", labels=["Against", "For"]) == "choice: '1' read as Against (#1)"


def test_stale_open_status_says_what_is_known() -> None:
    from wallet.services.proposal_state import state_of

    live = state_of("active", start_ts=NOW - 60, end_ts=NOW + 3 * 3600, synced_at=NOW - 60, now=NOW)
    assert live.accepts_votes and live.text == "ACTIVE" and live.deadline.endswith("(in 3h)")
    stale = state_of("active", start_ts=NOW - 7200, end_ts=NOW - 600, synced_at=NOW - 3600, now=NOW)
    assert not stale.accepts_votes and stale.stale
    assert stale.text == "voting ended · outcome not synced since 1h ago" and stale.short == "ended·unsynced"
    done = state_of("executed", start_ts=NOW - 7200, end_ts=NOW - 600, synced_at=NOW - 3600, now=NOW)
    assert not done.accepts_votes and not done.stale and done.text == "EXECUTED"


def test_watch_only_accounts_never_count_as_signers(cli, passphrase_file) -> None:
    from wallet.keys.vault import Vault

    cli("keys", "import", "cold", "--watch", "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045")
    with pytest.raises(Exception, match="no account in the vault can sign .*cold is watch-only"):
        Vault().default()
    r = cli("keys", "import", "me", "--mnemonic", "--passphrase-file", str(passphrase_file), stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    assert Vault().default().name == "me" and Vault().default("evm").name == "me"
    cli("keys", "import", "two", "--mnemonic", "--index", "3", "--passphrase-file", str(passphrase_file),
        stdin=JUNK_MNEMONIC)
    with pytest.raises(Exception, match=r"several accounts can sign \(me, two\)"):
        Vault().default()


@pytest.mark.anvil
def test_cli_plan_names_the_proposal_and_the_read_choice(cli, anvil, seeded_dao, dao, env_passphrase) -> None:
    from wallet.devnet.seed import fund_and_delegate, seed_dao

    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    voter = r.json()["addresses"]["evm"]
    # The README's first session imports a watch-only key beside the signing one.
    assert cli("keys", "import", "cold", "--watch", "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045").code == 0
    dep = dao("oz", voting_delay=20)
    fund_and_delegate(anvil, dep, [voter], 1_000 * 10**18)
    seed = seed_dao(anvil, dep, n_voters=12)
    src = add_devnet_dao(anvil.url, dep)
    assert cli("sync", src).code == 0
    pid = seed.proposals["active"]
    title = cli("proposals", "show", f"{src}:{pid}", "--json").json()["title"]

    text = cli("vote", f"{src}:{pid}", "yes", "--dry-run")
    assert text.code == 0, text.err
    assert f"Proposal: {title}" in text.out
    assert "devnet/test (Test test)" in text.out and "ACTIVE" in text.out and "closes " in text.out
    assert "choice: 'yes' read as FOR" in text.out
    assert "several accounts" not in text.err

    plan = cli("vote", f"{src}:{pid}", "0", "--dry-run", "--json").json()["plan"]
    assert plan["summary"][0].startswith("Vote AGAINST")  # the journal keeps the adapter's first line
    assert plan["summary"][1] == f"Proposal: {title}"
    assert "choice: '0' read as AGAINST" in plan["summary"]


def test_cli_says_a_stale_active_status_is_not_synced(cli) -> None:
    from tests.plugins.tui_data import fill

    fill(6)  # proposals archived as active whose end (January 2026) has passed
    listed = cli("proposals", "list")
    assert listed.code == 0 and "ended·unsynced" in listed.out and " active " not in listed.out
    shown = cli("proposals", "show", "devnet/alpha:1")
    assert shown.code == 0 and "status voting ended · outcome not synced since" in shown.out
    assert "█" in shown.out and "turnout" in shown.out  # the core's bars: share of votes cast, turnout vs quorum
    assert cli("proposals", "show", "devnet/alpha:1", "--json").json()["status"] == "active"  # data unchanged
