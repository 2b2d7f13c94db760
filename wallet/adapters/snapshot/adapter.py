"""Snapshot: off-chain proposals on a hub, votes as EIP-712 signatures posted to a sequencer.

A network of family "snapshot" names its hub (GraphQL URL, `rpc`), sequencer and score API (`extra`)
and the spaces it follows (`extra.spaces`); each followed space is an archive source
"NETWORK/SPACE" ("snapshot/ens.eth"). Votes cost no fee and have no block: the sequencer's receipt
id stands in for the transaction hash. Choice strings per vote type: see `choices`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wallet.adapters.base import Adapter, Progress, SyncReport
from wallet.adapters.snapshot import choices as sc
from wallet.adapters.snapshot import messages as eip712
from wallet.errors import ActionFailed, ActionRefused, AlreadyDone, BadInput
from wallet.models import ActionResult, Choice, Plan, PlanCheck

if TYPE_CHECKING:
    from wallet.adapters.snapshot.client import Hub, SnapshotHttp
    from wallet.cache.db import Archive
    from wallet.keys.signer import Signer
    from wallet.keys.vault import AccountMeta
    from wallet.networks import DaoConfig, NetworkConfig

SPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$"
PLAN_TTL = 240
"""Seconds a signed timestamp stays usable: the plan must be sent within this (the sequencer
refuses stale timestamps)."""


class SnapshotSettings(BaseModel):
    """`extra` of a network of family "snapshot"."""

    model_config = ConfigDict(extra="forbid")
    sequencer: str
    """Sequencer URL that takes signed envelopes (https://seq.snapshot.org)."""
    score: str
    """Score API URL answering the `get_vp` JSON-RPC method (https://score.snapshot.org)."""
    spaces: list[str] = Field(default_factory=list)
    """Followed spaces, each an archive source NETWORK/SPACE."""
    api_key_env: str = "SNAPSHOT_API_KEY"
    """Environment variable holding an API key (sent as X-API-KEY; raises the hub's rate limit)."""
    api_key: str = ""
    """An API key written in the networks file (the environment variable wins)."""
    app: str = "polis"
    """The `app` field of signed votes."""
    page_size: int = Field(default=1000, ge=1, le=1000)
    """Rows per hub page (the hub serves at most 1,000)."""
    retries: int = Field(default=4, ge=0, le=10)
    backoff: float = Field(default=0.5, gt=0)
    """First retry delay in seconds when no Retry-After is given; doubles each time."""
    max_wait: float = Field(default=60.0, gt=0)
    """Longest Retry-After honoured; longer waits fail with a hint to set an API key."""
    timeout: float = Field(default=20.0, gt=0)

    def key(self) -> str:
        return os.environ.get(self.api_key_env, "") or self.api_key


def settings_of(network: NetworkConfig) -> SnapshotSettings:
    import re

    try:
        s = SnapshotSettings.model_validate(network.extra)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"network {network.key!r}: extra.{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    bad = [sp for sp in s.spaces if not re.match(SPACE_PATTERN, sp)]
    if bad:
        raise BadInput(f"network {network.key!r}: not a space id: {bad[0]!r}")
    return s


class SnapshotAdapter(Adapter):
    NAME = "snapshot"
    KEY_SCHEME = "evm"
    OFFCHAIN = True
    WEIGHTED_VOTES = True
    VOTE_REASON = True
    VOTE_CHOICES: ClassVar[tuple[tuple[str, str], ...]] = ()

    @classmethod
    def quorum_choices(cls, proposal: Mapping[str, Any], source: Mapping[str, Any] | None = None
                       ) -> frozenset[str] | None:
        """The space's own quorum setting: the hub counts every choice (scores_total) unless the proposal's
        quorum type is "optimistic", where only the second choice (against) counts."""
        extra = proposal.get("extra") or {}
        if str(extra.get("quorum_type") or "") == "optimistic":
            tally = proposal.get("tally") or []
            return frozenset({str(tally[1]["choice"]).lower()}) if len(tally) > 1 else frozenset()
        return None

    @classmethod
    def read_choice(cls, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                    weights: dict[str, str] | None = None) -> str:
        """Snapshot choices are 1-based numbers into the proposal's own list (1 = the first choice)."""
        kind = vote_type or "single-choice"
        value = sc.parse(kind, list(labels), choice, weights)
        nums = value if isinstance(value, list) else [value] if isinstance(value, int) else []
        numbered = ", ".join(f"#{i}" for i in nums)
        return sc.label(kind, list(labels), value) + (f" ({numbered})" if numbered else "")

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        super().__init__(network, dao, rpc_url=rpc_url, source=source)
        net_key, _, space = self.source.partition("/")
        if not space:
            raise BadInput(f"name a space: {net_key}/SPACE")
        self.space = space
        self.settings = settings_of(network)
        self._http: SnapshotHttp | None = None
        self._hub: Hub | None = None
        self._receipts: dict[str, dict[str, Any]] = {}

    # --- plumbing --------------------------------------------------------------------------------
    @property
    def http(self) -> SnapshotHttp:
        if self._http is None:
            from wallet.adapters.snapshot.client import SnapshotHttp

            s = self.settings
            self._http = SnapshotHttp(api_key=s.key(), timeout=s.timeout, retries=s.retries, backoff=s.backoff,
                                      max_wait=s.max_wait)
        return self._http

    @property
    def hub(self) -> Hub:
        if self._hub is None:
            from wallet.adapters.snapshot.client import Hub

            self._hub = Hub(self.http, self.rpc_url)
        return self._hub

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
            self._hub = None

    def check_chain(self) -> None:
        """No chain: check that the hub knows this space instead."""
        if self.hub.space(self.space) is None:
            raise ActionRefused(f"the hub at {self.rpc_url} has no space {self.space!r}")

    # --- reads -----------------------------------------------------------------------------------
    def sync(self, archive: Archive, progress: Progress | None = None) -> SyncReport:
        from wallet.adapters.snapshot.sync import sync_space

        return sync_space(self, archive, progress)

    def _proposal(self, proposal_id: str) -> dict[str, Any]:
        p = self.hub.proposal(proposal_id)
        if not p:
            raise BadInput(f"the hub has no proposal {proposal_id}")
        space = (p.get("space") or {}).get("id") if isinstance(p.get("space"), dict) else None
        if space and space != self.space:
            raise BadInput(f"proposal {proposal_id} belongs to space {space!r}, not {self.space!r}")
        return p

    def _vp(self, address: str, p: dict[str, Any]) -> int:
        """Power at the proposal's snapshot in base units of 10^-18 VP (score API get_vp)."""
        from wallet.adapters.snapshot.client import get_vp

        return get_vp(self.http, self.settings.score, address=address, space=self.space,
                      network=str(p.get("network") or "1"), strategies=list(p.get("strategies") or []),
                      snapshot=p.get("snapshot"))

    def voting_power(self, address: str, proposal_id: str) -> int:
        return self._vp(address, self._proposal(proposal_id))

    def has_voted(self, address: str, proposal_id: str) -> bool:
        return self.hub.my_vote(proposal_id, address) is not None

    def choices(self, proposal_id: str | None = None) -> list[Choice]:
        if proposal_id is None:
            return []
        p = self._proposal(proposal_id)
        return [Choice(key=str(i + 1), label=str(c)) for i, c in enumerate(p.get("choices") or [])]

    # --- writes ----------------------------------------------------------------------------------
    def plan_vote(self, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
                  weights: dict[str, str] | None = None) -> Plan:
        import json

        from wallet.adapters.snapshot.sync import VP_DECIMALS
        from wallet.units import Denom, format_amount

        address = self.address_of(account)
        p = self._proposal(proposal_id)
        kind = str(p.get("type") or "single-choice")
        labels = [str(c) for c in p.get("choices") or []]
        # The choice is checked before any other network read: a bad one never costs a round trip more.
        value = sc.parse(kind, labels, choice, weights)
        shown = sc.label(kind, labels, value)
        checks = [PlanCheck(name="choice", ok=True, detail=f"valid {kind} choice")]
        now = int(time.time())
        start, end = int(p.get("start") or 0), int(p.get("end") or 0)
        if p.get("state") != "active" or not start <= now < end:
            raise ActionRefused(f"proposal {proposal_id} is {p.get('state') or 'unknown'}, not active: voting runs "
                                f"{_day(start)} → {_day(end)}", hint="see 'polis proposals show' for its window")
        checks.append(PlanCheck(name="proposal state", ok=True, detail=f"active until {_day(end)}"))
        if p.get("privacy") == "shutter":
            raise ActionRefused(f"proposal {proposal_id} uses shutter-encrypted voting, which Polis cannot sign yet",
                                hint="vote on snapshot.box for this one")
        vp = self._vp(address, p)
        if vp <= 0:
            raise ActionRefused(f"{account.name} ({address}) has no voting power in {self.space} at snapshot "
                                f"{p.get('snapshot') or 'latest'}")
        vp_denom = Denom("VP", "base", VP_DECIMALS)
        vp_text = format_amount(vp, vp_denom, max_decimals=4)
        checks.append(PlanCheck(name="voting power", ok=True, detail=f"{vp_text} (score API get_vp)"))
        prior = self.hub.my_vote(proposal_id, address)
        if prior is not None and sc.same(kind, prior.get("choice"), value) and str(prior.get("reason") or "") == reason:
            raise AlreadyDone(f"{account.name} ({address}) already voted {shown} on {proposal_id}; nothing sent")
        message = {"from": address, "space": self.space, "timestamp": now, "proposal": proposal_id,
                   "choice": value, "reason": reason, "app": self.settings.app, "metadata": "{}"}
        doc = eip712.document(message, kind)
        digest = "0x" + eip712.digest(doc).hex()
        title = str(p.get("title") or "")
        summary = [
            f"Vote on {self.space} proposal {proposal_id[:12]}…: {title[:80]}",
            f"choice ({kind}): {shown}",
            f"signed choice value: {json.dumps(value) if not isinstance(value, str) else value}",
            f"with {vp_text} of voting power",
            f"from {account.name} {address}",
            f"signs EIP-712 Vote (domain snapshot 0.1.4, types of snapshot.js ≥ {eip712.SNAPSHOT_JS_LAYOUT}, "
            f"app {self.settings.app}, timestamp {now}), digest {digest}",
            f"posted to {self.settings.sequencer}; off-chain, no fee; send within {PLAN_TTL // 60} minutes",
        ]
        if reason:
            summary.insert(2, f"reason: {reason}")
        if prior is not None:
            summary.append(f"replaces the earlier vote: {sc.label(kind, labels, prior.get('choice'))}")
        return Plan(kind="vote", network=self.network.key, source=self.source, account=account.name, address=address,
                    summary=summary, checks=checks, fee_estimate=None, fee_symbol="", fee_decimals=0,
                    payload={"document": doc, "digest": digest, "vote_type": kind, "choices": labels,
                             "label": shown, "vp": str(vp), "proposal": proposal_id},
                    target=proposal_id)

    def submit(self, plan: Plan, signer: Signer) -> str:
        from wallet.adapters.snapshot.client import post_envelope

        if signer.address.lower() != plan.address.lower():
            raise ActionRefused("the unlocked key does not match the planned voter")
        doc = plan.payload["document"]
        age = time.time() - int(doc["message"]["timestamp"])
        if age > PLAN_TTL:
            raise ActionRefused(f"this plan is {int(age)} s old; the sequencer refuses stale timestamps",
                                hint="plan the vote again")
        from wallet.keys.signer import EvmSigning, wrong_scheme

        if not isinstance(signer, EvmSigning):  # EIP-712 typed data: an EVM signer's
            raise wrong_scheme(signer, "EVM (EIP-712)")
        sig = bytes(signer.sign_typed_data(doc))
        digest = bytes.fromhex(plan.payload["digest"][2:])
        if eip712.digest(doc) != digest or eip712.recover(digest, sig).lower() != plan.address.lower():
            raise ActionFailed("the signature does not recover the voter over the planned digest; nothing was sent")
        envelope = {"address": plan.address, "sig": "0x" + sig.hex(),
                    "data": {"domain": doc["domain"], "types": {"Vote": doc["types"]["Vote"]},
                             "message": doc["message"]}}
        receipt = post_envelope(self.http, self.settings.sequencer, envelope)
        self._receipts[str(receipt["id"])] = receipt
        return str(receipt["id"])

    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult:
        """The sequencer's receipt is final; wait (briefly) until the hub serves the vote too."""
        deadline = time.monotonic() + min(timeout, 30.0)
        delay = 0.1
        indexed = None
        while True:
            indexed = self.hub.my_vote(plan.target, plan.address)
            if indexed is not None and str(indexed.get("id")) == tx_hash:
                break
            if time.monotonic() > deadline:
                indexed = None
                break
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        receipt = self._receipts.get(tx_hash, {})
        return ActionResult(plan=plan, ok=True, tx_hash=tx_hash, block=None, fee_paid=0,
                            detail={"receipt": receipt, "indexed": indexed is not None,
                                    "created": (indexed or {}).get("created")})

    def record(self, archive: Archive, result: ActionResult) -> None:
        """Store the user's vote at once (with the receipt id as its tx), whether or not the hub has it yet."""
        from wallet.cache import store

        if not result.ok:
            return
        plan = result.plan
        msg = plan.payload["document"]["message"]
        row = (self.source, plan.target, plan.address, plan.payload["label"], plan.payload["vp"], msg["reason"],
               None, result.tx_hash, None, int(result.detail.get("created") or msg["timestamp"]))
        with archive.conn:
            store.insert_votes(archive, [row])
            store.refresh_vote_counts(archive, self.source, [plan.target])


def _day(ts: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC") if ts else "?"
