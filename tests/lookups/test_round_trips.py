"""Every lookup at its floor: round trips on the critical path, counted on a virtual timeline (issue 23, Build 1).

A request takes one unit of virtual time (`tests/support/round_trips.py`), so `timeline.now` when the answer is
ready is the number of round trips on its critical path. Each floor is the one written next to the lookup
(`lookups/orders.py`, `lookups/tracking.py`): what the API's answers make necessary, nothing more.
"""

from __future__ import annotations

from typing import Any

import pytest

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.errors import LookupFailed
from shipstation_mcp.lookups import orders, tracking
from shipstation_mcp.state.cache import ResponseCache
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago
from tests.support.fake_shipstation import tracking as track_answer
from tests.support.round_trips import Rounds, RoundTrips, run_on


def number(i: int) -> str:
    return f"1Z999AA1{i:010d}"


def account(api: str = "v2", *, extra_shipments: int = 0) -> FakeShipStation:
    """Order 10443 (shipment se-s1, one label se-l1) and order 10444 (shipment se-s2, labels se-l2a and se-l2b)."""
    fake = FakeShipStation(api=api, host="https://api.shipengine.com" if api == "shipengine" else FakeShipStation.host)
    rows = [("se-s1", "10443", ["se-l1"]), ("se-s2", "10444", ["se-l2a", "se-l2b"])]
    rows += [(f"se-x{i}", f"2{i:04d}", []) for i in range(extra_shipments)]  # newer orders without labels
    for n, (shipment_id, order, labels) in enumerate(rows):
        fake.shipments[shipment_id] = {
            "shipment_id": shipment_id,
            "shipment_number": order,
            "external_shipment_id": f"ORDER-{order}",
            "shipment_status": "label_purchased",
            "created_at": f"2026-05-{10 + min(n, 9):02d}T12:00:00Z",
        }
        for label_id in labels:
            i = len(fake.labels)
            info = track_answer(number(i), "IT", events=[event(NOW, "Arrived at facility")])
            fake.add_label(label_id, number(i), created=hours_ago(30), shipment_id=shipment_id, info=info)
            fake.number_tracking[("ups", number(i))] = info
    return fake


def round_trips(fake: FakeShipStation, lookup: Any) -> tuple[Any, float, RoundTrips]:
    """Run `lookup(client)` on a virtual timeline; (its answer or the error it raised, round trips, transport)."""
    timeline = Rounds()
    transport = RoundTrips(fake.handle, timeline)

    async def work() -> Any:
        async with ShipStationClient(
            fake.settings(), transport=transport, sleep=timeline.sleep, limiter=None, cache=ResponseCache()
        ) as client:
            try:
                return await lookup(client)
            except LookupFailed as exc:
                return exc

    return run_on(timeline, work()), timeline.now, transport


@pytest.mark.parametrize(
    ("query", "matched_as", "floor", "packages"),
    [
        ("se-s1", "shipment id", 2, 1),
        ("se-l1", "label id", 2, 1),
        (number(0), "tracking number", 2, 1),
        ("1z999aa1 0000 0000 00", "tracking number", 2, 1),
        ("se-l2a", "label id", 3, 2),  # its sibling's tracking waits for the sibling to be known
        ("10443", "order number", 3, 1),
        ("#10444", "order number", 3, 2),
        ("ORDER-10443", "external id", 3, 1),
    ],
)
def test_find_order_runs_at_its_floor_for_every_kind_of_identifier(
    query: str, matched_as: str, floor: int, packages: int
) -> None:
    answer, trips, _ = round_trips(account(), lambda c: orders.find_order(c, query, now=NOW))
    assert not isinstance(answer, Exception), answer
    assert answer.matched_as == matched_as and len(answer.packages) == packages
    assert all(p.status_code == "IT" for p in answer.packages)
    assert trips == floor


def test_an_identifier_nothing_matches_costs_one_round_trip_for_every_interpretation() -> None:
    for query in ("NOPE-123", "404404", "1Z999AA19999999999"):
        answer, trips, transport = round_trips(account(), lambda c, q=query: orders.find_order(c, q, now=NOW))
        assert isinstance(answer, LookupFailed) and "Tried it as" in str(answer)
        assert trips == 1 and len(transport.sent) == len(orders.interpretations(query))


def test_the_first_interpretation_that_matches_wins_and_later_ones_do_not_delay_it() -> None:
    fake = account()
    # "10443" is also some other shipment's external id: the order number is likelier and wins.
    fake.shipments["se-s9"] = {"shipment_id": "se-s9", "shipment_number": "x", "external_shipment_id": "10443"}
    answer, trips, _ = round_trips(fake, lambda c: orders.find_order(c, "10443", now=NOW))
    assert answer.matched_as == "order number" and answer.shipment.shipment_id == "se-s1" and trips == 3


def test_shipengine_order_numbers_read_the_newest_pages_together() -> None:
    fake = account("shipengine", extra_shipments=250)  # three pages of 100 to search
    answer, trips, transport = round_trips(fake, lambda c: orders.find_order(c, "10443", now=NOW))
    assert answer.matched_as == "order number" and answer.shipment.shipment_id == "se-s1"
    assert sum(1 for _, what in transport.sent if what == "GET /v1/shipments") == 3
    assert trips == 4  # the first page, the other two together, the labels, the tracking (was 3 pages in a row)


@pytest.mark.parametrize(
    ("api", "query", "floor"),
    [
        ("v2", number(0), 2),  # V2 tracks an account's package through its label: the label search, then its track
        ("v2", "se-l1", 1),  # a label id: its track answer carries the carrier and the page
        ("shipengine", number(0), 1),  # the carrier is clear from the number: GET /tracking
        ("shipengine", "se-l1", 1),
    ],
)
def test_track_package_runs_at_its_floor(api: str, query: str, floor: int) -> None:
    answer, trips, _ = round_trips(account(api), lambda c: tracking.track_package(c, query, now=NOW))
    assert not isinstance(answer, Exception), answer
    assert answer.status_code == "IT" and trips == floor
