"""ENS names in the TUI: the Accounts screen and a proposal's Votes pane show verified names, asked of the
node once and kept in the archive, so `polis tui --offline` still shows them."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import JUNK_MNEMONIC, add_devnet_dao
from tests.plugins.tui_helpers import table_rows, text_of, wait_for

pytestmark = pytest.mark.anvil


def test_accounts_and_votes_show_names_online_and_offline(cli, anvil, seeded_dao) -> None:
    from screens.proposal import ProposalScreen
    from wallet import networks
    from wallet.devnet.ens import deploy_ens, register

    r = cli("keys", "import", "cold", "--watch", "0x000000000000000000000000000000000000C01D", "--json")
    assert r.code == 0, r.err
    dep, seed = seeded_dao("oz", n_voters=6, with_states=False)
    ens = deploy_ens(anvil)
    register(anvil, ens, "cold-wallet.eth", "0x000000000000000000000000000000000000C01D")
    register(anvil, ens, "voter-one.eth", seed.voters[0])
    src = add_devnet_dao(anvil.url, dep, "tuiens")
    networks.set_user_table("devnet", {"ens_registry": ens.registry})
    assert cli("sync", src, "--json").code == 0
    pid = next(iter(seed.proposals.values()))

    async def go(offline: bool) -> None:
        from screens.app import make_app

        app = make_app(offline=offline)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("3")
            await wait_for(pilot, lambda: any(row[-1] == "cold-wallet.eth" for row in table_rows(app, "#accounts")),
                           timeout=30, what="account name")
            await pilot.press("1")
            await app.push_screen(ProposalScreen(src, pid))
            await wait_for(pilot, lambda: f"{src}:{pid}" in text_of(app, "#timeline"), what="proposal")
            await pilot.press("slash")
            await wait_for(pilot, lambda: any(row[0].startswith("voter-one.eth (")
                                              for row in table_rows(app, "#votes")), timeout=30, what="voter name")

    asyncio.run(go(offline=False))
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9"]})  # the node is gone
    asyncio.run(go(offline=True))


def test_stakes_show_the_delegate_name(cli, anvil, dao, env_passphrase) -> None:
    from wallet import networks
    from wallet.devnet.ens import deploy_ens, register
    from wallet.devnet.seed import fund_and_delegate

    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    me = r.json()["addresses"]["evm"]
    dep = dao("oz")
    fund_and_delegate(anvil, dep, [me], 10**20)
    ens = deploy_ens(anvil)
    alice = "0x00000000000000000000000000000000000A11cE"
    register(anvil, ens, "alice.eth", alice)
    src = add_devnet_dao(anvil.url, dep, "tuistake")
    networks.set_user_table("devnet", {"ens_registry": ens.registry})
    assert cli("delegate", "--to", "alice.eth", "-n", src, "--yes").code == 0
    assert cli("sync", src).code == 0

    async def go() -> None:
        from screens.app import make_app

        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("2")
            await wait_for(pilot, lambda: any(row[3].startswith("alice.eth (0x0000") for row in
                                              table_rows(app, "#positions")), timeout=30, what="delegate name")

    asyncio.run(go())
