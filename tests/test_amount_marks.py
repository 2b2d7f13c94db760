"""A displayed amount whose digits were cut is marked "≈" (tally columns, quorum, turnout, vote weights, plan fee
lines) in the CLI and the TUI, by the one rule in `wallet.units`; --json carries the exact base units."""

from __future__ import annotations

import json
from typing import Any

import pytest

SOURCE = "devnet/marks"
PID = "7"
FOR = 1_234_567_890_123_456_789_012  # 1,234.567890123456789012 PDT: two decimals cut it
AGAINST = 25 * 10**19  # 250 PDT: exact at two decimals
QUORUM = 4_000_000_000_000_000_000_001  # 4,000.000000000000000001 PDT: "≈4,000"
VOTER = "0x00000000000000000000000000000000000000B0"


@pytest.fixture
def archived(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from wallet.cache import open_archive, store

    with open_archive() as ar, ar.conn:
        store.upsert_source(ar, SOURCE, network="devnet", family="evm", kind="oz", chain_id=31337,
                            extra={"name": "marks", "symbol": "PDT", "decimals": 18})
        choices = json.dumps([{"key": "1", "label": "for"}, {"key": "0", "label": "against"}])
        tally = json.dumps([{"choice": "for", "weight": str(FOR)}, {"choice": "against", "weight": str(AGAINST)}])
        ar.conn.execute(
            "INSERT INTO proposals (source, id, title, body, proposer, status, native_status, created_at, start_ts, "
            "end_ts, clock, quorum, choices, tally, actions, vote_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (SOURCE, PID, "Marked amounts", "", "0x" + "11" * 20, "executed", "Executed", 1_700_000_000,
             1_700_000_000, 1_700_003_600, "timestamp", str(QUORUM), choices, tally, "[]", 2))
        store.insert_votes(ar, [(SOURCE, PID, VOTER, "for", str(FOR), "", 10, "0x", 0, 1_700_000_100),
                                (SOURCE, PID, "0x" + "c0" * 20, "against", str(AGAINST), "", 11, "0x", 0,
                                 1_700_000_200)])


def test_proposals_show_marks_cut_tally_lines_and_json_is_exact(cli: Any, archived: None) -> None:
    text = cli("proposals", "show", f"{SOURCE}:{PID}", "--offline")
    assert text.code == 0, text.err
    rows = {line.split()[0]: line for line in text.out.splitlines() if line.startswith("  ")}
    assert "≈1,234.56 PDT" in rows["for"]
    assert "250 PDT" in rows["against"] and "≈" not in rows["against"]
    assert "≈4,000 PDT" in rows["quorum"] and "≈1,234.56 PDT" in rows["turnout"]  # FOR and ABSTAIN count
    assert "≈2,765.43 PDT short" in rows["quorum"]  # 4,000.000…001 − 1,234.567…012 = 2,765.432…989
    doc = cli("proposals", "show", f"{SOURCE}:{PID}", "--offline", "--json").json()
    assert {t["choice"]: t["weight"] for t in doc["tally"]} == {"for": str(FOR), "against": str(AGAINST)}
    assert doc["quorum"] == str(QUORUM) and "≈" not in json.dumps(doc, ensure_ascii=False)


def test_proposals_votes_marks_cut_weights_and_json_is_exact(cli: Any, archived: None) -> None:
    text = cli("proposals", "votes", f"{SOURCE}:{PID}")
    assert text.code == 0, text.err
    voter_row = next(line for line in text.out.splitlines() if VOTER in line)
    assert "≈1,234.56 PDT" in voter_row
    doc = cli("proposals", "votes", f"{SOURCE}:{PID}", "--json").json()
    assert sorted(v["weight"] for v in doc["votes"]) == sorted([str(FOR), str(AGAINST)])


def test_the_tui_tally_reads_the_same_marked_amounts(archived: None) -> None:
    """The proposal screen's tally (and its votes pane) come from the same service view as the CLI's lines."""
    from wallet.services.proposals import proposal_view, search_votes

    view = proposal_view(SOURCE, PID, addresses=[])
    assert [t.amount for t in view.tally] == ["≈1,234.56 PDT", "250 PDT"]
    assert view.quorum_text == "quorum ≈4,000 PDT: not reached (≈2,765.43 PDT short)"
    assert {v["voter"].lower(): v["weight"] for v in view.votes}[VOTER.lower()] == "≈1,234.56 PDT"
    assert [v["weight"] for v in search_votes(SOURCE, PID, "")] == [v["weight"] for v in view.votes]


def test_plan_fee_lines_are_marked_when_cut_in_cli_and_tui_text(capsys: pytest.CaptureFixture[str]) -> None:
    from wallet.cli.common import print_plan
    from wallet.flows import plan_lines
    from wallet.models import Plan

    def plan(fee: int) -> Plan:
        return Plan(kind="vote", network="devnet", source=SOURCE, account="me", address=VOTER, summary=["Vote FOR"],
                    fee_estimate=fee, fee_symbol="ETH", fee_decimals=18)

    cut, exact = plan(21_000 * 1_500_000_007), plan(21_000 * 10**9)  # 0.000031500000147 ETH, 0.000021 ETH
    assert plan_lines(cut)[-1] == "fee estimate: ≈0.0000315 ETH"
    assert plan_lines(exact)[-1] == "fee estimate: 0.000021 ETH"
    print_plan(cut)
    assert "  fee estimate: ≈0.0000315 ETH" in capsys.readouterr().out.splitlines()
    assert cut.as_json()["fee_estimate"] == str(21_000 * 1_500_000_007)


def test_the_proposal_screen_shows_the_marks(archived: None) -> None:
    """The TUI's tally widget and Votes pane, in a real (headless) app, offline."""
    import asyncio

    from screens.app import make_app
    from screens.proposal import ProposalScreen
    from tests.plugins.tui_helpers import table_rows, text_of, wait_for

    async def go() -> None:
        app = make_app(offline=True, check_online=False, persist_settings=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.push_screen(ProposalScreen(SOURCE, PID))
            await wait_for(pilot, lambda: "≈1,234.56 PDT" in text_of(app, "#tally"), what="tally")
            tally = text_of(app, "#tally")
            assert "250 PDT" in tally and "≈250" not in tally
            assert "quorum ≈4,000 PDT: not reached (≈2,765.43 PDT short)" in tally
            await pilot.press("slash")
            await wait_for(pilot, lambda: any("≈1,234.56 PDT" in row for row in table_rows(app, "#votes")),
                           what="votes pane")

    asyncio.run(go())
