"""Fixtures of the Snapshot tests: the hub + sequencer + score double, the followed spaces, a voter
key in the vault, and open proposals of every vote type."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.doubles.snapshot_hub import SIDEKICK_SPACE, SnapshotDouble

KEY_HEX = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
SOURCE = f"snapshot/{SIDEKICK_SPACE}"
SIDEKICK_VOTES = 549 + 2 + 46 + 1175 + 219 + 243


@pytest.fixture
def snap() -> Iterator[SnapshotDouble]:
    d = SnapshotDouble().start()
    try:
        yield d
    finally:
        d.stop()


def configure(snap: SnapshotDouble, **extra: object) -> None:
    from wallet import networks

    networks.set_user_table("snapshot", {"rpc": [snap.url + "/graphql"], "extra": {
        "sequencer": snap.url + "/sequencer", "score": snap.url + "/score", "spaces": [],
        "backoff": 0.05, "max_wait": 5.0, **extra}})


@pytest.fixture
def followed(snap: SnapshotDouble, cli) -> SnapshotDouble:  # type: ignore[no-untyped-def]
    configure(snap)
    r = cli("networks", "add", SOURCE, "--json")
    assert r.code == 0, r.err
    assert r.json() == {"network": "snapshot", "space": SIDEKICK_SPACE, "source": SOURCE, "followed": True,
                        "added": True}
    return snap


VOTE_SPACE = "polis.eth"
VSOURCE = f"snapshot/{VOTE_SPACE}"


@pytest.fixture
def voting(snap: SnapshotDouble, cli) -> SnapshotDouble:  # type: ignore[no-untyped-def]
    """A space without the fixture history, for the voting tests."""
    configure(snap)
    snap.state.add_space(VOTE_SPACE, "Polis test space")
    assert cli("networks", "add", VSOURCE).code == 0
    return snap


@pytest.fixture
def voter(cli, env_passphrase) -> str:  # type: ignore[no-untyped-def]
    r = cli("keys", "import", "voter", "--private-key", "--json", stdin=KEY_HEX + "\n")
    assert r.code == 0, r.err
    return r.json()["addresses"]["evm"]


def _sync(source: str = SOURCE):  # type: ignore[no-untyped-def]
    from wallet.sync import sync_sources

    outcome = sync_sources([source])
    assert outcome.ok, outcome.errors
    return outcome.reports[0]


CHOICES4 = ["Alice", "Bob", "Carol", "Dave"]
CASES = [  # (type, choices, CHOICE, --weights, value the sequencer stores)
    ("single-choice", CHOICES4, "2", None, 2),
    ("basic", ["For", "Against", "Abstain"], "for", None, 1),
    ("approval", CHOICES4, "1,3", None, [1, 3]),
    ("ranked-choice", CHOICES4, "4>1>3>2", None, [4, 1, 3, 2]),
    ("weighted", CHOICES4, "-", "1=2,3=1", {"1": 2, "3": 1}),
    ("quadratic", CHOICES4, "-", "2=1,4=1.5", {"2": 1, "4": 1.5}),
]


def _pid(i: int) -> str:
    return "0x" + f"{i:02x}" * 32


def _open_proposals(snap: SnapshotDouble, voter: str, vp: float = 12.5) -> None:
    now = int(time.time())
    for i, (kind, choices, *_rest) in enumerate(CASES):
        snap.state.add_proposal(VOTE_SPACE, _pid(0xA0 + i), kind, choices, start=now - 60, end=now + 3600,
                                title=f"Open {kind}")
    snap.state.power[(VOTE_SPACE, voter.lower())] = vp
