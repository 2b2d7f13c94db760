"""Start and stop a local anvil, and talk raw JSON-RPC to it (single calls and batches)."""

from __future__ import annotations

import atexit
import os
import platform
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from wallet.devnet import DevnetError, devnet_dir

START_TIMEOUT = 20.0
STATES_IN_MEMORY = 512
"""Historical block states anvil keeps, in memory (calls at older blocks fail): none on disk."""


class RpcError(DevnetError):
    """The node answered a JSON-RPC call with an error object."""

    def __init__(self, method: str, error: dict[str, Any]) -> None:
        self.method = method
        self.code = error.get("code")
        self.data = error.get("data")
        self.rpc_message = str(error.get("message", ""))
        super().__init__(f"{method} failed: {self.rpc_message} (code {self.code})")


class RpcClient:
    """Minimal JSON-RPC client over one keep-alive httpx connection pool."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url = url
        self._timeout = timeout
        self._client: Any = None
        self._next_id = 0

    def _http(self) -> Any:  # an httpx.Client, imported on first use
        if self._client is None:
            import httpx

            # A loopback node needs no CA bundle (loading it costs ~0.1 s a client).
            self._client = httpx.Client(timeout=self._timeout, verify=self.url.lower().startswith("https:"))
        return self._client

    def rpc(self, method: str, *params: Any) -> Any:
        """Call `method` with positional `params`; return its result or raise RpcError."""
        self._next_id += 1
        body = {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": list(params)}
        reply = self._http().post(self.url, json=body)
        reply.raise_for_status()
        data = reply.json()
        if data.get("error") is not None:
            raise RpcError(method, data["error"])
        return data.get("result")

    def batch(self, calls: Iterable[tuple[str, Sequence[Any]]], *, raise_on_error: bool = True) -> list[Any]:
        """Send one JSON-RPC batch; return results in call order.

        With raise_on_error=False an item that failed is returned as its RpcError instead.
        """
        calls = list(calls)
        if not calls:
            return []
        base = self._next_id + 1
        self._next_id += len(calls)
        body = [
            {"jsonrpc": "2.0", "id": base + i, "method": m, "params": list(p)} for i, (m, p) in enumerate(calls)
        ]
        reply = self._http().post(self.url, json=body)
        reply.raise_for_status()
        data = reply.json()
        if isinstance(data, dict):  # a batch-level error
            raise RpcError("batch", data.get("error") or {"message": str(data)})
        by_id = {item.get("id"): item for item in data}
        results: list[Any] = []
        for i, (method, _) in enumerate(calls):
            item = by_id.get(base + i)
            if item is None:
                err: Any = RpcError(method, {"message": "no answer in batch"})
            elif item.get("error") is not None:
                err = RpcError(method, item["error"])
            else:
                results.append(item.get("result"))
                continue
            if raise_on_error:
                raise err
            results.append(err)
        return results

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


_url_clients: dict[str, RpcClient] = {}


def as_client(rpc: Anvil | RpcClient | str) -> RpcClient:
    """Accept an Anvil, an RpcClient or a URL."""
    if isinstance(rpc, Anvil):
        return rpc.client
    if isinstance(rpc, RpcClient):
        return rpc
    if isinstance(rpc, str):
        client = _url_clients.get(rpc)
        if client is None:
            client = _url_clients[rpc] = RpcClient(rpc)
        return client
    raise TypeError(f"expected Anvil, RpcClient or URL, got {type(rpc).__name__}")


def anvil_binary() -> Path:
    """The anvil executable: `$POLIS_ANVIL`, else the npm package in devnet/, else PATH."""
    env = os.environ.get("POLIS_ANVIL")
    if env:
        return Path(env)
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), "linux")
    arch = {"x86_64": "amd64", "AMD64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine(), "amd64"
    )
    exe = "anvil.exe" if system == "win32" else "anvil"
    candidate = devnet_dir() / "node_modules" / "@foundry-rs" / f"anvil-{system}-{arch}" / "bin" / exe
    if candidate.is_file():
        return candidate
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise DevnetError(f"anvil not found at {candidate}", hint=f"run `npm ci` in {devnet_dir()}")


def no_disk_state_args(states_in_memory: int | None = None, *, fork: bool = False) -> list[str]:
    """anvil flags that keep its state in memory only: without them anvil persists old block states
    under ~/.foundry/anvil/tmp and (`fork`) a fork's RPC cache under ~/.foundry/cache/rpc.
    `states_in_memory` bounds the historical states kept (None: none; calls at older blocks then fail)."""
    prune = ["--prune-history"] + ([str(states_in_memory)] if states_in_memory else [])
    return prune + (["--no-storage-caching"] if fork else [])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Anvil:
    """A local anvil process on a loopback port. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        port: int | None = None,
        chain_id: int = 31337,
        block_time: float | None = None,
        gas_limit: int = 1_000_000_000,
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        """`gas_limit` 0 keeps anvil's own (a fork's: the forked chain's); `env` replaces the process's."""
        self._requested_port = port
        self.env = env
        self.port: int = port or 0
        self.chain_id = chain_id
        self.block_time = block_time
        self.gas_limit = gas_limit
        self.extra_args = list(extra_args)
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self.run_dir: Path | None = None
        """The folder Polis owns for this anvil (wallet/devnet/rundir.py)."""
        self.url = ""
        self.client = RpcClient("")

    # -------------------------------------------------------------- lifecycle

    def _command(self, port: int) -> list[str]:
        args = [
            str(anvil_binary()),
            "--host", "127.0.0.1",
            "--port", str(port),
            "--chain-id", str(self.chain_id),
            "--order", "fifo",
        ]  # fmt: skip
        if self.gas_limit:
            args += ["--gas-limit", str(self.gas_limit)]
        if self.block_time:
            args += ["--block-time", str(self.block_time)]
        if "--prune-history" not in self.extra_args:  # no block states on disk (~/.foundry/anvil/tmp)
            args += no_disk_state_args(STATES_IN_MEMORY)
        return args + self.extra_args

    def start(self) -> Anvil:
        if self.process is not None and self.process.poll() is None:
            return self
        import httpx

        poll = httpx.Client(verify=False)  # loopback only; one client for every poll
        try:
            return self._start(poll)
        finally:
            poll.close()

    def _start(self, poll: Any) -> Anvil:
        import httpx

        last_error = ""
        for _attempt in range(3 if self._requested_port is None else 1):
            port = self._requested_port or free_port()
            from wallet.devnet import rundir

            self.run_dir = rundir.create(port)  # the log and anvil's HOME, removed at stop
            self.log_path = self.run_dir / "anvil.log"
            env = {**(self.env if self.env is not None else os.environ), "HOME": str(self.run_dir / "home")}
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    self._command(port),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    env=env,
                )
            rundir.write_owner(self.run_dir, self.process.pid)
            self.port = port
            self.url = f"http://127.0.0.1:{port}"
            self.client = RpcClient(self.url)
            deadline = time.monotonic() + START_TIMEOUT
            body = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                try:
                    r = poll.post(self.url, json=body, timeout=1.0)
                    if r.status_code == 200 and "result" in r.json():
                        atexit.register(self.stop)
                        return self
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(0.05)
            last_error = self._tail_log()
            self.stop()
        raise DevnetError(f"anvil did not start within {START_TIMEOUT:.0f} s: {last_error}")

    def _tail_log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:].strip() if self.log_path else ""
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate anvil's whole process group: SIGTERM, then SIGKILL after 5 s; remove its log file."""
        proc, self.process = self.process, None
        self.client.close()
        if proc is None:
            return
        try:
            self._terminate(proc)
        finally:
            from wallet.devnet import rundir

            rundir.remove(self.run_dir)
            self.run_dir = None

    def _terminate(self, proc: subprocess.Popen) -> None:
        try:
            atexit.unregister(self.stop)
        except Exception:  # pragma: no cover
            pass
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
        else:
            # The leader exited; make sure nothing it spawned lingers in its group.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------- rpc

    def rpc(self, method: str, *params: Any) -> Any:
        """Raw JSON-RPC call; raises RpcError on an error answer."""
        return self.client.rpc(method, *params)

    def batch(self, calls: Iterable[tuple[str, Sequence[Any]]], *, raise_on_error: bool = True) -> list[Any]:
        return self.client.batch(calls, raise_on_error=raise_on_error)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"Anvil({self.url or 'not started'}, chain_id={self.chain_id}, {state})"
