"""Reliability report: runs the fault, fuzz, crash, hostile-input, hostile-node and leak tests in a
measuring mode, plus the scale figures of bench/scale.py, and prints one table:

    faults injected / survived · fuzz cases run · crash trials / clean recoveries · hostile-node modes
    survived (tests/test_hostile_node.py HOSTILE_MODES: a mode survives when all its tests pass) ·
    leaks found · scale

Writes bench/results/reliability-<timestamp>.json. Run alone (`.venv/bin/python bench/reliability.py`,
`--no-scale` to skip the ~1 min scale part, `FUZZ_EXAMPLES=N` for more fuzz cases, default 1,000 per
target) or from bench/run.py through `run()`.

Measuring works from the outside of the tests: a pytest plugin counts what the fault injectors
(tests/doubles/faults.py's proxy, the Substrate double's schedule) injected during each test, the SIGKILLs the
crash tests sent, and the fuzz examples; a fault counts as survived when its test passed (the archive
equalled a fault-free sync), a kill as a clean recovery when its test passed (integrity_check ok,
rerun equal to a clean sync, or the previous vault file whole).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

GROUPS = {
    "faults": ["tests/test_faults_evm.py", "tests/test_faults_families.py",
               "tests/test_evm_governor.py::test_reorg_rolls_back_and_matches_chain",
               "tests/test_cosmos_sync.py::test_transient_faults_are_retried",
               "tests/test_snapshot.py::test_429_waits_retry_after_then_succeeds"],
    "fuzz": ["tests/test_fuzz.py", "tests/test_evm_codec.py", "tests/test_units.py"],
    "crash": ["tests/test_crash_safety.py"],
    "hostile": ["tests/test_hostile_data.py", "tests/test_archive.py::test_hostile_titles_are_neutralised_in_output"],
    "nodes": ["tests/test_hostile_node.py", "tests/test_single_once.py", "tests/test_anvil_leftovers.py",
              "tests/test_hostile_budget.py", "tests/test_bittensor_once.py", "tests/test_batch_max_fee.py",
              "tests/test_cosmos_once.py", "tests/test_batch_bittensor_once.py"],
    "leaks": ["tests/test_secrets_families.py", "tests/test_cli_e2e.py::test_secrets_never_leak"],
}


class Meter:
    """pytest plugin: per test, what was injected or killed while it ran, and whether it passed."""

    def __init__(self) -> None:
        self.current: Counter[str] = Counter()
        self.per_test: dict[str, dict[str, Any]] = {}
        self.outcomes: dict[str, str] = {}
        self.durations: dict[str, float] = defaultdict(float)
        self.errors: dict[str, str] = {}

    def install(self) -> None:
        sys.path.insert(0, str(REPO))
        from tests.doubles import faults, substrate_node

        meter = self
        close = faults.FaultProxy.close

        def counted_close(proxy: Any) -> None:
            for k, v in proxy.counts.items():
                if k != "ok":
                    meter.current["fault:" + k] += v
            close(proxy)

        faults.FaultProxy.close = counted_close  # type: ignore[method-assign]
        pick = substrate_node.Faults.pick

        def counted_pick(sched: Any) -> str | None:
            kind = pick(sched)
            if kind:
                meter.current["fault:ws_" + kind] += 1
            return kind

        substrate_node.Faults.pick = counted_pick  # type: ignore[method-assign]
        send = subprocess.Popen.send_signal

        def counted_send(proc: Any, sig: int) -> None:
            if sig == signal.SIGKILL:
                meter.current["kill"] += 1
            send(proc, sig)

        subprocess.Popen.send_signal = counted_send  # type: ignore[method-assign]

    # pytest hooks
    def pytest_runtest_setup(self, item: Any) -> None:
        self.current = Counter()

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.durations[report.nodeid] += report.duration
        if report.when == "call" or report.outcome != "passed":
            prev = self.outcomes.get(report.nodeid)
            if prev in (None, "passed"):
                self.outcomes[report.nodeid] = report.outcome
            if report.outcome == "failed":
                self.errors[report.nodeid] = str(report.longreprtext)[-1500:]
        if report.when == "teardown":
            self.per_test[report.nodeid] = dict(self.current)


def measure(fuzz_examples: int) -> dict[str, Any]:
    import pytest

    os.environ.setdefault("FUZZ_EXAMPLES", str(fuzz_examples))
    meter = Meter()
    meter.install()
    os.chdir(REPO)
    args = ["-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-W", "ignore", "-o", "addopts="]
    rows: dict[str, Any] = {}
    t0 = time.perf_counter()
    code = pytest.main(args + [t for ts in GROUPS.values() for t in ts], plugins=[meter])
    wall = time.perf_counter() - t0

    def tests_of(group: str) -> dict[str, str]:
        sel = GROUPS[group]
        return {n: o for n, o in meter.outcomes.items() if any(n == s or n.startswith(s.split("::")[0] + "::")
                                                                and ("::" not in s or n.startswith(s)) for s in sel)}

    def tally(group: str, key: str) -> tuple[int, int]:
        total = survived = 0
        for n, o in tests_of(group).items():
            got = sum(v for k, v in meter.per_test.get(n, {}).items() if k.startswith(key))
            total += got
            survived += got if o == "passed" else 0
        return total, survived

    f_total, f_ok = tally("faults", "fault:")
    kinds: Counter[str] = Counter()
    for n in tests_of("faults"):
        for k, v in meter.per_test.get(n, {}).items():
            if k.startswith("fault:"):
                kinds[k[6:]] += v
    k_total, k_ok = tally("crash", "kill")
    fuzz_mod = sys.modules.get("tests.test_fuzz")
    fuzz_cases = dict(getattr(fuzz_mod, "CASES", {}))
    leak_tests = tests_of("leaks")
    for g in GROUPS:
        t = tests_of(g)
        rows[g] = {"tests": len(t), "passed": sum(o == "passed" for o in t.values()),
                   "failed": sorted(n for n, o in t.items() if o != "passed"),
                   "seconds": round(sum(meter.durations[n] for n in t), 1)}
    rows["faults"].update({"injected": f_total, "survived": f_ok, "by_kind": dict(sorted(kinds.items()))})
    rows["crash"].update({"trials": k_total, "clean_recoveries": k_ok})
    rows["fuzz"].update({"cases_by_target": fuzz_cases, "cases": sum(fuzz_cases.values()),
                         "examples_per_target": int(os.environ["FUZZ_EXAMPLES"])})
    rows["leaks"].update({"scenarios": len(leak_tests), "leaks_found": sum(o != "passed" for o in leak_tests.values())})
    modes = getattr(sys.modules.get("tests.test_hostile_node"), "HOSTILE_MODES", {})
    outcomes = tests_of("nodes")
    survived = {m: all(outcomes.get(t if "::" in t else f"tests/test_hostile_node.py::{t}") == "passed" for t in ts)
                for m, ts in modes.items()}
    rows["nodes"].update({"modes": len(survived), "modes_survived": sum(survived.values()),
                          "not_survived": sorted(m for m, ok in survived.items() if not ok)})
    rows["errors"] = meter.errors
    rows["pytest_exit"] = int(code)
    rows["wall_s"] = round(wall, 1)
    return rows


SCALE_CHILD = """
import json, os, sys, tempfile
from pathlib import Path
sys.path.insert(0, {bench!r})
import scale
res = {{}}
rss = scale.sync_rss(int(os.environ.get("SCALE_VOTES", "1000000")))
res["sync votes"] = rss["votes"]
res["sync peak RSS MB (≤ 250)"] = rss["peak_rss_mb"]
res["sync wall s"] = rss["wall_s"]
with tempfile.TemporaryDirectory() as d:
    src, pid = scale.generate_archive(Path(d), int(os.environ.get("SCALE_PROPOSALS", "100000")),
                                      int(os.environ.get("SCALE_ARCHIVE_VOTES", "1000000")))
    env = {{"POLIS_HOME": d}}
    res["list --search on 100k ms (≤ 100)"] = scale.timed([scale.POLIS, "proposals", "list", "--search",
                                                           "oracle bridge"], env)
    res["proposals show ms (≤ 100)"] = scale.timed([scale.POLIS, "proposals", "show", f"{{src}}:{{pid}}"], env)
print("SCALE_JSON " + json.dumps(res))
"""


def scale_figures() -> dict[str, Any]:
    """bench/scale.py in a fresh child: its peak RSS is getrusage(RUSAGE_CHILDREN), the largest child
    ever waited for, so in this process it would report anvil from the crash tests instead of the sync."""
    r = subprocess.run([sys.executable, "-c", SCALE_CHILD.format(bench=str(REPO / "bench"))], capture_output=True,
                       text=True, cwd=REPO, env={k: v for k, v in os.environ.items() if k != "POLIS_HOME"})
    for line in r.stdout.splitlines():
        if line.startswith("SCALE_JSON "):
            return json.loads(line[len("SCALE_JSON "):])
    return {"error": r.stderr[-400:]}


def table(rep: dict[str, Any]) -> str:
    f, c, z, h, leak = rep["faults"], rep["crash"], rep["fuzz"], rep["hostile"], rep["leaks"]
    lines = [("faults injected / survived", f"{f['injected']} / {f['survived']}",
              ", ".join(f"{k} {v}" for k, v in f["by_kind"].items())),
             ("fault tests passed", f"{f['passed']} / {f['tests']}", f"{f['seconds']} s"),
             ("fuzz cases run", f"{z['cases']:,}",
              f"{z['examples_per_target']} per target; {z['passed']}/{z['tests']} tests passed"),
             ("crash trials / clean recoveries", f"{c['trials']} / {c['clean_recoveries']}",
              f"{c['passed']}/{c['tests']} tests passed"),
             ("hostile-input tests passed", f"{h['passed']} / {h['tests']}", ""),
             ("hostile-node modes survived", f"{rep['nodes']['modes_survived']} / {rep['nodes']['modes']}",
              f"{rep['nodes']['passed']}/{rep['nodes']['tests']} tests passed (reorg proof, fee caps, deadline, "
              "size cap, exactly-once, anvil leftovers)"),
             ("leaks found", str(leak["leaks_found"]), f"{leak['scenarios']} scanned scenarios")]
    for k, v in (rep.get("scale") or {}).items():
        lines.append(("scale: " + k, str(v), ""))
    w0 = max(len(a) for a, _, _ in lines)
    w1 = max(len(b) for _, b, _ in lines)
    out = [f"{'check':<{w0}}  {'figure':>{w1}}  detail", "-" * (w0 + w1 + 30)]
    out += [f"{a:<{w0}}  {b:>{w1}}  {d}" for a, b, d in lines]
    failed = [n for g in GROUPS for n in rep[g]["failed"]]
    if failed:
        out.append("FAILED: " + ", ".join(failed))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    rep: dict[str, Any] = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    rep.update(measure(int(os.environ.get("FUZZ_EXAMPLES", "1000"))))
    if "--no-scale" not in argv:
        rep["scale"] = scale_figures()
    out = REPO / "bench" / "results" / f"reliability-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rep, indent=2))
    print(table(rep))
    print(f"\nwritten {out.relative_to(REPO)}")
    if "--json" in argv:
        print("RELIABILITY_JSON " + json.dumps(rep))
    ok = all(not rep[g]["failed"] for g in GROUPS) and rep["leaks"]["leaks_found"] == 0
    return 0 if ok else 1


def run(scale: bool | None = None) -> dict[str, Any]:
    """For bench/run.py: the report in a child process (pytest in-process would share its state).
    `scale` False skips the scale part (bench/run.py measures it itself); default: RELIABILITY_NO_SCALE."""
    if scale is None:
        scale = os.environ.get("RELIABILITY_NO_SCALE") != "1"
    args = [sys.executable, str(Path(__file__)), "--json"] + ([] if scale else ["--no-scale"])
    r = subprocess.run(args, capture_output=True, text=True, cwd=REPO)
    sys.stdout.write(r.stdout.split("RELIABILITY_JSON ")[0])
    for line in r.stdout.splitlines():
        if line.startswith("RELIABILITY_JSON "):
            return json.loads(line[len("RELIABILITY_JSON "):])
    return {"error": r.stderr[-2000:]}


if __name__ == "__main__":
    sys.exit(main())
