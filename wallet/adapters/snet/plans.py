"""SingularityNET stake plans: plain functions of the adapter they plan for (SnetStakeAdapter's plan_*
methods call them). Each refuses a request outside the window period that allows it, with the dates."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wallet.adapters.evm import codec as codec
from wallet.adapters.snet.models import GAS_AFTER_APPROVE, bool_opt, revert_text
from wallet.adapters.snet.windows import StakeInfo, Window, day
from wallet.errors import ActionRefused, AlreadyDone, BadInput, RpcError
from wallet.models import Plan, PlanCheck

if TYPE_CHECKING:
    from wallet.adapters.snet.adapter import SnetStakeAdapter
    from wallet.keys.vault import AccountMeta


def _window_arg(ad: SnetStakeAdapter, target: str | None, cur: int) -> int:
    t = (target or "").strip().lower().removeprefix("window").strip().lstrip("#")
    if t in ("", "current"):
        if cur == 0:
            raise ActionRefused("no stake window has been opened on this TokenStake yet")
        return cur
    if not t.isdigit() or not 1 <= int(t) <= cur:
        raise BadInput(f"{target!r} is not a stake window (windows 1..{cur}; 'polis validators -n {ad.network.key}')")
    return int(t)


def _plan(ad: SnetStakeAdapter, account: AccountMeta, kind: str, target: str, steps: list[tuple[str, str, str, bool]],
          summary: list[str], checks: list[PlanCheck]) -> Plan:
    """steps: (label, to, data, simulate now). Estimates gas and fees; refuses a reverting step."""
    address = ad.address_of(account)
    calls: list[tuple[str, list[Any]]] = [("eth_getBlockByNumber", ["latest", False]), ("eth_maxPriorityFeePerGas", []),
                                          ("eth_getBalance", [address, "latest"])]
    calls += [("eth_estimateGas", [{"from": address, "to": to, "data": data}]) for _l, to, data, sim in steps if sim]
    res = ad.rpc.batch(calls)
    from wallet.adapters.evm import gas as gasmod

    base, prio, max_fee, block_gas = gasmod.prices(res[0], res[1])
    txs: list[dict[str, Any]] = []
    k, gas_total, simulated_total = 3, 0, 0
    for label, to, data, sim in steps:
        gas = None
        if sim:
            r = res[k]
            k += 1
            if isinstance(r, RpcError):
                raise ActionRefused(f"the node's simulation of {label} reverts: {revert_text(r)}")
            simulated, gas = gasmod.gas_of(r)
            simulated_total += simulated
        else:
            simulated_total += GAS_AFTER_APPROVE
        gas_total += gas or GAS_AFTER_APPROVE
        txs.append({"label": label, "tx": {"to": to, "data": data, "value": 0, "gas": gas, "maxFeePerGas": max_fee,
                                           "maxPriorityFeePerGas": prio, "chainId": int(ad.network.chain_id),
                                           "type": 2}})
    from wallet.units import format_amount

    quote = gasmod.quote(ad.network, gas=gas_total, simulated=simulated_total, max_fee_per_gas=max_fee,
                         base_fee=base, block_gas_limit=block_gas, transactions=len(steps))
    cap_check = ad.fee_check(quote)
    balance = int(res[2], 16) if isinstance(res[2], str) else 0
    eth = ad.network.denom.denom()
    if balance < gas_total * max_fee:
        raise ActionRefused(f"{address} has {format_amount(balance, eth)} for fees, but {len(steps)} transaction(s) "
                            f"may need up to {format_amount(gas_total * max_fee, eth)}")
    checks = [PlanCheck(name="chain id", ok=True, detail=str(ad.network.chain_id)), *checks,
              PlanCheck(name="simulation", ok=True, detail=", ".join(
                  f"{t['label']}: {t['tx']['gas']:,} gas" if t["tx"]["gas"] else f"{t['label']}: after step 1"
                  for t in txs)),
              PlanCheck(name="fee balance", ok=True, detail=format_amount(balance, eth, max_decimals=6)), cap_check]
    summary = [*summary, f"from {account.name} {address} on chain {ad.network.chain_id}"]
    return Plan(kind=kind, network=ad.network.key, source=ad.source, account=account.name, address=address,
                summary=summary, checks=checks, fee_estimate=gas_total * (max_fee // 2 + prio // 2),
                fee_symbol=ad.network.denom.symbol, fee_decimals=ad.network.denom.decimals,
                payload={"steps": txs, "fee_quote": quote.as_dict()}, target=target)


def _state(ad: SnetStakeAdapter, address: str, target: str | None) -> tuple[int, Window, StakeInfo, int]:
    ad.check_chain()
    cur = ad.current_index()
    idx = _window_arg(ad, target, cur)
    return idx, ad.windows([idx])[idx], ad.infos([idx], address)[idx], ad.now()


def plan_stake(ad: SnetStakeAdapter, account: AccountMeta, target: str, amount: int, *, subtarget: str | None = None,
               options: dict[str, str] | None = None) -> Plan:
    if subtarget:
        raise BadInput("SingularityNET stake windows have no subnets")
    address = ad.address_of(account)
    idx, w, info, now = _state(ad, address, target or "current")
    cur = ad.current_index()
    if idx != cur:
        raise BadInput(f"stake goes to the current window #{cur}, not #{idx}")
    if not w.start <= now <= w.submission_end:
        raise ActionRefused(f"window #{idx} is in its {w.period(now)} period: stakes are submitted "
                            f"{day(w.start)} → {day(w.submission_end)}", hint=w.dates())
    if not w.open_for_external:
        raise ActionRefused(f"window #{idx} is not open for external stakers")
    if amount <= 0:
        raise BadInput("stake a positive amount")
    from wallet.adapters.snet.rules import near_end
    if amount + info.pending + info.approved < w.min_stake:
        raise ActionRefused(f"window #{idx} needs at least {ad._fmt(w.min_stake)} in total; with "
                            f"{ad._fmt(info.pending + info.approved)} already staked, {ad._fmt(amount)} is short")
    bal = ad.balances(address)
    s = ad.settings
    if bal[s.token_symbol] < amount:
        raise ActionRefused(f"{address} holds {ad._fmt(bal[s.token_symbol])}, less than {ad._fmt(amount)}")
    allowance = bal[f"{s.token_symbol} allowance to TokenStake"]
    submit = ad._call_data("submitStake(uint256)", codec.enc_uint(amount))
    steps: list[tuple[str, str, str, bool]] = []
    summary = [f"Stake {ad._fmt(amount)} in SingularityNET stake window #{idx} "
               f"(submission until {day(w.submission_end)}; approval until {day(w.approval_end)})"]
    if allowance < amount:
        approve = ad._call_data("approve(address,uint256)", codec.enc_address(s.stake_contract), codec.enc_uint(amount))
        steps.append(("approve", s.token, approve, True))
        summary.append(f"step 1/2: approve({s.stake_contract}, {amount}) on {s.token_symbol} {s.token} "
                       f"— lets TokenStake take {ad._fmt(amount)} (allowance now {ad._fmt(allowance)})")
        summary.append(f"step 2/2: submitStake({amount}) on TokenStake {s.stake_contract}")
    else:
        summary.append(f"calls submitStake({amount}) on TokenStake {s.stake_contract} "
                       f"(allowance {ad._fmt(allowance)} suffices)")
    steps.append(("submitStake", s.stake_contract, submit, allowance >= amount))
    near_end(f"stake in window #{idx}", "submission", w.submission_end, now, s.period_margin, steps=len(steps))
    checks = [PlanCheck(name="period", ok=True,
                        detail=f"window #{idx} submission open until {day(w.submission_end)}"),
              PlanCheck(name="minimum stake", ok=True, detail=ad._fmt(w.min_stake)),
              PlanCheck(name="token balance", ok=True, detail=ad._fmt(bal[s.token_symbol]))]
    plan = _plan(ad, account, "stake", str(idx), steps, summary, checks)
    plan.payload["allowance_before"] = str(allowance)
    return plan


def plan_withdraw(ad: SnetStakeAdapter, account: AccountMeta, target: str, amount: int | None) -> Plan:
    """withdrawStake: take back pending stake during the window's submission period."""
    address = ad.address_of(account)
    idx, w, info, now = _state(ad, address, target)
    if not w.start <= now <= w.submission_end:
        raise ActionRefused(f"window #{idx} is in its {w.period(now)} period: pending stake can be withdrawn only "
                            f"during submission, {day(w.start)} → {day(w.submission_end)}", hint=w.dates())
    if info.pending == 0:
        raise ActionRefused(f"nothing pending in window #{idx} to withdraw")
    from wallet.adapters.snet.rules import near_end

    near_end(f"withdraw from window #{idx}", "submission", w.submission_end, now, ad.settings.period_margin)
    amount = info.pending if amount is None else amount
    if amount <= 0 or amount > info.pending:
        raise ActionRefused(f"{ad._fmt(amount)} is more than the pending {ad._fmt(info.pending)}")
    left = info.pending - amount
    if left and left < w.min_stake:
        raise ActionRefused(f"{ad._fmt(left)} would stay, below the minimum {ad._fmt(w.min_stake)}: "
                            "withdraw all or less")
    data = ad._call_data("withdrawStake(uint256,uint256)", codec.enc_uint(idx), codec.enc_uint(amount))
    summary = [f"Withdraw {ad._fmt(amount)} of pending stake from window #{idx} (submission until "
               f"{day(w.submission_end)}); {ad._fmt(left)} stays pending",
               f"calls withdrawStake({idx}, {amount}) on TokenStake {ad.settings.stake_contract}"]
    return _plan(ad, account, "unstake", str(idx), [("withdrawStake", ad.settings.stake_contract, data, True)],
                      summary, [PlanCheck(name="period", ok=True, detail="submission")])


def _request(ad: SnetStakeAdapter, account: AccountMeta, idx: int, w: Window, info: StakeInfo, auto: bool, kind: str,
             now: int) -> Plan:
    from wallet.adapters.snet.rules import near_end, overwrite_refusal

    cur = ad.current_index()
    refusal = overwrite_refusal(idx, w, info, auto, cur, ad.windows([cur])[cur] if cur != idx else w, ad._fmt)
    if refusal is not None:
        raise refusal
    if auto and info.claimable == 0:
        if info.approved:
            raise AlreadyDone(f"the stake in window #{idx} already renews automatically; nothing sent")
        raise ActionRefused(f"nothing to renew in window #{idx}")
    if not auto and info.approved == 0:
        if info.claimable:
            raise AlreadyDone(f"{ad._fmt(info.claimable)} in window #{idx} is already requested for claim; "
                              f"claim it after {day(w.end)}")
        raise ActionRefused(f"no approved stake to request for claim in window #{idx}")
    near_end(f"claim request in window #{idx}", "claim request", w.end, now, ad.settings.period_margin)
    data = ad._call_data("requestForClaim(uint256,bool)", codec.enc_uint(idx), codec.enc_uint(1 if auto else 0))
    what = (f"Keep {ad._fmt(info.claimable)} staked: auto-renew into the next window" if auto else
            f"Request to claim {ad._fmt(info.approved)} (stake and rewards) from window #{idx}, no auto-renewal; "
            f"claim it after {day(w.end)}")
    summary = [what, f"calls requestForClaim({idx}, {str(auto).lower()}) on TokenStake {ad.settings.stake_contract}"]
    return _plan(ad, account, kind, str(idx), [("requestForClaim", ad.settings.stake_contract, data, True)],
                      summary, [PlanCheck(name="period", ok=True,
                                          detail=f"claim requests until {day(w.end)}")])


def plan_unstake(ad: SnetStakeAdapter, account: AccountMeta, target: str, amount: int | None, *,
                 subtarget: str | None = None, options: dict[str, str] | None = None) -> Plan:
    address = ad.address_of(account)
    idx, w, info, now = _state(ad, address, target)
    period = w.period(now)
    if period == "submission":
        return plan_withdraw(ad, account, str(idx), amount)
    if period == "claim request":
        if amount is not None and amount != info.approved:
            raise BadInput(f"a claim request takes the whole approved stake ({ad._fmt(info.approved)}): use --all")
        return _request(ad, account, idx, w, info, False, "unstake", now)
    raise ActionRefused(f"window #{idx} is in its {period} period: pending stake can be withdrawn during "
                        f"submission ({day(w.start)} → {day(w.submission_end)}) and approved stake requested for "
                        f"claim {day(w.request_withdraw_start)} → {day(w.end)}")


def plan_claim(ad: SnetStakeAdapter, account: AccountMeta, target: str | None = None, *,
               options: dict[str, str] | None = None) -> Plan:
    auto = bool_opt(options, "auto_renew")
    address = ad.address_of(account)
    idx, w, info, now = _state(ad, address, target)
    period = w.period(now)
    if period == "claim request":
        return _request(ad, account, idx, w, info, bool(auto), "claim", now)
    if period == "ended":
        if auto is not None:
            raise ActionRefused(f"auto-renewal of window #{idx} could be changed {day(w.request_withdraw_start)} → "
                                f"{day(w.end)}; that period is over")
        if info.claimable:
            amount = info.claimable
        elif info.approved and now > w.grace_end:
            amount = info.approved
        elif info.approved:
            raise ActionRefused(f"the approved stake of window #{idx} renewed; request it for claim in the next "
                                f"window's claim period or claim it after {day(w.grace_end)}")
        else:
            raise ActionRefused(f"nothing to claim in window #{idx}")
        data = ad._call_data("claimStake(uint256)", codec.enc_uint(idx))
        summary = [f"Claim {ad._fmt(amount)} from window #{idx} (ended {day(w.end)})",
                   f"calls claimStake({idx}) on TokenStake {ad.settings.stake_contract}"]
        return _plan(ad, account, "claim", str(idx), [("claimStake", ad.settings.stake_contract, data, True)],
                          summary, [PlanCheck(name="period", ok=True, detail=f"ended {day(w.end)}")])
    raise ActionRefused(f"window #{idx} is in its {period} period: claims are requested "
                        f"{day(w.request_withdraw_start)} → {day(w.end)} and paid after {day(w.end)}", hint=w.dates())
