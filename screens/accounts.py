"""Accounts: the vault's names and per-family addresses (watch-only marked in words), create, import,
rename, remove, copy an address, and balances / voting power per followed network."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from screens.steady import SteadyHeader, SteadyResize
from screens.widgets.archive_bar import StatusArea
from screens.widgets.dialogs import ConfirmDialog, Field, FormDialog, TextDialog
from screens.widgets.footer import KeyFooter


class AccountsScreen(SteadyResize, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "New", id="accounts.new", tooltip="create a key from a new 12-word mnemonic"),
        Binding("i", "import_key", "Import", id="accounts.import",
                tooltip="import a mnemonic or private key, or watch an address"),
        Binding("e", "rename", "Rename", id="accounts.rename", tooltip="rename the highlighted account"),
        Binding("delete,x", "remove", "Remove", id="accounts.remove", tooltip="remove the highlighted account"),
        Binding("y", "copy", "Copy addr", id="accounts.copy", tooltip="copy the EVM address (terminal clipboard)"),
        Binding("b", "holdings", "Balances", id="accounts.balances",
                tooltip="balances and voting power on every followed network"),
    ]

    class Listed(Message):
        def __init__(self, accounts: list[Any], error: str = "", *, names_only: bool = False) -> None:
            super().__init__()
            self.accounts = accounts
            self.error = error
            self.names_only = names_only

    class Named(Message):
        def __init__(self, names: dict[str, str]) -> None:
            super().__init__()
            self.names = names

    class Done(Message):
        def __init__(self, text: str, *, error: bool = False, secret_words: str = "") -> None:
            super().__init__()
            self.text = text
            self.error = error
            self.secret_words = secret_words

    class Holdings(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.accounts: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        """ENS names of the accounts' EVM addresses (lower-case address → name)."""

    def compose(self) -> ComposeResult:
        yield SteadyHeader()
        yield DataTable(id="accounts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield StatusArea()
        yield KeyFooter()

    def on_mount(self) -> None:
        t = self.query_one(DataTable)
        for label, width in (("Name", 12), ("Kind", 11), ("EVM address", 42), ("Fam", 3)):
            t.add_column(label, width=width)
        self.sub_title = "accounts"
        self._list()

    @work(thread=True, exclusive=True, group="accounts", exit_on_error=False)
    def _list(self) -> None:
        from wallet.errors import PolisError
        from wallet.keys.vault import Vault

        try:
            self.post_message(self.Listed(Vault().accounts()))
        except PolisError as exc:
            self.post_message(self.Listed([], str(exc)))

    def on_accounts_screen_listed(self, msg: Listed) -> None:
        t = self.query_one(DataTable)
        t.clear()
        if self.names and "ens" not in t.columns:  # the ENS column appears once some account has a name
            t.add_column("ENS", width=24, key="ens")
        self.accounts = {a.name: a for a in msg.accounts}
        for a in msg.accounts:
            kind = "watch-only" if a.watch_only else {"mnemonic": f"mnemonic {a.words or ''}".strip(),
                                                      "private_key": "private key"}.get(a.kind, a.kind)
            ens = [Text(self.names.get(a.addresses.get("evm", "").lower(), ""))] if self.names else []
            t.add_row(Text(a.name), Text(kind), Text(a.addresses.get("evm", "-")), Text(str(len(a.addresses))),
                      *ens, key=a.name)
        detail = msg.error or ("" if msg.accounts else "the vault is empty: n creates a key, i imports one")
        self.query_one("#detail", Static).update(Text(detail))
        evm = [a.addresses["evm"] for a in msg.accounts if a.addresses.get("evm")]
        if evm and not msg.names_only:
            self._names_of(evm)

    @work(thread=True, exclusive=True, group="account-names", exit_on_error=False)
    def _names_of(self, addresses: list[str]) -> None:
        """ENS names of the EVM addresses: the archive's first, then (online) the nodes'."""
        from wallet.errors import PolisError
        from wallet.services.names import account_names

        try:
            known = account_names(addresses, ask=False)
            if known:
                self.post_message(self.Named(known))
            if not getattr(self.app, "is_offline", True):
                self.post_message(self.Named(account_names(addresses, ask=True)))
        except PolisError:
            return

    def on_accounts_screen_named(self, msg: Named) -> None:
        if msg.names and any(self.names.get(a) != n for a, n in msg.names.items()):
            self.names.update(msg.names)
            self.post_message(self.Listed(list(self.accounts.values()), names_only=True))

    def _current(self) -> Any:
        t = self.query_one(DataTable)
        if not t.row_count:
            return None
        return self.accounts.get(str(t.coordinate_to_cell_key(t.cursor_coordinate).row_key.value))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        a = self._current()
        if a is not None:
            lines = [f"{fam:<9} {addr}" for fam, addr in sorted(a.addresses.items())]
            mark = " (watch-only: cannot sign)" if a.watch_only else ""
            self.query_one("#detail", Static).update(Text(f"{a.name}{mark}\n" + "\n".join(lines)))

    # --- actions ---------------------------------------------------------------------------------
    def action_new(self) -> None:
        fields = [Field("name", "Name"), Field("pass1", "Passphrase (8+ characters)", password=True),
                  Field("pass2", "Repeat the passphrase", password=True)]

        def got(v: dict[str, str] | None) -> None:
            if v is None:
                return
            if v["pass1"] != v["pass2"]:
                self.notify("the passphrases do not match; nothing was created", severity="error")
                return
            self._work_new(v["name"].strip(), v["pass1"])

        self.app.push_screen(FormDialog("New account", fields, ok="Create",
                                        note="A new 12-word mnemonic is made and encrypted; write it down next."), got)

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False)
    def _work_new(self, name: str, passphrase: str) -> None:
        from wallet.errors import PolisError
        from wallet.keys import derive
        from wallet.keys.vault import Vault, check_new_passphrase

        try:
            check_new_passphrase(passphrase)  # the vault's rule, before the mnemonic is made
            words = derive.generate_mnemonic(12)
            meta = Vault().add_mnemonic(name, words, passphrase, origin="new")
            self.post_message(self.Done(f"created {meta.name} {meta.addresses.get('evm', '')}", secret_words=words))
        except PolisError as exc:
            self.post_message(self.Done(str(exc), error=True))

    def action_import_key(self) -> None:
        fields = [Field("name", "Name"),
                  Field("secret", "Mnemonic, private key (0x + 64 hex) or an address to watch", password=True),
                  Field("passphrase", "Passphrase to encrypt it (not needed to watch)", password=True)]

        def got(v: dict[str, str] | None) -> None:
            if v is not None:
                self._work_import(v["name"].strip(), v["secret"].strip(), v["passphrase"])

        self.app.push_screen(FormDialog("Import account", fields, ok="Import"), got)

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False)
    def _work_import(self, name: str, secret: str, passphrase: str) -> None:
        import re

        from wallet.errors import PolisError
        from wallet.keys.vault import Vault

        v = Vault()
        try:
            if re.fullmatch(r"0x[0-9a-fA-F]{40}", secret):
                from wallet.addresses import parse_evm_address

                meta = v.add_watch(name, {"evm": parse_evm_address(secret)})
            else:
                if re.fullmatch(r"(0x)?[0-9a-fA-F]{64}", secret):
                    meta = v.add_private_key(name, bytes.fromhex(secret.removeprefix("0x")), passphrase)
                else:
                    meta = v.add_mnemonic(name, secret, passphrase)
            self.post_message(self.Done(f"imported {meta.name} ({'watch-only' if meta.watch_only else meta.kind})"))
        except PolisError as exc:
            self.post_message(self.Done(str(exc), error=True))

    def action_rename(self) -> None:
        a = self._current()
        if a is None:
            return

        def got(v: dict[str, str] | None) -> None:
            if v is not None:
                self._work_rename(a.name, v["name"].strip())

        self.app.push_screen(FormDialog(f"Rename {a.name}", [Field("name", "New name", value=a.name)], ok="Rename"),
                             got)

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False)
    def _work_rename(self, old: str, new: str) -> None:
        from wallet.errors import PolisError
        from wallet.keys.vault import Vault

        try:
            Vault().rename(old, new)
            self.post_message(self.Done(f"renamed {old} to {new}"))
        except PolisError as exc:
            self.post_message(self.Done(str(exc), error=True))

    def action_remove(self) -> None:
        a = self._current()
        if a is None:
            return

        def got(yes: bool | None) -> None:
            if yes:
                self._work_remove(a.name)

        warning = "" if a.watch_only else " Its encrypted key file is deleted: without your mnemonic backup it is gone."
        self.app.push_screen(ConfirmDialog(f"Remove {a.name}?{warning}"), got)

    @work(thread=True, exclusive=True, group="vault", exit_on_error=False)
    def _work_remove(self, name: str) -> None:
        from wallet.errors import PolisError
        from wallet.keys.vault import Vault

        try:
            Vault().remove(name)
            self.post_message(self.Done(f"removed {name}"))
        except PolisError as exc:
            self.post_message(self.Done(str(exc), error=True))

    def on_accounts_screen_done(self, msg: Done) -> None:
        self.notify(msg.text, title="Accounts", severity="error" if msg.error else "information")
        if msg.secret_words:
            self.app.push_screen(TextDialog(
                "Write these words down, in order. They are the only backup of this key.", msg.secret_words))
        self._list()

    def action_copy(self) -> None:
        a = self._current()
        if a is not None and a.addresses.get("evm"):
            self.app.copy_to_clipboard(a.addresses["evm"])
            self.notify(f"copied {a.addresses['evm']}", timeout=3)

    def action_holdings(self) -> None:
        a = self._current()
        if a is None:
            return
        offline = bool(getattr(self.app, "is_offline", False))
        self.query_one("#detail", Static).update(Text(f"{a.name}: " + ("reading the archive…" if offline
                                                                       else "asking the nodes…")))
        self._work_holdings(a, a.name, offline)

    @work(thread=True, exclusive=True, group="holdings", exit_on_error=False)
    def _work_holdings(self, account: Any, name: str, offline: bool = False) -> None:
        from wallet.errors import PolisError
        from wallet.health import archived_holdings, holdings, network_rows

        try:
            if offline:
                hs = archived_holdings(account)
            else:
                hs = holdings(account, [s for n in network_rows() for s in n.followed])
        except PolisError as exc:
            self.post_message(self.Holdings(f"{name}: {exc}"))
            return
        lines = []
        for h in hs:
            if h.error:
                lines.append(f"{h.source}: unavailable ({h.error[:60]})")
            else:
                bal = ", ".join(f"{v}" for v in h.balances.values()) or "no balance"
                power = h.voting_power if h.voting_power.startswith("staked") else f"voting power {h.voting_power}"
                lines.append(f"{h.source}: {bal}" + (f" · {power}" if h.voting_power else ""))
        self.post_message(self.Holdings(f"{name}\n" + ("\n".join(lines) or ("nothing archived (offline)" if offline
                                                                              else "no followed networks"))))

    def on_accounts_screen_holdings(self, msg: Holdings) -> None:
        self.query_one("#detail", Static).update(Text(msg.text))
