"""Bittensor family: Substrate JSON-RPC, SCALE extrinsics signed sr25519, TAO staking on hotkeys and subnets."""
