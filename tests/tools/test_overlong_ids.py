"""Ids far longer than any real one, typed by a person or handed back by the API, end in an explained tool error
through a real MCP client, never in an escaped `httpx.InvalidURL`; nothing over-long is sent."""

from __future__ import annotations

import re

import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio

V2 = "https://api.shipstation.com/v2"
HUGE = "se-" + "9" * 100_000


@pytest.fixture
def non_mocked_hosts() -> list[str]:
    return []


def text_of(result: object) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)  # type: ignore[attr-defined]


async def test_an_api_handed_shipment_id_too_long_for_a_url_is_an_explained_error(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        url=f"{V2}/shipments/external_shipment_id/ORDER-1", json={"shipment_id": HUGE, "shipment_status": "pending"}
    )
    server = create_server(Settings(api_key="TEST_key_long_ids", max_retries=0))
    async with Client(server) as client:
        result = await client.call_tool("find_by_external_id", {"external_shipment_id": "ORDER-1"})
    assert result.is_error
    text = text_of(result)
    assert "shipment id that cannot be right" in text and "100003 characters" in text
    assert "InvalidURL" not in text and "internal error" not in text
    assert len(httpx_mock.get_requests()) == 1  # the broken id was never sent


async def test_an_api_handed_label_id_too_long_for_a_url_fails_only_that_package(httpx_mock: HTTPXMock) -> None:
    number = "1ZA4R8E20293229421"
    httpx_mock.add_response(
        url=re.compile(rf"{V2}/labels\?.*tracking_number={number}.*"),
        json={"labels": [{"label_id": HUGE, "tracking_number": number}], "total": 1, "page": 1, "pages": 1},
    )
    server = create_server(Settings(api_key="TEST_key_long_ids", max_retries=0))
    async with Client(server) as client:
        single = await client.call_tool("track_package", {"tracking_number": number})
        bulk = await client.call_tool("track_packages", {"packages": [number]})
    assert single.is_error and "label id that cannot be right" in text_of(single)
    assert not bulk.is_error
    item = bulk.structured_content["results"][0]
    assert item["outcome"] == "failed" and "label id that cannot be right" in item["error"]


async def test_a_value_too_long_for_a_url_is_refused_before_sending(httpx_mock: HTTPXMock) -> None:
    from shipstation_mcp.api.client import ShipStationClient
    from shipstation_mcp.errors import InvalidInput

    async with ShipStationClient(Settings(api_key="TEST_key_long_ids", max_retries=0)) as client:
        with pytest.raises(InvalidInput, match="too long to send to ShipStation"):
            await client.list_labels(shipment_id="x" * 100_000)
    assert httpx_mock.get_requests() == []
