"""ENS names on the devnet's own ENS (devnet/contracts/PolisENS.sol), resolved with web3's `ens` module:
forward for `--to name.eth` in delegate and batch plans (the plan shows the address), reverse for display
in Votes and Accounts, cached in the archive for offline display."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC, add_devnet_dao

pytestmark = pytest.mark.anvil

ALICE = "0x00000000000000000000000000000000000A11cE"
LIAR = "0x0000000000000000000000000000000000000B0b"


@pytest.fixture
def ens_devnet(anvil: Any, dao: Any) -> tuple[Any, Any, str]:
    """A DAO, the ENS (alice.eth ↔ ALICE; LIAR's reverse record claims alice.eth), the devnet pointed at it."""
    from wallet import networks
    from wallet.devnet.ens import deploy_ens, register, set_reverse

    dep = dao("oz")
    ens = deploy_ens(anvil)
    register(anvil, ens, "alice.eth", ALICE)
    set_reverse(anvil, ens, LIAR, "alice.eth")
    src = add_devnet_dao(anvil.url, dep, "ens")
    networks.set_user_table("devnet", {"ens_registry": ens.registry})
    return dep, ens, src


@pytest.fixture
def me(cli: Any, env_passphrase: Any, anvil: Any) -> str:
    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    return str(r.json()["addresses"]["evm"])


def test_delegate_to_an_ens_name_shows_and_uses_the_address(cli, anvil, ens_devnet, me) -> None:
    from wallet.devnet.deploy import call
    from wallet.devnet.seed import fund_and_delegate

    dep, _ens, src = ens_devnet
    fund_and_delegate(anvil, dep, [me], 10**20)
    dry = cli("delegate", "--to", "Alice.eth", "-n", src, "--dry-run", "--json")
    assert dry.code == 0, dry.err
    plan = dry.json()["plan"]
    assert plan["target"] == ALICE
    assert f"alice.eth resolves to {ALICE} (ENS, asked of the node just now)" in plan["summary"]
    assert any(f"to alice.eth ({ALICE})" in line for line in plan["summary"])
    r = cli("delegate", "--to", "alice.eth", "-n", src, "--yes", "--json")
    assert r.code == 0, r.err
    assert call(anvil, dep.token, "delegates(address)", me, returns=["address"]).lower() == ALICE.lower()
    nobody = cli("delegate", "--to", "nobody.eth", "-n", src, "--dry-run")
    assert nobody.code == 2 and "does not resolve" in nobody.err
    bad = cli("delegate", "--to", "al ice.eth", "-n", src, "--dry-run")
    assert bad.code == 2


def test_no_registry_no_names(cli, anvil, dao, me) -> None:
    from wallet import networks

    src = add_devnet_dao(anvil.url, dao("oz"), "noens")
    networks.set_user_table("devnet", {"ens_registry": ""})
    r = cli("delegate", "--to", "alice.eth", "-n", src, "--dry-run")
    assert r.code == 2 and "no ENS registry" in r.err


def test_batch_plan_resolves_the_name_in_its_dry_run(cli, anvil, ens_devnet, me, tmp_path) -> None:
    from wallet.devnet.seed import fund_and_delegate

    dep, _ens, src = ens_devnet
    fund_and_delegate(anvil, dep, [me], 10**20)
    plan = tmp_path / "plan.toml"
    plan.write_text(f'version = 1\n[[actions]]\nkind = "delegate"\nnetwork = "{src}"\naccount = "me"\n'
                    'to = "alice.eth"\n')
    offline = cli("batch", "check", str(plan))
    assert offline.code == 0, offline.err + offline.out
    dry = cli("batch", "check", str(plan), "--dry-run")
    assert dry.code == 0, dry.err + dry.out
    assert f"alice.eth resolves to {ALICE}" in dry.out


def test_reverse_names_are_verified_cached_and_shown_offline(cli, anvil, ens_devnet) -> None:
    from wallet.services import names

    _dep, _ens, _src = ens_devnet
    got = names.refresh("devnet", [ALICE, LIAR, "0x000000000000000000000000000000000000dEaD"])
    assert got == {ALICE.lower(): "alice.eth"}  # the liar's reverse record fails the forward check
    assert names.cached_for("devnet", [ALICE, LIAR]) == {ALICE.lower(): "alice.eth"}
    assert names.label(ALICE, got) == f"alice.eth ({ALICE})"
    # offline: the node is unreachable, the archive still knows
    from wallet import networks

    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9"]})
    assert names.cached_for("devnet", [ALICE]) == {ALICE.lower(): "alice.eth"}
    assert names.refresh("devnet", [ALICE]) == {ALICE.lower(): "alice.eth"}  # fresh: nothing asked


def test_votes_show_voter_names_online_then_offline(cli, anvil, seeded_dao) -> None:
    from wallet import networks
    from wallet.devnet.ens import deploy_ens, register

    dep, seed = seeded_dao("oz", n_voters=6, with_states=False)
    ens = deploy_ens(anvil)
    voter = seed.voters[0]
    register(anvil, ens, "voter-one.eth", voter)
    src = add_devnet_dao(anvil.url, dep, "ensvotes")
    networks.set_user_table("devnet", {"ens_registry": ens.registry})
    assert cli("sync", src, "--json").code == 0
    pid = next(iter(seed.proposals.values()))
    before = cli("proposals", "votes", f"{src}:{pid}", "--json").json()
    assert all(v["name"] is None for v in before["votes"])  # nothing asked yet: offline by default
    asked = cli("proposals", "votes", f"{src}:{pid}", "--names", "--json").json()
    named = {v["voter"].lower(): v["name"] for v in asked["votes"]}
    assert named[voter.lower()] == "voter-one.eth"
    assert sum(1 for n in named.values() if n) == 1
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9"]})  # the node is gone
    text = cli("proposals", "votes", f"{src}:{pid}")
    assert text.code == 0 and f"voter-one.eth ({voter})" in text.out


def test_the_tui_and_batch_request_path_shows_the_resolved_address(anvil, ens_devnet, me) -> None:
    """The one request→plan path the TUI's delegate dialog uses: the plan lines name the address."""
    from wallet.devnet.seed import fund_and_delegate
    from wallet.flows import plan_lines
    from wallet.services.requests import ActionRequest, plan_action

    dep, _ens, src = ens_devnet
    fund_and_delegate(anvil, dep, [me], 10**20)
    adapter, plan = plan_action(ActionRequest(kind="delegate", source=src, account="me", params={"to": "alice.eth"}))
    try:
        lines = plan_lines(plan)
    finally:
        adapter.close()
    assert plan.target == ALICE and plan.payload["delegatee"] == ALICE
    assert any(f"alice.eth resolves to {ALICE}" in line for line in lines)


def test_keys_list_shows_account_names_from_the_archive(cli, anvil, ens_devnet, me) -> None:
    """`keys list`/`keys show` read names from the archive (offline-safe); `--names` asks the node and keeps them;
    a reverse record the forward record does not confirm is never shown."""
    from wallet import networks
    from wallet.devnet.ens import register

    _dep, ens, _src = ens_devnet
    networks.set_user_table("ethereum", {"rpc": ["http://127.0.0.1:9"]})  # mainnet's ENS is never reached here
    register(anvil, ens, "me-wallet.eth", me)
    assert cli("keys", "import", "liar", "--watch", LIAR).code == 0  # its reverse record claims alice.eth
    plain = cli("keys", "list", "--json")
    assert plain.code == 0, plain.err
    assert {a["name"]: a["ens_name"] for a in plain.json()} == {"me": None, "liar": None}  # nothing asked yet
    assert "ENS" not in cli("keys", "list").out
    asked = cli("keys", "list", "--names", "--json")
    assert asked.code == 0, asked.err
    assert {a["name"]: a["ens_name"] for a in asked.json()} == {"me": "me-wallet.eth", "liar": None}
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9"]})  # the node is gone: the archive answers
    text = cli("keys", "list")
    assert text.code == 0, text.err
    header, *rows = text.out.splitlines()
    assert header.split()[:4] == ["NAME", "KIND", "EVM", "ADDRESS"] and "ENS" in header
    mine = next(r for r in rows if r.startswith("me "))
    assert me in mine and "me-wallet.eth" in mine
    assert "alice.eth" not in text.out
    again = cli("keys", "list", "--names")  # asking with the nodes gone: a warning, the archive's names
    assert again.code == 0 and "me-wallet.eth" in again.out
    assert "warning: ENS names on ethereum not refreshed" in again.err and "showing the archived ones" in again.err
    show = cli("keys", "show", "me")
    assert show.code == 0 and "me-wallet.eth" in show.out
    assert cli("keys", "show", "me", "--json").json()["ens_name"] == "me-wallet.eth"
