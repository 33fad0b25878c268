"""The V1 adapter's defensive corners, where V1's behaviour is undocumented."""

from __future__ import annotations

import httpx
import pytest

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import Settings
from shipstation_mcp.errors import NotFoundError
from shipstation_mcp.lookups.orders import find_order

pytestmark = pytest.mark.anyio

SETTINGS = Settings(api_key="v1-key-123", api_secret="v1-secret-456", api="v1", max_retries=0)


def client(handle) -> ShipStationClient:
    return ShipStationClient(SETTINGS, transport=httpx.MockTransport(handle), limiter=None, cache=None)


@pytest.mark.parametrize("status", [400, 404])
async def test_an_unknown_order_id_is_not_found_whichever_status_v1_gives(status: int) -> None:
    async with client(lambda request: httpx.Response(status, json={"Message": "The request is invalid."})) as api:
        with pytest.raises(NotFoundError):
            await api.get_shipment("123")


async def test_order_number_pages_are_read_to_the_end_even_when_pages_says_zero() -> None:
    """V1's `pages` can be 0 beside rows: a full page means there may be more, a short one ends the search."""
    asked: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        asked.append(page)
        rows = [{"orderId": page * 1000 + i, "orderNumber": f"1044{i % 10}"} for i in range(500 if page < 3 else 7)]
        return httpx.Response(200, json={"orders": rows, "total": 0, "page": page, "pages": 0})

    async with client(handle) as api:
        found = await api.list_shipments(shipment_number="10443")
    assert asked == [1, 2, 3]
    assert len(found.shipments) == 50 + 50 + 1 and {s.shipment_number for s in found.shipments} == {"10443"}


async def test_nothing_matching_a_v1_query_says_what_was_tried() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/orders":
            return httpx.Response(200, json={"orders": [], "total": 0, "page": 1, "pages": 0})
        return httpx.Response(404, json={"message": "not found"})

    async with client(handle) as api:
        with pytest.raises(Exception) as caught:
            await find_order(api, "10443")
    assert "order number 10443: no match" in str(caught.value) and "shipment id 10443: no match" in str(caught.value)
