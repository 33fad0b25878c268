"""Speaks to ShipStation: the HTTP client, lenient models of its answers, status tables and identifier rules.

Imports nothing above it (only `state/` for the limiter and cache, and the top-level config, errors and times).
"""

__all__ = ["adapters", "client", "engine", "families", "ids", "models", "status", "v1"]
