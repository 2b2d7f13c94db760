"""Every bad input of issue 12 items 11–16 through the real CLI: exit 2, one error line (plus at most a
hint), no traceback, and the data folder exactly as before (files byte for byte, the archive row for row).

Most cases run in-process (`cli`); the ones about the process itself (closed stdin/stdout, a full disk
via RLIMIT_FSIZE, the scrypt variable) run the installed `polis` in a child.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC, PASSPHRASE, Result
from wallet.cache import open_archive, store

GOV = "0x" + "11" * 20
TOKEN = "0x" + "22" * 20
PID = str(10**76 + 7)


@pytest.fixture
def home(polis_home: Path, env_passphrase: Path, cli: Any) -> Path:
    """A data folder with an account, a user DAO and an archived proposal with a vote."""
    assert cli("keys", "import", "a", "--mnemonic", stdin=JUNK_MNEMONIC).code == 0
    r = cli("networks", "add", "devnet/a", "--governor", GOV, "--token", TOKEN)
    assert r.code == 0, r.err
    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, "devnet/a", network="devnet", family="evm", kind="oz",
                            extra={"symbol": "PDT", "decimals": 18})
        store.upsert_proposal(ar, "devnet/a", PID, {"title": "Fund the audit", "status": "active",
                                                    "created_at": int(time.time()), "end_ts": int(time.time()) + 3600})
        store.insert_votes(ar, [("devnet/a", PID, "0x" + "be" * 20, "for", str(10**24), "ok", 10, "0xab", 0, 1)])
        store.refresh_vote_counts(ar, "devnet/a")
    return polis_home


def snapshot(home: Path) -> dict[str, str]:
    """Every file's digest; the archive by its logical dump (a WAL checkpoint rewrites pages, not rows).
    The log is not data: it is left out."""
    out: dict[str, str] = {}
    for p in sorted(home.rglob("*")):
        if not p.is_file() or p.name == "polis.log" or p.name.endswith(("-wal", "-shm")):
            continue
        rel = str(p.relative_to(home))
        if p.name == "archive.sqlite3":
            conn = sqlite3.connect(p)
            try:
                out[rel] = hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
            finally:
                conn.close()
        else:
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() + f" {oct(p.stat().st_mode & 0o777)}"
    return out


def assert_bad(r: Result | subprocess.CompletedProcess[str], before: dict[str, str], home: Path,
               needle: str = "") -> None:
    code = r.code if isinstance(r, Result) else r.returncode
    out = r.out if isinstance(r, Result) else r.stdout
    err = r.err if isinstance(r, Result) else r.stderr
    assert code == 2, (code, out, err)
    assert "Traceback" not in out + err and "internal error" not in out + err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) in (1, 2) and lines[0].startswith("error: "), err
    assert len(lines) == 1 or lines[1].startswith("hint: "), err
    assert needle.lower() in err.lower(), err
    assert snapshot(home) == before


# --- item 11: these exited 70 with a traceback ------------------------------------------------------

NET = ["networks", "add"]
EVM_NET = ["--chain-id", "5", "--rpc", "http://127.0.0.1:8545"]
DAO_OPTS = ["--governor", GOV, "--token", TOKEN]

ITEM_11: list[tuple[list[str], str, str]] = [
    (["keys", "import", "w", "--watch", ""], "", "address"),
    (["keys", "import", "x", "--mnemonic", "--index", "-1"], JUNK_MNEMONIC, "out of range"),
    (["keys", "import", "x", "--mnemonic", "--index", "2147483648"], JUNK_MNEMONIC, "out of range"),
    (["proposals", "list", "--limit", "9" * 20], "", "too large"),
    (["proposals", "list", "--offset", "9" * 20], "", "too large"),
    (["proposals", "list", "--closing-within", "nan"], "", "days"),
    (["proposals", "due", "--closing-within", "inf"], "", "days"),
    (["proposals", "list", "--closing-within", "1e308"], "", "days"),
    (["proposals", "votes", PID, "--limit", "9" * 30], "", "too large"),
    (["vote", "1" * 80, "for", "--yes"], "", "no proposal"),
    (["vote", "1" * 80, "for", "-n", "devnet/a", "--yes"], "", "no proposal"),
    (["vote", PID, "for", "--rpc", "http://[::1", "--yes"], "", "not a valid url"),
    (NET + ["foo", *EVM_NET, "--block-time", "0"], "", "block_time"),
    (NET + ["foo", *EVM_NET, "--block-time", "-5"], "", "block_time"),
    (NET + ["foo", *EVM_NET, "--decimals", "500"], "", "decimals"),
    (NET + ["foo", *EVM_NET, "--decimals", "-3"], "", "decimals"),
    (NET + ["devnet/b", *DAO_OPTS, "--start-block", "-1"], "", "start_block"),
    (NET + ["devnet/b", *DAO_OPTS, "--token-decimals", "1000"], "", "token_decimals"),
    (NET + ["devnet/../w", *DAO_OPTS], "", "bad name"),
    (["export", "votes", "-o", "/nonexistent/x.csv"], "", "does not exist"),
    (["export", "votes", "-o", "/"], "", "folder"),
    (["export", "proposals", "--format", "json", "-o", "/"], "", "folder"),
]


@pytest.mark.parametrize(("argv", "stdin", "needle"), ITEM_11, ids=lambda v: " ".join(v)[:60] if isinstance(v, list)
                         else None)
def test_item_11_bad_arguments(home: Path, cli: Any, argv: list[str], stdin: str, needle: str) -> None:
    before = snapshot(home)
    assert_bad(cli(*argv, stdin=stdin), before, home, needle)


def test_item_11_keys_export_out_dir(home: Path, cli: Any, tmp_path: Path) -> None:
    before = snapshot(home)
    assert_bad(cli("keys", "export", "a", "--out", str(tmp_path)), before, home, "folder")


PLANS = {
    "deep.json": '{"version": 1, "actions": ' + "[" * 50_000 + "]" * 50_000 + "}",
    "deep.toml": "version = 1\nx = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "deep-shallow.json": '{"version": 1, "actions": [' + '{"a": ' * 40 + "1" + "}" * 40 + "]}",
    "bigint.json": '{"version": 1, "actions": [{"kind": "stake", "network": "devnet/a", "target": "x", '
                   '"amount": ' + "9" * 5000 + "}]}",
    "bigint.toml": 'version = 1\n[[actions]]\nkind = "stake"\nnetwork = "devnet/a"\ntarget = "x"\namount = '
                   + "9" * 5000 + "\n",
}


@pytest.mark.parametrize("name", sorted(PLANS))
def test_item_11_hostile_plan_files(home: Path, cli: Any, tmp_path: Path, name: str) -> None:
    plan = tmp_path / name
    plan.write_text(PLANS[name])
    before = snapshot(home)
    for verb in ("check", "run"):
        r = cli("batch", verb, str(plan), "--yes") if verb == "run" else cli("batch", verb, str(plan))
        assert_bad(r, before, home, "nested" if "deep" in name else "too long")


def child(polis_bin: str, *argv: str, stdin: Any = subprocess.DEVNULL, stdout: Any = subprocess.PIPE,
          fsize: int | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run([polis_bin, *argv], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True,
                          env=env or dict(os.environ), preexec_fn=limit, timeout=60)


def closed_fd_run(polis_bin: str, argv: list[str], fd: int) -> subprocess.CompletedProcess[str]:
    """Run with file descriptor `fd` (0 or 1) closed, as `<&-` / `>&-` in a shell do."""
    shell = f'exec {fd}>&- ; exec "$0" "$@"' if fd == 1 else f'exec {fd}<&- ; exec "$0" "$@"'
    return subprocess.run(["/bin/sh", "-c", shell, polis_bin, *argv], stdout=None if fd == 1 else subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60, stdin=subprocess.DEVNULL if fd == 1 else None)


@pytest.mark.parametrize("source", ["--mnemonic", "--private-key"])
def test_item_11_stdin_closed(home: Path, polis_bin: str, source: str) -> None:
    before = snapshot(home)
    r = closed_fd_run(polis_bin, ["keys", "import", "x", source], 0)
    r.stdout = r.stdout or ""
    assert_bad(r, before, home, "standard input is closed")


@pytest.mark.parametrize("argv", [["proposals", "list"], ["networks", "list"], ["keys", "list"], ["--help"]])
def test_item_11_stdout_closed(home: Path, polis_bin: str, argv: list[str]) -> None:
    before = snapshot(home)
    r = closed_fd_run(polis_bin, argv, 1)
    r.stdout = ""
    assert_bad(r, before, home, "standard output is closed")


def test_item_11_full_disk_during_writes(home: Path, polis_bin: str, tmp_path: Path) -> None:
    """`ulimit -f 0`: every write fails with EFBIG. Each command says so in one line and leaves nothing."""
    before = snapshot(home)
    writes = [
        ["keys", "new", "b", "--no-show"],
        ["keys", "import", "w", "--watch", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
        ["keys", "rename", "a", "z"],
        ["networks", "add", "foo", *EVM_NET],
        ["export", "votes", "-o", str(tmp_path / "votes.csv")],
        ["keys", "export", "a", "--out", str(tmp_path / "backup.txt")],
    ]
    for argv in writes:
        r = child(polis_bin, *argv, fsize=0)
        assert_bad(r, before, home, "cannot write")
    assert not list(tmp_path.glob("*votes*")) and not (tmp_path / "backup.txt").exists()


def test_item_11_full_disk_on_a_new_archive(polis_home: Path, polis_bin: str) -> None:
    r = child(polis_bin, "batch", "status", fsize=0)
    assert r.returncode == 2 and "cannot write the archive" in r.stderr and "Traceback" not in r.stderr


# --- item 12: names, chain ids and URLs of `networks add` ----------------------------------------------

ITEM_12: list[tuple[list[str], str]] = [
    *[(NET + [name, *EVM_NET], "bad name") for name in ("my net", 'a"b', "a'b", "a\nb", "a:b", "a]b", "Upper",
                                                         "_lead", "a" * 5000, "", "devnet/x/y", "devnet/")],
    (NET + ["devnet/bad name", *DAO_OPTS], "bad name"),
    (NET + ["foo", "--chain-id", "-1", "--rpc", "http://127.0.0.1:8545"], "chain id"),
    (NET + ["foo", "--chain-id", "0", "--rpc", "http://127.0.0.1:8545"], "chain id"),
    (NET + ["foo", "--chain-id", str(2**256), "--rpc", "http://127.0.0.1:8545"], "chain id"),
    (NET + ["foo", "--chain-id", "9" * 5000, "--rpc", "http://127.0.0.1:8545"], "chain id"),
    *[(NET + ["foo", "--chain-id", "5", "--rpc", url], "--rpc") for url in (
        "file:///etc/passwd", "gopher://example.org/", "javascript:alert(1)", "unix:///run/x.sock", "", "   ",
        "http://", "http://exa mple.org", "http://example.org:99999", "http://[::1")],
    (NET + ["foo", *EVM_NET, "--title", "x" * 500], "title"),
    (NET + ["foo", *EVM_NET, "--title", "evil\x1b]0;pwned\x07"], "title"),
    (NET + ["foo", *EVM_NET, "--symbol", "E T H"], "symbol"),
    (NET + ["cosm", "--family", "cosmos", "--chain-id", "bad chain!", "--rpc", "https://lcd.example",
            "--prefix", "cosmos", "--denom", "uatom", "--symbol", "ATOM", "--decimals", "6"], "chain id"),
]


@pytest.mark.parametrize(("argv", "needle"), ITEM_12, ids=lambda v: repr(" ".join(v))[:50] if isinstance(v, list)
                         else None)
def test_item_12_networks_add_rules(home: Path, cli: Any, argv: list[str], needle: str) -> None:
    before = snapshot(home)
    assert_bad(cli(*argv), before, home, needle)


def test_item_12_good_names_and_a_link_local_warning(home: Path, cli: Any) -> None:
    r = cli(*NET, "my-net.2_x", "--chain-id", str(2**256 - 1), "--rpc", "wss://node.example:8546")
    assert r.code == 0, r.err
    r = cli(*NET, "meta", "--chain-id", "5", "--rpc", "http://169.254.169.254/latest")
    assert r.code == 0 and "link-local" in r.err
    assert cli("networks", "show", "meta").code == 0


# --- item 13: duplicate JSON keys ------------------------------------------------------------------------

def test_item_13_duplicate_json_keys_name_the_line(home: Path, cli: Any, tmp_path: Path) -> None:
    plan = tmp_path / "dup.json"
    plan.write_text('{\n  "version": 1,\n  "actions": [{"kind": "vote", "network": "devnet/a", "account": "a",\n'
                    f'                "proposal": "{PID}", "choice": "for"}}],\n'
                    '  "actions": [{"kind": "delegate", "network": "devnet/a", "account": "a", "to": "self"}]\n}\n')
    before = snapshot(home)
    r = cli("batch", "check", str(plan))
    assert_bad(r, before, home, "duplicate key")
    assert f"{plan}:5: actions: duplicate key" in r.err
    nested = tmp_path / "dup2.json"
    nested.write_text('{"version": 1, "actions": [\n {"kind": "vote", "network": "devnet/a", "choice": "for",\n'
                      f'  "proposal": "{PID}", "choice": "against", "account": "a"}}]}}\n')
    r = cli("batch", "check", str(nested))
    assert_bad(r, before, home, "actions[0].choice: duplicate key")
    assert f"{nested}:3:" in r.err


# --- item 14: line mapping is linear ------------------------------------------------------------------------

def test_item_14_check_of_32000_actions(home: Path, polis_bin: str, tmp_path: Path) -> None:
    """`batch check` of a 32,000-action JSON plan in a few seconds of CPU (85 s before; ~1.2 s for the parse
    and checks on a quiet machine, plus the archive's offline warnings), and an error in the last action still
    names its line. CPU, not wall time: the suite shares two cores, and a loaded machine inflates even CPU
    time, hence the margin."""
    actions = [{"kind": "vote", "network": "devnet/a", "account": "a", "proposal": str(10**70 + i),
                "choice": "for"} for i in range(32_000)]
    plan = tmp_path / "big.json"
    plan.write_text(json.dumps({"version": 1, "actions": actions}, indent=2))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = child(polis_bin, "batch", "check", str(plan))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert r.returncode == 0, r.stderr[-500:]
    assert "32000 action(s)" in r.stdout
    assert cpu <= 3.5, f"batch check took {cpu:.2f} s of CPU"
    actions[-1]["choice"] = "maybe"
    plan.write_text(json.dumps({"version": 1, "actions": actions}, indent=2))
    r = child(polis_bin, "batch", "check", str(plan))
    text = plan.read_text()
    line = text[:text.index('"choice": "maybe"')].count("\n") + 1
    assert r.returncode == 2 and f"big.json:{line}: actions[31999].choice" in r.stderr, r.stderr[-300:]


# --- item 15: POLIS_SCRYPT_N ----------------------------------------------------------------------------------

def _scrypt_n_of_new_key(polis_bin: str, home: Path, name: str, env: dict[str, str]) -> tuple[int, str]:
    r = child(polis_bin, "keys", "new", name, "--no-show", env=env)
    assert r.returncode == 0, r.stderr
    meta = next(json.loads(p.read_text()) for p in (home / "data" / "vault").glob("*.json")
                if not p.name.endswith(".keystore.json") and json.loads(p.read_text())["name"] == name)
    doc = json.loads((home / "data" / "vault" / f"{meta['id']}.keystore.json").read_text())
    return int(doc["crypto"]["kdfparams"]["n"]), r.stderr


def test_item_15_weak_scrypt_only_for_explicit_test_vaults(polis_home: Path, polis_bin: str,
                                                           passphrase_file: Path) -> None:
    base = {**os.environ, "POLIS_PASSPHRASE_FILE": str(passphrase_file), "POLIS_SCRYPT_N": "1024"}
    base.pop("POLIS_INSECURE_TESTING", None)
    n, err = _scrypt_n_of_new_key(polis_bin, polis_home, "real", base)
    assert n == 2**18 and "ignoring POLIS_SCRYPT_N" in err and "POLIS_INSECURE_TESTING" in err
    n, err = _scrypt_n_of_new_key(polis_bin, polis_home, "test", {**base, "POLIS_INSECURE_TESTING": "1"})
    assert n == 1024 and "ignoring" not in err
    r = child(polis_bin, "keys", "new", "odd", "--no-show", env={**base, "POLIS_SCRYPT_N": "1000"})
    assert r.returncode == 1 and "power of two" in r.stderr


# --- item 16: unknown networks and malformed addresses in read commands ---------------------------------------

ITEM_16: list[tuple[list[str], str]] = [
    (["proposals", "list", "-n", "devnett"], "did you mean 'devnet'"),
    (["proposals", "due", "-n", "devnett"], "known: "),
    (["proposals", "list", "-n", "devnet/nope"], "devnet/a"),
    (["proposals", "show", PID, "-n", "nosuchnet"], "unknown network"),
    (["proposals", "votes", PID, "-n", "nosuchnet"], "unknown network"),
    (["export", "votes", "-n", "nosuchnet"], "known: "),
    (["export", "proposals", "-n", "nosuchnet"], "unknown network"),
    (["export", "votes", "--voter", "0xnotanaddress"], "not an address"),
    (["export", "votes", "--voter", "0x" + "g" * 40], "not an address"),
]


@pytest.mark.parametrize(("argv", "needle"), ITEM_16, ids=lambda v: " ".join(v)[:50] if isinstance(v, list) else None)
def test_item_16_unknown_network_or_address(home: Path, cli: Any, argv: list[str], needle: str) -> None:
    before = snapshot(home)
    r = cli(*argv)
    assert_bad(r, before, home, needle)
    if "known" in needle:
        assert "devnet" in r.err and "ethereum" in r.err


def test_item_16_known_names_still_work(home: Path, cli: Any) -> None:
    assert cli("proposals", "list", "-n", "devnet").code == 0
    assert cli("proposals", "list", "-n", "devnet/a").out.count("Fund the audit") == 1
    assert cli("export", "votes", "--voter", "0x" + "BE" * 20).out.count("\n") == 2
    assert cli("export", "votes", "--voter", "akash1" + "q" * 38).code == 0


# --- issue 15 #20: short id prefixes ------------------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["1", "10", "100"])
def test_short_prefix_says_too_short(home: Path, cli: Any, ref: str) -> None:
    before = snapshot(home)
    r = cli("proposals", "show", ref)
    assert_bad(r, before, home, "too short")
    assert "polis sync" not in r.err
    assert cli("proposals", "show", PID[:6]).code == 0  # 4+ digits: a unique prefix still works


def test_every_item_runs_without_passphrase_leaks(home: Path, cli: Any) -> None:
    """A mistyped --passphrase is refused without echoing the value."""
    r = cli("vote", PID, "for", "--passphrase", PASSPHRASE)
    assert r.code == 2 and PASSPHRASE not in r.err + r.out and "--passphrase" in r.err


def test_item_11_full_disk_during_a_sync(anvil: Any, seeded_dao: Any, polis_bin: str, polis_home: Path) -> None:
    """The archive's first write fails (RLIMIT_FSIZE 0): one line, exit 2, no traceback."""
    from tests.conftest import add_devnet_dao

    dep, _ = seeded_dao("oz", n_voters=4)
    src = add_devnet_dao(anvil.url, dep)
    r = child(polis_bin, "sync", src, fsize=0)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("error: cannot write the archive") and len(r.stderr.strip().splitlines()) == 1
