"""The demo account through ShipStation's classic API (V1), with the facts each answer must state.

V1 gives no tracking status: each package answer has the tracking number, the carrier and the carrier's page, and
says so plainly. `calls_for("v1")` in demo_calls.py returns these; the tools V1 cannot serve are hidden (see
tests/tools/test_toolsets.py) and have no call here.
"""

from __future__ import annotations

from typing import Any

from tests.support.demo_calls import DemoCall

NO_STATUS = "this account's API gives no tracking status"
UPS_PAGE = "https://www.ups.com/track?tracknum="
MULTI_PACKAGE = ["1ZA4R8E20373280204", "1ZA4R8E20329404378", "1ZA4R8E20311441987"]


def _order_in_one_call(text: str, data: dict[str, Any], api: str) -> None:
    assert data["matched_as"] == "order number"
    shipment = data["shipment"]
    assert shipment["shipment_number"] == "10443" and shipment["shipment_id"] == "4000443"
    assert shipment["status"] == "shipped" and "not necessarily delivered" in shipment["status_meaning"]
    [package] = data["packages"]
    assert package["tracking_number"] == "1ZA4R8E20361199987" and package["carrier_code"] == "ups"
    assert package["tracking_url"] == UPS_PAGE + "1ZA4R8E20361199987"
    assert package["status_description"] == "No tracking status from this account's API"
    assert package["delivered"] is False and package["action_needed"] is False and not package.get("attention")
    assert data["headline"].startswith("Order 10443 for “Priya Natarajan”")
    assert NO_STATUS in data["headline"] and UPS_PAGE + "1ZA4R8E20361199987" in data["headline"]
    assert "out for delivery" not in text.lower()  # no status is invented


def _on_hold(text: str, data: dict[str, Any], api: str) -> None:
    assert data["shipment"]["status"] == "on_hold" and data["packages"] == []
    assert "on hold" in data["headline"]


def _multi_package_order(text: str, data: dict[str, Any], api: str) -> None:
    assert data["shipment_number"] == "10445" and data["status"] == "shipped"
    assert [label["tracking_number"] for label in data["labels"]] == MULTI_PACKAGE  # one V1 shipment per box
    assert all(label["tracking_url"].startswith(UPS_PAGE) for label in data["labels"])
    assert "find_order with '10445'" in data["next_step"]  # not track_label, which V1 cannot serve


def _search_by_customer(text: str, data: dict[str, Any], api: str) -> None:
    assert [row["shipment_number"] for row in data["shipments"]] == ["10443"]
    assert data["shipments"][0]["status"] == "shipped"


def _order_by_exact_number(text: str, data: dict[str, Any], api: str) -> None:
    # V1 searches order numbers by prefix ("1044" would find ten); the answer keeps the exact one only.
    [row] = data["shipments"]
    assert row["shipment_number"] == "10443"


def _second_box(text: str, data: dict[str, Any], api: str) -> None:
    [shipment] = data["shipments"]
    assert shipment["shipment_number"] == "10445"


def _untracked(text: str, data: dict[str, Any], api: str) -> None:
    assert data["tracking_number"] == "1ZA4R8E20293229421" and data["carrier_code"] == "ups"
    assert data["status_description"] == "No tracking status from this account's API"
    assert NO_STATUS in data["headline"] and data["tracking_url"] == UPS_PAGE + "1ZA4R8E20293229421"
    assert "SHIPSTATION_TRACKING_API_KEY" in data["meaning"]


def _fulfillment(text: str, data: dict[str, Any], api: str) -> None:
    # Order 10450 was marked shipped outside ShipStation: a /fulfillments row with "DHL" in free text.
    assert data["carrier_code"] == "dhl_express" and data["label_id"] == "f5000021"
    assert data["tracking_url"].endswith("tracking-id=3592195832")
    assert NO_STATUS in data["headline"]


def _carriers(text: str, data: dict[str, Any], api: str) -> None:
    assert [c["carrier_code"] for c in data["carriers"]] == ["ups", "stamps_com", "fedex", "dhl_express"]


def _bulk(text: str, data: dict[str, Any], api: str) -> None:
    by_query = {item["query"]: item for item in data["results"]}
    assert set(by_query) == {"1ZA4R8E20293229421", "777240168579"}
    for item in by_query.values():
        assert item["status_code"] == "UN" and NO_STATUS in item["headline"]


def _no_webhooks(text: str, data: dict[str, Any], api: str) -> None:
    assert data["webhooks"] == []


def _nothing_pushed(text: str, data: dict[str, Any], api: str) -> None:
    assert data["packages"] == [] if "packages" in data else data["updates"] == []


V1_DEMO_CALLS: tuple[DemoCall, ...] = (
    DemoCall("find_order", {"query": "10443"}, _order_in_one_call, "an order by number, in one call"),
    DemoCall("find_order", {"query": "#10459"}, _on_hold, "an order on hold"),
    DemoCall("get_shipment", {"shipment_id": "4000445"}, _multi_package_order, "an order by its V1 id"),
    DemoCall("list_shipments", {"ship_to_name": "Natarajan"}, _search_by_customer, "customer name search"),
    DemoCall("list_shipments", {"shipment_number": "10443"}, _order_by_exact_number, "exact order number"),
    DemoCall("find_by_tracking_number", {"tracking_number": "1ZA4R8E20329404378"}, _second_box, "second box"),
    DemoCall("track_package", {"tracking_number": "1ZA4R8E20293229421"}, _untracked, "no tracking status"),
    DemoCall("track_package", {"tracking_number": "3592195832"}, _fulfillment, "marked shipped elsewhere"),
    DemoCall("list_carriers", {}, _carriers, "four carriers"),
    DemoCall(
        "track_packages",
        {"packages": [{"tracking_number": "1ZA4R8E20293229421"}, {"tracking_number": "777240168579"}]},
        _bulk,
        "two packages, neither with a status",
    ),
    DemoCall("list_webhooks", {}, _no_webhooks, "the account has none"),
    DemoCall("list_tracked_packages", {}, _nothing_pushed, "V1 pushes no tracking"),
    DemoCall("get_tracking_updates", {}, _nothing_pushed, "V1 pushes no tracking"),
)
