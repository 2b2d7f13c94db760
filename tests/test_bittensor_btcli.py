"""btcli wallet import: real btcli keyfiles written by bittensor-wallet (NaCl/Argon2), into the vault."""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

BTCLI_PASSWORD = "btcli-wallet-pass-1"


@pytest.fixture(scope="module")
def btcli_wallets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two btcli wallets made by bittensor-wallet itself: "enc" (password) and "plain" (none), each
    with a hotkey; and "watch" with only coldkeypub.txt. Made once: Argon2 costs ~4 s a key."""
    from bittensor_wallet import Wallet

    base = tmp_path_factory.mktemp("wallets")
    with redirect_stdout(io.StringIO()):
        enc = Wallet(name="enc", hotkey="miner", path=str(base))
        enc.create_new_coldkey(n_words=12, use_password=True, overwrite=True, suppress=True,
                               coldkey_password=BTCLI_PASSWORD)
        enc.create_new_hotkey(n_words=12, use_password=False, overwrite=True, suppress=True)
        plain = Wallet(name="plain", hotkey="default", path=str(base))
        plain.create_new_coldkey(n_words=12, use_password=False, overwrite=True, suppress=True)
    watch = base / "watch"
    watch.mkdir()
    (watch / "coldkeypub.txt").write_text((base / "enc" / "coldkeypub.txt").read_text())
    return base


def _args(**kw: object) -> argparse.Namespace:
    base = dict(name="bt", wallet="enc", hotkey=None, no_hotkeys=False, path=None, wallet_password_file=None,
                json=True, passphrase_file=None)
    base.update(kw)
    return argparse.Namespace(**base)


def _ss58(base: Path, wallet: str) -> str:
    import json

    return json.loads((base / wallet / "coldkeypub.txt").read_text())["ss58Address"]


def test_import_encrypted_wallet_and_sign(btcli_wallets: Path, env_passphrase: Path, tmp_path: Path,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    from wallet.cli import btcli_cmd
    from wallet.keys.substrate_keys import verify
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import Vault

    pw = tmp_path / "btpw"
    pw.write_text(BTCLI_PASSWORD + "\n")
    out = io.StringIO()
    with redirect_stdout(out):
        code = btcli_cmd.run(_args(path=str(btcli_wallets), wallet_password_file=str(pw)))
    assert code == 0
    import json

    doc = json.loads(out.getvalue())  # nothing bittensor-wallet printed leaked into the JSON
    assert [r["name"] for r in doc["imported"]] == ["bt", "bt.miner"]
    assert "Decrypting" not in capfd.readouterr().out
    meta = Vault().get("bt")
    assert meta.addresses["substrate"] == _ss58(btcli_wallets, "enc") and meta.origin == "btcli"
    signer = UnlockPolicy().unlock(Vault(), meta).signer("substrate")
    assert verify(signer.sign(b"x"), b"x", signer.public_key)
    # the vault copy is ours: keystore v3 under the Polis passphrase, not the btcli file
    assert json.loads((Vault().root / f"{meta.id}.keystore.json").read_text())["version"] == 3


def test_wrong_password_and_no_password_non_interactive(btcli_wallets: Path, env_passphrase: Path,
                                                        tmp_path: Path) -> None:
    from wallet.cli import btcli_cmd
    from wallet.errors import NotInteractive, WrongPassphrase
    from wallet.keys.vault import Vault

    pw = tmp_path / "bad"
    pw.write_text("not-the-password\n")
    with pytest.raises(WrongPassphrase):
        btcli_cmd.run(_args(path=str(btcli_wallets), wallet_password_file=str(pw), no_hotkeys=True))
    assert Vault().accounts() == []
    import os

    os.environ.pop("POLIS_PASSPHRASE_FILE")
    with pytest.raises(NotInteractive):  # never prompts when stdin is not a terminal
        btcli_cmd.run(_args(path=str(btcli_wallets), no_hotkeys=True))


def test_unencrypted_wallet_uses_bt_wallet_path(btcli_wallets: Path, env_passphrase: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from wallet.keys import btcli_import
    from wallet.keys.vault import Vault

    monkeypatch.setenv("BT_WALLET_PATH", str(btcli_wallets))
    res = btcli_import.import_wallet(Vault(), "plain", wallet="plain", btcli_password=None,
                                     vault_passphrase=lambda: "polis-vault-pass")
    assert res.accounts[0].addresses["substrate"] == _ss58(btcli_wallets, "plain")
    assert [a.name for a in res.accounts] == ["plain"]  # it has no hotkeys


def test_coldkeypub_only_is_watch_only(btcli_wallets: Path, cli) -> None:
    from wallet.keys import btcli_import
    from wallet.keys.vault import Vault

    res = btcli_import.import_wallet(Vault(), "w", wallet="watch", path=str(btcli_wallets), btcli_password=None,
                                     vault_passphrase=lambda: pytest.fail("no passphrase for a watch-only account"))
    meta = res.accounts[0]
    assert meta.watch_only and meta.addresses == {"substrate": _ss58(btcli_wallets, "watch")}


def test_raw_seed_keyfile_is_stored_as_sr25519(tmp_path: Path, env_passphrase: Path) -> None:
    """A keyfile without a mnemonic (btcli regen from a seed) keeps its raw key, and signs."""
    import json

    import sr25519

    from tests.conftest import PASSPHRASE
    from wallet.keys import btcli_import
    from wallet.keys.substrate_keys import ss58_encode
    from wallet.keys.unlock import UnlockPolicy
    from wallet.keys.vault import Vault

    seed = bytes(range(32))
    pub, secret = sr25519.pair_from_seed(seed)
    (tmp_path / "seedw").mkdir()
    (tmp_path / "seedw" / "coldkey").write_text(json.dumps({
        "accountId": "0x" + pub.hex(), "publicKey": "0x" + pub.hex(), "privateKey": "0x" + secret.hex(),
        "secretPhrase": None, "secretSeed": "0x" + seed.hex(), "ss58Address": ss58_encode(pub)}))
    res = btcli_import.import_wallet(Vault(), "seeded", wallet="seedw", path=str(tmp_path), btcli_password=None,
                                     vault_passphrase=lambda: PASSPHRASE, with_hotkeys=False)
    meta = Vault().get("seeded")
    assert meta.kind == "sr25519" and res.accounts[0].addresses["substrate"] == ss58_encode(pub)
    assert UnlockPolicy().unlock(Vault(), meta).signer("substrate").address == ss58_encode(pub)
