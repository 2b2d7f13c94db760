"""Global options (--timeout, --debug) are taken before or after the command's name, by one definition."""

from __future__ import annotations

import time

import pytest


def _args(*argv: str):  # type: ignore[no-untyped-def]
    from wallet.cli.main import build_parser

    return build_parser(list(argv)).parse_args(list(argv))


def test_timeout_is_read_before_or_after_the_command() -> None:
    assert _args("--timeout", "60", "sync").command_timeout == 60.0
    assert _args("sync", "--timeout", "60").command_timeout == 60.0
    assert _args("keys", "list", "--timeout", "0").command_timeout == 0.0
    assert _args("sync").command_timeout is None
    assert _args("--timeout", "5", "sync", "--timeout", "7").command_timeout == 7.0  # the later one wins
    assert _args("--timeout", "5", "status").command_timeout == 5.0  # not reset by the command's own default
    assert _args("status", "--debug").debug is True and _args("status").debug is False
    # a command with its own --timeout keeps it: the fork's time of `proposals simulate`
    sim = _args("proposals", "simulate", "1", "--timeout", "30")
    assert sim.timeout == 30 and sim.command_timeout is None


def test_every_command_takes_them() -> None:
    import argparse

    from wallet.cli.main import build_parser

    def leaves(p: argparse.ArgumentParser):  # type: ignore[no-untyped-def]
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            yield p
        for a in subs:
            for child in a.choices.values():
                yield from leaves(child)

    found = list(leaves(build_parser()))
    assert len(found) > 30
    for p in found:
        opts = {s for a in p._actions for s in a.option_strings}
        assert {"--timeout", "--debug"} <= opts, p.prog


@pytest.mark.parametrize("bad", ["abc", "-1", "nan", "inf", "1e9", ""])
def test_a_bad_timeout_after_the_command_is_one_line_exit_2(cli, bad: str) -> None:
    r = cli("status", "--timeout", bad)
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1, (bad, r.err)
    assert "--timeout" in r.err and "Traceback" not in r.err
    j = cli("status", "--timeout", bad, "--json")
    assert j.code == 2 and j.json()["error"]["exit_code"] == 2 and "Traceback" not in j.err + j.out


def test_a_timeout_after_the_command_bounds_it(bt_ready, cli) -> None:  # type: ignore[no-untyped-def]
    from tests.doubles.substrate_node import Faults

    bt_ready.faults = Faults(rate=1.0, seed=3, kinds=("stall",), stall=1.0)  # each answer after 1 s
    t0 = time.monotonic()
    r = cli("stake", "list", "-n", "bittensor", "--timeout", "3")
    assert r.code == 1, r.err
    (line,) = [x for x in r.err.splitlines() if x.startswith("error:")]
    assert "used up its time budget of 3 s" in line and "Traceback" not in r.err
    assert time.monotonic() - t0 < 3 + 5
