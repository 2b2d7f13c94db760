"""The simulation report: per-action outcome, events, balance changes, governance settings before and
after; as a JSON-ready dict (amounts as decimal strings of base units) and as text lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.simulate.decode import TOPIC_APPROVAL, TOPIC_TRANSFER, decode_event, decode_revert, decode_string_or_bytes32
from wallet.simulate.execute import Action, Execution, selector

if TYPE_CHECKING:
    from wallet.simulate.fork import Fork

ZERO = "0x" + "00" * 20
NATIVE = "native"

# (label, contract role, getter): read before and after when an action calls the governor or timelock
SETTINGS = [
    ("voting delay", "governor", "votingDelay()"), ("voting period", "governor", "votingPeriod()"),
    ("proposal threshold", "governor", "proposalThreshold()"), ("quorum numerator", "governor", "quorumNumerator()"),
    ("quorum votes", "governor", "quorumVotes()"), ("timelock", "governor", "timelock()"),
    ("timelock delay", "timelock", "getMinDelay()"), ("timelock delay", "timelock", "delay()"),
]


@dataclass
class Context:
    source: str
    proposal_id: str
    title: str
    governor: str
    executor: str
    timelock: str | None
    dao_token: str
    native_symbol: str
    native_decimals: int
    block: int
    block_hash: str
    block_time: int


def _eth_call(to: str, sig: str, *words: bytes, block: str) -> tuple[str, list[Any]]:
    data = selector(sig) + b"".join(words)
    return ("eth_call", [{"to": to, "data": "0x" + data.hex()}, block])


def _hexbytes(res: Any) -> bytes | None:
    if isinstance(res, str) and res.startswith("0x"):
        try:
            return bytes.fromhex(res[2:])
        except ValueError:
            return None
    return None


def _uint(res: Any) -> int | None:
    raw = _hexbytes(res)
    return int.from_bytes(raw[:32], "big") if raw is not None and len(raw) >= 32 else None


def token_info(fork: Fork, tokens: list[str]) -> dict[str, dict[str, Any]]:
    """symbol and decimals of each token, read on the fork."""
    calls = []
    for t in tokens:
        calls += [_eth_call(t, "symbol()", block="latest"), _eth_call(t, "decimals()", block="latest")]
    res = fork.batch(calls)
    out: dict[str, dict[str, Any]] = {}
    for i, t in enumerate(tokens):
        raw = _hexbytes(res[2 * i])
        symbol = decode_string_or_bytes32(raw) if raw else ""
        decimals = _uint(res[2 * i + 1])
        out[t.lower()] = {"symbol": _clean_symbol(symbol) or t[:10], "decimals": decimals if decimals is not None
                          and decimals <= 77 else 0, "known": decimals is not None}
    return out


def _clean_symbol(text: str) -> str:
    from wallet.textsafe import clean

    return clean(text, limit=16)


def build(fork: Fork, ctx: Context, actions: list[Action], ex: Execution, *, elapsed_ms: int) -> dict[str, Any]:
    from wallet.units import Denom, format_amount

    by_index = {r.index: r for r in ex.runs}
    events: list[dict[str, Any]] = []
    raw_logs: list[tuple[int | None, dict[str, Any]]] = []
    for a in actions:
        r = by_index[a.index]
        raw_logs += [(a.index, lg) for lg in r.logs]
    raw_logs += [(None, lg) for lg in ex.extra_logs]
    for idx, lg in raw_logs:
        ev = decode_event(lg)
        ev["action"] = idx
        events.append(ev)
    # tokens: the DAO's, and every emitter of an ERC-20 Transfer/Approval
    tokens = [ctx.dao_token] if ctx.dao_token else []
    holders: list[str] = [ctx.executor, *[a.target for a in actions]]
    for _idx, lg in raw_logs:
        topics = [str(t).lower() for t in lg.get("topics") or []]
        if topics and topics[0] in (TOPIC_TRANSFER, TOPIC_APPROVAL) and len(topics) == 3:
            addr = str(lg.get("address", ""))
            if addr.lower() not in {t.lower() for t in tokens}:
                tokens.append(addr)
    for ev in events:
        if ev.get("name") == "Transfer" and ev.get("args"):
            holders += [ev["args"]["from"], ev["args"]["to"]]
    info = token_info(fork, tokens) if tokens else {}
    for ev in events:  # amounts of ERC-20 events in the token's units
        t = info.get(ev["address"].lower())
        if t and ev.get("name") in ("Transfer", "Approval") and "value" in ev.get("args", {}):
            ev["symbol"], ev["decimals"] = t["symbol"], t["decimals"]
            ev["display"] = format_amount(int(ev["args"]["value"]), Denom(t["symbol"], "base", t["decimals"]))
    seen: set[str] = set()
    uniq = []
    for h in holders:
        if h.lower() not in seen and h.lower() != ZERO:
            seen.add(h.lower())
            uniq.append(h)
    changes = balance_changes(fork, ctx, uniq, tokens, info)
    settings = settings_changes(fork, ctx, actions)
    action_rows = []
    for a in actions:
        r = by_index[a.index]
        row: dict[str, Any] = {"index": a.index, "target": a.target, "value": str(a.value), "summary": a.summary,
                               "status": r.status, "gas_used": r.gas_used, "revert": None,
                               "events": sum(1 for ev in events if ev["action"] == a.index)}
        if r.status == "reverted":
            row["revert"] = decode_revert(r.revert_data, r.revert_text)
        action_rows.append(row)
    ok_count = sum(1 for r in action_rows if r["status"] == "success")
    report: dict[str, Any] = {
        "source": ctx.source, "proposal_id": ctx.proposal_id, "title": ctx.title,
        "block": ctx.block, "head_hash": ctx.block_hash, "block_time": ctx.block_time,
        "path": ex.path, "notes": list(ex.notes), "governor": ctx.governor, "executor": ctx.executor,
        "timelock": ctx.timelock, "ok": ok_count == len(action_rows), "succeeded": ok_count,
        "total": len(action_rows), "actions": action_rows, "events": events, "balance_changes": changes,
        "settings": settings, "elapsed_ms": elapsed_ms,
    }
    report["summary"] = summary_line(report, ctx)
    return report


def _label(addr: str, ctx: Context) -> str:
    low = addr.lower()
    if low == ctx.executor.lower():
        return "treasury (timelock)" if ctx.timelock else "treasury (governor)"
    if low == ctx.governor.lower():
        return "governor"
    if ctx.dao_token and low == ctx.dao_token.lower():
        return "token"
    return ""


def balance_changes(fork: Fork, ctx: Context, holders: list[str], tokens: list[str],
                    info: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    from wallet.units import Denom, format_amount

    before, after = hex(ctx.block), "latest"
    calls: list[tuple[str, list[Any]]] = []
    keys: list[tuple[str, str]] = []
    for h in holders:
        calls += [("eth_getBalance", [h, before]), ("eth_getBalance", [h, after])]
        keys.append((h, NATIVE))
        for t in tokens:
            word = bytes.fromhex(h.lower().removeprefix("0x").rjust(64, "0"))
            calls += [_eth_call(t, "balanceOf(address)", word, block=before),
                      _eth_call(t, "balanceOf(address)", word, block=after)]
            keys.append((h, t))
    res = fork.batch(calls)
    out = []
    for i, (h, asset) in enumerate(keys):
        symbol: str
        decimals: int
        if asset == NATIVE:
            b0 = int(res[2 * i], 16) if isinstance(res[2 * i], str) else None
            b1 = int(res[2 * i + 1], 16) if isinstance(res[2 * i + 1], str) else None
            symbol, decimals = ctx.native_symbol, ctx.native_decimals
        else:
            b0, b1 = _uint(res[2 * i]), _uint(res[2 * i + 1])
            tok = info.get(asset.lower(), {"symbol": asset[:10], "decimals": 0})
            symbol, decimals = str(tok["symbol"]), int(tok["decimals"])
        if b0 is None or b1 is None or b0 == b1:
            continue
        delta = b1 - b0
        out.append({"address": h, "label": _label(h, ctx), "asset": asset, "symbol": symbol, "decimals": decimals,
                    "before": str(b0), "after": str(b1), "delta": str(delta),
                    "display": ("+" if delta > 0 else "") + format_amount(delta, Denom(symbol, "base", decimals))})
    return out


def settings_changes(fork: Fork, ctx: Context, actions: list[Action]) -> list[dict[str, Any]]:
    """Governance settings before and after, when an action calls the governor or the timelock."""
    targets = {a.target.lower() for a in actions}
    roles = {"governor": ctx.governor, "timelock": ctx.timelock or ""}
    if not any(addr and addr.lower() in targets for addr in roles.values()):
        return []
    wanted = [(label, roles[role], sig) for label, role, sig in SETTINGS if roles[role]]
    calls = []
    for _name, to, sig in wanted:
        calls += [_eth_call(to, sig, block=hex(ctx.block)), _eth_call(to, sig, block="latest")]
    res = fork.batch(calls)
    out: list[dict[str, Any]] = []
    have: set[str] = set()
    for i, (label, to, sig) in enumerate(wanted):
        b0, b1 = _hexbytes(res[2 * i]), _hexbytes(res[2 * i + 1])
        if label in have or b0 is None or b1 is None or len(b0) < 32 or len(b1) < 32:
            continue
        have.add(label)
        if sig == "timelock()":
            from wallet.simulate.decode import checksum

            v0, v1 = checksum(b0[:32]), checksum(b1[:32])
        else:
            v0, v1 = str(int.from_bytes(b0[:32], "big")), str(int.from_bytes(b1[:32], "big"))
        out.append({"name": label, "contract": to, "getter": sig, "before": v0, "after": v1, "changed": v0 != v1})
    return out


def summary_line(report: dict[str, Any], ctx: Context | None = None) -> str:
    """"3/3 actions succeed · treasury −4,000 PDT" (the treasury's changes), or where it stops."""
    parts = [f"{report['succeeded']}/{report['total']} actions succeed"]
    bad = next((a for a in report["actions"] if a["status"] == "reverted"), None)
    if bad:
        rv = bad.get("revert") or {}
        reason = str(rv.get("reason", ""))
        if rv.get("kind") == "custom" and "(" in reason:
            reason = reason[:reason.index("(")]
        parts.append(f"action {bad['index']} reverts: {reason[:80]}")
    executor = report["executor"].lower()
    for ch in report["balance_changes"]:
        if ch["address"].lower() == executor:
            parts.append("treasury " + ch["display"].replace("-", "−", 1))
    changed = [s for s in report["settings"] if s["changed"]]
    for s in changed:
        parts.append(f"{s['name']} {s['before']} → {s['after']}")
    return " · ".join(parts)


def render(report: dict[str, Any]) -> list[str]:
    """The report as plain text lines (the caller sanitises nothing else: node text is cleaned here)."""
    from wallet.textsafe import clean

    lines = [f"Simulated {report['source']}:{report['proposal_id']} on a fork at block {report['block']:,} "
             f"({report['head_hash'][:18]}…)",
             f"path: {report['path']} — " + ("the governor's own queue/execute" if report["path"] == "governor"
                                               else f"each action sent from the executor {report['executor']}")]
    lines += [f"  note: {clean(n)}" for n in report["notes"]]
    lines += ["", clean(report["summary"]), "", "Actions"]
    for a in report["actions"]:
        mark = {"success": "ok", "reverted": "REVERTS", "not_run": "not run"}[a["status"]]
        gas = f" · {a['gas_used']:,} gas" if a.get("gas_used") is not None else ""
        lines.append(f"  {a['index']}. [{mark}] {clean(a['summary'] or a['target'])}{gas}")
        if a.get("revert"):
            rv = a["revert"]
            lines.append(f"     reason: {clean(rv['reason'], limit=300)}"
                         + (f" ({rv['selector']})" if rv.get("selector") and rv["kind"] == "custom" else ""))
    if report["events"]:
        lines += ["", "Events"]
        for ev in report["events"]:
            where = f"[{ev['action']}] " if ev.get("action") else "[governor] "
            if ev.get("name"):
                if "display" in ev:
                    a = ev["args"]
                    who = f"{a['from']} → {a['to']}" if ev["name"] == "Transfer" else f"{a['owner']} → {a['spender']}"
                    lines.append(f"  {where}{ev['name']} {clean(ev['display'])} {who}")
                else:
                    args = ", ".join(f"{k}={clean(str(v), limit=80)}" for k, v in (ev.get("args") or {}).items())
                    lines.append(f"  {where}{ev['name']}({args}) at {ev['address']}")
            else:
                lines.append(f"  {where}event {ev['topic'][:18]}… at {ev['address']}")
    if report["balance_changes"]:
        lines += ["", "Balance changes"]
        for ch in report["balance_changes"]:
            who = f"{ch['address']}" + (f" ({ch['label']})" if ch["label"] else "")
            lines.append(f"  {who:<64} {clean(ch['display'])}")
    if report["settings"]:
        lines += ["", "Settings (before → after)"]
        for s in report["settings"]:
            lines.append(f"  {s['name']:<20} {s['before']} → {s['after']}" + ("   changed" if s["changed"] else ""))
    if not report["ok"]:
        lines += ["", "The executor runs the actions in one transaction: since one reverts, none of them would "
                      "take effect (the changes above are those of the actions before it)."]
    return lines
