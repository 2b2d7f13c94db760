"""Cosmos SDK chains (Akash, Fetch.ai / ASI, any chain added by config): gov and staking.

Reads go through the LCD (REST) API with gov v1 and a per-chain fallback to v1beta1; writes are
SIGN_MODE_DIRECT transactions built with cosmpy's protobufs, gas from `simulate` × a factor, fee
from the network's gas price, broadcast SYNC and then polled by hash. The plan builders live in
`plans.py`, the message builders in `messages.py`, sync in `sync.py`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from wallet import budget
from wallet.adapters.base import Adapter, Progress, StakePosition, StakeTarget, SyncReport
from wallet.adapters.cosmos import plans
from wallet.adapters.cosmos.errors import TX_IN_MEMPOOL, WRONG_SEQUENCE, LcdError, explain, sdk_code_of
from wallet.adapters.cosmos.models import CHOICES, TxResponse, Validator, VoteRecord, parse_node
from wallet.errors import ActionFailed, ActionRefused, BadInput, PolisError
from wallet.models import ActionResult, Plan

if TYPE_CHECKING:
    from wallet.adapters.cosmos.client import Lcd
    from wallet.adapters.cosmos.settings import CosmosSettings
    from wallet.adapters.cosmos.vesting import AuthAccount
    from wallet.cache.db import Archive
    from wallet.keys.signer import CosmosSigning, Signer
    from wallet.keys.vault import AccountMeta
    from wallet.networks import DaoConfig, NetworkConfig
    from wallet.units import Denom


class CosmosAdapter(Adapter):
    NAME = "cosmos"
    KEY_SCHEME = "cosmos"
    VOTE_CHOICES: ClassVar[tuple[tuple[str, str], ...]] = CHOICES
    WEIGHTED_VOTES = True

    @classmethod
    def read_choice(cls, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                    weights: dict[str, str] | None = None) -> str:
        """yes / y → YES, no / n → NO, abstain → ABSTAIN, veto / no_with_veto → NO_WITH_VETO; a split
        reads as its options and shares ("WEIGHTED yes=0.6 abstain=0.4")."""
        from wallet.adapters.cosmos.messages import parse_option, parse_weights

        if weights:
            return "WEIGHTED " + " ".join(f"{o}={w.rstrip('0').rstrip('.')}" for o, w in parse_weights(weights))
        return parse_option(choice).upper()
    VOTE_REASON = True
    """Recorded as the vote's metadata on gov v1; refused on a v1beta1-only chain."""
    DELEGATION = False
    """Cosmos has no amount-less vote delegation: stake to a validator with `polis stake add`."""
    STAKING = True
    STAKE_IS_POWER = True
    MULTI_ACTION_TX = True
    HASH_BEFORE_SEND = True
    STAKE_ACTIONS: ClassVar[tuple[str, ...]] = ("stake", "unstake", "move", "claim")

    @classmethod
    def quorum_choices(cls, proposal: Mapping[str, Any], source: Mapping[str, Any] | None = None
                       ) -> frozenset[str] | None:
        """x/gov counts every option toward quorum: yes, no, abstain and no_with_veto."""
        return None

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        from wallet.adapters.cosmos.settings import settings_of

        super().__init__(network, dao, rpc_url=rpc_url, source=source)
        self.settings: CosmosSettings = settings_of(network.key, network.extra)
        self.prefix = self.settings.bech32_prefix
        self.valoper = self.settings.valoper
        self.denom: Denom = network.denom.denom()
        self._lcd: Lcd | None = None
        self._gov: str | None = None if self.settings.gov == "auto" else self.settings.gov
        self._validators: dict[str, Validator] | None = None
        self.poll_interval = 1.0
        """Seconds between polls of a broadcast tx (tests lower it)."""

    # --- plumbing --------------------------------------------------------------------------------
    @property
    def lcd(self) -> Lcd:
        if self._lcd is None:
            from wallet.adapters.cosmos.client import Lcd

            self._lcd = Lcd(self.rpc_url, timeout=self.settings.timeout, retries=self.settings.retries)
        return self._lcd

    def close(self) -> None:
        if self._lcd is not None:
            self._lcd.close()
            self._lcd = None

    def check_chain(self) -> None:
        doc = self.lcd.get("/cosmos/base/tendermint/v1beta1/node_info")
        network = str(((doc or {}).get("default_node_info") or {}).get("network", ""))
        if network != str(self.network.chain_id):
            raise ActionRefused(
                f"the node at {self.rpc_url} is on chain {network or '(unknown)'!r}, but {self.network.key} is "
                f"{self.network.chain_id!r}; refusing to use it",
                hint="check the network's rpc URL ('polis networks show') or pass --rpc")

    def gov_version(self) -> str:
        """"v1" or "v1beta1": the network's setting, or probed once (a v1beta1-only node answers
        the v1 routes with gRPC code 12 Unimplemented / HTTP 501)."""
        if self._gov is None:
            from wallet.adapters.cosmos.client import is_unimplemented

            try:
                self.lcd.get("/cosmos/gov/v1/params/tallying")
                self._gov = "v1"
            except LcdError as exc:
                if not is_unimplemented(exc):
                    raise
                self._gov = "v1beta1"
        return self._gov

    def source_extra(self, version: str, params: dict[str, str]) -> dict[str, Any]:
        return {"name": self.network.name or self.network.key, "symbol": self.denom.symbol,
                "decimals": self.denom.decimals, "denom": self.denom.base, "bech32_prefix": self.prefix,
                "gov": version, "params": params, "explorer": self.network.explorer}

    def address_of(self, account: AccountMeta) -> str:
        from wallet.keys.cosmos_keys import reprefix

        return reprefix(super().address_of(account), self.prefix)

    def parse_address(self, text: str, what: str = "address") -> str:
        from wallet.keys.cosmos_keys import parse_address

        return parse_address(text, self.prefix, what)

    def parse_target(self, text: str, what: str = "validator") -> str:
        return self.parse_valoper(text, what)

    def parse_valoper(self, text: str, what: str = "validator") -> str:
        from wallet.keys.cosmos_keys import parse_valoper

        return parse_valoper(text, self.valoper, what)

    # --- reads -----------------------------------------------------------------------------------
    def sync(self, archive: Archive, progress: Progress | None = None) -> SyncReport:
        from wallet.adapters.cosmos.sync import sync_chain

        return sync_chain(self, archive, progress)

    def proposal(self, proposal_id: str) -> dict[str, Any] | None:
        """The raw proposal JSON of the chain's gov version, or None when it does not exist."""
        try:
            int(proposal_id)
        except ValueError:
            raise BadInput(f"proposal id {proposal_id!r} is not a number") from None
        try:
            doc = self.lcd.get(f"/cosmos/gov/{self.gov_version()}/proposals/{int(proposal_id)}")
        except LcdError as exc:
            if exc.status in (400, 404):
                return None
            raise
        return doc.get("proposal") if isinstance(doc, dict) else None

    def vote_of(self, address: str, proposal_id: str) -> VoteRecord | None:
        try:
            doc = self.lcd.get(f"/cosmos/gov/{self.gov_version()}/proposals/{int(proposal_id)}/votes/{address}")
        except LcdError as exc:
            if exc.status in (400, 404):  # InvalidArgument "voter … not found for proposal …" / NotFound
                return None
            raise
        vote = doc.get("vote") if isinstance(doc, dict) else None
        return parse_node(VoteRecord, vote) if vote else None

    def has_voted(self, address: str, proposal_id: str) -> bool:
        return self.vote_of(address, proposal_id) is not None

    def voting_power(self, address: str, proposal_id: str) -> int:
        """Cosmos voting power is the account's bonded delegations, counted at tally time."""
        return sum(p.amount for p in self.delegations_of(address))

    def account_nonce(self, address: str, *, pending: bool = False) -> int | None:
        """The account's sequence (the next transaction's), or None for an account the chain has not seen."""
        acc = self.account(address)
        return int(acc.sequence) if acc is not None and acc.sequence is not None else None

    def address_forms(self, address: str) -> list[str]:
        from wallet.keys.cosmos_keys import reprefix

        try:
            return list(dict.fromkeys([address, reprefix(address, self.prefix)]))
        except (ValueError, PolisError):
            return [address]

    def account(self, address: str) -> AuthAccount | None:
        from wallet.adapters.cosmos.vesting import decode_account

        try:
            doc = self.lcd.get(f"/cosmos/auth/v1beta1/accounts/{address}")
        except LcdError as exc:
            if exc.status in (400, 404):
                return None
            raise
        return decode_account(doc.get("account") or {}, self.denom.base)

    def balances(self, address: str) -> dict[str, int]:
        doc = self.lcd.get(f"/cosmos/bank/v1beta1/balances/{address}")
        out: dict[str, int] = {self.denom.symbol: 0}
        for c in doc.get("balances") or []:
            key = self.denom.symbol if c.get("denom") == self.denom.base else str(c.get("denom"))
            out[key] = out.get(key, 0) + int(c.get("amount") or 0)
        return out

    def validators(self, refresh: bool = False) -> dict[str, Validator]:
        if self._validators is None or refresh:
            vals: dict[str, Validator] = {}
            for page in self.lcd.pages("/cosmos/staking/v1beta1/validators", "validators",
                                       limit=self.settings.page_limit):
                for raw in page:
                    v = parse_node(Validator, raw)
                    vals[v.operator_address] = v
            self._validators = vals
        return self._validators

    def validator(self, valoper: str) -> Validator | None:
        try:
            doc = self.lcd.get(f"/cosmos/staking/v1beta1/validators/{valoper}")
        except LcdError as exc:
            if exc.status in (400, 404):
                return None
            raise
        return parse_node(Validator, doc["validator"]) if doc.get("validator") else None

    def stake_targets(self) -> list[StakeTarget]:
        return [StakeTarget(id=v.operator_address, name=v.description.moniker, status=v.short_status,
                            commission=v.commission.commission_rates.rate, power=int(v.tokens or 0),
                            extra={"jailed": v.jailed, "bond_status": v.status, "website": v.description.website,
                                   "max_commission": v.commission.commission_rates.max_rate})
                for v in self.validators().values()]

    def _position(self, address: str, target: str, amount: int, **kw: Any) -> StakePosition:
        v = (self._validators or {}).get(target)
        return StakePosition(source=self.source, address=address, target=target,
                             target_name=v.description.moniker if v else "", amount=amount,
                             symbol=self.denom.symbol, decimals=self.denom.decimals, **kw)

    def delegations_of(self, address: str) -> list[StakePosition]:
        from wallet.adapters.cosmos.models import DelegationResponse

        out = []
        for page in self.lcd.pages(f"/cosmos/staking/v1beta1/delegations/{address}", "delegation_responses",
                                   limit=self.settings.page_limit):
            for raw in page:
                d = parse_node(DelegationResponse, raw)
                out.append(self._position(address, d.delegation.validator_address, d.balance.value(),
                                          extra={"shares": d.delegation.shares}))
        return out

    def rewards_of(self, address: str) -> dict[str, int]:
        from wallet.adapters.cosmos.models import Rewards, amount_of

        doc = parse_node(Rewards, self.lcd.get(f"/cosmos/distribution/v1beta1/delegators/{address}/rewards"))
        return {r.validator_address: amount_of(r.reward, self.denom.base) for r in doc.rewards}

    def stakes(self, address: str) -> list[StakePosition]:
        from wallet.adapters.cosmos.models import RedelegationResponse, Unbonding, ts

        self.validators()
        rewards = self.rewards_of(address)
        out = self.delegations_of(address)
        for p in out:
            p.rewards = rewards.get(p.target, 0)
        grouped: dict[tuple[str, str, int | None], StakePosition] = {}
        base = f"/cosmos/staking/v1beta1/delegators/{address}"
        for page in self.lcd.pages(f"{base}/unbonding_delegations", "unbonding_responses",
                                   limit=self.settings.page_limit):
            for raw in page:
                u = parse_node(Unbonding, raw)
                for e in u.entries:
                    key = (u.validator_address, "unbonding", ts(e.completion_time))
                    if key in grouped:
                        grouped[key].amount += int(e.balance)
                    else:
                        grouped[key] = self._position(address, u.validator_address, int(e.balance), kind="unbonding",
                                                      completes_at=key[2])
        for page in self.lcd.pages(f"{base}/redelegations", "redelegation_responses", limit=self.settings.page_limit):
            for raw in page:
                r = parse_node(RedelegationResponse, raw)
                for e in r.entries:
                    when = ts(e.redelegation_entry.completion_time)
                    key = (r.redelegation.validator_dst_address, "redelegating", when)
                    if key in grouped:
                        grouped[key].amount += int(e.balance)
                    else:
                        grouped[key] = self._position(address, key[0], int(e.balance), kind="redelegating",
                                                      completes_at=when,
                                                      extra={"from": r.redelegation.validator_src_address})
        return out + list(grouped.values())

    # --- plans (wallet/adapters/cosmos/plans.py) ------------------------------------------------
    def plan_vote(self, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
                  weights: dict[str, str] | None = None) -> Plan:
        return plans.plan_vote(self, account, proposal_id, choice, reason=reason, weights=weights)

    def plan_stake(self, account: AccountMeta, target: str, amount: int, *, subtarget: str | None = None,
                   options: dict[str, str] | None = None) -> Plan:
        return plans.plan_stake(self, account, target, amount, subtarget=subtarget, options=options)

    def plan_unstake(self, account: AccountMeta, target: str, amount: int | None, *, subtarget: str | None = None,
                     options: dict[str, str] | None = None) -> Plan:
        return plans.plan_unstake(self, account, target, amount, subtarget=subtarget, options=options)

    def plan_move(self, account: AccountMeta, source_target: str, dest_target: str, amount: int | None, *,
                  source_sub: str | None = None, dest_sub: str | None = None,
                  options: dict[str, str] | None = None) -> Plan:
        return plans.plan_move(self, account, source_target, dest_target, amount, source_sub=source_sub,
                               dest_sub=dest_sub, options=options)

    def plan_claim(self, account: AccountMeta, target: str | None = None, *,
                   options: dict[str, str] | None = None) -> Plan:
        return plans.plan_claim(self, account, target, options=options)

    def combine(self, plans_: list[Plan]) -> Plan:
        """One transaction (one fee, one signature) for several plans of the same account."""
        return plans.combine(self, plans_)

    # --- submit / await / record ----------------------------------------------------------------
    def _sign(self, plan: Plan, signer: CosmosSigning, acc: AuthAccount) -> bytes:
        from wallet.adapters.cosmos import messages as m

        p = plan.payload
        body = m.body_bytes(p["msgs"], p.get("memo", ""))
        auth = m.auth_info_bytes(signer.public_key, acc.sequence, int(p["gas"]), int(p["fee"]), self.denom.base)
        return signer.sign_transaction({"body_bytes": body, "auth_info_bytes": auth,
                                        "chain_id": str(self.network.chain_id), "account_number": acc.account_number})

    def submit(self, plan: Plan, signer: Signer) -> str:
        from wallet.keys.cosmos_keys import reprefix
        from wallet.keys.signer import CosmosSigning, wrong_scheme

        if not isinstance(signer, CosmosSigning):
            raise wrong_scheme(signer, "Cosmos")
        if reprefix(signer.address, self.prefix) != plan.address:
            raise ActionRefused("the unlocked key does not match the planned sender")
        self.check_chain()
        for attempt in (1, 2):
            acc = self.account(plan.address)
            if acc is None:
                raise ActionRefused(f"{plan.address} does not exist on {self.network.key} (no funds ever received)")
            raw = self._sign(plan, signer, acc)
            mine = hashlib.sha256(raw).hexdigest().upper()
            # journaled before the broadcast with the signed bytes, so settling can send them again (resend.py)
            self.signed(mine, {"sequence": acc.sequence, "raw": raw.hex()})
            doc = self.lcd.post("/cosmos/tx/v1beta1/txs",
                                {"tx_bytes": base64.b64encode(raw).decode(), "mode": "BROADCAST_MODE_SYNC"})
            resp = parse_node(TxResponse, doc.get("tx_response") or {})
            if resp.code == 0:
                return resp.txhash
            code = sdk_code_of(resp.codespace, resp.code, resp.raw_log)
            if code == TX_IN_MEMPOOL or (code == WRONG_SEQUENCE and self._known_tx(mine)):
                # A retried broadcast whose first attempt reached the node: these bytes are ours.
                return mine
            if code == WRONG_SEQUENCE and attempt == 1:
                continue  # another tx moved the sequence between plan and send: re-read it, re-sign once
            raise ActionFailed(explain(resp.codespace, resp.code, resp.raw_log))
        raise ActionFailed("unreachable")  # pragma: no cover

    def _known_tx(self, tx_hash: str) -> bool:
        """Whether the chain includes this tx, waiting up to two blocks for a pending one to land, so a
        lost broadcast reply is never answered with a second, re-signed transaction."""
        deadline = time.monotonic() + min(2 * self.network.block_time, 15)
        while True:
            try:
                self.lcd.get(f"/cosmos/tx/v1beta1/txs/{tx_hash}")
                return True
            except LcdError as exc:
                if exc.status not in (400, 404):
                    raise
            if time.monotonic() > deadline:
                return False
            time.sleep(min(self.poll_interval, 0.5))

    def look_up(self, plan: Plan, tx_hash: str, journaled: dict[str, Any], *, timeout: float) -> ActionResult:
        """By hash; a tx not found is broadcast again as its journaled signed bytes (same sequence: it can
        land once), which tells "never sent" from "in a mempool" (wallet/adapters/cosmos/resend.py)."""
        from wallet.adapters.cosmos import resend

        return resend.look_up(self, plan, tx_hash, journaled, timeout=timeout)

    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult:
        deadline = time.monotonic() + timeout
        delay = min(self.poll_interval, 0.25)
        while True:
            try:
                doc = self.lcd.get(f"/cosmos/tx/v1beta1/txs/{tx_hash}")
                break
            except LcdError as exc:
                if exc.status not in (400, 404):  # "tx not found" until a block includes it
                    raise
            if time.monotonic() > deadline:  # accepted by the node's mempool, not in a block yet: it may land
                return ActionResult(plan=plan, ok=False, tx_hash=tx_hash, pending=True,
                                    error=f"not included after {int(timeout)} s; still pending")
            budget.sleep(delay)  # within the command's time budget (wallet/budget.py)
            delay = min(delay * 2, self.poll_interval * 4)
        resp = parse_node(TxResponse, doc.get("tx_response") or {})
        ok = resp.code == 0
        return ActionResult(plan=plan, ok=ok, tx_hash=tx_hash, block=int(resp.height or 0),
                            fee_paid=int(plan.payload.get("fee", 0)),
                            error=None if ok else explain(resp.codespace, resp.code, resp.raw_log),
                            detail={"gas_used": resp.gas_used, "timestamp": resp.timestamp})

    def record(self, archive: Archive, result: ActionResult) -> None:
        """The user's own votes at once (with tx, height and power), fresh tallies and stakes."""
        from wallet.adapters.cosmos.models import ts
        from wallet.adapters.cosmos.sync import fetch_tally
        from wallet.cache import store

        if not result.ok:
            return
        plan = result.plan
        version = plan.payload.get("gov") or self.gov_version()
        when = ts(str(result.detail.get("timestamp") or "")) or int(time.time())
        votes, tallies, staking = [], {}, False
        power = None
        for msg in plan.payload["msgs"]:
            if "gov" in msg["@type"]:
                pid = str(msg["proposal_id"])
                if power is None:
                    power = self.voting_power(plan.address, pid)
                rec = parse_node(VoteRecord, {"voter": msg["voter"], "options": msg.get("options") or
                                                 [{"option": msg["option"], "weight": "1"}],
                                                 "metadata": msg.get("metadata", "")})
                votes.append((self.source, pid, msg["voter"], rec.choice(), str(power), rec.metadata,
                              result.block, result.tx_hash, None, when))
                try:
                    tallies[pid] = fetch_tally(self, version, pid)
                except PolisError:
                    pass
            else:
                staking = True
        positions = self.stakes(plan.address) if staking else None
        events = [(self.source, plan.address, plan.kind if len(plan.payload["msgs"]) == 1 else "multi",
                   m.get("validator_address") or m.get("validator_dst_address") or "", "",
                   str((m.get("amount") or {}).get("amount", "0")), result.block, result.tx_hash, when,
                   json.dumps({"type": m["@type"]})) for m in plan.payload["msgs"] if "gov" not in m["@type"]]
        with archive.conn:
            if votes:
                store.insert_votes(archive, votes)
                for pid, tally in tallies.items():
                    if archive.conn.execute("SELECT 1 FROM proposals WHERE source=? AND id=?",
                                            (self.source, pid)).fetchone():
                        store.upsert_proposal(archive, self.source, pid, {"tally": tally})
                store.refresh_vote_counts(archive, self.source, list(tallies) or [v[1] for v in votes])
            if positions is not None:
                store.replace_stakes(archive, self.source, plan.address, positions)
                store.insert_stake_events(archive, events)
