"""The vault: one encrypted keystore file per secret plus one public metadata file per account.

Layout under the data dir (0700):
  vault/<id>.json           public metadata: name, kind, addresses per key scheme, paths (no unlock needed)
  vault/<id>.keystore.json  keystore v3 of the secret: the mnemonic phrase or a raw private key (0600)
Watch-only accounts have metadata only.
"""

from __future__ import annotations

import json
import os
import re
import stat
import time
from pathlib import Path
from typing import Any, Literal

from wallet.errors import BadInput, VaultError
from wallet.keys import keystore
from wallet.paths import atomic_write, ensure_private_dir, vault_dir
from wallet.records import Value

Kind = Literal["mnemonic", "private_key", "watch"]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class AccountMeta(Value):
    """An account's public record in the vault (a plain record: wallet/records.py)."""

    _fields = ("id", "name", "kind", "addresses", "paths", "index", "words", "created", "remembered", "origin")
    id: str
    name: str
    kind: Kind
    addresses: dict[str, str]
    """Family -> address (evm, cosmos, substrate …); derived at creation, readable without unlock."""
    paths: dict[str, str]
    index: int
    words: int | None
    created: int
    remembered: bool
    """True when the user opted to keep this account's passphrase in the OS keyring."""
    origin: str
    """How it entered the vault: new, mnemonic, private-key, keystore, watch."""

    def __init__(self, id: str, name: str, kind: Kind, addresses: dict[str, str],  # noqa: A002 (the field's name)
                 paths: dict[str, str] | None = None, index: int = 0, words: int | None = None, created: int = 0,
                 remembered: bool = False, origin: str = "") -> None:
        self.id = id
        self.name = name
        self.kind = kind
        self.addresses = addresses
        self.paths = {} if paths is None else paths
        self.index = index
        self.words = words
        self.created = created
        self.remembered = remembered
        self.origin = origin

    @property
    def watch_only(self) -> bool:
        return self.kind == "watch"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "addresses": self.addresses,
            "paths": self.paths, "index": self.index, "words": self.words, "created": self.created,
            "remembered": self.remembered, "origin": self.origin,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> AccountMeta:
        return cls(
            id=str(doc["id"]), name=str(doc["name"]), kind=doc["kind"], addresses=dict(doc["addresses"]),
            paths=dict(doc.get("paths", {})), index=int(doc.get("index", 0)), words=doc.get("words"),
            created=int(doc.get("created", 0)), remembered=bool(doc.get("remembered", False)),
            origin=str(doc.get("origin", "")),
        )


def validate_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise BadInput(f"bad account name {name!r}: letters, digits, '.', '_', '-' (max 64)")
    return name


MIN_PASSPHRASE = 8
"""The shortest passphrase a new vault secret may be encrypted with (characters)."""


def check_new_passphrase(passphrase: str) -> str:
    """The vault's passphrase rule, for every way a secret enters it (CLI, TUI, btcli import); prompts
    call it too, to say so before asking for the repeat."""
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise BadInput(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
    return passphrase


class Vault:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or vault_dir()

    # --- reading -------------------------------------------------------------------------------
    def _meta_files(self) -> list[Path]:
        if not self.root.exists():
            return []
        return sorted(p for p in self.root.glob("*.json") if not p.name.endswith(".keystore.json"))

    def accounts(self) -> list[AccountMeta]:
        out = []
        for p in self._meta_files():
            try:
                out.append(AccountMeta.from_json(keystore.load_json(p.read_bytes(), str(p))))
            except (VaultError, KeyError, TypeError, ValueError):
                raise VaultError(f"vault metadata {p} is corrupt; restore it from a backup or remove it") from None
        return sorted(out, key=lambda a: a.created)

    def get(self, name_or_address: str) -> AccountMeta:
        accounts = self.accounts()
        for a in accounts:
            if a.name == name_or_address:
                return a
        low = name_or_address.lower()
        for a in accounts:
            if any(addr.lower() == low for addr in a.addresses.values()):
                return a
        names = ", ".join(a.name for a in accounts) or "none yet: 'polis keys new NAME'"
        raise BadInput(f"no account {name_or_address!r} in the vault (accounts: {names})")

    def signers(self, scheme: str | None = None) -> list[AccountMeta]:
        """Accounts that can sign (never watch-only ones), with an address of key `scheme` when it is given."""
        return [a for a in self.accounts() if not a.watch_only and (scheme is None or a.addresses.get(scheme))]

    def default(self, scheme: str | None = None) -> AccountMeta:
        """The account a write uses when none is named: the only one that can sign (for key `scheme`).
        Watch-only accounts never count, so `keys import cold --watch …` beside one key changes nothing."""
        accounts = self.accounts()
        if not accounts:
            raise BadInput("the vault is empty: create a key with 'polis keys new NAME' or import one")
        signers = self.signers(scheme)
        if len(signers) == 1:
            return signers[0]
        if not signers:
            watch = [a.name for a in accounts if a.watch_only]
            what = f" for {scheme}" if scheme else ""
            why = f" ({', '.join(watch)} {'is' if len(watch) == 1 else 'are'} watch-only)" if watch else ""
            raise BadInput(f"no account in the vault can sign{what}{why}",
                           hint="create a key with 'polis keys new NAME' or import one")
        raise BadInput(f"several accounts can sign ({', '.join(a.name for a in signers)}): "
                       "choose one with --account NAME")

    def _keystore_path(self, meta: AccountMeta) -> Path:
        return self.root / f"{meta.id}.keystore.json"

    def read_secret(self, meta: AccountMeta, passphrase: str) -> bytes:
        if meta.watch_only:
            raise VaultError(f"{meta.name} is watch-only: it has no key to sign with")
        path = self._keystore_path(meta)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise VaultError(f"the key file of {meta.name} is missing ({path.name})") from None
        doc = keystore.load_json(raw, f"key file of {meta.name}")
        return keystore.decrypt(doc, passphrase, origin=f"account {meta.name!r}")

    def check_permissions(self) -> list[str]:
        """Warnings for a vault dir or files readable by others."""
        warnings: list[str] = []
        if not self.root.exists():
            return warnings
        if stat.S_IMODE(self.root.stat().st_mode) & 0o077:
            warnings.append(f"vault folder {self.root} is readable by others; run: chmod 700 {self.root}")
        for p in self.root.glob("*.keystore.json"):
            if stat.S_IMODE(p.stat().st_mode) & 0o077:
                warnings.append(f"key file {p} is readable by others; run: chmod 600 {p}")
        return warnings

    # --- writing -------------------------------------------------------------------------------
    def _check_new_name(self, name: str) -> None:
        validate_name(name)
        if any(a.name == name for a in self.accounts()):
            raise BadInput(f"an account named {name!r} already exists")

    def _check_new_address(self, addresses: dict[str, str]) -> None:
        for a in self.accounts():
            for fam, addr in addresses.items():
                if a.addresses.get(fam, "").lower() == addr.lower():
                    raise BadInput(f"{addr} is already in the vault as {a.name!r}")

    def _write_meta(self, meta: AccountMeta) -> None:
        ensure_private_dir(self.root)
        atomic_write(self.root / f"{meta.id}.json", json.dumps(meta.to_json(), indent=2).encode(), 0o600)

    def _new_meta(self, name: str, kind: Kind, addresses: dict[str, str], **kw: Any) -> AccountMeta:
        import secrets  # (hmac, hashlib, random): only when an account is created

        return AccountMeta(id=secrets.token_hex(8), name=name, kind=kind, addresses=addresses,
                           created=time.time_ns() // 1000, **kw)

    def add_mnemonic(self, name: str, phrase: str, passphrase: str, *, index: int = 0,
                     origin: str = "mnemonic") -> AccountMeta:
        from wallet.keys import derive

        self._check_new_name(name)
        check_new_passphrase(passphrase)
        phrase = derive.validate_mnemonic(phrase)
        derived = derive.derive_all(phrase, index)
        addresses = {f: d.address for f, d in derived.items()}
        self._check_new_address(addresses)
        meta = self._new_meta(name, "mnemonic", addresses, paths={f: d.path for f, d in derived.items()},
                              index=index, words=len(phrase.split()), origin=origin)
        self._store(meta, keystore.encrypt(phrase.encode(), passphrase, address=addresses.get("evm")))
        return meta

    def add_private_key(self, name: str, key: bytes, passphrase: str, *, origin: str = "private-key") -> AccountMeta:
        from wallet.keys.derive import evm_address_of

        self._check_new_name(name)
        check_new_passphrase(passphrase)
        if len(key) != 32:
            raise BadInput("a private key is 32 bytes (64 hex characters)")
        try:
            address = evm_address_of(key)
        except Exception:
            raise BadInput("not a valid secp256k1 private key") from None
        self._check_new_address({"evm": address})
        meta = self._new_meta(name, "private_key", {"evm": address}, origin=origin)
        self._store(meta, keystore.encrypt(key, passphrase, address=address))
        return meta

    def add_watch(self, name: str, addresses: dict[str, str]) -> AccountMeta:
        self._check_new_name(name)
        self._check_new_address(addresses)
        meta = self._new_meta(name, "watch", addresses, origin="watch")
        self._write_meta(meta)
        return meta

    def store_secret(self, meta: AccountMeta, secret: bytes, passphrase: str, *, address: str | None = None) -> None:
        """Encrypt a new account's secret under the passphrase rule and write it with its metadata."""
        check_new_passphrase(passphrase)
        self._store(meta, keystore.encrypt(secret, passphrase, address=address))

    def _store(self, meta: AccountMeta, doc: dict[str, Any]) -> None:
        ensure_private_dir(self.root)
        # Key file first: metadata without a key file would list an account that cannot sign.
        atomic_write(self._keystore_path(meta), json.dumps(doc).encode(), 0o600)
        self._write_meta(meta)

    def update(self, meta: AccountMeta) -> None:
        self._write_meta(meta)

    def rename(self, old: str, new: str) -> AccountMeta:
        meta = self.get(old)
        self._check_new_name(new)
        meta.name = new
        self._write_meta(meta)
        return meta

    def remove(self, name: str) -> AccountMeta:
        meta = self.get(name)
        for p in (self._keystore_path(meta), self.root / f"{meta.id}.json"):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        return meta
