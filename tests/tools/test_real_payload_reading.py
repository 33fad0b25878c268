"""Every real tracking-shaped payload (tracking answers and tracking webhooks) read as a support agent would need it.

Each payload in ../shared/real-payloads/payloads/tracking/ and .../webhook/ goes through the path the tools use:
`track_package` over MCP with the payload as ShipStation's answer (ShipEngine flavour), and, for the webhook bodies,
the reading of a stored update as `get_tracking_updates` and `tracking://` give it. The expectations below were
written from the raw payloads, one row per file, at a fixed `now` a person would plausibly ask at (the capture date
where the payload carries one and it follows the scans; just after the newest scan otherwise):

- status: the code the scans show (not always ShipStation's: a delivered scan under IT is DE);
- situation: the headline's first fact, in the order misdelivered, returning, exception, delivery attempt, pickup,
  stalled, late, delivered, out for delivery, in transit, not yet scanned;
- delivered and late;
- the headline's start, and a local time and day it must state (read from the scan's place, not from UTC).

Skipped when the folder is absent; the payloads are never copied into this repository.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.lookups.updates import summarize_event
from shipstation_mcp.state.store import StoredEvent
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "real-payloads" / "payloads"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Reading:
    now: datetime
    status: str
    situation: str
    delivered: bool
    late: bool
    headline: str
    """How the headline starts."""
    says: tuple[str, ...] = ()
    """Phrases the headline (or, prefixed 'text:', the whole text) must contain: local times, days, places."""
    never: tuple[str, ...] = ()
    """Phrases neither the text nor the structured answer may contain."""


LABEL_ONLY = "not_yet_scanned"

EXPECTED: dict[str, Reading] = {
    # --- GET /v1/tracking and /v1/labels/{id}/track answers
    "dotnet_TrackUsingCarrierCodeAndTrackingNumber200Response": Reading(
        # UN, and the one record is "Electronic information submitted by shipper": a label, no package yet
        at("2021-07-12T12:00"),
        "NY",
        LABEL_ONLY,
        False,
        False,
        "Label created 2 days ago; the carrier has not received the package yet",
        ("due Mon 19 Jul 2021 (in 7 days)", "text:2021-07-10 02:58 UTC"),  # no place: said in UTC
    ),
    "java_track-package_7df028": Reading(
        # DE; the mailbox delivery at 15:00Z in AUSTIN, TX 78756 is 10:00 Central daylight time
        at("2018-09-24T12:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered to “Stamps.com” Sun 23 Sep 2018 10:00 (UTC-05:00) in AUSTIN, TX 78756",
    ),
    "js_mockTrackByLabelId200_200": Reading(
        # DE at the top, but the newest scan is "Out for Delivery" on 23 Jul and actual_delivery_date (17 Jun) is
        # before every scan: delivered by ShipStation's word, at no time the scans allow
        at("2021-07-24T12:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered at an unknown time",
        ("text:the carrier's latest scan is \u201cOut for Delivery, Expected Delivery by 9:00pm\u201d",),
        ("17 Jun",),
    ),
    "pmcgee_usps_delivered": Reading(
        # "delivered in or at the mailbox at 12:47 pm on August 24, 2026 in LOS ANGELES, CA 90025"
        at("2026-09-02T18:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered Mon 24 Aug 2026 12:47 (UTC-07:00) in LOS ANGELES, CA 90025",
        ("text:4.7 days since the first scan",),  # from "Accepted at USPS Facility" (Miami), not the label record
        ("UTC-14:00",),
    ),
    "pmcgee_usps_delivery_exception": Reading(
        # EX/CARRIER_DELAYS on a scan reading "Arriving On Time", and "on track to be delivered by the expected
        # delivery date": in transit, not delayed; due 4 Sep
        at("2026-09-02T18:00"),
        "IT",
        "in_transit",
        False,
        False,
        "In Transit: “In Transit to Next Facility, Arriving On Time”",
        ("due Fri 4 Sep 2026 (in 2 days)", "text:ShipStation's status says Exception"),
        ("Delayed", "delayed due to issues"),
    ),
    "pmcgee_usps_in_transit_multi_scan": Reading(
        # a shipping partner's scan in North Las Vegas at 11:01 am; shipped 13 Aug (11:00Z is 04:00 in Las Vegas)
        at("2026-08-16T18:00"),
        "IT",
        "in_transit",
        False,
        False,
        "In Transit: “Arrived Shipping Partner Facility, USPS Awaiting Item” in NORTH LAS VEGAS, NV 89032",
        ("Sat 15 Aug 2026 11:01 (UTC-07:00)", "text:Shipped Thu 13 Aug 2026"),
    ),
    "pmcgee_usps_in_transit_single_scan": Reading(
        # "arrived at our LOS ANGELES CA DISTRIBUTION CENTER ... on August 31, 2026 at 11:49 pm"; due 5 Sep (14:00 PDT)
        at("2026-09-02T18:00"),
        "IT",
        "in_transit",
        False,
        False,
        "In Transit: “Arrived at USPS Facility” in LOS ANGELES, CA",
        ("Mon 31 Aug 2026 23:49 (UTC-07:00)", "due Sat 5 Sep 2026 (in 3 days)"),
    ),
    "pmcgee_usps_no_scans_yet": Reading(
        at("2026-09-02T18:00"), "NY", LABEL_ONLY, False, False, "Label created; USPS has not received the package yet"
    ),
    "pmcgee_usps_pre_transit": Reading(
        # AC "Accepted", but the only record is "Shipping Label Created, USPS Awaiting Item": not in USPS's hands
        at("2026-09-01T18:00"),
        "NY",
        LABEL_ONLY,
        False,
        False,
        "Label created today; USPS has not received the package yet",
        (),
        ("accepted the package", "into its network"),
    ),
    "pmcgee_usps_returned_to_sender": Reading(
        # "returned to the sender on June 24, 2026 at 5:52 pm in INDIANAPOLIS, IN 46240 because of an incorrect address"
        at("2026-06-25T18:00"),
        "EX",
        "returning",
        False,
        False,
        "Being returned to the sender: \u201cNo Such Number\u201d in INDIANAPOLIS, IN 46240",
        ("Wed 24 Jun 2026 17:52 (UTC-04:00)",),
    ),
    "pyscratch_fedex_in_transit_null_strings": Reading(
        # FedEx 2018, nulls as the string "null"; left Romeoville at 08:29Z = 03:29 Central; due 30 Apr
        at("2018-04-26T18:00"),
        "IT",
        "in_transit",
        False,
        False,
        "In Transit: “Left FedEx origin facility” in ROMEOVILLE, IL 60446",
        ("Thu 26 Apr 2018 03:29 (UTC-05:00)", "due Mon 30 Apr 2018 (in 4 days)"),
        ("null",),
    ),
    "sentio_get_v1_labels_se_203431_track_200_f9912d": Reading(
        at("2024-05-22T12:00"), "NY", LABEL_ONLY, False, False, "Label created; USPS has not received the package yet"
    ),
    "sentio_get_v1_tracking_200_803af1": Reading(
        at("2024-05-22T12:00"), "NY", LABEL_ONLY, False, False, "Label created; USPS has not received the package yet"
    ),
    "sepy_docs_track_stamps_status_MY_us_date": Reading(
        # "MY" is no ShipStation code; its description says Not Yet In System; ship date 8/4/2021 (US order)
        at("2021-08-05T12:00"),
        "NY",
        LABEL_ONLY,
        False,
        False,
        "Label created; USPS has not received the package yet",
        ("text:status code MY (Not Yet In System)", "text:Ship date on the label Wed 4 Aug 2021"),
    ),
    "shipengine-ruby_get_v1_labels_se_324658_track_200_ee5360": Reading(
        # DE on 27 Jul per ShipStation, but the only scan is an arrival at a USPS facility on 13 Sep
        at("2019-09-14T12:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered at an unknown time",
        ("text:the carrier's latest scan is \u201cArrived at USPS Facility\u201d, not a delivery",),
    ),
    # --- webhook bodies (the `data` object is a tracking answer)
    "moltin_api_track_usps_delivered_2019": Reading(
        # collected at the Austin post office at 17:45Z (event_date, the older name of occurred_at): 12:45 Central
        at("2019-04-13T12:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered Fri 12 Apr 2019 12:45 (UTC-05:00) in AUSTIN, TX 78721",
    ),
    "pmcgee_fedex_track_event_v2_delivered": Reading(
        # Delivered scan 19:24:32Z in Apopka = 15:24 EDT; the zone-less actual_delivery_date 05:24 loses to it;
        # three days from "Picked up" (25 Aug 19:15Z), not from "Shipment information sent"
        at("2026-09-01T18:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered Fri 28 Aug 2026 15:24 (UTC-04:00) in Apopka, FL",
        ("text:3 days since the first scan",),
        ("05:24",),
    ),
    "pmcgee_fedex_track_event_v2_in_transit_single_scan": Reading(
        # captured 1 Sep; the last scan is 25 Aug 23:22Z (19:22 in Linden, NJ): six whole days with no scan, and
        # past the 27 Aug due date. The stall leads.
        at("2026-09-01T18:00"),
        "IT",
        "stalled",
        False,
        True,
        "No carrier scan for 6 days: last \u201cArrived at FedEx location\u201d in LINDEN, NJ",
        ("Tue 25 Aug 2026 19:22 (UTC-04:00)", "was due Thu 27 Aug 2026 (5 days ago)"),
        ("nothing to do",),
    ),
    "pmcgee_fedex_track_event_v2_multi_scan": Reading(
        # a "Delivery exception" (EX) on 17 Aug in Cadillac, MI, then another arrival scan: unresolved, it leads;
        # read just after the newest scan, the due day (19 Aug) is today there
        at("2026-08-19T23:00"),
        "IT",
        "exception",
        False,
        False,
        "Exception: “Delivery exception” \u2014 scan Mon 17 Aug 2026 05:00 (UTC-04:00) in CADILLAC, MI",
        ("since then: “Arrived at FedEx location” in CADILLAC, MI, US, Wed 19 Aug 2026 17:44 (UTC-04:00)",),
    ),
    "pmcgee_fedex_track_event_v2_out_for_delivery": Reading(
        # the same parcel a day later: out for delivery at 04:10 EDT on 20 Aug, a day after its due date, with the
        # 17 Aug exception still unresolved (nothing delivered since)
        at("2026-08-20T12:00"),
        "IT",
        "exception",
        False,
        True,
        "Exception: “Delivery exception”",
        ("since then: “On FedEx vehicle for delivery” in CADILLAC, MI, US, Thu 20 Aug 2026 04:10 (UTC-04:00)",),
    ),
    "pmcgee_ups_track_event_v2_delivered": Reading(
        # FS (UPS delivered) at 16:18:41Z in Royal Oak = 12:18 EDT, on its due day
        at("2026-09-03T18:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered Thu 3 Sep 2026 12:18 (UTC-04:00) in ROYAL OAK, MI 48067",
    ),
    "pmcgee_ups_track_event_v2_multi_scan": Reading(
        # IT with status_detail_code null; UPS's own OD "Loaded on Delivery Vehicle" in Sylmar at 08:58 PDT
        at("2026-09-03T18:00"),
        "IT",
        "out_for_delivery",
        False,
        False,
        "Out for delivery in Sylmar, CA",
        ("Thu 3 Sep 2026 08:58 (UTC-07:00)", "due Thu 3 Sep 2026 (today)"),
    ),
    "pmcgee_ups_track_event_v2_out_for_delivery": Reading(
        # OT "Out for Delivery" in Atlanta at 13:24:22Z = 09:24 EDT
        at("2026-09-03T18:00"),
        "IT",
        "out_for_delivery",
        False,
        False,
        "Out for delivery in Atlanta, GA",
        ("Thu 3 Sep 2026 09:24 (UTC-04:00)", "due Thu 3 Sep 2026 (today)"),
    ),
    "pmcgee_ups_track_event_v2_pre_transit": Reading(
        # NY / MP: "Shipper created a label, UPS has not received the package yet"; due 8 Sep (a date)
        at("2026-09-03T18:00"),
        "NY",
        LABEL_ONLY,
        False,
        False,
        "Label created today; UPS has not received the package yet; due Tue 8 Sep 2026 (in 5 days)",
    ),
    "pmcgee_usps_track_event_v2_delivered": Reading(
        # DELIVERED IN/AT MAILBOX in Butler, NJ at 09:52 EDT (and a near-identical scan a minute before)
        at("2026-09-03T18:00"),
        "DE",
        "delivered",
        True,
        False,
        "Delivered Thu 3 Sep 2026 09:52 (UTC-04:00) in BUTLER, NJ 07405",
        ("text:7 days since the first scan",),  # from "Accepted at USPS Origin Facility", 27 Aug 12:49Z
    ),
    "pmcgee_usps_track_event_v2_multi_scan": Reading(
        # processed in Charlotte at 15:45Z = 11:45 EDT; no due date after 12 scans
        at("2026-09-03T18:00"),
        "IT",
        "in_transit",
        False,
        False,
        "In Transit: “PROCESSED THROUGH USPS FACILITY” in CHARLOTTE NC DISTRIBUTION CENTE, 28057",
        ("Thu 3 Sep 2026 11:45 (UTC-04:00)",),
    ),
    "pmcgee_usps_track_event_v2_out_for_delivery": Reading(
        # out for delivery in Trout Creek, MT at 14:42Z = 08:42 MDT; the "Arriving On Time" EX/CARRIER_DELAYS scan
        # of 31 Aug is no delay
        at("2026-09-03T18:00"),
        "IT",
        "out_for_delivery",
        False,
        False,
        "Out for delivery in TROUT CREEK, MT 59874",
        ("Thu 3 Sep 2026 08:42 (UTC-06:00)",),
        ("Delayed", "Exception", "delayed due to issues"),
    ),
    "pmcgee_usps_track_event_v2_pre_transit": Reading(
        # only "Shipping Label Created, USPS Awaiting Item" on 19 Aug, and captured on 3 Sep: a label, 15 days old
        at("2026-09-03T18:00"),
        "NY",
        LABEL_ONLY,
        False,
        False,
        "Label created 15 days ago; USPS has not received the package yet",
        (),
        ("accepted the package",),
    ),
    "readme_api_track_ups_in_transit": Reading(
        # in transit in Oakland at 16:00 local (20:00Z, PDT); due 23 Oct (a date)
        at("2025-10-22T22:00"),
        "IT",
        "in_transit",
        False,
        False,
        "In Transit: “In Transit” in Oakland, CA 94602",
        ("Wed 22 Oct 2025 16:00 (UTC-07:00)", "due Thu 23 Oct 2025 (tomorrow)"),
    ),
}


def payload_files() -> list[Path]:
    return sorted([*PAYLOADS.glob("tracking/*.json"), *PAYLOADS.glob("webhook/*.json")])


REAL = payload_files()


def body_of(path: Path) -> dict[str, Any]:
    body = json.loads(path.read_text(encoding="utf-8"))
    return body["data"] if isinstance(body.get("data"), dict) else body


def check(name: str, expected: Reading, text: str, data: dict[str, Any]) -> None:
    headline = data["headline"]
    said = text + "\n" + json.dumps(data, ensure_ascii=False)
    assert data["status_code"] == expected.status, (name, data["status_code"], text)
    assert data["situation"] == expected.situation, (name, data["situation"], text)
    assert data["delivered"] is expected.delivered, (name, text)
    assert bool(data.get("late")) is expected.late, (name, text)
    assert headline.startswith(expected.headline), (name, headline)
    for phrase in expected.says:
        where, phrase = (text, phrase[5:]) if phrase.startswith("text:") else (headline, phrase)
        assert phrase in where, (name, phrase, text)
    for phrase in expected.never:
        assert phrase not in said, (name, phrase, text)
    assert "What to do:" not in text or data.get("what_to_do") in text


@pytest.mark.skipif(not REAL, reason="../shared/real-payloads/ is absent")
def test_every_tracking_shaped_payload_has_an_expectation() -> None:
    assert sorted(p.stem for p in REAL) == sorted(EXPECTED)


@pytest.mark.skipif(not REAL, reason="../shared/real-payloads/ is absent")
async def test_track_package_reads_every_real_payload_as_a_careful_person_would() -> None:
    serving: dict[str, Any] = {}

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tracking"):
            return httpx.Response(200, json=serving["body"])
        return httpx.Response(404, json={"errors": [{"message": "not found"}]})

    settings = Settings(api_key="real-payload-key", api="shipengine", max_retries=0)
    server = create_server(settings, transport=httpx.MockTransport(api), clock=lambda: serving["now"])
    async with Client(server) as client:
        for path in REAL:
            expected = EXPECTED[path.stem]
            serving.update(body=body_of(path), now=expected.now)
            result = await client.call_tool(
                "track_package",
                {"tracking_number": "1Z999AA10123456784", "carrier_code": "ups", "max_events": 100, "refresh": True},
            )
            text = "\n".join(block.text for block in result.content if getattr(block, "text", None))
            assert not result.is_error, (path.name, text)
            check(path.stem, expected, text, result.structured_content or {})


@pytest.mark.skipif(not REAL, reason="../shared/real-payloads/ is absent")
@pytest.mark.parametrize("path", [p for p in REAL if p.parent.name == "webhook"], ids=lambda p: p.stem)
def test_a_stored_webhook_update_reads_the_same(path: Path) -> None:
    """get_tracking_updates and tracking:// summarise a stored update with summarize_event: the same reading."""
    expected = EXPECTED[path.stem]
    raw = path.read_text(encoding="utf-8")
    stored = StoredEvent(id=1, tracking_number="X", received_at=expected.now, payload=raw)
    summary = summarize_event(stored, now=expected.now, max_events=100)
    check(path.stem, expected, summary.text(), summary.model_dump(mode="json", exclude_none=True))
