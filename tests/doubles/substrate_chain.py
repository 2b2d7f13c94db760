"""The state machine behind the Substrate node double: balances, dynamic-TAO staking, a Triumvirate.

Values are stored SCALE-encoded under real storage keys, so every read the wallet makes goes through
the metadata's types. Staking follows subtensor's shape: staking TAO on subnet n buys alpha from the
subnet's pool (constant product on SubnetTAO / SubnetAlphaIn; netuid 0 is 1:1), the coldkey's alpha
shares on a hotkey live in Alpha[(hotkey, coldkey, netuid)] (U64F64 bits), and errors are the
pallet's own error variants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.doubles.substrate_codec import Codec

RAO = 10**9
SHARE = 1 << 64  # U64F64 scaling


class DispatchError(Exception):
    def __init__(self, pallet: str, error: str) -> None:
        super().__init__(f"{pallet}.{error}")
        self.pallet, self.error = pallet, error


def hex32(pub: bytes) -> str:
    return "0x" + pub.hex()


@dataclass
class Event:
    pallet: str
    name: str
    attributes: Any


class Chain:
    """Storage (raw key -> raw value) plus the calls the wallet makes."""

    def __init__(self, codec: Codec) -> None:
        self.c = codec
        self.storage: dict[bytes, bytes] = {}
        self.min_stake = 2_000_000
        self.staked_in_block: set[tuple[str, str, int]] = set()
        """(hotkey, coldkey, netuid) staked to in the current block: StakingOperationRateLimiter."""

    # --- typed storage access ----------------------------------------------------------------
    def put(self, pallet: str, name: str, keys: tuple[Any, ...], value: Any) -> None:
        item = self.c.storage(pallet, name)
        self.storage[self.c.key(pallet, name, *keys)] = self.c.encode(item.value_type, value)

    def get(self, pallet: str, name: str, *keys: Any) -> Any:
        item = self.c.storage(pallet, name)
        raw = self.storage.get(self.c.key(pallet, name, *keys))
        if raw is None:
            if item.optional:
                return None
            raw = item.default
        return self.c.decode(item.value_type, raw)[0]

    def delete(self, pallet: str, name: str, *keys: Any) -> None:
        self.storage.pop(self.c.key(pallet, name, *keys), None)

    # --- accounts ------------------------------------------------------------------------------
    def account(self, who: str) -> dict[str, Any]:
        return self.get("System", "Account", who)

    def set_account(self, who: str, *, free: int | None = None, nonce: int | None = None) -> None:
        acc = self.account(who)
        if free is not None:
            acc["data"]["free"] = free
        if nonce is not None:
            acc["nonce"] = nonce
        acc["providers"] = max(acc["providers"], 1)
        self.put("System", "Account", (who,), acc)

    def free(self, who: str) -> int:
        return int(self.account(who)["data"]["free"])

    # --- subnets and hotkeys -----------------------------------------------------------------
    def add_subnet(self, netuid: int, *, name: str = "", tao: int = 0, alpha: int = 0, symbol: str = "") -> None:
        self.put("SubtensorModule", "NetworksAdded", (netuid,), True)
        self.put("SubtensorModule", "SubnetTAO", (netuid,), tao)
        self.put("SubtensorModule", "SubnetAlphaIn", (netuid,), alpha)
        self.put("SubtensorModule", "SubnetMechanism", (netuid,), 0 if netuid == 0 else 1)
        if symbol:
            self.put("SubtensorModule", "TokenSymbol", (netuid,), "0x" + symbol.encode().hex())
        if name:
            ident = {f: "0x" for f in ("subnet_name", "github_repo", "subnet_contact", "subnet_url", "discord",
                                      "description", "logo_url", "additional")}
            ident["subnet_name"] = "0x" + name.encode().hex()
            self.put("SubtensorModule", "SubnetIdentitiesV3", (netuid,), ident)
        total = self.get("SubtensorModule", "TotalNetworks")
        self.put("SubtensorModule", "TotalNetworks", (), max(total, netuid + 1))

    def add_hotkey(self, hotkey: str, owner: str, *, take: int | None = None) -> None:
        self.put("SubtensorModule", "Owner", (hotkey,), owner)
        if take is not None:
            self.put("SubtensorModule", "Delegates", (hotkey,), take)

    def price(self, netuid: int) -> tuple[int, int]:
        """(tao_in, alpha_in) of the subnet pool; root is 1:1."""
        return (int(self.get("SubtensorModule", "SubnetTAO", netuid)),
                int(self.get("SubtensorModule", "SubnetAlphaIn", netuid)))

    def alpha_of(self, hotkey: str, coldkey: str, netuid: int) -> int:
        shares = int(self.get("SubtensorModule", "Alpha", (hotkey, coldkey, netuid))["bits"])
        total_shares = int(self.get("SubtensorModule", "TotalHotkeyShares", (hotkey, netuid))["bits"])
        total_alpha = int(self.get("SubtensorModule", "TotalHotkeyAlpha", (hotkey, netuid)))
        return shares * total_alpha // total_shares if total_shares else 0

    def _change_alpha(self, hotkey: str, coldkey: str, netuid: int, delta: int) -> None:
        total_alpha = int(self.get("SubtensorModule", "TotalHotkeyAlpha", (hotkey, netuid)))
        total_shares = int(self.get("SubtensorModule", "TotalHotkeyShares", (hotkey, netuid))["bits"])
        mine = int(self.get("SubtensorModule", "Alpha", (hotkey, coldkey, netuid))["bits"])
        d_shares = delta * SHARE if not total_alpha else delta * total_shares // total_alpha
        self.put("SubtensorModule", "TotalHotkeyAlpha", ((hotkey, netuid),), total_alpha + delta)
        self.put("SubtensorModule", "TotalHotkeyShares", ((hotkey, netuid),), {"bits": total_shares + d_shares})
        if mine + d_shares <= 0:
            self.delete("SubtensorModule", "Alpha", (hotkey, coldkey, netuid))
        else:
            self.put("SubtensorModule", "Alpha", ((hotkey, coldkey, netuid),), {"bits": mine + d_shares})
        hks = self.get("SubtensorModule", "StakingHotkeys", coldkey)
        if hotkey not in hks and delta > 0:
            self.put("SubtensorModule", "StakingHotkeys", (coldkey,), [*hks, hotkey])

    def _swap_tao_for_alpha(self, netuid: int, tao: int) -> int:
        if netuid == 0:
            tin, ain = self.price(0)
            self.put("SubtensorModule", "SubnetTAO", (0,), tin + tao)
            return tao
        tin, ain = self.price(netuid)
        alpha = tao * ain // (tin + tao)
        self.put("SubtensorModule", "SubnetTAO", (netuid,), tin + tao)
        self.put("SubtensorModule", "SubnetAlphaIn", (netuid,), ain - alpha)
        return alpha

    def _swap_alpha_for_tao(self, netuid: int, alpha: int) -> int:
        tin, ain = self.price(netuid)
        tao = alpha if netuid == 0 else alpha * tin // (ain + alpha)
        self.put("SubtensorModule", "SubnetTAO", (netuid,), tin - tao)
        if netuid:
            self.put("SubtensorModule", "SubnetAlphaIn", (netuid,), ain + alpha)
        return tao

    # --- calls ---------------------------------------------------------------------------------
    def _checks(self, hotkey: str, netuid: int) -> None:
        if not self.get("SubtensorModule", "NetworksAdded", netuid):
            raise DispatchError("SubtensorModule", "SubnetNotExists")
        if self.storage.get(self.c.key("SubtensorModule", "Owner", hotkey)) is None:
            raise DispatchError("SubtensorModule", "HotKeyAccountNotExists")

    def _not_rate_limited(self, hotkey: str, who: str, netuid: int) -> None:
        if (hotkey, who, netuid) in self.staked_in_block:
            raise DispatchError("SubtensorModule", "StakingOperationRateLimitExceeded")

    def add_stake(self, who: str, hotkey: str, netuid: int, amount_staked: int, limit_price: int | None = None,
                  allow_partial: bool = False) -> list[Event]:
        self._checks(hotkey, netuid)
        self.staked_in_block.add((hotkey, who, netuid))
        if amount_staked < self.min_stake:
            raise DispatchError("SubtensorModule", "AmountTooLow")
        if self.free(who) < amount_staked:
            raise DispatchError("SubtensorModule", "NotEnoughBalanceToStake")
        if limit_price is not None and netuid:
            tin, ain = self.price(netuid)
            alpha = amount_staked * ain // (tin + amount_staked)
            if (tin + amount_staked) * RAO // max(ain - alpha, 1) > limit_price:
                if not allow_partial:
                    raise DispatchError("SubtensorModule", "SlippageTooHigh")
                # largest amount whose end price stays at the limit: (tin + x)^2 <= limit * tin * ain
                import math

                x = math.isqrt(limit_price * tin * ain // RAO) - tin
                if x < self.min_stake:
                    raise DispatchError("SubtensorModule", "SlippageTooHigh")
                amount_staked = x
        self.set_account(who, free=self.free(who) - amount_staked)
        alpha = self._swap_tao_for_alpha(netuid, amount_staked)
        self._change_alpha(hotkey, who, netuid, alpha)
        return [Event("SubtensorModule", "StakeAdded", (who, hotkey, amount_staked, alpha, netuid, 0))]

    def remove_stake(self, who: str, hotkey: str, netuid: int, amount_unstaked: int,
                     limit_price: int | None = None, allow_partial: bool = False) -> list[Event]:
        self._checks(hotkey, netuid)
        self._not_rate_limited(hotkey, who, netuid)
        have = self.alpha_of(hotkey, who, netuid)
        if amount_unstaked > have or amount_unstaked == 0:
            raise DispatchError("SubtensorModule", "NotEnoughStakeToWithdraw")
        if limit_price is not None and netuid:
            tin, ain = self.price(netuid)
            tao = amount_unstaked * tin // (ain + amount_unstaked)
            if (tin - tao) * RAO // (ain + amount_unstaked) < limit_price and not allow_partial:
                raise DispatchError("SubtensorModule", "SlippageTooHigh")
        tao = self._swap_alpha_for_tao(netuid, amount_unstaked)
        if tao < self.min_stake and amount_unstaked != have:
            raise DispatchError("SubtensorModule", "AmountTooLow")
        self._change_alpha(hotkey, who, netuid, -amount_unstaked)
        self.set_account(who, free=self.free(who) + tao)
        return [Event("SubtensorModule", "StakeRemoved", (who, hotkey, tao, amount_unstaked, netuid, 0))]

    def move_stake(self, who: str, origin_hotkey: str, destination_hotkey: str, origin_netuid: int,
                   destination_netuid: int, alpha_amount: int) -> list[Event]:
        self._checks(origin_hotkey, origin_netuid)
        self._checks(destination_hotkey, destination_netuid)
        self._not_rate_limited(origin_hotkey, who, origin_netuid)
        self.staked_in_block.add((destination_hotkey, who, destination_netuid))
        have = self.alpha_of(origin_hotkey, who, origin_netuid)
        if alpha_amount > have or alpha_amount == 0:
            raise DispatchError("SubtensorModule", "NotEnoughStakeToWithdraw")
        self._change_alpha(origin_hotkey, who, origin_netuid, -alpha_amount)
        tao = self._swap_alpha_for_tao(origin_netuid, alpha_amount)
        if tao < self.min_stake:
            raise DispatchError("SubtensorModule", "AmountTooLow")
        alpha = self._swap_tao_for_alpha(destination_netuid, tao)
        self._change_alpha(destination_hotkey, who, destination_netuid, alpha)
        return [Event("SubtensorModule", "StakeMoved",
                      (who, origin_hotkey, origin_netuid, destination_hotkey, destination_netuid, tao))]

    def unstake_all(self, who: str, hotkey: str) -> list[Event]:
        events: list[Event] = []
        for netuid in self.netuids():
            have = self.alpha_of(hotkey, who, netuid)
            if have:
                events += self.remove_stake(who, hotkey, netuid, have)
        if not events:
            raise DispatchError("SubtensorModule", "NotEnoughStakeToWithdraw")
        return events

    def netuids(self) -> list[int]:
        return [n for n in range(int(self.get("SubtensorModule", "TotalNetworks")))
                if self.get("SubtensorModule", "NetworksAdded", n)]

    def dispatch(self, who: str, pallet: str, call: str, args: dict[str, Any]) -> list[Event]:
        """Apply one call as `who`; raises DispatchError (state is restored by the caller)."""
        if pallet == "SubtensorModule":
            fn = {"add_stake": self.add_stake, "remove_stake": self.remove_stake, "move_stake": self.move_stake,
                  "unstake_all": self.unstake_all, "add_stake_limit": self.add_stake,
                  "remove_stake_limit": self.remove_stake, "vote": self.vote}.get(call)
            if fn is None:
                raise NotImplementedError(call)
            return fn(who, **args)
        if pallet == "Utility" and call == "batch_all":
            events: list[Event] = []
            for p, fn_name, fn_args in args["calls"]:  # already normalised by the node
                events += self.dispatch(who, p, fn_name, fn_args)
                events.append(Event("Utility", "ItemCompleted", ()))
            events.append(Event("Utility", "BatchCompleted", ()))
            return events
        raise NotImplementedError(f"{pallet}.{call}")

    # --- governance (only on a runtime that has the Triumvirate pallets) ---------------------------
    def vote(self, who: str, hotkey: str, proposal: str, index: int, approve: bool) -> list[Event]:
        owner = self.get("SubtensorModule", "Owner", hotkey)
        if owner != who:
            raise DispatchError("SubtensorModule", "NonAssociatedColdKey")
        members = self.get("SenateMembers", "Members")
        if hotkey not in members:
            raise DispatchError("SubtensorModule", "NotSenateMember")
        voting = self.get("Triumvirate", "Voting", proposal)
        if voting is None:
            raise DispatchError("SubtensorModule", "ProposalMissing")
        if voting["index"] != index:
            raise DispatchError("SubtensorModule", "WrongProposalIndex")
        ayes, nays = list(voting["ayes"]), list(voting["nays"])
        if (approve and hotkey in ayes) or (not approve and hotkey in nays):
            raise DispatchError("SubtensorModule", "DuplicateVote")
        ayes = [a for a in ayes if a != hotkey] + ([hotkey] if approve else [])
        nays = [a for a in nays if a != hotkey] + ([] if approve else [hotkey])
        self.put("Triumvirate", "Voting", (proposal,), {**voting, "ayes": ayes, "nays": nays})
        return []  # the old runtime emitted Triumvirate.Voted; this variant declares no events
