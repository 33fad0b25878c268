"""The response cache in Redis, shared by every process on one ShipStation key (`SHIPSTATION_REDIS_URL`).

Same interface and lifetimes as `ResponseCache.get` (the client's rules choose each answer's lifetime; a 404 is
kept as an answer, other errors never), with these differences:

- **shared**: an answer one instance fetched is served to all, until its lifetime ends (Redis expires the key);
- **one upstream call across processes**: a miss takes a short lock (`SET NX PX`); identical requests in other
  processes wait for the answer (polling every `POLL` seconds, at most `LOCK_SECONDS`) instead of asking
  ShipStation again. Within one process, identical requests share one flight as before;
- **age**: each entry carries the wall-clock time it was stored, so `data_age_seconds` is right whichever instance
  stored it;
- **keys**: `shipstation-mcp:cache:<account>:<sha256 of the request>`, the account being `limiter.limiter_key`, so
  two accounts never see each other's answers and no key or URL is readable in Redis;
- **outages**: if Redis cannot be reached the cache steps aside (a warning, then straight to ShipStation through
  the limiter, which is what reports the outage), so a cache problem never makes an answer wrong.

Stored answers are JSON (they are decoded JSON already).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from .. import errors
from .cache import note_cached, refresh_requested

logger = logging.getLogger(__name__)

T = TypeVar("T")
KEY_PREFIX = "shipstation-mcp:cache:"
LOCK_SECONDS = 15.0
POLL = 0.05
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
"""Delete the lock only if it is still ours (it may have expired and been taken by another process)."""
_ERRORS = {cls.__name__: cls for cls in (errors.NotFoundError, errors.RequestRejectedError)}
"""Errors a lifetime rule may keep (the client keeps 404s); anything else is never stored."""


def _digest(key: Hashable) -> str:
    return hashlib.sha256(repr(key).encode("utf-8", "replace")).hexdigest()


def _to_monotonic(stored_wall: float) -> float:
    return time.monotonic() - max(0.0, time.time() - stored_wall)


class RedisResponseCache:
    """`ResponseCache`'s `get` over Redis. `redis` is a `redis.asyncio.Redis`; `account` namespaces the keys."""

    def __init__(self, redis: Any, account: str, *, where: str = "Redis") -> None:
        self._redis = redis
        self._release = redis.register_script(RELEASE)
        self._prefix = f"{KEY_PREFIX}{account}:"
        self.where = where
        self._flights: dict[str, asyncio.Future[Any]] = {}
        self._warned = False
        self.hits = 0
        self.misses = 0
        self.shared = 0

    def __repr__(self) -> str:
        return f"RedisResponseCache({self.where})"

    def _broken(self, exc: Exception) -> None:
        level = logging.DEBUG if self._warned else logging.WARNING
        self._warned = True
        logger.log(level, "The shared cache (Redis at %s) cannot be used (%s); asking ShipStation", self.where, exc)

    async def _read(self, name: str) -> Any:
        from redis.exceptions import RedisError

        try:
            raw = await self._redis.get(name)
        except (RedisError, OSError) as exc:
            self._broken(exc)
            return None
        self._warned = False
        try:
            return json.loads(raw) if raw else None
        except ValueError:  # not ours, or cut short: a miss
            return None

    def _serve(self, entry: dict[str, Any]) -> Any:
        self.hits += 1
        note_cached(_to_monotonic(float(entry["at"])))
        error = entry.get("error")
        if error is not None:
            cls = _ERRORS.get(error["type"], errors.ShipStationError)
            raise cls(error["message"], status=error.get("status"), request_id=error.get("request_id"))
        return entry["value"]

    async def get(
        self,
        key: Hashable,
        fetch: Callable[[], Awaitable[T]],
        ttl: Callable[[T], float],
        error_ttl: Callable[[Exception], float] | None = None,
    ) -> T:
        name = self._prefix + _digest(key)
        if not refresh_requested():
            entry = await self._read(name)
            if entry is not None:
                return self._serve(entry)  # type: ignore[no-any-return]
            flight = self._flights.get(name)
            if flight is not None:
                self.shared += 1
                await asyncio.wait([flight])  # never cancels the flight itself
                if not flight.cancelled():  # else the caller that fetched was cancelled: fetch ourselves
                    return flight.result()  # type: ignore[no-any-return]
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._flights[name] = future
        try:
            value = await self._load(name, fetch, ttl, error_ttl)
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "exception was never retrieved" when nobody shared the flight
            raise
        except BaseException:
            future.cancel()
            raise
        else:
            future.set_result(value)
            return value
        finally:
            if self._flights.get(name) is future:
                del self._flights[name]

    async def _load(
        self,
        name: str,
        fetch: Callable[[], Awaitable[T]],
        ttl: Callable[[T], float],
        error_ttl: Callable[[Exception], float] | None,
    ) -> T:
        from redis.exceptions import RedisError

        token = uuid.uuid4().hex
        lock = name + ":lock"
        try:
            owner = bool(await self._redis.set(lock, token, nx=True, px=int(LOCK_SECONDS * 1000)))
        except (RedisError, OSError) as exc:
            self._broken(exc)
            return await fetch()
        if not owner and not refresh_requested():
            entry = await self._wait_for(name, lock)
            if entry is not None:
                self.shared += 1
                return self._serve(entry)  # type: ignore[no-any-return]
        self.misses += 1
        try:
            value = await fetch()
        except Exception as exc:
            lifetime = _lifetime(error_ttl, exc) if error_ttl else 0.0
            if lifetime > 0 and isinstance(exc, errors.ShipStationError) and type(exc).__name__ in _ERRORS:
                error = {"type": type(exc).__name__, "message": exc.message, "status": exc.status}
                await self._write(name, {"at": time.time(), "error": error}, lifetime, lock, token)
            else:
                await self._unlock(lock, token)
            raise
        except BaseException:
            await self._unlock(lock, token)
            raise
        await self._write(name, {"at": time.time(), "value": value}, _lifetime(ttl, value), lock, token)
        return value

    async def _wait_for(self, name: str, lock: str) -> dict[str, Any] | None:
        """Another process is fetching this answer: wait for it (None if it gave up or the lock expired)."""
        from redis.exceptions import RedisError

        deadline = time.monotonic() + LOCK_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL)
            try:
                raw, locked = await self._redis.mget([name, lock])
            except (RedisError, OSError) as exc:
                self._broken(exc)
                return None
            if raw:
                return json.loads(raw)  # type: ignore[no-any-return]
            if not locked:
                return None
        return None

    async def _write(self, name: str, entry: dict[str, Any], lifetime: float, lock: str, token: str) -> None:
        from redis.exceptions import RedisError

        try:
            if lifetime > 0:
                await self._redis.set(name, json.dumps(entry, separators=(",", ":")), px=max(1, int(lifetime * 1000)))
            else:
                await self._redis.delete(name)
        except (RedisError, OSError, TypeError, ValueError) as exc:
            self._broken(exc)  # type: ignore[arg-type]
        await self._unlock(lock, token)

    async def _unlock(self, lock: str, token: str) -> None:
        from redis.exceptions import RedisError

        with contextlib.suppress(RedisError, OSError):  # else it expires by itself
            await self._release(keys=[lock], args=[token])


def _lifetime(rule: Callable[[Any], float], answer: Any) -> float:
    try:
        return float(rule(answer))
    except Exception:  # a lifetime rule must never fail the read
        logger.debug("cache lifetime rule failed; not stored", exc_info=True)
        return 0.0
