"""`polis proposals simulate`: a second anvil forks the devnet anvil and runs real proposals' actions."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.plugins.simulate import RECIPIENT, add_source, deploy_funded, scenario


@contextmanager
def slow_relay(upstream: str, pause: Callable[[], object]) -> Iterator[str]:
    """A node in front of `upstream` that calls `pause()` before relaying each request; yields its URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, *_a: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            pause()
            try:  # the fork may be gone by now (that is the point): no noise then
                reply = httpx.post(upstream, content=body, headers={"content-type": "application/json"})
                self.send_response(reply.status_code)
                self.send_header("content-length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)
            except (OSError, httpx.HTTPError):
                self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

pytestmark = pytest.mark.anvil

KINDS = ["oz", "oz_direct", "bravo", "alpha", "oz_fractional", "oz_late_quorum"]


def _simulate(cli: Any, ref: str, *extra: str) -> tuple[int, dict[str, Any]]:
    r = cli("proposals", "simulate", ref, "--json", *extra)
    assert r.code in (0, 1), r.err + r.out
    return r.code, r.json()


def _change(report: dict[str, Any], address: str, asset: str) -> int:
    got = [int(c["delta"]) for c in report["balance_changes"]
           if c["address"].lower() == address.lower() and c["asset"].lower() == asset.lower()]
    return got[0] if got else 0


@pytest.mark.parametrize("kind", KINDS)
def test_simulation_of_every_governor_kind(cli, anvil, kind: str) -> None:
    dep, src, paid, bad = scenario(anvil, kind, f"sim-{kind.replace('_', '-')}")
    assert cli("sync", src, "--json").code == 0
    unit = 10**dep.token_decimals
    treasury_before = int(anvil.rpc("eth_getBalance", dep.treasury, "latest"), 16)

    code, rep = _simulate(cli, f"{src}:{paid}")
    assert code == 0 and rep["ok"] and rep["succeeded"] == rep["total"] == 3
    assert rep["actions_verified"] is True
    assert rep["path"] == "governor", rep["notes"]
    assert rep["executor"].lower() == (dep.timelock or dep.governor).lower()
    # balances, exact, in base units and in the token's units
    assert _change(rep, dep.treasury, dep.token) == -4_000 * unit
    assert _change(rep, RECIPIENT, dep.token) == 4_000 * unit
    assert _change(rep, dep.treasury, "native") == -10**18
    assert _change(rep, RECIPIENT, "native") == 10**18
    shown = {c["display"] for c in rep["balance_changes"]}
    assert {"-4,000 PDT", "+4,000 PDT", "-1 ETH", "+1 ETH"} <= shown
    assert "treasury −4,000 PDT" in rep["summary"] and rep["summary"].startswith("3/3 actions succeed")
    transfer = next(e for e in rep["events"] if e.get("name") == "Transfer")
    assert transfer["symbol"] == "PDT" and transfer["decimals"] == dep.token_decimals
    assert transfer["args"]["to"] == RECIPIENT and transfer["display"] == "4,000 PDT"
    assert all(a["gas_used"] is not None and a["status"] == "success" for a in rep["actions"])
    # the governor setting, before and after
    settings = {s["name"]: s for s in rep["settings"]}
    if kind == "alpha":  # GovernorAlpha has no setters: the settings are read and unchanged
        assert settings["quorum votes"]["before"] == settings["quorum votes"]["after"]
        assert not any(s["changed"] for s in rep["settings"])
    else:
        assert (settings["voting delay"]["before"], settings["voting delay"]["after"]) == ("1", "7")
        assert any(e.get("name") == "VotingDelaySet" for e in rep["events"])
    if dep.timelock:
        assert settings["timelock delay"]["before"] == settings["timelock delay"]["after"] == "60"
    # the real chain did not move
    assert int(anvil.rpc("eth_getBalance", dep.treasury, "latest"), 16) == treasury_before

    code, rep = _simulate(cli, f"{src}:{bad}")
    assert code == 1 and not rep["ok"] and rep["path"] == "executor"
    assert [a["status"] for a in rep["actions"]] == ["success", "reverted", "not_run"]
    revert = rep["actions"][1]["revert"]
    assert revert["kind"] == "custom" and revert["reason"].startswith("ERC20InsufficientBalance(")
    assert revert["selector"] == "0xe450d38c"
    assert "action 2 reverts" in rep["summary"] and rep["summary"].startswith("1/3 actions succeed")


def test_simulation_on_a_timestamp_clock_governor(cli) -> None:
    """An ERC-6372 timestamp governor (a one-day voting period, in seconds): the passed proposal runs through
    queue and execute on the fork, the open one from the executor. Its own anvil: the test moves the chain's
    time a day ahead, which the session's shared node must not see."""
    from wallet.devnet.anvil import Anvil

    with Anvil() as node:
        dep, src, paid, bad = scenario(node, "oz_timestamp", "sim-ts")
        assert dep.is_timestamp and dep.voting_period == 86_400
        assert cli("sync", src, "--json").code == 0
        code, rep = _simulate(cli, f"{src}:{paid}")
        assert code == 0 and rep["ok"] and rep["succeeded"] == rep["total"] == 3, rep
        assert rep["path"] == "governor" and rep["actions_verified"] is True, rep["notes"]
        assert any("past the timelock's eta" in n for n in rep["notes"]), rep["notes"]
        assert _change(rep, dep.treasury, dep.token) == -4_000 * 10**dep.token_decimals
        assert _change(rep, RECIPIENT, "native") == 10**18
        settings = {s["name"]: s for s in rep["settings"]}
        assert (settings["voting delay"]["before"], settings["voting delay"]["after"]) == ("1", "7")

        code, rep = _simulate(cli, f"{src}:{bad}")
        assert code == 1 and rep["path"] == "executor"
        assert [a["status"] for a in rep["actions"]] == ["success", "reverted", "not_run"]
        assert rep["actions"][1]["revert"]["reason"].startswith("ERC20InsufficientBalance(")


def test_report_text_and_archive_offline(cli, tmp_path) -> None:
    """Its own devnet, stopped before the archived report is shown."""
    from wallet.devnet.anvil import Anvil

    node = Anvil().start()
    try:
        dep, src, paid, _bad = scenario(node, "oz", "offline")
        assert cli("sync", src, "--json").code == 0
        r = cli("proposals", "simulate", f"{src}:{paid}")
        assert r.code == 0, r.err
        assert "3/3 actions succeed · treasury −1 ETH · treasury −4,000 PDT · voting delay 1 → 7" in r.out
        assert "voting delay         1 → 7   changed" in r.out and "Transfer 4,000 PDT" in r.out
        assert "[ok] PDT.transfer(" in r.out
    finally:
        node.stop()
    shown = cli("proposals", "show", f"{src}:{paid}")
    assert shown.code == 0, shown.err
    assert "simulated at block" in shown.out
    assert "3/3 actions succeed · treasury −1 ETH · treasury −4,000 PDT" in shown.out
    doc = cli("proposals", "show", f"{src}:{paid}", "--json").json()
    assert doc["simulation"]["ok"] and doc["simulation"]["path"] == "governor"
    # a new simulation replaces the old one (one row per proposal)
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        assert ar.conn.execute("SELECT count(*) FROM simulations").fetchone()[0] == 1


def test_fork_at_block_and_refusals(cli, anvil) -> None:
    dep, src, paid, _bad = scenario(anvil, "bravo", "sim-refuse")
    assert cli("sync", src, "--json").code == 0
    head = int(anvil.rpc("eth_blockNumber"), 16)
    code, first = _simulate(cli, f"{src}:{paid}")  # the node's safe block
    assert code == 0 and first["block"] < head
    code, rep = _simulate(cli, f"{src}:{paid}", "--block", str(head))
    assert code == 0 and rep["block"] == head and rep["path"] == "governor"
    shown = cli("proposals", "show", f"{src}:{paid}", "--json").json()["simulation"]
    assert shown["block"] == head and shown["head_hash"] == rep["head_hash"]  # the new one replaced the old
    assert rep["head_hash"] == anvil.rpc("eth_getBlockByNumber", hex(head), False)["hash"]
    r = cli("proposals", "simulate", f"{src}:{paid}", "--block", str(head + 1000))
    assert r.code == 2 and "not between" in r.err
    r = cli("proposals", "simulate", f"{src}:{paid}", "--rpc", "http://127.0.0.1:9")
    assert r.code == 4, r.err


def test_refuses_a_node_without_the_state(cli) -> None:
    """A node that keeps no historical state cannot be forked at an older block: a clear refusal."""
    from wallet.devnet.anvil import Anvil, no_disk_state_args

    node = Anvil(extra_args=no_disk_state_args()).start()
    try:
        dep, src, paid, _bad = scenario(node, "oz", "pruned")
        assert cli("sync", src, "--json").code == 0
        r = cli("proposals", "simulate", f"{src}:{paid}", "--block", str(dep.deploy_block + 1))
        assert r.code == 1, r.out + r.err
        assert "cannot" in r.err and "state" in r.err, r.err
    finally:
        node.stop()


def test_fork_lifetime_and_cleanup(anvil) -> None:
    from wallet.simulate.fork import Fork, SimulationTimeout

    started = time.monotonic()
    fork = Fork(anvil.url, int(anvil.rpc("eth_blockNumber"), 16), 31337, lifetime=5.0).start()
    try:
        pid, home = fork.pid, fork._home
        assert pid and home and home.is_dir()
        assert int(fork.rpc("eth_blockNumber"), 16) >= 0
        time.sleep(max(0.0, started + 5.5 - time.monotonic()))  # the lifetime counts from before the start
        with pytest.raises(SimulationTimeout):
            fork.rpc("eth_blockNumber")
    finally:
        fork.stop()
    assert not home.exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)


def test_never_reads_the_vault_or_sends_to_the_node(cli, anvil, monkeypatch) -> None:
    import wallet.keys.vault as vault

    dep, src, paid, _bad = scenario(anvil, "oz_direct", "sim-safe")
    assert cli("sync", src, "--json").code == 0
    nonce_before = anvil.rpc("eth_getTransactionCount", dep.admin, "latest")
    head_before = int(anvil.rpc("eth_blockNumber"), 16)

    def forbidden(*_a: Any, **_k: Any) -> None:
        raise AssertionError("the simulation opened the vault")

    monkeypatch.setattr(vault.Vault, "__init__", forbidden)
    code, rep = _simulate(cli, f"{src}:{paid}")
    assert code == 0 and rep["ok"] and rep["path"] == "governor"
    assert int(anvil.rpc("eth_blockNumber"), 16) == head_before  # nothing was mined on the real node
    assert anvil.rpc("eth_getTransactionCount", dep.admin, "latest") == nonce_before


READ_METHODS = {"eth_chainId", "net_version", "eth_blockNumber", "eth_getBlockByNumber", "eth_getBlockByHash",
                "eth_call", "eth_getCode", "eth_getBalance", "eth_getStorageAt", "eth_getTransactionCount",
                "eth_getProof", "eth_gasPrice", "eth_feeHistory", "eth_getAccount", "eth_getAccountInfo",
                "web3_clientVersion", "anvil_nodeInfo", "eth_getTransactionReceipt", "eth_getTransactionByHash",
                "eth_getLogs"}


def test_the_real_node_only_answers_reads(cli, anvil) -> None:
    """Every JSON-RPC method that reaches the forked node, from Polis and from the fork, is a read."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    from wallet import networks

    dep, src, paid, bad = scenario(anvil, "oz", "sim-proxy")
    assert cli("sync", src, "--json").code == 0
    seen: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def log_message(self, *_a: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            doc = json.loads(body)
            seen.extend(c.get("method", "") for c in (doc if isinstance(doc, list) else [doc]))
            reply = httpx.post(anvil.url, content=body, headers={"content-type": "application/json"})
            self.send_response(reply.status_code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(reply.content)))
            self.end_headers()
            self.wfile.write(reply.content)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        networks.set_user_table("devnet", {"rpc": [f"http://127.0.0.1:{server.server_address[1]}"]})
        for pid in (paid, bad):
            code, rep = _simulate(cli, f"{src}:{pid}")
            assert rep["total"] == 3
    finally:
        server.shutdown()
        server.server_close()
    assert seen and set(seen) <= READ_METHODS, sorted(set(seen) - READ_METHODS)
    assert "eth_getStorageAt" in seen or "eth_getCode" in seen  # the fork did read its state through the proxy


@pytest.mark.parametrize("kind", ["oz", "bravo"])
def test_altered_archive_actions_are_flagged(cli, anvil, kind: str) -> None:
    import json

    from wallet.cache import open_archive

    dep, src, paid, _bad = scenario(anvil, kind, f"sim-tamper-{kind}")
    assert cli("sync", src, "--json").code == 0
    with open_archive() as ar:
        actions = json.loads(ar.conn.execute("SELECT actions FROM proposals WHERE source=? AND id=?",
                                             (src, paid)).fetchone()[0])
        actions[1]["value"] = str(3 * 10**18)  # the archive now says 3 ETH instead of 1
        with ar.conn:
            ar.conn.execute("UPDATE proposals SET actions=? WHERE source=? AND id=?", (json.dumps(actions), src, paid))
    code, rep = _simulate(cli, f"{src}:{paid}")
    assert rep["actions_verified"] is False
    assert any("stale or altered" in n for n in rep["notes"])
    if kind == "oz":  # the OZ governor refuses other actions than the proposal's: run from the executor
        assert rep["path"] == "executor" and _change(rep, dep.treasury, "native") == -3 * 10**18
    else:  # Bravo executes what it stored, whatever the archive says
        assert rep["path"] == "governor" and _change(rep, dep.treasury, "native") == -10**18


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_interrupted_simulation_stops_its_fork(anvil, polis_home, sig: str) -> None:
    """Ctrl-C (or SIGTERM) in the middle of a simulation: the fork's process group is gone, its HOME too."""
    import json
    import signal
    import subprocess
    import sys
    import threading
    from pathlib import Path

    from tests.conftest import run_cli

    dep, src, paid, _bad = scenario(anvil, "oz", f"sim-{sig.lower()}")
    assert run_cli("sync", src, "--json").code == 0

    hold, release = threading.Event(), threading.Event()

    def pause() -> None:  # a slow node: the simulation takes seconds
        time.sleep(0.2)
        if hold.is_set():  # once the fork is seen, the simulation cannot finish before the signal lands
            release.wait(30)

    with slow_relay(anvil.url, pause) as url:
        proc = subprocess.Popen([sys.executable, "-m", "wallet.cli.main", "proposals", "simulate", f"{src}:{paid}",
                                 "--rpc", url, "--json"], env={**os.environ, "POLIS_HOME": str(polis_home)},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            fork_pid, fork_home = None, None
            deadline = time.monotonic() + 30
            while fork_pid is None and time.monotonic() < deadline and proc.poll() is None:
                for entry in Path("/proc").iterdir():
                    if not entry.name.isdigit():
                        continue
                    try:
                        argv = (entry / "cmdline").read_bytes().split(b"\0")
                        environ = (entry / "environ").read_bytes().split(b"\0")
                        ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    except (OSError, ValueError, IndexError):
                        continue
                    if b"--fork-url" in argv and ppid == proc.pid:
                        assert not any(url.encode() in a for a in argv)  # the node's URL stays off the command line
                        assert not any(e.startswith(b"POLIS_") for e in environ)  # nor Polis's environment
                        fork_pid = int(entry.name)
                        home = next((e for e in environ if e.startswith(b"HOME=")), b"HOME=")[5:]
                        fork_home = Path(home.decode())
                        break
                time.sleep(0.02)
            assert fork_pid is not None, proc.stderr.read().decode() if proc.poll() is not None else "no fork seen"
            hold.set()
            proc.send_signal(getattr(signal, sig))
            proc.wait(timeout=30)
            assert proc.returncode != 0
            out = proc.stdout.read().decode()
            if out.strip():
                assert "error" in json.loads(out)
            with pytest.raises(ProcessLookupError):
                os.kill(fork_pid, 0)
            assert fork_home is not None and not fork_home.exists()
        finally:
            release.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_relay_passes_reads_and_refuses_writes(anvil) -> None:
    import httpx

    from wallet.simulate.relay import Relay

    before = anvil.rpc("eth_blockNumber")
    with Relay(anvil.url) as relay:
        ok = httpx.post(relay.url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}).json()
        assert ok["result"] == before
        batch = [{"jsonrpc": "2.0", "id": 2, "method": "eth_chainId", "params": []},
                 {"jsonrpc": "2.0", "id": 3, "method": "evm_mine", "params": []}]
        got = httpx.post(relay.url, json=batch).json()
        assert all(item["error"]["code"] == -32601 for item in got)
        one = httpx.post(relay.url, json={"jsonrpc": "2.0", "id": 4, "method": "eth_sendRawTransaction",
                                          "params": ["0x00"]}).json()
        assert one["error"]["code"] == -32601 and relay.refused == ["evm_mine", "eth_sendRawTransaction"]
    assert anvil.rpc("eth_blockNumber") == before


@pytest.mark.parametrize("kind", ["oz", "bravo"])
def test_passed_proposal_that_reverts_through_the_governor(cli, anvil, kind: str) -> None:
    """The governor path finds the failing action in the call trace of execute()."""
    from wallet.devnet.proposals import Call, pass_vote, propose

    dep = deploy_funded(anvil, kind)
    unit = 10**dep.token_decimals
    pid = propose(anvil, dep, [Call(dep.token, "transfer(address,uint256)", (RECIPIENT, 5 * unit)),
                               Call(dep.token, "transfer(address,uint256)", (RECIPIENT, 10**12 * unit)),
                               Call(RECIPIENT, "", (), 1)], f"# Passed but broken ({kind})\nreverts when executed")
    pass_vote(anvil, dep, pid)
    anvil.rpc("anvil_mine", hex(40))
    src = add_source(anvil, dep, f"sim-broken-{kind}")
    assert cli("sync", src, "--json").code == 0
    code, rep = _simulate(cli, f"{src}:{pid}")
    assert code == 1 and rep["path"] == "governor", rep["notes"]
    assert [a["status"] for a in rep["actions"]] == ["success", "reverted", "not_run"]
    assert rep["actions"][1]["revert"]["reason"].startswith("ERC20InsufficientBalance(")
    assert "executed through the governor (the transaction reverts)" in rep["notes"]


@pytest.mark.parametrize("delay", [0.6])
def test_a_slow_node_times_out_cleanly(cli, anvil, monkeypatch, delay: float) -> None:
    """--timeout bounds the whole simulation, anvil's start included: a clear error, nothing left."""
    from pathlib import Path

    dep, src, paid, _bad = scenario(anvil, "oz", "sim-slow")
    assert cli("sync", src, "--json").code == 0
    slow = {"on": False}
    with slow_relay(anvil.url, lambda: slow["on"] and time.sleep(delay)) as url:
        import tempfile

        import wallet.simulate.fork as fork_module

        made: list[str] = []
        real_mkdtemp = tempfile.mkdtemp

        def mkdtemp(**kw: Any) -> str:
            made.append(real_mkdtemp(**kw))
            return made[-1]

        monkeypatch.setattr(fork_module.tempfile, "mkdtemp", mkdtemp)
        slow["on"] = True
        t = time.monotonic()
        r = cli("proposals", "simulate", f"{src}:{paid}", "--rpc", url, "--timeout", "5")
        took = time.monotonic() - t
    assert r.code == 1, r.out + r.err
    assert "within 5 s" in r.err, r.err
    assert took < 5 + 3 * delay + 10  # the deadline, the node's last answer, the stop
    assert made and not any(Path(d).exists() for d in made)  # the fork's HOME is gone


def test_refuses_what_it_cannot_simulate(cli, anvil) -> None:
    """Not an EVM Governor (a Cosmos proposal), or no actions: a one-line refusal, exit 2, nothing started."""
    import json

    from wallet.cache import open_archive, store

    dep, src, paid, _bad = scenario(anvil, "oz", "sim-nothing")
    assert cli("sync", src, "--json").code == 0
    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, "akash", network="akash", protocol="cosmos")
        store.upsert_proposal(ar, "akash", "341", {"title": "Community pool spend", "status": "active",
                                                    "actions": [{"target": "akash1…", "value": "0"}]})
        ar.conn.execute("UPDATE proposals SET actions=? WHERE source=? AND id=?", (json.dumps([]), src, paid))
    r = cli("proposals", "simulate", "akash:341")
    assert r.code == 2 and "EVM Governor" in r.err, r.err
    r = cli("proposals", "simulate", f"{src}:{paid}", "--json")
    assert r.code == 2 and "no actions" in r.json()["error"]["message"]
