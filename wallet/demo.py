"""`polis demo`: a real local devnet (anvil) with seeded DAOs, a demo key with voting power, a synced
archive. Everything lives in its own POLIS_HOME so the user's real vault is never touched."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_ACCOUNT = "demo"
DEMO_PASSPHRASE = "polis-demo-passphrase"
DEMO_TOKENS = 50_000 * 10**18


@dataclass
class DemoEnv:
    home: Path
    url: str
    anvil: Any
    passphrase_file: Path
    address: str
    daos: dict[str, Any] = field(default_factory=dict)
    seeds: dict[str, Any] = field(default_factory=dict)
    lock: Any = None

    def stop(self) -> None:
        try:
            self.anvil.stop()
        finally:
            if self.lock is not None:
                self.lock.release()


def demo_home() -> Path:
    from wallet.paths import data_dir

    return Path(os.environ.get("POLIS_DEMO_HOME") or (data_dir() / "demo"))


def lock_home(home: Path) -> Any:
    """Hold the demo home for this run: a second `polis demo` on the same folder would wipe it under
    the first. The lock file sits beside the folder (which is deleted and re-created)."""
    from wallet.errors import BadInput
    from wallet.paths import FileLock

    lock = FileLock(home.parent / f".{home.name}.lock")
    if not lock.acquire():
        raise BadInput(f"another 'polis demo' (pid {lock.holder()}) is running in {home}; stop it first",
                       hint="or give this one its own folder: POLIS_DEMO_HOME=DIR polis demo")
    return lock


def start_demo(*, port: int | None = None, voters: int = 200, home: Path | None = None,
               say: Callable[[str], None] = lambda s: None) -> DemoEnv:
    from wallet import networks
    from wallet.devnet import source_devnet
    from wallet.devnet.anvil import Anvil
    from wallet.devnet.compile import compile_contracts
    from wallet.devnet.deploy import deploy_dao
    from wallet.devnet.install import ensure_devnet
    from wallet.devnet.seed import fund_and_delegate, seed_dao
    from wallet.keys import derive
    from wallet.keys.vault import Vault
    from wallet.paths import atomic_write
    from wallet.sync import sync_sources

    # An installed Polis unpacks the devnet into the user's data dir (npm ci on the first run); pin
    # that folder before POLIS_HOME moves to the demo's own home below.
    devnet = ensure_devnet(say)
    if source_devnet() is None:
        os.environ["POLIS_DEVNET_DIR"] = str(devnet)
    home = home or demo_home()
    lock = lock_home(home)
    try:
        if home.exists():
            shutil.rmtree(home)
        home.mkdir(parents=True)
    except BaseException:
        lock.release()
        raise
    os.environ["POLIS_HOME"] = str(home)
    for var in ("POLIS_CONFIG_DIR", "POLIS_DATA_DIR"):
        os.environ.pop(var, None)

    try:
        say("compiling the devnet contracts (cached after the first run)…")
        compile_contracts()
        say("starting anvil…")
        from wallet.devnet.clock import seeding_slack, start_args

        node = Anvil(port=port, extra_args=start_args(slack=seeding_slack())).start()  # seeding runs ahead
    except BaseException:
        lock.release()
        raise
    try:
        pass_file = home / "demo-passphrase.txt"
        atomic_write(pass_file, DEMO_PASSPHRASE.encode(), 0o600)
        meta = Vault().add_mnemonic(DEMO_ACCOUNT, derive.generate_mnemonic(12), DEMO_PASSPHRASE, origin="new")
        address = meta.addresses["evm"]
        env = DemoEnv(home=home, url=node.url, anvil=node, passphrase_file=pass_file, address=address, lock=lock)
        networks.set_user_table("devnet", {"rpc": [node.url]})
        # Both DAOs share one chain and seeding mines blocks, so the DAO seeded first gets a voting
        # period long enough to outlast the second one's seeding: both keep an open proposal. Once
        # seeded, the chain mines a block a second on the wall clock: periods in blocks are seconds
        # (Bravo's open proposal closes in ~30 minutes, Polis's in ~30 minutes).
        for dao_id, kind, title, symbol, period in (
                ("bravo", "bravo", "Bravo DAO (GovernorBravo)", "BDT", 3600),
                ("polis", "oz", "Polis DAO (OpenZeppelin Governor)", "PDT", 1800)):
            say(f"deploying and seeding {title}…")
            dep = deploy_dao(node, kind, token_symbol=symbol, token_name=f"{dao_id.title()} DAO Token",
                             voting_period=period)
            fund_and_delegate(node, dep, [address], DEMO_TOKENS)
            env.seeds[dao_id] = seed_dao(node, dep, n_voters=voters)
            env.daos[dao_id] = dep
            networks.add_dao("devnet", {"id": dao_id, "name": title, "kind": kind, "governor": dep.governor,
                                        "token": dep.token, "token_symbol": symbol, "token_decimals": 18,
                                        "start_block": dep.deploy_block}, replace=True)
        from wallet.devnet.clock import follow_wall_clock

        ahead = follow_wall_clock(node, block_time=1)
        if ahead:
            say(f"note: the devnet clock runs {ahead}s ahead of the wall clock")
        say("syncing the archive…")
        outcome = sync_sources(["devnet/polis", "devnet/bravo"])
        if not outcome.ok:
            raise RuntimeError(f"demo sync failed: {outcome.errors}")
        return env
    except BaseException:
        node.stop()
        lock.release()
        raise
