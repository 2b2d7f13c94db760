"""Partial votes on a real GovernorCountingFractional (anvil, devnet PolisFractional): `polis proposals votes`
lists every partial vote with its split and the voter's total; `polis proposals show` (text, --json,
--offline) and the TUI's proposal screen give my weight at the snapshot, used and left. Every number is
compared with the contracts' own views: proposalVotes, usedVotes, proposalSnapshot and getPastVotes."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import pytest

from tests.conftest import add_devnet_dao
from tests.plugins.tui_helpers import table_rows, text_of, wait_for

pytestmark = pytest.mark.anvil


@pytest.fixture
def frac(cli, anvil, seeded_dao) -> dict[str, Any]:
    """A fractional DAO: three whole votes on the active proposal, then three voters with two partial
    votes each, and two voters who did not vote; synced."""
    dep, seed = seeded_dao("oz_fractional", n_voters=8, with_states=False, active_votes=3)
    src = add_devnet_dao(anvil.url, dep, "frac")
    r = cli("sync", src, "--json")
    assert r.code == 0, r.err
    pid = seed.proposals["active"]
    return {"dep": dep, "seed": seed, "src": src, "pid": pid, "splitters": seed.voters[3:6],
            "idle": seed.voters[6:8]}


def chain_weight(anvil, dep, pid: str, voter: str) -> tuple[int, int]:
    """(getPastVotes at proposalSnapshot, usedVotes) from the contracts."""
    from wallet.devnet.deploy import call

    snapshot = call(anvil, dep.governor, "proposalSnapshot(uint256)", int(pid))
    return (call(anvil, dep.token, "getPastVotes(address,uint256)", voter, snapshot),
            call(anvil, dep.governor, "usedVotes(uint256,address)", int(pid), voter))


def test_votes_lists_every_partial_vote_with_its_split_and_the_voters_total(cli, anvil, frac) -> None:
    from wallet.devnet.deploy import call
    from wallet.devnet.seed import FRACTIONAL_SPLITS

    src, pid, dep = frac["src"], frac["pid"], frac["dep"]
    r = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "1000", "--order", "time")
    assert r.code == 0, r.err
    doc = r.json()
    rows = doc["votes"]
    assert doc["partial"] and doc["total"] == len(rows) == frac["seed"].votes_cast
    assert doc["voters"] == len({v["voter"] for v in rows}) == 6
    by_voter: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in rows:
        assert int(v["weight"]) == int(v["for"]) + int(v["against"]) + int(v["abstain"])
        by_voter[v["voter"]].append(v)
    for voter, parts in by_voter.items():
        used = call(anvil, dep.governor, "usedVotes(uint256,address)", int(pid), voter)
        assert sum(int(p["weight"]) for p in parts) == used
        assert all(int(p["voter_total"]) == used and p["voter_votes"] == len(parts) for p in parts)
    against, for_, abstain = call(anvil, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
    assert (sum(int(v["against"]) for v in rows), sum(int(v["for"]) for v in rows),
            sum(int(v["abstain"]) for v in rows)) == (against, for_, abstain)
    for who in frac["splitters"]:  # each partial vote its own row, in chain order, with the split cast
        assert [(int(p["against"]), int(p["for"]), int(p["abstain"])) for p in by_voter[who]] == [
            tuple(x * dep.unit for x in s) for s in FRACTIONAL_SPLITS]
    text = cli("proposals", "votes", f"{src}:{pid}", "--order", "time")
    assert text.code == 0, text.err
    lines = text.out.splitlines()
    assert "VOTER TOTAL" in lines[0] and "ABSTAIN" in lines[0]
    for who in frac["splitters"]:
        assert sum(1 for line in lines if who in line) == len(FRACTIONAL_SPLITS)
    assert f"of {len(rows)} partial votes by 6 voters" in text.err
    found = cli("proposals", "votes", f"{src}:{pid}", "--json", "--search", "abstain", "--limit", "1000").json()
    assert found["votes"] and all(int(v["abstain"]) > 0 for v in found["votes"])


def test_show_gives_my_weight_used_and_left_as_the_contracts_do(cli, anvil, frac) -> None:
    from wallet.services.weights import WeightLeft, with_node_totals
    from wallet.units import Denom, weight_text

    src, pid, dep = frac["src"], frac["pid"], frac["dep"]
    splitter, idle = frac["splitters"][0], frac["idle"][0]
    assert cli("keys", "import", "split", "--watch", splitter).code == 0
    assert cli("keys", "import", "idle", "--watch", idle).code == 0
    denom = Denom("PDT", "base", 18)
    for voter, name, votes in ((splitter, "split", 2), (idle, "idle", 0)):
        total, used = chain_weight(anvil, dep, pid, voter)
        assert total > 0
        for offline in ((), ("--offline",)):
            shown = cli("proposals", "show", f"{src}:{pid}", "--account", name, "--json", *offline)
            assert shown.code == 0, shown.err
            (mine,) = shown.json()["my_weight"]
            assert (mine["voter"].lower(), int(mine["total"]), int(mine["used"]), int(mine["remaining"]),
                    mine["votes"], mine["total_from"]) == (voter.lower(), total, used, total - used, votes, "archive")
            assert len(shown.json()["my_vote_parts"]) == votes
        text = cli("proposals", "show", f"{src}:{pid}", "--account", name).out
        line = next(x for x in text.splitlines() if x.strip().startswith("weight:"))
        assert f"{weight_text(total, denom)} at the snapshot" in line
        assert f"{weight_text(total - used, denom)} left" in line
        assert (f"{weight_text(used, denom)} used in {votes} votes" if votes else "none used yet") in line
    # the node gives what the archive cannot tell, and the same number
    total, used = chain_weight(anvil, dep, pid, splitter)
    (asked,), warning = with_node_totals(src, pid, [WeightLeft(splitter, None, used, 2)])
    assert not warning and (asked.total, asked.remaining, asked.total_from) == (total, total - used, "node")


def test_tui_proposal_screen_shows_weight_left_and_every_partial_vote(cli, anvil, frac) -> None:
    from screens.proposal import ProposalScreen
    from wallet.units import Denom, format_amount, weight_text

    src, pid, dep = frac["src"], frac["pid"], frac["dep"]
    splitter = frac["splitters"][1]
    assert cli("keys", "import", "split", "--watch", splitter).code == 0
    total, used = chain_weight(anvil, dep, pid, splitter)
    parts = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "1000").json()["total"]
    expected = f"{weight_text(total - used, PDT := Denom('PDT', 'base', 18))} left"

    async def go() -> None:
        from screens.app import make_app

        app = make_app(check_online=False, persist_settings=False)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.push_screen(ProposalScreen(src, pid))
            await wait_for(pilot, lambda: expected in text_of(app, "#my-vote"), what="weight left")
            assert f"{weight_text(total, PDT)} at the snapshot" in text_of(app, "#my-vote")
            await pilot.press("p")  # the node's snapshot weight, with what the archive says was used
            await wait_for(pilot, lambda: "left)" in text_of(app, "#my-power"), timeout=30, what="power asked")
            assert f"{format_amount(total - used, PDT, max_decimals=4)} left" in text_of(app, "#my-power")
            await pilot.press("slash")
            await wait_for(pilot, lambda: len(table_rows(app, "#votes")) == parts, what="every partial vote")
            mine = [row for row in table_rows(app, "#votes") if row[0] == splitter]
            assert len(mine) == 2 and all(f"of {weight_text(used, PDT)}" in row[2] for row in mine)

    asyncio.run(go())


def test_export_votes_writes_each_partial_vote_with_its_split(cli, anvil, frac) -> None:
    import csv
    import io

    from wallet.devnet.deploy import call

    src, pid, dep = frac["src"], frac["pid"], frac["dep"]
    rows = [v for v in cli("export", "votes", "--format", "json", "-n", src).json() if v["proposal_id"] == pid]
    listed = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "1000").json()
    assert len(rows) == listed["total"] == frac["seed"].votes_cast
    for v in rows:
        split = (int(v["for"]), int(v["against"]), int(v["abstain"]))
        assert int(v["weight"]) == sum(split)
        assert v["choice"] == ("split" if sum(1 for x in split if x) > 1 else
                               ("for", "against", "abstain")[[bool(x) for x in split].index(True)])
    against, for_, abstain = call(anvil, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
    assert (sum(int(v["against"]) for v in rows), sum(int(v["for"]) for v in rows),
            sum(int(v["abstain"]) for v in rows)) == (against, for_, abstain)
    for who in frac["splitters"]:
        used = call(anvil, dep.governor, "usedVotes(uint256,address)", int(pid), who)
        mine = [v for v in rows if v["voter"] == who]
        assert len(mine) > 1 and sum(int(v["weight"]) for v in mine) == used
    table = list(csv.DictReader(io.StringIO(cli("export", "votes", "-n", src).out)))
    assert [(r["voter"], r["for"], r["against"], r["abstain"]) for r in table if r["proposal_id"] == pid] == [
        (v["voter"], v["for"], v["against"], v["abstain"]) for v in rows]
