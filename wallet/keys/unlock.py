"""The one unlock policy every adapter uses.

Order: `--passphrase-file PATH`, then `POLIS_PASSPHRASE_FILE`, then `POLIS_PASSPHRASE` (weaker: the
environment of a process can be read by its user's other processes), then the OS keyring if the user
opted in with `polis keys remember`, then a prompt without echo on a terminal. Not a terminal and no
source: fail at once with NotInteractive, naming the options. A passphrase never travels on argv.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wallet.errors import BadInput, NotInteractive, VaultError, WrongPassphrase
from wallet.keys.signer import Signer
from wallet.keys.vault import AccountMeta, Vault

KEYRING_SERVICE = "polis-wallet"
PROMPT_TRIES = 3
"""Tries a user gets at a passphrase prompt on a terminal; a passphrase from a file, the environment or
the keyring is tried once (a script with a wrong one must fail at once, not hang)."""

OPTIONS_HELP = (
    "give a passphrase with --passphrase-file PATH, POLIS_PASSPHRASE_FILE=PATH, POLIS_PASSPHRASE "
    "(weaker), or 'polis keys remember NAME' (OS keyring), or run in a terminal to be prompted"
)


def is_interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class UnlockPolicy:
    passphrase_file: str | None = None
    interactive: bool | None = None
    """None: decide from whether stdin is a terminal."""
    prompt: Callable[[str], str] | None = None
    """Replaces getpass (the TUI passes its own password dialog result)."""
    _cache: dict[str, object] = field(default_factory=dict, repr=False)
    _verified: dict[str, str] = field(default_factory=dict, repr=False)

    def _interactive(self) -> bool:
        return is_interactive() if self.interactive is None else self.interactive

    def _from_sources(self, meta: AccountMeta | None) -> str | None:
        path = self.passphrase_file or os.environ.get("POLIS_PASSPHRASE_FILE")
        if path:
            return read_passphrase_file(path)
        env = os.environ.get("POLIS_PASSPHRASE")
        if env:
            return env
        if meta is not None and meta.remembered:
            stored = keyring_get(meta)
            if stored:
                return stored
        return None

    def passphrase(self, meta: AccountMeta) -> str:
        if meta.id in self._verified:
            return self._verified[meta.id]
        got = self._from_sources(meta)
        if got is not None:
            return got
        if not self._interactive():
            raise NotInteractive(f"account {meta.name!r} needs its passphrase and this run is not interactive",
                                 hint=OPTIONS_HELP)
        return self._ask(f"Passphrase for {meta.name}: ")

    def new_passphrase(self, name: str) -> str:
        """A passphrase for a new key: from the same sources, or prompted twice."""
        from wallet.keys.vault import MIN_PASSPHRASE, check_new_passphrase

        got = self._from_sources(None)
        if got is not None:
            return check_new_passphrase(got)
        if not self._interactive():
            raise NotInteractive(f"a passphrase is needed to encrypt {name!r} and this run is not interactive",
                                 hint=OPTIONS_HELP)
        first = check_new_passphrase(self._ask(f"New passphrase for {name} ({MIN_PASSPHRASE}+ characters): "))
        if self._ask("Repeat the passphrase: ") != first:
            raise BadInput("the passphrases do not match")
        return first

    def _ask(self, prompt: str) -> str:
        if self.prompt is not None:
            return self.prompt(prompt)
        import getpass

        from wallet import budget

        try:
            with budget.paused():  # typing the passphrase is not the command's time
                return getpass.getpass(prompt)
        except (EOFError, KeyboardInterrupt):
            raise NotInteractive("no passphrase given", hint=OPTIONS_HELP) from None

    def unlock(self, vault: Vault, meta: AccountMeta) -> Unlocked:
        """Decrypt once per process; later calls for the same account reuse it."""
        if meta.id in self._cache:
            return self._cache[meta.id]  # type: ignore[return-value]
        retry = self.prompt is None and self._from_sources(meta) is None and meta.id not in self._verified
        for attempt in range(1, PROMPT_TRIES + 1 if retry else 2):
            passphrase = self.passphrase(meta)
            try:
                secret = vault.read_secret(meta, passphrase)
                break
            except WrongPassphrase:
                if attempt >= (PROMPT_TRIES if retry else 1):
                    raise
                left = PROMPT_TRIES - attempt
                sys.stderr.write(f"wrong passphrase; try again ({left} {'try' if left == 1 else 'tries'} left)\n")
        self._verified[meta.id] = passphrase
        unlocked = Unlocked(meta, secret)
        self._cache[meta.id] = unlocked
        return unlocked


def read_passphrase_file(path: str) -> str:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise BadInput(f"cannot read the passphrase file {path}: {exc.strerror}") from None
    text = text.rstrip("\r\n")
    if not text:
        raise BadInput(f"the passphrase file {path} is empty")
    return text


class Unlocked:
    """A decrypted account: gives signers per key scheme. Holds the secret only in memory."""

    def __init__(self, meta: AccountMeta, secret: bytes) -> None:
        self.meta = meta
        self.__secret = secret

    def __repr__(self) -> str:
        return f"Unlocked({self.meta.name})"

    def mnemonic(self) -> str | None:
        return self.__secret.decode() if self.meta.kind == "mnemonic" else None

    def private_key(self, scheme: str = "evm") -> bytes:
        if self.meta.kind == "private_key":
            if scheme not in self.meta.addresses:  # a raw key has the one scheme it was imported as (evm)
                raise VaultError(f"{self.meta.name} is an EVM private key; it has no {scheme} key")
            return self.__secret
        from wallet.keys import derive

        return derive.scheme(scheme).private_key(self.__secret.decode(), self.meta.index)

    def signer(self, scheme: str = "evm") -> Signer:
        """A signer for key `scheme`; checked against the address recorded when the key was added."""
        from wallet.keys import derive

        signer = derive.scheme(scheme).signer(self.private_key(scheme))
        recorded = self.meta.addresses.get(scheme)
        if recorded is None:
            # A scheme added after this account was created: record its address now.
            self.meta.addresses[scheme] = signer.address
        elif signer.address.lower() != recorded.lower():
            raise VaultError(f"the {scheme} key of {self.meta.name} does not match its recorded address")
        return signer


# --- OS keyring (opt-in) -----------------------------------------------------------------------

def _keyring() -> Any:
    import keyring
    from keyring.backends import fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise VaultError("no OS keyring is available on this machine (headless?)",
                         hint="use --passphrase-file or POLIS_PASSPHRASE_FILE instead")
    return keyring


def keyring_get(meta: AccountMeta) -> str | None:
    try:
        return _keyring().get_password(KEYRING_SERVICE, meta.id)
    except VaultError:
        return None
    except Exception:  # a broken keyring backend must not stop the other sources
        return None


def remember(vault: Vault, meta: AccountMeta, passphrase: str) -> None:
    vault.read_secret(meta, passphrase)  # verify before storing
    kr = _keyring()
    try:
        kr.set_password(KEYRING_SERVICE, meta.id, passphrase)
    except Exception as exc:
        raise VaultError(f"the OS keyring refused to store it ({type(exc).__name__})") from None
    meta.remembered = True
    vault.update(meta)


def forget(vault: Vault, meta: AccountMeta) -> None:
    try:
        _keyring().delete_password(KEYRING_SERVICE, meta.id)
    except VaultError:
        pass
    except Exception:
        pass
    meta.remembered = False
    vault.update(meta)
