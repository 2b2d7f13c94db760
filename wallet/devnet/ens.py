"""A minimal ENS on the devnet (devnet/contracts/PolisENS.sol) for the tests and the demo: registry, resolver,
reverse registrar, and the universal resolver web3.py's `ens` module calls, placed at its mainnet address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from wallet.devnet.deploy import checksum, deploy_contract, transact

if TYPE_CHECKING:
    from wallet.devnet.anvil import Anvil, RpcClient

UNIVERSAL_RESOLVER = "0xeEeEEEeE14D718C2B47D9923Deab1335E144EeEe"
"""Where web3.py's `ens` module looks for the universal resolver (its mainnet deployment)."""


def namehash(name: str) -> bytes:
    from eth_utils import keccak

    node = b"\0" * 32
    for label in reversed([p for p in name.split(".") if p]):
        node = keccak(node + keccak(text=label))
    return node


def labelhash(label: str) -> bytes:
    from eth_utils import keccak

    return keccak(text=label)


@dataclass
class EnsDeployment:
    registry: str
    resolver: str
    reverse_registrar: str
    universal_resolver: str
    admin: str


def deploy_ens(rpc: Anvil | RpcClient | str) -> EnsDeployment:
    """Registry (root, `eth`, `reverse`, `addr.reverse` owned as ENS does), resolver, reverse registrar;
    the universal resolver's code copied to UNIVERSAL_RESOLVER (its registry is an immutable)."""
    from wallet.devnet.anvil import as_client
    from wallet.devnet.compile import compile_contracts

    client = as_client(rpc)
    art = compile_contracts()
    admin = checksum(client.rpc("eth_accounts")[0])
    registry, _ = deploy_contract(client, admin, art["PolisENSRegistry"])
    resolver, _ = deploy_contract(client, admin, art["PolisENSResolver"], "(address)", registry)
    reverse, _ = deploy_contract(client, admin, art["PolisReverseRegistrar"], "(address,address)", registry, resolver)
    universal, _ = deploy_contract(client, admin, art["PolisUniversalResolver"], "(address)", registry)
    client.rpc("anvil_setCode", UNIVERSAL_RESOLVER, client.rpc("eth_getCode", universal, "latest"))
    transact(client, admin, resolver, "setTrustedReverseRegistrar(address)", reverse)
    root = b"\0" * 32
    transact(client, admin, registry, "setSubnodeOwner(bytes32,bytes32,address)", root, labelhash("eth"), admin)
    transact(client, admin, registry, "setSubnodeOwner(bytes32,bytes32,address)", root, labelhash("reverse"), admin)
    transact(client, admin, registry, "setSubnodeOwner(bytes32,bytes32,address)", namehash("reverse"),
             labelhash("addr"), reverse)
    return EnsDeployment(registry=registry, resolver=resolver, reverse_registrar=reverse,
                         universal_resolver=UNIVERSAL_RESOLVER, admin=admin)


def register(rpc: Anvil | RpcClient | str, ens: EnsDeployment, name: str, address: str, *,
             reverse: bool = True) -> None:
    """`label.eth` → `address`; with `reverse`, `address` claims `name` as its reverse record (impersonated)."""
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    label, _, parent = name.partition(".")
    node = namehash(name)
    transact(client, ens.admin, ens.registry, "setSubnodeOwner(bytes32,bytes32,address)", namehash(parent),
             labelhash(label), ens.admin)
    transact(client, ens.admin, ens.registry, "setResolver(bytes32,address)", node, ens.resolver)
    transact(client, ens.admin, ens.resolver, "setAddr(bytes32,address)", node, address)
    if reverse:
        set_reverse(client, ens, address, name)


def set_reverse(rpc: Anvil | RpcClient | str, ens: EnsDeployment, address: str, name: str) -> None:
    """`address`'s reverse record says `name` (true or not: a lie is what the forward check is for)."""
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    balance = int(client.rpc("eth_getBalance", address, "latest"), 16)
    if balance < 10**17:
        client.rpc("anvil_setBalance", address, hex(balance + 10**18))
    client.rpc("anvil_impersonateAccount", address)
    try:
        transact(client, address, ens.reverse_registrar, "setName(string)", name)
    finally:
        client.rpc("anvil_stopImpersonatingAccount", address)
