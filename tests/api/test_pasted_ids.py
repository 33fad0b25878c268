"""Identifiers as people paste them: a carrier's name or a word in front ('UPS 1Z…', 'tracking: …', 'order #…')
is understood wherever an identifier is recognised."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from mcp import Client

from shipstation_mcp.api.ids import normalize_tracking_number, split_pasted
from shipstation_mcp.cli import read_packages
from shipstation_mcp.config import Settings
from shipstation_mcp.lookups.orders import interpretations
from shipstation_mcp.tools.server import create_server
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking

DEMO_NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pasted", "number", "carrier"),
    [
        ("UPS 1Z999AA10123456784", "1Z999AA10123456784", "ups"),
        ("tracking: 9400 1118 9956 3821 7055 95", "9400111899563821705595", None),
        ("FedEx tracking # 383144378470", "383144378470", "fedex"),
        ("Tracking Number: 1z999aa10123456784", "1Z999AA10123456784", None),
        ("DHL Express - 8231297266", "8231297266", "dhl_express"),
        ("USPS: 9400111899563821705595", "9400111899563821705595", "usps"),
        ("1Z999AA10123456784", "1Z999AA10123456784", None),
    ],
)
def test_a_carrier_name_or_word_in_front_is_looked_past(pasted: str, number: str, carrier: str | None) -> None:
    assert normalize_tracking_number(pasted) == number
    assert split_pasted(pasted)[1] == carrier


def test_a_word_alone_or_glued_to_the_number_is_kept() -> None:
    assert split_pasted("UPS") == ("UPS", None)
    assert split_pasted("ups1Z999") == ("ups1Z999", None)


@pytest.mark.parametrize("query", ["order 10443", "Order number: 10443", "order no. #10443", "#10443"])
def test_an_order_number_said_as_such_is_an_order_number(query: str) -> None:
    assert interpretations(query)[0] == ("order number", "10443")


def test_a_store_id_that_starts_like_a_word_is_still_tried_as_sent() -> None:
    assert interpretations("ORDER-10443")[0] == ("external id", "ORDER-10443")
    assert ("external id", "UPS 1Z999AA10123456784") in interpretations("UPS 1Z999AA10123456784")
    assert interpretations("UPS 1Z999AA10123456784")[0] == ("tracking number", "1Z999AA10123456784")


@pytest.mark.anyio
@pytest.mark.parametrize("query", ["UPS 1ZA4R8E20361199987", "tracking: 1za4 r8e2 0361 1999 87", "order 10443"])
async def test_find_order_understands_what_was_pasted(query: str) -> None:
    async with Client(create_server(Settings(api_key="demo", demo=True), clock=lambda: DEMO_NOW)) as client:
        result = await client.call_tool("find_order", {"query": query})
    assert not result.is_error
    assert result.structured_content["shipment"]["shipment_number"] == "10443"


@pytest.mark.anyio
async def test_track_package_takes_the_carrier_named_in_front_of_the_number() -> None:
    fake = FakeShipStation(api="shipengine", host="https://api.shipengine.com")
    number = "92612999999999999999"  # its shape alone names no carrier
    fake.number_tracking[("fedex", number)] = tracking(number, "IT", events=[event(hours_ago(2), "Departed", "IT")])
    async with Client(create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)) as client:
        result = await client.call_tool("track_package", {"tracking_number": f"FedEx {number}"})
    assert not result.is_error and result.structured_content["tracking_number"] == number


def test_track_many_reads_a_carrier_name_in_front_of_a_number() -> None:
    pasted = "UPS 1Z999AA10123456784\ntracking: 383144378470, fedex\nFedEx tracking # 383144378471  # a note\n"
    assert read_packages(io.StringIO(pasted)) == [
        {"tracking_number": "1Z999AA10123456784", "carrier_code": "ups"},
        {"tracking_number": "383144378470", "carrier_code": "fedex"},
        {"tracking_number": "383144378471", "carrier_code": "fedex"},
    ]


@pytest.mark.anyio
async def test_a_label_or_shipment_id_with_a_word_in_front_is_the_id() -> None:
    async with Client(create_server(Settings(api_key="demo", demo=True), clock=lambda: DEMO_NOW)) as client:
        label = await client.call_tool("track_label", {"label_id": "label se-5000012"})
        shipment = await client.call_tool("get_shipment", {"shipment_id": "Shipment: se-4000443"})
    assert not label.is_error and label.structured_content["label_id"] == "se-5000012"
    assert not shipment.is_error and shipment.structured_content["shipment_number"] == "10443"
