"""Bittensor: a payment info over the fee cap is refused before anything is signed."""

from __future__ import annotations

from tests.doubles.substrate_node import SubstrateNode
from tests.plugins.bittensor import pub_hex


def test_payment_info_over_the_cap_is_refused(bt_ready: SubstrateNode, bt_keys, cli) -> None:  # noqa: F811
    hk = bt_keys.hotkeys[0]
    free = bt_ready.chain.free(pub_hex(bt_keys.coldkey))
    ok = cli("stake", "add", hk, "1 TAO", "--subnet", "1", "-n", "bittensor", "--dry-run")
    assert ok.code == 0 and "fee cap: at most" in ok.out, ok.err + ok.out
    r = cli("stake", "add", hk, "1 TAO", "--subnet", "1", "-n", "bittensor", "--yes", "--max-fee", "1rao")
    assert r.code == 1 and "refusing to sign" in r.err and "(--max-fee)" in r.err, r.err
    assert bt_ready.chain.free(pub_hex(bt_keys.coldkey)) == free  # nothing was submitted, no fee paid
