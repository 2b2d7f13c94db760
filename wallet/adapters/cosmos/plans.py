"""Cosmos write plans: vote, weighted vote, delegate, undelegate, redelegate, withdraw rewards, and
several of them in one transaction. Plain functions of the adapter they plan for (CosmosAdapter's
plan_* methods call them). Every plan is checked against the chain before anything is signed:
chain id, proposal state or validator state, the account's stake, simulate, balance for fee + amount.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wallet.adapters.cosmos import messages as m
from wallet.adapters.cosmos.errors import LcdError, explain
from wallet.errors import ActionRefused, AlreadyDone, BadInput
from wallet.models import Plan, PlanCheck

if TYPE_CHECKING:
    from wallet.adapters.cosmos.adapter import CosmosAdapter
    from wallet.keys.vault import AccountMeta

STAKE_OPTIONS = {"allow_jailed", "allow_inactive", "memo"}
TRUE = {"1", "true", "yes", "y", "on"}
MAX_GAS = 10_000_000
"""Largest gas of one transaction unless the network's `max_gas` says otherwise (20 votes use ~1,500,000)."""


def _flags(options: dict[str, str] | None) -> dict[str, str]:
    opts = {k.strip().lower(): v for k, v in (options or {}).items()}
    unknown = set(opts) - STAKE_OPTIONS
    if unknown:
        raise BadInput(f"unknown option(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(STAKE_OPTIONS))})")
    return opts


def _msg_line(msg: dict[str, Any]) -> str:
    import json

    return json.dumps(msg, separators=(",", ":"), ensure_ascii=False)


def _fmt(ad: CosmosAdapter, amount: int) -> str:
    from wallet.units import format_amount

    return format_amount(amount, ad.denom)

# --- the common tail: simulate, fee, balance --------------------------------------------------
def _finalise(ad: CosmosAdapter, account: AccountMeta, address: str, kind: str,
              msgs: list[dict[str, Any]], head: list[str], checks: list[PlanCheck], target: str, *,
              spend: int = 0, memo: str = "") -> Plan:
    acc = ad.account(address)
    if acc is None:
        raise ActionRefused(f"{address} does not exist on {ad.network.key} yet: it has never received funds",
                            hint="send it some tokens for fees first")
    body = m.body_bytes(msgs, memo)
    auth = m.auth_info_bytes(acc.pub_key, acc.sequence, 0, 0, ad.denom.base)
    try:
        sim = ad.lcd.post("/cosmos/tx/v1beta1/simulate", {"tx_bytes": m.unsigned_tx_b64(body, auth)})
    except LcdError as exc:
        raise ActionRefused(f"the node's simulation of this transaction fails: {explain('', exc.code or 0, str(exc))}"
                            ) from None
    raw_used = ((sim if isinstance(sim, dict) else {}).get("gas_info") or {}).get("gas_used") or 0
    used = int(raw_used) if str(raw_used).isdigit() and len(str(raw_used)) < 20 else -1
    if used <= 0:
        raise ActionRefused("the node's simulation returned no gas figure")
    gas = math.ceil(Decimal(used) * ad.settings.adjustment())
    fee = math.ceil(Decimal(gas) * ad.settings.gas_price_dec())
    from wallet.fees import FeeQuote

    quote = FeeQuote(max_fee=fee, gas=gas, simulated_gas=used,
                     gas_margin=Decimal(ad.settings.adjustment()).as_integer_ratio(), gas_slack=1,
                     gas_ceiling=ad.network.max_gas or MAX_GAS)
    cap_check = ad.fee_check(quote)  # FeeRefused before anything is signed
    balance = ad.balances(address).get(ad.denom.symbol, 0)
    locked = acc.locked(int(time.time()))
    spendable = balance - locked
    if spendable < fee:
        raise ActionRefused(f"{address} can spend {_fmt(ad, max(spendable, 0))}"
                            + (f" ({_fmt(ad, locked)} still vesting)" if locked else "")
                            + f", but the fee is {_fmt(ad, fee)}")
    if balance - fee < spend:
        raise ActionRefused(f"{address} has {_fmt(ad, balance)}: not enough for {_fmt(ad, spend)} plus the "
                            f"fee {_fmt(ad, fee)}")
    checks = [*checks,
              PlanCheck(name="simulation", ok=True,
                        detail=f"{used:,} gas used; limit {gas:,} (× {ad.settings.gas_adjustment})"),
              PlanCheck(name="balance", ok=True, detail=f"{_fmt(ad, balance)}"
                        + (f", {_fmt(ad, locked)} vesting ({acc.type})" if acc.vesting else "")),
              cap_check]
    summary = [*head, f"from {account.name} {address} (account #{acc.account_number}, sequence {acc.sequence})",
               f"{len(msgs)} message(s), signed SIGN_MODE_DIRECT on chain {ad.network.chain_id}:"]
    summary += ["  " + _msg_line(x) for x in msgs]
    if memo:
        summary.append(f"memo: {memo}")
    summary.append(f"fee: {_fmt(ad, fee)} = {gas:,} gas × {ad.settings.gas_price} {ad.denom.base}")
    return Plan(kind=kind, network=ad.network.key, source=ad.source, account=account.name, address=address,
                summary=summary, checks=checks, fee_estimate=fee, fee_symbol=ad.denom.symbol,
                fee_decimals=ad.denom.decimals, target=target,
                payload={"msgs": msgs, "memo": memo, "gas": gas, "fee": fee, "gas_used": used, "spend": spend,
                         "gov": ad._gov, "chain_id": str(ad.network.chain_id), "head": head,
                         "checks": [c.model_dump() for c in checks[:-3]], "fee_quote": quote.as_dict()})

# --- gov -------------------------------------------------------------------------------------
def plan_vote(ad: CosmosAdapter, account: AccountMeta, proposal_id: str, choice: str, *,
              reason: str = "", weights: dict[str, str] | None = None) -> Plan:
    from wallet.adapters.cosmos.models import proposal_fields

    options = m.parse_weights(weights) if weights else None
    option = ""
    if options is None:
        option = m.parse_option(choice)
    elif choice and choice.strip().lower() not in ("weighted", "split", "-"):
        picked = m.parse_option(choice)
        if picked not in {o for o, _ in options}:
            raise BadInput(f"choice {choice!r} is not among the weights; write 'weighted' as the choice")
    try:
        pid = str(int(proposal_id))
    except ValueError:
        raise BadInput(f"proposal id {proposal_id!r} is not a number") from None
    address = ad.address_of(account)
    ad.check_chain()
    version = ad.gov_version()
    if reason and version != "v1":
        raise BadInput(f"{ad.network.key} runs gov {version}, whose votes carry no reason; vote without --reason")
    if reason:
        try:
            params = ad.lcd.get("/cosmos/gov/v1/params/voting")
        except LcdError:
            params = None
        m.check_metadata(reason, m.metadata_limit(params))
    checks = [PlanCheck(name="chain id", ok=True, detail=str(ad.network.chain_id))]
    raw = ad.proposal(pid)
    if raw is None:
        raise ActionRefused(f"proposal {pid} does not exist on {ad.network.key}")
    _, fields = proposal_fields(raw, version, ad.denom.base)
    end = fields.get("end_ts")
    if fields["status"] != "active" or (end is not None and end <= time.time()):
        raise ActionRefused(f"proposal {pid} is {fields['native_status']}: votes are accepted only in its "
                            "voting period", hint="see 'polis proposals show' for its timeline")
    checks.append(PlanCheck(name="proposal state", ok=True, detail="voting period"))
    new_choice: str = option if options is None else ",".join(
        f"{o}={w.rstrip('0').rstrip('.')}" for o, w in options)
    prior = ad.vote_of(address, pid)
    if prior is not None and prior.choice() == new_choice:
        raise AlreadyDone(f"{account.name} ({address}) has already voted {new_choice.upper()} on proposal {pid}; "
                          "nothing sent")
    power = ad.voting_power(address, pid)
    if power <= 0:
        raise ActionRefused(f"{account.name} ({address}) has no bonded stake, so its vote would weigh nothing",
                            hint=f"delegate first: 'polis stake add VALIDATOR AMOUNT -n {ad.network.key}'")
    checks.append(PlanCheck(name="voting power", ok=True, detail=_fmt(ad, power)))
    if options is None:
        msg = m.vote_msg(version, pid, address, option, reason)
    else:
        msg = m.weighted_vote_msg(version, pid, address, options, reason)
    head = [f"Vote {new_choice.upper()} on {ad.network.key} proposal {pid}: {fields['title'][:80]}",
            f"with {_fmt(ad, power)} of bonded stake"]
    if prior is not None:
        head.append(f"replaces the earlier vote {prior.choice().upper()} (allowed during the voting period)")
    if reason:
        head.append(f"reason (metadata): {reason}")
    return _finalise(ad, account, address, "vote", [msg], head, checks, pid)

# --- staking ---------------------------------------------------------------------------------
def _usable_validator(ad: CosmosAdapter, valoper: str, opts: dict[str, str], role: str) -> PlanCheck:
    v = ad.validator(valoper)
    if v is None:
        raise ActionRefused(f"{role} {valoper} is not a validator on {ad.network.key}",
                            hint=f"list them with 'polis validators -n {ad.network.key}'")
    if v.jailed and opts.get("allow_jailed", "").lower() not in TRUE:
        raise ActionRefused(f"{role} {v.description.moniker or valoper} is jailed: its stake earns nothing and "
                            "may be slashed", hint="pass --opt allow_jailed=true to do it anyway")
    if v.short_status != "bonded" and not v.jailed and opts.get("allow_inactive", "").lower() not in TRUE:
        raise ActionRefused(f"{role} {v.description.moniker or valoper} is {v.short_status}, not in the active set",
                            hint="pass --opt allow_inactive=true to do it anyway")
    return PlanCheck(name=f"{role} state", ok=True,
                     detail=f"{v.description.moniker or valoper}: {v.short_status}, commission "
                            f"{Decimal(v.commission.commission_rates.rate).normalize():f}")

def _delegated(ad: CosmosAdapter, address: str, valoper: str) -> int:
    return sum(p.amount for p in ad.delegations_of(address) if p.target == valoper)

def plan_stake(ad: CosmosAdapter, account: AccountMeta, target: str, amount: int, *,
               subtarget: str | None = None, options: dict[str, str] | None = None) -> Plan:
    if subtarget:
        raise BadInput("Cosmos staking has no subnets")
    opts = _flags(options)
    val = ad.parse_valoper(target)
    if amount <= 0:
        raise BadInput("the amount must be above zero")
    address = ad.address_of(account)
    ad.check_chain()
    checks = [PlanCheck(name="chain id", ok=True, detail=str(ad.network.chain_id)),
              _usable_validator(ad, val, opts, "validator")]
    head = [f"Delegate {_fmt(ad, amount)} to {val}"]
    return _finalise(ad, account, address, "stake", [m.delegate_msg(address, val, amount, ad.denom.base)],
                          head, checks, val, spend=amount, memo=opts.get("memo", ""))

def plan_unstake(ad: CosmosAdapter, account: AccountMeta, target: str, amount: int | None, *,
                 subtarget: str | None = None, options: dict[str, str] | None = None) -> Plan:
    if subtarget:
        raise BadInput("Cosmos staking has no subnets")
    opts = _flags(options)
    val = ad.parse_valoper(target)
    if amount is not None and amount <= 0:
        raise BadInput("the amount must be above zero")
    address = ad.address_of(account)
    ad.check_chain()
    staked = _delegated(ad, address, val)
    if staked <= 0:
        raise ActionRefused(f"{account.name} has no delegation to {val}")
    amount = staked if amount is None else amount
    if amount > staked:
        raise ActionRefused(f"{account.name} has only {_fmt(ad, staked)} delegated to {val}")
    checks = [PlanCheck(name="chain id", ok=True, detail=str(ad.network.chain_id)),
              PlanCheck(name="delegation", ok=True, detail=_fmt(ad, staked))]
    head = [f"Undelegate {_fmt(ad, amount)} from {val}",
            "the amount unbonds over the chain's unbonding period, then returns to the account"]
    return _finalise(ad, account, address, "unstake", [m.undelegate_msg(address, val, amount, ad.denom.base)],
                          head, checks, val, memo=opts.get("memo", ""))

def plan_move(ad: CosmosAdapter, account: AccountMeta, source_target: str, dest_target: str,
              amount: int | None, *, source_sub: str | None = None, dest_sub: str | None = None,
              options: dict[str, str] | None = None) -> Plan:
    if source_sub or dest_sub:
        raise BadInput("Cosmos staking has no subnets")
    opts = _flags(options)
    src = ad.parse_valoper(source_target, "source validator")
    dst = ad.parse_valoper(dest_target, "destination validator")
    if src == dst:
        raise BadInput("the source and destination validators are the same")
    if amount is not None and amount <= 0:
        raise BadInput("the amount must be above zero")
    address = ad.address_of(account)
    ad.check_chain()
    staked = _delegated(ad, address, src)
    if staked <= 0:
        raise ActionRefused(f"{account.name} has no delegation to {src}")
    amount = staked if amount is None else amount
    if amount > staked:
        raise ActionRefused(f"{account.name} has only {_fmt(ad, staked)} delegated to {src}")
    checks = [PlanCheck(name="chain id", ok=True, detail=str(ad.network.chain_id)),
              PlanCheck(name="delegation", ok=True, detail=f"{_fmt(ad, staked)} on {src}"),
              _usable_validator(ad, dst, opts, "destination validator")]
    head = [f"Redelegate {_fmt(ad, amount)} from {src} to {dst}"]
    msg = m.redelegate_msg(address, src, dst, amount, ad.denom.base)
    return _finalise(ad, account, address, "move", [msg], head, checks, dst, memo=opts.get("memo", ""))

def plan_claim(ad: CosmosAdapter, account: AccountMeta, target: str | None = None, *,
               options: dict[str, str] | None = None) -> Plan:
    opts = _flags(options)
    val = ad.parse_valoper(target) if target else None
    address = ad.address_of(account)
    ad.check_chain()
    rewards = ad.rewards_of(address)
    picked = {v: r for v, r in rewards.items() if r > 0 and (val is None or v == val)}
    if val is not None and val not in rewards:
        raise ActionRefused(f"{account.name} has no delegation to {val}")
    if not picked:
        raise AlreadyDone(f"{account.name} has no rewards to withdraw" + (f" from {val}" if val else "")
                          + "; nothing sent")
    total = sum(picked.values())
    msgs = [m.withdraw_msg(address, v) for v in sorted(picked)]
    checks = [PlanCheck(name="chain id", ok=True, detail=str(ad.network.chain_id)),
              PlanCheck(name="pending rewards", ok=True, detail=f"{_fmt(ad, total)} from {len(picked)} validator(s)")]
    head = [f"Withdraw {_fmt(ad, total)} of staking rewards from {len(picked)} validator(s)"]
    return _finalise(ad, account, address, "claim", msgs, head, checks, val or "all", memo=opts.get("memo", ""))

# --- several actions, one tx -----------------------------------------------------------------
def combine(ad: CosmosAdapter, plans: list[Plan]) -> Plan:
    """One transaction (one fee, one signature) for several plans of the same account."""
    from wallet.keys.vault import AccountMeta

    if not plans:
        raise BadInput("nothing to combine")
    first = plans[0]
    if any(p.source != ad.source or p.address != first.address for p in plans):
        raise BadInput("only plans of one account on one network can share a transaction")
    msgs = [x for p in plans for x in p.payload["msgs"]]
    voted = [x["proposal_id"] for x in msgs if "gov" in x["@type"]]
    if len(voted) != len(set(voted)):
        raise BadInput("two votes on the same proposal cannot go in one transaction")
    head = [f"{len(plans)} actions in one transaction:"] + [f"- {p.payload['head'][0]}" for p in plans]
    seen: set[tuple[str, str]] = set()
    checks = []
    for p in plans:
        for c in p.payload.get("checks", []):
            key = (c["name"], c["detail"])
            if key not in seen:
                seen.add(key)
                checks.append(PlanCheck.model_validate(c))
    kinds = {p.kind for p in plans}
    meta = AccountMeta(id="", name=first.account, kind="mnemonic", addresses={})
    return _finalise(ad, meta, first.address, kinds.pop() if len(kinds) == 1 else "multi", msgs, head, checks,
                          ",".join(p.target for p in plans), spend=sum(int(p.payload.get("spend", 0)) for p in plans))
