"""Import btcli wallets (`~/.bittensor/wallets/<name>/coldkey`, `coldkeypub.txt`, `hotkeys/<hotkey>`)
into the Polis vault.

btcli keyfiles are JSON `{accountId, publicKey, privateKey, secretPhrase, secretSeed, ss58Address}`,
plain or encrypted (NaCl secretbox with an Argon2i key — ~3–5 s to open — or the legacy Ansible-vault
and Fernet formats). `bittensor-wallet` opens all of them; it prints "Decrypting..." to stdout and
prompts when it is given no password, so it is called only with a password and inside `quiet()`.

What lands in the vault:
- a keyfile with a mnemonic whose root sr25519 key is the keyfile's key → a normal mnemonic account
  (every family is derived, as for `keys import --mnemonic`);
- otherwise the raw sr25519 key → an account of kind "sr25519" whose secret is "sr25519:0x<seed>";
- `coldkeypub.txt` alone → a watch-only account.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from wallet.errors import BadInput, NotInteractive, VaultError, WrongPassphrase
from wallet.keys import keystore
from wallet.keys.vault import AccountMeta, Vault, validate_name

DEFAULT_BASE = "~/.bittensor/wallets"


@dataclass
class BtcliKey:
    """One decoded btcli keyfile (the secret fields stay in memory only)."""

    ss58: str
    public_key: bytes
    phrase: str | None = field(default=None, repr=False)
    seed: bytes | None = field(default=None, repr=False)
    secret: bytes | None = field(default=None, repr=False)
    """64-byte sr25519 secret key, when the file has one."""

    @property
    def has_secret(self) -> bool:
        return bool(self.phrase or self.seed or self.secret)


def wallets_base(path: str | None = None) -> Path:
    """`--path`, else BT_WALLET_PATH, else ~/.bittensor/wallets."""
    return Path(os.path.expanduser(path or os.environ.get("BT_WALLET_PATH") or DEFAULT_BASE))


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Swallow what bittensor-wallet prints, at the Python and at the file-descriptor level, so
    `--json` output stays clean and nothing it says reaches a terminal."""
    sys.stdout.flush()
    saved = None
    try:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:  # no real fd 1 (embedded runner): the Python-level redirect still applies
        saved = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def is_encrypted(raw: bytes) -> bool:
    from bittensor_wallet.keyfile import keyfile_data_is_encrypted

    with quiet():
        return bool(keyfile_data_is_encrypted(raw))


def decode_keyfile(raw: bytes, password: Callable[[], str] | None, origin: str) -> BtcliKey:
    """Decrypt (when encrypted) and parse one keyfile. `password` is asked only when needed."""
    from wallet.keys.substrate_keys import public_key_of, secret_key, ss58_encode

    if is_encrypted(raw):
        if password is None:
            raise NotInteractive(f"{origin} is encrypted and no btcli password was given")
        pw = password()
        from bittensor_wallet.keyfile import decrypt_keyfile_data

        try:
            with quiet():
                raw = bytes(decrypt_keyfile_data(raw, password=pw))
        except Exception as exc:  # KeyFileError from the Rust side; its text names no secret
            text = str(exc).lower()
            if "password" in text or "decrypt" in text:
                raise WrongPassphrase(f"wrong btcli password for {origin}") from None
            raise VaultError(f"{origin} could not be decrypted ({type(exc).__name__})") from None
    doc = keystore.load_json(raw, origin)
    if doc.get("cryptoType", 1) != 1:
        raise BadInput(f"{origin} is not an sr25519 key (cryptoType {doc.get('cryptoType')}); Polis signs sr25519 only")

    def hexfield(name: str) -> bytes | None:
        value = doc.get(name)
        if not value:
            return None
        try:
            return bytes.fromhex(str(value).removeprefix("0x"))
        except ValueError:
            raise VaultError(f"{origin}: field {name} is not hex") from None

    pub = hexfield("publicKey") or hexfield("accountId")
    key = BtcliKey(ss58="", public_key=pub or b"", phrase=doc.get("secretPhrase") or None,
                   seed=hexfield("secretSeed"), secret=hexfield("privateKey"))
    if key.seed is not None and len(key.seed) != 32:
        raise VaultError(f"{origin}: secretSeed is not 32 bytes")
    if key.secret is not None and len(key.secret) != 64:
        raise VaultError(f"{origin}: privateKey is not 64 bytes")
    real: bytes | None = None
    if key.seed or key.secret:
        real = public_key_of(_raw_secret(key))
    elif key.phrase:
        try:
            real = public_key_of(secret_key(key.phrase, 0))
        except Exception:
            raise VaultError(f"{origin}: its secretPhrase is not a mnemonic Polis can read") from None
    if real is not None:
        if pub and real != pub:
            raise VaultError(f"{origin}: its secret does not match its public key")
        pub = real
    if not pub or len(pub) != 32:
        raise VaultError(f"{origin} has no 32-byte public key")
    key.public_key = pub
    key.ss58 = ss58_encode(pub)
    recorded = doc.get("ss58Address")
    if recorded and recorded != key.ss58:
        from wallet.keys.substrate_keys import ss58_decode

        if ss58_decode(str(recorded), None) != pub:
            raise VaultError(f"{origin}: its ss58Address does not match its public key")
    return key


def _raw_secret(key: BtcliKey) -> bytes:
    import sr25519

    if key.seed is not None:
        return bytes(sr25519.pair_from_seed(key.seed)[1])
    assert key.secret is not None
    return key.secret


def store(vault: Vault, name: str, key: BtcliKey, passphrase: Callable[[], str]) -> AccountMeta:
    """Re-encrypt a decoded btcli key into the vault (or add it watch-only when it has no secret)."""
    from wallet.keys.substrate_keys import secret_key

    validate_name(name)
    if not key.has_secret:
        return vault.add_watch(name, {"substrate": key.ss58})
    if key.phrase:
        try:
            mnemonic_matches = ss58_of(secret_key(key.phrase, 0)) == key.ss58
        except Exception:  # a phrase bip-utils cannot read: fall back to the raw key
            mnemonic_matches = False
        if mnemonic_matches:
            meta = vault.add_mnemonic(name, key.phrase, passphrase(), origin="btcli")
            return meta
    if not (key.seed or key.secret):
        raise VaultError(f"the mnemonic of {name!r} does not give its address and the file has no raw key")
    return add_sr25519(vault, name, key, passphrase())


def ss58_of(secret: bytes) -> str:
    from wallet.keys.substrate_keys import public_key_of, ss58_encode

    return ss58_encode(public_key_of(secret))


def add_sr25519(vault: Vault, name: str, key: BtcliKey, passphrase: str) -> AccountMeta:
    """A vault account holding a raw sr25519 key, in the vault's own layout (metadata file + keystore
    v3 file). Its kind is "sr25519"; `Unlocked.signer("substrate")` reads it through the substrate
    family, which understands the "sr25519:" secret form."""
    from wallet.keys.substrate_keys import RAW_PREFIX

    vault._check_new_name(name)
    addresses = {"substrate": key.ss58}
    vault._check_new_address(addresses)
    raw = key.seed if key.seed is not None else key.secret
    assert raw is not None
    meta = vault._new_meta(name, "sr25519", addresses,  # type: ignore[arg-type]  # a raw sr25519 key, not a mnemonic
                           paths={"substrate": "sr25519 (btcli keyfile)"}, origin="btcli")
    vault.store_secret(meta, (RAW_PREFIX + "0x" + raw.hex()).encode(), passphrase)
    return meta


@dataclass
class ImportResult:
    accounts: list[AccountMeta] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def import_wallet(vault: Vault, name: str, *, wallet: str, hotkeys: list[str] | None = None,
                  path: str | None = None, btcli_password: Callable[[], str] | None,
                  vault_passphrase: Callable[[], str], with_hotkeys: bool = True) -> ImportResult:
    """Import the coldkey of btcli wallet `wallet` as `name`, and its hotkeys as `name.HOTKEY`.

    `hotkeys` None means every file in `hotkeys/`; the coldkey falls back to `coldkeypub.txt`
    (watch-only) when the `coldkey` file is absent.
    """
    base = wallets_base(path) / wallet
    if not base.is_dir():
        raise BadInput(f"no btcli wallet {wallet!r} in {base.parent}",
                       hint="give --path or set BT_WALLET_PATH to the folder holding your wallets")
    result = ImportResult()
    once: dict[str, str] = {}

    def vault_pw() -> str:
        if "v" not in once:
            once["v"] = vault_passphrase()
        return once["v"]

    cold = base / "coldkey"
    pub = base / "coldkeypub.txt"
    if cold.is_file():
        key = decode_keyfile(cold.read_bytes(), btcli_password, f"btcli coldkey of {wallet!r}")
    elif pub.is_file():
        key = decode_keyfile(pub.read_bytes(), None, f"coldkeypub.txt of {wallet!r}")
        key.phrase = key.seed = key.secret = None
    else:
        raise BadInput(f"btcli wallet {wallet!r} has neither a coldkey nor a coldkeypub.txt")
    result.accounts.append(store(vault, name, key, vault_pw))
    if with_hotkeys:
        folder = base / "hotkeys"
        found = sorted(p.name for p in folder.glob("*") if p.is_file() and not p.name.endswith("pub.txt")) \
            if folder.is_dir() else []
        names = hotkeys if hotkeys is not None else found
        for hk in names:
            f = folder / hk
            if not f.is_file():
                raise BadInput(f"btcli wallet {wallet!r} has no hotkey {hk!r}")
            hkey = decode_keyfile(f.read_bytes(), btcli_password, f"btcli hotkey {hk!r} of {wallet!r}")
            try:
                result.accounts.append(store(vault, f"{name}.{hk}", hkey, vault_pw))
            except BadInput as exc:
                result.skipped.append(f"{hk}: {exc}")
    return result
