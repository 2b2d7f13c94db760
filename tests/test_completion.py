"""Shell completion, tested in a real bash: the generated script is loaded with `eval`, COMP_LINE /
COMP_POINT / COMP_WORDS / COMP_CWORD are set as bash sets them on TAB, and COMPREPLY is read back."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from wallet.cache import open_archive, store

PIDS = [str(10**76 + 11), str(10**76 + 22), "31"]


@pytest.fixture
def known(cli: Any, env_passphrase: Path) -> None:
    """A vault account, a user DAO and archived proposals to complete."""
    assert cli("keys", "import", "alice", "--mnemonic", stdin=JUNK_MNEMONIC).code == 0
    assert cli("keys", "import", "cold", "--watch", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8").code == 0
    assert cli("networks", "add", "devnet/treasury", "--governor", "0x" + "11" * 20, "--token", "0x" + "22" * 20,
               "--kind", "oz", "--token-symbol", "TRE", "--token-decimals", "18").code == 0
    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, "devnet/treasury", network="devnet", family="evm", kind="oz", extra={})
        store.upsert_source(ar, "akash", network="akash", family="cosmos", kind="gov", extra={})
        for i, pid in enumerate(PIDS[:2]):
            store.upsert_proposal(ar, "devnet/treasury", pid, {"title": f"t{i}", "status": "active", "created_at": i})
        store.upsert_proposal(ar, "akash", PIDS[2], {"title": "a", "status": "active", "created_at": 5})


def complete(line: str) -> list[str]:
    """What bash offers at the end of `line` with the script from `polis completion bash` loaded."""
    bindir = Path(sys.executable).parent
    script = (
        'eval "$(polis completion bash)"\n'
        'COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}\n'
        'read -ra COMP_WORDS <<< "$COMP_LINE"\n'
        '[[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")\n'
        'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n'
        '_polis_complete\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n')
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, "bash", line], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return [w for w in r.stdout.split("\n") if w]


pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def test_commands_verbs_options_and_choices(known: None) -> None:
    assert complete("polis vo") == ["vote"]
    assert {"keys", "networks", "proposals", "vote", "delegate", "batch", "export", "completion"} <= \
        set(complete("polis "))
    assert complete("polis keys sh") == ["show"]
    assert "import-btcli" in complete("polis keys ")
    assert complete("polis proposals list --clo") == ["--closing-within"]
    assert complete("polis proposals list --order ") == ["newest", "oldest", "closing"]
    assert complete("polis export votes --format ") == ["csv", "json"]
    assert complete("polis completion ") == ["bash", "zsh", "fish"]
    assert complete("polis delegate --to ") == ["self"]
    # the tree is the parser's: every long option of `vote` is offered
    from wallet.cli.main import build_parser

    vote = build_parser()._subparsers._group_actions[0].choices["vote"]  # type: ignore[union-attr]
    expected = {s for a in vote._actions for s in a.option_strings if s.startswith("--")}
    assert set(complete("polis vote 1 for --")) == expected


def test_values_from_the_networks_vault_and_archive(known: None) -> None:
    sources = complete("polis proposals list -n dev")
    assert sources == ["devnet", "devnet/treasury"]
    assert "akash" in complete("polis sync ") and "ethereum" in complete("polis sync ")
    assert complete("polis vote 1 for --account ") == ["alice", "cold"]
    assert complete("polis keys show a") == ["alice"]
    assert complete("polis networks show devnet/") == ["devnet/treasury"]
    assert set(complete("polis vote ")) == set(PIDS)
    assert complete("polis vote 3") == ["31"]
    assert set(complete("polis vote -n devnet/treasury ")) == set(PIDS[:2])  # filtered by --network
    assert set(complete(f"polis proposals show {PIDS[0][:5]}")) == set(PIDS[:2])


def test_paths_go_to_the_shells_file_completion(known: None, tmp_path: Path) -> None:
    (tmp_path / "weekly.toml").write_text("")
    assert complete(f"polis batch check {tmp_path}/wee") == [f"{tmp_path}/weekly.toml"]
    assert complete(f"polis export votes -o {tmp_path}/we") == [f"{tmp_path}/weekly.toml"]


def test_scripts_for_every_shell() -> None:
    out = {sh: subprocess.run([str(Path(sys.executable).with_name("polis")), "completion", sh], capture_output=True,
                              text=True, timeout=60) for sh in ("bash", "zsh", "fish")}
    assert all(r.returncode == 0 for r in out.values())
    assert "complete -F _polis_complete polis" in out["bash"].stdout
    assert "compdef _polis polis" in out["zsh"].stdout and "complete -c polis" in out["fish"].stdout
    assert subprocess.run(["bash", "-n"], input=out["bash"].stdout, text=True).returncode == 0
    for sh in ("zsh", "fish"):
        if shutil.which(sh):
            flag = ["-n"] if sh == "zsh" else ["--no-execute"]
            assert subprocess.run([sh, *flag], input=out[sh].stdout, text=True).returncode == 0


def test_a_tab_is_fast_and_light(known: None) -> None:
    """No pydantic, httpx, web3 or Textual for a TAB; one run well under a quarter second of CPU (CPU, not
    wall time: the suite shares two cores)."""
    code = ("import sys; from wallet.cli.main import main; main(['__complete', 'zsh', '--', 'vote', '-n', '']); "
            "heavy = [m for m in ('pydantic', 'httpx', 'web3', 'textual', 'eth_account', 'bip_utils') "
            "if m in sys.modules]; sys.stderr.write(repr(heavy))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stderr == "[]" and "devnet/treasury" in r.stdout
    polis = str(Path(sys.executable).with_name("polis"))
    subprocess.run([polis, "__complete", "bash", "--", "polis "], capture_output=True, timeout=60)  # warm
    best = min(_timed(polis) for _ in range(3))
    assert best < 0.25, f"{best:.3f} s"


def _timed(polis: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([polis, "__complete", "bash", "--", "polis vote -n "], capture_output=True, timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_broken_inputs_never_break_the_shell(known: None) -> None:
    assert complete('polis vote "unterminated') == []
    r = subprocess.run([str(Path(sys.executable).with_name("polis")), "__complete", "nosh", "--", "x"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == "" and r.stderr == ""
