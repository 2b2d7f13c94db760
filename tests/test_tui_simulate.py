"""The proposal screen's simulation: `s` runs it in a worker with progress, the report has its own pane,
the palette offers it, and offline the stored report is shown (the node stopped)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.plugins.simulate import scenario
from tests.plugins.tui_helpers import text_of, wait_for

pytestmark = pytest.mark.anvil


async def _open(app: Any, pilot: Any, src: str, pid: str) -> None:
    from screens.proposal import ProposalScreen

    await app.push_screen(ProposalScreen(src, pid))
    await wait_for(pilot, lambda: f"{src}:{pid}" in text_of(app, "#timeline"), what="proposal")


def test_simulate_key_pane_palette_and_offline(cli) -> None:
    from screens.app import make_app
    from wallet.devnet.anvil import Anvil

    node = Anvil().start()
    try:
        dep, src, paid, _bad = scenario(node, "oz", "tui-sim")
        assert cli("sync", src, "--json").code == 0

        async def online() -> None:
            app = make_app()
            async with app.run_test(size=(120, 36)) as pilot:
                await _open(app, pilot, src, paid)
                assert "not simulated yet" in text_of(app, "#sim-line") or text_of(app, "#sim-line") == ""
                commands = [c.title for c in app.get_system_commands(app.screen)]
                assert "Proposal: Simulate" in commands
                await pilot.press("s")
                await wait_for(pilot, lambda: "3/3 actions succeed" in text_of(app, "#sim-line"), timeout=60,
                               what="simulation")
                pane = text_of(app, "#simulation")
                assert "treasury −4,000 PDT" in pane and "voting delay         1 → 7   changed" in pane
                assert "path: governor" in pane

        asyncio.run(online())
    finally:
        node.stop()

    async def offline() -> None:
        app = make_app(offline=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await _open(app, pilot, src, paid)
            await wait_for(pilot, lambda: "simulated at block" in text_of(app, "#sim-line"), what="stored report")
            assert "3/3 actions succeed" in text_of(app, "#sim-line")
            await pilot.press("s")  # offline: refused with a notice, the stored report stays
            await pilot.pause()
            assert "3/3 actions succeed" in text_of(app, "#sim-line")

    asyncio.run(offline())
