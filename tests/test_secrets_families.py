"""Secret hygiene across families: a Cosmos vote + delegate against the LCD double, a Bittensor stake
against the Substrate double, a Snapshot vote against the hub double and a btcli import — each with
wrong-passphrase paths — then stdout, stderr, the log, the archive and every non-key file of the home
are scanned for mnemonics, private keys (hex and raw bytes) and passphrases: zero hits. And the vault
permission warning."""

from __future__ import annotations

import io
import logging
import os
import time
from contextlib import redirect_stdout
from pathlib import Path

from tests.conftest import PASSPHRASE
from tests.plugins.bittensor import MNEMONIC as TAO_MNEMONIC
from tests.plugins.cosmos import ABOUT, Env

SNAP_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
BTCLI_PASSWORD = "btcli-coldkey-Pass-to-scan"
BTCLI_MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def scan(home: Path, outputs: list[str], needles: list[str], raw: list[bytes]) -> int:
    """Number of hits (and an assertion message naming the first)."""
    hay = {"cli output": "\n".join(outputs).encode("utf-8", "replace")}
    for p in home.rglob("*"):
        if p.is_file() and not p.name.endswith(".keystore.json"):
            hay[str(p)] = p.read_bytes()
    hits = []
    for where, data in hay.items():
        text = data.decode("latin-1")
        hits += [(where, n[:12]) for n in needles if n and n in text]
        hits += [(where, "raw key") for r in raw if r and r in data]
    assert not hits, f"secrets found: {hits[:5]}"
    return len(hits)


def test_no_secret_leaks_in_any_family(akash: Env, bt_ready, bt_keys, cli, tmp_path, monkeypatch,
                                       request) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.doubles.snapshot_hub import SnapshotDouble
    from wallet import networks
    from wallet.keys.cosmos_keys import cosmos_private_key
    from wallet.keys.derive import mnemonic_seed
    from wallet.keys.substrate_keys import secret_key

    home = Path(os.environ["POLIS_HOME"])
    # In-process the CLI leaves logging to pytest; record every DEBUG record to a file in the home, as
    # the installed command does (data/polis.log), so the scan covers what would be logged.
    (home / "data").mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(home / "data" / "polis.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s %(args)s"))
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)

    def _detach() -> None:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()

    request.addfinalizer(_detach)
    outputs: list[str] = []
    good = tmp_path / "good"
    good.write_text(PASSPHRASE)
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-passphrase-1")

    def polis(*args: str, pw: Path | None = good, stdin: str = "",
              env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        if pw is None:
            monkeypatch.delenv("POLIS_PASSPHRASE_FILE", raising=False)
        else:
            monkeypatch.setenv("POLIS_PASSPHRASE_FILE", str(pw))
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        r = cli(*args, stdin=stdin) if stdin else cli(*args)
        for k in env or {}:
            monkeypatch.delenv(k)
        outputs.extend([r.out, r.err])
        return r

    # Cosmos: vote and delegate, each first with a wrong passphrase, then without any source
    assert polis("sync", "akash").code == 0
    assert polis("vote", "341", "yes", "-n", "akash", "-a", "me", "--yes", pw=wrong).code == 1
    assert polis("vote", "341", "yes", "-n", "akash", "-a", "me", "--yes", pw=None).code == 3
    r = polis("vote", "341", "yes", "-n", "akash", "-a", "me", "--reason", "scan", "--yes", "--json")
    assert r.code == 0, r.err
    beta = akash.validators["beta"]
    assert polis("stake", "add", beta, "1.5 AKT", "-n", "akash", "-a", "me", "--yes", pw=wrong).code == 1
    assert polis("stake", "add", beta, "1.5 AKT", "-n", "akash", "-a", "me", "--yes", "--json").code == 0

    # Bittensor: stake, wrong passphrase first
    hk = bt_keys.hotkeys[0]
    assert polis("stake", "add", hk, "1 TAO", "--subnet", "1", "-n", "bittensor", "-a", "tao", "--yes",
                 pw=wrong).code == 1
    r = polis("stake", "add", hk, "1 TAO", "--subnet", "1", "-n", "bittensor", "-a", "tao", "--yes", "--json")
    assert r.code == 0, r.err

    # Snapshot: import a raw key, vote, with a wrong passphrase (env variable) first
    snap = SnapshotDouble(fixtures=False).start()
    try:
        networks.set_user_table("snapshot", {"rpc": [snap.url + "/graphql"], "extra": {
            "sequencer": snap.url + "/sequencer", "score": snap.url + "/score", "spaces": [], "backoff": 0.05}})
        snap.state.add_space("polis.eth", "Polis")
        r = polis("keys", "import", "snap", "--private-key", "--json", stdin=SNAP_KEY + "\n")
        assert r.code == 0, r.err
        voter = r.json()["addresses"]["evm"]
        now = int(time.time())
        pid = "0x" + "a1" * 32
        snap.state.add_proposal("polis.eth", pid, "single-choice", ["Yes", "No"], start=now - 60, end=now + 3600)
        snap.state.power[("polis.eth", voter.lower())] = 5.0
        assert polis("networks", "add", "snapshot/polis.eth").code == 0
        assert polis("sync", "snapshot/polis.eth").code == 0
        assert polis("vote", f"snapshot/polis.eth:{pid}", "1", "-a", "snap", "--yes", pw=None,
                     env={"POLIS_PASSPHRASE": "wrong wrong"}).code == 1
        r = polis("vote", f"snapshot/polis.eth:{pid}", "1", "-a", "snap", "--reason", "scan", "--yes", "--json")
        assert r.code == 0, r.err
    finally:
        snap.stop()

    # btcli import: a wallet written by bittensor-wallet, wrong wallet password first
    from bittensor_wallet import Wallet

    base = tmp_path / "btcli"
    with redirect_stdout(io.StringIO()):
        w = Wallet(name="enc", hotkey="miner", path=str(base))
        w.regenerate_coldkey(mnemonic=BTCLI_MNEMONIC, use_password=True, overwrite=True, suppress=True,
                             coldkey_password=BTCLI_PASSWORD)
    btpw_wrong = tmp_path / "btpw-wrong"
    btpw_wrong.write_text("nope-nope\n")
    btpw = tmp_path / "btpw"
    btpw.write_text(BTCLI_PASSWORD + "\n")
    assert polis("keys", "import-btcli", "bt", "--wallet", "enc", "--path", str(base), "--no-hotkeys",
                 "--wallet-password-file", str(btpw_wrong)).code != 0
    r = polis("keys", "import-btcli", "bt", "--wallet", "enc", "--path", str(base), "--no-hotkeys",
              "--wallet-password-file", str(btpw), "--json")
    assert r.code == 0, r.err
    _detach()

    cos_key = cosmos_private_key(mnemonic_seed(ABOUT), 0)
    tao_key = secret_key(TAO_MNEMONIC, 0)
    needles = [ABOUT, " ".join(ABOUT.split()[:6]), TAO_MNEMONIC, " ".join(TAO_MNEMONIC.split()[:6]), PASSPHRASE,
               "not-the-passphrase-1", "wrong wrong", BTCLI_PASSWORD, "nope-nope", SNAP_KEY, cos_key.hex(),
               tao_key.hex()[:64], BTCLI_MNEMONIC, " ".join(BTCLI_MNEMONIC.split()[:6])]
    assert (home / "data" / "polis.log").stat().st_size > 1000
    assert scan(home, outputs, needles, [cos_key, tao_key[:32], bytes.fromhex(SNAP_KEY)]) == 0


def test_vault_permissions_checked_with_a_warning(cli, env_passphrase) -> None:  # type: ignore[no-untyped-def]
    from wallet.keys.vault import Vault

    assert cli("keys", "import", "me", "--mnemonic", stdin=ABOUT + "\n").code == 0
    v = Vault()
    assert oct(v.root.stat().st_mode & 0o777) == "0o700"
    keys = list(v.root.glob("*.keystore.json"))
    assert keys and all(oct(k.stat().st_mode & 0o777) == "0o600" for k in keys)
    assert v.check_permissions() == []
    assert "warning" not in cli("keys", "list").err
    v.root.chmod(0o755)
    keys[0].chmod(0o644)
    try:
        r = cli("keys", "list")
        assert r.code == 0
        assert "vault folder" in r.err and "chmod 700" in r.err
        assert "key file" in r.err and "chmod 600" in r.err
        assert "warning" in cli("vote", "1", "yes", "-n", "akash", "--dry-run").err
    finally:
        v.root.chmod(0o700)
        keys[0].chmod(0o600)
    assert "warning" not in cli("keys", "list").err
