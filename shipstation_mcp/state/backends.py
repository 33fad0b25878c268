"""Which implementation of each piece of shared state a process uses, chosen from the settings.

- `SHIPSTATION_REDIS_URL` unset: `limiter.RateLimiter` and `cache.ResponseCache`, in this process;
  set: `redis_limiter.RedisRateLimiter` and `redis_cache.RedisResponseCache`, shared by every process on the key.
- `SHIPSTATION_DATABASE_URL` unset: `store.SQLiteEventStore` (a file in `SHIPSTATION_DATA_DIR`);
  set: `postgres_store.PostgresEventStore`, whose `changes()` feed tells every instance about every stored event.

`check_reachable` is the start-up check (the CLI exits 2 with its message); after start, losing a service makes the
calls that need it fail with `SharedStateUnavailable`, and they work again once it is back.
The Redis and PostgreSQL drivers are imported only when their setting is used (they come with the `scale` extra).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..config import LiveSettings, Settings, display_url, url_password
from ..errors import SharedStateUnavailable
from .cache import ResponseCache, cache_bytes
from .limiter import headroom_for, limiter_key, shared_limiter

if TYPE_CHECKING:  # the store (and sqlite3) load when live tracking first needs them, not at every start
    from .store import EventStore

logger = logging.getLogger(__name__)

REDIS_TIMEOUT = 2.0
"""Seconds to connect to Redis or wait for an answer: an outage fails a call quickly instead of hanging it."""
INSTALL_HINT = "install the drivers with: pip install 'shipstation-mcp[scale]'"


@runtime_checkable
class ChangeFeed(Protocol):
    """A store that can tell when any process stored an event (PostgreSQL's LISTEN/NOTIFY)."""

    def changes(self) -> AsyncIterator[None]: ...


@dataclass
class SharedState:
    """The rate limiter and response cache a `ShipStationClient` should use."""

    limiter: Any
    """`RateLimiter`, `RedisRateLimiter`, or None (the demo account has no quota)."""
    cache: Any
    """`ResponseCache` or `RedisResponseCache`."""
    where: str = "this process"


def _redis_client(url: str) -> Any:
    try:
        import redis.asyncio as aioredis
    except ImportError:
        raise SharedStateUnavailable(
            f"SHIPSTATION_REDIS_URL is set but the redis package is missing; {INSTALL_HINT}"
        ) from None
    return aioredis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT, health_check_interval=15
    )


@asynccontextmanager
async def shared_state(settings: Settings) -> AsyncIterator[SharedState]:
    """The limiter and cache for one server's lifetime: in this process, or in Redis when it is configured."""
    if settings.demo or not settings.redis_url:
        yield SharedState(limiter=shared_limiter(settings), cache=ResponseCache(max_bytes=cache_bytes(settings)))
        return
    from .redis_cache import RedisResponseCache
    from .redis_limiter import RedisRateLimiter

    where = display_url(settings.redis_url)
    redis = _redis_client(settings.redis_url)
    account = limiter_key(settings)
    try:
        yield SharedState(
            limiter=RedisRateLimiter(
                redis,
                account,
                settings.requests_per_minute,
                headroom=headroom_for(settings.requests_per_minute, settings.rate_headroom),
                request_deadline=settings.timeout,
                where=where,
            ),
            cache=RedisResponseCache(redis, account, where=where),
            where=where,
        )
    finally:
        await redis.aclose()


async def open_event_store(settings: LiveSettings) -> EventStore:
    """PostgreSQL when `SHIPSTATION_DATABASE_URL` is set, else SQLite in `SHIPSTATION_DATA_DIR` (or memory)."""
    if settings.database_url:
        try:
            from .postgres_store import PostgresEventStore
        except ImportError:
            raise SharedStateUnavailable(
                f"SHIPSTATION_DATABASE_URL is set but the psycopg package is missing; {INSTALL_HINT}"
            ) from None
        return await PostgresEventStore.open(settings.database_url, retention_days=settings.retention_days)
    from .store import SQLiteEventStore

    return await SQLiteEventStore.open(settings.database_path, retention_days=settings.retention_days)


def store_location(settings: LiveSettings) -> str:
    if settings.database_url:
        return f"PostgreSQL at {display_url(settings.database_url)}"
    path = settings.database_path
    return str(path) if path else "memory (not kept after the server stops)"


def _configured_services(settings: Settings | LiveSettings) -> list[tuple[str, str, Callable[[str], Any]]]:
    """(variable, URL, ping) of each shared service the settings use (the demo keeps its rate budget in memory)."""
    services: list[tuple[str, str, Callable[[str], Any]]] = []
    redis_url = getattr(settings, "redis_url", None)
    live = settings.live if isinstance(settings, Settings) else settings
    if redis_url and not getattr(settings, "demo", False):
        services.append(("SHIPSTATION_REDIS_URL", redis_url, _ping_redis))
    if live.database_url:
        services.append(("SHIPSTATION_DATABASE_URL", live.database_url, _ping_postgres))
    return services


async def check_reachable(settings: Settings | LiveSettings) -> list[str]:
    """One line per configured service that does not answer now, naming the variable and what was tried."""
    problems: list[str] = []
    for name, url, ping in _configured_services(settings):
        problems += await _probe(name, url, ping)
    return problems


def report_unreachable(settings: Settings | LiveSettings) -> bool:
    """The start-up check: print `shipstation-mcp: <problem>` on stderr for each configured service that does not
    answer; True when all do (or none is configured). Callers exit 2 on False."""
    import sys

    import anyio

    if not _configured_services(settings):
        return True  # nothing to reach: no event loop to start for it
    problems = anyio.run(check_reachable, settings)
    for problem in problems:
        print(f"shipstation-mcp: {problem}", file=sys.stderr)
    return not problems


async def _probe(name: str, url: str, ping: Callable[[str], Any]) -> list[str]:
    try:
        await ping(url)
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        password = url_password(url)
        if password:
            reason = reason.replace(password, "***")
        return [f"{name}: cannot reach {display_url(url)} ({reason[:200]})"]
    return []


async def _ping_redis(url: str) -> None:
    redis = _redis_client(url)
    try:
        await redis.ping()
    finally:
        await redis.aclose()


async def _ping_postgres(url: str) -> None:
    try:
        import psycopg
    except ImportError:
        raise SharedStateUnavailable(f"the psycopg package is missing; {INSTALL_HINT}") from None
    conn = await psycopg.AsyncConnection.connect(url, connect_timeout=5)
    await conn.close()


__all__ = [
    "ChangeFeed",
    "SharedState",
    "check_reachable",
    "open_event_store",
    "shared_state",
    "store_location",
]
