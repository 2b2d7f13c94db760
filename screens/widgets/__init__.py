"""Widgets shared by several Polis screens."""
