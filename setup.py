"""Build hook: a wheel carries the devnet sources (contracts, compile.js, the npm manifest and lock)
as `wallet/devnet/project/`, so `polis demo` works from an installed package. An editable install
reads `<repo>/devnet` directly and gets no copy. Everything else is declared in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DEVNET = HERE / "devnet"


def devnet_sources() -> list[Path]:
    """The files `npm ci` and compile.js need; node_modules and build output stay out."""
    files = [DEVNET / name for name in ("package.json", "package-lock.json", "compile.js")]
    return files + sorted((DEVNET / "contracts").glob("*.sol"))


class BuildPyWithDevnet(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        dest = Path(self.build_lib) / "wallet" / "devnet" / "project"
        for src in devnet_sources():
            target = dest / src.relative_to(DEVNET)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)


setup(cmdclass={"build_py": BuildPyWithDevnet})
