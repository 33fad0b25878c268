"""Order facts: why an order has not shipped, each tracking number with its own carrier, names matched without
accents, and an order answer that neither suggests what it already did nor shows a stale label status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.answers.base import compact_json
from shipstation_mcp.answers.shipments import shipment_text, summarize_shipment
from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.api.models import Label, Shipment
from shipstation_mcp.config import Settings
from shipstation_mcp.lookups.shipments import fold, list_shipments
from shipstation_mcp.tools.server import create_server
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, iso, tracking

TODAY = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)


def _shipment(**fields: Any) -> Shipment:
    base: dict[str, Any] = {
        "shipment_id": "se-77",
        "shipment_number": "10443",
        "shipment_status": "pending",
        "ship_to": {"name": "José Müller", "city_locality": "Zürich", "postal_code": "8001", "country_code": "CH"},
    }
    return Shipment.model_validate({**base, **fields})


def test_a_held_order_says_until_when_and_judges_the_day_against_today() -> None:
    summary = summarize_shipment(_shipment(hold_until_date="2026-09-15T00:00:00Z"), now=TODAY)
    assert summary.headline == (
        "Order 10443 for “José Müller”, Zürich, 8001, CH: on hold until Tue 15 Sep 2026 (in 14 days): "
        "it will not ship before then"
    )
    assert compact_json(summary)["hold_until_date"] == "2026-09-15T00:00:00Z"
    assert "it will not ship before then" in summary.not_shipped


def test_a_hold_that_has_passed_is_not_called_a_hold() -> None:
    summary = summarize_shipment(_shipment(hold_until_date="2026-08-20T00:00:00Z"), now=TODAY)
    assert summary.not_shipped.startswith("was on hold until Thu 20 Aug 2026 (passed)")
    assert "no label has been bought yet" in summary.headline


def test_a_cancelled_order_and_one_late_to_ship_say_why() -> None:
    assert "cancelled: it will not ship" in summarize_shipment(_shipment(shipment_status="cancelled")).headline
    late = summarize_shipment(_shipment(ship_by_date="2026-08-28T00:00:00Z"), now=TODAY)
    assert "(it was to ship by Fri 28 Aug 2026)" in late.headline
    assert "Ship by Fri 28 Aug 2026 (passed)" in shipment_text(late)


def test_a_label_bought_ends_the_hold() -> None:
    label = Label(label_id="se-1", status="completed", tracking_number="1Z999AA10123456784", carrier_code="ups")
    summary = summarize_shipment(
        _shipment(shipment_status="label_purchased", hold_until_date="2026-08-20T00:00:00Z"), [label], now=TODAY
    )
    assert summary.not_shipped is None and "hold" not in summary.headline


def test_each_tracking_number_is_said_with_its_own_carrier() -> None:
    labels = [
        Label(label_id="se-1", status="completed", tracking_number="9400111899563821705595", carrier_code="stamps_com"),
        Label(label_id="se-2", status="completed", tracking_number="383144378470", carrier_code="fedex"),
    ]
    summary = summarize_shipment(_shipment(shipment_status="label_purchased"), labels)
    assert summary.headline.endswith("tracking 9400111899563821705595 (stamps_com), 383144378470 (fedex)")
    assert summary.carrier is None  # no one carrier for the whole order
    assert [lbl.carrier_code for lbl in summary.labels] == ["stamps_com", "fedex"]
    text = shipment_text(summary)
    assert "383144378470 (fedex)" in text and "383144378470 (stamps_com)" not in text


def test_a_label_without_a_carrier_code_takes_the_one_its_number_names() -> None:
    label = Label(label_id="se-1", status="completed", tracking_number="1Z999AA10123456784")
    summary = summarize_shipment(_shipment(shipment_status="label_purchased", carrier_id="se-9"), [label])
    assert summary.headline.endswith("tracking 1Z999AA10123456784 (ups)")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Jose Muller", "José Müller"), ("JOSE MULLER", "josé müller"), ("Soren Ostergaard", "Søren Østergaard")],
)
def test_names_compare_without_accents_or_case(typed: str, stored: str) -> None:
    assert fold(typed) in fold(stored)


@pytest.mark.anyio
async def test_on_shipengine_a_name_typed_without_accents_finds_the_order() -> None:
    fake = FakeShipStation(api="shipengine", host="https://api.shipengine.com")
    fake.shipments["se-77"] = _shipment().model_dump(mode="json", exclude_none=True) | {
        "ship_to": {"name": "José Müller", "city_locality": "Zürich", "country_code": "CH"},
        "created_at": iso(NOW),
    }
    fake.shipments["se-78"] = {"shipment_id": "se-78", "shipment_status": "pending", "ship_to": {"name": "Ann Lee"}}
    async with Client(create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)) as client:
        result = await client.call_tool("list_shipments", {"ship_to_name": "jose muller"})
    assert not result.is_error
    assert [row["shipment_id"] for row in result.structured_content["shipments"]] == ["se-77"]


@pytest.mark.anyio
async def test_find_order_neither_suggests_the_tracking_it_shows_nor_keeps_the_stale_label_status() -> None:
    fake = FakeShipStation()
    fake.shipments["se-s1"] = {
        "shipment_id": "se-s1",
        "shipment_number": "5001",
        "shipment_status": "label_purchased",
        "created_at": iso(NOW - timedelta(days=3)),
    }
    attempt = tracking(
        "1Z999AA10123456784",
        "AT",
        events=[event(hours_ago(2), "Delivery attempted", "AT"), event(hours_ago(30), "Departed", "IT")],
    )
    fake.add_label("se-1", "1Z999AA10123456784", created=NOW - timedelta(days=3), info=attempt, shipment_id="se-s1")
    async with Client(create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)) as client:
        result = await client.call_tool("find_order", {"query": "5001"})
    text = "\n".join(block.text for block in result.content)
    data = result.structured_content
    assert "Delivery attempted" in data["headline"]
    assert "track_label" not in text and "next_step" not in data["shipment"]
    assert "in_transit" not in text and "tracking_status" not in data["shipment"]["labels"][0]
    assert data["packages"][0]["status_code"] == "AT"


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("on_hold", "on hold in ShipStation"),
        ("awaiting_payment", "waiting for payment"),
        ("processing", "being processed"),
    ],
)
def test_every_status_that_keeps_an_order_back_is_said_as_a_reason(status: str, said: str) -> None:
    assert said in summarize_shipment(_shipment(shipment_status=status), now=TODAY).headline


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "deliver_by", "said"),
    [
        ("DE", NOW - timedelta(days=1), "(missed: delivered Wed 20 May 2026)"),
        ("DE", NOW + timedelta(days=2), "Deliver by Fri 22 May 2026 (met)"),
        ("IT", NOW - timedelta(days=2), "Deliver by Mon 18 May 2026 (passed; not delivered yet)"),
        ("IT", NOW + timedelta(days=2), "Deliver by Fri 22 May 2026 (in 2 days)"),
    ],
)
async def test_find_order_judges_the_deliver_by_day_by_the_packages(
    status: str, deliver_by: datetime, said: str
) -> None:
    fake = FakeShipStation()
    fake.shipments["se-s1"] = {
        "shipment_id": "se-s1",
        "shipment_number": "5002",
        "shipment_status": "label_purchased",
        "deliver_by_date": deliver_by.strftime("%Y-%m-%dT00:00:00Z"),
    }
    scans = [event(hours_ago(3), "Delivered" if status == "DE" else "Departed", status)]
    info = tracking("1Z999AA10123456784", status, events=scans, delivered_at=hours_ago(3) if status == "DE" else None)
    fake.add_label("se-1", "1Z999AA10123456784", created=NOW - timedelta(days=3), info=info, shipment_id="se-s1")
    async with Client(create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)) as client:
        result = await client.call_tool("find_order", {"query": "5002"})
    assert said in "\n".join(block.text for block in result.content)


@pytest.mark.anyio
async def test_on_v2_a_name_the_api_does_not_find_is_looked_for_again_without_accents() -> None:
    jose = {"shipment_id": "se-77", "shipment_status": "pending", "ship_to": {"name": "José Müller"}}
    other = {"shipment_id": "se-78", "shipment_status": "pending", "ship_to": {"name": "Ann Lee"}}

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/labels"):
            return httpx.Response(200, json={"labels": [], "total": 0, "page": 1, "pages": 0})
        found = [] if "ship_to_name" in request.url.params else [jose, other]  # the API matches names as typed
        return httpx.Response(200, json={"shipments": found, "total": len(found), "page": 1, "pages": 1})

    settings = Settings(api_key="v2-key", api="v2", max_retries=0)
    async with ShipStationClient(settings, transport=httpx.MockTransport(api)) as client:
        page = await list_shipments(client, ship_to_name="Jose Muller", now=NOW)
    assert [row.shipment_id for row in page.shipments] == ["se-77"]
    assert "compared without accents or case" in page.headline
