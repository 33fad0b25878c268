"""Shared state behind small interfaces, with the embedded implementations: the rate limiter, the response
cache and the event store; the same on Redis and PostgreSQL for several instances (`redis_limiter`, `redis_cache`,
`postgres_store`), and `backends`, which picks them from the settings. Imports nothing but the top-level config,
errors and times (and the drivers).
"""

__all__ = ["cache", "limiter", "store"]  # the others need the `scale` extra's drivers
