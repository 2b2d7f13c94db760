"""The vault: BIP-39 vectors, known addresses, imports, exports, unlock policy, corrupt files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE

# Trezor's BIP-39 reference vectors (entropy, mnemonic, seed with passphrase "TREZOR").
VECTORS = [
    ("00000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
     "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04"),
    ("7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank yellow",
     "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c1069be3a3a5bd381ee6260e8d9739fce1f607"),
    ("80808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
     "d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0358d18d69fe4f985ec81778c1b370b652a8"),
    ("ffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
     "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b11c61dee327651a14c34e18231052e48c069"),
]
JUNK = "test test test test test test test test test test test junk"
ABOUT = VECTORS[0][1]


@pytest.mark.parametrize(("entropy", "mnemonic", "seed"), VECTORS)
def test_bip39_vectors(entropy: str, mnemonic: str, seed: str) -> None:
    from bip_utils import Bip39MnemonicEncoder, Bip39SeedGenerator

    from wallet.keys.derive import validate_mnemonic

    assert str(Bip39MnemonicEncoder().Encode(bytes.fromhex(entropy))) == mnemonic
    assert validate_mnemonic(mnemonic) == mnemonic
    assert Bip39SeedGenerator(mnemonic).Generate("TREZOR").hex() == seed


@pytest.mark.parametrize(("phrase", "index", "address"), [
    (JUNK, 0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    (JUNK, 1, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    (ABOUT, 0, "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"),
])
def test_known_mnemonic_gives_known_address(phrase: str, index: int, address: str) -> None:
    from wallet.keys.derive import evm_address_of, evm_private_key, mnemonic_seed

    assert evm_address_of(evm_private_key(mnemonic_seed(phrase), index)) == address


@pytest.mark.parametrize("bad", [
    "abandon " * 11 + "abandon",            # checksum fails
    "abandon abandon abandon",              # word count
    "abandon " * 11 + "notaword",           # unknown word
])
def test_bad_mnemonic_rejected(bad: str) -> None:
    from wallet.errors import BadInput
    from wallet.keys.derive import validate_mnemonic

    with pytest.raises(BadInput):
        validate_mnemonic(bad)


def test_new_key_json_never_contains_the_mnemonic(cli, env_passphrase) -> None:
    r = cli("keys", "new", "alice", "--words", "12", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert "mnemonic" not in doc and doc["words"] == 12 and doc["addresses"]["evm"].startswith("0x")
    exported = cli("keys", "export", "alice", "--yes")
    assert exported.code == 0
    words = exported.out.split()
    assert len(words) == 12
    assert not any(w in r.out for w in words if len(w) > 5)


def test_new_key_prints_mnemonic_once_and_files_are_private(cli, env_passphrase, polis_home: Path) -> None:
    piped = cli("keys", "new", "carol")  # stdout is not a terminal: the words are withheld, and it says so
    assert piped.code == 0 and "24. " not in piped.out and "not printed" in piped.err
    r = cli("keys", "new", "bob", "--show")
    assert r.code == 0
    assert "24. " in r.out
    vault = polis_home / "data" / "vault"
    assert stat.S_IMODE(vault.stat().st_mode) == 0o700
    files = list(vault.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    listing = cli("keys", "list")
    assert "bob" in listing.out and "24. " not in listing.out


def test_import_mnemonic_from_stdin_and_export_round_trip(cli, env_passphrase) -> None:
    r = cli("keys", "import", "junk", "--mnemonic", "--json", stdin=JUNK + "\n")
    assert r.code == 0, r.err
    assert r.json()["addresses"]["evm"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert cli("keys", "export", "junk", "--yes").out.strip() == JUNK
    pk = cli("keys", "export", "junk", "--format", "private-key", "--yes").out.strip()
    assert pk == "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def test_import_index_and_duplicate_refused(cli, env_passphrase) -> None:
    assert cli("keys", "import", "one", "--mnemonic", "--index", "1", stdin=JUNK).code == 0
    assert cli("keys", "show", "one",
               "--json").json()["addresses"]["evm"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    dup = cli("keys", "import", "again", "--mnemonic", "--index", "1", stdin=JUNK)
    assert dup.code == 2 and "already in the vault" in dup.err


def test_import_bad_checksum_changes_nothing(cli, env_passphrase) -> None:
    r = cli("keys", "import", "bad", "--mnemonic", stdin="abandon " * 11 + "abandon")
    assert r.code == 2 and "checksum" in r.err
    assert cli("keys", "list", "--json").json() == []


def test_import_private_key_file(cli, env_passphrase, tmp_path: Path) -> None:
    f = tmp_path / "pk.txt"
    f.write_text("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n")
    r = cli("keys", "import", "raw", "--private-key-file", str(f), "--json")
    assert r.code == 0 and r.json()["addresses"]["evm"] == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    assert cli("keys", "export", "raw", "--format", "mnemonic", "--yes").code == 2
    bad = tmp_path / "bad.txt"
    bad.write_text("0x1234")
    assert cli("keys", "import", "bad", "--private-key-file", str(bad)).code == 2


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_import_keystore_v3(cli, env_passphrase, tmp_path: Path, kdf: str) -> None:
    from eth_keyfile import create_keyfile_json

    key = bytes.fromhex("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
    doc = create_keyfile_json(key, b"keystore-pass", kdf=kdf, iterations=1024 if kdf == "scrypt" else 1000)
    ks = tmp_path / "UTC--key.json"
    ks.write_text(json.dumps(doc))
    kpass = tmp_path / "kpass"
    kpass.write_text("keystore-pass")
    r = cli("keys", "import", "geth", "--keystore", str(ks), "--keystore-passphrase-file", str(kpass), "--json")
    assert r.code == 0, r.err
    assert r.json()["addresses"]["evm"].lower() == "0x" + doc["address"].lower()
    wrong = tmp_path / "wrong"
    wrong.write_text("nope-nope")
    r2 = cli("keys", "import", "geth2", "--keystore", str(ks), "--keystore-passphrase-file", str(wrong))
    assert r2.code == 1 and "wrong passphrase" in r2.err


def test_export_keystore_is_standard(cli, env_passphrase, tmp_path: Path) -> None:
    from eth_keyfile import decode_keyfile_json

    cli("keys", "import", "junk", "--mnemonic", stdin=JUNK)
    out = tmp_path / "ks.json"
    assert cli("keys", "export", "junk", "--format", "keystore", "--out", str(out)).code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    key = decode_keyfile_json(json.loads(out.read_text()), PASSPHRASE.encode())
    assert key.hex() == "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def test_watch_only(cli) -> None:
    r = cli("keys", "import", "whale", "--watch", "0xd8da6bf26964af9d7eed9e03e53415d37aa96045", "--json")
    assert r.code == 0 and r.json()["watch_only"]
    assert r.json()["addresses"]["evm"] == "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045"
    assert cli("keys", "export", "whale", "--yes").code == 2


def test_bad_checksum_address_rejected(cli) -> None:
    r = cli("keys", "import", "w", "--watch", "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96046".replace("d8dA", "D8dA"))
    assert r.code == 2 and "checksum" in r.err
    assert cli("keys", "list", "--json").json() == []


def test_rename_and_remove(cli, env_passphrase) -> None:
    cli("keys", "import", "a", "--mnemonic", stdin=JUNK)
    assert cli("keys", "rename", "a", "b").code == 0
    assert cli("keys", "show", "a").code == 2
    assert cli("keys", "remove", "b").code == 3  # needs --yes when not interactive
    assert cli("keys", "remove", "b", "--yes").code == 0
    assert cli("keys", "list", "--json").json() == []


def test_wrong_passphrase(cli, env_passphrase, monkeypatch) -> None:
    cli("keys", "import", "a", "--mnemonic", stdin=JUNK)
    monkeypatch.delenv("POLIS_PASSPHRASE_FILE")
    monkeypatch.setenv("POLIS_PASSPHRASE", "not the passphrase")
    r = cli("keys", "export", "a", "--yes")
    assert r.code == 1 and "wrong passphrase" in r.err and JUNK.split()[0] not in r.out


def test_headless_without_passphrase_source_fails_at_once(cli, env_passphrase, monkeypatch) -> None:
    cli("keys", "import", "a", "--mnemonic", stdin=JUNK)
    monkeypatch.delenv("POLIS_PASSPHRASE_FILE")
    r = cli("keys", "export", "a", "--yes")
    assert r.code == 3
    assert "--passphrase-file" in r.err and "POLIS_PASSPHRASE" in r.err


def test_passphrase_file_option_beats_env(cli, env_passphrase, tmp_path: Path, monkeypatch) -> None:
    cli("keys", "import", "a", "--mnemonic", stdin=JUNK)
    monkeypatch.setenv("POLIS_PASSPHRASE", "wrong wrong")
    good = tmp_path / "good"
    good.write_text(PASSPHRASE)
    assert cli("keys", "export", "a", "--yes", "--passphrase-file", str(good)).out.strip() == JUNK


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip-mac", "delete"])
def test_corrupt_vault_file(cli, env_passphrase, polis_home: Path, damage: str) -> None:
    cli("keys", "import", "a", "--mnemonic", stdin=JUNK)
    ks = next((polis_home / "data" / "vault").glob("*.keystore.json"))
    raw = ks.read_bytes()
    if damage == "truncate":
        ks.write_bytes(raw[: len(raw) // 2])
    elif damage == "garbage":
        ks.write_bytes(os.urandom(200))
    elif damage == "flip-mac":
        doc = json.loads(raw)
        ct = doc["crypto"]["ciphertext"]  # its first byte inverted: always a change (a fixed "00" was not, 1 in 256)
        doc["crypto"]["ciphertext"] = f"{int(ct[:2], 16) ^ 0xFF:02x}" + ct[2:]
        ks.write_text(json.dumps(doc))
    else:
        ks.unlink()
    r = cli("keys", "export", "a", "--yes")
    assert r.code == 1
    assert "corrupt" in r.err or "wrong passphrase" in r.err or "missing" in r.err
    assert "Traceback" not in r.err
    assert cli("keys", "list").code == 0  # public metadata still readable


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path, monkeypatch) -> None:
    from wallet.paths import atomic_write

    target = tmp_path / "f.json"
    atomic_write(target, b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


class _MemoryKeyring:
    """A real keyring backend kept in memory (headless machines have no OS keyring)."""

    def __init__(self) -> None:
        from keyring.backend import KeyringBackend

        class Backend(KeyringBackend):
            priority = 1  # type: ignore[assignment]
            store: dict[tuple[str, str], str] = {}

            def get_password(self, service, username):
                return self.store.get((service, username))

            def set_password(self, service, username, password):
                self.store[(service, username)] = password

            def delete_password(self, service, username):
                self.store.pop((service, username), None)

        self.backend = Backend()


def test_keyring_remember_and_forget(cli, env_passphrase, monkeypatch) -> None:
    import keyring

    mem = _MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(mem.backend)
    try:
        cli("keys", "import", "a", "--mnemonic", stdin=JUNK)
        assert cli("keys", "remember", "a").code == 0
        monkeypatch.delenv("POLIS_PASSPHRASE_FILE")
        assert cli("keys", "export", "a", "--yes").out.strip() == JUNK
        assert cli("keys", "forget", "a").code == 0
        assert cli("keys", "export", "a", "--yes").code == 3
    finally:
        keyring.set_keyring(previous)


def test_keyring_absent_is_a_clear_error(cli, env_passphrase) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        cli("keys", "import", "a", "--mnemonic", stdin=JUNK)
        r = cli("keys", "remember", "a")
        assert r.code == 1 and "no OS keyring" in r.err
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_keystore_reads_eth_keyfile_output_and_eth_keyfile_reads_ours(kdf: str) -> None:
    from eth_keyfile import create_keyfile_json, decode_keyfile_json

    from wallet.keys import keystore

    key = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
    theirs = create_keyfile_json(key, b"pass phrase", kdf=kdf, iterations=1024 if kdf == "scrypt" else 2000)
    assert keystore.decrypt(theirs, "pass phrase") == key
    ours = keystore.encrypt(JUNK.encode(), "pass phrase")
    assert decode_keyfile_json(ours, b"pass phrase") == JUNK.encode()
    from wallet.errors import VaultError, WrongPassphrase

    with pytest.raises(WrongPassphrase):
        keystore.decrypt(theirs, "wrong")
    bad = json.loads(json.dumps(theirs))
    bad["crypto"]["kdfparams"]["n" if kdf == "scrypt" else "c"] = 2**40
    with pytest.raises(VaultError):
        keystore.decrypt(bad, "pass phrase")


def test_evm_signer_bytes_equal_eth_account() -> None:
    from eth_account import Account
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from wallet.keys.signer import EvmSigner

    key = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    ours, ref = EvmSigner(key), Account.from_key(key)
    assert ours.address == ref.address

    @settings(max_examples=150, deadline=None)
    @given(st.integers(0, 2**64 - 1), st.integers(0, 2**40), st.integers(0, 2**40), st.integers(21_000, 30_000_000),
           st.integers(0, 2**80), st.binary(max_size=300), st.sampled_from([1, 31337, 11155111]))
    def check(nonce, prio, extra, gas, value, data, chain) -> None:
        tx = {"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "data": "0x" + data.hex(), "value": value, "gas": gas,
              "maxFeePerGas": prio + extra, "maxPriorityFeePerGas": prio, "chainId": chain, "type": 2, "nonce": nonce}
        assert ours.sign_transaction(tx) == bytes(ref.sign_transaction(tx).raw_transaction)

    check()
