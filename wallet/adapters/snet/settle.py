"""Settling a TokenStake action an earlier process left unfinished, one step at a time.

A stake plan is several transactions (approve, then submitStake). `SnetStakeAdapter.submit` journals each
step's hash and signed bytes before they leave (`Adapter.signed`, detail `step`, `of`, `label`, `earlier`),
so the journal always holds the latest step that may have gone out. It is settled as any EVM transaction
(wallet/adapters/evm/resend.py: by receipt; bytes the node does not know are sent again, same nonce):

- the final step included: the action is done (confirmed, nothing new is sent);
- an earlier step included (the approve), the ones after it never signed: the attempt is over without the
  action ("dropped"), so the action is planned afresh; the fresh plan sees the allowance the approve left
  and has no approve step (and `submit` skips an approve the allowance no longer needs), so the approve
  lands once and the next step goes once;
- still in the node's mempool: pending, nothing new is signed; reverted: failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wallet.adapters.snet.adapter import SnetStakeAdapter
    from wallet.models import ActionResult, Plan


def step_detail(k: int, of: int, label: str, earlier: list[str], nonce: int, raw: bytes) -> dict[str, Any]:
    """What the journal keeps about step `k` (0-based) of `of`, before its bytes leave."""
    return {"step": k, "of": of, "label": label, "earlier": list(earlier), "nonce": nonce, "raw": raw.hex()}


def look_up(ad: SnetStakeAdapter, plan: Plan, tx_hash: str, journaled: dict[str, Any], *,
            timeout: float) -> ActionResult:
    from wallet.adapters.evm import resend
    from wallet.models import ActionResult

    earlier = [h for h in journaled.get("earlier") or [] if isinstance(h, str)]
    ad.remember_steps(tx_hash, [*earlier, tx_hash])
    result = resend.look_up(ad, plan, tx_hash, journaled, timeout=timeout)
    k, of = journaled.get("step"), journaled.get("of")
    if not isinstance(k, int) or not isinstance(of, int) or k == of - 1 or not result.ok:
        return result  # the final step (or a one-transaction entry): its outcome is the action's
    label = journaled.get("label") or "step"
    what = (f"step {k + 1} of {of} ({label}, tx {tx_hash}) is included in block {result.block}"
            if k < of else f"the {label} (tx {tx_hash}) after a failed step is included in block {result.block}")
    return ActionResult(plan=plan, ok=False, tx_hash=tx_hash, fee_paid=result.fee_paid,
                        error=f"{what}; the steps after it were not sent", detail={"steps": [*earlier, tx_hash]})
