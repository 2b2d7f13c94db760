"""SingularityNET TokenStake: AGIX staking in windows on Ethereum (network adapter "snet_stake").

Stake actions and the contract calls they map to (periods: see `windows`):
  stake    `polis stake add current AMOUNT`      ERC-20 approve (when the allowance is short) then
                                                 submitStake(amount): two transactions in one plan
  unstake  `polis stake remove WINDOW [AMOUNT|--all]`  submission period: withdrawStake(window, amount)
                                                 of pending stake; claim request period:
                                                 requestForClaim(window, false) (opt out; --all only)
  claim    `polis stake claim WINDOW [--opt auto_renew=true|false]`  claim request period:
                                                 requestForClaim(window, auto_renew, default false);
                                                 after endPeriod: claimStake(window)
  withdraw `plan_withdraw`                       withdrawStake of pending stake (the first unstake case)
Each is refused outside the period that allows it, with the window's dates in the message.
SingularityNET has no on-chain governance here: `plan_vote` says so.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from wallet.adapters.base import Adapter, Progress, StakePosition, StakeTarget, SyncReport
from wallet.adapters.evm import codec as codec
from wallet.adapters.evm.client import LazyRpcClient, quantity
from wallet.adapters.snet import plans
from wallet.adapters.snet.models import GOVERNANCE_NOTE, SnetSettings, revert_text
from wallet.adapters.snet.windows import StakeInfo, Window, day, selector
from wallet.errors import ActionFailed, ActionRefused, BadInput, RpcError
from wallet.models import ActionResult, Plan

if TYPE_CHECKING:
    from wallet.adapters.evm.client import JsonRpc
    from wallet.cache.db import Archive
    from wallet.keys.signer import Signer
    from wallet.keys.vault import AccountMeta
    from wallet.networks import DaoConfig, NetworkConfig
    from wallet.units import Denom

class SnetStakeAdapter(LazyRpcClient, Adapter):
    NAME = "snet_stake"
    KEY_SCHEME = "evm"
    STAKING = True
    STAKE_ACTIONS: ClassVar[tuple[str, ...]] = ("stake", "unstake", "claim", "withdraw")
    HASH_BEFORE_SEND = True
    """Each step's hash and signed bytes are journaled before they leave (wallet/adapters/snet/settle.py)."""

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        super().__init__(network, dao, rpc_url=rpc_url, source=source)
        try:
            self.settings = SnetSettings.model_validate(network.extra)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise BadInput(f"network {network.key!r}: extra.{where}: {first['msg']}") from None
        self._rpc: JsonRpc | None = None
        self._steps: dict[str, list[str]] = {}
        self._probed = False

    @classmethod
    def network_table(cls, key: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """A TokenStake network: `polis networks add NAME --adapter snet_stake --chain-id 1 --rpc URL
        --stake-contract A --token A [--token-symbol AGIX --token-decimals 8 --start-block N]`."""
        need = [f"--{k.replace('_', '-')}" for k in ("chain_id", "stake_contract", "token") if not options.get(k)]
        if not options.get("rpc"):
            need.append("--rpc")
        if need:
            raise BadInput(f"a TokenStake network needs {', '.join(need)}")
        try:
            chain_id = int(str(options["chain_id"]), 0)
        except ValueError:
            raise BadInput(f"an EVM chain id is a number, not {options['chain_id']!r}") from None
        extra: dict[str, Any] = {"stake_contract": options["stake_contract"], "token": options["token"],
                                 "start_block": int(options.get("start_block") or 0)}
        if options.get("token_symbol"):
            extra["token_symbol"] = options["token_symbol"]
        if options.get("token_decimals") is not None:
            extra["token_decimals"] = int(options["token_decimals"])
        try:
            st = SnetSettings.model_validate(extra)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise BadInput(f"--{'-'.join(map(str, first['loc'])).replace('_', '-')}: {first['msg']}") from None
        extra = {"stake_contract": st.stake_contract, "token": st.token, "token_symbol": st.token_symbol,
                 "token_decimals": st.token_decimals, "start_block": st.start_block}
        return {"family": "evm", "adapter": cls.NAME, "name": options.get("title") or key, "chain_id": chain_id,
                "rpc": list(options["rpc"]), "block_time": int(options.get("block_time") or 12),
                "denom": {"symbol": options.get("symbol") or "ETH", "base": "wei", "decimals": 18}, "extra": extra}

    # --- plumbing (the lazy `rpc` client, `prepare` and `close` come from LazyRpcClient) ----------

    @property
    def token_denom(self) -> Denom:
        from wallet.units import Denom

        return Denom(self.settings.token_symbol, "cog", self.settings.token_decimals)

    def parse_amount(self, text: str) -> int:
        """Amounts are in the staked token (AGIX, 8 decimals); more decimals are refused."""
        from wallet.units import parse_amount

        return parse_amount(text, self.token_denom)

    def _fmt(self, v: int) -> str:
        from wallet.units import format_amount

        return format_amount(v, self.token_denom)

    def check_chain(self) -> None:
        cid = quantity(self.rpc.call("eth_chainId"), "chain id", limit=2**256)
        if cid != int(self.network.chain_id):
            raise ActionRefused(f"the node at {self.rpc_url} is on chain id {cid}, but {self.network.key} is chain id "
                                f"{self.network.chain_id}; refusing to use it")

    def _call_data(self, sig: str, *words: str) -> str:
        return "0x" + selector(sig) + "".join(words)

    def _eth_call(self, to: str, sig: str, *words: str) -> tuple[str, list[Any]]:
        return ("eth_call", [{"to": to, "data": self._call_data(sig, *words)}, "latest"])

    @staticmethod
    def _ok(r: Any) -> bytes:
        if isinstance(r, Exception):
            raise r
        return codec.hexbytes(r)

    # --- reads -----------------------------------------------------------------------------------
    def now(self) -> int:
        """The chain's clock (the latest block's timestamp): periods are judged by it, not by this machine."""
        return int(self.rpc.call("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def current_index(self) -> int:
        cur = codec.decode_words(self.rpc.eth_call(self.settings.stake_contract,
                                                   self._call_data("currentStakeMapIndex()")), 1)[0]
        if not self._probed:
            self._probe(cur)
        return int(cur)

    def _probe(self, cur: int) -> None:
        """Refuse a contract that answers the TokenStake selectors with other shapes (rules.probe)."""
        from wallet.adapters.snet.rules import probe

        sc = self.settings.stake_contract
        res = self.rpc.batch([self._eth_call(sc, "windowTotalStake()"),
                              self._eth_call(sc, "stakeMap(uint256)", codec.enc_uint(cur)),
                              self._eth_call(sc, "getStakeInfo(uint256,address)", codec.enc_uint(cur),
                                             codec.enc_address("0x" + "00" * 20))])
        raw = [b"" if isinstance(r, RpcError) else self._ok(r) for r in res]
        probe(raw[0], raw[1], raw[2], sc)
        self._probed = True

    def windows(self, indexes: list[int]) -> dict[int, Window]:
        sc = self.settings.stake_contract
        res = self.rpc.batch([self._eth_call(sc, "stakeMap(uint256)", codec.enc_uint(i)) for i in indexes])
        return {i: Window.decode(i, self._ok(r)) for i, r in zip(indexes, res, strict=True)}

    def infos(self, indexes: list[int], address: str) -> dict[int, StakeInfo]:
        sc, a = self.settings.stake_contract, codec.enc_address(address)
        res = self.rpc.batch([self._eth_call(sc, "getStakeInfo(uint256,address)", codec.enc_uint(i),
                                             a) for i in indexes])
        return {i: StakeInfo.decode(self._ok(r)) for i, r in zip(indexes, res, strict=True)}

    def _recent(self) -> list[int]:
        cur = self.current_index()
        return list(range(max(1, cur - self.settings.windows_shown + 1), cur + 1))

    def stake_targets(self) -> list[StakeTarget]:
        now = self.now()
        out = []
        for i, w in sorted(self.windows(self._recent()).items(), reverse=True):
            out.append(StakeTarget(id=str(i), name=f"window {i}", status=w.period(now),
                                   extra={**w.as_dict(), "dates": w.dates(), "summary": w.dates(),
                                          "symbol": self.settings.token_symbol,
                                          "decimals": self.settings.token_decimals}))
        return out

    def stakes(self, address: str) -> list[StakePosition]:
        idxs = self._recent()
        if not idxs:
            return []
        wins, infos = self.windows(idxs), self.infos(idxs, address)
        cur = idxs[-1]
        base: dict[str, Any] = {"source": self.source, "address": address, "symbol": self.settings.token_symbol,
                                "decimals": self.settings.token_decimals}
        out: list[StakePosition] = []
        if infos[cur].approved:
            # The approved amount includes the rewards added to it (AddReward events say how much).
            rewards = self._rewards_of(address, cur) if infos[cur].reward_index == cur else 0
            out.append(StakePosition(**base, target=str(cur), target_name=f"window {cur}",
                                     amount=infos[cur].approved - rewards, rewards=rewards,
                                     kind="staked", completes_at=wins[cur].end,
                                     extra={"note": "approved (stake + this window's rewards); renews unless "
                                                    "requested for claim", "approved": str(infos[cur].approved)}))
        if infos[cur].pending:
            # Pending stays pending until the operator computes rewards (after the approval period): no date.
            out.append(StakePosition(**base, target=str(cur), target_name=f"window {cur}", amount=infos[cur].pending,
                                     kind="pending", completes_at=None,
                                     extra={"note": "pending approval",
                                            "completes_note": f"approved when rewards are added, after "
                                                              f"{day(wins[cur].approval_end)}"}))
        for i in idxs:
            if infos[i].claimable:
                out.append(StakePosition(**base, target=str(i), target_name=f"window {i}", amount=infos[i].claimable,
                                         kind="claimable", completes_at=wins[i].end,
                                         extra={"note": f"claimable after {day(wins[i].end)}"}))
        return out

    def _rewards_of(self, address: str, window: int) -> int:
        """The reward TokenStake added to this staker in this window (AddReward logs; 0 if none found)."""
        from wallet.adapters.snet.windows import decode_event, topic

        logs = self.rpc.call("eth_getLogs", {
            "address": self.settings.stake_contract, "fromBlock": hex(self.settings.start_block), "toBlock": "latest",
            "topics": [topic("AddReward(address,uint256,address,uint256,uint256,uint256)"),
                       "0x" + codec.enc_address(address),
                       "0x" + codec.enc_uint(window)]})
        events = [decode_event(log) for log in logs or []]
        return sum(int(e["amount"]) for e in events if e and e["kind"] == "reward")

    def balances(self, address: str) -> dict[str, int]:
        s, a = self.settings, codec.enc_address(address)
        calls: list[tuple[str, list[Any]]] = [
            ("eth_getBalance", [address, "latest"]),
            self._eth_call(s.token, "balanceOf(address)", a),
            self._eth_call(s.token, "allowance(address,address)", a, codec.enc_address(s.stake_contract))]
        if s.fet_token:
            calls.append(self._eth_call(s.fet_token, "balanceOf(address)", a))
        res = self.rpc.batch(calls)
        if isinstance(res[0], Exception):
            raise res[0]
        out = {self.network.denom.symbol: int(res[0], 16),
               s.token_symbol: codec.decode_words(self._ok(res[1]), 1)[0],
               f"{s.token_symbol} allowance to TokenStake": codec.decode_words(self._ok(res[2]), 1)[0]}
        if s.fet_token and not isinstance(res[3], Exception) and len(codec.hexbytes(res[3])) >= 32:
            out[s.fet_symbol] = codec.decode_words(codec.hexbytes(res[3]), 1)[0]
        return out

    def voting_power(self, address: str, proposal_id: str) -> int:
        return 0

    def has_voted(self, address: str, proposal_id: str) -> bool:
        return False

    def sync(self, archive: Archive, progress: Progress | None = None) -> SyncReport:
        from wallet.adapters.snet.sync import sync_stake_events

        return sync_stake_events(self, archive, progress)

    # --- writes ----------------------------------------------------------------------------------
    def plan_vote(self, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
                  weights: dict[str, str] | None = None) -> Plan:
        raise BadInput(GOVERNANCE_NOTE)

    def plan_stake(self, account: AccountMeta, target: str, amount: int, *, subtarget: str | None = None,
                   options: dict[str, str] | None = None) -> Plan:
        return plans.plan_stake(self, account, target, amount, subtarget=subtarget, options=options)

    def plan_withdraw(self, account: AccountMeta, target: str, amount: int | None) -> Plan:
        """withdrawStake: take back pending stake during the window's submission period."""
        return plans.plan_withdraw(self, account, target, amount)

    def plan_unstake(self, account: AccountMeta, target: str, amount: int | None, *, subtarget: str | None = None,
                     options: dict[str, str] | None = None) -> Plan:
        return plans.plan_unstake(self, account, target, amount, subtarget=subtarget, options=options)

    def plan_claim(self, account: AccountMeta, target: str | None = None, *,
                   options: dict[str, str] | None = None) -> Plan:
        return plans.plan_claim(self, account, target, options=options)

    def submit(self, plan: Plan, signer: Signer) -> str:
        """Send every step in order; an earlier step must be mined and succeed before the next is signed.
        When a later step fails after an approve was mined, the allowance is put back as it was. Each step's
        hash and bytes are journaled before they leave; an approve the allowance no longer needs (an earlier
        attempt's landed) is skipped (wallet/adapters/snet/settle.py)."""
        if signer.address.lower() != plan.address.lower():
            raise ActionRefused("the unlocked key does not match the planned sender")
        self.check_chain()
        hashes: list[str] = []
        steps = plan.payload["steps"]
        for k, step in enumerate(steps):
            if k < len(steps) - 1 and self._approved_already(plan, step):
                continue  # an earlier attempt's approve landed: the allowance is there, it is not sent twice
            try:
                h = self._send_step(plan, step, k, signer, earlier=hashes)
            except ActionFailed as exc:
                raise self._after_partial(plan, signer, hashes, str(exc)) if k else exc from None
            hashes.append(h)
            if k < len(steps) - 1 or k:  # a multi-step plan waits for every step, so a failure can be undone
                receipt = self._wait(h, 120.0)
                if receipt is None or receipt.get("status") != "0x1":
                    why = (f"step {k + 1} ({step['label']}) {'reverted' if receipt else 'was not mined'} (tx {h})"
                           + ("; later steps were not sent" if k < len(steps) - 1 else ""))
                    raise self._after_partial(plan, signer, hashes[:-1], why) if k else ActionFailed(why)
        self.remember_steps(hashes[-1], hashes)
        return hashes[-1]

    def _approved_already(self, plan: Plan, step: dict[str, Any]) -> bool:
        """An approve step whose amount TokenStake is already allowed to take (read now, not at planning)."""
        if step["label"] != "approve":
            return False
        s = self.settings
        want = int(str(step["tx"]["data"])[-64:], 16)
        got = codec.decode_words(self.rpc.eth_call(s.token, self._call_data(
            "allowance(address,address)", codec.enc_address(plan.address), codec.enc_address(s.stake_contract))), 1)[0]
        return int(got) >= want

    def _send_step(self, plan: Plan, step: dict[str, Any], k: int, signer: Signer, *,
                   earlier: list[str] | None = None) -> str:
        """Sign step `k`, journal its hash and bytes (`signed`), then send them."""
        from Crypto.Hash import keccak

        from wallet.adapters.snet.settle import step_detail

        tx = dict(step["tx"])
        if tx.get("gas") is None:
            try:
                est = int(self.rpc.call("eth_estimateGas", {"from": plan.address, "to": tx["to"],
                                                            "data": tx["data"]}), 16)
            except RpcError as exc:
                raise ActionFailed(f"step {k + 1} ({step['label']}) would revert: {revert_text(exc)}") from None
            tx["gas"] = est * 12 // 10 + 10_000
        tx["nonce"] = int(self.rpc.call("eth_getTransactionCount", plan.address, "pending"), 16)
        raw = signer.sign_transaction(tx)
        tx_hash = "0x" + keccak.new(digest_bits=256, data=raw).hexdigest()
        self.signed(tx_hash, step_detail(k, len(plan.payload["steps"]), step["label"], earlier or [], tx["nonce"], raw))
        try:
            return str(self.rpc.call("eth_sendRawTransaction", "0x" + raw.hex()))
        except RpcError as exc:
            if "already known" in str(exc).lower():  # a retried send whose first attempt reached the node
                return tx_hash
            raise ActionFailed(f"the node rejected step {k + 1} ({step['label']}): {exc}") from None

    def _after_partial(self, plan: Plan, signer: Signer, mined: list[str], why: str) -> ActionFailed:
        """The failure of a later step, saying what the earlier ones did; an approve is reset to the
        allowance before the plan (so TokenStake is not left allowed to take the amount)."""
        steps = plan.payload["steps"]
        done = ", ".join(f"step {i + 1} ({steps[i]['label']}, tx {h})" for i, h in enumerate(mined))
        text = f"{why}; {done} had been mined"
        if not mined or steps[0]["label"] != "approve" or "allowance_before" not in plan.payload:
            return ActionFailed(text)
        before = int(plan.payload["allowance_before"])
        s = self.settings
        data = self._call_data("approve(address,uint256)", codec.enc_address(s.stake_contract), codec.enc_uint(before))
        reset = {**steps[0]["tx"], "data": data}
        try:
            h = self._send_step(plan, {"label": "approve (reset)", "tx": reset}, len(steps), signer, earlier=mined)
            receipt = self._wait(h, 120.0)
            if receipt is None or receipt.get("status") != "0x1":
                raise ActionFailed(f"tx {h} {'reverted' if receipt else 'was not mined'}")
        except (ActionFailed, RpcError) as exc:
            return ActionFailed(f"{text}, leaving TokenStake allowed to take {s.token_symbol}; resetting that "
                                f"allowance failed too ({exc}): call approve({s.stake_contract}, {before}) on "
                                f"{s.token} yourself")
        return ActionFailed(f"{text}; Polis reset the {s.token_symbol} allowance of TokenStake to {self._fmt(before)} "
                            f"(tx {h}), so nothing is left approved")

    def _wait(self, tx_hash: str, timeout: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            receipt = self.rpc.call("eth_getTransactionReceipt", tx_hash)
            if receipt or time.monotonic() > deadline:
                return receipt or None
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def send_raw(self, raw_hex: str) -> str:
        return str(self.rpc.call("eth_sendRawTransaction", "0x" + raw_hex.removeprefix("0x")) or "")

    def send_again(self, raw_hex: str) -> str:
        from wallet.adapters.evm import resend

        return resend.send_again(self, raw_hex)

    def look_up(self, plan: Plan, tx_hash: str, journaled: dict[str, Any], *, timeout: float) -> ActionResult:
        """The journaled step, settled by hash (its bytes sent again if the node lacks them): snet/settle.py."""
        from wallet.adapters.snet import settle

        return settle.look_up(self, plan, tx_hash, journaled, timeout=timeout)

    def remember_steps(self, last: str, hashes: list[str]) -> None:
        """The hashes of every step of the action whose last sent step is `last` (fees, result detail)."""
        self._steps[last] = hashes

    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult:
        receipt = self._wait(tx_hash, timeout)
        if receipt is None:
            if self.rpc.call("eth_getTransactionByHash", tx_hash):  # in the mempool: it may still land
                return ActionResult(plan=plan, ok=False, tx_hash=tx_hash, pending=True,
                                    error=f"not included after {int(timeout)} s; still pending in the node")
            return ActionResult(plan=plan, ok=False, tx_hash=tx_hash,
                                error="the node does not know the transaction (dropped)")
        hashes = self._steps.get(tx_hash, [tx_hash])
        receipts = [self.rpc.call("eth_getTransactionReceipt", h) for h in hashes[:-1]] + [receipt]
        fee = sum(int(r.get("gasUsed", "0x0"), 16) * int(r.get("effectiveGasPrice", "0x0"), 16) for r in receipts if r)
        ok = receipt.get("status") == "0x1"
        return ActionResult(plan=plan, ok=ok, tx_hash=tx_hash, block=int(receipt["blockNumber"], 16), fee_paid=fee,
                            error=None if ok else "the transaction reverted",
                            detail={"logs": receipt.get("logs", []), "steps": hashes})

    def record(self, archive: Archive, result: ActionResult) -> None:
        """The receipt's stake events into stake_events, and the account's stakes as they are now."""
        from wallet.adapters.snet.sync import event_rows
        from wallet.cache import store

        if not result.ok:
            return
        rows = event_rows(self, result.detail.get("logs", []))
        positions = self.stakes(result.plan.address)
        with archive.conn:
            if rows:
                store.insert_stake_events(archive, rows)
            store.replace_stakes(archive, self.source, result.plan.address, positions)
