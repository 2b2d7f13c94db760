"""The TUI's vote dialog offers what each Governor kind's adapter declares: GovernorAlpha for/against and
no reason field; a fractional Governor its choices, a reason and a split field in token amounts."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.tui_helpers import wait_for

pytestmark = pytest.mark.anvil


def dialog_fields(src: str, pid: str) -> tuple[list[str], bool, str]:
    from screens.app import make_app

    out: dict[str, object] = {}

    async def go() -> None:
        app = make_app(check_online=False, persist_settings=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.open_vote(src, pid)
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ActionDialog"
                           and app.screen.query("#plan-panel"), what="vote dialog")
            await pilot.pause()
            out["labels"] = [str(b.label) for b in app.screen.query("RadioButton")]
            out["reason"] = bool(app.screen.query("#reason"))
            out["text"] = " ".join(str(lbl.render()) for lbl in app.screen.query("Label"))

    asyncio.run(asyncio.wait_for(go(), 60))
    return out["labels"], out["reason"], out["text"]  # type: ignore[return-value]


@pytest.mark.parametrize(("kind", "labels", "reason", "split"), [
    ("alpha", ["FOR", "AGAINST"], False, False),
    ("oz_fractional", ["FOR", "AGAINST", "ABSTAIN"], True, True),
])
def test_vote_dialog_offers_the_kinds_options(cli, env_passphrase, anvil, seeded_dao, kind, labels, reason,
                                              split) -> None:
    from wallet import networks

    assert cli("keys", "import", "me", "--mnemonic", "--index", "7", stdin=JUNK_MNEMONIC).code == 0
    dep, seed = seeded_dao(kind, n_voters=6, with_states=False, active_votes=2)
    networks.set_user_table("devnet", {"rpc": [anvil.url], "confirmations": 0})
    added = cli("networks", "add", "devnet/k", "--governor", dep.governor, "--token", dep.token,
                "--start-block", str(dep.deploy_block))
    assert added.code == 0, added.err
    assert cli("sync", "devnet/k").code == 0
    got_labels, got_reason, text = dialog_fields("devnet/k", seed.proposals["active"])
    assert got_labels == labels and got_reason == reason
    assert ("for=60" in text) == split
