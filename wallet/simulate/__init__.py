"""What a proposal would do if it passed: its actions executed on a local anvil fork of the DAO's node.

`simulate(ref)` is the one entry the CLI (`polis proposals simulate`) and the TUI call. It never reads
the vault and never signs; the real node only answers reads (chain id, the forked block, and the state
anvil fetches). The fork is thrown away afterwards; the report is kept in the archive (`latest`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wallet.errors import ActionRefused, BadInput

if TYPE_CHECKING:
    from wallet.cache.db import Archive

Progress = Callable[[str], None]


def simulate(ref: str, source: str | None = None, *, block: int | None = None, rpc_url: str | None = None,
             progress: Progress | None = None, lifetime: float | None = None, keep: bool = True) -> dict[str, Any]:
    """Simulate the archived proposal `ref` (ID, SOURCE:ID or a unique prefix); return the report and,
    with `keep`, store it as the proposal's latest simulation."""
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive, query

    say = progress or (lambda _msg: None)
    with open_archive(readonly=True) as ar:
        src, pid = query.resolve_proposal(ar, ref, source)
        proposal = query.get_proposal(ar, src, pid)
    adapter = adapter_for(src, rpc_url=rpc_url)
    try:
        if not adapter.SIMULATION:
            raise BadInput(f"{src}: simulation runs EVM Governor proposals only")
        report = _run(adapter, src, pid, proposal, block=block, say=say, lifetime=lifetime)
    finally:
        adapter.close()
    if keep:
        with open_archive() as ar:
            save(ar, report)
    return report


def _run(adapter: Any, src: str, pid: str, proposal: dict[str, Any], *, block: int | None, say: Progress,
         lifetime: float | None) -> dict[str, Any]:
    from wallet.simulate.execute import (
        Action,
        Execution,
        gas_cap,
        run_executor_path,
        try_governor_path,
        verify_actions,
    )
    from wallet.simulate.fork import DEFAULT_LIFETIME, Fork
    from wallet.simulate.report import Context, build

    started = time.monotonic()
    actions = [Action(index=i, target=str(a["target"]), value=int(a.get("value") or 0),
                      signature=str(a.get("signature") or ""), calldata=_hex(a.get("calldata")),
                      summary=str(a.get("summary") or "")) for i, a in enumerate(proposal.get("actions") or [], 1)]
    if not actions:
        raise BadInput(f"proposal {pid} on {src} has no actions to simulate")
    say("checking the node")
    adapter.check_chain()
    fork_block, block_hash, block_time = _pick_block(adapter, block)
    kind = adapter.kind()
    governor = adapter.dao.governor
    say(f"starting anvil forked at block {fork_block:,}")
    with Fork(adapter.rpc_url, fork_block, int(adapter.network.chain_id),
              lifetime=lifetime or DEFAULT_LIFETIME) as fork:
        try:
            code = fork.rpc("eth_getCode", governor, "latest")
        except Exception as exc:
            raise ActionRefused(f"the node cannot serve the state of block {fork_block:,} to the fork: "
                                f"{str(exc)[:200]}", hint="use an archive node (--rpc) or a recent --block") from None
        if not code or code == "0x":
            raise ActionRefused(f"no governor contract at {governor} at block {fork_block:,}")
        executor, timelock = _executor(fork, governor)
        gas = gas_cap(fork)
        verified, check_note = verify_actions(fork, kind=kind, governor=governor, pid=_pid_int(pid),
                                              description=str(proposal.get("body") or ""), actions=actions)
        clean_state = fork.rpc("evm_snapshot")
        say("running the proposal through the governor")
        ex, why = try_governor_path(fork, kind=kind, governor=governor, executor=executor, pid=_pid_int(pid),
                                    description=str(proposal.get("body") or ""), actions=actions, gas=gas)
        if ex is None:
            fork.rpc("evm_revert", clean_state)  # undo a queue/execute that went wrong
            say(f"running {len(actions)} action(s) from the executor")
            ex = Execution(path="executor", runs=run_executor_path(fork, executor, actions, gas),
                           notes=[why] if why else [])
        if check_note:
            ex.notes.insert(0, check_note)
        say("reading balances, events and settings")
        ctx = Context(source=src, proposal_id=pid, title=str(proposal.get("title") or ""), governor=governor,
                      executor=executor, timelock=timelock, dao_token=adapter.dao.token,
                      native_symbol=adapter.network.denom.symbol, native_decimals=adapter.network.denom.decimals,
                      block=fork_block, block_hash=block_hash, block_time=block_time)
        report = build(fork, ctx, actions, ex, elapsed_ms=0)
    report["elapsed_ms"] = int((time.monotonic() - started) * 1000)
    report["simulated_at"] = int(time.time())
    report["kind"] = kind
    report["actions_verified"] = verified
    return report


def _hex(text: Any) -> bytes:
    s = str(text or "0x")
    try:
        return bytes.fromhex(s[2:] if s.startswith("0x") else s)
    except ValueError:
        raise BadInput(f"an archived action has malformed calldata ({s[:20]}…): run 'polis sync'") from None


def _pid_int(pid: str) -> int:
    try:
        return int(pid)
    except ValueError:
        raise BadInput(f"proposal id {pid!r} is not a number") from None


def _pick_block(adapter: Any, block: int | None) -> tuple[int, str, int]:
    """The fork's block: --block, else the node's latest safe block (latest minus the network's
    confirmations when the node knows no "safe" tag). → (number, hash, timestamp)."""
    from wallet.errors import RpcError

    latest = adapter.rpc.call("eth_getBlockByNumber", "latest", False)
    head = int(latest["number"], 16)
    if block is not None:
        if block < 0 or block > head:
            raise BadInput(f"--block {block} is not between 0 and the node's head {head:,}")
        got = adapter.rpc.call("eth_getBlockByNumber", hex(block), False)
    else:
        try:
            got = adapter.rpc.call("eth_getBlockByNumber", "safe", False, retry_errors=False)
        except RpcError:
            got = None
        if not got:
            got = adapter.rpc.call("eth_getBlockByNumber", hex(max(0, head - adapter.network.confirmations)), False)
    if not got:
        raise ActionRefused(f"the node has no block {block if block is not None else 'safe'}")
    return int(got["number"], 16), str(got["hash"]), int(got["timestamp"], 16)


def _executor(fork: Any, governor: str) -> tuple[str, str | None]:
    """The address that runs the actions: the governor's timelock when it has one, else the governor."""
    from wallet.simulate.decode import checksum
    from wallet.simulate.execute import selector

    try:
        raw = bytes.fromhex(str(fork.rpc("eth_call", {"to": governor, "data": "0x" + selector("timelock()").hex()},
                                         "latest"))[2:])
    except Exception:
        raw = b""
    if len(raw) >= 32 and int.from_bytes(raw[:32], "big") and int.from_bytes(raw[:12], "big") == 0:
        timelock = checksum(raw[:32])
        code = fork.rpc("eth_getCode", timelock, "latest")
        if code and code != "0x":
            return timelock, timelock
    return governor, None


# ------------------------------------------------------------------------------------ archive

def save(ar: Archive, report: dict[str, Any]) -> None:
    with ar.conn:
        ar.conn.execute(
            "INSERT OR REPLACE INTO simulations (source, proposal_id, created, block, head_hash, path, ok, summary, "
            "report) VALUES (?,?,?,?,?,?,?,?,?)",
            (report["source"], report["proposal_id"], int(report.get("simulated_at") or time.time()),
             int(report["block"]), report["head_hash"], report["path"], 1 if report["ok"] else 0, report["summary"],
             json.dumps(report, separators=(",", ":"))))


def latest(ar: Archive, source: str, pid: str, *, full: bool = False) -> dict[str, Any] | None:
    """The stored simulation of a proposal: {created, block, head_hash, path, ok, summary[, report]}."""
    try:
        row = ar.conn.execute(
            "SELECT created, block, head_hash, path, ok, summary" + (", report" if full else "")
            + " FROM simulations WHERE source=? AND proposal_id=?", (source, pid)).fetchone()
    except Exception:  # an archive opened before the table existed (read-only, older schema)
        return None
    if row is None:
        return None
    out = {"created": row[0], "block": row[1], "head_hash": row[2], "path": row[3], "ok": bool(row[4]),
           "summary": row[5]}
    if full:
        out["report"] = json.loads(row[6])
    return out


def headline(sim: dict[str, Any], now: float | None = None) -> str:
    """"simulated at block 1,234 (5m ago): 3/3 actions succeed · treasury −4,000 PDT"."""
    from wallet.services.timefmt import ago
    from wallet.textsafe import clean

    age = ago(sim["created"], now)
    return f"simulated at block {sim['block']:,} ({age}, {sim['path']} path): {clean(sim['summary'])}"


