"""OpenZeppelin's GovernorCountingOverridable (devnet/contracts/PolisOverridable.sol on a VotesExtended token):
a delegator may override its delegate's vote with its own balance. Polis archives every vote, every override
(OverrideVoteCast) and every reduction of a delegate's vote (VoteReduced) as parts, so each voter's archived
weight is what the contract counts for it, and the sums per choice equal the contract's proposalVotes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.devnet import synced

pytestmark = pytest.mark.anvil

E18 = 10**18
ERIN_INDEX = 5  # the junk mnemonic's sixth account: the voter whose key Polis holds
BALANCES = {"alice": 100, "bob": 300, "carol": 50, "dan": 200, "erin": 40, "frank": 70, "gina": 0}
DELEGATE = {"alice": "bob", "bob": "bob", "carol": "dan", "dan": "dan", "erin": "erin", "frank": "gina",
            "gina": "gina"}


class Dao:
    def __init__(self, node: Any, arts: dict[str, dict[str, Any]]) -> None:
        from wallet.devnet.deploy import deploy_contract, keccak_hex

        self.node = node
        accounts = node.rpc("eth_accounts")
        self.admin = accounts[0]
        self.who = dict(zip(BALANCES, accounts[1:8], strict=True))
        self.token, self.start_block = deploy_contract(node, self.admin, arts["PolisTokenExt"], "(string,string)",
                                                       "Override", "OVR")
        self.timelock, _ = deploy_contract(node, self.admin, arts["TimelockController"],
                                           "(uint256,address[],address[],address)", 1, [], [], self.admin)
        self.governor, _ = deploy_contract(node, self.admin, arts["PolisOverridable"],
                                           "(address,address,uint48,uint32,uint256,uint256)", self.token,
                                           self.timelock, 1, 50, 0, 4)
        self.send(self.admin, "grantRole(bytes32,address)", bytes.fromhex(keccak_hex(b"PROPOSER_ROLE")[2:]),
                  self.governor, to=self.timelock)
        for name, whole in BALANCES.items():
            if whole:
                self.send(self.admin, "mint(address,uint256)", self.who[name], whole * E18, to=self.token)
        for name, to in DELEGATE.items():
            self.send(self.who[name], "delegate(address)", self.who[to], to=self.token)

    def send(self, sender: str, signature: str, *args: Any, to: str | None = None) -> None:
        from wallet.devnet.deploy import transact

        transact(self.node, sender, to or self.governor, signature, *args)

    def call(self, signature: str, *args: Any, returns: list[str] | tuple[str, ...] = ("uint256",)) -> Any:
        from wallet.devnet.deploy import call

        return call(self.node, self.governor, signature, *args, returns=returns)


@pytest.fixture
def overridable(compiled):
    from wallet.devnet.anvil import Anvil

    with Anvil() as node:
        yield Dao(node, compiled)


def test_overrides_and_reductions_archived_as_the_contract_counts(cli, env_passphrase, overridable: Dao) -> None:
    from wallet.devnet.deploy import encode_call

    dao, w = overridable, overridable.who
    data = bytes.fromhex(encode_call("mint(address,uint256)", w["carol"], 1)[2:])
    dao.send(dao.admin, "propose(address[],uint256[],bytes[],string)", [dao.token], [0], [data], "# Override me\n")
    logs = dao.node.rpc("eth_getLogs", {"address": dao.governor, "fromBlock": "0x0", "toBlock": "latest"})
    pid = str(int(logs[-1]["data"][2:66], 16))
    dao.node.rpc("evm_mine")
    dao.send(w["bob"], "castVote(uint256,uint8)", int(pid), 1)  # 400: his 300 and Alice's 100
    dao.send(w["alice"], "castOverrideVote(uint256,uint8,string)", int(pid), 0, "not what I delegated for")
    dao.send(w["carol"], "castOverrideVote(uint256,uint8,string)", int(pid), 2, "")  # before Dan votes
    dao.send(w["dan"], "castVote(uint256,uint8)", int(pid), 1)  # 250 less Carol's 50
    dao.send(w["gina"], "castVote(uint256,uint8)", int(pid), 1)  # Frank's 70 only...
    dao.send(w["frank"], "castOverrideVote(uint256,uint8,string)", int(pid), 0, "")  # ...which Frank takes back

    r = cli("networks", "add", "local", "--protocol", "evm", "--chain-id", "31337", "--rpc", dao.node.url,
            "--confirmations", "0", "--symbol", "ETH")
    assert r.code == 0, r.err
    src = "local/override"
    r = cli("networks", "add", src, "--governor", dao.governor, "--token", dao.token, "--start-block",
            str(dao.start_block), "--json")
    assert r.code == 0 and r.json()["kind"] == "oz", r.err + r.out
    # Erin votes from the vault: a plain castVote, her own 40
    r = cli("keys", "import", "erin", "--mnemonic", "--index", str(ERIN_INDEX), "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0 and r.json()["addresses"]["evm"].lower() == w["erin"].lower(), r.err
    synced(cli, src)
    v = cli("vote", f"{src}:{pid}", "against", "--yes", "--json")
    assert v.code == 0 and v.json()["ok"], v.err + v.out
    report = synced(cli, src)
    assert report["votes"] == 1

    against, for_, abstain = dao.call("proposalVotes(uint256)", int(pid), returns=["uint256"] * 3)
    assert (against, for_, abstain) == (210 * E18, 500 * E18, 50 * E18)  # bob 300 + dan 200; alice, frank, erin
    shown = cli("proposals", "show", f"{src}:{pid}", "--json").json()
    assert {t["choice"]: int(t["weight"]) for t in shown["tally"]} == {"for": for_, "against": against,
                                                                      "abstain": abstain}
    listing = cli("proposals", "votes", f"{src}:{pid}", "--json", "--limit", "100").json()
    assert listing["partial"] is True and listing["voters"] == 7
    by_voter: dict[str, dict[str, int]] = {}
    for part in listing["votes"]:
        mine = by_voter.setdefault(part["voter"].lower(), {"for": 0, "against": 0, "abstain": 0})
        for c in mine:
            mine[c] += int(part[c])
    expected = {"bob": {"for": 300}, "alice": {"against": 100}, "carol": {"abstain": 50}, "dan": {"for": 200},
                "gina": {}, "frank": {"against": 70}, "erin": {"against": 40}}
    for name, want in expected.items():
        got = by_voter[w[name].lower()]
        assert {c: n for c, n in got.items() if n} == {c: n * E18 for c, n in want.items()}, name
    assert sum(p["for"] for p in by_voter.values()) == for_
    assert sum(p["against"] for p in by_voter.values()) == against
    assert sum(p["abstain"] for p in by_voter.values()) == abstain
    # each voter's row: what the contract counts for it, under its own choice
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        rows = {v.lower(): (c, int(wt), rs) for v, c, wt, rs in ar.conn.execute(
            "SELECT voter, choice, weight, reason FROM votes WHERE source=? AND proposal_id=?", (src, pid))}
    assert rows[w["bob"].lower()][:2] == ("for", 300 * E18)
    assert rows[w["alice"].lower()] == ("against", 100 * E18, "not what I delegated for")
    assert rows[w["gina"].lower()][:2] == ("for", 0)  # she voted; all she carried was overridden
    assert dao.call("hasVotedOverride(uint256,address)", int(pid), w["alice"], returns=["bool"])
    # a whole vote only: the override module takes no split
    split = cli("vote", f"{src}:{pid}", "-", "--weights", "for=1", "--yes")
    assert split.code == 2
    # the text list: Bob's vote and its reduction, each a row
    text = cli("proposals", "votes", f"{src}:{pid}")
    assert text.code == 0, text.err
    bob = [line.split()[1] for line in text.out.splitlines() if line.lower().startswith(w["bob"].lower())]
    assert sorted(bob) == ["-100", "400"], text.out


def test_a_vote_archived_whole_before_counts_when_its_reduction_arrives(tmp_path) -> None:
    """An archive whose delegate vote was kept as a whole row (a Polis that did not read overrides yet): the
    reduction that a later sync archives leaves 400 − 100 on the row, not −100."""
    from wallet.cache import open_archive, store, vote_parts

    src, bob = "local/override", "0x" + "b0" * 20
    with open_archive(tmp_path / "a.sqlite3") as ar:
        with ar.conn:
            store.insert_votes(ar, [(src, "7", bob, "for", str(400 * E18), "", 20, "0x" + "11" * 32, 3, 1)])
        with ar.conn:
            vote_parts.insert_parts(ar, [(src, "7", bob, 21, 0, 0, -100 * E18, 0, "", "0x" + "22" * 32, 2)])
        row = ar.conn.execute("SELECT choice, weight FROM votes WHERE voter=?", (bob,)).fetchone()
        parts = vote_parts.parts_of(ar, src, "7", bob)
    assert tuple(row) == ("for", str(300 * E18))
    assert [(p["block"], int(p["for"])) for p in parts] == [(20, 400 * E18), (21, -100 * E18)]
