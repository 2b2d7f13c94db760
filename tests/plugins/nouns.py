"""Nouns DAO as published: the bytecode npm @nouns/contracts 0.3.0 ships (its typechain factories), deployed
on a local anvil as Nouns deployed it. The real NounsToken (ERC721Checkpointable: one vote a noun, votes
follow the nouns, an account with no delegate votes for itself) with its NounsDescriptorV2, NounsArt,
SVGRenderer, Inflator and NounsSeeder; a NounsDAOExecutor (the timelock and treasury) whose admin is the DAO;
a NounsDAOProxy on NounsDAOLogicV1, upgraded in place to NounsDAOLogicV2 with dynamic quorum for version 2.

Accounts (anvil's, from the junk mnemonic): 0 deploys everything, mints every noun (the token's minter)
and is the DAO's admin; 1-4 are the voters alice, bob, carol and dave (index 4: the key the vault tests
hold); 5 is the Nounders' account, which receives every tenth noun and is the vetoer.

The voting period is at least 5,760 blocks, which anvil cannot mine in a test's time: `end_voting` sets the
proposal's endBlock word to the current block instead (a node's storage override), after checking that the
word is the one `proposals(id)` reads; everything after that runs as on mainnet."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest

BUILD = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "@nouns" / "contracts" / "dist"
FACTORIES = BUILD / "typechain" / "factories"

STATES = ("pending", "active", "canceled", "defeated", "succeeded", "queued", "expired", "executed", "vetoed")
"""`state(id)`'s names, by value (NounsDAOStorageV1.ProposalState)."""
PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED, VETOED = range(9)
AGAINST, FOR, ABSTAIN = 0, 1, 2  # castVote's support

PROPOSAL_V1 = ["uint256", "address", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256", "uint256",
               "uint256", "bool", "bool", "bool"]
"""V1's public `proposals(id)` getter: id, proposer, proposalThreshold, quorumVotes, eta, startBlock, endBlock,
forVotes, againstVotes, abstainVotes, canceled, vetoed, executed."""
PROPOSAL_V2 = PROPOSAL_V1 + ["uint256", "uint256"]
"""V2's `proposals(id)` (a ProposalCondensed struct): V1's thirteen words, then totalSupply, creationBlock."""
ID, PROPOSER, THRESHOLD, QUORUM, ETA, START_BLOCK, END_BLOCK, FOR_VOTES, AGAINST_VOTES, ABSTAIN_VOTES = range(10)
CANCELED_WORD, VETOED_WORD, EXECUTED_WORD, TOTAL_SUPPLY, CREATION_BLOCK = range(10, 15)

PROPOSALS_SLOT = 11
"""NounsDAOProxyStorage: admin, pendingAdmin, implementation (0-2); NounsDAOStorageV1: vetoer, votingDelay,
votingPeriod, proposalThresholdBPS, quorumVotesBPS, proposalCount, timelock, nouns (3-10), proposals (11)."""
END_BLOCK_SLOT = 10
"""Proposal struct: id, proposer, proposalThreshold, quorumVotes, eta, targets, values, signatures, calldatas,
startBlock (9), endBlock (10), ... (the same in V1 and V2)."""

EVENTS = {
    "ProposalCreated": "ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)",
    "ProposalCreatedWithRequirements": "ProposalCreatedWithRequirements(uint256,address,address[],uint256[],"
                                       "string[],bytes[],uint256,uint256,uint256,uint256,string)",
    "VoteCast": "VoteCast(address,uint256,uint8,uint256,string)",  # voter indexed; the rest in data
    "ProposalCanceled": "ProposalCanceled(uint256)",
    "ProposalQueued": "ProposalQueued(uint256,uint256)",
    "ProposalExecuted": "ProposalExecuted(uint256)",
    "ProposalVetoed": "ProposalVetoed(uint256)",
}
"""The governor's proposal events (nothing indexed but VoteCast's voter), the same in V1 and V2."""

HOLDINGS = (20, 10, 8, 5)
"""Nouns of alice, bob, carol and dave. Minting them gives the Nounders ids 0, 10, 20, 30 and 40: 48 in all."""
QUORUM_BPS = 1_000
"""V1's quorumVotesBPS and V2's minQuorumVotesBPS: 10 %, as on mainnet (the contract's minimum, 2 %, is 0
votes of 48 nouns)."""
MAX_QUORUM_BPS = 2_000  # V2's maxQuorumVotesBPS, as on mainnet
QUORUM_COEFFICIENT = 1_000_000  # V2: each against-vote BPS adds one BPS of quorum (1e6 fixed point), as on mainnet
EXECUTOR_DELAY = 2 * 86_400  # seconds: NounsDAOExecutor's MINIMUM_DELAY
TREASURY_WEI = 100 * 10**18  # the executor's balance
REGISTRY_INIT = "0x6005600c60003960056000f3" + "60206000f3"
"""Init code of a stand-in for OpenSea's proxy registry: any call returns a zero word, so `proxies(owner)` is
address(0) and NounsToken.isApprovedForAll falls back to ERC721's approvals."""


def _factory(name: str) -> Path:
    found = sorted(FACTORIES.rglob(f"{name}__factory.js")) if FACTORIES.is_dir() else []
    if not found:
        pytest.fail(f"npm @nouns/contracts (its {name} factory) is missing: run `make setup` (npm ci in tests/js)")
    assert len(found) == 1, found
    return found[0]


@cache
def _artifact(name: str) -> tuple[str, str]:
    text = _factory(name).read_text()
    bytecode = re.search(r'const _bytecode = "(0x[0-9a-fA-F$_]*)"', text)
    abi = re.search(r"^const _abi = (\[.*?^\]);", text, re.S | re.M)
    if bytecode is None or abi is None:
        pytest.fail(f"{name}__factory.js has no _bytecode or _abi")
    # typechain writes the ABI as a JavaScript literal: bare keys, trailing commas
    literal = re.sub(r"^(\s*)(\w+):", r'\1"\2":', abi.group(1), flags=re.M)
    return bytecode.group(1), json.dumps(json.loads(re.sub(r",(\s*[\]}])", r"\1", literal)))


def artifact(name: str, libraries: dict[str, str] | None = None) -> dict[str, Any]:
    """{"abi", "bytecode"} of contract `name` from its typechain factory; `libraries` maps a fully qualified
    library name ("contracts/libs/NFTDescriptorV2.sol:NFTDescriptorV2") to the address linked in."""
    from eth_utils import keccak

    bytecode, abi = _artifact(name)
    for qualified, address in (libraries or {}).items():
        placeholder = "__$" + keccak(text=qualified).hex()[:34] + "$__"
        assert placeholder in bytecode, (name, qualified)
        bytecode = bytecode.replace(placeholder, address.lower().removeprefix("0x"))
    assert "__$" not in bytecode, f"{name} needs a library linked"
    return {"abi": json.loads(abi), "bytecode": bytecode}


def _image_page() -> tuple[bytes, int, int]:
    """One image as NounsArt stores a page: abi.encode(bytes[]) deflated, its inflated length, its count."""
    from eth_abi import encode

    raw = encode(["bytes[]"], [[bytes.fromhex("0015171f090e020e0e020e0e020e0e020e")]])
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflate.compress(raw) + deflate.flush(), len(raw), 1


class NounsDao:
    """Nouns' token, executor and DAO proxy on `node`; `version` 1 (NounsDAOLogicV1) or 2 (NounsDAOLogicV2)."""

    def __init__(self, node: Any, version: int, *, quorum_bps: int = QUORUM_BPS,
                 max_quorum_bps: int = MAX_QUORUM_BPS, quorum_coefficient: int = QUORUM_COEFFICIENT) -> None:
        from wallet.devnet.deploy import deploy_contract

        if version not in (1, 2):
            raise ValueError(f"Nouns DAO version 1 or 2, not {version}")
        self.node = node
        self.version = version
        accounts = [self._checksum(a) for a in node.rpc("eth_accounts")]
        self.admin, self.alice, self.bob, self.carol, self.dave, self.nounders = accounts[:6]
        self.voters = [self.alice, self.bob, self.carol, self.dave]
        self.vetoer = self.nounders
        self.last_receipt: dict[str, Any] = {}
        """The receipt of the latest `propose`."""

        self.token, self.start_block = self._deploy_token()
        self.logic_v1, _ = deploy_contract(node, self.admin, artifact("NounsDAOLogicV1"))
        self.constants = {name: self.call(self.logic_v1, f"{name}()") for name in (
            "MIN_VOTING_PERIOD", "MAX_VOTING_PERIOD", "MIN_VOTING_DELAY", "MAX_VOTING_DELAY",
            "MIN_PROPOSAL_THRESHOLD_BPS", "MAX_PROPOSAL_THRESHOLD_BPS", "MIN_QUORUM_VOTES_BPS",
            "MAX_QUORUM_VOTES_BPS", "proposalMaxOperations")}
        self.voting_period = self.constants["MIN_VOTING_PERIOD"]
        self.voting_delay = self.constants["MIN_VOTING_DELAY"]
        self.proposal_threshold_bps = self.constants["MIN_PROPOSAL_THRESHOLD_BPS"]

        # the executor's admin is the DAO proxy, deployed right after it
        governor = self._next_address(1)
        self.executor, _ = deploy_contract(node, self.admin, artifact("NounsDAOExecutor"), "(address,uint256)",
                                           governor, EXECUTOR_DELAY)
        self.timelock = self.executor
        for name in ("MINIMUM_DELAY", "MAXIMUM_DELAY", "GRACE_PERIOD"):
            self.constants[name] = self.call(self.executor, f"{name}()")
        assert self.constants["MINIMUM_DELAY"] == EXECUTOR_DELAY
        self.delay = EXECUTOR_DELAY
        self.grace_period = self.constants["GRACE_PERIOD"]
        self.governor, self.deploy_block = deploy_contract(
            node, self.admin, artifact("NounsDAOProxy"),
            "(address,address,address,address,address,uint256,uint256,uint256,uint256)",
            self.executor, self.token, self.vetoer, self.admin, self.logic_v1, self.voting_period,
            self.voting_delay, self.proposal_threshold_bps, quorum_bps)
        assert self.governor == governor
        self.logic = self.logic_v1
        if version == 2:
            self.logic, _ = deploy_contract(node, self.admin, artifact("NounsDAOLogicV2"))
            self.send(self.admin, "_setImplementation(address)", self.logic)
            self.send(self.admin, "_setDynamicQuorumParams(uint16,uint16,uint32)", quorum_bps, max_quorum_bps,
                      quorum_coefficient)
            for name in ("MIN_QUORUM_VOTES_BPS_LOWER_BOUND", "MIN_QUORUM_VOTES_BPS_UPPER_BOUND",
                         "MAX_QUORUM_VOTES_BPS_UPPER_BOUND"):
                self.constants[name] = self.call(self.governor, f"{name}()")
        assert self.call(self.governor, "implementation()", returns=["address"]).lower() == self.logic.lower()
        node.rpc("anvil_setBalance", self.executor, hex(TREASURY_WEI))
        node.rpc("evm_mine")  # the last holdings are in a past block: getPriorVotes(.., head - 1) sees them

    # ------------------------------------------------------------------ deployment

    @staticmethod
    def _checksum(address: str) -> str:
        from wallet.devnet.deploy import checksum

        return checksum(address)

    def _next_address(self, ahead: int = 0) -> str:
        """The address of the admin's contract `ahead` deployments after the next one."""
        import rlp
        from eth_utils import keccak, to_bytes

        nonce = int(self.node.rpc("eth_getTransactionCount", self.admin, "latest"), 16) + ahead
        return self._checksum("0x" + keccak(rlp.encode([to_bytes(hexstr=self.admin), nonce]))[12:].hex())

    def _deploy_token(self) -> tuple[str, int]:
        """NounsToken with its art, descriptor and seeder; HOLDINGS minted and handed to the voters."""
        from wallet.devnet.deploy import deploy_contract

        node, admin = self.node, self.admin
        inflator, _ = deploy_contract(node, admin, artifact("Inflator"))
        renderer, _ = deploy_contract(node, admin, artifact("SVGRenderer"))
        library, _ = deploy_contract(node, admin, artifact("NFTDescriptorV2"))
        art, _ = deploy_contract(node, admin, artifact("NounsArt"), "(address,address)", admin, inflator)
        linked = artifact("NounsDescriptorV2", {"contracts/libs/NFTDescriptorV2.sol:NFTDescriptorV2": library})
        self.descriptor, _ = deploy_contract(node, admin, linked, "(address,address)", art, renderer)
        self.send(admin, "setDescriptor(address)", self.descriptor, to=art)
        # the least art NounsSeeder.generateSeed needs (it takes each seed part modulo its count)
        self.send(admin, "setPalette(uint8,bytes)", 0, bytes.fromhex("ffffffc5b9a1"), to=self.descriptor)
        self.send(admin, "addManyBackgrounds(string[])", ["d5d7e1"], to=self.descriptor)
        for part in ("Bodies", "Accessories", "Heads", "Glasses"):
            self.send(admin, f"add{part}(bytes,uint80,uint16)", *_image_page(), to=self.descriptor)
        self.seeder, _ = deploy_contract(node, admin, artifact("NounsSeeder"))
        registry, _ = deploy_contract(node, admin, {"bytecode": REGISTRY_INIT})
        token, block = deploy_contract(node, admin, artifact("NounsToken"), "(address,address,address,address,address)",
                                       self.nounders, admin, self.descriptor, self.seeder, registry)

        # mint() gives the minter one noun, and the Nounders every id that is a multiple of 10 first
        minted: list[int] = []
        next_id = 0
        for _ in range(sum(HOLDINGS)):
            self.send(admin, "mint()", to=token)
            next_id += next_id % 10 == 0
            minted.append(next_id)
            next_id += 1
        assert self.call(token, "balanceOf(address)", admin) == len(minted)
        for voter, count in zip(self.voters, HOLDINGS, strict=True):
            for noun in minted[:count]:
                self.send(admin, "transferFrom(address,address,uint256)", admin, voter, noun, to=token)
            del minted[:count]
        for voter in self.voters:
            self.send(voter, "delegate(address)", voter, to=token)
        return token, block

    # ----------------------------------------------------------------- transactions

    def call(self, to: str, signature: str, *args: Any, returns: Sequence[str] = ("uint256",),
             block: str | int = "latest") -> Any:
        """eth_call on `to` (at `block`); one return type gives a scalar, several a tuple."""
        from wallet.devnet.deploy import call

        return call(self.node, to, signature, *args, returns=returns,
                    block=hex(block) if isinstance(block, int) else block)

    def send(self, sender: str, signature: str, *args: Any, to: str | None = None, value: int = 0) -> dict[str, Any]:
        """A transaction from `sender` to `to` (the governor by default); its receipt. Raises if it reverts."""
        from wallet.devnet.deploy import transact

        return transact(self.node, sender, to or self.governor, signature, *args, value=value)

    def propose(self, proposer: str, description: str,
                actions: Sequence[tuple[str, int, str, bytes]] | None = None) -> str:
        """A proposal of `actions` (target, wei, signature, calldata); by default the treasury pays carol 1 ETH.
        Its id as decimal text. Nouns allows one pending or active proposal a proposer."""
        targets, values, signatures, calldatas = zip(*(actions or [(self.carol, 10**18, "", b"")]), strict=True)
        self.last_receipt = self.send(proposer, "propose(address[],uint256[],string[],bytes[],string)",
                                      list(targets), list(values), list(signatures), list(calldatas), description)
        return str(self.call(self.governor, "latestProposalIds(address)", proposer))

    def vote(self, voter: str, pid: str, support: int, reason: str = "") -> dict[str, Any]:
        """castVote, or castVoteWithReason when there is a reason (support: AGAINST, FOR or ABSTAIN)."""
        if reason:
            return self.send(voter, "castVoteWithReason(uint256,uint8,string)", int(pid), support, reason)
        return self.send(voter, "castVote(uint256,uint8)", int(pid), support)

    def mine(self, blocks: int = 1) -> None:
        for _ in range(blocks):
            self.node.rpc("evm_mine")

    def head(self) -> int:
        return int(self.node.rpc("eth_blockNumber"), 16)

    def start_voting(self, pid: str) -> None:
        """Mine past the proposal's startBlock: it is Active."""
        self.mine(max(0, self.proposal(pid)[START_BLOCK] + 1 - self.head()))

    def end_voting(self, pid: str) -> None:
        """The proposal's endBlock word set to the current block (see the module's doc); the next block is
        past it."""
        from eth_utils import keccak

        self.start_voting(pid)
        base = int.from_bytes(keccak(int(pid).to_bytes(32, "big") + PROPOSALS_SLOT.to_bytes(32, "big")), "big")
        word = self.node.rpc("eth_getStorageAt", self.governor, hex(base), "latest")
        assert int(word, 16) == int(pid), "the storage layout is not NounsDAOStorageV1's"
        word = self.node.rpc("eth_getStorageAt", self.governor, hex(base + END_BLOCK_SLOT), "latest")
        assert int(word, 16) == self.proposal(pid)[END_BLOCK], "the Proposal struct's layout is not Nouns's"
        self.node.rpc("anvil_setStorageAt", self.governor, hex(base + END_BLOCK_SLOT), f"0x{self.head():064x}")
        self.mine()

    def warp(self, timestamp: int) -> None:
        """Mine a block at `timestamp` (or the next second, if that is past)."""
        now = int(self.node.rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
        self.node.rpc("evm_setNextBlockTimestamp", hex(max(timestamp, now + 1)))
        self.mine()

    def queue(self, pid: str) -> dict[str, Any]:
        return self.send(self.admin, "queue(uint256)", int(pid))

    def execute(self, pid: str) -> dict[str, Any]:
        """Warp past the proposal's eta, then execute it."""
        self.warp(self.proposal(pid)[ETA] + 1)
        return self.send(self.admin, "execute(uint256)", int(pid))

    def veto(self, pid: str) -> dict[str, Any]:
        return self.send(self.vetoer, "veto(uint256)", int(pid))

    def cancel(self, pid: str) -> dict[str, Any]:
        """Cancelled by its proposer."""
        return self.send(self.proposal(pid)[PROPOSER], "cancel(uint256)", int(pid))

    # ------------------------------------------------------------------------ views

    def state(self, pid: str) -> int:
        """`state(id)`: an index into STATES."""
        return self.call(self.governor, "state(uint256)", int(pid), returns=["uint8"])

    def proposal(self, pid: str) -> tuple:
        """`proposals(id)`: 13 words (V1) or 15 (V2); see PROPOSAL_V1 and PROPOSAL_V2."""
        if self.version == 1:
            return self.call(self.governor, "proposals(uint256)", int(pid), returns=PROPOSAL_V1)
        return self.call(self.governor, "proposals(uint256)", int(pid), returns=[f"({','.join(PROPOSAL_V2)})"])

    def receipt(self, pid: str, voter: str) -> tuple[bool, int, int]:
        """`getReceipt(id, voter)`: (hasVoted, support, votes)."""
        return self.call(self.governor, "getReceipt(uint256,address)", int(pid), voter,
                         returns=["(bool,uint8,uint96)"])

    def quorum(self, pid: str) -> int:
        """V1: the quorumVotes the proposal was created with; V2: quorumVotes(id), which grows with against votes."""
        if self.version == 1:
            return self.proposal(pid)[QUORUM]
        return self.call(self.governor, "quorumVotes(uint256)", int(pid))

    def snapshot(self, pid: str) -> int:
        """The block whose getPriorVotes a vote counts: V1 startBlock - votingDelay(), V2 creationBlock."""
        p = self.proposal(pid)
        if self.version == 2:
            return p[CREATION_BLOCK]
        return p[START_BLOCK] - self.call(self.governor, "votingDelay()")

    def votes(self, account: str) -> int:
        return self.call(self.token, "getCurrentVotes(address)", account, returns=["uint96"])

    def prior_votes(self, account: str, block: int) -> int:
        return self.call(self.token, "getPriorVotes(address,uint256)", account, block, returns=["uint96"])


@contextmanager
def deployed(version: int, **options: Any) -> Iterator[NounsDao]:
    """A NounsDao of `version` on its own anvil, stopped on exit (`options`: NounsDao's keywords)."""
    from wallet.devnet.anvil import Anvil

    if not FACTORIES.is_dir():
        pytest.fail("npm @nouns/contracts is missing: run `make setup` (npm ci in tests/js)")
    with Anvil() as node:
        yield NounsDao(node, version, **options)
