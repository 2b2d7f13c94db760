"""EIP-1559 fee figures of a planned transaction, read from the node and described for the fee cap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wallet.adapters.evm.client import quantity
from wallet.fees import FeeQuote

if TYPE_CHECKING:
    from wallet.networks import NetworkConfig

GWEI = 10**9
GAS_SLACK = 10_000
"""Gas added to each estimate (with 20 %): estimates on a busy chain move between plan and inclusion."""
MAX_GAS = 2_000_000
"""Largest gas of one transaction unless the network's `max_gas` says otherwise: a Governor vote with a
long reason, a delegation or a stake deposit use 50,000–300,000."""


def gas_of(estimate: Any) -> tuple[int, int]:
    """(simulated gas, gas limit to sign) from an eth_estimateGas answer."""
    simulated = quantity(estimate, "gas estimate", limit=2**64)
    return simulated, simulated * 12 // 10 + GAS_SLACK


def prices(block: Any, priority: Any) -> tuple[int, int, int, int | None]:
    """(base fee, priority fee, max fee per gas, block gas limit) from the answers to
    eth_getBlockByNumber("latest") and eth_maxPriorityFeePerGas. Max fee = 2 × base + priority."""
    base, gas_limit = 0, None
    if isinstance(block, dict):
        if block.get("baseFeePerGas") is not None:
            base = quantity(block["baseFeePerGas"], "base fee", limit=2**128)
        if block.get("gasLimit") is not None:
            gas_limit = quantity(block["gasLimit"], "block gas limit", limit=2**64)
    prio = quantity(priority, "priority fee", limit=2**128) if isinstance(priority, str) else GWEI
    return base, prio, 2 * base + prio, gas_limit


def quote(network: NetworkConfig, *, gas: int, simulated: int | None, max_fee_per_gas: int, base_fee: int,
          block_gas_limit: int | None, transactions: int = 1) -> FeeQuote:
    """The fee cap's view of `transactions` transactions needing `gas` in all."""
    ceiling = network.max_gas or MAX_GAS
    if block_gas_limit:
        ceiling = min(ceiling, block_gas_limit)
    return FeeQuote(max_fee=gas * max_fee_per_gas, gas=gas, simulated_gas=simulated, gas_margin=(6, 5),
                    gas_slack=GAS_SLACK * transactions,
                    gas_ceiling=ceiling * transactions if ceiling else None,
                    max_fee_per_gas=max_fee_per_gas, base_fee=base_fee, base_fee_floor=GWEI)
