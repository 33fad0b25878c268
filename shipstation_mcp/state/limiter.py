"""One rate limiter per process and ShipStation key, so bulk work goes as fast as the API admits and no faster.

ShipStation allows 200 requests per minute per API key (20 for `TEST_` sandbox keys) and does not say how it
counts the minute. `RateLimiter` spends that budget the way the strictest reading of it allows:

- **budget**: the per-minute allowance minus a headroom left for other users of the same key (a second
  assistant, the store's own integrations; `SHIPSTATION_RATE_HEADROOM`, 5 % by default). A bulk call may send
  the whole budget at once: 100 lookups at 200/minute are not stretched out at all;
- **exact rolling window**: a request's slot is held from the moment it is sent until one window after its answer
  arrived (the server counted it at some moment in between), so no 60-second window *as the server sees it*
  ever holds more than the budget, whether the server counts a sliding window, a fixed window or a bucket. The
  201st request goes as soon as the first has left every window that could hold it, and not before;
- **the server's word**: `X-Rate-Limit-Limit` lowers the limit when it is below ours; `X-Rate-Limit-Remaining`
  and `X-Rate-Limit-Reset` cap what is sent until the reset (less what we sent since that answer left);
- **feedback**: a 429 (another process using the key) pauses every caller until its `Retry-After`, then sends
  one request per interval for a window, so a shared key is not hit again with a full burst; a pause longer
  than `MAX_PAUSE` fails at once with `RateLimitedError` instead of hanging.

Callers `acquire()` a `Permit` before sending and `release()` it when the answer (or the failure) is in. Waiting
is first come, first served: a caller that finds the window full claims the oldest finished slot and sleeps until
it frees, or awaits the next release when every slot is still in flight. The sleep and the clock are injectable
(`asyncio.sleep`, `anyio.sleep`, a virtual clock in tests). A permit abandoned by cancellation is released at the
moment of cancellation, which errs on the safe side.
"""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from ..config import DEFAULT_RATE_HEADROOM, Settings
from ..errors import RateLimitedError

logger = logging.getLogger(__name__)

WINDOW = 60.0
MAX_PAUSE = 60.0
"""Longest pause (from a `Retry-After`) a request waits out; beyond it it fails at once and says when to retry."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def headroom_for(requests_per_minute: int, percent: float = DEFAULT_RATE_HEADROOM) -> int:
    """Requests per window left for other users of the key: `percent` of the limit, rounded up, below the limit."""
    if percent <= 0:
        return 0
    return min(requests_per_minute - 1, math.ceil(requests_per_minute * percent / 100 - 1e-9))


@dataclass
class Permit:
    """One request's right to be sent; give it back with `RateLimiter.release` once the answer is in."""

    waited: float
    """Seconds the request waited for its turn."""
    sequence: int
    """How many requests this limiter had let go before this one (to judge rate-limit headers by)."""
    released: bool = False


class RateLimiter:
    """Rolling-window budget with in-flight accounting, rate-limit headers and 429 feedback."""

    def __init__(
        self,
        requests_per_minute: int,
        *,
        headroom: int = 0,
        window: float = WINDOW,
        clock: Clock = time.monotonic,
    ) -> None:
        if requests_per_minute < 1:
            raise ValueError("requests_per_minute must be at least 1")
        self.requests_per_minute = requests_per_minute
        self.headroom = max(0, min(headroom, requests_per_minute - 1))
        self.window = window
        self._clock = clock
        self._server_limit: int | None = None  # X-Rate-Limit-Limit, when below ours
        self._ends: list[float] = []  # when each finished request of the last window got its answer, sorted
        self._in_flight = 0  # sent, answer not in yet: each holds a slot
        self._claimed = 0  # waiting callers that took a finished slot and sleep until it frees
        self._release_waiters: list[asyncio.Future[None]] = []
        self._paused_until = -math.inf
        self._slow_until = -math.inf  # after a 429: one request per interval until then
        self._next_slow = -math.inf
        self._server_until = -math.inf  # X-Rate-Limit-Reset: the server's window ends then
        self._server_left = 0  # X-Rate-Limit-Remaining, less what we sent since
        self._server_sequence = -1  # the request whose answer set the two above
        # statistics, for benchmarks and logs
        self.sent = 0
        self.granted = 0
        self.delayed = 0
        self.total_wait = 0.0
        self.penalties = 0

    def __repr__(self) -> str:
        return f"RateLimiter({self.requests_per_minute}/min, budget={self.budget})"

    @property
    def budget(self) -> int:
        """Requests that may be sent within one window: the limit (ours or the server's, the lower) less headroom."""
        limit = min(self.requests_per_minute, self._server_limit or self.requests_per_minute)
        return max(1, limit - self.headroom)

    @property
    def interval(self) -> float:
        return self.window / max(1, self.budget)

    @property
    def paused_for(self) -> float:
        """Seconds left of a pause ordered by a 429, or 0."""
        return max(0.0, self._paused_until - self._clock())

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def admits_now(self) -> int:
        """How many requests could start at once now without waiting (0 during a pause)."""
        now = self._clock()
        if now < self._paused_until:
            return 0
        if now < self._slow_until:
            return 1 if now >= self._next_slow else 0
        self._prune(now)
        free = max(0, self.budget - self._held())
        if now < self._server_until:
            free = min(free, max(0, self._server_left))
        return free

    def _prune(self, now: float) -> None:
        horizon = now - self.window
        if self._ends and self._ends[0] <= horizon:
            del self._ends[: bisect.bisect_right(self._ends, horizon)]

    def _held(self) -> int:
        return len(self._ends) + self._in_flight + self._claimed

    def _not_before(self, now: float, *, skip_pause: bool) -> float:
        """The earliest moment a request that holds a slot may go, by the pause, the pacing and the server's cap."""
        moment = now
        if not skip_pause:  # the request whose 429 set the pause slept it out already and goes first after it
            moment = max(moment, self._paused_until)
            if moment < self._slow_until:
                moment = max(moment, self._next_slow)
        if moment < self._server_until and self._server_left <= 0:
            moment = max(moment, self._server_until)
        return moment

    async def _next_release(self) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._release_waiters.append(future)
        try:
            await future
        finally:
            if future in self._release_waiters:
                self._release_waiters.remove(future)

    async def acquire(self, sleep: Sleep, *, skip_pause: bool = False) -> Permit:
        """Wait for this request's turn and return its permit.

        `skip_pause` is for the request whose own 429 set the pause and which has already slept its
        `Retry-After`. Raises `RateLimitedError` when a 429 asked for a pause longer than `MAX_PAUSE`.
        """
        waited = 0.0
        claimed_end: float | None = None  # the finished slot this caller took, to give back if it never sends
        holding = False
        try:
            while True:
                if not skip_pause and self.paused_for > MAX_PAUSE:
                    raise RateLimitedError(
                        "ShipStation asked for a pause longer than we wait out.", retry_after=self.paused_for
                    )
                now = self._clock()
                if not holding:
                    self._prune(now)
                    if self._held() < self.budget:
                        free_at = now
                    elif self._ends:
                        claimed_end = self._ends.pop(0)
                        free_at = claimed_end + self.window
                    else:
                        await self._next_release()  # every slot is in flight: the first answer frees one
                        continue
                    holding = True
                    self._claimed += 1
                wait = max(free_at, self._not_before(now, skip_pause=skip_pause)) - now
                if wait > 1e-6:  # not float noise
                    self.delayed += 1
                    self.total_wait += wait
                    waited += wait
                    await sleep(wait)
                    continue  # a 429 or a header may have arrived meanwhile
                self._claimed -= 1
                holding = False
                self._in_flight += 1
                if now < self._slow_until:
                    self._next_slow = max(self._next_slow, now) + self.interval
                if now < self._server_until:
                    self._server_left -= 1
                self.sent += 1
                self.granted += 1
                return Permit(waited=waited, sequence=self.sent)
        finally:
            if holding:
                self._claimed -= 1
                if claimed_end is not None:
                    bisect.insort(self._ends, claimed_end)

    def release(self, permit: Permit) -> None:
        """The request's answer (or its failure) is in: its slot frees one window from now."""
        if permit.released:
            return
        permit.released = True
        self._in_flight -= 1
        bisect.insort(self._ends, self._clock())
        waiters, self._release_waiters = self._release_waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(None)

    def observe(self, headers: Mapping[str, str], permit: Permit) -> None:
        """Take in the `X-Rate-Limit-*` headers of the answer to `permit`'s request, when ShipStation sends them."""
        limit = _header_int(headers.get("x-rate-limit-limit"))
        if limit is not None and limit >= 1:
            self._server_limit = limit if limit < self.requests_per_minute else None
        remaining = _header_int(headers.get("x-rate-limit-remaining"))
        reset = _header_float(headers.get("x-rate-limit-reset"))
        if remaining is None or reset is None or permit.sequence < self._server_sequence:
            return  # an older answer than the one already heard knows less
        if reset > 1e9:  # an epoch timestamp rather than seconds from now
            reset -= time.time()
        now = self._clock()
        # Requests we sent after this one may not be in the server's count yet: count them as spent.
        self._server_left = remaining - (self.sent - permit.sequence) - self.headroom
        self._server_until = now + min(max(0.0, reset), MAX_PAUSE)
        self._server_sequence = permit.sequence

    def penalize(self, retry_after: float | None) -> None:
        """A 429 came back: pause everyone until its `Retry-After`, then go one interval apart for a window."""
        now = self._clock()
        self.penalties += 1
        pause_end = now + min(MAX_PAUSE, max(0.0, retry_after or 0.0))  # one answer never locks the process out
        self._paused_until = max(self._paused_until, pause_end)
        self._slow_until = max(self._slow_until, pause_end + self.window)
        self._next_slow = max(self._next_slow, pause_end)
        logger.info(
            "ShipStation answered 429; pausing requests for %.1f s, then one every %.2f s for a minute",
            max(0.0, pause_end - now),
            self.interval,
        )


async def admits_now(limiter: object) -> int | None:
    """How many requests `limiter` (a `RateLimiter`, a `RedisRateLimiter`, or None for no limit) lets start at once
    now; None when nothing limits them."""
    if limiter is None:
        return None
    found = limiter.admits_now()  # type: ignore[attr-defined]
    return int(await found) if hasattr(found, "__await__") else int(found)


def _header_int(value: str | None) -> int | None:
    number = _header_float(value)
    return int(number) if number is not None else None


def _header_float(value: str | None) -> float | None:
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


_SHARED: dict[str, RateLimiter] = {}


def limiter_key(settings: Settings) -> str:
    """Which limiter a client uses: one per API host and key (and V1 secret; hashed, the key itself is never
    stored here)."""
    account = f"{settings.host}\n{settings.api_key}" + (f"\n{settings.api_secret}" if settings.api_secret else "")
    return hashlib.sha256(account.encode("utf-8", "replace")).hexdigest()[:32]


def shared_limiter(settings: Settings) -> RateLimiter | None:
    """The process-wide limiter for this key and host; None for the offline demo account (no quota to protect)."""
    if settings.demo:
        return None
    key = limiter_key(settings)
    rate = settings.requests_per_minute
    headroom = headroom_for(rate, settings.rate_headroom)
    limiter = _SHARED.get(key)
    if limiter is None or (limiter.requests_per_minute, limiter.headroom) != (rate, headroom):
        limiter = _SHARED[key] = RateLimiter(rate, headroom=headroom)
    return limiter


def reset_shared_limiters() -> None:
    """Forget every shared limiter (tests and benchmarks start each scenario from an empty window)."""
    _SHARED.clear()
