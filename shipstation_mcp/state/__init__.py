"""Shared state behind small interfaces, with the embedded implementations: the rate limiter, the response
cache and the event store. Imports nothing but the top-level config, errors and times.
"""

__all__ = ["cache", "limiter", "store"]
