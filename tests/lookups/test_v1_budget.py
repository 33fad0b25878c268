"""ShipStation's classic API (V1) allows 40 requests a minute per key pair: a hundred order lookups against a mock
that enforces exactly that (a rolling 60 s counted on arrival) get no 429, on a virtual clock."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import UTC, datetime
from typing import Any

import httpx

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import Settings
from shipstation_mcp.lookups.orders import find_order
from shipstation_mcp.state.limiter import RateLimiter, headroom_for
from tests.support.fake_shipstation import Timeline

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)
LIMIT = 40
LATENCY = 0.2


class RollingMinute(httpx.AsyncBaseTransport):
    """A V1 account of orders 20000…20099, each with one UPS label, that refuses the 41st request in any 60 s."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.arrivals: deque[float] = deque()
        self.refused = self.answered = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.timeline.sleep(LATENCY / 2)
        now = self.timeline.now
        while self.arrivals and self.arrivals[0] <= now - 60:
            self.arrivals.popleft()
        if len(self.arrivals) >= LIMIT:
            self.refused += 1
            status, body = 429, {"message": "Too Many Requests"}
        else:
            self.arrivals.append(now)
            self.answered += 1
            status, body = 200, self.body(request)
        reset = 60 - (now - self.arrivals[0]) if self.arrivals else 60
        headers = {
            "X-Rate-Limit-Limit": str(LIMIT),
            "X-Rate-Limit-Remaining": str(max(0, LIMIT - len(self.arrivals))),
            "X-Rate-Limit-Reset": str(int(reset)),
        }
        await self.timeline.sleep(LATENCY / 2)
        return httpx.Response(status, json=body, headers=headers, request=request)

    @staticmethod
    def body(request: httpx.Request) -> dict[str, Any]:
        params = request.url.params
        resource = request.url.path.strip("/")
        if resource == "orders":
            number = params["orderNumber"]
            order = {"orderId": int(number) + 1_000_000, "orderNumber": number, "orderStatus": "shipped"}
            return {"orders": [order], "total": 1, "page": 1, "pages": 1}
        if resource == "shipments":
            order_id = int(params["orderId"])
            row = {
                "shipmentId": order_id + 5_000_000,
                "orderId": order_id,
                "trackingNumber": f"1Z999AA1{order_id:010d}",
                "carrierCode": "ups",
                "voided": False,
                "createDate": "2026-05-11T09:00:00.0000000",
            }
            return {"shipments": [row], "total": 1, "page": 1, "pages": 1}
        return {resource: [], "total": 0, "page": 1, "pages": 0}


def test_a_hundred_v1_lookups_keep_to_forty_a_minute_without_a_429() -> None:
    timeline = Timeline()
    mock = RollingMinute(timeline)
    settings = Settings(api_key="v1-key", api_secret="v1-secret", api="v1", max_retries=0)
    assert settings.requests_per_minute == LIMIT
    rate = settings.requests_per_minute
    limiter = RateLimiter(rate, headroom=headroom_for(rate, settings.rate_headroom), clock=timeline.clock)
    answers = []

    async def lookups() -> None:
        async with ShipStationClient(
            settings, transport=mock, sleep=timeline.sleep, limiter=limiter, cache=None
        ) as client:
            gate = asyncio.Semaphore(10)

            async def one(number: int) -> None:
                async with gate:
                    answers.append(await find_order(client, str(number), now=NOW))

            await asyncio.gather(*(one(20000 + i) for i in range(100)))

    asyncio.run(timeline.run([lookups()]))
    assert mock.refused == 0
    assert len(answers) == 100 and all(a.packages[0].tracking_number for a in answers)
    assert mock.answered == 300  # an order search, its labels and its fulfillments, per lookup
    # 300 requests at 38 a minute (2 left for the key's other users): the 8th minute, and no later than needed
    assert 7 * 60 < timeline.now < 8.2 * 60
