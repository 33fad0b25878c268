"""Answers read as a support agent reads them: no sentence said twice, no quoting of our own words, nothing printed
that a fresher fact in the same answer contradicts.

Every real tracking-shaped payload is read from ../shared/real-payloads/ (skipped when absent, never copied here), at
the fixed `now` the per-payload expectations in tests/tools/test_real_payload_reading.py use."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shipstation_mcp.answers.shipments import summarize_shipment
from shipstation_mcp.answers.tracking import summarize_tracking
from shipstation_mcp.api.models import Shipment, TrackingInfo
from shipstation_mcp.api.v1 import shipment_from_order
from tests.tools.test_real_payload_reading import EXPECTED, REAL, body_of


def _header(text: str) -> list[str]:
    """The answer's lines above its event list."""
    return text.split("\nEvents (newest first):")[0].splitlines()


def _bare(words: str) -> str:
    return words.strip().strip("\u201c\u201d").rstrip(".").strip("\u201c\u201d").casefold()


@pytest.mark.skipif(not REAL, reason="../shared/real-payloads/ is absent")
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_the_status_line_and_the_detail_line_never_say_the_same_sentence(path) -> None:
    """pmcgee_usps_returned_to_sender said “Your parcel is being returned to the sender due to delivery issues” twice:
    once as the status line's meaning (quoted), then again as 'Detail:' (the de-duplication compared a quoted meaning
    with an unquoted detail)."""
    info = TrackingInfo.model_validate(body_of(path))
    summary = summarize_tracking(info, now=EXPECTED[path.stem].now, max_events=100)
    lines = _header(summary.text())
    status = next(line for line in lines if line.startswith("Tracking "))
    meaning = status.split(" \u2014 ", 1)[1]
    details = [line.removeprefix("Detail: ") for line in lines if line.startswith("Detail: ")]
    assert all(_bare(detail) != _bare(meaning) for detail in details), (path.stem, lines)


V1 = Path(__file__).resolve().parents[2].parent / "shared" / "real-payloads" / "v1"


@pytest.mark.skipif(not (V1 / "order").is_dir(), reason="../shared/real-payloads/ is absent")
@pytest.mark.parametrize("path", sorted((V1 / "order").glob("*.json")), ids=lambda p: p.stem)
def test_a_classic_order_states_its_weight_once(path: Path) -> None:
    """A V1 order has one weight and no per-box list: it read 'Packages: 48 ounces (total 48 ounces)'."""
    order = json.loads(path.read_text(encoding="utf-8"))
    summary = summarize_shipment(
        Shipment.model_validate(shipment_from_order(order)), now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    packages = [line for line in summary.text().splitlines() if line.startswith("Packages: ")]
    assert all("(total " not in line for line in packages), packages
    if order.get("weight", {}).get("value"):
        assert packages == [f"Packages: {summary.total_weight}"]


@pytest.mark.skipif(not (V1 / "order").is_dir(), reason="../shared/real-payloads/ is absent")
def test_a_shipped_order_without_a_label_is_not_said_to_have_no_label_bought() -> None:
    """agritheory's V1 order is 'shipped' (marked shipped, no ShipStation shipment): the answer's headline said
    'shipped' and its next step 'No label has been bought yet, so there is nothing to track'."""
    path = V1 / "order" / "agritheory_get_order_shipped_international.json"
    order = json.loads(path.read_text(encoding="utf-8"))
    assert order["orderStatus"] == "shipped"
    summary = summarize_shipment(
        Shipment.model_validate(shipment_from_order(order)), now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    text = summary.text()
    assert "shipped" in summary.headline
    assert "No label has been bought yet" not in text
    assert "ask whoever shipped it for the number" in (summary.next_step or "")


NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def _pickup_scan(postal_code: object, country: str) -> TrackingInfo:
    """A ShipEngine answer whose all-digit postal code came as a JSON number (its documented quirk; the demo's
    ShipEngine flavour sends Allston's 02134 as 2134)."""
    event = {
        "occurred_at": "2026-12-07T18:30:00Z",
        "description": "Available for Pickup",
        "city_locality": "ALLSTON",
        "state_province": "MA",
        "postal_code": postal_code,
        "country_code": country,
        "status_code": "IT",
    }
    return TrackingInfo.model_validate(
        {"tracking_number": "9405511836264172139766", "carrier_code": "usps", "status_code": "IT", "events": [event]}
    )


def test_a_us_postal_code_sent_as_a_number_keeps_its_leading_zero() -> None:
    """`shipstation-mcp track 9405511836264172139766 --demo` on ShipEngine said 'ALLSTON, MA 2134, US' (and asked the
    customer to pick it up there): a ZIP code that does not exist."""
    text = summarize_tracking(_pickup_scan(2134, "US"), now=NOW).text()
    assert "ALLSTON, MA 02134, US" in text
    assert "MA 2134" not in text


def test_other_postal_codes_are_left_as_sent() -> None:
    """Only a number in a country of five-digit codes is padded: a Swiss 4-digit code and a code sent as text stay."""
    assert "ALLSTON, MA 5000, CH" in summarize_tracking(_pickup_scan(5000, "CH"), now=NOW).text()
    assert "ALLSTON, MA 2134, US" in summarize_tracking(_pickup_scan("2134", "US"), now=NOW).text()


@pytest.mark.skipif(not REAL, reason="../shared/real-payloads/ is absent")
def test_a_label_never_scanned_for_two_weeks_is_not_told_to_wait_a_working_day() -> None:
    """pmcgee_usps_track_event_v2_pre_transit: a USPS label made 19 Aug, still unscanned on 3 Sep. The answer said
    'Label created 15 days ago' and then 'wait for its first scan (usually within a working day)', while the support
    queue flags the same package as never scanned after two days."""
    old = next(p for p in REAL if p.stem == "pmcgee_usps_track_event_v2_pre_transit")
    summary = summarize_tracking(TrackingInfo.model_validate(body_of(old)), now=EXPECTED[old.stem].now)
    assert summary.headline.startswith("Label created 15 days ago")
    assert "within a working day" not in summary.text()
    assert summary.what_to_do == (
        "The label was made 15 days ago and USPS has never scanned the package: ask the warehouse whether it was "
        "sent; if it was, contact USPS with tracking number 94346362083XXXXX009034; if not, ship it and void the "
        "unused label."
    )
    fresh = next(p for p in REAL if p.stem == "pmcgee_usps_pre_transit")  # a label made today: still worth a wait
    same_day = summarize_tracking(TrackingInfo.model_validate(body_of(fresh)), now=EXPECTED[fresh.stem].now)
    assert "wait for its first scan" in (same_day.what_to_do or "")
