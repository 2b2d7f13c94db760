"""The `polis` process around `wallet.cli.main.main`: the garbage collector while it starts, and a prompt exit.

Start-up builds tens of thousands of objects that live until exit (modules, classes, the parser) and almost
no garbage, and the cyclic collector would walk them again and again: it is off while the process starts,
and what start-up built is frozen (`gc.freeze`) as the command begins (`collect_from_here`), so the
collector then looks at the command's own objects only. When the command is over, its garbage is collected
once (finalizers run), the exit handlers run (logging's flush and close, a demo's devnet stop), standard
output and error are flushed, and the process ends without the interpreter's teardown of every module,
unless a thread is still running or a stream cannot be flushed: then the interpreter exits as usual and
reports that as it always has. In-process callers (tests, the TUI) call `main`, which does none of this.
"""

from __future__ import annotations

import gc
import os
import sys

_held = False
"""True in the `polis` process while start-up runs with the collector off."""


def console(argv: list[str] | None = None) -> int:
    """The `polis` command (the console script `wallet.cli:main`)."""
    from wallet.cli.main import main

    global _held
    gc.disable()
    _held = True
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: --help, a usage error
        if not isinstance(exc.code, int):
            raise
        code = exc.code
    finally:
        _held = False
        gc.collect()
        gc.freeze()
    exit_now(code)
    return code


def collect_from_here() -> None:
    """The command begins: freeze what start-up built and turn the collector on (see the module's doc)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()


def exit_now(code: int) -> None:
    """End the process with `code` once the exit handlers ran and the standard streams are flushed; returns
    (for the interpreter's own exit) when a non-daemon thread is still running or a flush fails."""
    threading = sys.modules.get("threading")
    if threading is not None:
        main_thread = threading.main_thread()
        if any(t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()):
            return
    import atexit

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe, a full disk: the interpreter's exit says so, as before
        return
    os._exit(code)
