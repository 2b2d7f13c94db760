"""`polis batch run|check --max-fee [NETWORK=]AMOUNT`: the run's fee cap, over the plan's [policy.max_fee],
the same rule as `vote --max-fee` (wallet/fees.py). Over the cap, every action is refused before signing
with the numbers, exit 1, nothing sent; a malformed cap is one line, exit 2, before any network call."""

from __future__ import annotations

import pytest

from tests.plugins.batch_evm import active_proposals, import_voter, vote_plan
from tests.plugins.batch_evm import nonce as _nonce

pytestmark = pytest.mark.anvil


def test_batch_max_fee_refuses_before_signing_and_overrides_the_policy(cli, anvil, env_passphrase, tmp_path) -> None:
    voter = import_voter(cli)
    _dep, src, ids = active_proposals(anvil, voter, 2)
    start = _nonce(anvil, voter)
    plan = tmp_path / "votes.toml"
    plan.write_text(vote_plan(src, ids).replace("[run]", '[policy.max_fee]\ndevnet = "1 ETH"\n\n[run]'))

    dry = cli("batch", "check", str(plan), "--dry-run", "--max-fee", "1 wei")
    assert dry.code == 1 and "refusing to sign" in dry.out + dry.err and "(--max-fee)" in dry.out + dry.err

    r = cli("batch", "run", str(plan), "--yes", "--json", "--max-fee", f"{src}=1 wei")  # over the plan's 1 ETH
    assert r.code == 1, r.err + r.out
    acts = r.json()["actions"]
    assert [a["state"] for a in acts] == ["failed", "failed"]
    for a in acts:
        assert "refusing to sign" in a["error"] and "over the cap of 0.000000000000000001 ETH (--max-fee)" in a["error"]
        assert "the fee may reach" in a["error"]  # the numbers: what it may cost and the cap
    assert _nonce(anvil, voter) == start  # nothing signed

    # a run's cap also relaxes the plan's: [policy] says 1 wei, --max-fee 1 ETH lets both votes go
    tight = tmp_path / "tight.toml"
    tight.write_text(vote_plan(src, ids).replace("[run]", '[policy.max_fee]\ndevnet = "1 wei"\n\n[run]'))
    ok = cli("batch", "run", str(tight), "--yes", "--json", "--max-fee", "1 ETH")
    assert ok.code == 0, ok.err + ok.out
    assert [a["state"] for a in ok.json()["actions"]] == ["confirmed", "confirmed"]
    assert _nonce(anvil, voter) == start + 2


@pytest.mark.parametrize(("cap", "says"), [
    ("lots", "is not an amount"),
    ("-1", "is not an amount"),
    ("1 ATOM", "unknown unit 'ATOM'"),
    ("nosuchnet=1 wei", "the plan has no action on 'nosuchnet'"),
    ("=1", "give AMOUNT or NETWORK=AMOUNT"),
])
def test_batch_max_fee_bad_input_is_one_line_exit_2(cli, anvil, env_passphrase, tmp_path, cap: str, says: str) -> None:
    voter = import_voter(cli)
    _dep, src, ids = active_proposals(anvil, voter, 1)
    plan = tmp_path / "votes.toml"
    plan.write_text(vote_plan(src, ids))
    for verb in ("check", "run"):
        r = cli("batch", verb, str(plan), "--yes", "--max-fee", cap) if verb == "run" else \
            cli("batch", verb, str(plan), "--max-fee", cap)
        lines = [x for x in r.err.splitlines() if x.strip() and not x.startswith("hint:")]
        assert r.code == 2 and len(lines) == 1 and says in lines[0] and "Traceback" not in r.err, (verb, r.err)
    twice = cli("batch", "run", str(plan), "--yes", "--max-fee", "1 ETH", "--max-fee", "2 ETH")
    assert twice.code == 2 and "given twice" in twice.err
    assert cli("vote", f"{src}:{ids[0]}", "for", "--max-fee", "lots", "--dry-run").code == 2  # the same rule
