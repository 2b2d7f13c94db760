"""Plans of the Bittensor adapter: what will be signed, and the checks that must pass first. Plain
functions of the adapter they plan for (BittensorAdapter's plan_* methods call them).

Before any signature: the node's genesis hash is the network's; the hotkey is registered (Owner) and
the subnet exists (NetworksAdded); the amount is at least the minimum stake (the chain's
NominatorMinRequiredStake, never less than the preset's `min_stake`); the free balance covers amount
+ fee (from TransactionPaymentApi.query_info) and still leaves the existential deposit; an unstake or
move does not exceed the alpha held. Amounts are rao (TAO × 10⁹); unstake/move amounts are the TAO
value to take out, converted to alpha at the current price, unless `--opt alpha=true`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from wallet.errors import ActionRefused, AlreadyDone, BadInput
from wallet.models import Plan, PlanCheck

if TYPE_CHECKING:
    from wallet.adapters.bittensor.adapter import BittensorAdapter
    from wallet.keys.vault import AccountMeta


def _netuid(text: str | None, default: int | None = 0) -> int:
    if text is None or text == "":
        if default is None:
            raise BadInput("name the subnet with --subnet NETUID")
        return default
    try:
        n = int(str(text).removeprefix("subnet:"))
    except ValueError:
        raise BadInput(f"a subnet is a netuid number, not {text!r}") from None
    if not 0 <= n < 65536:
        raise BadInput(f"netuid out of range: {n}")
    return n


def _alpha(n: int, symbol: str = "") -> str:
    from wallet.units import Denom, format_amount

    return format_amount(n, Denom(symbol or "α", "", 9))


def _fmt(ad: BittensorAdapter, rao: int) -> str:
    from wallet.units import format_amount

    return format_amount(rao, ad.network.denom.denom())


def _base(ad: BittensorAdapter, account: AccountMeta) -> tuple[str, str, list[PlanCheck]]:
    address = ad.address_of(account)
    genesis = ad.client.check_chain()
    return address, genesis, [PlanCheck(name="chain", ok=True,
                                        detail=f"genesis {genesis[:18]}… matches {ad.network.key}")]


def _min_stake(ad: BittensorAdapter) -> int:
    chain_min = int(ad.client.query("SubtensorModule", "NominatorMinRequiredStake") or 0)
    return max(chain_min, ad.extra.min_stake)


def _target_checks(ad: BittensorAdapter, hotkey: str, netuid: int, checks: list[PlanCheck]) -> Any:
    from wallet.adapters.bittensor import reads as reads

    owner, added = ad.client.query_multi([("SubtensorModule", "Owner", [hotkey]),
                                            ("SubtensorModule", "NetworksAdded", [netuid])])
    if not added:
        raise ActionRefused(f"subnet {netuid} does not exist on {ad.network.key}")
    from wallet.keys.substrate_keys import ss58_encode

    if not owner or str(owner) in (ss58_encode(b"\0" * 32), "0x" + "00" * 32):  # Owner's default: nobody
        raise ActionRefused(f"hotkey {hotkey} is not registered on {ad.network.key}",
                            hint="pick one from 'polis validators -n bittensor'")
    checks.append(PlanCheck(name="hotkey", ok=True, detail=f"registered (owner {str(owner)[:10]}…)"))
    return reads.subnets(ad.client, [netuid])[netuid]


def _era(ad: BittensorAdapter, era: int | None) -> int:
    """The mortal period to sign with: `--opt era=N` or the network's; at most the runtime's
    BlockHashCount (an older birth block's hash is gone, and the node would call it ancient)."""
    period = int(era or ad.extra.era_period)
    kept = int(ad.client.constant("System", "BlockHashCount") or 0)
    if kept and period > kept:
        raise BadInput(f"era={period} is longer than the {kept:,} block hashes this runtime keeps "
                       f"(System.BlockHashCount); give a power of two up to {1 << (kept.bit_length() - 1):,}")
    return period


def _finish(ad: BittensorAdapter, kind: str, account: AccountMeta, address: str, genesis: str, calls: list[Any],
            summary: list[str], checks: list[PlanCheck], target: str, *, spend: int = 0,
            era: int | None = None) -> Plan:
    from wallet.adapters.bittensor import messages as tx
    from wallet.adapters.bittensor import reads as reads
    from wallet.keys.substrate_keys import ss58_decode

    era_period = _era(ad, era)
    fee = tx.fee_of(ad.client, calls, ss58_decode(address), address, era_period)
    from wallet.fees import FeeQuote

    quote = FeeQuote(max_fee=fee)
    cap_check = ad.fee_check(quote)  # the payment info over the cap: FeeRefused, nothing signed
    free = reads.holdings(ad.client, address, only=[]).free
    ed = int(ad.client.constant("Balances", "ExistentialDeposit") or 0)
    left = free - spend - fee
    if left < ed:
        raise ActionRefused(
            f"{address} has {_fmt(ad, free)} free; {_fmt(ad, spend)} + fee {_fmt(ad, fee)} would leave "
            f"{_fmt(ad, max(left, 0))}, below the existential deposit of {_fmt(ad, ed)}",
            hint="stake less, so the account keeps the existential deposit")
    checks.append(PlanCheck(name="balance", ok=True, detail=f"{_fmt(ad, free)} free; keeps ≥ {_fmt(ad, ed)} "
                            f"(existential deposit) after fee {_fmt(ad, fee)}"))
    checks.append(cap_check)
    summary = summary + [f"calls: {tx.describe(c)}" for c in calls]
    summary.append(f"signed by {address}; mortal era {era_period} blocks; nonce read at signing "
                   "(system_accountNextIndex)")
    symbol, decimals = ad._symbol()
    return Plan(kind=kind, network=ad.network.key, source=ad.source, account=account.name, address=address,
                summary=summary, checks=checks, fee_estimate=fee, fee_symbol=symbol, fee_decimals=decimals,
                payload={"calls": [list(c) for c in calls], "genesis": genesis, "spend": spend,
                         "era_period": era_period, "fee_quote": quote.as_dict()},
                target=target)


def _held(ad: BittensorAdapter, address: str, hotkey: str, netuid: int) -> tuple[int, Any]:
    from wallet.adapters.bittensor import reads as reads

    held = reads.holdings(ad.client, address, only=[netuid])
    for p in held.positions:
        if p.hotkey == hotkey and p.netuid == netuid:
            return p.alpha, p.subnet
    return 0, reads.subnets(ad.client, [netuid])[netuid]


def _alpha_for(ad: BittensorAdapter, amount: int, opts: dict[str, Any], price: Fraction) -> int:
    if opts.get("alpha"):
        return amount
    if not price:
        raise ActionRefused("this subnet has no price yet; give the amount in alpha with --opt alpha=true")
    return int(Fraction(amount) / price)


# --- stake ---------------------------------------------------------------------------------
def plan_stake(ad: BittensorAdapter, account: AccountMeta, target: str, amount: int, *,
               subtarget: str | None = None, options: dict[str, str] | None = None) -> Plan:
    from wallet.adapters.bittensor import messages as tx

    opts = tx.parse_options(options)
    hotkey, netuid = ad._ss58(target), _netuid(subtarget)
    if amount <= 0:
        raise BadInput("the amount must be positive")
    address, genesis, checks = _base(ad, account)
    sn = _target_checks(ad, hotkey, netuid, checks)
    minimum = _min_stake(ad, )
    if amount < minimum:
        raise ActionRefused(f"{_fmt(ad, amount)} is below the minimum stake of {_fmt(ad, minimum)}")
    checks.append(PlanCheck(name="minimum stake", ok=True, detail=f"≥ {_fmt(ad, minimum)}"))
    limit = tx.limit_price(opts, sn.price, buying=True) if netuid else None
    call = tx.add_stake(hotkey, netuid, amount, limit, bool(opts.get("allow_partial")))
    expect = int(Fraction(amount) / sn.price) if sn.price else 0
    summary = [f"stake {_fmt(ad, amount)} ({amount} rao) on hotkey {hotkey}, subnet {netuid}"
               + (f" ({sn.name})" if sn.name else ""),
               f"expect ≈ {_alpha(expect, sn.symbol)} at {sn.price_text()} TAO/α (before slippage)"]
    if limit is not None:
        partial = "allowed" if opts.get("allow_partial") else "refused"
        summary.append(f"limit price {_alpha(limit, 'TAO/α')}, partial fill {partial}")
    return _finish(ad, "stake", account, address, genesis, [call], summary, checks, hotkey, spend=amount,
                        era=opts.get("era"))


def plan_unstake(ad: BittensorAdapter, account: AccountMeta, target: str, amount: int | None, *,
                 subtarget: str | None = None, options: dict[str, str] | None = None) -> Plan:
    from wallet.adapters.bittensor import messages as tx
    from wallet.adapters.bittensor import reads as reads

    opts = tx.parse_options(options)
    hotkey = ad._ss58(target)
    address, genesis, checks = _base(ad, account)
    if amount is None and subtarget is None:
        held = [p for p in reads.holdings(ad.client, address).positions if p.hotkey == hotkey]
        if not held:
            raise AlreadyDone(f"{address} has no stake on {hotkey}: nothing to unstake")
        total = sum(p.tao_value for p in held)
        summary = [f"unstake everything on hotkey {hotkey}: {len(held)} subnet(s), ≈ {_fmt(ad, total)}"]
        return _finish(ad, "unstake", account, address, genesis, [tx.unstake_all(hotkey)], summary, checks,
                            hotkey, era=opts.get("era"))
    netuid = _netuid(subtarget)
    have, sn = _held(ad, address, hotkey, netuid)
    if not have:
        raise AlreadyDone(f"{address} has no stake on {hotkey} in subnet {netuid}")
    alpha = have if amount is None else _alpha_for(ad, amount, opts, sn.price)
    if alpha > have:
        raise ActionRefused(f"only {_alpha(have)} staked on {hotkey} in subnet {netuid}")
    value = int(alpha * sn.price)
    minimum = _min_stake(ad, )
    if alpha < have and value < minimum:
        raise ActionRefused(f"{_fmt(ad, value)} is below the minimum stake of {_fmt(ad, minimum)}")
    limit = tx.limit_price(opts, sn.price, buying=False) if netuid else None
    call = tx.remove_stake(hotkey, netuid, alpha, limit, bool(opts.get("allow_partial")))
    summary = [f"unstake {_alpha(alpha, sn.symbol)} (≈ {_fmt(ad, value)}) from hotkey {hotkey}, subnet {netuid}"]
    return _finish(ad, "unstake", account, address, genesis, [call], summary, checks, hotkey,
                        era=opts.get("era"))


def plan_move(ad: BittensorAdapter, account: AccountMeta, source_target: str, dest_target: str,
              amount: int | None, *,
              source_sub: str | None = None, dest_sub: str | None = None,
              options: dict[str, str] | None = None) -> Plan:
    from wallet.adapters.bittensor import messages as tx

    opts = tx.parse_options(options)
    if "limit_price" in opts or "tolerance" in opts:
        raise BadInput("move_stake takes no price limit on this runtime; unstake and stake with limits instead")
    origin, dest = ad._ss58(source_target), ad._ss58(dest_target)
    on = _netuid(source_sub)
    dn = _netuid(dest_sub, on)
    if origin == dest and on == dn:
        raise BadInput("origin and destination are the same hotkey and subnet")
    address, genesis, checks = _base(ad, account)
    _target_checks(ad, dest, dn, checks)
    have, sn = _held(ad, address, origin, on)
    if not have:
        raise ActionRefused(f"{address} has no stake on {origin} in subnet {on}")
    alpha = have if amount is None else _alpha_for(ad, amount, opts, sn.price)
    if alpha > have:
        raise ActionRefused(f"only {_alpha(have)} staked on {origin} in subnet {on}")
    value = int(alpha * sn.price)
    minimum = _min_stake(ad, )
    if value < minimum:
        raise ActionRefused(f"{_fmt(ad, value)} is below the minimum stake of {_fmt(ad, minimum)}")
    call = tx.move_stake(origin, dest, on, dn, alpha)
    summary = [f"move {_alpha(alpha, sn.symbol)} (≈ {_fmt(ad, value)}) from {origin} subnet {on} "
               f"to {dest} subnet {dn}"]
    return _finish(ad, "move", account, address, genesis, [call], summary, checks, dest, era=opts.get("era"))


def combine(ad: BittensorAdapter, plans: list[Plan]) -> Plan:
    """Several plans of one account in one Utility.batch_all: one fee, all or nothing."""
    if not plans:
        raise BadInput("nothing to combine")
    if len({(p.account, p.address, p.network) for p in plans}) != 1:
        raise BadInput("only plans of one account on one network can share a transaction")
    if any(p.kind == "vote" for p in plans):
        raise BadInput("votes are not batched with stake operations")
    first = plans[0]
    calls = [tuple(c) for p in plans for c in p.payload["calls"]]
    from wallet.adapters.bittensor import messages as tx

    clash = tx.rate_limit_conflict([(str(c[0]), str(c[1]), dict(c[2])) for c in calls])
    if clash is not None:
        staked, unstaked = clash
        raise ActionRefused(
            f"this batch stakes ({tx.describe(staked)}) and then unstakes ({tx.describe(unstaked)}) the same "
            "hotkey and subnet in one block: subtensor's staking rate limiter refuses the second "
            "(StakingOperationRateLimitExceeded), so the whole batch_all would revert with the fee paid",
            hint="send them in separate transactions (a batch run does so when they cannot share one), "
                 "or drop one of them")
    summary = [f"one Utility.batch_all of {len(calls)} calls (all or nothing):"]
    summary += [f"  {line}" for p in plans for line in p.summary if not line.startswith(("calls:", "signed by"))]
    checks = [c for p in plans for c in p.checks if c.name not in ("balance",)]
    from wallet.keys.vault import AccountMeta

    meta = AccountMeta(id="", name=first.account, kind="watch", addresses={"substrate": first.address})
    address, genesis, _ = _base(ad, meta)
    return _finish(ad, "batch", meta, address, genesis, [c for c in calls], summary, checks,
                        ",".join(p.target for p in plans), spend=sum(int(p.payload.get("spend", 0)) for p in plans),
                        era=min(int(p.payload.get("era_period") or ad.extra.era_period) for p in plans))


# --- governance ----------------------------------------------------------------------------
def senate_hotkey(ad: BittensorAdapter, coldkey: str, *, required: bool = True) -> str | None:
    from wallet.adapters.bittensor import governance as gov

    if ad._governance()[0] != "triumvirate":
        return None
    members = gov.senate(ad.client)
    owners = ad.client.query_multi([("SubtensorModule", "Owner", [m]) for m in members])
    for m, owner in zip(members, owners, strict=False):
        if str(owner) == coldkey:
            return m
    if required:
        raise ActionRefused(f"no senate hotkey of {coldkey} is a member of the Senate: only senators vote")
    return None


def plan_vote(ad: BittensorAdapter, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
              weights: dict[str, str] | None = None) -> Plan:
    from wallet.adapters.bittensor import governance as gov

    kind, note = ad._governance()
    if kind != "triumvirate":
        raise ActionRefused(note or gov.NO_GOVERNANCE)
    c = choice.strip().lower()
    if c not in ("aye", "nay", "yes", "no", "for", "against"):
        raise BadInput(f"unknown choice {choice!r}: use aye or nay")
    approve = c in ("aye", "yes", "for")
    address, genesis, checks = _base(ad, account)
    props = {p["id"]: p for p in gov.proposals(ad.client)}
    p = props.get(proposal_id)
    if p is None:
        raise ActionRefused(f"proposal {proposal_id} is not open in the Triumvirate")
    if not p["open"]:
        raise ActionRefused(f"voting on {proposal_id} ended at block {p['end_block']}")
    hotkey = senate_hotkey(ad, address)
    assert hotkey is not None
    if hotkey in (p["ayes"] if approve else p["nays"]):
        raise AlreadyDone(f"{hotkey} already voted {'aye' if approve else 'nay'} on {proposal_id}")
    checks.append(PlanCheck(name="senator", ok=True, detail=f"hotkey {hotkey} is in the Senate"))
    call = ("SubtensorModule", "vote", {"hotkey": hotkey, "proposal": proposal_id, "index": p["index"],
                                       "approve": approve})
    summary = [f"vote {'AYE' if approve else 'NAY'} on Triumvirate proposal {proposal_id} (index {p['index']}) "
               f"as senator {hotkey}"]
    plan = _finish(ad, "vote", account, address, genesis, [call], summary, checks, proposal_id)
    plan.payload["choice"] = "aye" if approve else "nay"
    return plan
