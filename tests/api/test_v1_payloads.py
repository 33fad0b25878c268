"""Every real V1 payload in ../shared/real-payloads/v1/ through the V1 path: served by a mock at the endpoint it came
from, read by `ShipStationClient` on SHIPSTATION_API=v1, and checked against what the raw file says (expectations
written from the files by hand). Skipped when the shared folder is absent. The payloads are never copied here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.api.v1 import allowed_resource_url, carrier_from_v1
from shipstation_mcp.config import Settings
from shipstation_mcp.errors import AuthenticationError, RateLimitedError, RequestRejectedError, ServerError

pytestmark = pytest.mark.anyio

V1 = Path(__file__).resolve().parents[3] / "shared" / "real-payloads" / "v1"
if not V1.is_dir():
    pytest.skip("../shared/real-payloads/v1 is absent", allow_module_level=True)

SETTINGS = Settings(api_key="v1-key-123", api_secret="v1-secret-456", api="v1", max_retries=0)


def raw(name: str) -> Any:
    return json.loads((V1 / name).read_text())


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def client_serving(answers: dict[str, tuple[int, Any]], seen: list[httpx.Request]) -> ShipStationClient:
    """A V1 client whose API answers `answers[path]` (status, body) and 404 elsewhere."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status, body = answers.get(request.url.path, (404, {"message": "not here"}))
        return httpx.Response(status, json=body)

    return ShipStationClient(SETTINGS, transport=httpx.MockTransport(handle), limiter=None, cache=None)


# ------------------------------------------------------------------------------------------------ orders

# file: (orderId, order number, status, created_at in UTC, ship_by_date, items without discount lines, ship-to)
ORDERS: dict[str, tuple[str, str, str, datetime, datetime | None, list[tuple[str, int]], tuple[str, str]]] = {
    # PDT in June: 15:20:26.723 Pacific is 22:20:26.723 UTC
    "order/agritheory_get_order_shipped_international.json": (
        "123456789", "123456789", "shipped", utc("2015-06-30T22:20:26.723"), None, [], ("Nope Example", "CH")
    ),
    # PDT in July: UTC-7 (and the ship-by midnight of 5 July is 07:00 UTC)
    "order/rivera_docs_get_order_awaiting_shipment.json": (
        "94113592", "TEST-ORDER-API-DOCS", "awaiting_shipment", utc("2015-07-16T21:00:34.823"),
        utc("2015-07-05T07:00:00"), [("ABC123", 2)], ("The President", "US"),
    ),
    # The capture's HTTP Date was 17:09:08 GMT: createDate 09:09:08.4 Pacific, exactly 8 hours behind
    "order/sspostman_createorder_response_pst_evidence.json": (
        "21466104", "TEST-ORDER-API-DOCS", "awaiting_shipment", utc("2021-01-23T17:09:08.400"),
        utc("2015-07-05T07:00:00"), [("ABC123", 2)], ("The President", "US"),
    ),
    "order/sspostman_get_order_awaiting_shipment.json": (
        "21533895", "TEST-ORDER-API-DOCS", "awaiting_shipment", utc("2021-01-24T01:16:41.357"),
        utc("2015-07-05T07:00:00"), [("ABC123", 2)], ("The President", "US"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ORDERS))
async def test_an_order_reads_as_a_shipment_with_pacific_times(name: str) -> None:
    order_id, number, status, created, ship_by, items, (person, country) = ORDERS[name]
    seen: list[httpx.Request] = []
    async with client_serving({f"/orders/{order_id}": (200, raw(name))}, seen) as client:
        shipment = await client.get_shipment(order_id)
    assert str(seen[0].url) == f"https://ssapi.shipstation.com/orders/{order_id}"
    assert seen[0].headers["authorization"].startswith("Basic ")
    assert (shipment.shipment_id, shipment.shipment_number, shipment.shipment_status) == (order_id, number, status)
    assert shipment.created_at == created and shipment.ship_by_date == ship_by
    assert [(item.sku, item.quantity) for item in shipment.items] == items  # the discount line is not an item
    assert shipment.ship_to is not None and (shipment.ship_to.name, shipment.ship_to.country_code) == (person, country)
    paid, requested, gift = PAID[name]
    assert (shipment.amount_paid.amount if shipment.amount_paid else None) == paid
    assert shipment.requested_shipment_service == requested and shipment.is_gift is gift


# file: (amount paid, service the buyer chose, gift)
PAID = {
    "order/agritheory_get_order_shipped_international.json": (0.0, "USPS First Class Mail Intl", False),
    "order/rivera_docs_get_order_awaiting_shipment.json": (218.73, "Priority Mail", True),
    "order/sspostman_createorder_response_pst_evidence.json": (218.73, "Priority Mail", True),
    "order/sspostman_get_order_awaiting_shipment.json": (218.73, "Priority Mail", True),
}


# file: (order number searched, the order ids that match it exactly, newest first as listed)
ORDER_LISTS = {
    "order_list/agritheory_list_orders_shipped.json": ("123456789", ["123456789", "123456789"]),
    "order_list/sspostman_list_orders_awaiting_shipment.json": (
        "TEST-ORDER-API-DOCS",
        ["21533276", "21533759", "21533895"],  # order numbers are not unique: three orders share this one
    ),
}


@pytest.mark.parametrize("name", sorted(ORDER_LISTS))
async def test_an_order_search_keeps_exact_matches_of_every_order_sharing_the_number(name: str) -> None:
    number, ids = ORDER_LISTS[name]
    seen: list[httpx.Request] = []
    async with client_serving({"/orders": (200, raw(name))}, seen) as client:
        found = await client.list_shipments(shipment_number=number)
        prefix_only = await client.list_shipments(shipment_number=number[:-1])
    assert [s.shipment_id for s in found.shipments] == ids
    assert prefix_only.shipments == []  # V1 searches by prefix; the answer keeps the exact number only
    assert seen[0].url.params["orderNumber"] == number and seen[0].url.params["pageSize"] == "500"


# ------------------------------------------------------------------------------------------------ labels

# file: (query key, value, [(label id, tracking number, carrier code, tracking page starts, created_at UTC)])
LABEL_LISTS: dict[str, tuple[str, str, list[tuple[str, str | None, str | None, str | None, datetime]]]] = {
    "shipment/rivera_docs_shipment_with_items.json": ("shipments", "43945660", [
        ("33974374", "9400111899561704681189", "usps", "https://tools.usps.com/", utc("2014-10-03T13:51:33.627")),
    ]),
    "shipment_list/agritheory_list_shipments.json": ("shipments", "123456789", [
        ("123456789", "9400111899562764298812", "usps", "https://tools.usps.com/", utc("2015-06-29T21:29:28.583")),
        ("101027951", "9400111899562764290564", "usps", "https://tools.usps.com/", utc("2015-06-29T21:29:28.583")),
        ("123456789", "9400111899562764290090", "usps", "https://tools.usps.com/", utc("2015-06-29T21:29:28.583")),
    ]),
    # free-text carriers; the second row was marked shipped with no tracking number and no carrier
    "fulfillment_list/agritheory_list_fulfillments.json": ("fulfillments", "123456789", [
        ("f23456789", None, None, None, utc("2020-06-24T17:32:33.373")),
        ("f12345678", "1Z4X53V5032442XXXX", "ups", "https://www.ups.com/", utc("2020-06-19T14:21:51.773")),
    ]),
    "fulfillment_list/apisguru_docs_list_fulfillments.json": ("fulfillments", "191759016", [
        ("f246310", "664756278745", "fedex", "https://www.fedex.com/", utc("2016-06-08T19:54:53.347")),
        ("f33974374", "783408231234", "usps", "https://tools.usps.com/", utc("2016-06-07T15:50:50.067")),
    ]),
}  # fmt: skip


def _wrapped(name: str, resource: str) -> Any:
    body = raw(name)
    return body if resource in body else {resource: [body], "total": 1, "page": 1, "pages": 1}


@pytest.mark.parametrize("name", sorted(LABEL_LISTS))
async def test_labels_and_fulfillments_read_as_labels_with_the_carriers_page(name: str) -> None:
    resource, order_id, expected = LABEL_LISTS[name]
    other = "fulfillments" if resource == "shipments" else "shipments"
    answers = {f"/{resource}": (200, _wrapped(name, resource)), f"/{other}": (200, {other: [], "total": 0})}
    seen: list[httpx.Request] = []
    async with client_serving(answers, seen) as client:
        labels = (await client.list_labels(shipment_id=order_id)).labels
    assert {r.url.path for r in seen} == {"/shipments", "/fulfillments"}
    assert all(r.url.params["orderId"] == order_id for r in seen)
    got = [(lbl.label_id, lbl.tracking_number, lbl.carrier_code, lbl.tracking_url, lbl.created_at) for lbl in labels]
    assert [(i, n, c, at) for i, n, c, _, at in got] == [(i, n, c, at) for i, n, c, _, at in expected]
    for (_, number, _, url, _), (_, _, _, page, _) in zip(got, expected, strict=True):
        assert (url is None) if page is None else (url is not None and url.startswith(page) and number in url)
    assert not any(lbl.voided for lbl in labels)


# ------------------------------------------------------------------------------------------------ carriers

CARRIER_FILES = {
    "carriers/agritheory_list_carriers.json": [("stamps_com", "Stamps.com"), ("ups", "UPS")],
    "carriers/sspostman_list_carriers.json": [("stamps_com", "Stamps.com")],
}


@pytest.mark.parametrize("name", sorted(CARRIER_FILES))
async def test_the_carrier_list_is_a_bare_array(name: str) -> None:
    async with client_serving({"/carriers": (200, raw(name))}, []) as client:
        carriers = await client.list_carriers()
    assert [(c.carrier_code, c.friendly_name) for c in carriers] == CARRIER_FILES[name]


def test_one_carrier_reads_like_a_row_of_the_list() -> None:
    carrier = carrier_from_v1(raw("carriers/sspostman_get_carrier_stamps_com.json"))
    assert (carrier["carrier_code"], carrier["friendly_name"], carrier["nickname"]) == (
        "stamps_com",
        "Stamps.com",
        "Free",
    )


# ------------------------------------------------------------------------------------------------ webhooks

WEBHOOK_LISTS = {
    "webhook_list/agritheory_list_webhooks_empty.json": [],
    "webhook_list/sspostman_list_webhooks.json": [
        ("3189", "ORDER_NOTIFY", "http://someexamplewebhookurl.com/neworder", "My Webhook")
    ],
}


@pytest.mark.parametrize("name", sorted(WEBHOOK_LISTS))
async def test_the_webhook_list_is_wrapped_and_pascal_cased(name: str) -> None:
    async with client_serving({"/webhooks": (200, raw(name))}, []) as client:
        hooks = await client.list_webhooks()
    assert [(h.webhook_id, h.event, h.url, h.name) for h in hooks] == WEBHOOK_LISTS[name]


async def test_a_subscription_answers_201_with_its_id() -> None:
    seen: list[httpx.Request] = []
    body = raw("webhook_subscribe/sspostman_subscribe_webhook_201.json")
    async with client_serving({"/webhooks/subscribe": (201, body)}, seen) as client:
        hook = await client.create_webhook("SHIP_NOTIFY", "https://hooks.example.com/w?secret=s")
    assert hook.webhook_id == "12345" and hook.event == "SHIP_NOTIFY"
    assert json.loads(seen[0].content) == {
        "target_url": "https://hooks.example.com/w?secret=s",
        "event": "SHIP_NOTIFY",
        "friendly_name": "shipstation-mcp",
    }


# file: whether its resource_url may be fetched with the account's credentials
NOTICES = {
    "webhook/itemshipnotify_ssapiX_batch.json": False,  # "ssapiX" is a placeholder, not a numbered host
    "webhook/ordernotify_ssapi13_austonian.json": True,
    "webhook/ordernotify_ssapi13_importbatch.json": True,
    "webhook/shipnotify_ssapi11_storeid.json": True,
}


@pytest.mark.parametrize("name", sorted(NOTICES))
def test_a_notices_resource_url_is_checked_against_the_v1_hosts(name: str) -> None:
    assert allowed_resource_url(raw(name)["resource_url"]) is NOTICES[name]


# ------------------------------------------------------------------------------------------------ errors

ERRORS: dict[str, tuple[int, type[Exception], str]] = {
    "error/apisguru_docs_429_too_many_requests.json": (429, RateLimitedError, "Too Many Requests"),
    "error/v1openapi_example_400_subscribe.json": (400, RequestRejectedError, "Invalid request parameters"),
    "error/v1openapi_example_401_subscribe.json": (401, AuthenticationError, "Invalid API credentials"),
    "error/v1openapi_example_500_subscribe.json": (500, ServerError, "An internal error occurred"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
async def test_v1_error_bodies_become_the_shared_errors_with_their_message(name: str) -> None:
    status, kind, message = ERRORS[name]
    async with client_serving({"/carriers": (status, raw(name))}, []) as client:
        with pytest.raises(kind) as caught:
            await client.list_carriers()
    assert caught.value.messages == (message,) and message in str(caught.value)


# ------------------------------------------------------------------------------------------------ the rest

NOT_READ: dict[str, str] = {
    "carriers/sspostman_list_services_stamps_com.json": "GET /carriers/listservices: services, never asked for",
    "order_action/sspostman_delete_order.json": "DELETE /orders/{id}: the server never changes orders",
    "order_action/sspostman_holduntil.json": "POST /orders/holduntil: the server never changes orders",
    "order_action/sspostman_markasshipped.json": "POST /orders/markasshipped: the server never changes orders",
    "stores/agritheory_list_stores_amazon.json": "GET /stores: store names are not read yet",
    "stores/sspostman_get_store.json": "GET /stores/{id}: store names are not read yet",
    "stores/sspostman_list_stores.json": "GET /stores: store names are not read yet",
}
COVERED: list[dict[str, Any]] = [ORDERS, ORDER_LISTS, LABEL_LISTS, CARRIER_FILES, WEBHOOK_LISTS, NOTICES, ERRORS]
ONE_OFFS = {
    "carriers/sspostman_get_carrier_stamps_com.json",
    "webhook_subscribe/sspostman_subscribe_webhook_201.json",
}


def test_every_v1_payload_is_read_by_a_test_or_named_as_not_read() -> None:
    files = {str(p.relative_to(V1)) for p in V1.rglob("*.json")}
    tested = set().union(*(set(table) for table in COVERED)) | ONE_OFFS
    assert tested.isdisjoint(NOT_READ)
    assert files == tested | set(NOT_READ), "a new V1 payload needs an expectation here"
