"""Shell completion: `polis completion bash|zsh|fish` prints a small script; the script asks
`polis __complete SHELL -- WORDS…` for candidates at every TAB.

The candidates come from the real parser (`build_parser`), so every command, option and choice is
always in step with the code; values come from what Polis knows offline: network names and aliases,
DAO/space sources, archived sources, vault account names, archived proposal ids (filtered by a
`--network` already on the line). Only argparse, tomllib, json and sqlite3 are imported: no network,
no pydantic, no keys (one TAB costs one Python start, ~50 ms).

zsh and fish get each command's and option's help line beside it (`name<TAB>help`); `--option=value` words
complete their value in every shell.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

SHELLS = ("bash", "zsh", "fish")
FILES = "__files__"
"""Printed alone when the word is a path: the script hands over to the shell's file completion."""
MAX_CANDIDATES = 200

_FILE_DESTS = {"plan", "out", "report", "passphrase_file", "keystore", "mnemonic_file", "private_key_file",
               "keystore_passphrase_file"}


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return 0


# --- the engine ----------------------------------------------------------------------------------

def _subparsers(p: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            return a
    return None


def _option_map(p: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {s: a for a in p._actions for s in a.option_strings}


def _positionals(p: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in p._actions if not a.option_strings and not isinstance(a, argparse._SubParsersAction)]


DESCRIBED = ("zsh", "fish")
"""Shells whose candidates carry a description after a tab."""
DESCRIPTION_WIDTH = 70


def candidates(words: list[str]) -> list[str]:
    """Completions for the last word of `words` (the words after `polis`; the last may be empty)."""
    return [c for c, _ in described(words)]


def _help_line(action: argparse.Action) -> str:
    text = action.help if isinstance(action.help, str) and action.help != argparse.SUPPRESS else ""
    text = " ".join(text.replace("%(default)s", str(action.default)).replace("%%", "%").split())
    if not text and action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        text = "one of " + ", ".join(str(c) for c in action.choices)
    return text if len(text) <= DESCRIPTION_WIDTH else text[:DESCRIPTION_WIDTH - 1].rstrip() + "…"


def described(words: list[str]) -> list[tuple[str, str]]:
    """(candidate, description) pairs for the last word of `words`; the description is the help line of a
    command or option, "" for values."""
    from wallet.cli.main import build_parser

    *done, cur = words or [""]
    parser = build_parser(done)  # only the tree of the noun on the line (all names when there is none yet)
    path: list[str] = []
    seen: dict[str, str] = {}
    pending: argparse.Action | None = None
    positional = 0
    only_positionals = False
    for tok in done:
        if pending is not None:
            seen[pending.dest] = tok
            pending = None
            continue
        if tok == "--":
            only_positionals = True
            continue
        opts = _option_map(parser)
        if tok.startswith("-") and not only_positionals:
            name, eq, _ = tok.partition("=")
            action = opts.get(name)
            if action is not None and action.nargs != 0 and not eq:
                pending = action
            continue
        sub = _subparsers(parser)
        if sub is not None and tok in sub.choices and positional == 0:
            parser = sub.choices[tok]
            path.append(tok)
            continue
        positional += 1
    if pending is not None:
        return _bare(_values(pending, path, cur, seen))
    if cur.startswith("--") and "=" in cur and not only_positionals:  # --option=value
        name, _, value = cur.partition("=")
        action = _option_map(parser).get(name)
        if action is None or action.nargs == 0:
            return []
        found = _values(action, path, value, seen)
        return _bare(found if found == [FILES] else [f"{name}={v}" for v in found])
    if cur.startswith("-") and not only_positionals:
        flags = {s: _help_line(a) for a in parser._actions for s in a.option_strings if a.help != argparse.SUPPRESS}
        return sorted((o, h) for o, h in flags.items() if o.startswith(cur) and (o.startswith("--") or len(cur) < 2))
    sub = _subparsers(parser)
    if sub is not None and positional == 0:
        helps = {str(a.dest): _help_line(a) for a in sub._choices_actions}
        hidden = {a.dest for a in sub._choices_actions if a.help == argparse.SUPPRESS}
        return sorted((n, helps.get(n, "")) for n in sub.choices if n.startswith(cur) and n not in hidden)
    pos = _positionals(parser)
    if not pos:
        return []
    action = pos[min(positional, len(pos) - 1)]
    if positional >= len(pos) and action.nargs not in ("*", "+"):
        return []
    return _bare(_values(action, path, cur, seen))


def _bare(values: list[str]) -> list[tuple[str, str]]:
    return [(v, "") for v in values]


def _values(action: argparse.Action, path: list[str], cur: str, seen: dict[str, str]) -> list[str]:
    if action.choices is not None:
        return [str(c) for c in action.choices if str(c).startswith(cur)]
    dest, noun = action.dest, (path[0] if path else "")
    verb = path[1] if len(path) > 1 else ""
    if dest in _FILE_DESTS or action.metavar in ("PATH", "PLAN"):
        return [FILES]
    if dest in ("network", "targets") or (noun == "networks" and dest == "name" and verb in ("show", "remove")):
        return _prefixed(_sources(), cur)
    if dest in ("account", "old") or (noun == "keys" and dest == "name" and verb not in ("new", "import")):
        return _prefixed(_accounts(), cur)
    if dest in ("id", "proposal"):
        return _proposals(cur, seen.get("network"))
    if dest == "to":
        return _prefixed(["self"], cur)
    return []


def _prefixed(items: Iterable[str], cur: str) -> list[str]:
    return sorted({i for i in items if i.startswith(cur)})[:MAX_CANDIDATES]


# --- values Polis knows offline --------------------------------------------------------------------

def _sources() -> list[str]:
    out: set[str] = set()
    try:
        from wallet.network_tables import _user_tables, raw_tables

        tables = raw_tables()
        for key, t in tables.items():
            out.add(key)
            out.update(str(a) for a in t.get("aliases") or [])
            out.update(f"{key}/{d.get('id')}" for d in t.get("daos") or [])
            out.update(f"{key}/{s}" for s in (t.get("extra") or {}).get("spaces") or [])
        for key, t in _user_tables().items():
            out.update(f"{key}/{d.get('id')}" for d in t.get("daos") or [])
    except Exception:  # a broken networks file must not break the shell
        pass
    out.update(_archive_rows("SELECT id FROM sources", ()))
    return sorted(out)


def _accounts() -> list[str]:
    import json

    from wallet.paths import vault_dir

    names = []
    try:
        for p in vault_dir().glob("*.json"):
            if not p.name.endswith(".keystore.json"):
                name = json.loads(p.read_text()).get("name")
                if isinstance(name, str):
                    names.append(name)
    except (OSError, ValueError):
        pass
    return names


def _proposals(cur: str, network: str | None) -> list[str]:
    sql = "SELECT id FROM proposals WHERE id LIKE ? ESCAPE '\\'"
    params: list[str] = [cur.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"]
    if network:
        sql += " AND (source = ? OR source LIKE ?)"
        params += [network, network + "/%"]
    sql += f" ORDER BY created_at DESC LIMIT {MAX_CANDIDATES}"
    return _archive_rows(sql, tuple(params))


def _archive_rows(sql: str, params: tuple[str, ...]) -> list[str]:
    """First column of a read-only query on the archive; nothing when there is no archive yet."""
    import sqlite3

    from wallet.paths import archive_path

    path = archive_path()
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5)
        try:
            return [str(r[0]) for r in conn.execute(sql, params)]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def complete_main(argv: list[str]) -> int:
    """`polis __complete SHELL -- WORDS…`: one candidate per line. Never fails loudly: a broken
    completion must not print errors into the user's command line."""
    if len(argv) < 2 or argv[0] not in SHELLS or argv[1] != "--":
        return 2
    words = argv[2:]
    if argv[0] == "bash" and len(words) == 1:
        words = _split_line(words[0])
    try:
        pairs = described(words)
    except Exception:
        return 1
    found = [c for c, _ in pairs]
    if argv[0] == "bash" and found != [FILES]:
        cur = words[-1] if words else ""
        cut = max(cur.rfind(":"), cur.rfind("="))  # bash splits words at : and =
        if cut >= 0:
            found = [c[cut + 1:] for c in found if c.startswith(cur[: cut + 1])]
    if argv[0] in DESCRIBED:
        found = [f"{c}\t{_one_line(d)}" if d else c for c, d in pairs]
    sys.stdout.write("".join(f"{c}\n" for c in found))
    return 0


def _one_line(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _split_line(line: str) -> list[str]:
    """The words of bash's COMP_LINE up to the cursor, after `polis`; an open quote still splits."""
    import shlex

    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    if line.endswith((" ", "\t")) or not words:
        words.append("")
    return words[1:] if len(words) > 1 else [""]


# --- the scripts ---------------------------------------------------------------------------------

_BASH = r'''# polis completion for bash. Load it with:  eval "$(polis completion bash)"
# or save it as ~/.local/share/bash-completion/completions/polis
_polis_complete() {
    local IFS=$'\n' out
    out=$(command polis __complete bash -- "${COMP_LINE:0:COMP_POINT}" 2>/dev/null) || return 0
    if [[ "$out" == "__files__" ]]; then
        COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}"))
        compopt -o filenames 2>/dev/null
    else
        COMPREPLY=($out)
    fi
}
complete -F _polis_complete polis
'''

_ZSH = r'''#compdef polis
# polis completion for zsh. Load it after compinit (autoload -Uz compinit && compinit) with:
#   eval "$(polis completion zsh)"
# or save it as _polis in a folder on $fpath
_polis() {
    local out line
    out=$(command polis __complete zsh -- "${(@Q)words[2,CURRENT-1]}" "${(Q)PREFIX}" 2>/dev/null) || return 1
    [[ -n $out ]] || return 1
    if [[ $out == __files__ ]]; then
        [[ $PREFIX == --*=* ]] && compset -P '*='
        _files
        return
    fi
    local -a cands shown
    local -i width=0
    for line in "${(@f)out}"; do
        cands+=("${line%%$'\t'*}")
        (( ${#cands[-1]} > width )) && width=${#cands[-1]}
    done
    if [[ $out == *$'\t'* ]]; then
        for line in "${(@f)out}"; do
            if [[ $line == *$'\t'* ]]; then
                shown+=("${(r:width:)${line%%$'\t'*}}  -- ${line#*$'\t'}")
            else
                shown+=("$line")
            fi
        done
        compadd -l -d shown -- "${cands[@]}"
    else
        compadd -- "${cands[@]}"
    fi
}
if (( $+functions[compdef] )); then compdef _polis polis; fi
'''

_FISH = r'''# polis completion for fish. Load it with:  polis completion fish | source
# or save it as ~/.config/fish/completions/polis.fish
function __polis_complete
    set -l words (commandline -opc)
    set -l tok (commandline -ct | string unescape)
    set -l out (command polis __complete fish -- $words[2..-1] "$tok" 2>/dev/null)
    if test "$out" = "__files__"
        set -l pre (string match -r -- '^--[^=]*=' "$tok")
        __fish_complete_path (string replace -r -- '^--[^=]*=' '' "$tok") | string replace -r -- '^' "$pre"
    else
        printf '%s\n' $out
    end
end
complete -c polis -f -a '(__polis_complete)'
'''


def script(shell: str) -> str:
    return {"bash": _BASH, "zsh": _ZSH, "fish": _FISH}[shell]
