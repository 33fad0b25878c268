"""One rate budget per ShipStation account, shared in Redis by every process that uses the key.

ShipStation's 200 requests/minute is per account: two processes that each believe they own the whole budget
collect 429s together. `RedisRateLimiter` keeps `RateLimiter`'s policy (a bucket of `burst` refilled at the
per-minute rate, a guard that no rolling 60-second window ever holds more than the limit, a 429 pausing everyone
until its `Retry-After`) but keeps its state in Redis, so every process draws from one allowance:

- **atomic reservations**: one Lua script reads the clock (Redis's `TIME`, so processes on machines with skewed
  clocks agree), drops send times older than the window, computes this request's send time and records it. The
  caller then sleeps until that time. Reservations are first come, first served across all processes, so none
  starves;
- **shared pauses**: a 429 seen by any process runs the penalty script: the pause and the emptied bucket are seen by
  every process's next reservation, and requests already waiting re-check the pause after their sleep;
- **margin**: the rolling-window guard keeps `GUARD_MARGIN` (1 s) more than the window, for the scheduling jitter
  of several processes;
- **keys**: `shipstation-mcp:rl:<hash>:…`, where the hash is `limiter.limiter_key` (SHA-256 of host and API key;
  the key itself never reaches Redis). They expire a minute after the last use.

Why a script rather than the `limits` library: `limits` answers "may I go now?" (its moving window over Redis is
test-and-hit) but has no way to reserve a future slot, so waiting callers would poll and the fastest poller would
win (no first-come order, no starvation bound), and it has no notion of a pause ordered by a 429. The script is the
in-process limiter's `_reserve`, a dozen lines of Lua.

When Redis cannot be reached, `acquire` raises `SharedStateUnavailable` and nothing is sent to ShipStation (sending
without the shared budget is what causes 429 storms); the redis client reconnects by itself on a later call.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from ..errors import RateLimitedError, SharedStateUnavailable
from .limiter import MAX_PAUSE, WINDOW, Sleep


def default_burst(requests_per_minute: int) -> int:
    """A quarter of the minute's allowance, at least 1: what one process may send at once from a full bucket."""
    return max(1, requests_per_minute // 4)


logger = logging.getLogger(__name__)

KEY_PREFIX = "shipstation-mcp:rl:"
GUARD_MARGIN = 1.0
"""Seconds added to the rolling-window guard: with several processes (and machines), a request leaves a little
after its reserved time, by however long its process took to get to it. When an early request of a window leaves
late and a later one on time, ShipStation could see a window with one too many; one second covers that, and costs
one second only when the window (not the bucket) is what holds requests back."""

# KEYS: sends (sorted set of reserved send times), state (hash: tat, paused_until, epoch)
# ARGV: limit, guard window (window + GUARD_MARGIN), interval, tolerance, skip_pause (0/1), member, max_pause
# Returns {wait seconds or "-1" when the pause is too long, seconds of pause left, epoch}
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
local tolerance = tonumber(ARGV[4])
local skip = ARGV[5] == '1'
local tat = tonumber(redis.call('HGET', KEYS[2], 'tat') or '0')
local paused = tonumber(redis.call('HGET', KEYS[2], 'paused_until') or '0')
local epoch = tonumber(redis.call('HGET', KEYS[2], 'epoch') or '0')
if (not skip) and paused - now > tonumber(ARGV[7]) then
  return {'-1', string.format('%.6f', paused - now), epoch}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.6f', now - window))
local send = now
if not skip then send = math.max(now, tat - tolerance, paused) end
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local nth = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  send = math.max(send, tonumber(nth[2]) + window)
end
tat = math.max(tat, now, send - tolerance) + interval
redis.call('HSET', KEYS[2], 'tat', string.format('%.6f', tat))
redis.call('ZADD', KEYS[1], string.format('%.6f', send), ARGV[6])
if count + 1 > limit then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - limit) end
local keep = math.ceil((math.max(send, tat, paused) - now + window) * 1000) + 1000
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
return {string.format('%.6f', send - now), string.format('%.6f', math.max(0, paused - now)), epoch}
"""

# KEYS: state. ARGV: retry_after seconds, tolerance. Returns the pause left in seconds.
PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause_end = now + tonumber(ARGV[1])
local paused = math.max(tonumber(redis.call('HGET', KEYS[1], 'paused_until') or '0'), pause_end)
local tat = math.max(tonumber(redis.call('HGET', KEYS[1], 'tat') or '0'), pause_end + tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'paused_until', string.format('%.6f', paused), 'tat', string.format('%.6f', tat))
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now + 120) * 1000))
return string.format('%.6f', paused - now)
"""

# KEYS: state. Returns {epoch, seconds of pause left}.
PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = tonumber(redis.call('HGET', KEYS[1], 'paused_until') or '0')
return {tonumber(redis.call('HGET', KEYS[1], 'epoch') or '0'), string.format('%.6f', math.max(0, paused - now))}
"""


class RedisRateLimiter:
    """`RateLimiter`'s policy with its state in Redis, shared by every process using `account`'s key.

    `redis` is a `redis.asyncio.Redis`; `where` (the URL without its password) is for error messages."""

    def __init__(
        self,
        redis: Any,
        account: str,
        requests_per_minute: int,
        *,
        burst: int | None = None,
        window: float = WINDOW,
        guard_margin: float = GUARD_MARGIN,
        where: str = "Redis",
    ) -> None:
        if requests_per_minute < 1:
            raise ValueError("requests_per_minute must be at least 1")
        self.requests_per_minute = requests_per_minute
        self.burst = max(1, min(burst or default_burst(requests_per_minute), requests_per_minute))
        self.window = window
        self.guard_margin = guard_margin
        self.where = where
        self._interval = window / requests_per_minute
        self._tolerance = (self.burst - 1) * self._interval
        self._keys = [f"{KEY_PREFIX}{account}:sends", f"{KEY_PREFIX}{account}:state"]
        self._reserve = redis.register_script(RESERVE)
        self._penalize = redis.register_script(PENALIZE)
        self._pause = redis.register_script(PAUSE)
        # statistics, like RateLimiter's
        self.granted = 0
        self.delayed = 0
        self.total_wait = 0.0
        self.penalties = 0

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self.requests_per_minute}/min, burst={self.burst}, {self.where})"

    def _unavailable(self, exc: Exception) -> SharedStateUnavailable:
        return SharedStateUnavailable(
            f"The shared rate budget (Redis at {self.where}) cannot be reached ({type(exc).__name__}), so nothing "
            "was sent to ShipStation. This is usually brief: try again in a few seconds. If it persists, check "
            "that Redis is running and SHIPSTATION_REDIS_URL."
        )

    async def _call(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        from redis.exceptions import RedisError

        try:
            return await script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            raise self._unavailable(exc) from None

    async def acquire(self, sleep: Sleep, *, skip_pause: bool = False) -> float:
        """Wait for this request's turn in the account's shared budget; return the seconds waited.

        Raises `RateLimitedError` when a 429 asked for a pause longer than `MAX_PAUSE`, and
        `SharedStateUnavailable` when Redis cannot be reached."""
        waited = 0.0
        while True:
            args = [
                self.requests_per_minute,
                repr(self.window + self.guard_margin),
                repr(self._interval),
                repr(self._tolerance),
                "1" if skip_pause else "0",
                uuid.uuid4().hex,
                repr(MAX_PAUSE),
            ]
            wait_text, paused_text, epoch = await self._call(self._reserve, self._keys, args)
            wait = float(wait_text)
            if wait < 0:
                raise RateLimitedError(
                    "ShipStation asked for a pause longer than we wait out.", retry_after=float(paused_text)
                )
            if wait > 1e-6:
                self.delayed += 1
                self.total_wait += wait
                waited += wait
                await sleep(wait)
            if skip_pause or wait <= 1e-6:
                self.granted += 1
                return waited
            new_epoch, paused_left = await self._call(self._pause, self._keys[1:], [])
            if int(new_epoch) == int(epoch) or float(paused_left) <= 0:
                self.granted += 1
                return waited
            # A 429 (seen by any process) arrived while this request waited: honour the new pause too.

    async def penalize(self, retry_after: float | None) -> None:
        """A 429 came back: empty the shared bucket and, with a `Retry-After`, pause every process until then."""
        self.penalties += 1
        left = await self._call(
            self._penalize, self._keys[1:], [repr(max(0.0, retry_after or 0.0)), repr(self._tolerance)]
        )
        logger.info(
            "ShipStation answered 429; every process on this key pauses for %.1f s and refills from empty", float(left)
        )
