"""The demo account through ShipStation's classic API (V1): one call answers "where is order 10443?", with
tracking status when a V2 or ShipEngine key is configured beside the V1 pair, and plainly without it otherwise."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import load_settings
from shipstation_mcp.sandbox import SandboxTransport
from shipstation_mcp.tools.server import create_server
from tests.support.demo_calls import answer_of

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)  # PDT: Pacific is UTC-7
NO_DOTENV = Path("/nonexistent/.env")


def server(**env: str):
    settings = load_settings({"SHIPSTATION_API": "v1", **env}, demo=True, dotenv_path=NO_DOTENV)
    return create_server(settings, clock=lambda: NOW)


async def find_10443(**env: str) -> tuple[str, dict]:
    async with Client(server(**env)) as client:
        return answer_of(await client.call_tool("find_order", {"query": "10443"}))


@pytest.mark.parametrize("tracking_api", ["shipengine", "v2"])
async def test_find_order_with_a_tracking_key_beside_v1_has_tracking_status(tracking_api: str) -> None:
    text, data = await find_10443(SHIPSTATION_TRACKING_API=tracking_api)
    assert data["shipment"]["status"] == "shipped" and data["shipment"]["shipment_id"] == "4000443"
    [package] = data["packages"]
    assert package["tracking_number"] == "1ZA4R8E20361199987"
    assert package["status_code"] == "IT" and package["detail_code"] == "OUT_FOR_DELIVERY"
    assert "Out for delivery" in data["headline"] and "SEATTLE" in data["headline"]
    assert "no tracking status" not in text


async def test_find_order_without_a_tracking_key_says_so_and_gives_the_link() -> None:
    text, data = await find_10443()
    [package] = data["packages"]
    assert package["status_code"] == "UN" and not package.get("detail_code")
    assert package["tracking_url"] == "https://www.ups.com/track?tracknum=1ZA4R8E20361199987"
    assert "this account's API gives no tracking status" in data["headline"]
    assert "out for delivery" not in text.lower()


async def test_a_v2_tracking_key_cannot_track_a_fulfillment_and_says_why() -> None:
    async with Client(server(SHIPSTATION_TRACKING_API="v2")) as client:
        _, data = answer_of(await client.call_tool("find_order", {"query": "10450"}))
    [package] = data["packages"]
    assert package["status_code"] == "UN" and "marked shipped outside ShipStation's labels" in package["meaning"]
    async with Client(server(SHIPSTATION_TRACKING_API="shipengine")) as client:
        _, data = answer_of(await client.call_tool("find_order", {"query": "10450"}))
    assert data["packages"][0]["delivered"] is True  # ShipEngine tracks any number by its carrier


def test_the_classic_demo_speaks_v1_shapes_pacific_times_and_rate_headers() -> None:
    basic = "Basic " + base64.b64encode(b"demo:demo").decode()
    transport = SandboxTransport(clock=lambda: NOW)
    with httpx.Client(transport=transport, base_url="https://ssapi.shipstation.com") as http:
        orders = http.get("/orders", params={"orderNumber": "1044"}, headers={"Authorization": basic})
        order = http.get("/orders/4000443", headers={"Authorization": basic}).json()
        unauthorised = http.get("/orders/4000443", headers={"API-Key": "demo"})
    assert orders.headers["X-Rate-Limit-Limit"] == "40" and "X-Rate-Limit-Reset" in orders.headers
    numbers = [row["orderNumber"] for row in orders.json()["orders"]]
    assert len(numbers) == 10 and all(n.startswith("1044") for n in numbers)  # V1's search is starts-with
    # created 160 hours before 15:30 UTC on 12 May: 23:30 UTC on 5 May, 16:30 in Seattle (PDT, UTC-7), no offset
    assert order["createDate"] == "2026-05-05T16:30:00.0000000"
    assert order["orderStatus"] == "shipped" and order["orderId"] == 4000443
    assert unauthorised.status_code == 401
