"""Shell completion, tested in the real shells.

bash: the generated script is loaded with `eval`, COMP_LINE / COMP_POINT / COMP_WORDS / COMP_CWORD are set as
bash sets them on TAB, and COMPREPLY is read back. zsh: an interactive zsh runs in a pseudo-terminal (zsh/zpty)
with compinit, the script is loaded with `eval`, the line is typed and TAB pressed; the matches that reach
compadd are read back. fish: `polis completion fish | source`, then `complete -C LINE` (what fish offers on TAB).
Each shell's tests skip, naming the shell, when it is not installed."""

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


# --- zsh and fish ---------------------------------------------------------------------------------

needs_zsh = pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (apt-get install zsh)")
needs_fish = pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (apt-get install fish)")

_ZSH_HOOKS = r'''
# Sourced by the interactive zsh: compadd is wrapped so every match it is given is printed (with the lines
# listed for them), nothing is inserted; internal calls that only collect matches (-O/-A/-D) pass through.
_cap_shown() {
    while (( $# )); do
        [[ $1 == -- ]] && return
        [[ $1 == -d ]] && { print -rl -- "${(@)${(P)2}/#/DSC:}" >/dev/tty; return; }
        shift
    done
}
_cap_hits() {
    builtin compadd -O __polis_hits "$@"
    print -rl -- "${(@)__polis_hits/#/HIT:}" >/dev/tty
    _cap_shown "$@"
}
compadd() {
    local a
    for a in "$@"; do
        [[ $a == -- ]] && break
        [[ $a == -[a-zA-Z]#[OAD][a-zA-Z]# ]] && { builtin compadd "$@"; return; }
    done
    _cap_hits "$@"
}
_cap_wrap() {
    print -r "HIT""START" >/dev/tty
    _complete
    local r=$?
    print -r "HIT""END" >/dev/tty
    return $r
}
zstyle ":completion:*" completer _cap_wrap
zstyle ":completion:*" list-grouped false
bindkey "^I" complete-word
'''

_ZSH_CAPTURE = r'''
# zsh -f capture.zsh HOOKS LINE: type LINE into an interactive zsh (compinit, `polis completion zsh` loaded,
# HOOKS sourced) in a pseudo-terminal and press TAB.
zmodload zsh/zpty
zpty polis_z zsh -f -i
zpty -w polis_z 'PS1="" PS2="" RPS1=""; unsetopt beep'
zpty -w polis_z 'autoload -Uz compinit && compinit -u -D'
zpty -w polis_z 'eval "$(polis completion zsh)" || print "LOAD""FAILED"'
zpty -w polis_z "source ${(q)1}"
zpty -w polis_z 'print "READY""MARK"'
zpty -r polis_z line '*READYMARK*' || exit 3
zpty -n -w polis_z "$2"$'\t'
zpty -r polis_z out '*HITEND*' || exit 4
print -r -- "$out"
zpty -d polis_z
'''


def _shell_env() -> dict[str, str]:
    bindir = Path(sys.executable).parent
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "TERM": "dumb"}


def zsh_complete(line: str, tmp_path: Path, *, shown: bool = False) -> list[str]:
    """What zsh offers on TAB at the end of `line`, with the script from `polis completion zsh` loaded (with
    `shown`, the lines zsh lists for them: candidate and description)."""
    cap, hooks = tmp_path / "capture.zsh", tmp_path / "hooks.zsh"
    cap.write_text(_ZSH_CAPTURE)
    hooks.write_text(_ZSH_HOOKS)
    r = subprocess.run(["zsh", "-f", str(cap), str(hooks), line], capture_output=True, text=True, env=_shell_env(),
                       timeout=30)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert "LOADFAILED" not in r.stdout and "command not found" not in r.stdout, r.stdout
    body = r.stdout.split("HITSTART", 1)[-1].split("HITEND", 1)[0]
    mark = "DSC:" if shown else "HIT:"
    return sorted({ln.strip("\r")[4:] for ln in body.splitlines() if ln.strip("\r").startswith(mark)})


def fish_complete(line: str, *, shown: bool = False) -> list[str]:
    """What fish offers at the end of `line` (`complete -C`), with `polis completion fish | source` loaded;
    descriptions (after a tab) are left out unless `shown`."""
    r = subprocess.run(["fish", "--no-config", "-c", 'polis completion fish | source; complete -C "$argv[1]"', line],
                       capture_output=True, text=True, env=_shell_env(), timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return sorted({w if shown else w.split("\t", 1)[0] for w in r.stdout.split("\n") if w})


@needs_zsh
def test_zsh_commands_options_and_choices(known: None, tmp_path: Path) -> None:
    assert zsh_complete("polis net", tmp_path) == ["networks"]
    assert {"keys", "networks", "proposals", "vote"} <= set(zsh_complete("polis ", tmp_path))
    assert zsh_complete("polis keys sh", tmp_path) == ["show"]
    assert zsh_complete("polis proposals list --clo", tmp_path) == ["--closing-within"]
    assert zsh_complete("polis proposals list --order ", tmp_path) == ["closing", "newest", "oldest"]
    assert zsh_complete("polis completion ", tmp_path) == ["bash", "fish", "zsh"]


@needs_zsh
def test_zsh_values_from_the_networks_vault_and_archive(known: None, tmp_path: Path) -> None:
    assert zsh_complete("polis proposals list -n dev", tmp_path) == ["devnet", "devnet/treasury"]
    assert zsh_complete("polis vote 1 for --account ", tmp_path) == ["alice", "cold"]
    assert zsh_complete("polis vote ", tmp_path) == sorted(PIDS)
    assert zsh_complete("polis vote -n devnet/treasury ", tmp_path) == sorted(PIDS[:2])
    assert zsh_complete(f"polis proposals show {PIDS[0][:5]}", tmp_path) == sorted(PIDS[:2])


@needs_zsh
def test_zsh_paths_go_to_the_shells_file_completion(known: None, tmp_path: Path) -> None:
    (tmp_path / "weekly.toml").write_text("")
    (tmp_path / "my plans").mkdir()
    (tmp_path / "my plans" / "june.toml").write_text("")
    assert zsh_complete(f"polis batch check {tmp_path}/wee", tmp_path) == ["weekly.toml"]
    assert zsh_complete(f"polis export votes --out={tmp_path}/wee", tmp_path) == ["weekly.toml"]
    assert zsh_complete(f"polis batch check '{tmp_path}/my plans/j", tmp_path) == ["june.toml"]


@needs_zsh
def test_zsh_lists_help_lines_option_values_and_quoted_words(known: None, tmp_path: Path) -> None:
    shown = zsh_complete("polis keys ", tmp_path, shown=True)
    assert any(line.startswith("list ") and line.endswith("-- list accounts (no unlock needed)") for line in shown)
    assert any(line.startswith("--closing-within ") and line.endswith("-- open and closing within DAYS")
               for line in zsh_complete("polis proposals list --clo", tmp_path, shown=True))
    assert any(line.endswith("-- one of newest, oldest, closing")
               for line in zsh_complete("polis proposals list --or", tmp_path, shown=True))
    assert zsh_complete("polis proposals list --network=dev", tmp_path) == ["--network=devnet",
                                                                            "--network=devnet/treasury"]
    assert zsh_complete("polis proposals list --order=c", tmp_path) == ["--order=closing"]
    assert zsh_complete("polis keys show 'co", tmp_path) == ["cold"]
    assert zsh_complete('polis keys show "al', tmp_path) == ["alice"]
    assert zsh_complete("polis vote 1 for --reason ", tmp_path) == []  # nothing to offer: no empty match


@needs_fish
def test_fish_commands_options_and_choices(known: None) -> None:
    assert fish_complete("polis net") == ["networks"]
    assert {"keys", "networks", "proposals", "vote"} <= set(fish_complete("polis "))
    assert fish_complete("polis keys sh") == ["show"]
    assert fish_complete("polis proposals list --clo") == ["--closing-within"]
    assert fish_complete("polis proposals list --order ") == ["closing", "newest", "oldest"]
    assert fish_complete("polis completion ") == ["bash", "fish", "zsh"]


@needs_fish
def test_fish_values_from_the_networks_vault_and_archive(known: None) -> None:
    assert fish_complete("polis proposals list -n dev") == ["devnet", "devnet/treasury"]
    assert fish_complete("polis vote 1 for --account ") == ["alice", "cold"]
    assert fish_complete("polis vote ") == sorted(PIDS)
    assert fish_complete("polis vote -n devnet/treasury ") == sorted(PIDS[:2])
    assert fish_complete(f"polis proposals show {PIDS[0][:5]}") == sorted(PIDS[:2])


@needs_fish
def test_fish_paths_go_to_the_shells_file_completion(known: None, tmp_path: Path) -> None:
    (tmp_path / "weekly.toml").write_text("")
    (tmp_path / "my plans").mkdir()
    (tmp_path / "my plans" / "june.toml").write_text("")
    assert fish_complete(f"polis batch check {tmp_path}/wee") == [f"{tmp_path}/weekly.toml"]
    assert fish_complete(f"polis export votes --out={tmp_path}/wee") == [f"--out={tmp_path}/weekly.toml"]
    assert fish_complete(f"polis batch check '{tmp_path}/my plans/j") == [f"{tmp_path}/my plans/june.toml"]


@needs_fish
def test_fish_lists_help_lines_option_values_and_quoted_words(known: None) -> None:
    assert "list\tlist accounts (no unlock needed)" in fish_complete("polis keys ", shown=True)
    assert fish_complete("polis proposals list --clo", shown=True) == ["--closing-within\topen and closing within DAYS"]
    assert fish_complete("polis proposals list --or", shown=True) == ["--order\tone of newest, oldest, closing"]
    assert fish_complete("polis proposals list --network=dev") == ["--network=devnet", "--network=devnet/treasury"]
    assert fish_complete("polis proposals list --order=c") == ["--order=closing"]
    assert fish_complete("polis keys show 'co") == ["cold"]
    assert fish_complete("polis vote 1 for --reason ") == []


def test_bash_completes_option_values_after_an_equals_sign(known: None) -> None:
    assert complete("polis proposals list --network=dev") == ["devnet", "devnet/treasury"]  # bash splits at '='
    assert complete("polis proposals list --order=c") == ["closing"]
    assert complete("polis nosuch --x=") == []
