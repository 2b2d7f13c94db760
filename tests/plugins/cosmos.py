"""Fixtures of the Cosmos tests: a seeded node double, the vault account, the adapter pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import PASSPHRASE
from tests.doubles.cosmos_node import Chain, CosmosNode, fixture

ABOUT = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
ME_COSMOS = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4"  # cosmjs' vector for ABOUT at m/44'/118'/0'/0/0
ME_AKASH = "akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0"
REAL_VALOPER = "akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t"  # the captured validator
FAST = {"timeout": 2.0, "retries": 2}


@dataclass
class Env:
    node: CosmosNode
    network: str
    me: str
    validators: dict[str, str]

    def adapter(self) -> Any:
        from wallet.adapters import adapter_for

        ad = adapter_for(self.network)
        ad.poll_interval = 0.05
        return ad

    def account(self) -> Any:
        from wallet.keys.vault import Vault

        return Vault().get("me")

    def signer(self) -> Any:
        from wallet.keys.unlock import Unlocked
        from wallet.keys.vault import Vault

        v = Vault()
        meta = v.get("me")
        return Unlocked(meta, v.read_secret(meta, PASSPHRASE)).signer("cosmos")


def seed(node: CosmosNode, me: str) -> dict[str, str]:
    """Validators (the captured one, a second bonded, a jailed, an unbonded), my stake and rewards,
    proposals in every status (the captured proposal 341 in its voting period), other voters."""
    c = node.chain
    vals = {
        "rescue": node.add_validator("cosmosrescue", tokens=399_745_659_305,
                                     operator=REAL_VALOPER if c.prefix == "akash" else None),
        "beta": node.add_validator("Beta Stake", tokens=250_000_000_000),
        "jailed": node.add_validator("Jailbird", tokens=1_000_000, jailed=True, status="BOND_STATUS_UNBONDING"),
        "idle": node.add_validator("Idle", tokens=5_000_000, status="BOND_STATUS_UNBONDED"),
    }
    node.add_account(me, 50_000_000 * (10**12 if c.denom == "afet" else 1))
    unit = 10**12 if c.denom == "afet" else 1
    c.delegations[(me, vals["rescue"])] = 10_000_000 * unit
    c.rewards[(me, vals["rescue"])] = Decimal("123456.789")
    from wallet.keys.cosmos_keys import encode_bech32

    voters = [encode_bech32(c.prefix, bytes([i]) * 20) for i in range(1, 8)]
    for i, v in enumerate(voters):
        node.add_account(v, 10**9)
        c.delegations[(v, vals["beta"])] = (i + 1) * 1_000_000 * unit
    for pid, status in ((330, 3), (331, 4), (332, 5), (333, 3), (334, 4)):
        node.add_proposal(pid, status, title=f"Old proposal {pid}",
                          tally={"yes": 100 * pid, "abstain": 1, "no": 2, "no_with_veto": 0})
    node.add_proposal(340, 2, title="A second open vote")
    real = fixture("akash_gov_v1_proposal_341.getblock.json")["proposal"]
    node.add_proposal(341, 2, title=real["title"], template=real)
    node.add_proposal(342, 1, title="Deposit period proposal")
    for i, v in enumerate(voters):
        node.add_vote(341, v, [(1 + i % 4, "1")])
    node.add_vote(340, voters[0], [(1, "0.7"), (3, "0.3")], metadata="split")
    return vals


def _network_table(node: CosmosNode, extra: dict[str, Any]) -> dict[str, Any]:
    from wallet.networks import get_network

    return {"rpc": [node.url], "extra": {**get_network(extra.pop("_key")).extra, **FAST, **extra}}


def start(network: str, chain: Chain, extra: dict[str, Any] | None = None) -> Iterator[Env]:
    from wallet import networks
    from wallet.keys.vault import Vault

    node = CosmosNode(chain).start()
    try:
        meta = Vault().add_mnemonic("me", ABOUT, PASSPHRASE)
        from wallet.keys.cosmos_keys import reprefix

        me = reprefix(meta.addresses["cosmos"], chain.prefix)
        vals = seed(node, me)
        networks.set_user_table(network, _network_table(node, {"_key": network, **(extra or {})}))
        yield Env(node=node, network=network, me=me, validators=vals)
    finally:
        node.stop()


@pytest.fixture
def akash() -> Iterator[Env]:
    yield from start("akash", Chain())


@pytest.fixture
def fetch_v1beta1() -> Iterator[Env]:
    """Fetch.ai as last confirmed: gov v1beta1 only (v1 routes answer 501)."""
    yield from start("fetchai", Chain(chain_id="fetchhub-4", denom="afet", prefix="fetch", mode="v1beta1",
                                      min_gas_price=Decimal("0.025")))
