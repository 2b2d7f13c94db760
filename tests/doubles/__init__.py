"""Loopback node doubles that speak each family's real wire format and verify real signatures."""
