"""The demo chain keeps the wall clock: started in the past, seeded (which runs its clock ahead), then
put on the wall clock and mined once a second, so a deadline counts down instead of jumping back."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.anvil


def test_seeded_chain_follows_the_wall_clock(compiled) -> None:  # type: ignore[no-untyped-def]
    from wallet.devnet.anvil import Anvil
    from wallet.devnet.clock import START_SLACK, chain_time, follow_wall_clock, start_args
    from wallet.devnet.seed import advance_time, mine

    with Anvil(extra_args=start_args()) as node:
        assert abs(chain_time(node) - (time.time() - START_SLACK)) < 5
        mine(node, 500)
        advance_time(node, 11 * 60)  # what a Bravo seed does for its timelock
        assert chain_time(node) < time.time()  # still behind: the slack covers seeding
        assert follow_wall_clock(node, block_time=1) == 0
        assert abs(chain_time(node) - time.time()) <= 2
        head = int(node.rpc("eth_blockNumber"), 16)
        time.sleep(2.5)
        assert int(node.rpc("eth_blockNumber"), 16) >= head + 2  # a block a second, as the preset's block_time
        assert abs(chain_time(node) - time.time()) <= 2

