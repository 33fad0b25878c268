"""track_packages and the terminal tables on what a support agent acts on: a package asked for twice is one
package, a parcel at a collection point is waiting for pickup (not delivered), a voided label is voided (not "not
yet scanned"), and the rows that need a look carry their order number and customer."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from mcp import Client

from shipstation_mcp.cli import BULK_COLUMNS, ProgressBar, bulk_row, print_table
from shipstation_mcp.tools.server import create_server
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking

pytestmark = pytest.mark.anyio

PICKUP = "9405511836264172139766"
VOIDED = "1Z999AA10000000001"
MOVING = "1Z999AA10000000002"


def account() -> FakeShipStation:
    fake = FakeShipStation()
    created = NOW - timedelta(days=3)
    at_post_office = tracking(
        PICKUP,
        "SP",
        carrier="stamps_com",
        detail="COLLECT_AT_LOCAL_PO",
        events=[event(hours_ago(5), "Available for Pickup", "SP"), event(hours_ago(40), "Departed", "IT")],
    )
    fake.add_label("se-1", PICKUP, created=created, info=at_post_office, shipment_id="se-s1", carrier="stamps_com")
    fake.add_label("se-2", VOIDED, created=created, voided=True, shipment_id="se-s2", info=tracking(VOIDED, "NY"))
    moving = tracking(MOVING, "IT", events=[event(hours_ago(3), "Departed", "IT")])
    fake.add_label("se-3", MOVING, created=created, info=moving, shipment_id="se-s3")
    fake.shipments["se-s1"] = {
        "shipment_id": "se-s1",
        "shipment_number": "20447",
        "shipment_status": "label_purchased",
        "ship_to": {"name": "Priscilla Nakamura", "city_locality": "ALLSTON", "state_province": "MA"},
    }
    return fake


async def track(fake: FakeShipStation, packages: list[Any]) -> dict[str, Any]:
    async with Client(create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)) as client:
        result = await client.call_tool("track_packages", {"packages": packages})
    assert not result.is_error
    return result.structured_content


async def test_a_parcel_at_the_post_office_is_waiting_for_pickup_not_delivered() -> None:
    data = await track(account(), [PICKUP])
    assert data["counts"] == {"awaiting_pickup": 1}
    assert data["headline"].startswith("1 package: 1 waiting for pickup — 1 needs attention")
    assert data["needs_attention"] == [0]


async def test_a_voided_label_is_counted_as_voided_not_as_not_yet_scanned() -> None:
    data = await track(account(), [{"label_id": "se-2"}])
    assert data["counts"] == {"voided": 1}
    assert "not yet scanned" not in data["headline"] and "1 voided label" in data["headline"]


async def test_a_number_pasted_twice_in_different_shapes_is_answered_once_and_named_a_duplicate() -> None:
    fake = account()
    pasted = " ".join(MOVING[i : i + 4] for i in range(0, len(MOVING), 4)).lower()
    data = await track(fake, [MOVING, PICKUP, pasted, {"label_id": "se-3"}, {"label_id": "SE-3"}])
    outcomes = [r["outcome"] for r in data["results"]]
    assert outcomes == ["in_transit", "awaiting_pickup", "duplicate", "duplicate", "duplicate"]  # se-3 is MOVING's
    assert {r["duplicate_of"] for r in data["results"][2:]} == {0}
    assert data["counts"]["duplicate"] == 3
    assert data["headline"].startswith("2 packages: 1 waiting for pickup, 1 in transit")
    assert data["headline"].endswith("(3 duplicates answered once)")
    # each package tracked once (V2 reads a label's tracking by its carrier and number)
    assert fake.hits["labels/{id}/track"] + fake.hits["tracking"] == 2


async def test_rows_that_need_a_look_name_the_order_and_the_customer() -> None:
    data = await track(account(), [PICKUP, MOVING])
    pickup, moving = data["results"]
    assert pickup["order_number"] == "20447" and pickup["customer"] == "Priscilla Nakamura"
    assert "order_number" not in moving  # nothing to act on: its order is not read


async def test_track_many_table_and_csv_carry_status_attention_reason_order_and_customer(capsys) -> None:
    data = await track(account(), [PICKUP, MOVING, MOVING.lower(), {"label_id": "se-2"}])
    flagged = set(data["needs_attention"])
    rows = [bulk_row(result, flagged) for result in data["results"]]
    print_table(BULK_COLUMNS, rows, output_format="csv")
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {"status", "attention", "reason", "order_number", "customer"} <= set(table[0])
    assert table[0]["status"] == "waiting for pickup" and table[0]["attention"] == "yes"
    assert "post office" in table[0]["reason"] and table[0]["order_number"] == "20447"
    assert table[0]["customer"] == "Priscilla Nakamura"
    assert table[1]["status"] == "in transit" and table[1]["attention"] == "" and table[1]["reason"] == ""
    assert table[2]["status"] == "duplicate" and table[2]["reason"] == "same package as row 1"
    assert table[3]["status"] == "voided label" and "voided" in table[3]["reason"]


async def test_the_progress_bar_reaches_the_end_when_duplicates_are_skipped() -> None:
    screen = io.StringIO()
    bar = ProgressBar("tracking", stream=screen)
    fake = account()
    async with Client(create_server(fake.settings(), transport=fake.transport(), clock=lambda: NOW)) as client:
        await client.call_tool("track_packages", {"packages": [MOVING] * 4}, progress_callback=bar)
    assert "4/4" in screen.getvalue()


async def test_order_numbers_of_many_flagged_rows_come_from_one_shipments_listing() -> None:
    fake = FakeShipStation()
    numbers = [f"1Z999AA1000000010{i}" for i in range(4)]
    for i, number in enumerate(numbers):
        attempt = tracking(number, "AT", events=[event(hours_ago(2), "Delivery attempted", "AT")])
        fake.add_label(f"se-{10 + i}", number, created=NOW - timedelta(days=2), info=attempt, shipment_id=f"se-o{i}")
        fake.shipments[f"se-o{i}"] = {
            "shipment_id": f"se-o{i}",
            "shipment_number": f"3000{i}",
            "ship_to": {"name": "Bo"},
        }
    data = await track(fake, numbers)
    assert [r["order_number"] for r in data["results"]] == ["30000", "30001", "30002", "30003"]
    assert fake.hits["shipments"] == 1 and fake.hits["shipments/{id}"] == 0
