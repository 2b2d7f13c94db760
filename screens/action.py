"""The action dialog: a form for one vote, delegation or stake change, then the PlanPanel.

Which fields appear depends on what the source's adapter declares (choices, reason, weighted splits;
stake actions): the screen never offers what an adapter cannot do.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from screens.widgets.plan_panel import PlanPanel
from wallet.errors import BadInput
from wallet.flows import ActionRequest, Capabilities

TITLES = {"vote": "Vote", "delegate": "Delegate voting power", "stake": "Stake", "unstake": "Unstake",
          "move": "Move stake (redelegate)", "claim": "Claim rewards"}


class ActionDialog(ModalScreen[bool]):
    """Dismisses with True when something was included on chain (the caller reloads)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="action.cancel", tooltip="close; nothing is signed before you confirm"),
    ]

    def __init__(self, kind: str, source: str, account: str, caps: Capabilities, *, subject: str = "",
                 params: dict[str, Any] | None = None, choices: list[tuple[str, str]] | None = None,
                 passphrase_file: str | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.source = source
        self.account = account
        self.caps = caps
        self.subject = subject
        self.params = dict(params or {})
        self.choices = choices or caps.choices
        self.passphrase_file = passphrase_file
        self.changed = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="action-dialog"):
            yield Static(Text(f"{TITLES.get(self.kind, self.kind)} · {self.source} · account {self.account}"),
                         classes="dialog-title")
            if self.subject:
                yield Static(Text(self.subject), classes="hint")
            yield from self._fields()
            yield PlanPanel(self._request, passphrase_file=self.passphrase_file, id="plan-panel")

    def _fields(self) -> ComposeResult:
        p = self.params
        if self.kind == "vote":
            yield Label("Choice")
            with RadioSet(id="choice"):
                for i, (key, label) in enumerate(self.choices):
                    yield RadioButton(Text(label.upper()), value=i == 0, name=key)
            if self.caps.weighted:
                yield Label(Text("Weighted split (optional): choice=share, e.g. yes=0.7,no=0.3"))
                yield Input(placeholder="leave empty for a single choice", id="weights")
            if self.caps.reason:
                yield Label("Reason (optional, recorded on chain)")
                yield Input(placeholder="why you vote this way", id="reason", max_length=1000)
        elif self.kind == "delegate":
            yield Label("Delegate to (address, or 'self')")
            yield Input(value=str(p.get("to", "self")), id="to")
        elif self.kind in ("stake", "unstake", "move", "claim"):
            label = {"claim": "Target (empty = all)", "move": "From target"}.get(self.kind, "Target (validator / hotkey / window)")
            yield Label(label)
            yield Input(value=str(p.get("target", "")), id="target")
            if self.kind == "move":
                yield Label("To target")
                yield Input(value=str(p.get("dest", "")), id="dest")
            if self.kind != "claim":
                yield Label("Amount" + (" (empty = all)" if self.kind in ("unstake", "move") else ""))
                yield Input(value=str(p.get("amount", "")), id="amount")
                yield Label("Subnet / sub-target (optional)")
                yield Input(value=str(p.get("subtarget", "")), id="subtarget")

    def on_mount(self) -> None:
        first = self.query("RadioSet, Input").first()
        first.focus()

    def _value(self, wid: str) -> str:
        found = self.query(f"#{wid}")
        return found.first(Input).value.strip() if found else ""

    def _request(self) -> ActionRequest:
        """Read the form (called by the PlanPanel); BadInput for a form that cannot be planned."""
        params: dict[str, Any] = dict(self.params)
        if self.kind == "vote":
            rs = self.query_one("#choice", RadioSet)
            btn = rs.pressed_button
            if btn is None:
                raise BadInput("pick a choice")
            params["choice"] = btn.name
            params["reason"] = self._value("reason")
            weights = self._value("weights")
            if weights:
                try:
                    params["weights"] = dict(part.split("=", 1) for part in weights.replace(" ", "").split(",") if part)
                except ValueError:
                    raise BadInput("write weights as choice=share pairs, e.g. yes=0.7,no=0.3") from None
        elif self.kind == "delegate":
            params["to"] = self._value("to")
        else:
            for f in ("target", "dest", "amount", "subtarget"):
                if self.query(f"#{f}"):
                    params[f] = self._value(f)
        return ActionRequest(kind=self.kind, source=self.source, account=self.account, params=params)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "passphrase":
            event.stop()
            self.query_one(PlanPanel).start_plan()

    def on_plan_panel_finished(self, msg: PlanPanel.Finished) -> None:
        self.changed = msg.result is not None
        if msg.result is not None:
            self.app.notify(msg.text, title=TITLES.get(self.kind, self.kind), timeout=8)

    def action_cancel(self) -> None:
        if self.query_one(PlanPanel).stage == "signing":
            self.app.notify("the transaction is being signed and sent; wait for the result", severity="warning")
            return
        self.dismiss(self.changed)
