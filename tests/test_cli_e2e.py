"""The installed `polis` command as a user runs it: help, exit codes, the demo, and secret hygiene."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import JUNK_MNEMONIC, add_devnet_dao

JUNK_KEY0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def run(polis_bin: str, *args: str, env: dict[str, str] | None = None, stdin: str = "",
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([polis_bin, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_help_and_usage_errors(polis_bin: str) -> None:
    r = run(polis_bin, "--help")
    assert r.returncode == 0 and "proposals" in r.stdout and "exit codes" in r.stdout
    assert run(polis_bin).returncode == 2
    assert run(polis_bin, "vote").returncode == 2
    assert run(polis_bin, "proposals", "list", "--limit", "0").returncode == 2


def test_no_color_and_json_are_clean(polis_bin: str) -> None:
    r = run(polis_bin, "networks", "list", env={"NO_COLOR": "1"})
    assert r.returncode == 0 and "\x1b[" not in r.stdout and "ethereum/compound" in r.stdout
    doc = json.loads(run(polis_bin, "networks", "list", "--json").stdout)
    assert {n["key"] for n in doc} >= {"ethereum", "devnet"}


@pytest.mark.anvil
def test_demo_headless(polis_bin: str, tmp_path: Path) -> None:
    r = run(polis_bin, "demo", "--headless", "--json", "--voters", "20",
            env={"POLIS_DEMO_HOME": str(tmp_path / "demo")},
            timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    statuses = {(p["source"], p["status"]) for p in doc["proposals"]}
    for src in ("devnet/polis", "devnet/bravo"):
        for status in ("active", "executed", "queued", "rejected", "canceled", "passed"):
            assert (src, status) in statuses, (src, status)
    assert doc["address"].startswith("0x")
    now = time.time()
    for p in doc["proposals"]:
        if p["status"] == "active":  # the demo chain is on the wall clock, a block a second
            assert 10 * 60 < p["end_ts"] - now < 3600, p
    text = run(polis_bin, "demo", "--headless", "--voters", "10", env={"POLIS_DEMO_HOME": str(tmp_path / "d2")},
               timeout=300)
    assert text.returncode == 0 and "devnet/polis" in text.stdout and "polis vote" in text.stdout


@pytest.mark.anvil
def test_secrets_never_leak(polis_bin: str, tmp_path: Path, anvil, seeded_dao, dao) -> None:
    """A whole scenario with a known mnemonic and passphrase; then every output, log and the archive are
    scanned for the mnemonic, the private keys (hex, with and without 0x, and raw bytes) and the passphrase."""
    from wallet.devnet.seed import fund_and_delegate, seed_dao

    home = tmp_path / "home"
    passphrase = "s3cret-Passphrase-for-the-scan"
    pfile = tmp_path / "pass"
    pfile.write_text(passphrase)
    wrong = tmp_path / "wrong"
    wrong.write_text("definitely-not-it")
    env = {"POLIS_HOME": str(home), "POLIS_SCRYPT_N": "1024", "POLIS_INSECURE_TESTING": "1", "POLIS_LOG_LEVEL": "DEBUG"}
    outputs: list[str] = []

    def polis(*args: str, stdin: str = "", extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        r = run(polis_bin, *args, env={**env, **(extra or {})}, stdin=stdin)
        outputs.extend([r.stdout, r.stderr])
        return r

    with_pass = {"POLIS_PASSPHRASE_FILE": str(pfile)}
    assert polis("keys", "import", "me", "--mnemonic", "--index", "3", stdin=JUNK_MNEMONIC,
                 extra=with_pass).returncode == 0
    assert polis("keys", "new", "fresh", "--no-show", extra=with_pass).returncode == 0
    me = json.loads(polis("keys", "show", "me", "--json").stdout)["addresses"]["evm"]
    dep = dao("oz")
    fund_and_delegate(anvil, dep, [me], 10**21)
    seed = seed_dao(anvil, dep, n_voters=6, with_states=False)
    os.environ["POLIS_HOME"] = str(home)
    try:
        src = add_devnet_dao(anvil.url, dep)
    finally:
        os.environ.pop("POLIS_HOME")
    assert polis("sync", src).returncode == 0
    pid = seed.proposals["active"]
    assert polis("vote", f"{src}:{pid}", "-a", "me", "for", "--yes",
                 extra={"POLIS_PASSPHRASE_FILE": str(wrong)}).returncode == 1
    assert polis("vote", f"{src}:{pid}", "-a", "me", "for", "--yes",
                 extra={"POLIS_PASSPHRASE": "nope nope"}).returncode == 1
    assert polis("vote", f"{src}:{pid}", "-a", "me", "for", "--yes").returncode == 3
    assert polis("vote", f"{src}:{pid}", "-a", "me", "for", "--reason", "scan me", "--yes", "--json",
                 extra=with_pass).returncode == 0
    assert polis("vote", f"{src}:{pid}", "-a", "me", "against", "--yes", extra=with_pass).returncode == 1
    assert polis("delegate", "--to", "self", "-a", "me", "-n", src, "--yes", extra=with_pass).returncode == 0
    assert polis("keys", "export", "me", "--out", str(tmp_path / "backup.txt"), extra=with_pass).returncode == 0
    assert polis("keys", "export", "me", extra=with_pass).returncode == 3  # not to a pipe without --yes
    assert polis("keys", "import", "bad", "--mnemonic", stdin=JUNK_MNEMONIC.replace("junk", "test"),
                 extra=with_pass).returncode == 2
    assert polis("proposals", "show", f"{src}:{pid}", "--json").returncode == 0
    assert polis("history", "--json").returncode == 0

    from wallet.keys.derive import evm_private_key, mnemonic_seed

    key3 = evm_private_key(mnemonic_seed(JUNK_MNEMONIC), 3)
    needles = [JUNK_MNEMONIC, " ".join(JUNK_MNEMONIC.split()[:6]), key3.hex(), "0x" + key3.hex(), JUNK_KEY0, passphrase]
    haystacks = {"cli output": "\n".join(outputs)}
    for path in home.rglob("*"):
        if path.is_file() and not path.name.endswith(".keystore.json"):
            haystacks[str(path)] = path.read_bytes().decode("latin-1")
    assert (home / "data" / "polis.log").exists()
    for where, text in haystacks.items():
        for needle in needles:
            assert needle not in text, f"secret found in {where}"
        assert key3.decode("latin-1") not in text, f"raw key bytes in {where}"
    assert (tmp_path / "backup.txt").read_text().strip() == JUNK_MNEMONIC  # the one place it belongs


def test_add_networks_of_each_family(cli) -> None:
    r = cli("networks", "add", "cosmoshub", "--family", "cosmos", "--chain-id", "cosmoshub-4", "--rpc",
            "https://rest.cosmos.example", "--prefix", "cosmos", "--denom", "uatom", "--symbol", "ATOM",
            "--decimals", "6", "--json")
    assert r.code == 0, r.err
    assert r.json()["extra"]["valoper_prefix"] == "cosmosvaloper" and r.json()["chain_id"] == "cosmoshub-4"
    assert "cosmoshub" in {n["key"] for n in cli("networks", "list", "--json").json()}
    assert cli("networks", "add", "bad", "--family", "cosmos", "--chain-id", "x", "--rpc", "http://x").code == 2
    assert cli("networks", "add", "arb", "--chain-id", "arbitrum", "--rpc", "http://x").code == 2
    ok = cli("networks", "add", "arb", "--chain-id", "42161", "--rpc", "http://127.0.0.1:9", "--json")
    assert ok.code == 0 and ok.json()["chain_id"] == 42161
    assert cli("networks", "add", "arb/dao", "--governor", "0x" + "1" * 40, "--token", "0x" + "2" * 40).code == 0
    assert cli("networks", "remove", "arb/dao").code == 0
    assert cli("networks", "remove", "ethereum").code == 2  # presets stay


def test_network_aliases(cli) -> None:
    assert cli("networks", "show", "fetchhub", "--json").json()["key"] == "fetchai"
    assert cli("networks", "show", "local", "--json").json()["key"] == "bittensor-local"
    assert cli("proposals", "list", "-n", "fetchhub", "--json").code == 0
