"""The action dialog: a form for one vote, delegation or stake change, then the PlanPanel.

Which fields appear depends on what the source's adapter declares (choices, reason, weighted splits;
stake actions) and, on Snapshot, on the proposal's vote type: the screen never offers what an adapter
cannot do. Stake targets are picked from the adapter's `stake_targets()` (or the archive's copy when the
node is down), loaded in a worker; amounts are parsed by the adapter (`parse_amount`) when planning.

Layout at 80×24: the form and the plan scroll in the body; the buttons sit in a row docked under it, so
"Review plan" and "Sign and send" are always on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from screens.widgets.plan_panel import PlanPanel
from wallet.errors import BadInput
from wallet.flows import ActionRequest, Capabilities, TargetChoices

if TYPE_CHECKING:
    from wallet.services.plan_context import ProposalContext

TITLES = {"vote": "Vote", "delegate": "Delegate voting power", "stake": "Stake", "unstake": "Unstake",
          "move": "Move stake (redelegate)", "claim": "Claim rewards", "withdraw": "Withdraw"}
WEIGHTED_TYPES = ("weighted", "quadratic")


class ChoiceButton(RadioButton):
    """A radio button whose mark is a shape, not only a colour: "●" when picked, blank otherwise."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802  (Textual's class attribute, read here)
        return "●" if self.value else " "


class ApproveBox(Checkbox):
    """A checkbox whose mark is "X" when ticked and blank otherwise (not colour alone)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802
        return "X" if self.value else " "


class ActionDialog(ModalScreen[bool]):
    """Dismisses with True when something was included on chain (the caller reloads)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="action.cancel",
                tooltip="close; nothing is signed before you confirm"),
    ]

    class Targets(Message):
        def __init__(self, choices: TargetChoices) -> None:
            super().__init__()
            self.choices = choices

    def __init__(self, kind: str, source: str, account: str, caps: Capabilities, *, subject: str = "",
                 params: dict[str, Any] | None = None, choices: list[tuple[str, str]] | None = None,
                 passphrase_file: str | None = None, vote_type: str = "", offline: bool = False,
                 context: ProposalContext | None = None) -> None:
        super().__init__()
        self.context = context
        """The archive's view of the proposal voted on: its title, network/DAO, state and deadline head the dialog."""
        self.kind = kind
        self.source = source
        self.account = account
        self.caps = caps
        self.subject = subject
        self.params = dict(params or {})
        self.choices = choices or caps.choices
        self.passphrase_file = passphrase_file
        self.vote_type = vote_type
        """Snapshot's vote type of the proposal ("" for fixed-choice adapters)."""
        self.offline = offline
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog action-dialog", id="action-dialog"):
            with VerticalScroll(id="action-body"):
                yield Static(Text(f"{TITLES.get(self.kind, self.kind)} · {self.source} · account {self.account}"),
                             classes="dialog-title")
                ctx = self.context
                if ctx is not None:
                    # What is voted on, before anything else: title, network/DAO, state, deadline, id.
                    yield Static(Text(ctx.title, style="bold"), id="subject", classes="subject")
                    where = ctx.source if ctx.dao in ("", ctx.source) else f"{ctx.source} ({ctx.dao})"
                    yield Static(Text(" · ".join(x for x in (where, ctx.state.text, ctx.state.deadline,
                                                             f"id {ctx.short_id}") if x)),
                                 id="subject-meta", classes="hint subject")
                elif self.subject:
                    yield Static(Text(self.subject), id="subject", classes="hint subject")
                yield from self._fields()
                yield PlanPanel(self._request, passphrase_file=self.passphrase_file, id="plan-panel")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Review plan", id="plan", variant="primary", compact=True)
                yield Button("Sign and send", id="sign", variant="warning", compact=True)

    # --- the form --------------------------------------------------------------------------------
    def _fields(self) -> ComposeResult:
        p = self.params
        if self.kind == "vote":
            yield from self._vote_fields()
        elif self.kind == "delegate":
            yield Label("Delegate to (address, or 'self')")
            yield Input(value=str(p.get("to", "self")), id="to", compact=True)
        else:
            label = {"claim": "Target (blank = all)", "move": "From"}.get(self.kind, "Target")
            yield Label(f"{label} (validator / hotkey / window)")
            yield self._picker("target", p.get("target"), blank=self.kind == "claim")
            if self.kind == "move":
                yield Label("To")
                yield self._picker("dest", p.get("dest"))
            if self.kind in ("stake", "unstake", "move", "withdraw"):
                yield Label("Amount" + (" (blank = all)" if self.kind in ("unstake", "move", "withdraw") else "")
                            + f", e.g. 1.5 — parsed by {self.source}")
                yield Input(value=str(p.get("amount", "")), id="amount", compact=True, placeholder="amount")
                with Horizontal(id="subnet-row", classes="row -hidden"):
                    yield Label("Subnet ")
                    yield self._picker("subtarget", p.get("subtarget"), blank=True, prompt="root / none")
            yield Static("loading targets…", id="targets-note", classes="hint")

    def _picker(self, wid: str, current: Any, *, blank: bool = False, prompt: str = "pick one") -> Select[str]:
        cur = str(current or "")
        options = [(cur, cur)] if cur else []
        return Select(options, id=wid, prompt=prompt, allow_blank=True, value=cur if cur else Select.NULL,
                      compact=True)

    def _vote_fields(self) -> ComposeResult:
        vt = self.vote_type
        numbered = "  ".join(f"{i}={label}" for i, (_k, label) in enumerate(self.choices, 1))
        if vt == "approval":
            yield Label("Approve one or more")
            for i, (key, label) in enumerate(self.choices):
                yield ApproveBox(Text(label), value=i == 0, name=key, classes="approve", compact=True)
        elif vt == "ranked-choice":
            yield Label(Text(f"Rank every choice, best first: {numbered}"))
            yield Input(value=">".join(k for k, _ in self.choices), id="ranking", compact=True)
        elif vt in WEIGHTED_TYPES:
            yield Label(Text(f"Weights, CHOICE=WEIGHT: {numbered}"))
            yield Input(value=f"{self.choices[0][0]}=1" if self.choices else "", id="weights", compact=True)
        else:
            yield Label("Choice")
            with RadioSet(id="choice", compact=True):
                for i, (key, label) in enumerate(self.choices):
                    yield ChoiceButton(Text(label.upper()), value=i == 0, name=key, compact=True)
            if self.caps.weighted and not vt:
                yield Label(Text(f"Split (optional), {self.caps.weights_hint or 'e.g. yes=0.7,no=0.3'}"))
                yield Input(placeholder="blank = the single choice above", id="weights", compact=True)
        if self.caps.reason:
            yield Label("Reason (optional" + (", recorded on chain)" if not self.caps.offchain else ")"))
            yield Input(placeholder="why you vote this way", id="reason", max_length=1000, compact=True)

    def on_mount(self) -> None:
        self.query_one(PlanPanel).bind_buttons(self.query_one("#plan", Button), self.query_one("#sign", Button))
        self.query("RadioSet, Checkbox, Select, Input").first().focus()
        if self.query("#target"):
            self._load_targets()

    @work(thread=True, exclusive=True, group="targets", exit_on_error=False)
    def _load_targets(self) -> None:
        from wallet.errors import PolisError
        from wallet.flows import stake_choices

        try:
            choices = stake_choices(self.source, offline=self.offline)
        except PolisError as exc:
            choices = TargetChoices([], [], f"no targets: {exc}")
        self.post_message(self.Targets(choices))

    def on_action_dialog_targets(self, msg: Targets) -> None:
        c = msg.choices
        for wid in ("target", "dest"):
            for sel in self.query(f"#{wid}").results(Select):
                self._set_options(sel, c.targets)
        if c.subnets:
            self.query_one("#subnet-row").remove_class("-hidden")
            for sel in self.query("#subtarget").results(Select):
                self._set_options(sel, c.subnets)
        n = len(c.targets)
        self.query_one("#targets-note", Static).update(
            Text(" · ".join(x for x in (f"{n} targets" if n else "", c.note) if x)))

    @staticmethod
    def _set_options(sel: Select[str], options: list[tuple[str, str]]) -> None:
        cur = sel.value
        opts = list(options)
        if isinstance(cur, str) and cur and cur not in {v for _, v in opts}:
            opts.insert(0, (cur, cur))  # keep the position's own target even when the list lacks it
        sel.set_options(opts)
        if isinstance(cur, str) and cur:
            sel.value = cur

    def _value(self, wid: str) -> str:
        found = self.query(f"#{wid}")
        if not found:
            return ""
        w = found.first()
        if isinstance(w, Select):
            return w.value if isinstance(w.value, str) else ""
        return w.value.strip() if isinstance(w, Input) else ""

    def _request(self) -> ActionRequest:
        """Read the form (called by the PlanPanel); BadInput for a form that cannot be planned."""
        params: dict[str, Any] = dict(self.params)
        if self.kind == "vote":
            vt = self.vote_type
            if vt == "approval":
                picked = [c.name or "" for c in self.query(".approve").results(Checkbox) if c.value]
                if not picked:
                    raise BadInput("approve at least one choice")
                params["choice"] = ",".join(picked)
            elif vt == "ranked-choice":
                params["choice"] = self._value("ranking")
            elif vt in WEIGHTED_TYPES:
                params["choice"] = self._value("weights")
            else:
                btn = self.query_one("#choice", RadioSet).pressed_button
                if btn is None:
                    raise BadInput("pick a choice")
                params["choice"] = btn.name
                weights = self._value("weights")
                if weights:
                    try:
                        params["weights"] = dict(part.split("=", 1) for part in weights.replace(" ", "").split(",")
                                                 if part)
                    except ValueError:
                        raise BadInput("write the split as choice=share pairs, e.g. yes=0.7,no=0.3") from None
            params["reason"] = self._value("reason")
        elif self.kind == "delegate":
            params["to"] = self._value("to")
        else:
            for f in ("target", "dest", "amount", "subtarget"):
                if self.query(f"#{f}"):
                    params[f] = self._value(f)
            if self.kind != "claim" and not params.get("target"):
                raise BadInput("pick a target")
            if self.kind == "move" and not params.get("dest"):
                raise BadInput("pick where to move the stake")
        return ActionRequest(kind=self.kind, source=self.source, account=self.account, params=params)

    # --- driving ---------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a form field asks for a plan only while none is shown; under review it moves to the
        Sign button (it never re-plans or signs behind the user's back); after the result it closes."""
        if event.input.id == "passphrase":
            return
        event.stop()
        panel = self.query_one(PlanPanel)
        if panel.stage in ("idle", "error"):
            panel.start_plan()
        elif panel.stage == "review":
            self.query_one("#sign", Button).focus()
            self.app.notify("the plan above is what would be signed: press Sign and send, or Esc", timeout=4)
        elif panel.stage == "done":
            self.action_cancel()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id not in ("passphrase", None):
            self.query_one(PlanPanel).form_changed()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.query_one(PlanPanel).form_changed()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.query_one(PlanPanel).form_changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.query_one(PlanPanel).form_changed()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        panel = self.query_one(PlanPanel)
        event.stop()
        if event.button.id == "plan":
            panel.start_plan()
        elif event.button.id == "sign":
            panel.start_sign()
        elif event.button.id == "cancel":
            self.action_cancel()

    def on_plan_panel_finished(self, msg: PlanPanel.Finished) -> None:
        self.changed = msg.result is not None
        if msg.result is not None:
            self.app.notify(msg.text, title=TITLES.get(self.kind, self.kind), timeout=8)
        close = self.query_one("#cancel", Button)
        close.label = "Close"
        self.call_after_refresh(close.focus)  # Enter now closes the dialog

    def action_cancel(self) -> None:
        if self.query_one(PlanPanel).stage == "signing":
            self.app.notify("the transaction is being signed and sent; wait for the result", severity="warning")
            return
        self.dismiss(self.changed)
