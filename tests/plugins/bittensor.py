"""Fixtures for the Bittensor tests: a node double with a funded account, subnets and delegates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.doubles.substrate_node import SubstrateNode

MNEMONIC = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"
TAO = 10**9


@dataclass
class Keys:
    coldkey: str
    hotkeys: list[str]


def pub_hex(address: str) -> str:
    from wallet.keys.substrate_keys import ss58_decode

    return "0x" + ss58_decode(address).hex()


def derive(index: int) -> str:
    from wallet.keys.substrate_keys import public_key_of, secret_key, ss58_encode

    return ss58_encode(public_key_of(secret_key(MNEMONIC, index)))


def seed_chain(node: SubstrateNode, coldkey: str, hotkeys: list[str], *, free: int = 100 * TAO) -> None:
    ch = node.chain
    ck = pub_hex(coldkey)
    ch.set_account(ck, free=free)
    ch.add_subnet(0, name="root", tao=10**6 * TAO, alpha=10**6 * TAO)
    ch.add_subnet(1, name="apex", tao=10_000 * TAO, alpha=100_000 * TAO, symbol="α")
    ch.add_subnet(71, name="recorded", tao=5_000 * TAO, alpha=600_000 * TAO, symbol="ω")  # price from finney
    owner = pub_hex(derive(9))
    for i, hk in enumerate(hotkeys):
        ch.add_hotkey(pub_hex(hk), owner, take=11_796 if i == 0 else 0)


def use_node(node: SubstrateNode, network: str = "bittensor", genesis: str | None = None) -> None:
    from wallet import networks

    networks.set_user_table(network, {"rpc": [node.url], "extra": {
        "ss58_format": 42, "system_chain": "Bittensor", "genesis_hash": genesis or "0x" + node.genesis.hex(),
        "min_stake": 2_000_000, "era_period": 64, "sync_blocks": 20}})


@pytest.fixture
def bt_node() -> Iterator[SubstrateNode]:
    with SubstrateNode() as node:
        yield node


@pytest.fixture
def bt_keys() -> Keys:
    return Keys(coldkey=derive(0), hotkeys=[derive(1), derive(2), derive(3)])


@pytest.fixture
def bt_ready(bt_node: SubstrateNode, bt_keys: Keys, env_passphrase) -> SubstrateNode:  # type: ignore[no-untyped-def]
    """Vault account "tao" (the mnemonic), network "bittensor" pointed at the double, chain seeded."""
    from tests.conftest import PASSPHRASE
    from wallet.keys.vault import Vault

    Vault().add_mnemonic("tao", MNEMONIC, PASSPHRASE)
    seed_chain(bt_node, bt_keys.coldkey, bt_keys.hotkeys)
    use_node(bt_node)
    return bt_node
