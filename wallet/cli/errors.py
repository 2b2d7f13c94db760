"""How the CLI reports an error: one line (and a hint) on stderr, or a JSON object under --json; which
file-system errors are the user's to fix; an internal bug said without locals or arguments."""

from __future__ import annotations

import argparse
import errno
import re
import sys


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def report_error(code: str, exit_code: int, message: str, hint: str | None, *, json_mode: bool) -> None:
    """One error, as one line (plus a hint line) on stderr, or under --json as an object on stdout:
    {"error": {"code", "exit_code", "message", "hint"}}."""
    from wallet.textsafe import clean

    message, hint = clean(message), clean(hint) if hint else None
    if json_mode and sys.stdout is not None:
        import json

        doc = {"error": {"code": code, "exit_code": exit_code, "message": message, "hint": hint}}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    from wallet.cli.output import err, style

    err(style("error:", "31;1", sys.stderr) + " " + message)
    if hint:
        err("hint: " + hint)


_WRITE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}


def file_error(exc: OSError) -> str | None:
    """A one-line message for a file-system error worth reporting as such (disk full, no such folder,
    permission denied …); None for anything else (a socket error is not the user's input)."""
    if exc.errno in _WRITE_ERRNOS:
        return f"cannot write{' ' + str(exc.filename) if exc.filename else ''}: {exc.strerror} (nothing was changed)"
    if exc.filename is not None and exc.errno is not None:
        return f"{exc.filename}: {exc.strerror}"
    return None


def internal(exc: BaseException, args: argparse.Namespace, json_mode: bool) -> int:
    """An internal bug: say so without dumping locals or arguments."""
    if args.debug:
        raise exc
    report_error("internal", 70, f"internal error: {type(exc).__name__}", "run with --debug for the traceback",
                 json_mode=json_mode)
    return 70
