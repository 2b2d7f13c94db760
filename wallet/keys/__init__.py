"""The key vault: encrypted secrets, public metadata, HD derivation, imports, the unlock policy."""
