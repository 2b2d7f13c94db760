"""Snapshot family: off-chain spaces read from the hub's GraphQL API, votes signed as EIP-712 envelopes."""
