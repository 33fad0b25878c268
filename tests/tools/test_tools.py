"""Every tool through a real MCP client (in memory), with ShipStation mocked by pytest-httpx."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from mcp import Client
from pytest_httpx import HTTPXMock

from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server
from tests.fixtures import load_json, load_text

pytestmark = pytest.mark.anyio

KEY = "CANARY-tools-5f1e9a0b7c"
V2 = "https://api.shipstation.com/v2"
V1 = "https://api.shipengine.com/v1"

SHIPMENT = load_json("quirks/shipment_numeric_postal.json")
SHIPMENT_ID = SHIPMENT["shipment_id"]
LABEL = load_json("quirks/label_multi_package.json")
LABEL_ID = LABEL["label_id"]
UPS_NUMBER = LABEL["tracking_number"]
TRACK_UPS = load_json("seeds/track_label_ups_delivered.json")
TRACK_USPS = load_json("seeds/track_usps_delivered.json")
ERROR_404 = load_json("quirks/error_404.json")

EXPECTED_TOOLS = {
    "get_shipment": True,
    "find_by_external_id": True,
    "list_shipments": True,
    "find_by_tracking_number": True,
    "track_label": True,
    "track_package": True,
    "subscribe_tracking": False,
    "unsubscribe_tracking": False,
    "list_carriers": True,
}


def labels_page(*labels: dict[str, Any]) -> dict[str, Any]:
    return {"labels": list(labels), "total": len(labels), "page": 1, "pages": 1 if labels else 0, "links": {}}


@pytest.fixture
def non_mocked_hosts() -> list[str]:
    return []


async def connect(api: str = "v2", **settings: Any) -> AsyncIterator[Client]:
    server = create_server(Settings(api_key=KEY, api=api, max_retries=settings.pop("max_retries", 0), **settings))
    async with Client(server) as client:
        yield client


@pytest.fixture
async def v2() -> AsyncIterator[Client]:
    async for client in connect("v2"):
        yield client


@pytest.fixture
async def shipengine() -> AsyncIterator[Client]:
    async for client in connect("shipengine"):
        yield client


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "text", None))


def assert_no_key(result: Any) -> None:
    assert KEY not in text_of(result)
    assert KEY not in json.dumps(result.structured_content or {})


def only_request(httpx_mock: HTTPXMock) -> httpx.Request:
    (request,) = httpx_mock.get_requests()
    return request


# ----------------------------------------------------------------------------- the tool list


async def test_every_tool_is_listed_with_title_annotations_and_output_schema(v2: Client) -> None:
    tools = {tool.name: tool for tool in (await v2.list_tools()).tools}
    assert set(EXPECTED_TOOLS) <= set(tools)
    for name, read_only in EXPECTED_TOOLS.items():
        tool = tools[name]
        assert tool.title, name
        assert tool.description and len(tool.description) > 60, name
        assert tool.annotations is not None, name
        assert tool.annotations.read_only_hint is read_only, name
        assert tool.annotations.open_world_hint is True, name
        assert tool.output_schema and tool.output_schema.get("properties"), name
    assert tools["subscribe_tracking"].annotations.idempotent_hint is True
    assert tools["subscribe_tracking"].annotations.destructive_hint is False
    schema = tools["list_shipments"].input_schema
    assert schema["properties"]["page_size"]["maximum"] == 100
    assert "headline" in tools["track_package"].output_schema["required"]


async def test_status_glossary_resource(v2: Client) -> None:
    result = await v2.read_resource("shipstation://status-codes")
    text = result.contents[0].text
    assert "| AT |" in text and "HELD_BY_CUSTOMS" in text


# ----------------------------------------------------------------------------- shipments


async def test_get_shipment_returns_shipment_with_labels(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="GET", url=f"{V2}/shipments/{SHIPMENT_ID}", json=SHIPMENT, match_headers={"API-Key": KEY}
    )
    httpx_mock.add_response(
        method="GET", url=f"{V2}/labels?shipment_id={SHIPMENT_ID}&page_size=100", json=labels_page(LABEL)
    )
    result = await v2.call_tool("get_shipment", {"shipment_id": SHIPMENT_ID})

    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["shipment_number"] == "10443"
    assert data["ship_to"]["name"] == "Priya Natarajan"
    assert data["labels"][0]["tracking_number"] == UPS_NUMBER
    assert len(data["labels"][0]["package_tracking_numbers"]) == 3
    assert text_of(result).startswith("Order 10443 for “Priya Natarajan”")
    assert_no_key(result)


async def test_find_by_external_id_encodes_the_id_as_one_segment(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=f"{V2}/shipments/external_shipment_id/A%2FB%3Fx%3D1%23y", json=SHIPMENT)
    httpx_mock.add_response(
        method="GET", url=f"{V2}/labels?shipment_id={SHIPMENT_ID}&page_size=100", json=labels_page()
    )
    result = await v2.call_tool("find_by_external_id", {"external_shipment_id": "A/B?x=1#y"})

    assert not result.is_error, text_of(result)
    first = httpx_mock.get_requests()[0]
    assert first.url.raw_path == b"/v2/shipments/external_shipment_id/A%2FB%3Fx%3D1%23y"
    assert result.structured_content["next_step"].startswith("No label has been bought yet")


async def test_list_shipments_sends_filters_newest_first(v2: Client, httpx_mock: HTTPXMock) -> None:
    page = {"shipments": [SHIPMENT], "total": 1, "page": 1, "pages": 1, "links": {}}
    httpx_mock.add_response(method="GET", url=re.compile(rf"{V2}/labels\?.*"), json=labels_page(LABEL))
    httpx_mock.add_response(method="GET", json=page)
    result = await v2.call_tool(
        "list_shipments",
        {
            "status": "label_purchased",
            "created_after": "2026-04-01",
            "created_before": "2026-04-30T23:59:59Z",
            "ship_to_name": "Priya",
            "page_size": 10,
        },
    )
    assert not result.is_error, text_of(result)
    request, labels = httpx_mock.get_requests()  # the page's labels come from one listing, not one per row
    assert labels.url.path == "/v2/labels" and "shipment_id" not in labels.url.params
    row = result.structured_content["shipments"][0]
    assert row["labels"][0]["label_id"] == LABEL_ID and row["labels"][0]["tracking_number"] == UPS_NUMBER
    assert f"label {LABEL_ID} {UPS_NUMBER}" in text_of(result)
    assert request.url.path == "/v2/shipments"
    assert dict(request.url.params) == {
        "shipment_status": "label_purchased",
        "created_at_start": "2026-04-01T00:00:00Z",
        "created_at_end": "2026-04-30T23:59:59Z",
        "ship_to_name": "Priya",
        "page": "1",
        "page_size": "10",
        "sort_by": "created_at",
        "sort_dir": "desc",
    }
    row = result.structured_content["shipments"][0]
    assert row["shipment_number"] == "10443" and row["items"] == 3
    assert result.structured_content["headline"] == "Page 1 of 1: 1 of 1 shipment(s), newest first."


async def test_list_shipments_on_shipengine_searches_order_numbers_itself(
    shipengine: Client, httpx_mock: HTTPXMock
) -> None:
    other = {**SHIPMENT, "shipment_id": "se-2", "shipment_number": "10444"}
    first = {"shipments": [other, SHIPMENT], "total": 3, "page": 1, "pages": 2, "links": {}}
    second = {"shipments": [{**SHIPMENT, "shipment_id": "se-3", "shipment_number": "99"}], "page": 2, "pages": 2}
    httpx_mock.add_response(
        method="GET", url=f"{V1}/shipments?sort_by=created_at&sort_dir=desc&page=1&page_size=100", json=first
    )
    httpx_mock.add_response(
        method="GET", url=f"{V1}/shipments?sort_by=created_at&sort_dir=desc&page=2&page_size=100", json=second
    )
    httpx_mock.add_response(method="GET", url=re.compile(rf"{V1}/labels\?.*"), json=labels_page(LABEL))
    result = await shipengine.call_tool("list_shipments", {"shipment_number": "10443"})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert [row["shipment_id"] for row in data["shipments"]] == [SHIPMENT_ID]
    assert data["total"] == 1
    assert "so all 3 shipments were searched" in data["headline"]
    for request in httpx_mock.get_requests():
        assert "shipment_number" not in request.url.params  # ShipEngine would ignore it and answer everything


async def test_list_shipments_refuses_a_reversed_date_range(v2: Client, httpx_mock: HTTPXMock) -> None:
    result = await v2.call_tool("list_shipments", {"created_after": "2026-05-01", "created_before": "2026-04-01"})
    assert result.is_error
    assert "swap them" in text_of(result)
    assert httpx_mock.get_requests() == []


async def test_find_by_tracking_number_returns_the_shipment(v2: Client, httpx_mock: HTTPXMock) -> None:
    second_package = LABEL["packages"][1]["tracking_number"]
    httpx_mock.add_response(
        method="GET",
        url=f"{V2}/labels?tracking_number={second_package}&sort_dir=desc&page_size=25",
        json=labels_page(LABEL),
    )
    httpx_mock.add_response(method="GET", url=f"{V2}/shipments/{SHIPMENT_ID}", json=SHIPMENT)
    httpx_mock.add_response(
        method="GET", url=f"{V2}/labels?shipment_id={SHIPMENT_ID}&page_size=100", json=labels_page(LABEL)
    )
    result = await v2.call_tool("find_by_tracking_number", {"tracking_number": second_package.lower()})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["tracking_number"] == second_package
    assert data["shipments"][0]["shipment_id"] == SHIPMENT_ID
    assert data["headline"].startswith(f"{second_package} belongs to 1 shipment(s): Order 10443")


async def test_find_by_tracking_number_not_in_account(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", json=labels_page())
    result = await v2.call_tool("find_by_tracking_number", {"tracking_number": "1Z999AA10123456784"})
    assert result.is_error
    assert "No label in this ShipStation account has tracking number 1Z999AA10123456784" in text_of(result)
    assert "track_package" in text_of(result)


# ----------------------------------------------------------------------------- tracking


async def test_track_label_on_v2_fills_carrier_and_url_from_the_label(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/{LABEL_ID}/track", json=TRACK_UPS)
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/{LABEL_ID}", json=LABEL)
    result = await v2.call_tool("track_label", {"label_id": LABEL_ID})

    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["status_code"] == "DE" and data["delivered"] is True
    assert data["carrier_code"] == "ups"
    assert data["tracking_url"] == LABEL["tracking_url"]
    assert data["label_id"] == LABEL_ID
    assert data["headline"] == "Delivered Sun 27 Oct 2024 04:59 (UTC-07:00)"  # the only scan is an earlier arrival
    assert text_of(result).startswith(data["headline"])


async def test_track_label_unknown_id(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/se-0/track", status_code=404, json=ERROR_404)
    result = await v2.call_tool("track_label", {"label_id": "se-0"})
    assert result.is_error
    assert "no label 'se-0'" in text_of(result) and "find_order(query='se-0')" in text_of(result)


async def test_track_package_on_v2_tracks_the_accounts_label(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="GET",
        url=f"{V2}/labels?tracking_number={UPS_NUMBER}&sort_dir=desc&page_size=25",
        json=labels_page(LABEL),
    )
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/{LABEL_ID}/track", json=TRACK_UPS)
    result = await v2.call_tool("track_package", {"tracking_number": "1z7w 93x9 0378 1465 21"})
    assert not result.is_error, text_of(result)
    assert result.structured_content["label_id"] == LABEL_ID
    assert result.structured_content["carrier_code"] == "ups"
    assert len(httpx_mock.get_requests()) == 2  # the label found by number was reused, not fetched again


async def test_track_package_on_v2_without_label_tries_v2_tracking(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="GET",
        url=f"{V2}/labels?tracking_number=1Z999AA10123456784&sort_dir=desc&page_size=25",
        json=labels_page(),
    )
    httpx_mock.add_response(
        method="GET", url=f"{V2}/tracking?carrier_code=ups&tracking_number=1Z999AA10123456784", status_code=404
    )
    result = await v2.call_tool("track_package", {"tracking_number": "1Z999AA10123456784"})
    assert result.is_error
    assert "SHIPSTATION_API=shipengine" in text_of(result)


async def test_track_package_on_shipengine_uses_the_inferred_carrier(shipengine: Client, httpx_mock: HTTPXMock) -> None:
    number = TRACK_USPS["tracking_number"]
    httpx_mock.add_response(
        method="GET",
        url=f"{V1}/tracking?carrier_code=usps&tracking_number={number}",
        json=TRACK_USPS,
        match_headers={"API-Key": KEY},
    )
    result = await shipengine.call_tool("track_package", {"tracking_number": number})
    assert not result.is_error, text_of(result)
    assert result.structured_content["headline"] == "Delivered Mon 20 Sep 2021 14:03 (UTC-05:00) in SARCOXIE, MO 64862"
    assert len(result.structured_content["events"]) == 6


async def test_track_package_on_shipengine_with_explicit_carrier(shipengine: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="GET",
        url=f"{V1}/tracking?carrier_code=stamps_com&tracking_number=9405511899223197428490",
        json=TRACK_USPS,
    )
    result = await shipengine.call_tool(
        "track_package", {"tracking_number": "9405511899223197428490", "carrier_code": "Stamps_Com", "max_events": 2}
    )
    assert not result.is_error, text_of(result)
    assert len(result.structured_content["events"]) == 2 and result.structured_content["more_events"] == 4


async def test_track_package_ambiguous_number_names_the_accounts_carriers(
    shipengine: Client, httpx_mock: HTTPXMock
) -> None:
    number = "92612999897543581234"  # 20 digits starting with 9: USPS or FedEx SmartPost
    httpx_mock.add_response(
        method="GET", url=f"{V1}/labels?tracking_number={number}&sort_dir=desc&page_size=25", json=labels_page()
    )
    httpx_mock.add_response(
        method="GET",
        url=f"{V1}/carriers",
        json={"carriers": [{"carrier_code": "fedex", "carrier_id": "se-1"}, {"carrier_code": "stamps_com"}]},
    )
    result = await shipengine.call_tool("track_package", {"tracking_number": number})
    assert result.is_error
    message = text_of(result)
    assert "does not say which carrier" in message
    assert "fedex, stamps_com" in message and "carrier_code" in message


async def test_track_package_with_explicit_carrier_that_knows_nothing(
    shipengine: Client, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(method="GET", status_code=404, json=ERROR_404)
    result = await shipengine.call_tool(
        "track_package", {"tracking_number": "1Z999AA10123456784", "carrier_code": "fedex"}
    )
    assert result.is_error
    assert "Carrier 'fedex' has no tracking for 1Z999AA10123456784" in text_of(result)
    assert len(httpx_mock.get_requests()) == 1


async def test_track_package_rejects_what_cannot_be_a_tracking_number(v2: Client, httpx_mock: HTTPXMock) -> None:
    for bad in ("'; DROP TABLE labels", "abc\x00def", "../../etc/passwd"):
        result = await v2.call_tool("track_package", {"tracking_number": bad})
        assert result.is_error
        assert "tracking number" in text_of(result).lower()
    assert httpx_mock.get_requests() == []


# ----------------------------------------------------------------------------- subscriptions and carriers


@pytest.mark.parametrize(("tool", "action"), [("subscribe_tracking", "start"), ("unsubscribe_tracking", "stop")])
async def test_tracking_updates_start_and_stop_on_shipengine(
    shipengine: Client, httpx_mock: HTTPXMock, tool: str, action: str
) -> None:
    httpx_mock.add_response(
        method="POST", url=f"{V1}/tracking/{action}?carrier_code=ups&tracking_number={UPS_NUMBER}", status_code=204
    )
    result = await shipengine.call_tool(tool, {"tracking_number": UPS_NUMBER, "carrier_code": "UPS"})
    assert not result.is_error, text_of(result)
    request = only_request(httpx_mock)
    assert request.content == b""
    data = result.structured_content
    assert data["subscribed"] is (action == "start")
    if action == "start":
        assert "track` webhook" in data["how_updates_arrive"]
        assert "delivered or hits an exception" in data["how_updates_arrive"]


async def test_on_v2_watching_a_label_of_the_account_is_true_without_a_start_call(
    v2: Client, httpx_mock: HTTPXMock
) -> None:
    # The V2 spec has no /v2/tracking/start: V2 pushes track_event_v2 for the account's labels by itself.
    httpx_mock.add_response(
        method="GET",
        url=f"{V2}/labels?tracking_number={UPS_NUMBER}&sort_dir=desc&page_size=25",
        json=labels_page(LABEL),
    )
    result = await v2.call_tool("subscribe_tracking", {"tracking_number": UPS_NUMBER, "carrier_code": "ups"})
    assert not result.is_error, text_of(result)
    assert [r.url.path for r in httpx_mock.get_requests()] == ["/v2/labels"]
    data = result.structured_content
    assert data["subscribed"] is True and f"label {LABEL_ID}" in data["headline"]
    assert "nothing to start" in data["how_updates_arrive"] and "track_event_v2" in data["how_updates_arrive"]


async def test_on_v2_watching_a_number_outside_the_account_names_the_real_cause(
    v2: Client, httpx_mock: HTTPXMock
) -> None:
    httpx_mock.add_response(
        method="GET", url=f"{V2}/labels?tracking_number={UPS_NUMBER}&sort_dir=desc&page_size=25", json=labels_page()
    )
    result = await v2.call_tool("subscribe_tracking", {"tracking_number": UPS_NUMBER, "carrier_code": "ups"})
    assert result.is_error
    text = text_of(result)
    assert "pushes updates only for this account's own labels" in text and "SHIPSTATION_API=shipengine" in text
    assert "HTTP 404" not in text and "Check the value" not in text  # the number is not to blame


async def test_on_v2_unsubscribe_uses_the_stop_endpoint_the_spec_has(v2: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="POST", url=f"{V2}/tracking/stop?carrier_code=ups&tracking_number={UPS_NUMBER}", status_code=204
    )
    result = await v2.call_tool("unsubscribe_tracking", {"tracking_number": UPS_NUMBER, "carrier_code": "ups"})
    assert not result.is_error, text_of(result)
    assert result.structured_content["subscribed"] is False


async def test_subscribe_needs_a_carrier_code(v2: Client) -> None:
    result = await v2.call_tool("subscribe_tracking", {"tracking_number": UPS_NUMBER})
    assert result.is_error and "carrier_code" in text_of(result)


async def test_list_carriers(shipengine: Client, httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=f"{V1}/carriers", json=load_json("spec/shipengine/list_carriers.json"))
    result = await shipengine.call_tool("list_carriers", {})
    assert not result.is_error, text_of(result)
    carriers = result.structured_content["carriers"]
    assert carriers and carriers[0]["carrier_code"]
    assert text_of(result).startswith(f"{len(carriers)} carrier(s) connected:")


# ----------------------------------------------------------------------------- each failure kind


FAILURES = [
    pytest.param({"status_code": 401, "json": {"errors": [{"message": "Bad key"}]}}, "SHIPSTATION_API_KEY", id="401"),
    pytest.param({"status_code": 403, "text": "<html>Forbidden</html>"}, "SHIPSTATION_API", id="403-html"),
    pytest.param({"status_code": 404, "json": ERROR_404}, "has no shipment 'se-1'", id="404"),
    pytest.param(
        {"status_code": 429, "headers": {"Retry-After": "30"}, "json": {}}, "Try again in 30 seconds", id="429"
    ),
    pytest.param(
        {
            "status_code": 400,
            "json": {"errors": [{"error_code": "invalid_field_value", "message": "shipment_id is malformed"}]},
        },
        "shipment_id is malformed",
        id="400",
    ),
    pytest.param({"status_code": 503, "text": ""}, "HTTP 503", id="503-empty"),
    pytest.param({"status_code": 502, "text": load_text("quirks/error_html_502.html")}, "HTTP 502", id="502-html"),
    pytest.param({"status_code": 200, "text": load_text("quirks/error_truncated.json")}, "not valid JSON", id="cut"),
    pytest.param({"status_code": 200, "json": ["not", "an", "object"]}, "not a JSON object", id="wrong-shape"),
]


@pytest.mark.parametrize(("response", "expected"), FAILURES)
async def test_each_failure_kind_is_an_actionable_tool_error(
    v2: Client, httpx_mock: HTTPXMock, response: dict[str, Any], expected: str
) -> None:
    httpx_mock.add_response(method="GET", url=f"{V2}/shipments/se-1", **response)
    httpx_mock.add_response(
        method="GET", url=f"{V2}/labels?shipment_id=se-1&page_size=100", json=labels_page(), is_optional=True
    )
    result = await v2.call_tool("get_shipment", {"shipment_id": "se-1"})
    assert result.is_error
    assert expected in text_of(result)
    assert "Traceback" not in text_of(result)
    assert not text_of(result).startswith("Error executing tool")  # the message itself comes first
    assert_no_key(result)


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (httpx.ReadTimeout("timed out"), "did not answer in time"),
        (httpx.ConnectError("refused"), "Could not reach ShipStation"),
        (httpx.RemoteProtocolError("peer closed"), "closed before a complete answer"),
    ],
)
async def test_network_failures_are_actionable(
    v2: Client, httpx_mock: HTTPXMock, exception: Exception, expected: str
) -> None:
    httpx_mock.add_exception(exception, method="GET", url=f"{V2}/labels/se-1/track")
    result = await v2.call_tool("track_label", {"label_id": "se-1"})
    assert result.is_error and expected in text_of(result)


async def test_retries_are_used_before_giving_up(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/se-1/track", status_code=503, headers={"Retry-After": "0"})
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/se-1/track", json=TRACK_UPS)
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/se-1", json=LABEL)
    async for client in connect("v2", max_retries=2):
        result = await client.call_tool("track_label", {"label_id": "se-1"})
    assert not result.is_error, text_of(result)
    assert len(httpx_mock.get_requests()) == 3


async def test_bad_arguments_say_how_to_fix_them(v2: Client) -> None:
    cases = [
        ("get_shipment", {"shipment_id": ""}, "shipment_id"),
        ("get_shipment", {}, "shipment_id"),
        ("list_shipments", {"page_size": 1000}, "page_size"),
        ("list_shipments", {"status": "lost"}, "status"),
        ("list_shipments", {"created_after": "last tuesday"}, "created_after"),
        ("track_label", {"label_id": "se-1", "max_events": -1}, "max_events"),
        ("track_package", {"tracking_number": "x" * 500}, "tracking_number"),
        ("get_shipment", {"shipment_id": "se-\x07"}, "control characters"),
    ]
    for tool, arguments, expected in cases:
        result = await v2.call_tool(tool, arguments)
        assert result.is_error, (tool, arguments)
        message = text_of(result)
        assert expected in message, message
        assert "call" in message.lower() or "send" in message.lower(), message
        assert "pydantic.dev" not in message


async def test_an_unexpected_crash_is_reported_without_internals(
    v2: Client, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from shipstation_mcp.lookups import shipments

    async def explode(*_: object, **__: object) -> None:
        raise RuntimeError(f"boom with secret {KEY}")

    monkeypatch.setattr(shipments, "get_shipment", explode)
    with caplog.at_level(logging.ERROR):
        result = await v2.call_tool("get_shipment", {"shipment_id": "se-1"})
    assert result.is_error
    assert "internal error (RuntimeError) in get_shipment" in text_of(result)
    assert_no_key(result)


async def test_tracking_a_later_box_of_a_multi_package_label_says_so(v2: Client, httpx_mock: HTTPXMock) -> None:
    third_box = LABEL["packages"][2]["tracking_number"]
    httpx_mock.add_response(
        method="GET",
        url=f"{V2}/labels?tracking_number={third_box}&sort_dir=desc&page_size=25",
        json=labels_page(LABEL),
    )
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/{LABEL_ID}/track", json=TRACK_UPS)
    result = await v2.call_tool("track_package", {"tracking_number": third_box})
    assert not result.is_error, text_of(result)
    note = result.structured_content["note"]
    assert note.startswith(f"{third_box} is package 3 of 3 on label {LABEL_ID}")
    assert f"Note: {note}" in text_of(result)


async def test_tracking_a_voided_label_warns(v2: Client, httpx_mock: HTTPXMock) -> None:
    voided = {**LABEL, "status": "voided", "voided": True}
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/{LABEL_ID}/track", json=TRACK_UPS)
    httpx_mock.add_response(method="GET", url=f"{V2}/labels/{LABEL_ID}", json=voided)
    replacement = {**LABEL, "label_id": "se-replacement", "status": "completed", "voided": False}
    httpx_mock.add_response(
        method="GET",
        url=f"{V2}/labels?shipment_id={LABEL['shipment_id']}&page_size=100",
        json=labels_page(voided, replacement),
    )
    result = await v2.call_tool("track_label", {"label_id": LABEL_ID})
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["attention"][0].startswith(f"Label {LABEL_ID} was voided")
    assert data["headline"] == data["attention"][0] and "replaced by label se-replacement" in data["headline"]
    assert data["voided"] is True and data["replaced_by"] == "se-replacement" and not data["delivered"]
    assert "days_in_transit" not in data and "hours_since_last_scan" not in data  # never "in transit"
    assert data["action_needed"] is True
