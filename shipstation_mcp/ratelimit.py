"""One rate limiter per process and ShipStation key, so bulk work slows down instead of collecting 429s.

ShipStation allows 200 requests per minute per API key (20 for `TEST_` sandbox keys) and does not say how it
counts the minute. `RateLimiter` is a token bucket with a guard that makes it safe under the strictest reading:

- **bucket**: capacity `burst` (default a quarter of the per-minute limit: 50 of 200, 5 of 20), refilled at the
  per-minute rate, so interactive questions never wait and a burst is never more than a quarter of the
  key's minute — the rest stays for whatever else uses the same key (a second assistant, the store's own
  integrations);
- **window guard**: no rolling 60-second window ever holds more than the per-minute limit, even though a bucket
  alone would allow `burst + limit` in a minute. So a server that counts a sliding window, a fixed window or a
  bucket of its own never sees us over the limit;
- **feedback**: a 429 that still happens (another process using the key) drains the bucket and pauses every
  caller until its `Retry-After`; a pause longer than `MAX_PAUSE` fails at once with `RateLimitedError`
  instead of hanging.

Callers reserve a send time first come, first served, then sleep until it: no lock, no polling, and it works
with any async sleep (`asyncio.sleep`, `anyio.sleep`, a fake in tests); the clock is injectable too.
A reservation abandoned by cancellation stays counted, which errs on the safe side.

For 100 requests from a full bucket at 200/minute the limiter allows the first 50 at once and the other 50 at
3.33 per second: 15 seconds (`RateLimiter.time_for(100)`).
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable

from .config import Settings
from .errors import RateLimitedError

logger = logging.getLogger(__name__)

WINDOW = 60.0
MAX_PAUSE = 60.0
"""Longest pause (from a `Retry-After`) a request waits out; beyond it it fails at once and says when to retry."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def default_burst(requests_per_minute: int) -> int:
    """A quarter of the minute's allowance, at least 1."""
    return max(1, requests_per_minute // 4)


class RateLimiter:
    """Token bucket (`burst`, refilled at `requests_per_minute`) with a rolling-window guard and 429 feedback."""

    def __init__(
        self,
        requests_per_minute: int,
        *,
        burst: int | None = None,
        window: float = WINDOW,
        clock: Clock = time.monotonic,
    ) -> None:
        if requests_per_minute < 1:
            raise ValueError("requests_per_minute must be at least 1")
        self.requests_per_minute = requests_per_minute
        self.burst = max(1, min(burst or default_burst(requests_per_minute), requests_per_minute))
        self.window = window
        self._clock = clock
        self._interval = window / requests_per_minute
        self._tolerance = (self.burst - 1) * self._interval
        self._tat = -float("inf")  # GCRA "theoretical arrival time" of the next request
        self._sends: list[float] = []  # reserved send times within the last window, sorted
        self._paused_until = -float("inf")
        self._epoch = 0
        # statistics, for benchmarks and logs
        self.granted = 0
        self.delayed = 0
        self.total_wait = 0.0
        self.penalties = 0

    def __repr__(self) -> str:
        return f"RateLimiter({self.requests_per_minute}/min, burst={self.burst})"

    def time_for(self, requests: int) -> float:
        """Seconds a fresh limiter needs before it lets the last of `requests` requests go (all asked at once)."""
        fresh = RateLimiter(self.requests_per_minute, burst=self.burst, window=self.window, clock=lambda: 0.0)
        return max((fresh._reserve(skip_pause=False) for _ in range(requests)), default=0.0)

    @property
    def paused_for(self) -> float:
        """Seconds left of a pause ordered by a 429, or 0."""
        return max(0.0, self._paused_until - self._clock())

    def _reserve(self, *, skip_pause: bool) -> float:
        now = self._clock()
        horizon = now - self.window
        if self._sends and self._sends[0] <= horizon:
            del self._sends[: bisect.bisect_right(self._sends, horizon)]
        # The request whose own 429 set the pause has slept it out already and goes first after it.
        send = now if skip_pause else max(now, self._tat - self._tolerance, self._paused_until)
        limit = self.requests_per_minute
        if len(self._sends) >= limit:
            send = max(send, self._sends[-limit] + self.window)
        self._tat = max(self._tat, now, send - self._tolerance) + self._interval
        bisect.insort(self._sends, send)
        if len(self._sends) > limit:
            del self._sends[: len(self._sends) - limit]
        return send

    async def acquire(self, sleep: Sleep, *, skip_pause: bool = False) -> float:
        """Wait for this request's turn; return the seconds waited.

        `skip_pause` is for the request whose own 429 set the pause and which has already slept its
        `Retry-After`. Raises `RateLimitedError` when a 429 asked for a pause longer than `MAX_PAUSE`.
        """
        waited = 0.0
        while True:
            if not skip_pause and self.paused_for > MAX_PAUSE:
                raise RateLimitedError(
                    "ShipStation asked for a pause longer than we wait out.", retry_after=self.paused_for
                )
            epoch = self._epoch
            wait = self._reserve(skip_pause=skip_pause) - self._clock()
            if wait > 1e-6:  # not float noise
                self.delayed += 1
                self.total_wait += wait
                waited += wait
                await sleep(wait)
            if skip_pause or epoch == self._epoch or self.paused_for <= 0:
                self.granted += 1
                return waited
            # A 429 arrived while this request waited: honour the new pause too (at most once per 429).

    def penalize(self, retry_after: float | None) -> None:
        """A 429 came back: empty the bucket and, with a `Retry-After`, pause everyone until then."""
        now = self._clock()
        self.penalties += 1
        self._epoch += 1
        pause_end = now + min(MAX_PAUSE, max(0.0, retry_after or 0.0))
        self._paused_until = max(self._paused_until, pause_end)
        # Empty bucket: after the pause, requests go one interval apart until it refills.
        self._tat = max(self._tat, pause_end + self._tolerance)
        logger.info(
            "ShipStation answered 429; pausing requests for %.1f s and refilling the bucket from empty",
            max(0.0, pause_end - now),
        )


_SHARED: dict[str, RateLimiter] = {}


def limiter_key(settings: Settings) -> str:
    """Which limiter a client uses: one per API host and key (hashed; the key itself is never stored here)."""
    return hashlib.sha256(f"{settings.host}\n{settings.api_key}".encode("utf-8", "replace")).hexdigest()[:32]


def shared_limiter(settings: Settings) -> RateLimiter | None:
    """The process-wide limiter for this key and host; None for the offline demo account (no quota to protect)."""
    if settings.demo:
        return None
    key = limiter_key(settings)
    limiter = _SHARED.get(key)
    if limiter is None or limiter.requests_per_minute != settings.requests_per_minute:
        limiter = _SHARED[key] = RateLimiter(settings.requests_per_minute)
    return limiter


def reset_shared_limiters() -> None:
    """Forget every shared limiter (tests and benchmarks start each scenario from a full bucket)."""
    _SHARED.clear()
