"""Local times come from where each scan happened (IANA zones, daylight saving per instant), never from an offset
the place cannot have; events are in their real order; carriers' zone-less dates are read as the days they name.

The real payloads are read from ../shared/real-payloads/ (skipped when absent, never copied here); every expectation
below was worked out by hand from the raw payload."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shipstation_mcp.answers.base import compact_json
from shipstation_mcp.answers.format import read_event_times
from shipstation_mcp.answers.tracking import TrackingSummary, summarize_tracking
from shipstation_mcp.api.models import TrackEvent, TrackingInfo
from shipstation_mcp.zones import place_zone, zone_candidates

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-payloads" / "payloads"
OFFSET = re.compile(r"(?:UTC|\d)([+-])(\d{2}):(\d{2})")
"""An offset as the answers write it: 'UTC-07:00', '…12:47-07:00', '…T12:47:00-07:00'."""


def real(kind: str, name: str) -> dict[str, Any]:
    path = REAL / kind / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/real-payloads/ is absent)")
    body = json.loads(path.read_text(encoding="utf-8"))
    return body["data"] if isinstance(body.get("data"), dict) else body


def tracking_payloads() -> list[Path]:
    """Every tracking-shaped body among the real payloads (tracking answers and tracking webhooks)."""
    found = []
    for path in sorted(REAL.rglob("*.json")) if REAL.is_dir() else []:
        body = json.loads(path.read_text(encoding="utf-8"))
        for candidate in (body, body.get("data") if isinstance(body, dict) else None):
            if isinstance(candidate, dict) and (
                "events" in candidate or {"tracking_number", "status_code"} <= candidate.keys()
            ):
                found.append(path)
                break
    return found


def summarize(body: dict[str, Any], now: datetime, **kw: Any) -> TrackingSummary:
    return summarize_tracking(TrackingInfo.model_validate(body), now=now, max_events=100, **kw)


def offsets_in(text: str) -> list[timedelta]:
    return [
        (-1 if sign == "-" else 1) * timedelta(hours=int(hours), minutes=int(minutes))
        for sign, hours, minutes in OFFSET.findall(text)
    ]


# ----------------------------------------------------------------------------- every real payload

REAL_TRACKING = tracking_payloads()


@pytest.mark.skipif(not REAL_TRACKING, reason="../shared/real-payloads/ is absent")
@pytest.mark.parametrize("path", REAL_TRACKING, ids=lambda p: p.stem)
def test_no_answer_shows_an_offset_no_place_can_have(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    body = body["data"] if isinstance(body.get("data"), dict) else body
    for now in (datetime(2026, 9, 4, 12, 0, tzinfo=UTC), datetime(2026, 12, 20, 3, 0, tzinfo=UTC)):
        summary = summarize(body, now)
        said = summary.text() + "\n" + json.dumps(compact_json(summary))
        found = offsets_in(said)
        assert all(timedelta(hours=-12) <= o <= timedelta(hours=14) for o in found), (path.name, found, said)
        assert "+00:00" not in said, (
            said
        )  # every real payload is in the Americas: "+00:00" would be UTC dressed as local
        instants = [e.occurred_at for e in read_event_times(TrackingInfo.model_validate(body).events).events]
        timed = [i for i in instants if i is not None]
        assert timed == sorted(timed, reverse=True)  # newest first, by real instant


# ----------------------------------------------------------------------------- the symptoms, on real data


def test_usps_delivery_in_los_angeles_is_at_lunchtime_not_at_an_impossible_offset() -> None:
    """occurred_at says 02:47Z on the 25th (hours off); the carrier's own time is 12:47-07:00, which is also what
    actual_delivery_date says (19:47:30Z): a 12:47 pm delivery in Los Angeles. Once read 'UTC-14:00'."""
    summary = summarize(real("tracking", "pmcgee_usps_delivered"), datetime(2026, 9, 4, tzinfo=UTC))
    assert summary.headline.startswith("Delivered Mon 24 Aug 2026 12:47 (UTC-07:00) in LOS ANGELES")
    assert summary.actual_delivery == datetime(2026, 8, 24, 19, 47, 30, tzinfo=UTC)
    assert summary.utc_offset == "-07:00" and "-14:00" not in summary.text()
    # the Miami acceptance is at Miami's clock (EDT), not Los Angeles'
    assert "2026-08-19 22:16-04:00: Accepted at USPS Facility (MIAMI, FL 33172, US)" in summary.events


def test_fedex_scans_are_local_where_they_happened_not_utc_dressed_as_local() -> None:
    """FedEx sends carrier_occurred_at equal to occurred_at: no local time at all. Apopka FL is on Eastern time;
    the Delivered scan at 19:24:32Z is 15:24 there. Once shown as '(UTC+00:00)'."""
    summary = summarize(real("webhook", "pmcgee_fedex_track_event_v2_delivered"), datetime(2026, 9, 4, tzinfo=UTC))
    assert summary.headline.startswith("Delivered Fri 28 Aug 2026 15:24 (UTC-04:00) in Apopka, FL")
    assert summary.events[0] == "2026-08-28 15:24-04:00: Delivered (Apopka, FL, US)"
    assert "+00:00" not in summary.text()
    # the first record names no place: its time is said in UTC, plainly
    assert summary.events[-1] == "2026-08-25 17:14 UTC: Shipment information sent to FedEx (US)"


def test_fedex_zoneless_actual_delivery_date_loses_to_the_delivered_scan() -> None:
    """actual_delivery_date is '2026-08-28T05:24:32' (no zone): before 'On FedEx vehicle for delivery' at 09:38Z.
    The Delivered scan (19:24:32Z) is when it was delivered."""
    body = real("webhook", "pmcgee_fedex_track_event_v2_delivered")
    summary = summarize(body, datetime(2026, 9, 4, tzinfo=UTC))
    assert summary.actual_delivery == datetime(2026, 8, 28, 19, 24, 32, tzinfo=UTC)
    first_scan = datetime(2026, 8, 25, 19, 15, tzinfo=UTC)  # "Picked up": the label record at 17:14 is no scan
    assert summary.days_in_transit == round((summary.actual_delivery - first_scan).total_seconds() / 86400, 1)
    assert "05:24" not in summary.text()


def test_ship_date_is_the_calendar_day_of_the_shipment() -> None:
    """ship_date 2026-08-13T11:00:00Z is the Glendale Heights acceptance (04:00-07:00 by the carrier): Thu 13 Aug
    wherever the package was. Once said 'shipped Wed 12 Aug' (a -14:00 offset from an hours-off occurred_at)."""
    summary = summarize(real("tracking", "pmcgee_usps_in_transit_multi_scan"), datetime(2026, 8, 16, tzinfo=UTC))
    assert "Shipped Thu 13 Aug 2026" in summary.text() and "12 Aug" not in summary.text()
    assert summary.utc_offset == "-07:00"  # North Las Vegas, on Pacific daylight time in August


def test_fedex_zoneless_ship_and_estimated_dates_are_the_days_written() -> None:
    body = real("webhook", "pmcgee_fedex_track_event_v2_in_transit_single_scan")  # ship 24 Aug, due 27 Aug, naive
    summary = summarize(body, datetime(2026, 8, 26, 12, tzinfo=UTC))
    assert summary.estimated_delivery_day is not None and summary.estimated_delivery_day.isoformat() == "2026-08-27"
    assert "Shipped Mon 24 Aug 2026" in summary.text() and not summary.late


def test_usps_in_transit_rows_converted_with_a_fixed_offset_keep_their_real_order() -> None:
    """The place-less 'In Transit to Next Facility' row says 18:46 on the carrier's clock but 01:46Z, after the
    Jersey City arrival at 01:41Z that the carrier lists after it. Read on the Eastern clock of the scans around
    it, it is 22:46Z: between leaving Pittsburgh and reaching Jersey City, where the carrier put it."""
    summary = summarize(real("webhook", "pmcgee_usps_track_event_v2_delivered"), datetime(2026, 9, 4, tzinfo=UTC))
    lines = [line.split(": ", 1)[1] for line in summary.events]
    assert (
        lines.index("In Transit to Next Facility (US)")
        == lines.index("Arrived at USPS Regional Facility at JERSEY CITY NJ DISTRIBUTION CENTER (JERSEY CITY, NJ, US)")
        + 1
    )
    assert "2026-09-01 18:46-04:00: In Transit to Next Facility (US)" in summary.events


def test_ups_wall_times_read_in_each_scans_own_zone() -> None:
    summary = summarize(real("webhook", "pmcgee_ups_track_event_v2_multi_scan"), datetime(2026, 9, 3, 18, tzinfo=UTC))
    assert summary.events[0] == "2026-09-03 08:58-07:00: Loaded on Delivery Vehicle (Sylmar, CA, US)"
    assert "2026-09-02 15:24-04:00: On the Way (Louisville, KY, US)" in summary.events
    assert "2026-09-01 15:34-05:00: Dropped off at The UPS Store by Customer (Houston, TX, US)" in summary.events


def test_a_placeholder_point_does_not_place_the_package_at_the_south_pole() -> None:
    """The Java SDK's scan sits at -90, -180 with 'AUSTIN TX 78756' and country 'CA': the ZIP knows better."""
    summary = summarize(real("tracking", "java_track-package_7df028"), datetime(2026, 9, 4, tzinfo=UTC))
    assert "Sun 23 Sep 2018 10:00 (UTC-05:00) in AUSTIN" in summary.headline


def test_a_us_style_ship_date_is_read() -> None:
    summary = summarize(real("tracking", "sepy_docs_track_stamps_status_MY_us_date"), datetime(2021, 8, 6, tzinfo=UTC))
    assert "Ship date on the label Wed 4 Aug 2021" in summary.text()


# ----------------------------------------------------------------------------- our own cases


def event(occurred: str, description: str, carrier: str | None = None, **place: Any) -> dict[str, Any]:
    return {"occurred_at": occurred, "carrier_occurred_at": carrier, "description": description, **place}


CHICAGO = {"city_locality": "CHICAGO", "state_province": "IL", "postal_code": "60618", "country_code": "US"}


def test_chicago_delivery_just_after_the_november_change_is_on_standard_time() -> None:
    """Clocks went back at 2:00 on Sun 1 Nov 2026. A delivery on the 2nd with no carrier time must not borrow the
    summer offset of the scans before the change."""
    body = {
        "status_code": "DE",
        "events": [
            event("2026-11-02T16:05:00Z", "Delivered", None, **CHICAGO),
            event("2026-10-31T15:00:00Z", "Arrived at facility", "2026-10-31T10:00:00", **CHICAGO),
        ],
    }
    summary = summarize(body, datetime(2026, 11, 3, tzinfo=UTC))
    assert summary.headline.startswith("Delivered Mon 2 Nov 2026 10:05 (UTC-06:00) in CHICAGO")
    assert summary.events == [
        "2026-11-02 10:05-06:00: Delivered (CHICAGO, IL 60618, US)",
        "2026-10-31 10:00-05:00: Arrived at facility (CHICAGO, IL 60618, US)",
    ]
    assert summary.utc_offset == "-06:00"


def test_spring_forward_each_scan_gets_its_own_offset() -> None:
    """US clocks went forward on Sun 8 Mar 2026. Denver: -07:00 before, -06:00 after; the wall time 02:30 on the
    8th does not exist there, and the carrier's 03:30 is read as 09:30Z."""
    denver = {"city_locality": "DENVER", "state_province": "CO", "postal_code": "80205", "country_code": "US"}
    body = {
        "status_code": "IT",
        "events": [
            event("2026-03-09T15:00:00Z", "Departed", "2026-03-09T09:00:00Z", **denver),
            event("2026-03-08T09:30:00Z", "Processed", "2026-03-08T03:30:00Z", **denver),
            event("2026-03-07T15:00:00Z", "Arrived", "2026-03-07T08:00:00Z", **denver),
        ],
    }
    summary = summarize(body, datetime(2026, 3, 9, 16, tzinfo=UTC))
    assert summary.events == [
        "2026-03-09 09:00-06:00: Departed (DENVER, CO 80205, US)",
        "2026-03-08 03:30-06:00: Processed (DENVER, CO 80205, US)",
        "2026-03-07 08:00-07:00: Arrived (DENVER, CO 80205, US)",
    ]


@pytest.mark.parametrize(
    ("place", "occurred", "local_line"),
    [
        # Sydney: daylight saving starts Sun 4 Oct 2026 (+10:00 → +11:00)
        (
            {"city_locality": "SYDNEY", "state_province": "NSW", "postal_code": "2000", "country_code": "AU"},
            "2026-10-03T14:00:00Z",
            "2026-10-04 00:00+10:00",
        ),
        (
            {"city_locality": "SYDNEY", "state_province": "NSW", "postal_code": "2000", "country_code": "AU"},
            "2026-10-05T14:00:00Z",
            "2026-10-06 01:00+11:00",
        ),
        ({"city_locality": "TOKYO", "country_code": "JP"}, "2026-05-02T15:30:00Z", "2026-05-03 00:30+09:00"),
        ({"city_locality": "BERLIN", "country_code": "DE"}, "2026-01-10T23:30:00Z", "2026-01-11 00:30+01:00"),
        ({"city_locality": "BERLIN", "country_code": "DE"}, "2026-07-10T22:30:00Z", "2026-07-11 00:30+02:00"),
    ],
)
def test_places_east_of_utc_read_on_their_own_calendar(place: dict[str, str], occurred: str, local_line: str) -> None:
    body = {"status_code": "IT", "events": [event(occurred, "Arrived", None, **place)]}
    summary = summarize(body, datetime.fromisoformat(occurred) + timedelta(hours=1))
    assert summary.events[0].startswith(local_line + ": Arrived")


def test_an_estimate_east_of_utc_is_due_on_the_local_day_and_late_only_after_it() -> None:
    """A Tokyo package due at 2026-05-02T16:00Z: that is Sun 3 May 01:00 in Tokyo."""
    body = {
        "status_code": "IT",
        "estimated_delivery_date": "2026-05-02T16:00:00Z",
        "events": [event("2026-05-01T03:00:00Z", "Arrived", None, city_locality="TOKYO", country_code="JP")],
    }
    summary = summarize(body, datetime(2026, 5, 3, 14, 0, tzinfo=UTC))  # Sun 3 May 23:00 in Tokyo
    assert summary.estimated_delivery_day is not None and summary.estimated_delivery_day.isoformat() == "2026-05-03"
    assert not summary.late
    assert summarize(body, datetime(2026, 5, 3, 15, 30, tzinfo=UTC)).late  # Mon 4 May 00:30 in Tokyo


def test_a_zoneless_date_is_the_day_written_even_east_of_utc() -> None:
    """'2026-05-03T23:00:00' with no zone, for a Sydney package: due Sun 3 May, not the 4th (Sydney is ahead)."""
    sydney = {"city_locality": "SYDNEY", "state_province": "NSW", "country_code": "AU"}
    body = {
        "status_code": "IT",
        "estimated_delivery_date": "2026-05-03T23:00:00",
        "ship_date": "2026-05-01T22:00:00",
        "events": [event("2026-05-02T01:00:00Z", "Arrived", None, **sydney)],
    }
    summary = summarize(body, datetime(2026, 5, 2, 3, tzinfo=UTC))
    assert summary.estimated_delivery_day is not None and summary.estimated_delivery_day.isoformat() == "2026-05-03"
    assert "Shipped Fri 1 May 2026" in summary.text()


def test_a_package_with_no_place_at_all_says_utc_plainly() -> None:
    """A carrier time beside occurred_at but no city, state, ZIP, country or point: no offset can be checked, so no
    local time is made up."""
    body = {
        "status_code": "IT",
        "events": [event("2026-05-02T10:00:00Z", "In transit", "2026-05-02T03:00:00")],
    }
    summary = summarize(body, datetime(2026, 5, 2, 12, tzinfo=UTC))
    assert summary.events == ["2026-05-02 10:00 UTC: In transit"]
    assert summary.utc_offset is None and "10:00 UTC" in summary.headline


def test_a_carrier_offset_the_place_cannot_have_is_not_shown() -> None:
    """occurred_at hours off: the carrier time says -14:00 from it, which no US place has. The scan has a country
    only (no zone): the time is said in UTC. With the place's own offset (-05:00 in May for Texas... or any US
    zone), the carrier's offset is believed."""
    impossible = {
        "status_code": "IT",
        "events": [event("2026-05-02T20:00:00Z", "Scan", "2026-05-02T06:00:00Z", country_code="US")],
    }
    assert summarize(impossible, datetime(2026, 5, 3, tzinfo=UTC)).events == ["2026-05-02 20:00 UTC: Scan (US)"]
    believable = {
        "status_code": "IT",
        "events": [event("2026-05-02T20:00:00Z", "Scan", "2026-05-02T15:00:00Z", country_code="US")],
    }
    assert summarize(believable, datetime(2026, 5, 3, tzinfo=UTC)).events == ["2026-05-02 15:00-05:00: Scan (US)"]


@pytest.mark.parametrize(
    ("carrier", "place", "expected"),
    [
        ("canada_post", {"city_locality": "VANCOUVER", "postal_code": "V6B 1A1", "country_code": "CA"}, "-08:00"),
        (
            "ontrac",
            {"city_locality": "PHOENIX", "state_province": "AZ", "postal_code": "85043", "country_code": "US"},
            "-07:00",
        ),
        (
            "lasership",
            {"city_locality": "KNOXVILLE", "state_province": "TN", "postal_code": "37902", "country_code": "US"},
            "-05:00",
        ),
        ("purolator", {"city_locality": "REGINA", "state_province": "SK", "country_code": "CA"}, "-06:00"),
    ],
)
def test_carriers_beyond_the_big_four_are_read_by_place_too(carrier: str, place: dict[str, str], expected: str) -> None:
    """December: Vancouver -08:00, Phoenix -07:00 (no daylight saving), Knoxville (east Tennessee) -05:00 where
    Tennessee alone would not say, Regina -06:00 all year."""
    body = {
        "carrier_code": carrier,
        "status_code": "IT",
        "events": [event("2026-12-10T18:00:00Z", "Scan", None, **place)],
    }
    summary = summarize(body, datetime(2026, 12, 11, tzinfo=UTC))
    assert summary.utc_offset == expected and f"{expected}: Scan" in summary.events[0]


# ----------------------------------------------------------------------------- the zone tables


@pytest.mark.parametrize(
    ("place", "zone"),
    [
        ({"postal_code": "32501", "state": "FL", "country": "US"}, "America/Chicago"),  # Pensacola
        ({"postal_code": "33172", "state": "FL", "country": "US"}, "America/New_York"),  # Miami
        ({"postal_code": "46320", "state": "IN", "country": "US"}, "America/Chicago"),  # Hammond
        ({"postal_code": "47708", "state": "IN", "country": "US"}, "America/Chicago"),  # Evansville
        ({"postal_code": "46241", "state": "IN", "country": "US"}, "America/Indiana/Indianapolis"),
        ({"postal_code": "42001", "state": "KY", "country": "US"}, "America/Chicago"),  # Paducah
        ({"postal_code": "40209", "state": "KY", "country": "US"}, "America/New_York"),  # Louisville
        ({"postal_code": "38118", "state": "TN", "country": "US"}, "America/Chicago"),  # Memphis
        ({"postal_code": "37902", "state": "TN", "country": "US"}, "America/New_York"),  # Knoxville
        ({"postal_code": "57701", "state": "SD", "country": "US"}, "America/Denver"),  # Rapid City
        ({"postal_code": "58601", "state": "ND", "country": "US"}, "America/Denver"),  # Dickinson
        ({"postal_code": "69361", "state": "NE", "country": "US"}, "America/Denver"),  # Scottsbluff
        ({"postal_code": "79901", "state": "TX", "country": "US"}, "America/Denver"),  # El Paso
        ({"postal_code": "83814", "state": "ID", "country": "US"}, "America/Los_Angeles"),  # Coeur d'Alene
        ({"postal_code": "83702", "state": "ID", "country": "US"}, "America/Boise"),
        ({"postal_code": "97914", "state": "OR", "country": "US"}, "America/Boise"),  # Ontario OR
        ({"postal_code": "60504"}, None),  # five digits and no country: could be Germany
        ({"postal_code": "60504", "country": "US"}, "America/Chicago"),
        ({"state": "TX"}, "America/Chicago"),
        ({"state": "TN", "country": "US"}, None),  # split too evenly to guess
        ({"country": "US"}, None),
        ({"country": "GB"}, "Europe/London"),
        ({"country": "DE"}, "Europe/Berlin"),  # two zones in tzdata, one clock
        ({"country": "AU"}, None),
        ({"country": "AU", "state": "QLD"}, "Australia/Brisbane"),
        ({"country": "CA", "state": "NL"}, "America/St_Johns"),
        ({}, None),
    ],
)
def test_place_tables(place: dict[str, str], zone: str | None) -> None:
    found = place_zone(**place)
    assert (found.key if found else None) == zone


def test_coordinates_win_and_placeholders_and_the_sea_are_ignored() -> None:
    assert place_zone(latitude=44.2516, longitude=-85.4288, state="MI", country="US").key == "America/Detroit"
    assert place_zone(latitude=-33.87, longitude=151.21, country="AU").key == "Australia/Sydney"
    assert place_zone(latitude=-90, longitude=-180, postal_code="78756", state="TX").key == "America/Chicago"
    assert place_zone(latitude=0, longitude=0) is None
    assert place_zone(latitude=30, longitude=-140) is None  # the Pacific
    # a point in another country than the scan's own is not believed: London's point on a US scan
    assert place_zone(latitude=51.47, longitude=-0.45, country="US") is None
    assert len(zone_candidates(None, "TN", "US")) == 2


def test_reading_times_keeps_the_events_it_was_given() -> None:
    events = [TrackEvent.model_validate(event("2026-05-02T10:00:00Z", "A", None, **CHICAGO))]
    read = read_event_times(events)
    assert events[0].carrier_occurred_at is None and read.events[0].carrier_occurred_at is not None  # a copy
    assert read.zone is not None and getattr(read.zone, "key", None) == "America/Chicago"


def test_a_carrier_time_days_away_from_occurred_at_does_not_move_the_scan() -> None:
    far = {
        "status_code": "IT",
        "events": [
            event("2026-05-02T20:00:00Z", "Scan", "2026-05-05T13:00:00-07:00", **CHICAGO),
            event("2026-05-01T20:00:00Z", "Earlier", "2026-04-20T15:00:00", **CHICAGO),
        ],
    }
    summary = summarize(far, datetime(2026, 5, 6, tzinfo=UTC))
    assert summary.events == [
        "2026-05-02 15:00-05:00: Scan (CHICAGO, IL 60618, US)",
        "2026-05-01 15:00-05:00: Earlier (CHICAGO, IL 60618, US)",
    ]
