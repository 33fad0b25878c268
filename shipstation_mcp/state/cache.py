"""Response cache for reads: bounded, time-limited, single-flight, and honest about the age of what it serves.

Where it sits: in `ShipStationClient.get_json`, on decoded GET answers keyed by the full URL (host, API prefix,
path, sorted query). So every read tool is covered at once, a tracking result is keyed by API, carrier and number
(`GET /tracking?carrier_code=…&tracking_number=…`) or by label id (`GET /labels/{id}/track`), and the client's
endpoint methods, which know what they asked for, choose each answer's lifetime from its content (a delivered
package's tracking is kept 24 hours, one still moving `SHIPSTATION_CACHE_TTL`; see `client.py`).

- **Bounded in bytes and entries**: answers are kept as compact JSON text (decoded again at each hit, so a hit
  costs a `json.loads`, and what is held is exactly what is counted); at most `max_bytes` of it
  (`SHIPSTATION_CACHE_MAX_MB`) and `max_entries` answers, least recently used evicted first. An answer larger than
  a quarter of `max_bytes` is not kept (a page of 100 labels is about 100 kB).
- **Single-flight**: identical requests in flight at the same time share one HTTP call, errors included.
- **Errors**: only those the caller's `error_ttl` rule names are stored (the client keeps a 404 for 60 s, so a
  bulk re-run does not ask again about numbers nobody knows); every other error is never stored.
- **Refresh and age**: a tool call runs its lookups inside `reading(refresh=…)`. With `refresh=True` nothing is
  served from the cache (fresh answers still replace what it holds); otherwise every cached answer used is noted,
  and `Freshness.stamp(summary)` sets `data_age_seconds` on the result: the age of the oldest cached piece, absent
  when everything came fresh from ShipStation. Context variables carry this, so the lookup functions between the
  tool and the client need no extra arguments.

Stored answers are shared between callers: treat them as read-only (the client parses them into new models).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

DEFAULT_MAX_ENTRIES = 1000
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
"""4 MB of answers as JSON: about 40 pages of 100 labels, or 1,300 tracking answers. Measured with the support queue
over 10,000 labels asked 100 times for 100 different periods (bench/bench_queue.py): 16 MB left the process at 130 MB,
4 MB at 117 MB (of which 32 MB is the time-zone map, loaded at the first scan with coordinates)."""
ERROR_ENTRY_BYTES = 1024
"""What a kept error (a 'not found') counts as."""
T = TypeVar("T")
ModelT = TypeVar("ModelT")
Clock = Callable[[], float]


def cache_bytes(settings: Any) -> int:
    """The byte bound `SHIPSTATION_CACHE_MAX_MB` sets (a `config.Settings`)."""
    return max(1, int(settings.cache_max_mb * 1024 * 1024))


@dataclass
class Freshness:
    """How old the cached data used by one tool call (or one item of a bulk call) was."""

    clock: Clock = time.monotonic
    parent: Freshness | None = None
    oldest: float | None = field(default=None, init=False)
    """Clock reading at which the oldest cached answer used was stored; None when nothing came from the cache."""

    def note(self, stored_at: float) -> None:
        if self.oldest is None or stored_at < self.oldest:
            self.oldest = stored_at
        if self.parent is not None:
            self.parent.note(stored_at)

    @property
    def age_seconds(self) -> int | None:
        if self.oldest is None:
            return None
        return max(0, round(self.clock() - self.oldest))

    def stamp(self, result: ModelT) -> ModelT:
        """Set `data_age_seconds` on a summary when part of it came from the cache; return the summary."""
        age = self.age_seconds
        if age is not None and hasattr(result, "data_age_seconds"):
            result.data_age_seconds = age  # type: ignore[attr-defined]
        return result


_refresh: ContextVar[bool] = ContextVar("shipstation_mcp_refresh", default=False)
_freshness: ContextVar[Freshness | None] = ContextVar("shipstation_mcp_freshness", default=None)


@contextmanager
def reading(refresh: bool = False, *, clock: Clock = time.monotonic) -> Iterator[Freshness]:
    """Scope of one read: bypass the cache when `refresh`; collect the age of cached answers used within."""
    freshness = Freshness(clock=clock, parent=_freshness.get())
    refresh_token = _refresh.set(refresh or _refresh.get())
    freshness_token = _freshness.set(freshness)
    try:
        yield freshness
    finally:
        _freshness.reset(freshness_token)
        _refresh.reset(refresh_token)


def refresh_requested() -> bool:
    return _refresh.get()


def note_cached(stored_at: float) -> None:
    """Tell the current read that it used an answer cached at `stored_at` (a `time.monotonic()` reading); for caches
    kept outside this module (`redis_cache`)."""
    freshness = _freshness.get()
    if freshness is not None:
        freshness.note(stored_at)


@dataclass
class _Entry:
    packed: bytes | None
    """The answer as compact JSON (None for a kept error)."""
    stored_at: float
    expires_at: float
    error: Exception | None = None

    @property
    def size(self) -> int:
        return len(self.packed) if self.packed is not None else ERROR_ENTRY_BYTES


@dataclass
class _Flight:
    done: asyncio.Event = field(default_factory=asyncio.Event)
    value: Any = None
    error: BaseException | None = None
    abandoned: bool = False


class ResponseCache:
    """LRU of decoded answers with per-answer lifetimes and single-flight loading."""

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Clock = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        """JSON bytes held now."""
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}
        self.hits = 0
        self.misses = 0
        self.shared = 0

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.bytes -= entry.size

    def _live(self, key: Hashable) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires_at <= self._clock():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    def holds(self, key: Hashable) -> bool:
        """Whether a live answer for `key` is kept (False whenever the current read asked for a refresh)."""
        entry = self._entries.get(key)
        return entry is not None and entry.expires_at > self._clock() and not refresh_requested()

    def store(self, key: Hashable, value: Any, ttl: float, *, error: Exception | None = None) -> None:
        """Keep `value` (decoded JSON) or `error` for `ttl` seconds, within the byte and entry bounds."""
        self._drop(key)
        if ttl <= 0:
            return
        packed = None
        if error is None:
            try:
                packed = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
            except (TypeError, ValueError):
                logger.debug("cache: an answer that is not JSON is not kept")
                return
            if len(packed) > self.max_bytes // 4:
                return
        now = self._clock()
        entry = self._entries[key] = _Entry(packed=packed, stored_at=now, expires_at=now + ttl, error=error)
        self.bytes += entry.size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    async def get(
        self,
        key: Hashable,
        fetch: Callable[[], Awaitable[T]],
        ttl: Callable[[T], float],
        error_ttl: Callable[[Exception], float] | None = None,
    ) -> T:
        """The cached answer for `key`, or `fetch()`'s (shared with identical calls in flight), stored for
        `ttl(answer)` seconds; an error `fetch()` raised is stored for `error_ttl(error)` seconds (default never)."""
        if not refresh_requested():
            entry = self._live(key)
            if entry is not None:
                self.hits += 1
                freshness = _freshness.get()
                if freshness is not None:
                    freshness.note(entry.stored_at)
                if entry.error is not None or entry.packed is None:
                    raise copy.copy(entry.error)  # a fresh object: tracebacks do not pile up on the stored one
                return json.loads(entry.packed)  # type: ignore[no-any-return]
        while True:
            flight = self._flights.get(key)
            if flight is None:
                break
            self.shared += 1
            await flight.done.wait()
            if flight.abandoned:  # the caller that fetched was cancelled: fetch again ourselves
                continue
            if flight.error is not None:
                raise flight.error
            return flight.value  # type: ignore[no-any-return]

        self.misses += 1
        flight = self._flights[key] = _Flight()
        try:
            value = await fetch()
        except Exception as exc:
            flight.error = exc
            lifetime = _lifetime(error_ttl, exc) if error_ttl else 0.0
            if lifetime > 0:
                self.store(key, None, lifetime, error=copy.copy(exc).with_traceback(None))
            raise
        except BaseException:
            flight.abandoned = True
            raise
        else:
            flight.value = value
            self.store(key, value, _lifetime(ttl, value))
            return value
        finally:
            self._flights.pop(key, None)
            flight.done.set()


def _lifetime(rule: Callable[[Any], float], answer: Any) -> float:
    try:
        return float(rule(answer))
    except Exception:  # a lifetime rule must never fail the read
        logger.debug("cache lifetime rule failed; not stored", exc_info=True)
        return 0.0
