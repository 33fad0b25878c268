"""Orders marked shipped outside ShipStation: known only from `GET /v2/fulfillments`, found by `find_order` and
`find_by_tracking_number` (in the demo account: order 10456; and the real fulfillment list others recorded)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.api.models import FulfillmentList
from shipstation_mcp.config import Settings, load_settings
from shipstation_mcp.sandbox import SandboxTransport
from shipstation_mcp.tools.server import create_server
from tests.support.real_payloads import real_payload

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)
UPS_NUMBER = "1Z7R4W830348812065"


def demo(api: str = "v2", transport: SandboxTransport | None = None) -> Any:
    settings = load_settings({"SHIPSTATION_API": api}, demo=True, dotenv_path=Path("/nonexistent/.env"))
    return create_server(settings, transport=transport or SandboxTransport(clock=lambda: NOW), clock=lambda: NOW)


@pytest.mark.parametrize("query", ["10456", UPS_NUMBER, "1z7r 4w83 0348 8120 65"])
async def test_find_order_finds_an_order_known_only_from_fulfillments(query: str) -> None:
    async with Client(demo()) as client:
        result = await client.call_tool("find_order", {"query": query})
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    assert data["shipment"]["shipment_id"] == "se-4000456" and data["shipment"]["labels"] == []
    (mark,) = data["shipment"]["marked_shipped"]
    assert (mark["carrier"], mark["carrier_code"], mark["tracking_number"]) == ("UPS", "ups", UPS_NUMBER)
    assert data["headline"].startswith("Order 10456 for \u201cAnselm Kowalczyk\u201d")
    assert "marked shipped outside ShipStation with UPS 1Z7R4W830348812065" in data["headline"]
    (package,) = data["packages"]  # the carrier's tracking of the number recorded
    assert package["tracking_number"] == UPS_NUMBER and package["status_code"] == "AC"
    assert "no ShipStation label" in package["note"]
    assert "Marked shipped outside ShipStation (External) — UPS 1Z7R4W830348812065" in result.content[0].text


async def test_find_by_tracking_number_names_the_order_marked_shipped_elsewhere() -> None:
    async with Client(demo()) as client:
        result = await client.call_tool("find_by_tracking_number", {"tracking_number": UPS_NUMBER})
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    assert data["headline"].startswith(f"{UPS_NUMBER} belongs to 1 shipment(s) marked shipped outside ShipStation")
    (shipment,) = data["shipments"]
    assert shipment["shipment_number"] == "10456" and shipment["marked_shipped"][0]["carrier"] == "UPS"
    assert "call track_package with 1Z7R4W830348812065" in shipment["next_step"]


async def test_without_tracking_by_number_the_order_still_says_carrier_and_number() -> None:
    async with Client(demo(transport=SandboxTransport(clock=lambda: NOW, v2_tracking=403))) as client:
        result = await client.call_tool("find_order", {"query": "10456"})
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    assert data["packages"] == []
    assert data["headline"] == (
        "Order 10456 for \u201cAnselm Kowalczyk\u201d, Milwaukee, WI 53212, US: marked shipped outside ShipStation "
        "with UPS 1Z7R4W830348812065"
    )


async def test_shipengine_has_no_fulfillments_and_asks_for_none() -> None:
    transport = SandboxTransport(clock=lambda: NOW)
    async with Client(demo("shipengine", transport)) as client:
        result = await client.call_tool("find_order", {"query": "10456"})
    assert not result.is_error
    assert result.structured_content["shipment"]["marked_shipped"] == []
    assert not any("fulfillments" in path for _, path in transport.requests)


async def test_a_refused_fulfillment_listing_leaves_the_answer_as_it_was() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v2/fulfillments":
            return httpx.Response(403, json={"errors": [{"message": "Not on this plan"}]})
        return SandboxTransport(clock=lambda: NOW).handle_request(request)

    settings = Settings(api_key="k-1", max_retries=0)
    async with Client(create_server(settings, transport=httpx.MockTransport(handler), clock=lambda: NOW)) as client:
        result = await client.call_tool("find_order", {"query": "10456"})
    assert not result.is_error, result.content[0].text
    assert result.structured_content["headline"].endswith("being processed; no label yet")


def test_the_real_fulfillment_list_reads_leniently() -> None:
    payload, _meta = real_payload("fulfillment_list", "pmcgee_fedex_fulfillment_shipped_v2_resource_url")
    (row,) = FulfillmentList.model_validate(payload).fulfillments
    assert (row.shipment_id, row.shipment_number, row.tracking_number) == ("se-412669417", "100044", "3831466XXXX3")
    assert (row.carrier_name, row.carrier_code, row.provider_name) == ("FedEx", None, "External")
    assert row.ship_date == datetime(2026, 9, 3, 7, 0, tzinfo=UTC) and row.voided is False
    assert row.ship_to is not None and row.ship_to.city_locality == "LOS ANGELES"


async def test_find_order_answers_from_the_real_fulfillment_list() -> None:
    payload, _meta = real_payload("fulfillment_list", "pmcgee_fedex_fulfillment_shipped_v2_resource_url")
    shipment = {"shipment_id": "se-412669417", "shipment_number": "100044", "shipment_status": "pending"}

    def handler(request: httpx.Request) -> httpx.Response:
        match request.url.path:
            case "/v2/shipments":
                return httpx.Response(200, json={"shipments": [shipment], "total": 1, "page": 1, "pages": 1})
            case "/v2/labels":
                return httpx.Response(200, json={"labels": [], "total": 0, "page": 1, "pages": 0})
            case "/v2/fulfillments":
                return httpx.Response(200, content=json.dumps(payload).encode())
        return httpx.Response(404, json={"errors": [{"message": "no"}]})

    settings = Settings(api_key="k-1", max_retries=0)
    async with Client(create_server(settings, transport=httpx.MockTransport(handler), clock=lambda: NOW)) as client:
        result = await client.call_tool("find_order", {"query": "100044"})
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    assert data["headline"] == "Order 100044: marked shipped outside ShipStation with FedEx 3831466XXXX3"
    (mark,) = data["shipment"]["marked_shipped"]
    assert mark["carrier_code"] == "fedex" and mark["provider"] == "External"
    # The masked number cannot be tracked: the carrier and number are the answer.
    assert data["packages"] == [] or data["packages"][0]["tracking_number"] == "3831466XXXX3"
