"""The Signer protocols: each local signer is its scheme's protocol and no other, an adapter refuses a
signer of the wrong scheme, and a signer written elsewhere (here: a stand-in for a hardware device
that holds its key privately and signs with libsecp256k1 directly) signs a real Cosmos vote that the
node double verifies."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.plugins.cosmos import ABOUT, Env
from wallet.errors import ActionRefused
from wallet.keys.signer import CosmosSigning, EvmSigning, Signer, SubstrateSigning

KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


def _local_signers() -> dict[str, Signer]:
    from wallet.keys import derive

    return {name: derive.family(name).signer(derive.family(name).private_key(ABOUT, 0))
            for name in ("evm", "cosmos", "substrate")}


def test_each_local_signer_is_its_schemes_protocol_only() -> None:
    signers = _local_signers()
    schemes = {"evm": EvmSigning, "cosmos": CosmosSigning, "substrate": SubstrateSigning}
    for family, signer in signers.items():
        assert isinstance(signer, Signer) and signer.family == family
        for other, proto in schemes.items():
            assert isinstance(signer, proto) == (other == family), (family, other)


def test_an_adapter_refuses_a_signer_of_another_scheme(akash: Env) -> None:
    ad = akash.adapter()
    plan = ad.plan_vote(akash.account(), "341", "yes")
    with pytest.raises(ActionRefused, match="a evm signer cannot sign for this network .*Cosmos signing"):
        ad.submit(plan, _local_signers()["evm"])
    assert akash.node.broadcasts == 0


class DeviceCosmosSigner:
    """A signer Polis did not write: key kept in a closure, signing with coincurve (not cosmpy)."""

    family = "cosmos"

    def __init__(self, private_key: bytes) -> None:
        import coincurve

        from wallet.keys.cosmos_keys import address_of_pubkey

        key = coincurve.PrivateKey(private_key)
        self.public_key: bytes = key.public_key.format(compressed=True)
        self.address: str = address_of_pubkey(self.public_key)
        self.signed = 0

        def device_sign(doc: bytes) -> bytes:
            der = key.sign(doc, hasher=lambda m: hashlib.sha256(m).digest())
            r, s = _der_to_rs(der)
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")

        self._sign = device_sign

    def sign_direct(self, sign_doc: bytes) -> bytes:
        self.signed += 1
        return self._sign(sign_doc)

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import SignDoc, TxRaw

        doc = SignDoc(body_bytes=tx["body_bytes"], auth_info_bytes=tx["auth_info_bytes"],
                      chain_id=str(tx["chain_id"]), account_number=int(tx["account_number"]))
        return TxRaw(body_bytes=tx["body_bytes"], auth_info_bytes=tx["auth_info_bytes"],
                     signatures=[self.sign_direct(doc.SerializeToString())]).SerializeToString()


def _der_to_rs(der: bytes) -> tuple[int, int]:
    """coincurve signs low-s DER; Cosmos wants the raw 64-byte r‖s."""
    assert der[0] == 0x30
    i = 2
    rlen = der[i + 1]
    r = int.from_bytes(der[i + 2:i + 2 + rlen], "big")
    i += 2 + rlen
    slen = der[i + 1]
    s = int.from_bytes(der[i + 2:i + 2 + slen], "big")
    return r, s


def test_an_outside_cosmos_signer_votes_and_the_node_verifies_it(akash: Env) -> None:
    from wallet.actions import execute
    from wallet.cache import open_archive
    from wallet.keys import derive

    device = DeviceCosmosSigner(derive.family("cosmos").private_key(ABOUT, 0))
    assert isinstance(device, CosmosSigning)
    ad = akash.adapter()
    plan = ad.plan_vote(akash.account(), "341", "no")
    with open_archive() as ar:
        res = execute(ad, plan, archive=ar, unlock=lambda: device, confirm=None, assume_yes=True, timeout=10)
    assert res.ok and device.signed == 1
    assert akash.node.signatures_verified == 1
    assert akash.node.chain.votes[341][akash.me]["options"] == [(3, "1")]


class TxOnlyEvmSigner:
    """An EVM signer that signs transactions but not EIP-712 typed data (some hardware wallets)."""

    family = "evm"

    def __init__(self, key: bytes) -> None:
        from wallet.keys.signer import EvmSigner

        self._inner = EvmSigner(key)
        self.address = self._inner.address

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        return self._inner.sign_transaction(tx)


def test_snapshot_refuses_a_signer_without_typed_data_before_posting(voting, voter: str) -> None:  # type: ignore[no-untyped-def]
    from tests.plugins.snapshot import KEY_HEX, VSOURCE, _open_proposals, _pid, _sync
    from wallet.adapters import adapter_for
    from wallet.keys.vault import Vault

    signer = TxOnlyEvmSigner(bytes.fromhex(KEY_HEX))
    assert isinstance(signer, Signer) and not isinstance(signer, EvmSigning)
    _open_proposals(voting, voter)
    _sync(VSOURCE)
    ad = adapter_for(VSOURCE)
    try:
        plan = ad.plan_vote(Vault().get("voter"), _pid(0xA0), "2")
        with pytest.raises(ActionRefused, match=r"cannot sign for this network \(it needs EVM \(EIP-712\)"):
            ad.submit(plan, signer)
    finally:
        ad.close()
    assert not [v for v in voting.state.votes if str(v.get("voter", "")).lower() == voter.lower()]
