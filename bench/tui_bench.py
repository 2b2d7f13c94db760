"""TUI figures with 100,000 archived proposals (not a timed test): first paint of the inbox, one cursor
move, opening a proposal. Run: `python -m tests.tui_bench` (the lead may move it under bench/)."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time


async def _measure() -> dict[str, float]:
    from screens.app import make_app
    from tests.tui_data import NOW

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    app = make_app(check_online=False, clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        while True:
            try:
                if app.screen.query_one("#inbox").row_count:
                    break
            except Exception:
                pass
            await asyncio.sleep(0.002)
        out["first_paint_s"] = time.perf_counter() - t0
        table = app.screen.query_one("#inbox")
        t = time.perf_counter()
        for _ in range(50):
            table.action_cursor_down()
            await pilot.pause()
        out["cursor_move_ms"] = (time.perf_counter() - t) * 1000 / 50
        t = time.perf_counter()
        await pilot.press("enter")
        while True:
            s = app.screen
            if type(s).__name__ == "ProposalScreen" and s.view is not None:
                break
            await asyncio.sleep(0.002)
        out["open_proposal_ms"] = (time.perf_counter() - t) * 1000
    return out


def main() -> None:
    os.environ["POLIS_HOME"] = tempfile.mkdtemp(prefix="polis-bench-")
    from tests.tui_data import fill

    t = time.perf_counter()
    fill(100_000)
    print(f"archive of 100,000 proposals written in {time.perf_counter() - t:.1f} s")
    for k, v in asyncio.run(_measure()).items():
        print(f"{k}: {v:.3f}")


if __name__ == "__main__":
    main()
