"""The service-layer pieces that keep opening a proposal fast: the source → adapter class answer is
remembered per networks files (and a changed file is read again)."""

from __future__ import annotations

from typing import Any


def test_source_adapter_class_follows_a_changed_networks_file(polis_home: Any) -> None:
    from wallet import networks
    from wallet.adapters import adapter_class, source_adapter_class

    archived = {"id": "devnet/later", "protocol": "cosmos"}
    # not configured: the archived row decides (and the answer is remembered)
    assert source_adapter_class("devnet/later", archived) is adapter_class("cosmos")
    assert source_adapter_class("devnet/later", archived) is adapter_class("cosmos")
    networks.add_dao("devnet", {"id": "later", "kind": "oz", "governor": "0x" + "11" * 20,
                                "token": "0x" + "22" * 20})
    # the user's networks file changed: the configured DAO's adapter now
    assert source_adapter_class("devnet/later", archived) is adapter_class("evm_governor")
    networks.remove("devnet/later")
    assert source_adapter_class("devnet/later", archived) is adapter_class("cosmos")

