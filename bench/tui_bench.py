"""TUI figures with 100,000 archived proposals (a benchmark, not a timed test), measured with Pilot:

- first paint: from building the app to the inbox's first page on screen (screen idle after it);
- cursor move: one `down` key through Pilot until the screen is idle again (median of 60 moves);
- proposal open: `enter` on a row until the proposal screen shows its overview with the archive's data
  and is idle (median and worst of 30 opens, each followed by `escape` back to the inbox; the first open
  is reported on its own too).

The machine's load average is recorded beside the figures (other work on a shared machine slows them).

Budgets (issue 15): first paint ≤ 1 s, cursor move ≤ 20 ms, proposal open ≤ 100 ms (median).
Run: `python bench/tui_bench.py` (prints the figures; `--json` prints them as JSON). `run_tui()` is the
hook for bench/run.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

N_PROPOSALS = 100_000
BUDGETS = {"first_paint_ms": 1000.0, "cursor_move_ms": 20.0, "open_proposal_ms": 100.0}


async def _until(cond, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while True:
        try:
            if cond():
                return
        except Exception:  # widgets not mounted yet
            pass
        if time.perf_counter() > deadline:
            raise TimeoutError(str(cond))
        await asyncio.sleep(0.001)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Every queued message processed, then one frame composed and written: what a person would see.
    (`pilot.pause()` would add a ≥ 20 ms idle sleep to every figure.)"""
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()


def _send_key(app, key: str) -> None:  # type: ignore[no-untyped-def]
    """Post one key event as the terminal driver would. `pilot.press` adds two `wait_for_idle` sleeps
    (≥ 20 ms each) per key, a floor of the harness, not of the app, so the figures use this instead
    (and report the Pilot floor separately)."""
    from textual import events

    ev = events.Key(key, None)
    ev.set_sender(app)
    app._driver.send_message(ev)


async def _measure(opens: int = 30, moves: int = 60) -> dict[str, float]:
    from screens.app import make_app
    from tests.plugins.tui_data import NOW

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    app = make_app(check_online=False, clock=lambda: NOW, persist_settings=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.screen.query_one("#inbox").row_count > 0)
        await _settle(pilot)
        out["first_paint_ms"] = (time.perf_counter() - t0) * 1000
        table = app.screen.query_one("#inbox")
        await pilot.pause(0.3)  # let the archive bar's worker settle: measure the cursor alone
        steps = []
        for _ in range(moves):
            t = time.perf_counter()
            row = table.cursor_row
            _send_key(app, "down")
            await _until(lambda row=row: table.cursor_row == row + 1)
            await _settle(pilot)
            steps.append((time.perf_counter() - t) * 1000)
        out["cursor_move_ms"] = statistics.median(steps)
        out["cursor_move_worst_ms"] = max(steps)
        assert table.cursor_row == moves
        t = time.perf_counter()
        for _ in range(10):
            await pilot.press("down")
        out["pilot_press_ms"] = (time.perf_counter() - t) * 100
        times = []
        for _ in range(opens):
            t = time.perf_counter()
            _send_key(app, "enter")
            await _until(lambda: type(app.screen).__name__ == "ProposalScreen" and app.screen.view is not None)
            await _settle(pilot)
            times.append((time.perf_counter() - t) * 1000)
            await pilot.press("escape")
            await _until(lambda: type(app.screen).__name__ == "InboxScreen")
            await pilot.pause()
            await pilot.press("down")
        out["open_proposal_ms"] = statistics.median(times)
        out["open_proposal_first_ms"] = times[0]
        out["open_proposal_worst_ms"] = max(times)
    return out


def run_tui(n: int = N_PROPOSALS) -> dict[str, object]:
    """Fill a fresh archive with `n` proposals and measure; the result dict for bench/run.py."""
    old = os.environ.get("POLIS_HOME")
    with tempfile.TemporaryDirectory(prefix="polis-tui-bench-") as home:
        os.environ["POLIS_HOME"] = home
        try:
            from tests.plugins.tui_data import fill

            t = time.perf_counter()
            fill(n)
            res: dict[str, object] = {"proposals": n, "archive written s": round(time.perf_counter() - t, 1)}
            load = os.getloadavg()[0]
            res.update({k: round(v, 1) for k, v in asyncio.run(_measure()).items()})
            res["load average (1 min) before / after"] = f"{load:.2f} / {os.getloadavg()[0]:.2f}"
        finally:
            if old is None:
                os.environ.pop("POLIS_HOME", None)
            else:
                os.environ["POLIS_HOME"] = old
    res["budgets met"] = all(float(res[k]) <= v for k, v in BUDGETS.items())  # type: ignore[arg-type]
    return res


def main() -> int:
    res = run_tui()
    if "--json" in sys.argv:
        print(json.dumps(res, indent=2))
    else:
        for k, v in res.items():
            print(f"{k:<26} {v}")
    return 0 if res["budgets met"] else 1


if __name__ == "__main__":
    sys.exit(main())
