"""The Polis Textual app: modes for the inbox, stakes, accounts and networks; app-wide sync, offline
state, help, themes and the command palette.

`make_app` is the one factory shared by `polis tui`, `polis demo`, the Pilot and snapshot tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen

from screens.widgets.archive_bar import StatusArea
from wallet.settings import Settings, load_settings, remember_theme

if TYPE_CHECKING:
    from wallet.services.plan_context import ProposalContext


def _load_themes() -> Any:
    """`themes` is a top-level package beside `screens`. Until pyproject lists it among the packages
    (see the TUI notes), an editable install does not expose it, so fall back to its path."""
    try:
        import themes
    except ModuleNotFoundError:
        import importlib.util
        import sys
        from pathlib import Path

        init = Path(__file__).resolve().parents[1] / "themes" / "__init__.py"
        spec = importlib.util.spec_from_file_location("themes", init)
        assert spec is not None and spec.loader is not None
        themes = importlib.util.module_from_spec(spec)
        sys.modules["themes"] = themes
        spec.loader.exec_module(themes)
    return themes


themes = _load_themes()


def _screen(module: str, name: str) -> Screen[Any]:
    """Screens import lazily: the inbox paints before the other screens' modules are loaded."""
    from importlib import import_module

    return getattr(import_module(f"screens.{module}"), name)()


class SyncProgress(Message):
    def __init__(self, source: str, done: int, total: int, text: str) -> None:
        super().__init__()
        self.source = source
        self.done = done
        self.total = total
        self.text = text


class SyncFinished(Message):
    def __init__(self, errors: dict[str, str], reports: int) -> None:
        super().__init__()
        self.errors = errors
        self.reports = reports


class OnlineState(Message):
    def __init__(self, unreachable: dict[str, str], checked: int) -> None:
        super().__init__()
        self.unreachable = unreachable
        self.checked = checked


class ArchiveState(Message):
    def __init__(self, synced_at: int | None, proposals: int, sources: list[str]) -> None:
        super().__init__()
        self.synced_at = synced_at
        self.proposals = proposals
        self.sources = sources


class PolisApp(App[None]):
    TITLE = "Polis"
    SUB_TITLE = "governance and staking wallet"
    CSS_PATH: ClassVar[list[Any]] = list(themes.CSS_PATHS)
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar[dict[str, Any]] = {
        "inbox": lambda: _screen("inbox", "InboxScreen"),
        "stakes": lambda: _screen("stakes", "StakesScreen"),
        "accounts": lambda: _screen("accounts", "AccountsScreen"),
        "networks": lambda: _screen("networks", "NetworksScreen"),
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help", tooltip="keys of this screen and how to remap them"),
        Binding("S", "sync", "Sync", id="app.sync", tooltip="sync every followed network into the archive"),
        Binding("1", "mode('inbox')", "Inbox", id="app.inbox", tooltip="proposals of every followed network"),
        Binding("2", "mode('stakes')", "Stakes", id="app.stakes", tooltip="delegations and stakes"),
        Binding("3", "mode('accounts')", "Accounts", id="app.accounts", tooltip="keys, addresses, balances"),
        Binding("4", "mode('networks')", "Networks", id="app.networks", tooltip="followed networks, endpoint health"),
        Binding("t", "next_theme", "Theme", id="app.theme", show=False, tooltip="next theme (remembered)"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="quit; a running sync keeps what it stored"),
    ]

    def __init__(self, *, passphrase_file: str | None = None, settings: Settings | None = None,
                 clock: Callable[[], float] | None = None, check_online: bool = True,
                 persist_settings: bool = True, offline: bool = False) -> None:
        super().__init__()
        self.offline = offline
        """Never ask the network (snapshot tests, a plane): screens read the archive only."""
        self.passphrase_file = passphrase_file
        self.settings = settings or load_settings()
        self.clock = clock or time.time
        self.check_online = check_online
        self.persist_settings = persist_settings
        self._unreachable: dict[str, str] = {}
        self._checked = False
        self._archive: tuple[int | None, int, list[str]] = (None, 0, [])
        self._sync: tuple[int, int, str] | None = None
        self._sync_error = ""
        for t in themes.THEMES:
            self.register_theme(t)
        self.theme = self.settings.tui.theme if self.settings.tui.theme in self.available_themes else "polis-dark"
        if self.settings.tui.keys:
            self.set_keymap(self.settings.tui.keys)

    def now(self) -> float:
        return self.clock()

    @property
    def available_themes(self) -> dict[str, Any]:
        """Polis's themes only, once registered: the palette's one "Theme" entry lists these three.
        (Textual reads this on every style update: computed once.)"""
        ours: dict[str, Any] | None = self.__dict__.get("_polis_themes")
        if ours is None:
            found = {n: t for n, t in self._registered_themes.items() if n in themes.NAMES}
            if len(found) < len(themes.NAMES):
                return found or dict(self._registered_themes)  # still registering
            ours = self.__dict__["_polis_themes"] = found
        return ours

    @property
    def is_offline(self) -> bool:
        """Offline mode, or some followed network did not answer: screens read the archive."""
        return self.offline or bool(self._unreachable)

    def on_unmount(self) -> None:
        from screens.steady import thaw_heap

        thaw_heap()

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._theme_changed(self.current_theme)
        self.switch_mode("inbox")
        self.refresh_archive()
        if self.check_online and not self.offline:
            self._check_online()

    # --- themes ----------------------------------------------------------------------------------
    def _theme_changed(self, theme: Any) -> None:
        self.set_class(theme.name == "polis-high-contrast", "-high-contrast")
        if self.persist_settings and self.settings.tui.theme != theme.name:
            self.settings.tui.theme = theme.name
            try:
                remember_theme(theme.name)
            except OSError as exc:
                self.notify(f"could not save the theme: {exc}", severity="warning")

    def action_next_theme(self) -> None:
        names = themes.NAMES
        i = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(i + 1) % len(names)]
        self.notify(f"theme: {themes.LABELS[self.theme]}", timeout=2)

    # --- modes, help, dialogs --------------------------------------------------------------------
    def action_mode(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def pick_account(self, scheme: str = "evm") -> str | None:
        """The signing account: the first non-watch account that has a key of this scheme."""
        from wallet.errors import PolisError
        from wallet.keys.vault import Vault

        try:
            accounts = [a for a in Vault().accounts() if not a.watch_only and a.addresses.get(scheme)]
        except PolisError:
            return None
        return accounts[0].name if accounts else None

    def open_action(self, kind: str, source: str, *, subject: str = "", params: dict[str, Any] | None = None,
                    choices: list[tuple[str, str]] | None = None, account: str | None = None,
                    on_done: Callable[[], Any] | None = None, vote_type: str = "",
                    context: ProposalContext | None = None) -> None:
        from screens.action import ActionDialog
        from wallet.errors import PolisError
        from wallet.flows import capabilities

        if self.offline:
            # `polis tui --offline` promises never to touch the network; every action needs it.
            self.notify(f"offline mode: to {kind} Polis needs the network (run 'polis tui' without --offline)",
                        title="Needs the network", severity="warning")
            return
        try:
            caps = capabilities(source)
        except PolisError as exc:
            self.notify(str(exc), title="Cannot act here", severity="error")
            return
        account = account or self.pick_account(caps.key_scheme)
        if account is None:
            self.notify("no account in the vault can sign here: create or import one on Accounts (3)",
                        severity="warning")
            return

        def done(changed: bool | None) -> None:
            if changed:
                self.archive_changed()
                if on_done:
                    on_done()

        self.push_screen(ActionDialog(kind, source, account, caps, subject=subject, params=params,
                                      choices=choices or None, passphrase_file=self.passphrase_file,
                                      vote_type=vote_type, offline=self.is_offline, context=context), done)

    def open_vote(self, source: str, pid: str, *, choices: list[tuple[str, str]] | None = None,
                  subject: str = "", on_done: Callable[[], Any] | None = None, vote_type: str = "") -> None:
        from wallet.errors import PolisError
        from wallet.flows import capabilities
        from wallet.services.plan_context import proposal_context
        from wallet.services.proposal_state import refusal

        if self.offline:
            self.open_action("vote", source)  # says that voting needs the network
            return
        ctx = proposal_context(source, pid, now=self.now())
        if ctx is not None and not ctx.state.accepts_votes:
            self.notify(refusal(ctx.state, f"{ctx.title} ({ctx.short_id})"), title="No vote here", severity="warning")
            return
        try:
            caps = capabilities(source)
            if not caps.choices and not choices:
                # Per-proposal choices (Snapshot) opened from the inbox: one indexed archive read.
                from wallet.inbox import proposal_view

                v = proposal_view(source, pid, addresses=[], now=self.now())
                choices, vote_type, subject = v.choices, v.vote_type, subject or v.title
        except PolisError as exc:
            self.notify(str(exc), severity="error")
            return
        # Adapters with fixed choices (Governor, Cosmos) use theirs; per-proposal ones the archive's.
        use = caps.choices or choices or []
        self.open_action("vote", source, subject=subject or (ctx.title if ctx else f"proposal {pid}"),
                         params={"proposal": pid}, choices=use, on_done=on_done, vote_type=vote_type, context=ctx)

    # --- archive state, offline, sync ------------------------------------------------------------
    def refresh_status(self, area: StatusArea | None = None) -> None:
        from wallet.inbox import ago

        synced, n, sources = self._archive
        parts = []
        offline = self.is_offline
        if self.offline:
            parts.append("OFFLINE (offline mode) · archive from " + ago(synced, self.now()))
        elif offline:
            parts.append("OFFLINE (" + ", ".join(sorted(self._unreachable)) + " unreachable) · archive from "
                         + ago(synced, self.now()))
        else:
            parts.append(("online · " if self._checked else "") + "archive synced " + ago(synced, self.now()))
        parts.append(f"{n:,} proposals · {len(sources)} sources")
        if self._sync is not None:
            done, total, text = self._sync
            parts.insert(0, f"syncing {text}")
        elif self._sync_error:
            parts.insert(0, f"sync failed: {self._sync_error}")
        text = " · ".join(parts)
        areas = [area] if area is not None else list(self.screen.query(StatusArea))
        for a in areas:
            a.render_state(text, offline=offline, error=bool(self._sync_error),
                           progress=(self._sync[0], self._sync[1]) if self._sync else None)

    @work(thread=True, group="archive", exclusive=True, exit_on_error=False)
    def refresh_archive(self) -> None:
        from wallet.errors import PolisError
        from wallet.inbox import archive_state

        try:
            st = archive_state()
        except PolisError:
            return
        self.post_message(ArchiveState(st.synced_at, st.proposals, st.sources))

    def on_archive_state(self, msg: ArchiveState) -> None:
        self._archive = (msg.synced_at, msg.proposals, msg.sources)
        self.refresh_status()

    @work(thread=True, group="online", exclusive=True, exit_on_error=False)
    def _check_online(self) -> None:
        from wallet.errors import PolisError
        from wallet.health import check_network
        from wallet.inbox import archive_state

        try:
            nets = sorted({s.split("/")[0] for s in archive_state().sources})
            res = {k: check_network(k, timeout=self.settings.tui.health_timeout) for k in nets}
        except PolisError:
            return
        self.post_message(OnlineState({k: h.error for k, h in res.items() if not h.ok}, len(res)))

    def on_online_state(self, msg: OnlineState) -> None:
        self._unreachable = msg.unreachable
        self._checked = msg.checked > 0
        self.refresh_status()

    def action_sync(self, sources: list[str] | None = None) -> None:
        """Sync every followed source, or only `sources` (a network just followed on Networks)."""
        if self.offline:
            self.notify("offline mode: nothing is synced", timeout=3)
            return
        if self._sync is not None:
            self.notify("a sync is already running", timeout=3)
            return
        self._sync = (0, 1, "…")
        self._sync_error = ""
        self.refresh_status()
        self._run_sync(sources)

    @work(thread=True, group="sync", exclusive=True, exit_on_error=False)
    def _run_sync(self, only: list[str] | None = None) -> None:
        from textual.worker import get_current_worker

        from wallet.errors import PolisError
        from wallet.sync import followed_sources, sync_sources

        worker = get_current_worker()

        def progress(src: str, done: int, total: int, text: str) -> None:
            if worker.is_cancelled:  # quitting: stop between two committed chunks
                raise PolisError("sync stopped")
            self.post_message(SyncProgress(src, done, total, text))

        try:
            srcs = only or followed_sources()
            out = sync_sources(srcs, progress=progress)
        except Exception as exc:  # shown in the status bar, never a traceback
            self.post_message(SyncFinished({"sync": str(exc)}, 0))
            return
        self.post_message(SyncFinished(out.errors, len(out.reports)))

    def on_sync_progress(self, msg: SyncProgress) -> None:
        from wallet.textsafe import clean

        self._sync = (msg.done, msg.total, f"{msg.source}: {clean(msg.text, limit=40)}")
        self.refresh_status()

    def on_sync_finished(self, msg: SyncFinished) -> None:
        self._sync = None
        if msg.errors:
            self._sync_error = "; ".join(f"{k}: {v}" for k, v in msg.errors.items())[:200]
            self._unreachable.update({k.split("/")[0]: v for k, v in msg.errors.items() if k != "sync"})
            self.notify(self._sync_error, title="Sync", severity="error")
        else:
            self._unreachable = {}
            self.notify(f"synced {msg.reports} sources", title="Sync", timeout=3)
        self.archive_changed()

    def archive_changed(self) -> None:
        """The archive changed (sync, an included action): refresh the bar and the visible screens."""
        self.refresh_archive()
        for screen in self.screen_stack:
            hook = getattr(screen, "on_archive_changed", None)
            if hook is not None:
                hook()

    def on_worker_state_changed(self, event: Any) -> None:
        """A worker that failed unexpectedly: say so in words, never with a traceback."""
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR:
            err = event.worker.error
            self.log.error(f"worker {event.worker.name} failed", err)
            self.notify(f"{type(err).__name__}: {err}", title=f"{event.worker.name} failed", severity="error")

    # --- command palette -------------------------------------------------------------------------
    def _vote_here(self) -> None:
        """The palette's "Vote" on any screen: this screen's vote action, else the inbox's highlighted row."""
        screen = self.screen
        if hasattr(screen, "action_vote"):
            screen.action_vote()
            return
        self.switch_mode("inbox")
        self.call_after_refresh(lambda: self.screen.run_action("vote"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Sync now", "sync every followed network into the archive", self.action_sync)
        yield SystemCommand("Help: keys", "keys of this screen and their ids for remapping", self.action_help)
        for mode, text in (("inbox", "Go to the inbox"), ("stakes", "Go to delegations and stakes"),
                           ("accounts", "Go to accounts"), ("networks", "Go to networks")):
            yield SystemCommand(text, f"switch to the {mode} screen", lambda m=mode: self.action_mode(m))
        yield SystemCommand("Vote", "vote on the proposal shown, or on the inbox's highlighted one", self._vote_here)
        for b in getattr(screen, "BINDINGS", []):
            if isinstance(b, Binding) and b.description:
                yield SystemCommand(f"{type(screen).__name__.removesuffix('Screen')}: {b.description}",
                                    b.tooltip or b.description,
                                    lambda s=screen, a=b.action: s.run_action(a))


def make_app(passphrase_file: str | None = None, **kw: Any) -> PolisApp:
    return PolisApp(passphrase_file=passphrase_file, **kw)
