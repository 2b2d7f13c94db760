"""EVM Governor family: OpenZeppelin Governor and GovernorBravo over raw JSON-RPC."""
