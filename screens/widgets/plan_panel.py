"""The plan → review → unlock → sign → result part of every action dialog.

The dialog above it collects the form; `PlanPanel` asks the adapter for a plan in a worker, shows the
exact human summary, checks and fee, takes the passphrase in a password field, and unlocks, signs and
waits for inclusion in another worker. The stage is a reactive that only toggles a class; the .tcss
decides what is visible. Nothing here blocks the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Input, Static

from wallet.flows import ActionRequest

if TYPE_CHECKING:
    from wallet.models import ActionResult

STAGES = ("idle", "planning", "review", "signing", "done", "error")


class PlanPanel(Vertical):
    """Plans and runs the request that `build` returns (build raises BadInput for a bad form)."""

    stage: reactive[str] = reactive("idle")
    """idle · planning · review · signing · done · error; mirrored as the class `-<stage>`."""

    class Planned(Message):
        def __init__(self, adapter: Any, plan: Any, lines: list[str], pass_source: str | None) -> None:
            super().__init__()
            self.adapter = adapter
            self.plan = plan
            self.lines = lines
            self.pass_source = pass_source

    class Step(Message):
        def __init__(self, name: str, detail: str) -> None:
            super().__init__()
            self.name = name
            self.detail = detail

    class Failed(Message):
        def __init__(self, message: str, hint: str, *, during: str, noop: bool = False,
                     wrong_passphrase: bool = False) -> None:
            super().__init__()
            self.message = message
            self.hint = hint
            self.during = during
            self.noop = noop
            self.wrong_passphrase = wrong_passphrase

    class Finished(Message):
        """Posted when an action was included (or turned out to be already done)."""

        def __init__(self, panel: PlanPanel, result: ActionResult | None, text: str) -> None:
            super().__init__()
            self.panel = panel
            self.result = result
            self.text = text

        @property
        def control(self) -> PlanPanel:
            return self.panel

    def __init__(self, build: Callable[[], ActionRequest], *, passphrase_file: str | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.build = build
        self.passphrase_file = passphrase_file
        self._adapter: Any = None
        self._plan: Any = None
        self._plan_button: Button | None = None
        self._sign_button: Button | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="plan-summary")
        yield Static("", id="pass-note", classes="hint")
        yield Input(password=True, placeholder="passphrase", id="passphrase", compact=True)
        yield Static("", id="plan-progress")

    def bind_buttons(self, plan: Button, sign: Button) -> None:
        """The dialog owns the buttons (docked so they never scroll away); the panel labels and focuses
        them. The dialog's screen carries the stage class too, so its .tcss shows the right button."""
        self._plan_button, self._sign_button = plan, sign
        self.screen.add_class(f"-{self.stage}")

    def watch_stage(self, old: str, new: str) -> None:
        for node in (self, self.screen):
            node.remove_class(f"-{old}")
            node.add_class(f"-{new}")

    def on_unmount(self) -> None:
        if self._adapter is not None and self.stage != "signing":
            self._adapter.close()

    # --- driving ---------------------------------------------------------------------------------
    def start_plan(self) -> None:
        from wallet.errors import PolisError
        from wallet.flows import explain

        try:
            req = self.build()
        except PolisError as exc:
            self._show_error(*explain(exc))
            return
        self.stage = "planning"
        self._progress(f"asking the node for a plan of this {req.kind}…")
        self._plan_worker(req)

    def start_sign(self) -> None:
        if self.stage != "review" or self._plan is None:
            return
        box = self.query_one("#passphrase", Input)
        if box.has_class("-needed") and not box.value:
            self._progress("type the passphrase of the account to unlock it", error=True)
            box.focus()
            return
        self.stage = "signing"
        self._progress("unlocking the key…")
        self._sign_worker(box.value or None)
        box.value = ""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "passphrase":
            event.stop()
            self.start_sign()

    def form_changed(self) -> None:
        """The form changed under a plan being reviewed: that plan is no longer what would be signed."""
        if self.stage != "review":
            return
        self._plan = None
        self.stage = "idle"
        self.query_one("#plan-summary", Static).update(Text(""))
        self._progress("the form changed: Review plan again before signing")

    # --- workers ---------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def _plan_worker(self, req: ActionRequest) -> None:
        from wallet.errors import AlreadyDone
        from wallet.flows import explain, passphrase_source, plan_action, plan_lines

        try:
            adapter, plan = plan_action(req)
        except AlreadyDone as exc:
            self.post_message(self.Failed(*explain(exc), during="plan", noop=True))
            return
        except Exception as exc:  # shown in the dialog, never as a traceback
            self.post_message(self.Failed(*explain(exc), during="plan"))
            return
        self.post_message(self.Planned(adapter, plan, plan_lines(plan),
                                       passphrase_source(req.account, self.passphrase_file)))

    @work(thread=True, exclusive=True, group="sign", exit_on_error=False)
    def _sign_worker(self, passphrase: str | None) -> None:
        from wallet.errors import WrongPassphrase
        from wallet.flows import explain, run_plan

        def step(name: str, detail: str) -> None:
            self.post_message(self.Step(name, detail))

        try:
            result = run_plan(self._adapter, self._plan, passphrase=passphrase, passphrase_file=self.passphrase_file,
                              on_step=step)
        except WrongPassphrase as exc:
            self.post_message(self.Failed(*explain(exc), during="sign", wrong_passphrase=True))
            return
        except Exception as exc:
            self.post_message(self.Failed(*explain(exc), during="sign"))
            return
        from wallet.units import fee_text

        fee = fee_text(result.fee_paid or 0, self._plan.fee_symbol, self._plan.fee_decimals)
        text = f"done: {self._plan.kind} included in block {result.block} · tx {result.tx_hash} · fee {fee}"
        self.post_message(self.Finished(self, result, text))

    # --- messages from the workers ---------------------------------------------------------------
    def on_plan_panel_planned(self, msg: Planned) -> None:
        msg.stop()
        if self._adapter is not None and self._adapter is not msg.adapter:
            self._adapter.close()
        self._adapter, self._plan = msg.adapter, msg.plan
        self.query_one("#plan-summary", Static).update(Text("\n".join(msg.lines)))
        box = self.query_one("#passphrase", Input)
        note = self.query_one("#pass-note", Static)
        box.set_class(msg.pass_source is None, "-needed")
        note.update(Text(f"The key unlocks with {msg.pass_source}." if msg.pass_source
                         else f"Type the passphrase of {msg.plan.account} to sign."))
        self.stage = "review"
        self._progress("review the plan, then Sign and send (Esc cancels; nothing is signed yet)")
        target = box if msg.pass_source is None else self._sign_button
        if target is not None:
            # The Sign button is shown by the stage class: focus it once that style is applied.
            self.call_after_refresh(target.focus)

    def on_plan_panel_step(self, msg: Step) -> None:
        msg.stop()
        words = {"unlocking": "unlocking the key", "signing": "signing and sending",
                 "sent": "sent, waiting for inclusion", "confirmed": "included"}
        self._progress(f"{words.get(msg.name, msg.name)} {msg.detail}".strip())

    def on_plan_panel_failed(self, msg: Failed) -> None:
        msg.stop()
        if msg.noop:
            self.stage = "done"
            self._progress(f"already done: {msg.message}")
            self.post_message(self.Finished(self, None, msg.message))
            return
        if msg.wrong_passphrase:
            self.stage = "review"
            self._progress(f"{msg.message}. {msg.hint}", error=True)
            self.query_one("#passphrase", Input).focus()
            return
        self._show_error(msg.message, msg.hint)

    def on_plan_panel_finished(self, msg: Finished) -> None:
        # Let it bubble to the dialog; record the visible result here.
        self.stage = "done"
        self._progress(msg.text)

    def _show_error(self, message: str, hint: str) -> None:
        self.stage = "error"
        self._progress(f"error: {message}" + (f"\nwhat to do: {hint}" if hint else ""), error=True)
        if self._plan_button is not None:
            self._plan_button.label = "Try again"

    def _progress(self, text: str, *, error: bool = False) -> None:
        w = self.query_one("#plan-progress", Static)
        w.update(Text(text))
        w.set_class(error, "error")
