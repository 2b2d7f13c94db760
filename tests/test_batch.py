"""Batch plan files offline: parsing with line numbers, every malformed-plan class → exit 2 naming the
file, line and field; the template parses; non-interactive runs need --yes (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import JUNK_MNEMONIC


@pytest.fixture
def me(cli, env_passphrase) -> str:
    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    return r.json()["addresses"]["evm"]


@pytest.fixture
def devnet_dao(me) -> str:
    from wallet import networks

    networks.add_dao("devnet", {"id": "polis", "kind": "oz", "governor": "0x" + "11" * 20, "token": "0x" + "22" * 20})
    return "devnet/polis"


def write(tmp_path: Path, text: str, name: str = "plan.toml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


GOOD = """version = 1
name = "weekly"

[defaults]
account = "me"

[[actions]]
kind = "vote"
network = "devnet/polis"
proposal = "12345"
choice = "for"
reason = "fund it"

[[actions]]
kind = "delegate"
network = "devnet/polis"
to = "self"
"""


def test_good_plan_checks_offline(cli, tmp_path, devnet_dao) -> None:
    r = cli("batch", "check", write(tmp_path, GOOD), "--json")
    assert r.code == 0, r.err
    assert r.json()["actions"] == 2 and r.json()["networks"] == ["devnet/polis"]


@pytest.mark.parametrize("text,line,field,words", [
    (GOOD.replace('choice = "for"', 'choice = = "for"'), 11, "", "bad TOML"),
    (GOOD.replace('network = "devnet/polis"\nto', 'network = "mars"\nto'), 16, "actions[1].network", "unknown network"),
    (GOOD.replace('to = "self"', 'to = "0x000000000000000000000000000000000000bEeF"'), 17, "actions[1].to", "checksum"),
    (GOOD.replace('choice = "for"', 'choice = "maybe"'), 11, "actions[0].choice", "unknown choice"),
    (GOOD.replace('kind = "delegate"', 'kind = "bribe"'), 15, "actions[1].kind", "unknown kind"),
    (GOOD.replace('reason = "fund it"', 'reason = "fund it"\ncolour = "red"'), 13, "actions[0].colour",
     "unknown field"),
    (GOOD.replace('account = "me"', 'account = "nobody"'), 7, "actions[0].account", "nobody"),
    (GOOD.replace('proposal = "12345"\n', ""), 7, "actions[0]", "needs proposal"),
])
def test_malformed_plans_exit_2_with_place(cli, tmp_path, devnet_dao, text, line, field, words) -> None:
    path = write(tmp_path, text)
    r = cli("batch", "check", path)
    assert r.code == 2
    first = r.err.splitlines()[0]
    assert first.startswith(f"error: {path}:{line}: {field}"), first
    assert words in r.err
    j = cli("batch", "check", path, "--json")
    assert j.code == 2 and j.json()["errors"][0]["line"] == line
    # run refuses the same way, before any unlock or network
    run = cli("batch", "run", path, "--yes")
    assert run.code == 2 and f"{path}:{line}" in run.err


AKASH = """[defaults]
account = "me"

[policy]
max_amount = {{ akash = "100 AKT" }}
allowed_networks = ["akash", "devnet"]

[[actions]]
kind = "stake"
network = "{net}"
target = "akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t"
amount = {amount}
"""


@pytest.mark.parametrize("net,amount,words", [
    ("akash", '"-5 AKT"', "not an amount"),
    ("akash", "-5", "must not be negative"),
    ("akash", '"1.1234567 AKT"', "more decimals"),
    ("akash", "1.5", "floats lose precision"),
    ("akash", '"101 AKT"', "over the policy limit of 100 AKT"),
    ("akash", '"0"', "above zero"),
    ("fetchai", '"1 FET"', "not in the policy's allowed_networks"),
])
def test_amounts_and_policy(cli, tmp_path, me, net, amount, words) -> None:
    path = write(tmp_path, AKASH.format(net=net, amount=amount))
    r = cli("batch", "check", path)
    assert r.code == 2, r.out
    assert words in r.err, r.err
    assert f"{path}:12: actions[0].amount" in r.err or f"{path}:10: actions[0].network" in r.err


def test_bad_validator_address(cli, tmp_path, me) -> None:
    path = write(tmp_path, AKASH.format(net="akash", amount='"5 AKT"').replace("qx9knj", "qx9knk"))
    r = cli("batch", "check", path)
    assert r.code == 2 and f"{path}:11: actions[0].target" in r.err


def test_json_plans_name_lines(cli, tmp_path, devnet_dao) -> None:
    text = ('{\n  "defaults": {"account": "me"},\n  "actions": [\n'
            '    {"kind": "vote", "network": "devnet/polis", "proposal": "1", "choice": "for"},\n'
            '    {"kind": "vote",\n     "network": "devnet/polis",\n     "proposal": "1",\n'
            '     "choice": "against"}\n  ]\n}\n')
    path = write(tmp_path, text, "plan.json")
    r = cli("batch", "check", path, "--json")
    assert r.code == 2
    e = r.json()["errors"][0]
    assert (e["line"], e["field"]) == (7, "actions[1].proposal") and "second vote" in e["message"]
    bad = write(tmp_path, '{"actions": [\n  {"kind": "vote",}\n]}', "bad.json")
    r = cli("batch", "check", bad)
    assert r.code == 2 and f"{bad}:2: bad JSON" in r.err


def test_templates_parse(cli) -> None:
    from wallet.batch.planfile import parse_text

    for fmt in ("toml", "json"):
        r = cli("batch", "template", "--format", fmt)
        assert r.code == 0
        plan = parse_text(r.out, f"t.{fmt}")
        assert plan.model.actions and plan.model.defaults.account == "ops"


def test_line_locator_handles_subtables() -> None:
    from wallet.batch.lines import toml_lines

    text = '[[actions]]\nkind = "a"\n\n[[actions]]\nkind = "b"\n[actions.options]\nmemo = """x\ny"""\nfee = "1"\n'
    lines = toml_lines(text)
    assert lines[("actions", 1, "kind")] == 5
    assert lines[("actions", 1, "options", "memo")] == 7 and lines[("actions", 1, "options", "fee")] == 9


def test_noninteractive_run_needs_yes(cli, tmp_path, devnet_dao) -> None:
    path = write(tmp_path, GOOD)
    r = cli("batch", "run", path)
    assert r.code == 3 and "--yes" in r.err
    from wallet.cache import open_archive

    with open_archive() as ar:
        assert ar.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0


def test_noninteractive_run_needs_a_passphrase_source(cli, tmp_path, devnet_dao, monkeypatch) -> None:
    monkeypatch.delenv("POLIS_PASSPHRASE_FILE")
    r = cli("batch", "run", write(tmp_path, GOOD), "--yes")
    assert r.code == 3 and "passphrase" in r.err


def test_status_and_resume_with_nothing(cli) -> None:
    assert cli("batch", "status").out.strip() == "no batch runs yet"
    r = cli("batch", "resume", "--yes")
    assert r.code == 1 and "no unfinished batch run" in r.err
