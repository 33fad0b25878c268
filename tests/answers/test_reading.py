"""The reading of a package's tracking (answers/reading.py) on cases written here, one per symptom of issue 18's
status part: every signal weighed, the fact that matters first, an action to take. Fixed clocks throughout."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shipstation_mcp.answers.reading import (
    SITUATION_ORDER,
    WHAT_TO_DO,
    Signal,
    Situation,
    classify,
    place_mismatch,
)
from shipstation_mcp.answers.tracking import LabelFacts, summarize_tracking
from shipstation_mcp.api.models import Address, TrackEvent, TrackingInfo

NOW = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)  # 14:00 in New York (EDT since 8 March)


def scan(hours_ago: float, text: str, code: str = "IT", detail: str | None = None, **more: Any) -> dict[str, Any]:
    place = {"city_locality": "COLUMBUS", "state_province": "OH", "postal_code": "43215", "country_code": "US"}
    return {
        "occurred_at": (NOW - timedelta(hours=hours_ago)).isoformat(),
        "description": text,
        "status_code": code,
        "status_detail_code": detail,
        **place,
        **more,
    }


def track(status: str, events: list[dict[str, Any]], **top: Any) -> TrackingInfo:
    fields = {"tracking_number": "9400100000000000000001", "carrier_code": "stamps_com", "status_code": status}
    return TrackingInfo.model_validate({**fields, **top, "events": events})


# ----------------------------------------------------------------------------- status from every signal


def test_ups_out_for_delivery_is_read_from_its_carrier_detail_code() -> None:
    """UPS leaves status_detail_code null after pre-transit; OT is its 'out for delivery'."""
    info = track(
        "IT",
        [scan(2, "Out for Delivery", carrier_detail_code="OT"), scan(20, "On the Way", carrier_detail_code="AR")],
        carrier_code="ups",
        carrier_detail_code="OT",
    )
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "out_for_delivery"
    assert summary.headline.startswith("Out for delivery in COLUMBUS, OH 43215")
    # the same letters from another carrier mean nothing to us
    assert classify("IT", None, None, "On the way") is Signal.MOVING
    other = summarize_tracking(info.model_copy(update={"carrier_code": "fedex"}), now=NOW)
    assert other.situation == "out_for_delivery"  # its words still say so
    wordless = track("IT", [scan(2, "Scan", carrier_detail_code="OT")], carrier_code="fedex")
    assert summarize_tracking(wordless, now=NOW).situation == "in_transit"


def test_ups_fs_delivered_and_mp_manifest() -> None:
    delivered = track("IT", [scan(1, "Scan", carrier_detail_code="FS")], carrier_code="ups")
    assert summarize_tracking(delivered, now=NOW).delivered
    manifest = track("NY", [scan(1, "Scan", code="NY", carrier_detail_code="MP")], carrier_code="ups")
    assert summarize_tracking(manifest, now=NOW).situation == "not_yet_scanned"


def test_usps_label_created_awaiting_item_is_pre_transit_not_accepted() -> None:
    info = track("AC", [scan(5, "Shipping Label Created, USPS Awaiting Item", "AC", "ELEC_ADVICE_RECD_BY_CARRIER")])
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "not_yet_scanned" and summary.status_code == "NY"
    assert summary.headline == "Label created today; USPS has not received the package yet"
    assert "network" not in summary.text() and "accepted" not in summary.text().lower()
    assert summary.days_in_transit is None  # no physical scan yet
    assert summary.hours_since_last_scan is None  # a label record is no scan


def test_mailbox_delivery_on_its_due_day_under_an_in_transit_status_is_delivered_and_not_late() -> None:
    info = track(
        "IT",
        [scan(4, "Delivered, In/At Mailbox", "DE", "DELIVERED"), scan(9, "Out for Delivery", "IT", "OUT_FOR_DELIVERY")],
        status_detail_code="OUT_FOR_DELIVERY",
        status_description="In Transit",
        estimated_delivery_date="2026-03-12T00:00:00Z",
    )
    summary = summarize_tracking(info, now=NOW.replace(hour=23))  # 19:00 in Columbus, the due day
    assert summary.delivered and not summary.late and summary.situation == "delivered"
    assert summary.status_code == "DE" and summary.headline.startswith("Delivered Thu 12 Mar 2026 10:00 (UTC-04:00)")
    assert summary.status_note == (
        "The carrier's scan says delivered (\u201cDelivered, In/At Mailbox\u201d); ShipStation's status (In Transit: "
        "out for delivery) has not caught up."
    )
    assert "late" not in summary.text().lower().replace("latest", "")
    assert summary.detail_code == "DELIVERED"  # the top-level OUT_FOR_DELIVERY is stale: not shown


def test_a_return_to_sender_55_scans_deep_is_named_first() -> None:
    events = [scan(1 + i, "In Transit to Next Facility", "IT", "IN_TRANSIT") for i in range(55)]
    events.append(scan(60, "Return to Sender - No Such Number", "IT", None))
    events += [scan(70 + i, "Departed USPS Facility") for i in range(5)]
    info = track("IT", events, estimated_delivery_date="2026-03-09T00:00:00Z")
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "returning" and summary.exception
    assert summary.headline.startswith("Being returned to the sender: \u201cReturn to Sender - No Such Number\u201d")
    assert "since then: “In Transit to Next Facility”" in summary.headline
    assert summary.what_to_do and summary.what_to_do.startswith("Confirm the address with the customer")


def test_a_return_or_exception_followed_by_delivery_is_history() -> None:
    info = track(
        "DE",
        [scan(2, "Delivered", "DE"), scan(30, "Delivery exception", "EX", "UNSPECIFIED_EXCEPTION")],
    )
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "delivered" and not summary.exception and summary.attention == []


def test_arriving_on_time_under_an_exception_code_is_not_a_delay() -> None:
    info = track(
        "EX",
        [scan(3, "In Transit to Next Facility, Arriving On Time", "EX", "CARRIER_DELAYS")],
        status_detail_code="CARRIER_DELAYS",
        status_description="Exception",
        estimated_delivery_date="2026-03-14T00:00:00Z",
    )
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "in_transit" and not summary.exception and not summary.action_needed
    assert summary.headline.startswith("In Transit: “In Transit to Next Facility, Arriving On Time”")
    assert "due Sat 14 Mar 2026 (in 2 days)" in summary.headline
    assert summary.detail is None  # "delayed due to issues within the carrier network" would contradict it
    assert summary.status_note and summary.status_note.startswith("ShipStation's status says Exception")
    # without the carrier's "on time", the same code is a delay, said as such and not as an exception
    delayed = summarize_tracking(track("IT", [scan(3, "In Transit to Next Facility", "IT", "CARRIER_DELAYS")]), now=NOW)
    assert delayed.headline.startswith("Delayed: “In Transit to Next Facility”") and not delayed.exception


def test_the_string_null_means_absent() -> None:
    info = track(
        "DE",
        [scan(2, "Delivered", "DE", signer="null", company_name="NULL", city_locality="null")],
        exception_description="null",
    )
    text = summarize_tracking(info, now=NOW).text()
    assert "null" not in text.lower() and "Signed by" not in text
    assert TrackEvent.model_validate({"signer": " null "}).signer is None


def test_exact_repeats_are_collapsed_but_near_ones_kept() -> None:
    """A cumulative webhook history sends the same scan again; two scans a minute apart are two scans."""
    twice = scan(5, "Arrived at USPS Facility")
    info = track("IT", [scan(2, "Departed"), twice, dict(twice), scan(5 + 1 / 60, "Arrived at USPS Facility")])
    summary = summarize_tracking(info, now=NOW)
    assert len(summary.events) == 3


# ----------------------------------------------------------------------------- the fact that matters first


def test_a_package_stalled_for_six_days_leads_with_the_stall() -> None:
    info = track(
        "IT",
        [scan(6 * 24 + 5, "Arrived at FedEx hub", city_locality="MEMPHIS", state_province="TN", postal_code="38118")],
        carrier_code="fedex",
        estimated_delivery_date="2026-03-20T00:00:00Z",
    )
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "stalled"
    assert summary.headline.startswith("No carrier scan for 6 days: last \u201cArrived at FedEx hub\u201d in MEMPHIS")
    assert "due Fri 20 Mar 2026 (in 8 days)" in summary.headline  # the due day is judged, not just stated
    assert "nothing to do" not in summary.text().lower()
    assert summary.what_to_do == (
        "Contact FedEx with tracking number 9400100000000000000001 and ask where it is; if it has not moved within "
        "two more days, offer to reship."
    )


def test_late_is_said_first_when_nothing_worse_holds() -> None:
    info = track("IT", [scan(10, "Departed USPS Facility")], estimated_delivery_date="2026-03-10T00:00:00Z")
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "late" and summary.late
    assert summary.headline.startswith("Late: was due Tue 10 Mar 2026 (2 days ago), not delivered yet")


def test_the_headline_order_is_the_issue_s() -> None:
    assert [s.value for s in SITUATION_ORDER] == [
        "voided",
        "misdelivered",
        "returning",
        "exception",
        "delivery_attempt",
        "waiting_for_pickup",
        "stalled",
        "late",
        "delivered",
        "out_for_delivery",
        "in_transit",
        "not_yet_scanned",
        "unknown",
    ]


def test_an_exception_outranks_a_stall_and_lateness() -> None:
    info = track(
        "EX",
        [scan(100, "Address unknown", "EX", "ADDRESS_QUERY")],
        exception_description="The street number is incorrect.",
        estimated_delivery_date="2026-03-09T00:00:00Z",
    )
    summary = summarize_tracking(info, now=NOW)
    assert summary.situation == "exception" and summary.late
    assert summary.headline.startswith("Exception: “The street number is incorrect.”")
    assert [a.split(":")[0] for a in summary.attention] == [
        "Carrier reports an exception",
        "No carrier scan for 4 days",
        "Past the estimated delivery date (Mon 9 Mar 2026)",
    ]
    assert "due Mon 9 Mar 2026 (late)" in summary.text()  # the facts line judges the date too


ACTION_VERBS = re.compile(r"^(Ask|Contact|Confirm|Wait|Make sure|Check|Track)\b")


@pytest.mark.parametrize("situation", [s for s in Situation if s in WHAT_TO_DO])
def test_what_to_do_is_an_action_never_the_problem_restated(situation: Situation) -> None:
    assert ACTION_VERBS.match(WHAT_TO_DO[situation]), WHAT_TO_DO[situation]


def test_every_what_to_do_names_the_carrier_and_number_where_it_sends_the_agent_to_them() -> None:
    for template in WHAT_TO_DO.values():
        if "{carrier}" in template and ("Contact" in template or "claim" in template):
            assert "{number}" in template, template


# ----------------------------------------------------------------------------- delivered somewhere else


SPRINGFIELD_MO = Address(city_locality="Springfield", state_province="MO", postal_code="65806", country_code="US")


def test_a_delivery_in_springfield_illinois_for_an_order_to_springfield_missouri_is_flagged() -> None:
    info = track(
        "DE",
        [
            scan(
                3,
                "Delivered, Front Door/Porch",
                "DE",
                city_locality="SPRINGFIELD",
                state_province="IL",
                postal_code="62704",
            ),
            scan(8, "Out for Delivery", city_locality="SPRINGFIELD", state_province="IL", postal_code="62704"),
        ],
    )
    summary = summarize_tracking(info, now=NOW, label=LabelFacts(label_id="se-1", ship_to=SPRINGFIELD_MO))
    assert summary.situation == "misdelivered" and summary.misdelivered and summary.delivered
    assert summary.headline == (
        "Possibly misdelivered: delivered Thu 12 Mar 2026 10:00 (UTC-05:00) in SPRINGFIELD, IL 62704, US, but the "
        "order ships to Springfield, MO 65806, US"
    )
    assert summary.expected_destination == "Springfield, MO 65806, US"
    assert summary.action_needed and summary.what_to_do and "SPRINGFIELD, IL 62704" in summary.what_to_do
    # delivered where it ships: nothing flagged; no ship-to known: nothing guessed
    home = LabelFacts(ship_to=Address(city_locality="Springfield", state_province="IL", postal_code="62704-1234"))
    assert summarize_tracking(info, now=NOW, label=home).situation == "delivered"
    assert summarize_tracking(info, now=NOW).misdelivered is None


def test_place_mismatch_compares_postal_code_then_state_then_city() -> None:
    event = TrackEvent(city_locality="Madison Heights", state_province="MI", postal_code=None, country_code="US")
    suburb = Address(city_locality="Royal Oak", state_province="MI", postal_code="48067", country_code="US")
    assert not place_mismatch(event, suburb)  # same state, no postal code on the scan: not a mismatch
    assert place_mismatch(event, Address(state_province="OH"))
    assert not place_mismatch(TrackEvent(), suburb)
    canada = Address(postal_code="M5V 2T6", country_code="CA")
    assert not place_mismatch(TrackEvent(postal_code="m5v2t6", country_code="CA"), canada)
    assert place_mismatch(TrackEvent(postal_code="M4C 1B5", country_code="CA"), canada)


# ----------------------------------------------------------------------------- history and dates


def test_an_earlier_use_of_a_recycled_number_is_set_apart() -> None:
    old = [
        scan(24 * 200 + h, text, "DE" if text == "Delivered" else "IT")
        for h, text in ((0, "Delivered"), (20, "Departed"))
    ]
    new = [
        scan(3, "Accepted at USPS Origin Facility", "IT", "RECEIVED_BY_CARRIER"),
        scan(10, "Shipping Label Created", "AC", "ELEC_ADVICE_RECD_BY_CARRIER"),
    ]
    summary = summarize_tracking(track("IT", [*new, *old]), now=NOW)
    assert summary.earlier_use_events == 2 and not summary.delivered
    assert summary.situation == "in_transit" and len(summary.events) == 2
    assert summary.days_in_transit == 0.1  # from its own acceptance, three hours ago
    assert "2 older scan(s) belong to an earlier use of this tracking number" in summary.text()


def test_days_count_from_the_first_physical_scan_not_the_label_record() -> None:
    info = track(
        "DE",
        [
            scan(0, "Delivered", "DE"),
            scan(48, "Accepted at USPS Origin Facility", "IT", "RECEIVED_BY_CARRIER"),
            scan(24 * 5, "Shipping Label Created, USPS Awaiting Item", "AC", "ELEC_ADVICE_RECD_BY_CARRIER"),
        ],
    )
    assert summarize_tracking(info, now=NOW).days_in_transit == 2.0


def test_due_dates_are_judged_against_now() -> None:
    def due(day: str) -> str:
        info = track("IT", [scan(1, "Departed")], estimated_delivery_date=f"{day}T00:00:00Z")
        return summarize_tracking(info, now=NOW).headline

    assert due("2026-03-12").endswith("due Thu 12 Mar 2026 (today)")
    assert due("2026-03-13").endswith("due Fri 13 Mar 2026 (tomorrow)")
    assert due("2026-03-16").endswith("due Mon 16 Mar 2026 (in 4 days)")
    assert due("2026-03-11").startswith("Late: was due Wed 11 Mar 2026 (yesterday)")


def test_an_undocumented_status_code_is_said_plainly() -> None:
    info = track("ZZ", [scan(1, "Handed to autonomous courier")], status_description="Drone Handoff")
    summary = summarize_tracking(info, now=NOW)
    assert summary.status_code == "IT" and summary.situation == "in_transit"
    assert summary.status_note and "status code ZZ (Drone Handoff), which it does not document" in summary.status_note


def test_a_number_the_carrier_knows_nothing_of_is_not_a_label() -> None:
    summary = summarize_tracking(TrackingInfo(tracking_number="1Z999", carrier_code="ups", status_code="UN"), now=NOW)
    assert summary.situation == "unknown" and summary.status_code == "UN"
    assert summary.headline == "UPS has no tracking for this number yet"
    assert summary.what_to_do and summary.what_to_do.startswith("Check the tracking number and carrier")


@pytest.mark.parametrize(
    ("words", "signal"),
    [
        ("Returning package to shipper", Signal.RETURNING),
        ("Return to Sender Processed", Signal.RETURNING),
        ("Your item was delivered in or at the mailbox", Signal.DELIVERED),
        ("Shipment delivered", Signal.DELIVERED),
        ("Delivered, Individual Picked Up at Post Office", Signal.DELIVERED),
        ("On track to be delivered by the expected delivery date", Signal.MOVING),  # not a delivery
        ("Delivery exception", Signal.MOVING),  # words alone: the code decides (EX)
        ("On FedEx vehicle for delivery", Signal.OUT_FOR_DELIVERY),
        ("Delivery attempted - no access to delivery location", Signal.ATTEMPT),
        ("Available for Pickup", Signal.PICKUP),
        ("Shipment information sent to FedEx", Signal.LABEL),
        ("Arrived Shipping Partner Facility, USPS Awaiting Item", Signal.LABEL),  # words only; HUB_SCAN_IN wins
    ],
)
def test_the_carrier_s_words(words: str, signal: Signal) -> None:
    assert classify(None, None, None, words) is signal
    assert classify("EX", None, None, "Delivery exception") is Signal.EXCEPTION
    assert classify("IT", "HUB_SCAN_IN", None, "Arrived Shipping Partner Facility, USPS Awaiting Item") is Signal.MOVING
