"""Keystore v3 (scrypt + AES-128-CTR + keccak MAC) for any secret bytes.

eth-keyfile's encoder only accepts 32-byte secp256k1 keys, but a vault also stores mnemonics. The
JSON written here is the same format, so any keystore v3 tool (eth-keyfile, geth, cast) reads our
files, and ours reads theirs; tests check both directions against eth-keyfile.
scrypt n defaults to 2**18 (~1 s). POLIS_SCRYPT_N may lower it for test vaults only: a value below the
default is honoured only together with POLIS_INSECURE_TESTING=1, and ignored with a warning otherwise,
so a leftover variable can never weaken a real vault.
"""

from __future__ import annotations

import json
import os
from typing import Any

from wallet.errors import VaultError, WrongPassphrase

DEFAULT_SCRYPT_N = 2**18
_MIN_SCRYPT_N = 2**10


INSECURE_TESTING_VAR = "POLIS_INSECURE_TESTING"
_warned = False


def scrypt_n() -> int:
    """The scrypt cost for new keystores (see the module docstring)."""
    global _warned
    raw = os.environ.get("POLIS_SCRYPT_N", "").strip()
    if not raw:
        return DEFAULT_SCRYPT_N
    try:
        n = int(raw) if len(raw) <= 12 else -1
    except ValueError:
        n = -1
    if n < _MIN_SCRYPT_N or n & (n - 1) or n > _MAX_SCRYPT_N:
        raise VaultError(f"POLIS_SCRYPT_N must be a power of two in {_MIN_SCRYPT_N}..{_MAX_SCRYPT_N}")
    if n < DEFAULT_SCRYPT_N and os.environ.get(INSECURE_TESTING_VAR) != "1":
        if not _warned:
            import logging

            logging.getLogger(__name__).warning(
                "ignoring POLIS_SCRYPT_N=%d (weaker than the default 2^18) without %s=1: "
                "new keys are encrypted with the default cost", n, INSECURE_TESTING_VAR)
            _warned = True
        return DEFAULT_SCRYPT_N
    return n


def encrypt(secret: bytes, passphrase: str, *, address: str | None = None) -> dict[str, Any]:
    import hashlib
    import uuid  # imports `platform` (~5 ms): only when a key is written

    from Crypto.Cipher import AES
    from Crypto.Hash import keccak as _keccak
    from Crypto.Util import Counter

    def keccak(data: bytes) -> bytes:
        return _keccak.new(digest_bits=256, data=data).digest()

    if not passphrase:
        raise VaultError("an empty passphrase is not allowed")
    n = scrypt_n()
    salt = os.urandom(16)
    derived = hashlib.scrypt(passphrase.encode(), salt=salt, n=n, r=8, p=1, dklen=32, maxmem=2**31 - 1)
    iv = os.urandom(16)
    ctr = Counter.new(128, initial_value=int.from_bytes(iv, "big"))
    ciphertext = AES.new(derived[:16], AES.MODE_CTR, counter=ctr).encrypt(secret)
    mac = keccak(derived[16:32] + ciphertext)
    doc: dict[str, Any] = {
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": iv.hex()},
            "ciphertext": ciphertext.hex(),
            "kdf": "scrypt",
            "kdfparams": {"dklen": 32, "n": n, "r": 8, "p": 1, "salt": salt.hex()},
            "mac": mac.hex(),
        },
        "id": str(uuid.uuid4()),
        "version": 3,
    }
    if address:
        doc["address"] = address.lower().removeprefix("0x")
    return doc


def decrypt(doc: dict[str, Any], passphrase: str, *, origin: str = "keystore") -> bytes:
    """Decrypt a keystore v3 document (scrypt or pbkdf2, AES-128-CTR, keccak MAC); a wrong passphrase
    and a corrupt file get distinct errors.

    Decoded here rather than by eth-keyfile, whose import costs ~0.6 s (it loads py_ecc's BLS code)
    on every command that signs; tests check both ways against eth-keyfile.
    """
    import hmac

    try:
        crypto = doc.get("crypto") or doc.get("Crypto")
        if not isinstance(crypto, dict) or "ciphertext" not in crypto or "kdfparams" not in crypto:
            raise KeyError("crypto")
        if doc.get("version") != 3:
            raise VaultError(f"{origin}: only keystore version 3 is supported")
        if crypto.get("cipher", "aes-128-ctr") != "aes-128-ctr":
            raise VaultError(f"{origin}: cipher {crypto.get('cipher')!r} is not supported")
        derived = _derive(crypto["kdf"], crypto["kdfparams"], passphrase.encode(), origin)
        ciphertext = bytes.fromhex(crypto["ciphertext"])
        from Crypto.Hash import keccak

        mac = keccak.new(digest_bits=256, data=derived[16:32] + ciphertext).digest()
        if not hmac.compare_digest(mac, bytes.fromhex(crypto["mac"])):
            raise WrongPassphrase(f"wrong passphrase for {origin}")
        from Crypto.Cipher import AES
        from Crypto.Util import Counter

        iv = int.from_bytes(bytes.fromhex(crypto["cipherparams"]["iv"]), "big")
        return AES.new(derived[:16], AES.MODE_CTR, counter=Counter.new(128, initial_value=iv)).decrypt(ciphertext)
    except VaultError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, OverflowError, MemoryError):
        raise VaultError(f"{origin} is corrupt or not a keystore v3 file") from None


_MAX_SCRYPT_N = 2**20
_MAX_PBKDF2_ROUNDS = 10_000_000


def _derive(kdf: str, params: dict[str, Any], password: bytes, origin: str) -> bytes:
    import hashlib

    salt = bytes.fromhex(params["salt"])
    dklen = int(params.get("dklen", 32))
    if dklen < 32 or dklen > 64:
        raise ValueError("dklen")
    if kdf == "scrypt":
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        if n < 2 or n & (n - 1) or n > _MAX_SCRYPT_N or not 1 <= r <= 64 or not 1 <= p <= 16:
            raise VaultError(f"{origin}: scrypt parameters out of range")
        return hashlib.scrypt(password, salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=2**31 - 1)
    if kdf == "pbkdf2":
        if params.get("prf", "hmac-sha256") != "hmac-sha256":
            raise VaultError(f"{origin}: pbkdf2 {params.get('prf')!r} is not supported")
        rounds = int(params["c"])
        if not 1 <= rounds <= _MAX_PBKDF2_ROUNDS:
            raise VaultError(f"{origin}: pbkdf2 round count out of range")
        return hashlib.pbkdf2_hmac("sha256", password, salt, rounds, dklen)
    raise VaultError(f"{origin}: key derivation {kdf!r} is not supported")


def load_json(raw: bytes, origin: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise VaultError(f"{origin} is corrupt or truncated (not valid JSON)") from None
    if not isinstance(doc, dict):
        raise VaultError(f"{origin} is corrupt (not a JSON object)")
    return doc
