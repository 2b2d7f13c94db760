"""Start-up of the `polis` process: what a command loads, and that deferring it changes nothing it does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from wallet.errors import BadInput

REPO = Path(__file__).resolve().parents[1]
SECRET_URL = "http://user:hunter2@127.0.0.1:9/v3/AbCdEfGh12345678ijklMNOP"


def _python(code: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60,
                          env={**os.environ, "POLIS_HOME": str(home), **env})


def test_a_read_that_logs_nothing_never_loads_logging(tmp_path: Path) -> None:
    code = ("import io, contextlib, sys\nfrom wallet.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    code = main(['proposals', 'list', '--offline'])\n"
            "print(code, 'logging' in sys.modules, sys.meta_path[0].__class__.__name__)")
    r = _python(code, tmp_path)
    assert r.returncode == 0, r.stderr
    code_, loaded, first_finder = r.stdout.split()
    assert code_ == "0" and loaded == "False"
    assert first_finder != "_OnLoggingImport"  # the hook is gone once the command is over
    assert not (tmp_path / "data" / "polis.log").exists()


def test_logging_imported_mid_command_is_set_up_before_its_first_record(tmp_path: Path) -> None:
    """The hook sets logging up inside the first `import logging`: the record that module's importer writes
    at once already goes through the redacting handlers, to stderr and to polis.log."""
    code = ("from wallet.cli import logsetup\nlogsetup.set_up_when_imported()\n"
            "import sys\nassert 'logging' not in sys.modules\n"
            "import logging\n"
            f"logging.getLogger('polis.test').warning('node %s is unreachable', {SECRET_URL!r})\n"
            "logging.getLogger('polis.test').info('an info line')\n"
            "logging.getLogger('httpx').info('a library line')\n"
            "print(logging.getLogger().level, logging.getLogger('httpx').getEffectiveLevel(),"
            " type(logging.__loader__).__name__, logging.__loader__.get_filename('logging').endswith('.py'))")
    r = _python(code, tmp_path, POLIS_LOG_LEVEL="DEBUG")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["10", "30", "_ThenSetUp", "True"]
    assert r.stderr.strip() == "WARNING polis.test: node http://***@127.0.0.1:9/v3/*** is unreachable"
    log = (tmp_path / "data" / "polis.log").read_text()
    assert "WARNING polis.test: node http://***@127.0.0.1:9/v3/*** is unreachable" in log
    assert "INFO polis.test: an info line" in log and "a library line" not in log
    assert "hunter2" not in r.stderr + log and "AbCdEfGh12345678" not in log


def test_in_process_callers_are_set_up_at_once(tmp_path: Path) -> None:
    code = ("import logging\nfrom wallet.cli import logsetup\nlogsetup.set_up_when_imported()\n"
            "print(sorted(type(h).__name__ for h in logging.getLogger().handlers))")
    r = _python(code, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "['FileHandler', 'StreamHandler']"


def test_the_polis_command_keeps_exit_codes_and_output(polis_bin: str, tmp_path: Path) -> None:
    env = {**os.environ, "POLIS_HOME": str(tmp_path)}

    def polis(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([polis_bin, *argv], capture_output=True, text=True, env=env, timeout=60)

    assert polis("--version").stdout.startswith("polis ")
    r = polis("nosuch")
    assert r.returncode == 2 and "invalid choice: 'nosuch'" in r.stderr
    r = polis("proposals", "show", "nosuch:12345", "--json")
    assert r.returncode == 2 and '"code": "bad_input"' in r.stdout
    r = polis("proposals", "list", "--offline")
    assert r.returncode == 0 and "no proposals match" in r.stdout


def test_a_noun_not_built_still_parses_if_argparse_reaches_it() -> None:
    """build_parser(argv) builds the guessed noun's tree only; the others stand in by name and help line, and
    parse with their real parser should argparse ever select one."""
    from wallet.cli.main import build_parser

    args = build_parser(["keys"]).parse_args(["sync", "devnet/bench", "--json", "--timeout", "5"])
    assert (args.noun, args.targets, args.json, args.command_timeout) == ("sync", ["devnet/bench"], True, 5.0)
    assert build_parser(["sync"]).format_help() == build_parser().format_help()


def test_records_behave_as_the_dataclasses_they_replace() -> None:
    """wallet/records.py: the repr, equality, hashing and immutability of a dataclass with the same fields."""
    import copy
    import dataclasses
    import pickle

    import pytest

    from wallet.records import FrozenError
    from wallet.services.proposal_state import StateView
    from wallet.services.tally_view import TallyHistory
    from wallet.units import Denom

    @dataclasses.dataclass(frozen=True)
    class DenomDC:
        symbol: str
        base: str
        decimals: int

    d, same, other = Denom("AKT", "uakt", 6), Denom("AKT", "uakt", 6), Denom("AKT", "uakt", 7)
    ref = DenomDC("AKT", "uakt", 6)
    assert repr(d) == repr(ref).replace(type(ref).__qualname__, "Denom")
    assert d == same and d != other and hash(d) == hash(same) == hash(("AKT", "uakt", 6))
    assert d != ref and d != ("AKT", "uakt", 6)  # equal to its own class only, as a dataclass
    assert {d: 1}[same] == 1
    with pytest.raises(FrozenError):
        d.symbol = "X"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del d.base  # type: ignore[misc]
    assert copy.deepcopy(d) == d and pickle.loads(pickle.dumps(d)) == d

    a, b = TallyHistory(), TallyHistory()
    a.edges.append(1)
    assert b.edges == [] and a != b  # a fresh list per instance, as default_factory
    assert repr(TallyHistory(axis="block")) == ("TallyHistory(edges=[], axis='block', choices={}, turnout=[], "
                                                 "quorum=None, votes=0)")
    with pytest.raises(TypeError):
        hash(a)  # mutable: unhashable, as a dataclass with eq
    view = StateView("active", "active", "ACTIVE", accepts_votes=True, stale=False, deadline="")
    assert view.accepts_votes and view == StateView("active", "active", "ACTIVE", True, False, "")


def test_reads_of_the_archive_load_no_dataclasses_decimal_or_toml(tmp_path: Path) -> None:
    code = ("import io, contextlib, sys\nfrom wallet.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "    codes = [main(['proposals', 'list', '--search', 'oracle']), main(['proposals', 'list', '--offline']),"
            " main(['proposals', 'show', 'x:12345'])]\n"
            "print(codes, sorted(m for m in ('dataclasses', 'inspect', 'decimal', 'tomllib', 'logging', 'shutil')"
            " if m in sys.modules))")
    r = _python(code, tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[0, 0, 2] []"


def test_a_search_page_and_its_count_come_from_one_read_of_the_index(tmp_path: Path, monkeypatch: Any) -> None:
    """query.list_and_count gives what list_proposals and count_proposals give, for every order and filter,
    past the count cap and past the last match."""
    monkeypatch.setenv("POLIS_HOME", str(tmp_path))
    from wallet.cache import open_archive, query, store

    words = ["oracle", "bridge", "grant", "audit", "treasury"]
    with open_archive() as ar, ar.conn:
        for s in ("devnet/a", "devnet/b"):
            store.upsert_source(ar, s, network="devnet", family="evm")
        for i in range(1_300):
            store.upsert_proposal(ar, ("devnet/a", "devnet/b")[i % 2], str(i), {
                "title": f"{words[i % 5]} {words[(i * 3) % 5]} {i}", "body": f"{words[(i * 7) % 5]} body",
                "status": ("active", "executed")[i % 2], "created_at": 1_000 + (i * 37) % 1_300, "end_ts": 5_000 + i})
    with open_archive(readonly=True) as ar:
        for search in ("body", "oracle", "oracle bridge", "audit tre", "nothing"):  # "body": past the cap
            for order in ("newest", "oldest", "closing"):
                for kw in ({}, {"offset": 990, "limit": 20}, {"offset": 1_400}, {"sources": ["devnet/a"]},
                           {"statuses": ["active"], "limit": 5, "offset": 3}):
                    f = query.ProposalFilter(search=search, order=order, **kw)  # type: ignore[arg-type]
                    rows, count = query.list_and_count(ar, f)
                    assert rows == query.list_proposals(ar, f), (search, order, kw)
                    assert count == query.count_proposals(ar, f), (search, order, kw)
                    assert count == query.COUNT_CAP + 1 or search != "body" or kw


def test_the_polis_process_ends_after_its_exit_handlers_threads_and_output(tmp_path: Path) -> None:
    """wallet/cli/process.py ends the process without the interpreter's teardown only once the exit handlers
    ran and stdout is flushed; a thread still running makes it wait, as the interpreter does."""
    marker, late = tmp_path / "atexit.txt", tmp_path / "thread.txt"
    code = ("import atexit, sys, threading, time\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
            "def later():\n    time.sleep(0.3)\n"
            f"    open({str(late)!r}, 'w').write('done')\n"
            "if sys.argv[1] == 'thread':\n    threading.Thread(target=later).start()\n"
            "from wallet.cli import main\nsys.argv = ['polis', 'completion', 'bash']\nsys.exit(main())")
    expected = subprocess.run([sys.executable, "-m", "wallet.cli.main", "completion", "bash"], capture_output=True,
                              text=True, cwd=REPO, timeout=60).stdout
    for mode in ("plain", "thread"):
        r = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, cwd=REPO, timeout=60,
                           env={**os.environ, "POLIS_HOME": str(tmp_path)})
        assert r.returncode == 0, r.stderr
        assert r.stdout == expected and "complete -F _polis_complete polis" in expected
        assert marker.read_text() == "ran"
        marker.unlink()
    assert late.read_text() == "done"


def test_networks_are_validated_once_per_state_of_their_files(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("POLIS_HOME", str(tmp_path))
    from wallet import networks

    first, again = networks.load_networks(), networks.load_networks()
    assert first == again and first is not again and first["devnet"] is again["devnet"]
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:9999"], "confirmations": 0})
    changed = networks.load_networks()
    assert changed["devnet"].rpc == ["http://127.0.0.1:9999"] and changed["devnet"] is not first["devnet"]
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:99"]})
    assert networks.get_network("devnet").rpc == ["http://127.0.0.1:99"]


def test_parsed_presets_are_kept_beside_them_and_follow_every_change(tmp_path: Path, monkeypatch: Any) -> None:
    """network_tables keeps the parsed preset TOML in __pycache__ (as bytecode is kept): used while every preset
    file's name, mtime and size match, parsed again when one changes, ignored when corrupt, never written under
    PYTHONDONTWRITEBYTECODE."""
    import shutil
    import tomllib

    from wallet import network_tables as nt

    presets = tmp_path / "networks"
    shutil.copytree(nt.PRESET_DIR, presets, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(nt, "PRESET_DIR", presets)
    monkeypatch.setattr(nt, "_PRESETS", [])
    compiled = Path(nt._compiled_path())

    def parsed() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in sorted(presets.glob("*.toml")):
            out.update(tomllib.loads(p.read_text())["networks"])
        return out

    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert nt._preset_tables() == parsed() and not compiled.exists()
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    nt._PRESETS.clear()
    assert nt._preset_tables() == parsed() and compiled.exists()
    nt._PRESETS.clear()
    reads: list[str] = []
    monkeypatch.setattr(nt, "_read_toml", lambda text, origin: reads.append(origin) or tomllib.loads(text))
    assert nt._preset_tables() == parsed() and reads == []  # from the kept copy
    devnet = presets / "devnet.toml"
    devnet.write_text(devnet.read_text().replace("block_time = 1\n", "block_time = 7\n", 1))
    nt._PRESETS.clear()
    assert nt._preset_tables()["devnet"]["block_time"] == 7 and reads == sorted(p.name for p in presets.glob("*.toml"))
    compiled.write_bytes(b"\x00garbage")
    nt._PRESETS.clear()
    assert nt._preset_tables() == parsed()


def test_a_verb_not_built_still_parses_if_argparse_reaches_it() -> None:
    """build_parser(argv) builds the verb after the noun only; another verb is built should argparse reach it."""
    from wallet.cli.main import build_parser

    argv = ["proposals", "list", "--search", "oracle", "--limit", "3", "--timeout", "5"]
    args = build_parser(["proposals", "show"]).parse_args(argv)
    assert (args.noun, args.verb, args.search, args.limit, args.command_timeout) == ("proposals", "list", "oracle", 3,
                                                                                      5.0)
    assert build_parser(["proposals", "list"]).format_help() == build_parser().format_help()


def test_the_user_networks_file_polis_writes_is_kept_parsed_private_and_follows_every_change(
        tmp_path: Path, monkeypatch: Any) -> None:
    """When Polis writes the user's networks file it keeps the parse in the folder's __pycache__ (0600 in a 0700
    folder: it may hold node URLs with API keys), used while the file's inode, mtime, ctime and size match: a
    hand edit is parsed again, a corrupt copy ignored, a read never writes one, PYTHONDONTWRITEBYTECODE keeps none,
    and no copy of an older state of the file stays behind."""
    import stat

    from wallet import network_tables as nt
    from wallet import networks

    monkeypatch.setenv("POLIS_HOME", str(tmp_path))
    monkeypatch.setattr(nt, "_PARSED", {})
    path = nt.user_networks_path()
    kept = Path(nt._user_compiled_path(path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    networks.set_user_table("devnet", {"rpc": ["https://node.example/v3/secretkey"], "confirmations": 2})
    assert not kept.exists()
    nt._PARSED.clear()
    assert nt._user_tables()["devnet"]["confirmations"] == 2 and not kept.exists()  # a read writes nothing
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    networks.set_user_table("devnet", {"confirmations": 3})
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    reads: list[str] = []
    parse = nt._read_toml
    monkeypatch.setattr(nt, "_read_toml", lambda text, origin: reads.append(origin) or parse(text, origin))
    nt._PARSED.clear()
    assert nt._user_tables()["devnet"]["confirmations"] == 3 and reads == []  # from the kept copy
    path.write_text(path.read_text().replace("confirmations = 3", "confirmations = 4"))  # by hand, same size
    nt._PARSED.clear()
    assert nt._user_tables()["devnet"]["confirmations"] == 4 and reads == [str(path)]
    networks.set_user_table("devnet", {"confirmations": 5})
    kept.write_bytes(b"\x00garbage")
    nt._PARSED.clear()
    assert nt._user_tables()["devnet"]["confirmations"] == 5
    networks.set_user_table("devnet", {"rpc": ["http://127.0.0.1:8545"]})  # the key leaves the file ...
    assert kept.exists() and b"secretkey" not in kept.read_bytes()  # ... and the kept copy
    path.write_text("[networks.devnet\n")
    nt._PARSED.clear()
    with pytest.raises(BadInput, match="networks.toml"):
        nt._user_tables()


@pytest.mark.parametrize(("env", "fast"), [
    ({"HOME": "/home/ada"}, True),
    ({"HOME": "/home/ada/", "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": ""}, True),
    ({"HOME": "/home/ada", "XDG_CONFIG_HOME": "/srv/cfg", "XDG_DATA_HOME": "/srv/data"}, True),
    ({"HOME": "/home/ada", "XDG_CONFIG_HOME": " /srv/cfg", "XDG_DATA_HOME": "rel/data"}, False),
    ({"HOME": "relative"}, False),
])
def test_the_folders_are_those_platformdirs_names_without_loading_it(env: dict[str, str], fast: bool,
                                                                      monkeypatch: Any) -> None:
    """On Linux the XDG folders are worked out without importing platformdirs (~8 ms a command) where every
    platformdirs release agrees; anything unusual is still asked of platformdirs."""
    import platformdirs

    from wallet import paths

    for var in ("POLIS_HOME", "POLIS_CONFIG_DIR", "POLIS_DATA_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(sys, "platform", "linux")
    assert (paths._xdg_dir("XDG_CONFIG_HOME", ".config") is not None) is fast
    assert paths.config_dir() == Path(platformdirs.user_config_dir("polis", appauthor=False))
    assert paths.data_dir() == Path(platformdirs.user_data_dir("polis", appauthor=False))
