"""Installing Polis as a user would: `make install` puts `polis` on the PATH, and a wheel carries the
devnet sources so `polis demo` finds them outside a source tree (and says what to install when
Node.js/npm are missing). Nothing here downloads: the wheel is built without build isolation and
installed without dependencies into a temporary venv that borrows this venv's packages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from wallet.devnet import DevnetError

REPO = Path(__file__).resolve().parents[1]


def test_make_install_links_polis_into_bindir(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    # -o: the venv is already set up here; a fresh clone's `make install` builds it first.
    proc = subprocess.run(["make", "-s", "-o", ".venv/.installed", "install", f"BINDIR={bindir}"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    link = bindir / "polis"
    assert link.is_symlink() and link.resolve() == (REPO / ".venv" / "bin" / "polis").resolve()
    assert "is not on your PATH" in proc.stdout  # tmp_path is not on PATH: the user is told how
    env = {**os.environ, "PATH": f"{bindir}:/usr/bin:/bin"}
    run = subprocess.run(["polis", "--help"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "usage: polis" in run.stdout


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with Polis installed from a freshly built wheel (dependencies borrowed from this venv)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    skip = shutil.ignore_patterns("node_modules", "build", "__pycache__", "*.egg-info")
    for name in ("wallet", "screens", "themes", "devnet"):
        shutil.copytree(REPO / name, src / name, ignore=skip)
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy(REPO / name, src / name)
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(dist), str(src)], cwd=src, check=True, capture_output=True, timeout=300)
    (wheel,) = dist.glob("polis_wallet-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", where], check=True, capture_output=True,
                               text=True).stdout.strip())
    # A plain path line: this venv's dependencies become importable, its editable-install hook does not run.
    (site / "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return venv


def _in_venv(venv: Path, home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLIS_")}
    env.update(PATH=f"{venv / 'bin'}", POLIS_DATA_DIR=str(home / "data"), POLIS_CONFIG_DIR=str(home / "config"),
               HOME=str(home))
    return subprocess.run(list(argv), cwd=home, env=env, capture_output=True, text=True, timeout=120)


def test_wheel_carries_the_devnet_and_finds_it_outside_the_source_tree(wheel_venv: Path, tmp_path: Path) -> None:
    probe = ("import json, wallet; from wallet.devnet import devnet_dir, source_devnet; "
             "from wallet.devnet.install import packaged_sources; p = packaged_sources(); "
             "print(json.dumps({'wallet': wallet.__file__, 'source': str(source_devnet()), 'devnet': str(devnet_dir()),"
             " 'files': sorted(str(f.relative_to(p)) for f in p.rglob('*') if f.is_file())}))")
    proc = _in_venv(wheel_venv, tmp_path, str(wheel_venv / "bin" / "python"), "-c", probe)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["wallet"].startswith(str(wheel_venv))  # the wheel's copy, not this checkout
    assert got["source"] == "None"
    assert got["devnet"] == str(tmp_path / "data" / "devnet")
    want = {"package.json", "package-lock.json", "compile.js"} | {
        f"contracts/{p.name}" for p in (REPO / "devnet" / "contracts").glob("*.sol")}
    assert set(got["files"]) == want


def test_polis_demo_without_node_says_what_to_install(wheel_venv: Path, tmp_path: Path) -> None:
    proc = _in_venv(wheel_venv, tmp_path, str(wheel_venv / "bin" / "polis"), "demo", "--headless")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "needs Node.js and npm" in proc.stderr and "apt install nodejs npm" in proc.stderr
    assert str(tmp_path / "data" / "devnet") in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "data" / "devnet").exists()  # nothing unpacked before the tools are there


def test_unpack_copies_sources_and_the_digest_follows_them(tmp_path: Path) -> None:
    from wallet.devnet.install import sources_digest, unpack

    src = REPO / "devnet"
    target = tmp_path / "devnet"
    (target / "contracts").mkdir(parents=True)
    (target / "contracts" / "Removed.sol").write_text("// from an older release")
    unpack(src, target)
    assert sorted(p.name for p in (target / "contracts").glob("*.sol")) == sorted(
        p.name for p in (src / "contracts").glob("*.sol"))
    assert (target / "package-lock.json").read_bytes() == (src / "package-lock.json").read_bytes()
    assert sources_digest(target) == sources_digest(src)
    (target / "compile.js").write_text("// changed")
    assert sources_digest(target) != sources_digest(src)


def test_node_tools_names_what_is_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from wallet.devnet.install import node_tools

    bindir = tmp_path / "bin"
    bindir.mkdir()
    node = shutil.which("node")
    assert node, "the devnet tests need node"
    (bindir / "node").symlink_to(node)
    monkeypatch.setenv("PATH", str(bindir))
    with pytest.raises(DevnetError) as exc:
        node_tools()
    assert "needs npm:" in str(exc.value) and exc.value.hint and "Node.js" in exc.value.hint
