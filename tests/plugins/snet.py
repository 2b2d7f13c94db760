"""Fixtures of the SingularityNET tests: TokenStake and AGIX deployed on anvil, a network "snetdev" pointed
at them, and a vault account "staker" holding 1,000 AGIX and gas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wallet.devnet.snet import AGIX

PUBLISHED = Path(__file__).resolve().parent.parent / "js" / "node_modules"


def published_artifacts() -> tuple[dict[str, Any], dict[str, Any]]:
    """SingularityNetToken and TokenStake as SingularityNET published them (npm singularitynet-token-contracts
    3.1.0, singularitynet-stake-contracts 1.0.4: each an abi and a bytecode file)."""
    out = []
    for package, name in (("singularitynet-token-contracts", "SingularityNetToken"),
                          ("singularitynet-stake-contracts", "TokenStake")):
        folder = PUBLISHED / package
        if not folder.is_dir():
            pytest.fail(f"npm {package} is missing: run `make setup` (npm ci in tests/js)")
        out.append({"abi": json.loads((folder / "abi" / f"{name}.json").read_text()),
                    "bytecode": json.loads((folder / "bytecode" / f"{name}.json").read_text())})
    return out[0], out[1]


STAKER_KEY = "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"
NET = "snetdev"


@pytest.fixture
def snet(request, anvil, cli, env_passphrase):  # type: ignore[no-untyped-def]
    """Parametrize with "published" (indirect) for SingularityNET's own builds instead of devnet/contracts."""
    from wallet import networks
    from wallet.devnet.snet import deploy_snet, mint

    published = getattr(request, "param", "") == "published"
    dep = deploy_snet(anvil, published=published_artifacts() if published else None)
    if published:  # the published TokenStake, which has the migration window the devnet's lacks
        from wallet.devnet.deploy import call
        from wallet.devnet.snet import MAX_MIGRATION_BLOCKS

        assert call(anvil, dep.stake, "maxMigrationBlocks()") == MAX_MIGRATION_BLOCKS
    networks.set_user_table(NET, {
        "family": "evm", "name": "SNET devnet", "chain_id": dep.chain_id, "rpc": [anvil.url], "block_time": 1,
        "confirmations": 0, "adapter": "snet_stake", "denom": {"symbol": "ETH", "base": "wei", "decimals": 18},
        "extra": {"stake_contract": dep.stake, "token": dep.token, "start_block": dep.deploy_block}})
    r = cli("keys", "import", "staker", "--private-key", "--json", stdin=STAKER_KEY + "\n")
    assert r.code == 0, r.err
    addr = r.json()["addresses"]["evm"]
    anvil.rpc("anvil_setBalance", addr, hex(10 * 10**18))
    mint(anvil, dep, addr, 1_000 * AGIX)
    return dep, addr


def stake_info(anvil: Any, dep: Any, idx: int, addr: str) -> tuple[Any, ...]:
    """getStakeInfo(idx, addr): (found, approved, pending, rewardComputeIndex, claimable)."""
    from wallet.devnet.deploy import call

    return tuple(call(anvil, dep.stake, "getStakeInfo(uint256,address)", idx, addr,
                      returns=("bool", "uint256", "uint256", "uint256", "uint256")))


def agix(anvil: Any, dep: Any, addr: str) -> int:
    from wallet.devnet.deploy import call

    return int(call(anvil, dep.token, "balanceOf(address)", addr))
