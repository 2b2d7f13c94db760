"""The proposal screen's simulation of its actions on a local anvil fork: `s` runs one in a worker with
progress lines, the stored one (if any) is read when a proposal is shown; a one-line headline sits in the
overview and the report has its own pane (mounted on first show)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static, TabbedContent


class Answer(Message):
    """A worker's answer about the proposal `key` (SOURCE:ID) it was asked for: the screen drops answers
    about a proposal it no longer shows (it is reused from one proposal to the next)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class SimulationPane(Screen[None]):
    """Mixin base of ProposalScreen: the simulation's state, worker, headline and pane."""

    source: str
    pid: str
    _sim_report: dict[str, Any] | None
    _sim_progress: list[str]
    _sim_running: bool

    class Simulation(Answer):
        """A stored or fresh simulation (`report` None: none yet), or progress text while one runs."""

        def __init__(self, key: str, report: dict[str, Any] | None, progress: str = "", error: str = "") -> None:
            super().__init__(key)
            self.report = report
            self.progress = progress
            self.error = error

    @property
    def key(self) -> str:
        return f"{self.source}:{self.pid}"

    def _fresh(self, msg: Answer) -> bool:
        """Whether a worker's answer is for the proposal shown now, with the app still running: answers about
        another proposal are dropped, and so are those dispatched while the app shuts down (its widgets are
        being taken down; Textual drops its own timer callbacks then too)."""
        return msg.key == self.key and not self.app._closing

    @work(thread=True, exclusive=True, group="simulation-stored", exit_on_error=False)
    def _stored_simulation(self) -> None:
        from wallet.cache import open_archive
        from wallet.errors import PolisError
        from wallet.simulate import latest

        key = self.key
        try:
            with open_archive(readonly=True) as ar:
                sim = latest(ar, self.source, self.pid, full=True)
        except PolisError:
            return
        if sim is not None:
            report = dict(sim["report"])
            report["_created"] = sim["created"]
            self.post_message(self.Simulation(key, report))

    def action_simulate(self) -> None:
        if getattr(self.app, "offline", False):
            self.notify("offline mode: a simulation forks the DAO's node, so it needs the network",
                        title="Simulation", severity="warning")
            return
        if self._sim_running:
            self.notify("a simulation is already running", title="Simulation", timeout=3)
            return
        self._sim_running = True
        self._sim_progress = ["starting…"]
        self.query_one(TabbedContent).active = "tab-simulation"
        self._show_simulation()
        self._simulate()

    @work(thread=True, exclusive=True, group="simulation", exit_on_error=False)
    def _simulate(self) -> None:
        from wallet.errors import PolisError
        from wallet.simulate import simulate

        key = self.key

        def progress(text: str) -> None:
            self.post_message(self.Simulation(key, None, progress=text))

        try:
            report = simulate(key, progress=progress)
        except PolisError as exc:
            self.post_message(self.Simulation(key, None, error=str(exc) + (f" ({exc.hint})" if exc.hint else "")))
            return
        report["_created"] = report.get("simulated_at")
        self.post_message(self.Simulation(key, report))

    def on_simulation_pane_simulation(self, msg: Simulation) -> None:
        if not self._fresh(msg):
            return
        if msg.progress:
            self._sim_progress.append(msg.progress)
        elif msg.error:
            self._sim_running = False
            self._sim_progress.append("failed: " + msg.error)
            self.notify(msg.error, title="Simulation", severity="error")
        else:
            if self._sim_running:
                self._sim_running = False
                self.notify(msg.report["summary"] if msg.report else "done", title="Simulated")
            self._sim_report = msg.report
            self._sim_progress = []
        self._show_simulation()

    def _simulation_text(self) -> Text:
        from wallet.simulate.report import render

        if self._sim_progress:
            return Text("\n".join(f"… {line}" for line in self._sim_progress))
        if self._sim_report is None:
            return Text("not simulated yet: press s to run the actions on a local anvil fork of the node")
        return Text("\n".join(render(self._sim_report)))

    def _show_simulation(self) -> None:
        from wallet.simulate import headline

        r = self._sim_report
        line = ""
        if self._sim_progress:
            line = "simulating… " + self._sim_progress[-1]
        elif r is not None:
            line = headline({"block": r["block"], "path": r["path"], "summary": r["summary"],
                             "created": r.get("_created") or 0}, now=self.app.now())  # type: ignore[attr-defined]
        self.query_one("#sim-line", Static).update(Text(line))
        found = self.query("#simulation")
        if found:
            found.first(Static).update(self._simulation_text())
