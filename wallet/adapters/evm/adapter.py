"""OpenZeppelin Governor (v4/v5) and Compound GovernorBravo: sync, reads, vote and delegate plans.

Both emit the same event topics; they differ in ids (hash vs counter), tallies (`proposalVotes` vs
`proposals(id)`), receipts (`hasVoted` vs `getReceipt`) and quorum (`quorum(t)` vs `quorumVotes()`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from wallet import budget
from wallet.adapters.base import Adapter, Progress, SyncReport
from wallet.adapters.evm import codec as codec
from wallet.adapters.evm.client import LazyRpcClient, quantity
from wallet.adapters.evm.kinds import (
    COMPOUND_KINDS,
    FACTS,
    KIND_NAMES,
    NOUNS_CREATION_WORD,
    KindFacts,
    is_overridable,
)
from wallet.adapters.evm.sync import SUPPORT_LABEL, sync_dao
from wallet.errors import ActionFailed, ActionRefused, AlreadyDone, BadInput, RpcError

if TYPE_CHECKING:
    from wallet.adapters.evm.client import JsonRpc
    from wallet.cache.db import Archive
    from wallet.fees import FeeQuote
    from wallet.keys.signer import Signer
    from wallet.keys.vault import AccountMeta
    from wallet.models import ActionResult, Plan, PlanCheck
    from wallet.networks import DaoConfig, NetworkConfig
    from wallet.units import Denom

def parse_support(choice: str) -> int:
    """The Governor support a choice names (wallet/adapters/evm/vote_plan.py, imported when used)."""
    from wallet.adapters.evm.vote_plan import parse_support as parse

    return parse(choice)


def looks_like_name(text: str) -> bool:
    from wallet.adapters.evm.ens import looks_like_name as shape

    return shape(text)


def _revert_reason(exc: RpcError) -> str:
    data = exc.data if isinstance(exc.data, str) else ""
    if data.startswith("0x08c379a0"):
        try:
            return codec.decode_string_result(codec.hexbytes(data)[4:])
        except codec.DecodeError:
            pass
    return str(exc)


class EvmGovernorAdapter(LazyRpcClient, Adapter):
    NAME = "evm_governor"
    VOTES_FINAL = True
    VOTE_CHOICES: ClassVar[tuple[tuple[str, str], ...]] = (("1", "for"), ("0", "against"), ("2", "abstain"))
    VOTE_REASON = True
    DELEGATION = True
    SIMULATION = True
    HASH_BEFORE_SEND = True

    @classmethod
    def read_choice(cls, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                    weights: dict[str, str] | None = None) -> str:
        """Governor support: for / yes / y / 1 → FOR, against / no / n / 0 → AGAINST, abstain / 2 → ABSTAIN."""
        return SUPPORT_LABEL[parse_support(choice)].upper()

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        if dao is None:
            raise BadInput(f"network {network.key!r}: the EVM Governor adapter needs a DAO")
        super().__init__(network, dao, rpc_url=rpc_url, source=source)
        self.dao: DaoConfig = dao
        self._rpc: JsonRpc | None = None
        self._kind: str | None = None if dao.kind == "auto" else dao.kind
        self._clock: str | None = None
        self._counting: str | None = None
        self._votes_api: str | None = None
        self._late_quorum: bool | None = None
        """The OZ Governor's COUNTING_MODE() ("support=bravo&quorum=for,abstain"), when a sync read it."""

    # --- plumbing (the lazy `rpc` client, `prepare` and `close` come from LazyRpcClient) ----------

    def verify_chain_id(self, chain_id: int) -> None:
        if chain_id != int(self.network.chain_id):
            raise ActionRefused(
                f"the node at {self.rpc_url} is on chain id {chain_id}, but {self.network.key} is chain id "
                f"{self.network.chain_id}; refusing to use it",
                hint="check the network's rpc URL ('polis networks show') or pass --rpc")

    def check_chain(self) -> None:
        self.verify_chain_id(quantity(self.rpc.call("eth_chainId"), "chain id", limit=2**256))

    def parse_delegatee(self, text: str) -> str:
        """An EIP-55 address (checksum enforced on mixed case), "self"/"me", or an ENS name."""
        from wallet.addresses import parse_evm_address

        t = text.strip()
        if looks_like_name(t):  # an ENS name: resolved (and shown with its address) when planned
            return t
        return t.lower() if t.lower() in ("self", "me") else parse_evm_address(t, "address")

    @property
    def token_denom(self) -> Denom:
        from wallet.units import Denom

        return Denom(self.dao.token_symbol, "base", self.dao.token_decimals)

    # --- pipelined sends: one nonce sequence per account and network, shared by its DAOs ----------
    def nonce_lane(self, address: str) -> str | None:
        return f"evm:{self.network.key}:{address.lower()}"

    def account_nonce(self, address: str, *, pending: bool = False) -> int | None:
        return quantity(self.rpc.call("eth_getTransactionCount", address, "pending" if pending else "latest"), "nonce")

    def send_raw(self, raw_hex: str) -> str:
        return str(self.rpc.call("eth_sendRawTransaction", "0x" + raw_hex.removeprefix("0x")) or "")

    def send_again(self, raw_hex: str) -> str:
        from wallet.adapters.evm import resend

        return resend.send_again(self, raw_hex)

    def look_up(self, plan: Plan, tx_hash: str, journaled: dict[str, Any], *, timeout: float) -> ActionResult:
        """By receipt; one the node does not know is sent again as its journaled bytes (evm/resend.py)."""
        from wallet.adapters.evm import resend

        return resend.look_up(self, plan, tx_hash, journaled, timeout=timeout)

    def receipts(self, tx_hashes: list[str]) -> list[dict[str, Any] | None]:
        got = self.rpc.batch([("eth_getTransactionReceipt", [h]) for h in tx_hashes])
        return [r if isinstance(r, dict) else None for r in got]

    def _call(self, sig: str, *words: str, to: str | None = None, block: str | int = "latest") -> bytes:
        return self.rpc.eth_call(to or self.dao.governor, codec.call_data(sig, *words), block)

    def kind(self) -> str:
        """"oz", "bravo", "alpha" or "nouns": configured, learnt by an earlier sync, or detected by evidence
        (wallet/adapters/evm/kinds.py); an unknown contract is refused naming what was probed."""
        if self._kind is None:
            from wallet.adapters.evm import kinds

            found = kinds.detect(self.rpc, self.dao.governor, self.network.key)
            self._kind, self._counting = found.kind, found.counting_mode
            if found.kind == "oz":
                self._late_quorum = found.late_quorum
            if self._clock is None and found.kind == "oz":
                self._clock = found.clock_mode
        return self._kind

    @property
    def facts(self) -> KindFacts:
        """What this DAO's Governor kind can do (choices, reasons, `proposals()` layout)."""
        return FACTS[self.kind()]

    @property
    def compound(self) -> bool:
        """GovernorBravo or GovernorAlpha: sequential ids, `proposals(id)` tallies, `quorumVotes()`."""
        return self.kind() in COMPOUND_KINDS

    def counting_mode(self) -> str:
        """The OZ Governor's COUNTING_MODE() (GovernorBravo's rules for Compound kinds)."""
        if self._counting is None:
            self._counting = "support=bravo&quorum=bravo"
            if self.kind() == "oz":
                try:
                    self._counting = codec.decode_string_result(self._call("COUNTING_MODE()"))
                except (RpcError, codec.DecodeError):
                    self._counting = "support=bravo&quorum=for,abstain"
        return self._counting

    def late_quorum(self) -> bool:
        """GovernorPreventLateQuorum: deadlines move, so every refresh re-reads proposalDeadline()."""
        if self._late_quorum is None:
            from wallet.adapters.evm import kinds

            self._late_quorum = self.kind() == "oz" and kinds.has_late_quorum(self.rpc, self.dao.governor)
        return self._late_quorum

    def bravo_compatible(self) -> bool:
        """OpenZeppelin 4's GovernorCompatibilityBravo (COUNTING_MODE `quorum=bravo`): it counts votes in the
        Bravo-shaped `proposals(id)` (for, against, abstain at words 5-7) and has no `proposalVotes`."""
        return self.kind() == "oz" and "quorum=bravo" in self.counting_mode()

    def overridable(self) -> bool:
        """GovernorCountingOverridable: a delegator may override its delegate's vote (OverrideVoteCast), which
        reduces the delegate's counted weight (VoteReduced); every vote is then archived as a part."""
        return self.kind() == "oz" and is_overridable(self.counting_mode())

    @classmethod
    def parts_are_split_votes(cls, source: Mapping[str, Any] | None = None) -> bool:
        """Not on a GovernorCountingOverridable: its parts are whole votes, overrides and reductions."""
        return not is_overridable(str(((source or {}).get("extra") or {}).get("counting_mode") or ""))

    def fractional(self) -> bool:
        """GovernorCountingFractional: split votes (support 255 with params), several per voter."""
        return self.kind() == "oz" and "fractional" in self.counting_mode()

    def votes_api(self) -> str:
        """Which voting-power interface the token answers: "erc20votes" or "comp" (getCurrentVotes/getPriorVotes)."""
        if self._votes_api is None:
            from wallet.adapters.evm import kinds

            self._votes_api = kinds.read_token(self.rpc, self.dao.token).votes_api
        return self._votes_api

    def clock_mode(self) -> str:
        if self._clock is None:
            self._clock = "blocknumber"
            if self.kind() == "oz":
                try:
                    mode = codec.decode_string_result(self._call("CLOCK_MODE()"))
                    if "mode=timestamp" in mode:
                        self._clock = "timestamp"
                except (RpcError, codec.DecodeError):
                    pass
        return self._clock

    def fact_calls(self) -> list[tuple[str, list[Any]]]:
        """The read-only calls that teach this adapter what it does not know yet (kind, counting mode,
        clock, late quorum, token interface), to ride in a batch the caller sends anyway; none when all is
        known. `learn` takes their answers: one round trip instead of one per fact."""
        if self.dao is None or None not in (self._kind, self._counting, self._clock, self._late_quorum,
                                            self._votes_api):
            return []
        from wallet.adapters.evm import kinds

        return kinds.detect_calls(self.dao.governor) + kinds.token_calls(self.dao.token)

    def learn(self, answers: list[Any]) -> None:
        """Take the answers to `fact_calls()` (only the facts still unknown are set)."""
        if not answers:
            return
        from wallet.adapters.evm import kinds

        det, tok = answers[:kinds.DETECT_CALLS], answers[kinds.DETECT_CALLS:]
        if self._kind is None:
            found = kinds.detect_from(det, self.dao.governor, self.network.key)
            self._kind, self._counting = found.kind, found.counting_mode
        oz = self._kind == "oz"
        if self._counting is None:
            self._counting = (kinds.answers_string(det[0]) or "support=bravo&quorum=for,abstain") if oz \
                else "support=bravo&quorum=bravo"
        if self._clock is None:
            self._clock = "timestamp" if oz and "mode=timestamp" in (kinds.answers_string(det[1]) or "") \
                else "blocknumber"
        if self._late_quorum is None:
            self._late_quorum = oz and kinds.answers_word(det[5])
        if self._votes_api is None:
            self._votes_api = kinds.token_from(tok).votes_api

    def restore(self, source_row: dict[str, Any]) -> None:
        """Reuse what an earlier sync learnt (kind, clock) so a no-op sync is one round trip."""
        extra = source_row.get("extra") or {}
        if self._kind is None and source_row.get("kind") in KIND_NAMES:
            self._kind = source_row["kind"]
        if self._late_quorum is None and isinstance(extra.get("late_quorum"), bool) \
                and extra.get("governor") == self.dao.governor:
            self._late_quorum = extra["late_quorum"]
        if self._votes_api is None and extra.get("votes_api") in ("erc20votes", "comp") \
                and extra.get("token") == self.dao.token:
            self._votes_api = extra["votes_api"]
        if self._clock is None and extra.get("clock") in ("blocknumber", "timestamp") \
                and extra.get("governor") == self.dao.governor:
            self._clock = extra["clock"]
        if self._counting is None and isinstance(extra.get("counting_mode"), str):
            self._counting = extra["counting_mode"]

    def source_extra(self) -> dict[str, Any]:
        return {"name": self.dao.name or self.dao.id, "symbol": self.dao.token_symbol,
                "decimals": self.dao.token_decimals, "governor": self.dao.governor, "token": self.dao.token,
                "clock": self.clock_mode(), "explorer": self.network.explorer,
                "counting_mode": self.counting_mode(), "votes_api": self.votes_api(),
                "late_quorum": self.late_quorum()}

    @classmethod
    def quorum_choices(cls, proposal: Mapping[str, Any], source: Mapping[str, Any] | None = None
                       ) -> frozenset[str] | None:
        """GovernorBravo: FOR only (`forVotes >= quorumVotes`). OpenZeppelin: the `quorum=` part of the
        Governor's COUNTING_MODE() (GovernorCountingSimple: for,abstain)."""
        src = source or {}
        if src.get("kind") in COMPOUND_KINDS:
            return frozenset({"for"})
        mode = str((src.get("extra") or {}).get("counting_mode") or "support=bravo&quorum=for,abstain")
        for part in mode.split("&"):
            key, _, value = part.partition("=")
            if key.strip() == "quorum":
                counted = {v.strip().lower() for v in value.split(",") if v.strip()}
                return frozenset({"for"}) if counted == {"bravo"} else frozenset(counted)  # quorum=bravo: FOR only
        return frozenset({"for", "abstain"})

    # --- sync ------------------------------------------------------------------------------------
    def sync(self, archive: Archive, progress: Progress | None = None) -> SyncReport:
        return sync_dao(self, archive, progress)

    # --- reads -----------------------------------------------------------------------------------
    def state(self, pid: str) -> int:
        return codec.decode_words(self._call("state(uint256)", codec.enc_uint(int(pid))), 1)[0]

    def snapshot(self, pid: str) -> int:
        """The timepoint the proposal's votes are weighed at."""
        if self.compound:
            return self.snapshot_from(self._call("proposals(uint256)", codec.enc_uint(int(pid))))
        return codec.decode_words(self._call("proposalSnapshot(uint256)", codec.enc_uint(int(pid))), 1)[0]

    def snapshot_from(self, proposal: bytes) -> int:
        """A Compound-kind proposal's snapshot, from its `proposals(id)` answer: Bravo and Alpha weigh votes at
        startBlock. Nouns, as its castVote does: V3 and later at startBlock for the proposals from
        `voteSnapshotBlockSwitchProposalId()` on, at creationBlock before them (as V2 does for all), and V1 at
        startBlock − votingDelay() (asked of the governor)."""
        facts = self.facts
        words = codec.decode_words(proposal, facts.proposal_words)
        if self.kind() != "nouns":
            return words[facts.start_word]
        try:
            switch = codec.decode_words(self._call("voteSnapshotBlockSwitchProposalId()"), 1)[0]
        except (RpcError, codec.DecodeError):  # before V3
            switch = 0
        if switch and words[0] >= switch:
            return words[facts.start_word]
        if len(proposal) >= 32 * (NOUNS_CREATION_WORD + 1):
            created = codec.decode_words(proposal, NOUNS_CREATION_WORD + 1)[NOUNS_CREATION_WORD]
            if created:
                return created
        delay = codec.decode_words(self._call("votingDelay()"), 1)[0]
        return max(0, words[facts.start_word] - delay)

    def voting_power(self, address: str, proposal_id: str) -> int:
        snap = self.snapshot(proposal_id)
        return self.power_at(address, snap)

    def power_call(self, address: str, timepoint: int) -> tuple[str, list[Any]]:
        """The eth_call reading `address`'s power at `timepoint` in the governor's clock: the OZ governor's
        getVotes, else the token's getPastVotes (ERC20Votes) or getPriorVotes (Comp)."""
        a, t = codec.enc_address(address), codec.enc_uint(timepoint)
        if not self.compound:
            to, data = self.dao.governor, codec.call_data("getVotes(address,uint256)", a, t)
        elif self.votes_api() == "comp":
            to, data = self.dao.token, codec.call_data("getPriorVotes(address,uint256)", a, t)
        else:
            to, data = self.dao.token, codec.call_data("getPastVotes(address,uint256)", a, t)
        return ("eth_call", [{"to": to, "data": data}, "latest"])

    def power_at(self, address: str, timepoint: int) -> int:
        return codec.answer_word(self.rpc.batch([self.power_call(address, timepoint)])[0])

    def receipt(self, address: str, proposal_id: str) -> tuple[bool, int | None]:
        """(has voted, support if known)."""
        pidw, a = codec.enc_uint(int(proposal_id)), codec.enc_address(address)
        if self.compound:  # Bravo's uint8 support and Alpha's bool read the same: 0 against, 1 for (2 abstain)
            voted, support, _votes = codec.decode_words(self._call("getReceipt(uint256,address)", pidw, a), 3)
            return bool(voted), support if voted else None
        return bool(codec.decode_words(self._call("hasVoted(uint256,address)", pidw, a), 1)[0]), None

    def has_voted(self, address: str, proposal_id: str) -> bool:
        return self.receipt(address, proposal_id)[0]

    def delegations(self, address: str) -> dict[str, object]:
        a = codec.enc_address(address)
        res = self.rpc.batch([
            ("eth_call", [{"to": self.dao.token, "data": codec.call_data("delegates(address)", a)}, "latest"]),
            ("eth_call", [{"to": self.dao.token, "data": codec.call_data("balanceOf(address)", a)}, "latest"]),
            ("eth_call", [{"to": self.dao.token, "data": codec.call_data(
                "getCurrentVotes(address)" if self.votes_api() == "comp" else "getVotes(address)", a)}, "latest"]),
        ])
        delegate = codec.address_from_word(codec.hexbytes(res[0])[-32:]) if not isinstance(res[0], Exception) else None
        return {"delegate": delegate, "balance": codec.answer_word(res[1]),
                "votes": codec.answer_word(res[2]) if not isinstance(res[2], Exception) else None}

    def balances(self, address: str) -> dict[str, int]:
        from wallet.adapters.evm.client import quantity

        wei = quantity(self.rpc.call("eth_getBalance", address, "latest"), "balance", limit=2**256)
        bal = codec.decode_words(self._call("balanceOf(address)", codec.enc_address(address), to=self.dao.token), 1)[0]
        return {self.network.denom.symbol: wei, self.dao.token_symbol: bal}

    # --- writes ----------------------------------------------------------------------------------
    @staticmethod
    def _fee_calls(frm: str, to: str, data: str) -> list[tuple[str, list[Any]]]:
        return [("eth_estimateGas", [{"from": frm, "to": to, "data": data}]),
                ("eth_getBlockByNumber", ["latest", False]),
                ("eth_maxPriorityFeePerGas", []), ("eth_getBalance", [frm, "latest"])]

    def _fees(self, frm: str, to: str, data: str,
              res: list[Any] | None = None) -> tuple[dict[str, Any], list[PlanCheck], FeeQuote]:
        """Simulate and price a transaction; `res` are the answers to `_fee_calls` when already fetched.
        The figures pass the fee cap (wallet/fees.py) or FeeRefused stops the plan."""
        from wallet.adapters.evm import gas as gasmod
        from wallet.models import PlanCheck  # pydantic: only when acting

        if res is None:
            res = self.rpc.batch(self._fee_calls(frm, to, data))
        if isinstance(res[0], RpcError):
            raise ActionRefused(f"the node's simulation of this transaction reverts: {_revert_reason(res[0])}")
        simulated, gas = gasmod.gas_of(res[0])
        base, prio, max_fee, block_gas = gasmod.prices(res[1], res[2])
        quote = gasmod.quote(self.network, gas=gas, simulated=simulated, max_fee_per_gas=max_fee, base_fee=base,
                             block_gas_limit=block_gas)
        cap_check = self.fee_check(quote)
        tx = {"to": to, "data": data, "value": 0, "gas": gas, "maxFeePerGas": max_fee,
              "maxPriorityFeePerGas": prio, "chainId": int(self.network.chain_id), "type": 2}
        balance = int(res[3], 16) if isinstance(res[3], str) else 0
        need = gas * max_fee
        denom = self.network.denom.denom()
        from wallet.units import format_amount

        if balance < need:
            raise ActionRefused(f"{frm} has {format_amount(balance, denom)}, but the fee may need up to "
                                f"{format_amount(need, denom)}")
        checks = [PlanCheck(name="simulation", ok=True, detail=f"eth_estimateGas: {simulated:,} gas"),
                  PlanCheck(name="fee balance", ok=True,
                            detail=f"balance {format_amount(balance, denom, max_decimals=6)}"),
                  cap_check]
        return tx, checks, quote

    def plan_vote(self, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
                  weights: dict[str, str] | None = None) -> Plan:
        """Per Governor kind (wallet/adapters/evm/vote_plan.py): Alpha's bool vote, Bravo/OZ support with a
        reason, a fractional Governor's split (`weights`) or what is left of a voter's weight."""
        from wallet.adapters.evm.vote_plan import plan_vote

        return plan_vote(self, account, proposal_id, choice, reason=reason, weights=weights)

    def plan_delegate(self, account: AccountMeta, delegatee: str) -> Plan:
        from wallet.addresses import parse_evm_address
        from wallet.models import Plan, PlanCheck  # pydantic: only when acting
        from wallet.units import Denom, format_amount

        address = account.addresses.get("evm")
        if not address:
            raise BadInput(f"account {account.name!r} has no EVM address")
        ens_name = ""
        if delegatee.strip().lower() in ("self", "me"):
            to = address
        elif looks_like_name(delegatee):  # resolved by the node now, shown with its address in the plan
            from wallet.adapters.evm.ens import forward, normalize

            ens_name = normalize(delegatee)
            to = forward(self.rpc_url, self.network.ens_registry, ens_name, network=self.network.key)
        else:
            to = parse_evm_address(delegatee, "delegatee")
        self.check_chain()
        info = self.delegations(address)
        token = Denom(self.dao.token_symbol, "base", self.dao.token_decimals)
        if info["delegate"] and str(info["delegate"]).lower() == to.lower():
            raise AlreadyDone(f"{account.name} already delegates its {self.dao.token_symbol} votes to {to}; "
                              "nothing sent")
        balance = int(info["balance"] or 0)  # type: ignore[call-overload]
        checks = [PlanCheck(name="chain id", ok=True, detail=str(self.network.chain_id)),
                  PlanCheck(name="token balance", ok=True, detail=format_amount(balance, token)
                            + ("" if balance else " (delegating 0 gives the delegate no power yet)"))]
        data = codec.call_data("delegate(address)", codec.enc_address(to))
        tx, fee_checks, quote = self._fees(address, self.dao.token, data)
        who = "itself" if to.lower() == address.lower() else to
        if ens_name:
            who = f"{ens_name} ({to})"
        summary = [f"Delegate the {self.dao.token_symbol} voting power of {account.name} ({address}) to {who}",
                   *([f"{ens_name} resolves to {to} (ENS, asked of the node just now)"] if ens_name else []),
                   f"currently delegated to {info['delegate'] or 'nobody'}",
                   f"amount: all {format_amount(balance, token)} (ERC20Votes delegates the whole balance)",
                   f"calls delegate({to}) on token {self.dao.token} (chain {self.network.chain_id})"]
        return Plan(kind="delegate", network=self.network.key, source=self.source, account=account.name,
                    address=address, summary=summary, checks=checks + fee_checks,
                    fee_estimate=tx["gas"] * (tx["maxFeePerGas"] // 2 + tx["maxPriorityFeePerGas"] // 2),
                    fee_symbol=self.network.denom.symbol, fee_decimals=self.network.denom.decimals,
                    payload={"tx": tx, "delegatee": to, "fee_quote": quote.as_dict()}, target=to)

    def submit(self, plan: Plan, signer: Signer) -> str:
        if signer.address.lower() != plan.address.lower():
            raise ActionRefused("the unlocked key does not match the planned sender")
        self.check_chain()
        tx = dict(plan.payload["tx"])
        tx["nonce"] = quantity(self.rpc.call("eth_getTransactionCount", plan.address, "pending"), "nonce")
        raw = signer.sign_transaction(tx)
        from Crypto.Hash import keccak

        tx_hash = "0x" + keccak.new(digest_bits=256, data=raw).hexdigest()
        self.signed(tx_hash, {"nonce": tx["nonce"], "raw": raw.hex()})  # journaled before the bytes leave
        try:
            return str(self.rpc.call("eth_sendRawTransaction", "0x" + raw.hex()))
        except RpcError as exc:
            # A retried send whose first attempt did reach the node: the same bytes are already known.
            if "already known" in str(exc).lower() or self.rpc.call("eth_getTransactionByHash", tx_hash):
                return tx_hash
            raise ActionFailed(f"the node rejected the transaction: {exc}") from None

    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult:
        from wallet.models import ActionResult  # pydantic: only when acting

        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            receipt = self.rpc.call("eth_getTransactionReceipt", tx_hash)
            if receipt:
                break
            if time.monotonic() > deadline:
                if self.rpc.call("eth_getTransactionByHash", tx_hash):  # in the mempool: it may still land
                    return ActionResult(plan=plan, ok=False, tx_hash=tx_hash, pending=True,
                                        error=f"not included after {int(timeout)} s; still pending in the node")
                return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                                    error="the node does not know the transaction (dropped)")
            budget.sleep(delay)  # within the command's time budget (wallet/budget.py)
            delay = min(delay * 2, 2.0)
        return self.result_from_receipt(plan, tx_hash, receipt)

    def result_from_receipt(self, plan: Plan, tx_hash: str, receipt: dict[str, Any]) -> ActionResult:
        """The outcome of an included transaction from its receipt (a batch fetches many at once)."""
        from wallet.models import ActionResult  # pydantic: only when acting

        ok = receipt.get("status") == "0x1"
        fee = (quantity(receipt.get("gasUsed", "0x0"), "gas used")
               * quantity(receipt.get("effectiveGasPrice", "0x0"), "gas price", limit=2**128))
        block = quantity(receipt.get("blockNumber"), "block number")
        return ActionResult(plan=plan, ok=ok, tx_hash=tx_hash, block=block,
                            fee_paid=fee, error=None if ok else "the transaction reverted",
                            detail={"logs": receipt.get("logs", [])})

    def record(self, archive: Archive, result: ActionResult) -> None:
        """Store the vote or delegation from the receipt's logs at once, and refresh the tally."""
        self.record_many(archive, [result])

    def record_many(self, archive: Archive, results: list[ActionResult]) -> None:
        """All receipts' logs in one write, then one refresh of every proposal they touched."""
        from wallet.adapters.evm.refresh import refresh_now
        from wallet.adapters.evm.sync import _apply_logs

        logs = [lg for r in results if r.ok for lg in r.detail.get("logs", [])]
        if not logs:
            return
        rep = SyncReport(source=self.source)
        touched: set[str] = set()
        with archive.conn:
            _apply_logs(self, archive, logs, rep, touched, set())
        if touched:
            from wallet.adapters.evm.client import quantity

            head = quantity(self.rpc.call("eth_blockNumber"), "block number")
            refresh_now(self, archive, touched, set(), head, rep)

