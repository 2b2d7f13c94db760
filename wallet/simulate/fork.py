"""A throw-away anvil forked from a real node: loopback only, its own process group, a bounded life,
no state on disk (its HOME is a temporary folder removed at stop), stopped whatever happens."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from wallet.errors import ActionRefused, PolisError

log = logging.getLogger("polis.simulate")

DEFAULT_LIFETIME = 300.0
"""Seconds after which the fork is killed even if the simulation is still running."""
STATES_IN_MEMORY = 512
"""Historical block states the fork keeps (in memory only): enough for every read "before" the actions."""


class SimulationTimeout(PolisError):
    """The simulation did not finish within its deadline (the fork was stopped)."""

    exit_code = 1


class Fork:
    """`with Fork(rpc_url, block, chain_id) as fork:` → `fork.client` speaks to the forked chain.

    The fork's own transactions never leave it: anvil only *reads* state from `rpc_url`
    (eth_getBlockByNumber, eth_getCode, eth_getStorageAt, eth_getBalance …)."""

    def __init__(self, rpc_url: str, block: int, chain_id: int, *, lifetime: float = DEFAULT_LIFETIME,
                 request_timeout: float = 30.0) -> None:
        self.rpc_url = rpc_url
        self.block = block
        self.chain_id = chain_id
        self.lifetime = lifetime
        self.request_timeout = request_timeout
        self.started_at = 0.0
        self._home: Path | None = None
        self._timer: threading.Timer | None = None
        self._old_term: Any = None
        self._anvil: Any = None
        self._relay: Any = None
        self.expired = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Fork:
        from wallet.devnet import DevnetError
        from wallet.devnet.anvil import Anvil, RpcClient, free_port, no_disk_state_args
        from wallet.simulate.relay import Relay

        self._home = Path(tempfile.mkdtemp(prefix="polis-fork-"))
        self._relay = Relay(self.rpc_url, timeout=self.request_timeout).start()
        args = ["--fork-url", self._relay.url, "--fork-block-number", str(self.block),
                "--timeout", str(int(self.request_timeout * 1000)), "--retries", "2",
                "--block-base-fee-per-gas", "0", "--disable-min-priority-fee", "--silent",
                *no_disk_state_args(STATES_IN_MEMORY, fork=True)]
        # A bare environment (no POLIS_PASSPHRASE or other secrets); anvil's ~/.foundry goes to the
        # temporary folder, whatever the flags leave out.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self._home), "LANG": "C.UTF-8"}
        # One start attempt on a port of our own (the runner's retries would outlive the deadline).
        anvil = Anvil(port=free_port(), chain_id=self.chain_id, gas_limit=0, extra_args=args, env=env)
        self._anvil = anvil
        self._install_term_handler()
        self._timer = threading.Timer(self.lifetime, self._expire)  # the start counts too
        self._timer.daemon = True
        self._timer.start()
        try:
            anvil.start()
        except DevnetError as exc:
            expired = self.expired
            self.stop()
            if expired:
                raise SimulationTimeout(f"the fork did not start within {self.lifetime:.0f} s (a slow node?)",
                                        hint="a longer --timeout, or --rpc with a faster node") from None
            from wallet.urls import redact, redact_text

            raise ActionRefused(f"anvil cannot fork {redact(self.rpc_url)} at block {self.block}: "
                                f"{redact_text(_reason(str(exc)))}",
                                hint="the node must serve state at that block (an archive node for old "
                                     "blocks); try --block with a recent block or --rpc with another node") from None
        except BaseException:
            self.stop()
            raise
        anvil.client = RpcClient(anvil.url, timeout=self.request_timeout + 5)
        self.started_at = time.monotonic()
        return self

    def _expire(self) -> None:
        """Kill the fork's process group from the timer thread; the caller's next call (or the start
        loop) sees it gone and `stop` cleans up in the caller's thread."""
        log.warning("simulation fork reached its %.0f s lifetime: stopping it", self.lifetime)
        self.expired = True
        anvil = self._anvil
        proc = anvil.process if anvil is not None else None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    def _stop_process(self) -> None:
        anvil, self._anvil = self._anvil, None
        if anvil is not None:
            log_path = anvil.log_path
            anvil.stop()
            if log_path is not None:
                log_path.unlink(missing_ok=True)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._stop_process()
        if self._relay is not None:
            self._relay.stop()
            self._relay = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None
        self._restore_term_handler()

    def _install_term_handler(self) -> None:
        """SIGTERM to Polis stops the fork too (Ctrl-C is a KeyboardInterrupt, which `stop` handles)."""
        if threading.current_thread() is not threading.main_thread():
            return

        def on_term(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(128 + signum)

        self._old_term = signal.signal(signal.SIGTERM, on_term)

    def _restore_term_handler(self) -> None:
        if self._old_term is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._old_term)
            self._old_term = None

    def __enter__(self) -> Fork:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------------ rpc
    @property
    def url(self) -> str:
        return str(self._anvil.url) if self._anvil else ""

    @property
    def pid(self) -> int | None:
        anvil = self._anvil
        return anvil.process.pid if anvil is not None and anvil.process is not None else None

    def rpc(self, method: str, *params: Any) -> Any:
        if self.expired:
            raise SimulationTimeout(f"the simulation did not finish within {self.lifetime:.0f} s")
        if self._anvil is None:
            raise SimulationTimeout("the simulation fork was stopped: it reached its lifetime"
                                    if self.expired else "the simulation fork is not running")
        try:
            return self._anvil.client.rpc(method, *params)
        except Exception as exc:
            if self.expired or self._anvil is None:
                raise SimulationTimeout(f"the simulation did not finish within {self.lifetime:.0f} s") from None
            if _is_http_error(exc):
                raise SimulationTimeout(f"the fork did not answer {method}: {type(exc).__name__}") from None
            raise

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Results in order; a failed item is its RpcError instance."""
        if self.expired:
            raise SimulationTimeout(f"the simulation did not finish within {self.lifetime:.0f} s")
        if self._anvil is None:
            raise SimulationTimeout("the simulation fork is not running")
        try:
            return list(self._anvil.client.batch(calls, raise_on_error=False))
        except Exception as exc:
            if _is_http_error(exc) or self._anvil is None:
                raise SimulationTimeout(f"the fork did not answer a batch: {type(exc).__name__}") from None
            raise


def _is_http_error(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.HTTPError)


def _reason(text: str) -> str:
    """The useful line of anvil's start-up failure output."""
    text = text.split(" s: ", 1)[1] if text.startswith("anvil did not start within") else text
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for ln in lines:
        low = ln.lower()
        if "error" in low or "failed" in low or "missing" in low or "not found" in low:
            return ln[:300]
    return (lines[-1] if lines else text)[:300]
