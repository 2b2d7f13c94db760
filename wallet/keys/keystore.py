"""Keystore v3 (scrypt + AES-128-CTR + keccak MAC) for any secret bytes.

eth-keyfile's encoder only accepts 32-byte secp256k1 keys, but a vault also stores mnemonics. The
JSON written here is the same format, and decoding goes through eth-keyfile itself, so any keystore v3
tool can check our files. scrypt n defaults to 2**18 (~1 s); POLIS_SCRYPT_N may lower it for tests.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from typing import Any

from wallet.errors import VaultError, WrongPassphrase

DEFAULT_SCRYPT_N = 2**18
_MIN_SCRYPT_N = 2**10


def scrypt_n() -> int:
    raw = os.environ.get("POLIS_SCRYPT_N")
    if not raw:
        return DEFAULT_SCRYPT_N
    n = int(raw)
    if n < _MIN_SCRYPT_N or n & (n - 1):
        raise VaultError(f"POLIS_SCRYPT_N must be a power of two >= {_MIN_SCRYPT_N}")
    return n


def encrypt(secret: bytes, passphrase: str, *, address: str | None = None) -> dict[str, Any]:
    from Crypto.Cipher import AES
    from Crypto.Util import Counter
    from eth_utils import keccak

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
    """Decrypt a keystore v3 document; wrong passphrase and corrupt files get distinct errors."""
    from eth_keyfile import decode_keyfile_json

    try:
        crypto = doc.get("crypto") or doc.get("Crypto")
        if not isinstance(crypto, dict) or "ciphertext" not in crypto or "kdfparams" not in crypto:
            raise KeyError("crypto")
        if doc.get("version") != 3:
            raise VaultError(f"{origin}: only keystore version 3 is supported")
        if "crypto" not in doc:
            doc = {**doc, "crypto": crypto}
        return bytes(decode_keyfile_json(doc, passphrase.encode()))
    except VaultError:
        raise
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise WrongPassphrase(f"wrong passphrase for {origin}") from None
        raise VaultError(f"{origin} is corrupt or unreadable ({type(exc).__name__})") from None
    except (KeyError, TypeError, AttributeError):
        raise VaultError(f"{origin} is corrupt or not a keystore v3 file") from None


def load_json(raw: bytes, origin: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise VaultError(f"{origin} is corrupt or truncated (not valid JSON)") from None
    if not isinstance(doc, dict):
        raise VaultError(f"{origin} is corrupt (not a JSON object)")
    return doc
