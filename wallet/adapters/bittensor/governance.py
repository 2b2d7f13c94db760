"""Governance on Bittensor, detected from the runtime metadata, never assumed.

- Finney since October 2025 (subtensor PR #2126): no governance pallet at all. Sync records
  NO_GOVERNANCE as the source's `governance_note`, and `polis proposals list` prints it.
- The old shape (Triumvirate collective + SenateMembers): proposals are `Triumvirate.Proposals`
  (hashes) with `ProposalOf[hash]` (the call) and `Voting[hash]` (index, threshold, ayes, nays,
  end block); senators vote with `SubtensorModule.vote(hotkey, proposal, index, approve)`, signed by
  the coldkey that owns the senate hotkey.
- A referenda-style pallet (in development upstream) is detected and named, not yet read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wallet.adapters.bittensor.client import Client

NO_GOVERNANCE = ("this runtime has no on-chain governance: its metadata has no Triumvirate, Senate or "
                 "referenda pallet (Bittensor removed the Senate in October 2025); nothing to vote on")
REFERENDA_PALLETS = ("Referenda", "ConvictionVoting", "Democracy")


def detect(pallets: list[str]) -> tuple[str, str | None]:
    """("triumvirate" | "referenda" | "none", note or None)."""
    names = set(pallets)
    if "Triumvirate" in names and ("SenateMembers" in names or "TriumvirateMembers" in names):
        return "triumvirate", None
    found = sorted(names & set(REFERENDA_PALLETS))
    if found:
        return "referenda", (f"this runtime has a referenda-style governance pallet ({', '.join(found)}); "
                             "Polis does not read it yet")
    return "none", NO_GOVERNANCE


def senate(client: Client) -> list[str]:
    for pallet in ("SenateMembers", "TriumvirateMembers"):
        try:
            return [str(m) for m in client.query(pallet, "Members") or []]
        except Exception:  # the pallet is one of two names; a missing one is not an error
            continue
    return []


def proposals(client: Client) -> list[dict[str, Any]]:
    """Open Triumvirate proposals with their votes, as archive rows."""
    hashes = [str(h) for h in client.query("Triumvirate", "Proposals") or []]
    if not hashes:
        return []
    keys: list[tuple[str, str, list[Any]]] = []
    for h in hashes:
        keys += [("Triumvirate", "ProposalOf", [h]), ("Triumvirate", "Voting", [h])]
    values = client.query_multi(keys)
    head, _ = client.head()
    out = []
    for i, h in enumerate(hashes):
        call, voting = values[2 * i], values[2 * i + 1] or {}
        end = int(voting.get("end", 0))
        out.append({
            "id": h, "index": int(voting.get("index", 0)), "threshold": int(voting.get("threshold", 0)),
            "ayes": [str(a) for a in voting.get("ayes", [])], "nays": [str(a) for a in voting.get("nays", [])],
            "end_block": end, "open": end > head, "call": call, "head": head,
        })
    return out


def call_title(call: Any) -> str:
    if isinstance(call, dict) and "call_module" in call:
        return f"{call['call_module']}.{call['call_function']}"
    return "proposal"
