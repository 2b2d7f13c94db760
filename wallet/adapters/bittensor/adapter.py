"""Bittensor (subtensor): TAO balances, dynamic-TAO stake on hotkeys and subnets, delegates, and
governance as far as the runtime has any.

Split by concern: `client` (connection, genesis pin), `reads` (storage reads),
`messages` (calls, signing), `governance` (detection from metadata), `plans`
(pre-signing checks and summaries).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wallet.adapters.base import Adapter, Progress, StakePosition, StakeTarget, SyncReport
from wallet.adapters.bittensor import plans
from wallet.errors import ActionFailed, BadInput, RpcError

if TYPE_CHECKING:
    from wallet.adapters.bittensor.client import Client
    from wallet.adapters.bittensor.inclusion import Sent
    from wallet.cache.db import Archive
    from wallet.keys.signer import Signer
    from wallet.keys.vault import AccountMeta
    from wallet.models import ActionResult, Plan
    from wallet.networks import DaoConfig, NetworkConfig

log = logging.getLogger("polis.bittensor")


class BittensorAdapter(Adapter):
    NAME = "bittensor"
    KEY_SCHEME = "substrate"
    STAKE_IS_POWER = True
    VOTE_CHOICES = (("aye", "Aye"), ("nay", "Nay"))

    @classmethod
    def read_choice(cls, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                    weights: dict[str, str] | None = None) -> str:
        """aye / yes / for → AYE, nay / no / against → NAY (the Triumvirate's two answers)."""
        c = str(choice).strip().lower()
        if c not in ("aye", "nay", "yes", "no", "for", "against"):
            raise BadInput(f"unknown choice {choice!r}: use aye or nay")
        return "AYE" if c in ("aye", "yes", "for") else "NAY"
    STAKING = True
    MULTI_ACTION_TX = True
    HASH_BEFORE_SEND = True
    STAKE_ACTIONS = ("stake", "unstake", "move")

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        from wallet.adapters.bittensor.client import extra_of

        super().__init__(network, dao, rpc_url=rpc_url, source=source)
        self.extra = extra_of(network)
        self._client: Client | None = None
        self._sent: dict[str, Sent] = {}  # extrinsic hash → what was journaled with it

    @property
    def client(self) -> Client:
        if self._client is None:
            from wallet.adapters.bittensor.client import Client

            self._client = Client(self.rpc_url, self.network.key, self.extra)
            # Every use starts by checking the genesis hash (and pins it on a first connection):
            # reads from the wrong chain would mislead as surely as a signature would cost.
            self._client.check_chain()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- identity and amounts ------------------------------------------------------------------
    def check_chain(self) -> None:
        self.client.check_chain()

    def address_of(self, account: AccountMeta) -> str:
        from wallet.keys.substrate_keys import normalise_address

        return normalise_address(super().address_of(account), self.extra.ss58_format)

    def _ss58(self, text: str, what: str = "hotkey") -> str:
        from wallet.keys.substrate_keys import normalise_address

        try:
            return normalise_address(text, self.extra.ss58_format)
        except BadInput as exc:
            raise BadInput(f"bad {what}: {exc}") from None

    def _symbol(self) -> tuple[str, int]:
        return self.network.denom.symbol, self.network.denom.decimals

    # --- reads ---------------------------------------------------------------------------------
    def balances(self, address: str) -> dict[str, int]:
        from wallet.adapters.bittensor import reads as reads

        return {self.network.denom.base: reads.holdings(self.client, self._ss58(address, "address"), only=[]).free}

    def stakes(self, address: str) -> list[StakePosition]:
        from wallet.adapters.bittensor import reads as reads

        addr = self._ss58(address, "address")
        held = reads.holdings(self.client, addr)
        symbol, decimals = self._symbol()
        out = []
        for p in held.positions:
            sn = p.subnet
            out.append(StakePosition(
                source=self.source, address=addr, target=p.hotkey, target_name="", subtarget=str(p.netuid),
                amount=p.tao_value, symbol=symbol, decimals=decimals,
                extra={"alpha": str(p.alpha), "alpha_symbol": sn.symbol if sn else "",
                       "price": sn.price_text() if sn else "",
                       "price_source": sn.price_source if sn else "", "subnet_name": sn.name if sn else "",
                       "take": reads.take_text(p.take), "free": str(held.free)}))
        return out

    def stake_targets(self) -> list[StakeTarget]:
        from wallet.adapters.bittensor import reads as reads

        targets = [StakeTarget(id=hk, name="", status="delegate", commission=reads.take_text(take))
                   for hk, take in reads.delegates(self.client)]
        nets = reads.subnets(self.client, reads.netuids(self.client))
        for n, sn in sorted(nets.items()):
            targets.append(StakeTarget(id=f"subnet:{n}", name=sn.name, status="subnet", power=sn.tao_in,
                                       extra={"kind": "subnet", "netuid": n, "price": sn.price_text(),
                                              "symbol": sn.symbol,
                                              "tao_in": str(sn.tao_in), "alpha_in": str(sn.alpha_in)}))
        return targets

    def voting_power(self, address: str, proposal_id: str) -> int:
        """One senator, one vote: 1 if a hotkey of this coldkey sits in the Senate, else 0."""
        return 1 if plans.senate_hotkey(self, self._ss58(address, "address"), required=False) else 0

    def has_voted(self, address: str, proposal_id: str) -> bool:
        from wallet.adapters.bittensor import governance as gov

        hk = plans.senate_hotkey(self, self._ss58(address, "address"), required=False)
        for p in gov.proposals(self.client) if self._governance()[0] == "triumvirate" else []:
            if p["id"] == proposal_id:
                return hk in p["ayes"] or hk in p["nays"]
        return False

    def _governance(self) -> tuple[str, str | None]:
        from wallet.adapters.bittensor import governance as gov

        return gov.detect(self.client.pallets())

    # --- sync ----------------------------------------------------------------------------------
    def sync(self, archive: Archive, progress: Progress | None = None) -> SyncReport:
        from wallet.adapters.bittensor import sync as bittensor_sync

        return bittensor_sync.sync(self, archive, progress)

    # --- results -------------------------------------------------------------------------------
    # --- plans (wallet/adapters/bittensor/plans.py) ---------------------------------------------
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

    def combine(self, plans_: list[Plan]) -> Plan:
        """Several plans of one account in one Utility.batch_all: one fee, all or nothing."""
        return plans.combine(self, plans_)

    def submit(self, plan: Plan, signer: Signer) -> str:
        from wallet.adapters.bittensor import messages as tx

        genesis = self.client.check_chain()
        tx.require(genesis == plan.payload.get("genesis"), "the chain's genesis hash changed since the plan was made")
        from wallet.keys.signer import SubstrateSigning, wrong_scheme

        if not isinstance(signer, SubstrateSigning):
            raise wrong_scheme(signer, "Substrate (sr25519)")
        tx.require(signer.address == plan.address, f"the signer is not {plan.address}")
        calls = [(p, f, a) for p, f, a in plan.payload["calls"]]
        era = int(plan.payload.get("era_period") or self.extra.era_period)
        encoded, nonce, head = tx.sign(self.client, calls, signer, era)
        from wallet.adapters.bittensor.inclusion import Sent, ext_hash

        tx_hash = ext_hash(encoded)
        sent = Sent(nonce=nonce, signed_at=head, era_period=era)
        self._sent[tx_hash] = sent
        # journaled before the bytes leave, with the bytes themselves to submit them again (wallet/once.py)
        self.signed(tx_hash, {**sent.as_detail(), "raw": "0x" + encoded.hex()})
        try:
            got = self.client.broadcast(encoded)
        except RpcError as exc:
            raise ActionFailed(f"the node refused the extrinsic: {exc}") from None
        if got.lower() != tx_hash:
            log.warning("the node answered hash %s for extrinsic %s", got[:80], tx_hash)
        return tx_hash

    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult:
        """Blocks since the extrinsic was signed, read until it is in one, its nonce is used by another
        or its era ended; still waiting after `timeout` is `pending` (wallet/adapters/bittensor/inclusion.py)."""
        from wallet.adapters.bittensor import inclusion

        return inclusion.wait(self.client, plan, tx_hash, self._sent.get(tx_hash.lower()), timeout=timeout,
                              poll=min(2.0, self.network.block_time / 4))

    def look_up(self, plan: Plan, tx_hash: str, journaled: dict[str, Any], *, timeout: float) -> ActionResult:
        from wallet.adapters.bittensor.inclusion import Sent, send_again

        era = int(plan.payload.get("era_period") or self.extra.era_period)
        sent = self._sent.setdefault(tx_hash.lower(), Sent.from_detail(journaled, era))
        raw = journaled.get("raw")
        if isinstance(raw, str) and sent.signed_at is not None:  # not in the pool, nonce unused: the same bytes again
            send_again(self.client, self._ss58(plan.address, "address"), tx_hash, raw, sent)
        return self.await_result(plan, tx_hash, timeout=timeout)

    def account_nonce(self, address: str, *, pending: bool = False) -> int | None:
        from wallet.adapters.bittensor import inclusion
        from wallet.adapters.bittensor import messages as tx

        addr = self._ss58(address, "address")
        return tx.next_index(self.client, addr) if pending else inclusion.chain_nonce(self.client, addr)

    def record(self, archive: Archive, result: ActionResult) -> None:
        from wallet.adapters.bittensor import reads as reads
        from wallet.cache import store

        plan = result.plan
        rows = reads.stake_event_rows(self.source, result.detail.get("events", []), {plan.address},
                                      block=result.block, tx=result.tx_hash, timestamp=int(time.time()))
        with archive.conn:
            if rows:
                store.insert_stake_events(archive, rows)
            if plan.kind in ("stake", "unstake", "move", "batch"):
                store.replace_stakes(archive, self.source, plan.address, self.stakes(plan.address))
            if plan.kind == "vote" and result.ok:
                voter = plan.payload["calls"][0][2]["hotkey"]  # the senate hotkey, as sync records it
                store.insert_votes(archive, [(self.source, plan.target, voter, plan.payload.get("choice", ""),
                                              "1", "", result.block, result.tx_hash, None, int(time.time()))])
                store.refresh_vote_counts(archive, self.source, [plan.target])
