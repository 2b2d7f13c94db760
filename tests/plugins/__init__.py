"""Shared pytest fixtures, loaded as plugins by tests/conftest.py, and the test data helpers they use."""
