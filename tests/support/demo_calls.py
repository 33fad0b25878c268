"""One call (or more) of every tool against the demo account, with the facts each answer must state.

Shared by the in-memory tests (both API flavours, fixed clock) and the stdio end-to-end test (a real subprocess,
real clock): the demo's dates are relative to "now", so the same facts hold at any time.

A new tool needs an entry here: `test_every_tool_has_a_demo_call` fails until it has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.types import CallToolResult

Check = Callable[[str, dict[str, Any], str], None]
"""check(text, structured, api) raises AssertionError when a fact is missing."""


@dataclass(frozen=True)
class DemoCall:
    tool: str
    arguments: dict[str, Any]
    check: Check
    about: str


def answer_of(result: CallToolResult) -> tuple[str, dict[str, Any]]:
    text = "\n".join(block.text for block in result.content if block.type == "text")
    assert not result.is_error, text
    assert isinstance(result.structured_content, dict), text
    return text, result.structured_content


# ---------------------------------------------------------------------------------------------- checks

HOOK_URL = "https://hooks.example.com/webhooks/shipstation"
MULTI_PACKAGE = ["1ZA4R8E20373280204", "1ZA4R8E20329404378", "1ZA4R8E20311441987"]


def _multi_package_shipment(text: str, data: dict[str, Any], api: str) -> None:
    assert data["shipment_number"] == "10445"
    [label] = data["labels"]
    assert label["package_tracking_numbers"] == MULTI_PACKAGE
    for number in MULTI_PACKAGE:
        assert number in text
    assert "Hollis" in data["headline"]


def _pending_by_external_id(text: str, data: dict[str, Any], api: str) -> None:
    assert data["shipment_number"] == "10458"
    assert data["external_shipment_id"] == "WEB/10458"
    assert data["status"] == "pending"
    assert data.get("labels", []) == []
    assert "No label has been bought yet" in data["next_step"]


def _pending_list(text: str, data: dict[str, Any], api: str) -> None:
    assert data["total"] == 2
    assert [row["shipment_number"] for row in data["shipments"]] == ["10458", "10457"]
    assert "10457" in text and "10458" in text


def _shipment_of_second_box(text: str, data: dict[str, Any], api: str) -> None:
    [shipment] = data["shipments"]
    assert shipment["shipment_number"] == "10445"
    assert "1ZA4R8E20329404378 belongs to 1 shipment" in data["headline"]


def _held_by_customs(text: str, data: dict[str, Any], api: str) -> None:
    assert data["label_id"] == "se-5000013"
    assert data["carrier_code"] == "dhl_express"  # filled in from the label when the V2 answer leaves it out
    assert data["detail_code"] == "HELD_BY_CUSTOMS"
    assert data["action_needed"] is True
    assert any("customs" in reason for reason in data["attention"])
    assert "LEIPZIG" in text


def _attempted_delivery(text: str, data: dict[str, Any], api: str) -> None:
    assert data["status_code"] == "AT"
    assert data["action_needed"] is True
    assert "Delivery attempted" in data["headline"]
    assert "arrange redelivery or pick-up" in data["headline"]
    assert "CHICAGO" in data["headline"]
    assert "second attempt" in text


def _stalled(text: str, data: dict[str, Any], api: str) -> None:
    assert data["status_code"] == "IT"
    assert "No carrier scan for 6 days" in data["attention"]
    assert "Needs attention: No carrier scan for 6 days" in text
    assert "MEMPHIS" in data["latest_event"]["place"]


def _late(text: str, data: dict[str, Any], api: str) -> None:
    assert data["status_code"] == "IT"
    assert any(reason.startswith("Past the estimated delivery date") for reason in data["attention"])
    assert data["headline"].startswith("Late: was due ") and data["situation"] == "late"  # its days move with the clock


def _third_box(text: str, data: dict[str, Any], api: str) -> None:
    assert data["status_code"] == "IT"
    assert data["carrier_code"] == "ups"
    assert "MESQUITE" in data["latest_event"]["place"]


def _lost(text: str, data: dict[str, Any], api: str) -> None:
    assert data["status_code"] == "EX" and data["exception"] is True
    assert data["detail_code"] == "PARCEL_LOST"
    assert "could not be located" in data["headline"]


def _collect_at_post_office(text: str, data: dict[str, Any], api: str) -> None:
    assert data["status_code"] == "SP" and data["delivered"] is True
    assert data["action_needed"] is True
    assert "collect" in data["meaning"]
    assert "ALLSTON" in data["headline"]


def _out_for_delivery(text: str, data: dict[str, Any], api: str) -> None:
    assert data["detail_code"] == "OUT_FOR_DELIVERY"
    assert data["headline"].startswith("Out for delivery in SEATTLE") and data["situation"] == "out_for_delivery"
    assert data.get("attention", []) == []


def _subscribed(text: str, data: dict[str, Any], api: str) -> None:
    assert data["subscribed"] is True
    assert data["tracking_number"] == "1ZA4R8E20361199987" and data["carrier_code"] == "ups"


def _unsubscribed(text: str, data: dict[str, Any], api: str) -> None:
    assert data["subscribed"] is False
    assert "stopped watching" in data["headline"]


def _order_10443(text: str, data: dict[str, Any], api: str) -> None:
    [row] = data["shipments"]
    assert row["shipment_number"] == "10443"
    assert row["ship_to"].startswith("Priya Natarajan")


def _webhook_created(text: str, data: dict[str, Any], api: str) -> None:
    assert data["action"] == "created" and data["event"] == "track"
    assert data["url"] == HOOK_URL
    assert data["webhook_id"]


def _webhooks_listed(text: str, data: dict[str, Any], api: str) -> None:
    assert [(w["event"], w["url"]) for w in data["webhooks"]] == [("track", HOOK_URL)]
    assert HOOK_URL in text


def _watched_packages(text: str, data: dict[str, Any], api: str) -> None:
    packages = {p["tracking_number"]: p for p in data["packages"]}
    assert set(packages) == {"1ZA4R8E20361199987", "9405511836264172139766", "1ZA4R8E20293229421", "8231297266"}
    assert packages["1ZA4R8E20361199987"]["watching"] is False  # subscribed, then unsubscribed, above
    assert packages["9405511836264172139766"]["watching"] is False  # ShipStation stops watching at delivery
    assert packages["1ZA4R8E20293229421"]["watching"] is True
    assert "4 package(s) tracked" in data["headline"]


def _updates_received(text: str, data: dict[str, Any], api: str) -> None:
    newest, *older = data["updates"]
    assert newest["summary"]["tracking_number"] == "1ZA4R8E20361199987"
    assert newest["summary"]["detail_code"] == "OUT_FOR_DELIVERY"
    assert [u["summary"]["status_code"] for u in older] == ["AT", "SP", "IT"]
    assert data["headline"].startswith("4 update(s) received; newest: ")
    assert "HELD_BY_CUSTOMS" in text


def _bulk(text: str, data: dict[str, Any], api: str) -> None:
    assert data["headline"].startswith("4 packages: ")
    by_query = {item["query"]: item for item in data["results"]}
    assert by_query["1ZA4R8E20293229421"]["outcome"] == "delivery_attempt"
    assert any("No carrier scan for 6 days" in reason for reason in by_query["777240168579"]["attention"])
    assert by_query["se-5000013"]["outcome"] == "exception"  # held by customs until the merchant sends an invoice
    unknown = by_query["1Z999AA10123456784"]  # not in the account: that item alone has no tracking
    if api == "v2":
        assert unknown["outcome"] == "not_found" and "No label in this ShipStation account" in unknown["error"]
    else:  # ShipEngine asks the carrier, which knows nothing of it
        assert unknown["outcome"] == "unknown" and unknown["status_code"] == "UN"


def _attention_queue(text: str, data: dict[str, Any], api: str) -> None:
    ranked = [(item["problem"], item["tracking_number"]) for item in data["items"]]
    assert ranked[:4] == [
        ("exception", "821213868357"),
        ("exception", "1ZA4R8E20339629250"),
        ("exception", "8231297266"),  # held by customs until the merchant sends an invoice
        ("returned_to_sender", "630953051557"),
    ]
    numbers = [number for _, number in ranked]
    assert "1ZA4R8E20293229421" in numbers and "777240168579" in numbers and "9400111170578732091134" in numbers
    assert "need attention" in data["headline"]


def _carriers(text: str, data: dict[str, Any], api: str) -> None:
    assert [c["carrier_code"] for c in data["carriers"]] == ["ups", "stamps_com", "fedex", "dhl_express"]
    assert "4 carrier(s) connected" in text


def _order_in_one_call(text: str, data: dict[str, Any], api: str) -> None:
    assert data["matched_as"] == "order number" and data["shipment"]["shipment_number"] == "10443"
    [package] = data["packages"]
    assert package["label_id"] == "se-5000012" and package["detail_code"] == "OUT_FOR_DELIVERY"
    assert not package.get("late") and "Priya Natarajan" in data["headline"]
    assert "Out for delivery in SEATTLE" in data["headline"] and "se-5000012" in text


DEMO_CALLS: tuple[DemoCall, ...] = (
    DemoCall("find_order", {"query": "#10443"}, _order_in_one_call, "an order by number, in one call"),
    DemoCall("get_shipment", {"shipment_id": "se-4000445"}, _multi_package_shipment, "three boxes on one label"),
    DemoCall("find_by_external_id", {"external_shipment_id": "WEB/10458"}, _pending_by_external_id, "id with a slash"),
    DemoCall("list_shipments", {"status": "pending"}, _pending_list, "status filter"),
    DemoCall(
        "find_by_tracking_number",
        {"tracking_number": "1ZA4R8E2 0329404378"},
        _shipment_of_second_box,
        "a package number of a multi-package label, pasted with a space",
    ),
    DemoCall("track_label", {"label_id": "se-5000013"}, _held_by_customs, "international, held by customs"),
    DemoCall("track_package", {"tracking_number": "1ZA4R8E20293229421"}, _attempted_delivery, "AT"),
    DemoCall("track_package", {"tracking_number": "777240168579"}, _stalled, "no scan for 6 days"),
    DemoCall("track_package", {"tracking_number": "9400111170578732091134"}, _late, "past its estimated delivery"),
    DemoCall("track_package", {"tracking_number": "1ZA4R8E20311441987"}, _third_box, "box 3 of a multi-package label"),
    DemoCall("track_package", {"tracking_number": "821213868357"}, _lost, "EX PARCEL_LOST"),
    DemoCall("track_package", {"tracking_number": "9405511836264172139766"}, _collect_at_post_office, "SP"),
    DemoCall(
        "track_package",
        {"tracking_number": "1ZA4R8E20361199987", "carrier_code": "ups", "max_events": 3},
        _out_for_delivery,
        "with a carrier code",
    ),
    DemoCall(
        "subscribe_tracking", {"tracking_number": "1ZA4R8E20361199987", "carrier_code": "ups"}, _subscribed, "start"
    ),
    DemoCall(
        "unsubscribe_tracking",
        {"tracking_number": "1ZA4R8E20361199987", "carrier_code": "ups"},
        _unsubscribed,
        "stop",
    ),
    DemoCall("list_tracked_packages", {}, _watched_packages, "the package watched and unwatched above"),
    DemoCall("get_tracking_updates", {}, _updates_received, "what the demo's webhook 'received'"),
    DemoCall("setup_tracking_webhook", {"url": HOOK_URL}, _webhook_created, "create the track webhook"),
    DemoCall("list_webhooks", {}, _webhooks_listed, "the webhook just created"),
    DemoCall("list_carriers", {}, _carriers, "four carriers"),
    DemoCall(
        "track_packages",
        {
            "packages": [
                "1ZA4R8E20293229421",
                {"tracking_number": "777240168579", "carrier_code": "fedex"},
                {"label_id": "se-5000013"},
                "1Z999AA10123456784",
            ]
        },
        _bulk,
        "four packages, one unknown",
    ),
    DemoCall("shipments_needing_attention", {}, _attention_queue, "the support queue, most urgent first"),
    # ShipEngine's GET /shipments cannot filter by order number: the tool searches the newest pages itself.
    DemoCall("list_shipments", {"shipment_number": "10443"}, _order_10443, "order number filter"),
)


def calls_for(api: str) -> tuple[DemoCall, ...]:
    if api == "v1":
        from tests.support.demo_calls_v1 import V1_DEMO_CALLS

        return V1_DEMO_CALLS
    return DEMO_CALLS
