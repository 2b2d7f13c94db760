"""What the TokenStake contract does not protect a staker from, checked before anything is signed.

- `requestForClaim` assigns: `claimable[i] = approved` (opt out) or `approved = claimable[i]` (renew).
  A staker holds one approved amount (the current window's) and one claimable amount per window, and a
  new window may open during the previous one's claim-request period; so a request can replace an
  amount that is still owed, and nothing can claim it afterwards. `overwrite_refusal` names both
  amounts and what to do first.
- Periods are judged by the block that includes a transaction, later than the latest block a plan
  reads; `near_end` refuses a step that would land within a margin of its period's end.
- `probe` refuses a contract that does not answer the phase-2 TokenStake views with their exact
  shapes (the phase-1 contract answers `stakeMap` and `getStakeInfo` with other layouts).
"""

from __future__ import annotations

from collections.abc import Callable

from wallet.adapters.snet.windows import StakeInfo, Window, day
from wallet.errors import ActionRefused


def overwrite_refusal(idx: int, w: Window, info: StakeInfo, auto: bool, cur: int, w_cur: Window,
                      fmt: Callable[[int], str]) -> ActionRefused | None:
    """The refusal for requestForClaim(idx, auto) when its assignment would lose an amount, else None."""
    if not (info.claimable and info.approved):
        return None
    where = f"window #{cur}" if cur != idx else f"window #{idx}"
    if not auto:
        return ActionRefused(
            f"window #{idx} already holds {fmt(info.claimable)} requested for claim; requestForClaim({idx}, false) "
            f"would set it to the {fmt(info.approved)} approved now (staked in {where}), and the "
            f"{fmt(info.claimable)} could then never be claimed by any call",
            hint=f"first claim the {fmt(info.claimable)} from window #{idx} after {day(w.end)} "
                 f"(polis stake claim {idx}); then request the {fmt(info.approved)} for claim in window #{cur}'s "
                 f"claim period, {day(w_cur.request_withdraw_start)} → {day(w_cur.end)}")
    return ActionRefused(
        f"renewing the {fmt(info.claimable)} requested for claim in window #{idx} would replace the "
        f"{fmt(info.approved)} approved now (staked in {where}): requestForClaim({idx}, true) sets the approved "
        f"amount to {fmt(info.claimable)}, and the {fmt(info.approved)} could then never be claimed",
        hint=f"keep the {fmt(info.approved)} staked and claim the {fmt(info.claimable)} from window #{idx} after "
             f"{day(w.end)} (polis stake claim {idx}); stake it again in a later window to keep it staked")


def near_end(label: str, period: str, ends: int, now: int, margin: int, *, steps: int = 1) -> None:
    """ActionRefused when `ends` (inclusive) is closer than `margin` seconds per transaction."""
    need = margin * steps
    if ends - now < need:
        left = max(ends - now, 0)
        raise ActionRefused(
            f"{label}: the {period} period ends {day(ends)}, {left} s after the latest block; "
            f"{steps} transaction(s) sent now may be included after it and revert (fee paid"
            + (", allowance left" if steps > 1 else "") + ")",
            hint=f"Polis keeps a margin of {margin} s per transaction (extra.period_margin); act earlier, "
                 "or in the next window")


def probe(total: bytes, window: bytes, info: bytes, contract: str) -> None:
    """ActionRefused unless windowTotalStake(), stakeMap(i) and getStakeInfo(i, a) answer as phase 2 does:
    1, 8 and 5 words, with the booleans 0 or 1."""
    def words(b: bytes) -> list[int]:
        return [int.from_bytes(b[k:k + 32], "big") for k in range(0, len(b), 32)]

    ok = (len(total) == 32 and len(window) == 8 * 32 and len(info) == 5 * 32
          and words(window)[6] in (0, 1) and words(info)[0] in (0, 1))
    if not ok:
        raise ActionRefused(
            f"the contract at {contract} does not answer the TokenStake (snet-stake phase 2) views: "
            f"windowTotalStake {len(total)} bytes, stakeMap {len(window)} bytes, getStakeInfo {len(info)} bytes "
            "(expected 32, 256, 160); it may be the phase-1 TokenStake or another contract, whose amounts Polis "
            "would misread",
            hint="check extra.stake_contract of this network")
