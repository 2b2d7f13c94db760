"""Reusable pytest fixtures for the anvil devnet. Import into conftest.py with
`from tests.plugins.devnet import *` (or list "tests.plugins.devnet" in pytest_plugins).

- `compiled` (session): the compiled artifacts; fails (never skips) when devnet/node_modules is missing.
- `anvil` (session): a fresh anvil on a free loopback port, stopped at the end of the session.
  With pytest-xdist every worker gets its own.
- `dao` (function): factory `dao(kind="oz", **deploy_kwargs) -> DaoDeployment`, a fresh DAO.
- `seeded_dao` (function): factory `seeded_dao(kind="oz", n_voters=40, deploy=None, **seed_kwargs)
  -> (DaoDeployment, SeedReport)`, a fresh DAO with one proposal in every state.

All DAOs of a session share one chain: seeding moves its clock (a Bravo seed jumps ~11 minutes
to reach Expired; OZ seeds ~1 minute to pass the timelock delay).
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["compiled", "anvil", "dao", "seeded_dao"]


@pytest.fixture(scope="session")
def compiled():
    from wallet.devnet import DevnetError
    from wallet.devnet.compile import compile_contracts

    try:
        return compile_contracts()
    except DevnetError as exc:
        # The EVM tests run against real contracts; a missing toolchain is a failure, not a skip.
        pytest.fail(f"devnet contracts unavailable: {exc} ({exc.hint or ''}); run `make setup`")


@pytest.fixture(scope="session")
def anvil(compiled):
    from wallet.devnet import DevnetError
    from wallet.devnet.anvil import Anvil, anvil_binary

    try:
        anvil_binary()
    except DevnetError as exc:
        pytest.fail(f"anvil unavailable: {exc}; run `make setup`")
    node = Anvil().start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def dao(anvil):
    from wallet.devnet.deploy import deploy_dao

    def make(kind: str = "oz", **deploy_kwargs):
        return deploy_dao(anvil, kind, **deploy_kwargs)

    return make


@pytest.fixture
def seeded_dao(anvil):
    from wallet.devnet.deploy import deploy_dao
    from wallet.devnet.seed import seed_dao

    def make(kind: str = "oz", n_voters: int = 40, deploy: dict | None = None, **seed_kwargs):
        dep = deploy_dao(anvil, kind, **(deploy or {}))
        return dep, seed_dao(anvil, dep, n_voters=n_voters, **seed_kwargs)

    return make


def add_devnet_dao(anvil_url: str, dep: Any, dao_id: str = "test", kind: str | None = None) -> str:
    """Point the devnet network at this anvil and add a DAO; returns the source key."""
    from wallet import networks

    networks.set_user_table("devnet", {"rpc": [anvil_url], "confirmations": 0})
    kind = kind or (dep.kind if dep.kind in ("bravo", "alpha") else "oz")
    adapter = {"alpha": "evm_alpha", "oz_fractional": "evm_fractional"}.get(dep.kind, "evm_governor")
    networks.add_dao("devnet", {"id": dao_id, "name": f"Test {dao_id}", "kind": kind, "adapter": adapter,
                                "governor": dep.governor, "token": dep.token, "token_symbol": "PDT",
                                "token_decimals": getattr(dep, "token_decimals", 18), "start_block": dep.deploy_block},
                     replace=True)
    return f"devnet/{dao_id}"


def synced(cli: Any, src: str) -> dict[str, Any]:
    """`polis sync SRC --json`: exit 0 and no warnings asserted; the source's report."""
    r = cli("sync", src, "--json")
    assert r.code == 0, r.err + r.out
    report = r.json()["reports"][0]
    assert not report["warnings"], report["warnings"]
    return report


def follow_local(cli: Any, url: str, name: str, governor: str, token: str, start_block: int,
                 expect: tuple[str, str, str, int]) -> str:
    """`polis networks add` of a network "local" on the anvil at `url` and of the DAO `local/NAME` on it, by
    its two addresses only; the kind, adapter, token symbol and decimals Polis read from the chain are asserted
    to be `expect`, with no warning. The source's name."""
    r = cli("networks", "add", "local", "--protocol", "evm", "--chain-id", "31337", "--rpc", url,
            "--confirmations", "0", "--symbol", "ETH", "--json")
    assert r.code == 0, r.err + r.out
    r = cli("networks", "add", f"local/{name}", "--governor", governor, "--token", token, "--start-block",
            str(start_block), "--json")
    assert r.code == 0, r.err + r.out
    added = r.json()
    assert (added["kind"], added["adapter"], added["token_symbol"], added["token_decimals"]) == expect, added
    assert not added.get("warnings"), added["warnings"]
    return f"local/{name}"
