"""The devnet chain clock: moving it (mine, advance_time, advance_clock_past, used by seeding and the tests)
and keeping a demo chain on the wall clock, so deadlines count down as a person watches them.

Seeding mines blocks faster than real time and jumps the clock for timelocks (a Bravo seed moves it
~11 minutes), so a chain started "now" ends up ahead of the wall clock and an estimated "closes in 5m"
jumps back after the next sync. The demo therefore starts anvil a little more in the past than seeding
will move its clock (`anvil --timestamp`), seeds, then puts the next block exactly on the wall clock
(`evm_setNextBlockTimestamp`, after which anvil keeps following real time) and mines one block per
`block_time` seconds (`evm_setIntervalMining`), matching the devnet preset's `block_time = 1`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wallet.devnet.anvil import Anvil, RpcClient
    from wallet.devnet.deploy import DaoDeployment

START_SLACK = 3600
"""How far in the past a chain starts by default: more than seeding moves its clock ahead."""


def seeding_slack(margin: int = 60) -> int:
    """What seeding the demo's DAOs moves the chain clock: the timelock jumps (a Bravo Expired proposal
    needs delay + grace, then delay again; the OZ timelock its delay) plus `margin` for the ~1 s each
    mined block adds. Only a little more than that: a larger jump forward at the end would expire the
    Bravo proposal left Queued (it has `gracePeriod` seconds left)."""
    from wallet.devnet.deploy import BRAVO_GRACE_PERIOD, TIMELOCK_DELAY

    return BRAVO_GRACE_PERIOD + 3 * (TIMELOCK_DELAY + 1) + margin


def start_args(now: float | None = None, slack: int = START_SLACK) -> list[str]:
    """anvil arguments for a chain whose genesis lies `slack` seconds before `now`."""
    return ["--timestamp", str(int(time.time() if now is None else now) - slack)]


def chain_time(rpc: Anvil | RpcClient | str) -> int:
    from wallet.devnet.anvil import as_client

    return int(as_client(rpc).rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)


def follow_wall_clock(rpc: Anvil | RpcClient | str, *, block_time: int = 1) -> int:
    """Mine the next block at the wall clock's second and keep mining every `block_time` seconds.
    Returns how far the chain was ahead of the wall clock before (0 when it was behind, as planned);
    a chain ahead stays where it is (its clock cannot go back)."""
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    now = int(time.time())
    ahead = chain_time(client) - now
    if ahead < 0:
        client.rpc("evm_setNextBlockTimestamp", hex(now))
    client.rpc("evm_mine")
    if block_time > 0:
        client.rpc("evm_setIntervalMining", block_time)
    return max(ahead, 0)


def mine(rpc: Anvil | RpcClient | str, blocks: int) -> None:
    """Mine `blocks` empty blocks at once (anvil_mine)."""
    from wallet.devnet.anvil import as_client

    if blocks > 0:
        as_client(rpc).rpc("anvil_mine", hex(blocks))


def advance_time(rpc: Anvil | RpcClient | str, seconds: int) -> None:
    """Move the chain clock `seconds` ahead and mine a block carrying the new time."""
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    if seconds > 0:
        client.rpc("evm_increaseTime", hex(int(seconds)))
    client.rpc("evm_mine")


def latest_block(client: RpcClient) -> tuple[int, int]:
    """(number, timestamp) of the latest block."""
    block = client.rpc("eth_getBlockByNumber", "latest", False)
    return int(block["number"], 16), int(block["timestamp"], 16)


def advance_clock_past(rpc: Anvil | RpcClient | str, dep: DaoDeployment, timepoint: int) -> None:
    """Mine until the latest block's clock (number or timestamp) is > `timepoint`, so views at
    "latest" and every later transaction see the clock past it."""
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    number, ts = latest_block(client)
    if dep.is_timestamp:
        if ts <= timepoint:
            advance_time(client, timepoint + 1 - ts)
    elif number <= timepoint:
        mine(client, timepoint + 1 - number)
