"""Summaries: the facts an assistant says aloud, small enough to cost few tokens."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from shipstation_mcp.answers.base import compact_json
from shipstation_mcp.answers.format import format_place
from shipstation_mcp.answers.shipments import (
    shipment_text,
    summarize_label,
    summarize_shipment,
    summarize_shipment_list,
)
from shipstation_mcp.answers.tracking import summarize_tracking, tracking_text
from shipstation_mcp.api.models import Label, Shipment, ShipmentList, TrackEvent, TrackingInfo
from tests.fixtures import FIXTURES, load_json

NOW = datetime(2026, 5, 2, 12, 0, tzinfo=UTC)


def _info(**fields: object) -> TrackingInfo:
    return TrackingInfo.model_validate(fields)


def _event(hours_ago: float, description: str = "Scan", **fields: object) -> dict[str, object]:
    return {"occurred_at": (NOW - timedelta(hours=hours_ago)).isoformat(), "description": description, **fields}


def test_seed_003_summary_is_under_a_third_of_the_raw_response_and_keeps_every_fact() -> None:
    raw = (FIXTURES / "seeds" / "track_usps_delivered.json").read_text(encoding="utf-8")
    raw_size = len(json.dumps(json.loads(raw), separators=(",", ":")).encode())
    summary = summarize_tracking(TrackingInfo.model_validate_json(raw), now=NOW)
    data = compact_json(summary)
    size = len(json.dumps(data, separators=(",", ":")).encode())

    assert size * 3 < raw_size, f"summary {size} bytes vs raw {raw_size} bytes"
    assert data["tracking_number"] == "9405511899223197428490"
    assert data["carrier_code"] == "usps"
    assert data["status_code"] == "DE" and data["status_description"] == "Delivered"
    assert data["meaning"]
    assert data["delivered"] is True and data["exception"] is False and data["action_needed"] is False
    assert data["actual_delivery"] == "2021-09-20T19:03:00Z"  # from the delivery scan: the API left it null
    assert data["days_in_transit"] == 3.9
    assert data["latest_event"] == {
        "occurred_at": "2021-09-20T19:03:00Z",
        "description": "Delivered, In/At Mailbox",
        "place": "SARCOXIE, MO 64862",
    }
    assert "hours_since_last_scan" not in data  # delivered: the scans are over
    assert data["tracking_url"].endswith("9405511899223197428490")
    assert len(data["events"]) == 6 and "more_events" not in data
    assert data["events"][0].startswith("2021-09-20 14:03-05:00: Delivered")
    assert data["events"][-1] == "2021-09-16 14:06-07:00: USPS picked up item (LAS VEGAS, NV 89118)"
    assert data["headline"] == "Delivered Mon 20 Sep 2021 14:03 (UTC-05:00) in SARCOXIE, MO 64862"


def test_seed_001_headline_has_delivery_time_place_and_days() -> None:
    summary = summarize_tracking(
        TrackingInfo.model_validate(load_json("seeds/track_label_ups_delivered.json")), now=NOW
    )
    # ShipStation says delivered; the only scan is an arrival two days before, so the delivery has no place
    assert summary.headline == "Delivered Sun 27 Oct 2024 04:59 (UTC-07:00)"
    assert (
        summary.status_note
        and "latest scan is \u201cArrived at UPS Facility\u201d, not a delivery" in summary.status_note
    )
    assert summary.ship_date == datetime(2024, 10, 25, 11, 59, 3, 289000, tzinfo=UTC)
    assert summary.days_in_transit == 2.0


def test_signer_appears_in_the_headline() -> None:
    info = _info(
        status_code="DE",
        actual_delivery_date=NOW.isoformat(),
        events=[_event(0, "Delivered", city_locality="OCEANSIDE", state_province="CA", signer="J. SMITH")],
    )
    summary = summarize_tracking(info, now=NOW)
    # Oceanside, CA is on Pacific time: the delivery is read there, even with no carrier local time
    assert summary.headline == "Delivered Sat 2 May 2026 05:00 (UTC-07:00) in OCEANSIDE, CA (signed by “J. SMITH”)"
    assert summary.signer == "J. SMITH"


def test_events_are_newest_first_capped_with_the_count_of_the_rest() -> None:
    events = [_event(h, f"scan {h}") for h in range(15, 0, -1)]  # oldest first, as some carriers send
    summary = summarize_tracking(_info(status_code="IT", events=events), now=NOW)
    assert len(summary.events) == 10 and summary.more_events == 5
    assert summary.events[0].endswith("scan 1")
    assert summary.latest_event is not None and summary.latest_event.description == "scan 1"
    none = summarize_tracking(_info(status_code="IT", events=events), now=NOW, max_events=0)
    assert none.events == [] and none.more_events == 15


def test_delivery_attempt_says_what_to_do() -> None:
    info = _info(
        status_code="AT",
        status_detail_code="ATTEMPTED_DELIVERY",
        events=[_event(3, "Delivery attempted - no access", city_locality="DENVER", state_province="CO")],
    )
    summary = summarize_tracking(info, now=NOW)
    assert summary.action_needed is True and summary.delivered is False
    assert "attempted" in summary.headline.lower()
    assert "redelivery or pick-up" in summary.headline
    assert summary.attention


def test_exception_headline_uses_the_exception_text() -> None:
    summary = summarize_tracking(TrackingInfo.model_validate(load_json("quirks/track_exception.json")), now=NOW)
    assert summary.exception is True and summary.action_needed is True
    assert summary.headline.startswith("Exception: “Incorrect address - Apartment or suite number missing")
    assert summary.detail_code == "ADDRESS_QUERY"
    assert any("exception" in reason.lower() for reason in summary.attention)


def test_stalled_package_is_flagged_but_a_recent_one_is_not() -> None:
    stalled = summarize_tracking(_info(status_code="IT", events=[_event(6 * 24, "Departed facility")]), now=NOW)
    assert "No carrier scan for 6 days" in stalled.attention
    assert stalled.hours_since_last_scan == 144.0
    fresh = summarize_tracking(_info(status_code="IT", events=[_event(5, "Departed facility")]), now=NOW)
    assert fresh.attention == []


def test_late_package_is_flagged_until_delivered() -> None:
    late = _info(
        status_code="IT",
        estimated_delivery_date=(NOW - timedelta(days=2)).isoformat(),
        events=[_event(2, "In transit")],
    )
    summary = summarize_tracking(late, now=NOW)
    assert any(a.startswith("Past the estimated delivery date (Thu 30 Apr 2026)") for a in summary.attention)
    assert summary.headline.startswith("Late: was due Thu 30 Apr 2026 (2 days ago), not delivered yet")
    delivered = summarize_tracking(late.model_copy(update={"status_code": "DE"}), now=NOW)
    assert not any("Past the estimated" in a for a in delivered.attention)


def test_the_due_day_is_said_once() -> None:
    on_its_way = _info(
        status_code="IT",
        estimated_delivery_date=(NOW + timedelta(days=2)).isoformat(),
        events=[_event(2, "In transit")],
    )
    summary = summarize_tracking(on_its_way, now=NOW)
    assert "due Mon 4 May 2026 (in 2 days)" in summary.headline
    facts = [line for line in tracking_text(summary).splitlines() if not line.startswith("What to do:")]
    assert "\n".join(facts).count("4 May") == 1
    assert summary.what_to_do == "Wait until Mon 4 May 2026."
    # An exception's headline says what went wrong instead: the due day is then told among the facts.
    held = summarize_tracking(on_its_way.model_copy(update={"status_code": "EX"}), now=NOW)
    assert "4 May" not in held.headline
    assert tracking_text(held).count("due Mon 4 May 2026") == 1


def test_unknown_status_never_raises_and_says_so() -> None:
    summary = summarize_tracking(TrackingInfo.model_validate(load_json("quirks/track_unknown_enum.json")), now=NOW)
    # The scans tell what the undocumented code does not: the answer goes by them and says so.
    assert summary.status_code == "IT" and summary.situation == "late"
    assert summary.status_note and "status code ZZ (Drone Handoff)" in summary.status_note


def test_empty_tracking_info_still_summarises() -> None:
    summary = summarize_tracking(TrackingInfo(), now=NOW)
    assert summary.headline and summary.events == [] and summary.latest_event is None
    assert tracking_text(summary).startswith(summary.headline)


def test_not_yet_in_system() -> None:
    summary = summarize_tracking(_info(status_code="NY"), now=NOW)
    assert summary.headline == "Label created; the carrier has not received the package yet"


def test_tracking_text_carries_the_key_facts() -> None:
    summary = summarize_tracking(TrackingInfo.model_validate(load_json("quirks/track_exception.json")), now=NOW)
    text = tracking_text(summary)
    assert "772960158636 (fedex)" in text
    assert "Needs attention:" in text
    assert "Carrier page: https://www.fedex.com/" in text
    assert "Events (newest first):" in text


def test_place_formatting() -> None:
    assert format_place("OCEANSIDE", "CA", "92056", "US") == "OCEANSIDE, CA 92056, US"
    assert format_place("LEIPZIG", None, None, "DE") == "LEIPZIG, DE"
    assert format_place(None, None, None, None) is None


def test_event_without_time_sorts_last() -> None:
    info = TrackingInfo(
        status_code="IT",
        events=[TrackEvent(description="no time"), TrackEvent(occurred_at=NOW, description="timed")],
    )
    summary = summarize_tracking(info, now=NOW)
    assert summary.events[0].endswith("timed") and summary.events[1].startswith("time unknown")


def test_shipment_summary_has_every_listed_fact() -> None:
    shipment = Shipment.model_validate(load_json("quirks/shipment_numeric_postal.json"))
    label = Label.model_validate(load_json("quirks/label_multi_package.json"))
    summary = summarize_shipment(shipment, [label])
    data = compact_json(summary)
    assert data["shipment_id"] == shipment.shipment_id
    assert data["shipment_number"] == "10443"
    assert data["external_shipment_id"] == shipment.external_shipment_id
    assert data["status"] == shipment.shipment_status
    assert data["ship_to"]["name"] == "Priya Natarajan"
    assert data["ship_to"]["place"].startswith("Seattle, WA")
    assert {i["sku"] for i in data["items"]} == {"SOCK-MER-3PK-L", "SHELL-UL-SLT-M"}
    assert data["tags"] == ["Priority", "Gift Wrap"]
    (lbl,) = data["labels"]
    assert lbl["tracking_number"] == "1Z7W93X90378146521"
    assert lbl["package_tracking_numbers"] == [
        "1Z7W93X90378146521",
        "1Z7W93X90378146530",
        "1Z7W93X90378146549",
    ]
    assert data["carrier"] == "ups"
    assert "track_label" in data["next_step"] and label.label_id in data["next_step"]
    assert "1Z7W93X90378146521" in summary.headline
    text = shipment_text(summary)
    assert "packages 1Z7W93X90378146521, 1Z7W93X90378146530, 1Z7W93X90378146549" in text


def test_shipment_without_label_says_there_is_nothing_to_track() -> None:
    summary = summarize_shipment(Shipment(shipment_id="se-1", shipment_status="pending"))
    assert summary.labels == []
    assert summary.next_step == "No label has been bought yet, so there is nothing to track."
    assert "waiting for a label" in summary.headline


def test_voided_label_is_marked_and_not_offered_for_tracking() -> None:
    label = Label(label_id="se-9", status="voided", tracking_number="1Z999AA10123456784", voided=True)
    summary = summarize_shipment(Shipment(shipment_id="se-1", shipment_status="label_purchased"), [label])
    assert summary.labels[0].voided is True
    assert "voided" in (summary.next_step or "")
    assert "1Z999AA10123456784" not in summary.headline
    assert summarize_label(Label(label_id="x", status="completed")).voided is None


def test_shipment_page_headline_and_rows() -> None:
    page = summarize_shipment_list(ShipmentList.model_validate(load_json("spec/v2/list_shipments.json")))
    assert page.headline.startswith(f"Page {page.page} of {page.pages}")
    assert page.shipments and page.shipments[0].shipment_id
    empty = summarize_shipment_list(ShipmentList(shipments=[], total=0, page=1, pages=0))
    assert empty.headline == "No shipments match."


def test_the_spec_track_example_is_told_as_delivered_throughout() -> None:
    """Its status field holds a detail code (pickup failed) next to the detail DELIVERED, a delivery date and a
    delivery scan: the answer says delivered everywhere, not "Delivered" in the headline and late beside it."""
    info = TrackingInfo.model_validate(load_json("spec/v2/track_label.json"))
    assert (info.status_code, info.status_detail_code) == ("COLLECTION_FAILED", "DELIVERED")
    summary = summarize_tracking(info, now=NOW)
    assert summary.delivered and summary.headline.startswith("Delivered")
    assert not summary.late and summary.attention == []
    assert "late" not in tracking_text(summary) and "pickup failed" not in tracking_text(summary).lower()
