"""One rate budget per ShipStation account, shared in Redis by every process that uses the key.

ShipStation's 200 requests/minute is per account: two processes that each believe they own the whole budget
collect 429s together. `RedisRateLimiter` applies `RateLimiter`'s policy (limiter.py) across processes:

- **budget**: the per-minute allowance minus the headroom, all of it at once when nothing else used the key;
- **held slots**: a sorted set of slot end times. A granted request adds its slot scored with a safe upper bound
  (now + its deadline + one window: if the process dies mid-request, the slot still frees by itself); `release`
  re-scores it to one window after the answer came in (`ZADD … XX LT`). Entries whose end has passed are pruned; a
  request is granted while fewer than `budget` slots are held, and otherwise told how long until the oldest frees
  (or, when every slot is still in flight, to look again shortly, since the first answer frees one);
- **429s**: `penalize` pauses every process until the `Retry-After` (at most `MAX_PAUSE`), then paces the
  account to one request per interval for a window; a pause longer than `MAX_PAUSE` fails at once
  (`RateLimitedError`). The request whose own 429 set the pause has slept it out and skips it (`skip_pause`);
- **one clock**: every script reads Redis's own `TIME`, so processes (and machines) with skewed clocks agree;
- **one small atomic Lua script per operation** (acquire, release, penalize): no read-then-write races;
- **keys**: `shipstation-mcp:rl:<hash>:…`, where the hash is `limiter.limiter_key` (SHA-256 of host and API key;
  the key itself never reaches Redis). They expire once nothing in them matters any more.

`observe` takes in `X-Rate-Limit-Limit` for this process only (a lower server limit lowers the budget this
process asks for); the other headers are not shared: the held slots already account for every process's requests.

When Redis cannot be reached, `acquire` raises `SharedStateUnavailable` and nothing is sent to ShipStation (sending
without the shared budget is what causes 429 storms); the redis client reconnects by itself on a later call. A
`release` that cannot reach Redis is logged and left to the slot's upper bound.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import DEFAULT_TIMEOUT
from ..errors import RateLimitedError, SharedStateUnavailable
from .limiter import MAX_PAUSE, WINDOW, Sleep

logger = logging.getLogger(__name__)

KEY_PREFIX = "shipstation-mcp:rl:"
POLL = 0.05
"""Seconds between looks while every held slot is still in flight (the first answer frees one)."""
RECHECK = 2.0
"""The longest a waiting request sleeps before it asks Redis again: a slot can free early (another process's
request failed and released it), a 429 elsewhere can pause everyone, and Redis can go away; a waiter that slept out
a whole window would see none of that until the end of it."""
DEADLINE_MARGIN = 5.0
"""Added to the request deadline for an in-flight slot's upper bound (the answer is read and released after it)."""

# KEYS: slots (sorted set of slot end times), state (hash: paused_until, slow_until, next_slow)
# ARGV: budget, window, hold (deadline + margin + window), interval, skip_pause (0/1), member, max_pause
# Returns {kind, seconds}: kind 'go' (granted), 'wait' (sleep seconds, then ask again), 'busy' (every slot in
# flight: look again shortly), 'long' (a pause longer than max_pause: seconds of it left).
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local budget = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[2], 'paused_until', 'slow_until', 'next_slow')
local paused = tonumber(state[1] or '0')
local slow = tonumber(state[2] or '0')
local next_slow = tonumber(state[3] or '0')
if ARGV[5] ~= '1' then
  if paused - now > tonumber(ARGV[7]) then return {'long', string.format('%.6f', paused - now)} end
  local at = math.max(now, paused)
  if at < slow then at = math.max(at, next_slow) end
  if at > now then return {'wait', string.format('%.6f', at - now)} end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.6f', now))
if redis.call('ZCARD', KEYS[1]) >= budget then
  local frees = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
  if frees > now + window then return {'busy', '0'} end
  return {'wait', string.format('%.6f', frees - now)}
end
local hold = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], string.format('%.6f', now + hold), ARGV[6])
redis.call('PEXPIRE', KEYS[1], math.ceil(hold * 1000) + 1000)
if now < slow then
  redis.call('HSET', KEYS[2], 'next_slow', string.format('%.6f', math.max(next_slow, now) + tonumber(ARGV[4])))
end
return {'go', '0'}
"""

# KEYS: slots. ARGV: member, window. The slot frees one window from now (never later than its bound).
RELEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local changed = redis.call('ZADD', KEYS[1], 'XX', 'LT', 'CH', string.format('%.6f', now + tonumber(ARGV[2])), ARGV[1])
local need = math.ceil(tonumber(ARGV[2]) * 1000) + 1000
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 and ttl < need then redis.call('PEXPIRE', KEYS[1], need) end
return changed
"""

# KEYS: state. ARGV: retry_after seconds (already capped), window. Returns the pause left in seconds.
PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause_end = now + tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'paused_until', 'slow_until', 'next_slow')
local paused = math.max(tonumber(state[1] or '0'), pause_end)
local slow = math.max(tonumber(state[2] or '0'), pause_end + tonumber(ARGV[2]))
local next_slow = math.max(tonumber(state[3] or '0'), pause_end)
redis.call('HSET', KEYS[1], 'paused_until', string.format('%.6f', paused), 'slow_until', string.format('%.6f', slow),
  'next_slow', string.format('%.6f', next_slow))
redis.call('PEXPIRE', KEYS[1], math.ceil((slow - now) * 1000) + 1000)
return string.format('%.6f', paused - now)
"""


# KEYS: slots, state. ARGV: budget. Read-only: how many slots are free now (0 during a pause, 1 when paced).
ADMITS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[2], 'paused_until', 'slow_until', 'next_slow')
if tonumber(state[1] or '0') > now then return 0 end
if tonumber(state[2] or '0') > now then
  if tonumber(state[3] or '0') > now then return 0 end
  return 1
end
local held = redis.call('ZCOUNT', KEYS[1], string.format('(%.6f', now), '+inf')
return math.max(0, tonumber(ARGV[1]) - held)
"""


@dataclass
class SharedPermit:
    """One request's slot in the shared budget; give it back with `RedisRateLimiter.release`."""

    waited: float
    member: str
    sequence: int = 0
    released: bool = False


class RedisRateLimiter:
    """`RateLimiter`'s policy with its state in Redis, shared by every process using `account`'s key.

    `redis` is a `redis.asyncio.Redis`; `where` (the URL without its password) is for error messages;
    `request_deadline` is the longest one attempt may take (an in-flight slot's upper bound)."""

    def __init__(
        self,
        redis: Any,
        account: str,
        requests_per_minute: int,
        *,
        headroom: int = 0,
        window: float = WINDOW,
        request_deadline: float = DEFAULT_TIMEOUT,
        deadline_margin: float = DEADLINE_MARGIN,
        poll: float = POLL,
        recheck: float = RECHECK,
        where: str = "Redis",
    ) -> None:
        if requests_per_minute < 1:
            raise ValueError("requests_per_minute must be at least 1")
        self.requests_per_minute = requests_per_minute
        self.headroom = max(0, min(headroom, requests_per_minute - 1))
        self.window = window
        self.hold = request_deadline + deadline_margin + window
        self.poll = poll
        self.recheck = recheck
        self.where = where
        self._server_limit: int | None = None
        self._keys = [f"{KEY_PREFIX}{account}:slots", f"{KEY_PREFIX}{account}:state"]
        self._acquire = redis.register_script(ACQUIRE)
        self._release = redis.register_script(RELEASE)
        self._penalize = redis.register_script(PENALIZE)
        self._admits = redis.register_script(ADMITS)
        # statistics, like RateLimiter's
        self.sent = 0
        self.granted = 0
        self.delayed = 0
        self.total_wait = 0.0
        self.penalties = 0

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self.requests_per_minute}/min, budget={self.budget}, {self.where})"

    @property
    def budget(self) -> int:
        """Requests all processes together may have in one window: the limit (ours or the server's) less headroom."""
        limit = min(self.requests_per_minute, self._server_limit or self.requests_per_minute)
        return max(1, limit - self.headroom)

    @property
    def interval(self) -> float:
        return self.window / self.budget

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

    async def acquire(self, sleep: Sleep, *, skip_pause: bool = False) -> SharedPermit:
        """Wait for this request's slot in the account's shared budget and return its permit.

        Raises `RateLimitedError` when a 429 asked for a pause longer than `MAX_PAUSE`, and
        `SharedStateUnavailable` when Redis cannot be reached (nothing is held then)."""
        waited = 0.0
        member = uuid.uuid4().hex
        while True:
            args = [
                self.budget,
                repr(self.window),
                repr(self.hold),
                repr(self.interval),
                "1" if skip_pause else "0",
                member,
                repr(MAX_PAUSE),
            ]
            kind, seconds = await self._call(self._acquire, self._keys, args)
            kind, wait = (kind.decode() if isinstance(kind, bytes) else kind), float(seconds)
            if kind == "go":
                self.sent += 1
                self.granted += 1
                return SharedPermit(waited=waited, member=member, sequence=self.sent)
            if kind == "long":
                raise RateLimitedError("ShipStation asked for a pause longer than we wait out.", retry_after=wait)
            if kind == "busy":
                wait = self.poll
            if wait > 1e-6:
                wait = min(wait, self.recheck)  # then ask again (see RECHECK)
                if waited == 0.0:  # the statistic counts requests that waited, not looks
                    self.delayed += 1
                self.total_wait += wait
                waited += wait
                await sleep(wait)

    async def admits_now(self) -> int:
        """How many requests every process on the key together could start at once now."""
        return int(await self._call(self._admits, self._keys, [self.budget]))

    async def release(self, permit: Any) -> None:
        """The request's answer (or its failure) is in: its slot frees one window from now, for every process."""
        if permit.released:
            return
        permit.released = True
        try:
            await self._call(self._release, self._keys[:1], [permit.member, repr(self.window)])
        except SharedStateUnavailable:
            logger.warning("Could not release a rate slot in Redis at %s; it frees by itself later", self.where)

    def observe(self, headers: Mapping[str, str], permit: Any) -> None:
        """`X-Rate-Limit-Limit` below ours lowers this process's budget; the rest is in the shared slots."""
        value = (headers.get("x-rate-limit-limit") or "").strip()
        if value.isdigit() and int(value) >= 1:
            self._server_limit = int(value) if int(value) < self.requests_per_minute else None

    async def penalize(self, retry_after: float | None) -> None:
        """A 429 came back: pause every process until its `Retry-After`, then one per interval for a window."""
        self.penalties += 1
        pause = min(MAX_PAUSE, max(0.0, retry_after or 0.0))
        left = await self._call(self._penalize, self._keys[1:], [repr(pause), repr(self.window)])
        logger.info(
            "ShipStation answered 429; every process on this key pauses for %.1f s, then one request every %.2f s "
            "for a minute",
            float(left),
            self.interval,
        )
