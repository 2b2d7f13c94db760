"""One plan over two families: EVM Governor votes on anvil (pipelined nonces) and Cosmos votes,
a delegation and a reward claim on the loopback LCD double (one multi-message transaction, its
signature verified by the double). Nothing is sent twice when the plan runs again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plugins.batch_evm import POWER, active_proposals, nonce
from tests.plugins.cosmos import Env

pytestmark = pytest.mark.anvil


def plan_text(evm_source: str, evm_ids: list[str], env: Env, cosmos_ids: list[int]) -> str:
    out = ['version = 1\nname = "mixed"\n\n[defaults]\naccount = "me"\n\n[run]\nmessages_per_tx = 25\ntimeout = 30\n',
           '[policy]\nallowed_networks = ["devnet", "akash"]\nmax_amount = { akash = "10 AKT" }\n']
    for i, pid in enumerate(evm_ids):
        out.append(f'[[actions]]\nkind = "vote"\nnetwork = "{evm_source}"\nproposal = "{pid}"\n'
                   f'choice = "{("for", "against")[i % 2]}"\n')
    for i, pid in enumerate(cosmos_ids):
        out.append(f'[[actions]]\nkind = "vote"\nnetwork = "akash"\nproposal = {pid}\n'
                   f'choice = "{("yes", "no", "abstain", "no_with_veto")[i % 4]}"\n')
    out.append(f'[[actions]]\nkind = "stake"\nnetwork = "akash"\ntarget = "{env.validators["beta"]}"\n'
               'amount = "2.5 AKT"\n')
    out.append(f'[[actions]]\nkind = "claim"\nnetwork = "akash"\ntarget = "{env.validators["rescue"]}"\n')
    return "\n".join(out)


def test_mixed_plan_anvil_and_cosmos(cli, anvil, akash: Env, env_passphrase, tmp_path: Path) -> None:  # noqa: F811
    from wallet.keys.vault import Vault

    voter = Vault().get("me").addresses["evm"]
    dep, src, evm_ids = active_proposals(anvil, voter, 6, dao_id="mixed")
    node = akash.node
    cosmos_ids = list(range(400, 420))
    for pid in cosmos_ids:
        node.add_proposal(pid, 2, title=f"Batch proposal {pid}")
    plan = tmp_path / "mixed.toml"
    plan.write_text(plan_text(src, evm_ids, akash, cosmos_ids))
    start = nonce(anvil, voter)
    balance = node.chain.balances[akash.me]

    dry = cli("batch", "check", str(plan), "--dry-run", "--json")
    assert dry.code == 0, dry.err + dry.out
    nets = dry.json()["networks"]
    assert nets["akash"] == {**nets["akash"], "actions": 22, "transactions": 1}
    assert nets["devnet"]["transactions"] == 6
    assert node.broadcasts == 0 and nonce(anvil, voter) == start

    r = cli("batch", "run", str(plan), "--yes", "--json")
    assert r.code == 0, r.err + r.out
    rep = r.json()
    assert rep["counts"] == {"confirmed": 28}
    cosmos = [a for a in rep["actions"] if a["network"] == "akash"]
    assert len({a["tx_hash"] for a in cosmos}) == 1  # 20 votes, a delegation and a claim: one transaction
    assert node.broadcasts == 1 and node.signatures_verified == 1
    assert rep["transactions"] == 7
    option = {0: 1, 1: 3, 2: 2, 3: 4}
    for i, pid in enumerate(cosmos_ids):
        assert node.chain.votes[pid][akash.me]["options"] == [(option[i % 4], "1")]
    assert node.chain.delegations[(akash.me, akash.validators["beta"])] == 2_500_000
    assert (akash.me, akash.validators["rescue"]) not in node.chain.rewards  # withdrawn
    assert node.chain.balances[akash.me] < balance - 2_500_000 + 123_456  # paid one fee
    assert nonce(anvil, voter) == start + 6
    from wallet.devnet.deploy import call

    for i, pid in enumerate(evm_ids):
        against, for_, _ = call(anvil, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
        assert (for_, against) == ((POWER, 0) if i % 2 == 0 else (0, POWER))
    # the Cosmos votes were recorded in the archive from the result
    from wallet.cache import open_archive

    with open_archive() as ar:
        n = ar.conn.execute("SELECT COUNT(*) FROM votes WHERE source='akash' AND voter=?", (akash.me,)).fetchone()[0]
    assert n == 20

    again = cli("batch", "run", str(plan), "--yes")
    assert again.code == 0 and "already ran to the end" in again.out
    assert node.broadcasts == 1 and nonce(anvil, voter) == start + 6


def test_cosmos_actions_already_true_are_skipped(cli, akash: Env, env_passphrase, tmp_path: Path) -> None:  # noqa: F811
    node = akash.node
    node.add_vote(340, akash.me, [(1, "1")])
    plan = tmp_path / "p.toml"
    plan.write_text('[defaults]\naccount = "me"\n[run]\ntimeout = 30\n'
                    '[[actions]]\nkind = "vote"\nnetwork = "akash"\nproposal = "340"\nchoice = "yes"\n'
                    '[[actions]]\nkind = "vote"\nnetwork = "akash"\nproposal = "341"\nchoice = "no"\n')
    r = cli("batch", "run", str(plan), "--yes", "--json")
    assert r.code == 0, r.err + r.out
    st = [a["status"] for a in r.json()["actions"]]
    assert st == ["already_done", "confirmed"] and node.broadcasts == 1
    assert node.chain.votes[341][akash.me]["options"] == [(3, "1")]
