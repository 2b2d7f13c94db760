"""Running a plan: one unlock per account, groups per network and account, the journal, the report.

The headless API both front ends use:

    plan = load("weekly.toml")            # parse; PlanError (exit 2) names file, line, field
    steps = check(plan)                    # offline: networks, accounts, addresses, amounts, policy
    preview = dry_run(plan, on_event=cb)   # every action planned against its node; nothing signed
    report = BatchRunner(plan, passphrase_file=…, on_event=cb).run()   # or .resume()

`on_event(Event)` is called from the running thread at every state change; a TUI worker posts it as a
message. Nothing here prompts: the caller confirmed and holds the passphrase source.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet.batch import journal
from wallet.batch.planfile import PlanFile, parse_text
from wallet.batch.validate import Step, resolve
from wallet.errors import NodeUnreachable, PolisError

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.batch.planfile import RunOptions
    from wallet.cache.db import Archive
    from wallet.keys.signer import Signer
    from wallet.keys.vault import AccountMeta
    from wallet.models import Plan

log = logging.getLogger("polis.batch")

STATUS = {"confirmed": "confirmed", "skipped": "already_done", "failed": "failed", "planned": "pending",
          "signed": "pending", "sent": "pending"}


@dataclass
class Event:
    """A progress event: one action changed state, or a group started."""

    kind: str
    """"group", "planned", "signed", "sent", "confirmed", "failed", "skipped", "pending"."""
    index: int | None
    label: str
    message: str = ""
    done: int = 0
    """Actions settled so far (confirmed, skipped, failed)."""
    total: int = 0


OnEvent = Callable[[Event], None]


def check(plan: PlanFile) -> list[Step]:
    """Offline validation of every action (raises PlanError)."""
    return resolve(plan)


def check_fee_caps(steps: list[Step], caps: dict[str, str]) -> None:
    """BadInput unless each of a run's fee caps names a network or source of the plan and reads as an amount
    of the native unit of every network it applies to (wallet/fees.py: the same rule as `vote --max-fee`)."""
    from wallet.fees import check_caps
    from wallet.networks import get_network

    nets: dict[str, Any] = {}
    for s in steps:
        if s.source not in nets:
            nets[s.source] = get_network(s.network)
    check_caps(caps, "--max-fee", nets)


def archive_warnings(steps: list[Step], now: float | None = None) -> list[str]:
    """What the archive already knows against the plan, offline: a vote on a proposal it holds as closed
    (or whose archived voting window has passed). Warnings only: the node decides when the plan runs."""
    from wallet.cache import open_archive
    from wallet.services.plan_context import proposal_context
    from wallet.services.proposal_state import refusal

    out: list[str] = []
    votes = [s for s in steps if s.action.kind == "vote" and s.action.proposal is not None]
    if not votes:
        return out
    with open_archive(readonly=True) as ar:  # one open for the whole plan (32,000 votes: not 32,000 opens)
        for s in votes:
            ctx = proposal_context(s.source, str(s.action.proposal), now=now, archive=ar)
            if ctx is not None and not ctx.state.accepts_votes:
                where = f"line {s.line}: " if s.line else ""
                out.append(f"{where}action {s.index + 1} ({s.label}): the archive says "
                           + refusal(ctx.state, f"{ctx.title!r} ({ctx.short_id})"))
    return out


def groups_of(ctx_adapter: Callable[[str], Adapter], steps: list[Step]) -> list[tuple[str, list[Step]]]:
    """(executor, steps) per account and network, in the order the plan first names them. Actions whose
    adapter declares a nonce lane (EVM: one account's actions across the network's DAOs) share one
    pipelined nonce sequence."""
    out: dict[tuple[str, str, str], list[Step]] = {}
    for s in steps:
        ad = ctx_adapter(s.source)
        lane = ad.nonce_lane(s.address)
        key = ("pipelined", lane, "") if lane is not None else ("chunked", s.source, s.address)
        out.setdefault(key, []).append(s)
    return [(k[0], v) for k, v in out.items()]


class Context:
    """What the executors share: adapters per source, vault metas, signers, the journal."""

    def __init__(self, archive: Archive | None, batch: str, steps: list[Step], options: RunOptions, *,
                 unlock: Callable[[AccountMeta, str], Signer] | None = None, on_event: OnEvent | None = None) -> None:
        self.archive = archive
        self.batch = batch
        self.steps = {s.index: s for s in steps}
        self.options = options
        self._unlock = unlock
        self._on_event = on_event
        self._adapters: dict[str, Adapter] = {}
        self._metas: dict[str, AccountMeta] = {}
        self._signers: dict[tuple[str, str], Signer] = {}
        self.pending_notes: dict[int, str] = {}
        self.fee_caps: dict[str, str] = {}
        """The plan's [policy] max_fee per network or source."""
        self.fee_override: dict[str, str] = {}
        """This run's `--max-fee` per network or source ("" for every one), over the plan's."""

    def adapter(self, source: str) -> Adapter:
        if source not in self._adapters:
            from wallet.adapters import adapter_for

            ad = adapter_for(source)
            ad.poll_interval = min(ad.poll_interval, 0.5)  # seconds
            from wallet.fees import cap_for

            ad.policy_max_fee = cap_for(self.fee_caps, source)
            ad.max_fee = cap_for(self.fee_override, source)
            self._adapters[source] = ad
        return self._adapters[source]

    def meta(self, name: str) -> AccountMeta:
        if name not in self._metas:
            from wallet.keys.vault import Vault

            self._metas[name] = Vault().get(name)
        return self._metas[name]

    def unlock_ahead(self, accounts: dict[str, str]) -> None:
        """Unlock these (account -> key scheme) in a worker thread; `signer` waits for it."""
        import threading

        if self._unlock is None or not accounts:
            return
        try:
            metas = {name: self.meta(name) for name in accounts}
        except PolisError:
            return  # an unknown account is reported by the step that names it
        unlock = self._unlock
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["signers"] = {(n, f): unlock(metas[n], f) for n, f in accounts.items()}
            except BaseException as exc:  # re-raised in the thread that signs
                box["error"] = exc

        thread = threading.Thread(target=work, name="polis-unlock", daemon=True)
        thread.start()
        self._ahead: tuple[threading.Thread, dict[str, Any]] | None = (thread, box)

    def _join_ahead(self) -> None:
        ahead = getattr(self, "_ahead", None)
        if ahead is None:
            return
        thread, box = ahead
        thread.join()
        self._ahead = None
        if "error" in box:
            raise box["error"]
        self._signers.update(box["signers"])

    def signer(self, account: str, scheme: str) -> Signer:
        self._join_ahead()
        key = (account, scheme)
        if key not in self._signers:
            if self._unlock is None:
                raise PolisError("this run cannot sign (dry run)")
            self._signers[key] = self._unlock(self.meta(account), scheme)
        return self._signers[key]

    def close(self) -> None:
        # An unlock still running (a run with nothing left to sign) is a daemon thread that touches
        # neither the archive nor the network: it is left to finish on its own.
        for ad in self._adapters.values():
            ad.close()

    def refuse_changed_vote(self, step: Step) -> None:
        """A vote the adapter calls already cast: the service's one rule (a different choice on a final
        vote is refused, not reported as done), against this run's archive."""
        if self.archive is None or step.action.kind != "vote":
            return
        from wallet.services.requests import refuse_changed_vote

        refuse_changed_vote(self.adapter(step.source), str(step.action.proposal), step.action.choice or "",
                            [step.address], account=step.account, archive=self.archive)

    # --- journal ------------------------------------------------------------------------------
    def rows(self) -> dict[int, dict[str, Any]]:
        assert self.archive is not None
        return journal.actions(self.archive, self.batch)

    def move(self, idx: int, state: str, **fields: Any) -> None:
        self.move_many([(idx, state, fields)])

    def move_many(self, changes: list[tuple[int, str, dict[str, Any]]]) -> None:
        if not changes:
            return
        assert self.archive is not None
        settled = ("confirmed", "skipped", "failed")
        before = self.rows() if self._on_event else {}
        journal.transition(self.archive, self.batch, changes)
        if self._on_event:
            # Each settled action gets its own count ([1/2], then [2/2]), even when one transaction
            # settles several at once.
            done = sum(1 for r in before.values() if r["state"] in settled)
            for idx, state, fields in changes:
                if state in settled and before.get(idx, {}).get("state") not in settled:
                    done += 1
                msg = fields.get("error") or fields.get("tx_hash") or (fields.get("result") or {}).get("message", "")
                self._on_event(Event(state, idx, self.steps[idx].label, str(msg or ""), done, len(before)))

    def note_pending(self, idx: int, message: str) -> None:
        self.pending_notes[idx] = message
        if self._on_event:
            self._on_event(Event("pending", idx, self.steps[idx].label, message))


# --- dry run -------------------------------------------------------------------------------------

@dataclass
class Preview:
    step: Step
    status: str
    """"ok", "already_done", "refused"."""
    plan: Plan | None = None
    error: str = ""


@dataclass
class DryRun:
    previews: list[Preview]
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per network: actions, transactions it would take, fee total (base units), fee symbol/decimals."""

    @property
    def ok(self) -> bool:
        return all(p.status != "refused" for p in self.previews)


def dry_run(plan: PlanFile, steps: list[Step] | None = None, *, on_event: OnEvent | None = None,
            max_fee: dict[str, str] | None = None) -> DryRun:
    """Plan every action against its node, group them as a run would, sign nothing, write nothing.
    `max_fee`: the run's fee caps (`--max-fee`) per network or source, "" for every one."""
    from wallet.errors import AlreadyDone

    steps = steps if steps is not None else check(plan)
    ctx = Context(None, plan.digest, steps, plan.model.run, on_event=None)
    ctx.fee_caps = plan.model.policy.max_fee
    ctx.fee_override = dict(max_fee or {})
    previews: list[Preview] = []
    totals: dict[str, dict[str, Any]] = {}
    from wallet.batch.executors import plan_step

    try:
        for kind, group in groups_of(ctx.adapter, steps):
            ad = ctx.adapter(group[0].source)
            ok_plans: list[Plan] = []
            for s in group:
                try:
                    p = plan_step(ctx, s)
                    previews.append(Preview(s, "ok", p))
                    ok_plans.append(p)
                except AlreadyDone as exc:
                    previews.append(Preview(s, "already_done", error=str(exc)))
                except PolisError as exc:
                    previews.append(Preview(s, "refused", error=str(exc)))
                if on_event:
                    on_event(Event("planned", s.index, s.label, previews[-1].status, len(previews), len(steps)))
            t = totals.setdefault(group[0].network, {"actions": 0, "transactions": 0, "fee": 0,
                                                    "fee_symbol": "", "fee_decimals": 18})
            t["actions"] += len(group)
            if kind == "chunked" and ad.MULTI_ACTION_TX:
                size = plan.model.run.messages_per_tx
                chunks = [ok_plans[i:i + size] for i in range(0, len(ok_plans), size)]
                combined = []
                for c in chunks:
                    try:
                        combined.append(ad.combine(c) if len(c) > 1 else c[0])
                    except PolisError:
                        combined.extend(c)
                fee_plans = combined
            else:
                fee_plans = ok_plans
            t["transactions"] += len(fee_plans)
            for p in fee_plans:
                t["fee"] += int(p.fee_estimate or 0)
                t["fee_symbol"], t["fee_decimals"] = p.fee_symbol or t["fee_symbol"], p.fee_decimals
    finally:
        ctx.close()
    previews.sort(key=lambda p: p.step.index)
    return DryRun(previews, totals)


# --- run and resume ------------------------------------------------------------------------------

class BatchBusy(PolisError):
    exit_code = 1


class BatchRunner:
    """Run (or resume) one plan. `passphrase` (typed in a TUI dialog) wins over the unlock policy."""

    def __init__(self, plan: PlanFile, *, passphrase_file: str | None = None, passphrase: str | None = None,
                 on_event: OnEvent | None = None, max_fee: dict[str, str] | None = None) -> None:
        self.plan = plan
        self.max_fee = dict(max_fee or {})
        """The run's fee caps (`--max-fee`) per network or source, "" for every one."""
        self.passphrase_file = passphrase_file
        self.passphrase = passphrase
        self.on_event = on_event

    def _unlocker(self) -> Callable[[AccountMeta, str], Signer]:
        from wallet.keys.unlock import Unlocked, UnlockPolicy
        from wallet.keys.vault import Vault

        vault = Vault()
        policy = UnlockPolicy(passphrase_file=self.passphrase_file, interactive=False)
        unlocked: dict[str, Unlocked] = {}

        def unlock(meta: AccountMeta, scheme: str) -> Signer:
            if meta.name not in unlocked:
                if self.passphrase:
                    unlocked[meta.name] = Unlocked(meta, vault.read_secret(meta, self.passphrase))
                else:
                    unlocked[meta.name] = policy.unlock(vault, meta)
            return unlocked[meta.name].signer(scheme)

        return unlock

    def run(self) -> dict[str, Any]:
        from wallet.cache import open_archive

        steps = check(self.plan)
        with open_archive() as ar:
            ctx = Context(ar, self.plan.digest, steps, self.plan.model.run, unlock=self._unlocker(),
                          on_event=self.on_event)
            ctx.fee_caps = self.plan.model.policy.max_fee
            ctx.fee_override = self.max_fee
            # One unlock per account, started at once in a worker (scrypt takes about a second) while
            # the journal is read and the actions are planned; the first signature waits for it, so a
            # wrong passphrase still stops the run before anything is signed. A run with nothing left
            # to do never waits for it (nor needs a passphrase).
            wanted = {}
            for name in dict.fromkeys(s.account for s in steps):
                wanted[name] = ctx.adapter(next(s.source for s in steps if s.account == name)).KEY_SCHEME
            ctx.unlock_ahead(wanted)
            try:
                journal.ensure(ar)
                with _lock(self.plan.digest):
                    run, created = journal.start(ar, self.plan, steps)
                    rows = journal.actions(ar, self.plan.digest)
                    open_steps = [s for s in steps if rows[s.index]["state"] in journal.OPEN_STATES]
                    if not open_steps:
                        rep = report(ar, self.plan.digest, steps)
                        rep.update(already_finished=True, resumed=not created)
                        rep["finished"] = journal.finish(ar, self.plan.digest, rep)
                        return rep
                    self._execute(ctx, open_steps)
                    rep = report(ar, self.plan.digest, steps, ctx.pending_notes)
                    rep.update(already_finished=False, resumed=not created)
                    rep["finished"] = journal.finish(ar, self.plan.digest, rep)
                    return rep
            finally:
                ctx.close()

    resume = run
    """Resuming is running again: the journal and the chain decide what is left."""

    def _execute(self, ctx: Context, steps: list[Step]) -> None:
        from wallet.batch.executors import run_chunked, run_pipelined

        for kind, group in groups_of(ctx.adapter, steps):
            if self.on_event:
                self.on_event(Event("group", None, group_label(group), f"{len(group)} action(s)"))
            try:
                (run_pipelined if kind == "pipelined" else run_chunked)(ctx, group)
            except NodeUnreachable as exc:
                for s in group:
                    ctx.pending_notes.setdefault(s.index, str(exc))
                log.warning("batch group %s stopped: %s", group[0].source, exc)


def group_label(group: list[Step]) -> str:
    """"devnet/bravo (2) + devnet/polis (2) · demo": every source of a group (one account's nonce
    sequence spans the network's DAOs), with its number of actions when there are several."""
    per: dict[str, int] = {}
    for s in group:
        per[s.source] = per.get(s.source, 0) + 1
    where = " + ".join(f"{src} ({n})" if len(per) > 1 else src for src, n in per.items())
    return f"{where} · {group[0].account}"


def report(ar: Archive, batch: str, steps: list[Step] | None = None,
           notes: dict[int, str] | None = None) -> dict[str, Any]:
    run = journal.get_run(ar, batch) or {}
    rows = journal.actions(ar, batch)
    notes = notes or {}
    actions = []
    for idx, r in sorted(rows.items()):
        res = json.loads(r["result"]) if r["result"] else {}
        status = STATUS[r["state"]]
        actions.append({"index": idx, "label": r["label"], "kind": r["kind"], "network": r["source"],
                        "account": r["account"], "address": r["address"], "target": r["target"], "status": status,
                        "state": r["state"], "tx_hash": r["tx_hash"], "block": res.get("block"), "fee": res.get("fee"),
                        "message": res.get("message"), "updated_at": r.get("updated"),
                        "error": r["error"] if status in ("failed", "pending") and r["error"] else notes.get(idx)})
    counts: dict[str, int] = {}
    for a in actions:
        counts[a["status"]] = counts.get(a["status"], 0) + 1
    hashes = {a["tx_hash"] for a in actions if a["tx_hash"]}
    return {"batch": batch, "plan": run.get("path"), "name": run.get("name", ""),
            "started_at": run.get("created"), "updated_at": run.get("updated"), "reported_at": int(time.time()),
            "runs": run.get("runs"), "total": len(actions),
            "counts": counts, "transactions": len(hashes),
            "ok": counts.get("failed", 0) == 0 and counts.get("pending", 0) == 0, "actions": actions}


def exit_code(rep: dict[str, Any]) -> int:
    """0 every action confirmed or already done; 1 any failed; 4 only pending (a node was unreachable)."""
    c = rep["counts"]
    if c.get("failed"):
        return 1
    if c.get("pending"):
        return 4
    return 0


def plan_of_run(ar: Archive, batch: str | None) -> PlanFile:
    """The plan stored with a run (the last unfinished one when `batch` is None)."""
    if batch is None:
        pending = journal.runs(ar, unfinished=True, limit=1)
        if not pending:
            raise PolisError("no unfinished batch run to resume", hint="'polis batch status' lists the runs")
        run = pending[0]
    else:
        found = journal.get_run(ar, batch)
        if found is None:
            raise PolisError(f"no batch run {batch}")
        run = found
    return parse_text(run["text"], run["path"], run["format"])


class _lock:
    """An exclusive lock per plan (flock: released by the kernel when the process dies)."""

    def __init__(self, batch: str) -> None:
        from wallet.paths import data_dir, ensure_private_dir

        d = ensure_private_dir(data_dir() / "batch")
        self.path = d / f"{batch[:32]}.lock"
        self.fd: int | None = None

    def __enter__(self) -> _lock:
        import fcntl

        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            raise BatchBusy("another polis process is running this plan right now",
                            hint="wait for it, or check 'polis batch status'") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
