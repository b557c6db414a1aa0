"""Adapters for outside providers, speaking their real APIs (the local sandbox speaks the same)."""
