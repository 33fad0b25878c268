"""Counting round trips on a critical path, without a wall clock.

`RoundTrips` answers from a `FakeShipStation` after one unit of virtual time (`Timeline`): requests in flight
together share the unit, requests one after another add one each, so `timeline.now` at the end is the number of
round trips on the critical path (plus any wait the rate limiter imposed, which `limiter.delayed` shows). It can
also play ShipStation's rolling limit: more than `per_minute` requests arriving within 60 virtual seconds get a 429.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.fake_shipstation import Timeline


class Rounds(Timeline):
    """A `Timeline` that gives woken tasks more event-loop turns to reach their next sleep: a whole lookup (the
    client, the cache, the limiter, parsing) runs between two requests."""

    SETTLE = 64


class RoundTrips(httpx.AsyncBaseTransport):
    def __init__(
        self,
        handle: Callable[[httpx.Request], httpx.Response],
        timeline: Timeline,
        *,
        latency: float = 1.0,
        per_minute: int | None = None,
    ) -> None:
        self.handle = handle
        self.timeline = timeline
        self.latency = latency
        self.per_minute = per_minute
        self.arrivals: deque[float] = deque()
        self.refused = 0
        self.sent: list[tuple[float, str]] = []
        self.urls: list[str] = []
        """(virtual time sent, method and path) of every request."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((self.timeline.now, f"{request.method} {request.url.path}"))
        self.urls.append(str(request.url))
        await request.aread()
        await self.timeline.sleep(self.latency / 2)
        response = self._arrive(request)
        await self.timeline.sleep(self.latency / 2)
        return response

    def _arrive(self, request: httpx.Request) -> httpx.Response:
        if self.per_minute is not None:
            now = self.timeline.now
            while self.arrivals and self.arrivals[0] <= now - 60:
                self.arrivals.popleft()
            if len(self.arrivals) >= self.per_minute:
                self.refused += 1
                return httpx.Response(429, headers={"Retry-After": "1"}, json={"errors": [{"message": "slow down"}]})
            self.arrivals.append(now)
        return self.handle(request)


def run_on(timeline: Timeline, work: Any) -> Any:
    """Run one coroutine on the timeline (in a fresh event loop) and return its result."""
    import asyncio

    box: list[Any] = []

    async def keep() -> None:
        box.append(await work)

    asyncio.run(timeline.run([keep()]))
    return box[0]
