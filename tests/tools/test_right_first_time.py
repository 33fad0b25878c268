"""The common support questions, each answered correctly by ONE tool call through a real MCP client: on the demo
account, and on a scenario account built here from the V2 spec's own example payloads."""

from __future__ import annotations

import calendar
import copy
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.sandbox.account import SHIPMENTS
from shipstation_mcp.tools.server import create_server
from tests.fixtures import load_json

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # noon in Los Angeles, 21:00 in Berlin


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "text", None))


def answer(result: Any) -> tuple[str, dict[str, Any]]:
    assert not result.is_error, text_of(result)
    return text_of(result), result.structured_content


# ---------------------------------------------------------------------------------------------- the demo account


@pytest.fixture
async def demo() -> AsyncIterator[Client]:
    async with Client(create_server(Settings(api_key="demo", demo=True), clock=lambda: NOW)) as client:
        yield client


@pytest.mark.parametrize("query", ["10443", "#10443", "shopify-5523019443", "1za4 r8e2-0361 1999 87", "se-5000012"])
async def test_demo_order_10443_in_one_call_from_any_identifier(demo: Client, query: str) -> None:
    text, data = answer(await demo.call_tool("find_order", {"query": query}))
    assert data["shipment"]["shipment_number"] == "10443"
    [package] = data["packages"]
    assert package["label_id"] == "se-5000012" and package["tracking_number"] == "1ZA4R8E20361199987"
    assert data["headline"].startswith("Order 10443 for “Priya Natarajan”, Seattle, WA 98115, US: Out for delivery in")
    assert not package.get("late") and "late" not in data["headline"]  # due today and out for delivery
    assert "se-5000012" in text and "1ZA4R8E20361199987" in text


async def test_demo_pending_order_by_external_id(demo: Client) -> None:
    _, data = answer(await demo.call_tool("find_order", {"query": "WEB/10458"}))
    assert data["matched_as"] == "external id" and data["packages"] == []
    assert "not shipped yet" in data["headline"]


async def test_demo_voided_label_points_to_its_replacement(demo: Client) -> None:
    text, data = answer(await demo.call_tool("find_order", {"query": "10449"}))
    voided = [p for p in data["packages"] if p.get("voided")]
    live = [p for p in data["packages"] if not p.get("voided")]
    assert len(voided) == 1 and len(live) == 1
    assert voided[0]["replaced_by"] == live[0]["label_id"]
    assert "days_in_transit" not in voided[0] and "In Transit" not in voided[0]["headline"]
    assert f"replaced by label {live[0]['label_id']}" in text
    [row] = [lbl for lbl in data["shipment"]["labels"] if lbl.get("voided")]
    assert row["replaced_by"] == live[0]["label_id"]


async def test_demo_customs_hold_leads_and_never_contradicts(demo: Client) -> None:
    text, data = answer(await demo.call_tool("track_package", {"tracking_number": "8231297266"}))
    assert data["headline"].startswith("Exception: “Shipment on hold: customs require the commercial invoice")
    assert "nothing to do" not in text.lower()
    assert len(data["attention"]) == len({a.rstrip(".").casefold() for a in data["attention"]})


async def test_demo_label_id_given_as_a_tracking_number_is_tracked(demo: Client) -> None:
    _, data = answer(await demo.call_tool("track_package", {"tracking_number": "se-5000013"}))
    assert data["label_id"] == "se-5000013" and "label id" in data["note"]
    bulk = answer(await demo.call_tool("track_packages", {"packages": ["se-5000013"]}))[1]
    assert bulk["results"][0]["label_id"] == "se-5000013" and "error" not in bulk["results"][0]


@pytest.mark.parametrize("query", ["10443", "#10443"])
async def test_demo_order_number_given_to_track_package_names_the_call_that_works(demo: Client, query: str) -> None:
    result = await demo.call_tool("track_package", {"tracking_number": query})
    assert result.is_error and f"find_order(query={query!r})" in text_of(result)


async def test_demo_post_office_pickup_is_in_the_support_queue(demo: Client) -> None:
    _, data = answer(await demo.call_tool("shipments_needing_attention", {}))
    [item] = [i for i in data["items"] if i["tracking_number"] == "9405511836264172139766"]
    assert item["problem"] == "awaiting_pickup" and "post office" in item["headline"]
    assert not re.search(r"\b1 carrier exceptions\b|\b[2-9] carrier exception\b", data["headline"])


WEEKDAY_DATE = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})"
)
MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}


async def test_no_demo_answer_states_a_date_that_is_wrong_where_the_package_is(demo: Client) -> None:
    """Every weekday and date in every demo package's tracking text is a day at the package's own place: the local
    day of one of its scans, or its due day; never the UTC day when that differs."""
    labels = [label for spec in SHIPMENTS for label in spec.labels]
    checked = 0
    for label in labels:
        result = await demo.call_tool("track_package", {"tracking_number": label.tracking_number, "max_events": 100})
        text, data = answer(result)
        events = [line.split(": ", 1)[0] for line in data.get("events", [])]
        local_days = {datetime.strptime(when[:10], "%Y-%m-%d").date() for when in events if when[:4].isdigit()}
        if data.get("estimated_delivery_day"):
            local_days.add(datetime.fromisoformat(data["estimated_delivery_day"]).date())
        if data.get("ship_date", "").endswith("T00:00:00Z"):  # a day, as the label states it
            local_days.add(datetime.fromisoformat(data["ship_date"]).date())
        for weekday, day, month, year in WEEKDAY_DATE.findall(text):
            stated = datetime(int(year), MONTHS[month], int(day)).date()
            assert calendar.day_abbr[stated.weekday()] == weekday, f"{label.tracking_number}: {weekday} {stated}"
            assert stated in local_days, f"{label.tracking_number}: {stated} is no local day of it: {text}"
            checked += 1
    assert checked > len(labels)  # every package states at least one date


# ---------------------------------------------------------------------------------------------- a scenario account

V2 = "/v2"


def _event(when_utc: str, local: str, status: str, detail: str, text: str, city: str, state: str, **more: Any) -> dict:
    base = copy.deepcopy(load_json("spec/v2/track_label.json")["events"][0])
    base.update(
        occurred_at=when_utc,
        carrier_occurred_at=local,
        status_code=status,
        status_detail_code=detail,
        description=text,
        city_locality=city,
        state_province=state,
        postal_code="",
        country_code="US",
        company_name=more.pop("company_name", ""),
        signer=more.pop("signer", ""),
        proof_of_delivery_url=more.pop("proof_of_delivery_url", None),
        carrier_detail_code=None,  # the spec example's "OT" would be UPS's own "out for delivery"
        carrier_status_description=text,  # and its "delivered in or at the mailbox" would be the carrier's words
        **more,
    )
    return base


def _tracking(number: str, status: str, detail: str | None, events: list[dict], **more: Any) -> dict:
    base = copy.deepcopy(load_json("spec/v2/track_label.json"))
    base.update(
        tracking_number=number,
        tracking_url=f"https://www.ups.com/track?tracknum={number}",
        carrier_code="ups",
        status_code=status,
        status_detail_code=detail,
        status_description=None,
        status_detail_description=None,
        carrier_status_description=None,
        exception_description=None,
        estimated_delivery_date=None,
        actual_delivery_date=None,
        ship_date=None,
        carrier_detail_code=None,
        events=events,
    )
    base.update(more)
    return base


def _label(label_id: str, shipment_id: str, number: str, **more: Any) -> dict:
    base = copy.deepcopy(load_json("spec/v2/get_label.json"))
    fields = {
        "label_id": label_id,
        "shipment_id": shipment_id,
        "tracking_number": number,
        "carrier_code": "ups",
        "status": "completed",
        "voided": False,
        "is_return_label": False,
        "tracking_status": "in_transit",
        "created_at": "2026-11-25T16:00:00Z",
        "packages": [{**base["packages"][0], "tracking_number": number}],
    }
    base.update({**fields, **more})
    return base


# Where each order ships: the cities its scans end in (the spec example's Winnipeg would make every delivery a
# misdelivery).
SHIP_TO = {
    20001: ("PORTLAND", "OR"),
    20002: ("BOISE", "ID"),
    20004: ("LOS ANGELES", "CA"),
    20006: ("BOSTON", "MA"),
    20007: ("Springfield", "MO"),  # its package is delivered in Springfield, Illinois
}


def _shipment(shipment_id: str, number: str) -> dict:
    base = copy.deepcopy(load_json("spec/v2/get_shipment.json"))
    base.update(shipment_id=shipment_id, shipment_number=number, external_shipment_id=f"EXT-{number}")
    city, state = SHIP_TO.get(int(number), ("LOS ANGELES", "CA"))
    base["ship_to"].update(city_locality=city, state_province=state, postal_code=None, country_code="US")
    base["shipment_status"] = "label_purchased"
    return base


N1, N2, N3, N4, N5, N6, N7, N8, N9 = (f"1Z999AA1012345{n:04d}" for n in range(1, 10))
SHIPMENTS_BY_ID = {f"se-{n}": _shipment(f"se-{n}", str(n)) for n in range(20001, 20008)}
LABELS = {
    "se-L1": _label("se-L1", "se-20001", N1, tracking_status="delivered"),
    "se-L2": _label("se-L2", "se-20001", N2, tracking_status="error"),
    "se-L3": _label("se-L3", "se-20002", N3, status="voided", voided=True),
    "se-L4": _label("se-L4", "se-20002", N4),
    "se-L5": _label("se-L5", "se-20003", N5, created_at="2026-11-26T16:00:00Z"),
    "se-L6": _label("se-L6", "se-20004", N6, tracking_status="delivered"),
    "se-L7": _label("se-L7", "se-20005", N7),
    "se-L8": _label(
        "se-L8", "se-20006", N8, created_at="2026-11-29T16:00:00Z", tracking_status="delivered_to_service_point"
    ),
    "se-L9": _label("se-L9", "se-20007", N9, tracking_status="delivered"),
}
TRACKING = {
    # delivered to a neighbour, signed, with a photo: the evidence for "it says delivered but I never got it"
    "se-L1": _tracking(
        N1,
        "DE",
        "DELIVERED_TO_NEIGHBOUR",
        [
            _event(
                "2026-11-30T21:10:00Z",
                "2026-11-30T13:10:00",
                "DE",
                "DELIVERED_TO_NEIGHBOUR",
                "Delivered",
                "PORTLAND",
                "OR",
                company_name="NEIGHBOUR AT NO. 14",
                signer="R. OKAFOR",
                proof_of_delivery_url="https://pod.example.com/se-L1.jpg",
            ),
            _event("2026-11-29T17:00:00Z", "2026-11-29T09:00:00", "IT", "IN_TRANSIT", "Departed", "PORTLAND", "OR"),
        ],
        actual_delivery_date="2026-11-30T21:10:00Z",
    ),
    "se-L2": _tracking(
        N2,
        "EX",
        "ADDRESS_QUERY",
        [
            _event(
                "2026-11-30T18:00:00Z",
                "2026-11-30T10:00:00",
                "EX",
                "ADDRESS_QUERY",
                "Address unknown",
                "PORTLAND",
                "OR",
            )
        ],
        exception_description="The street number is incorrect.",
    ),
    "se-L4": _tracking(
        N4,
        "IT",
        "IN_TRANSIT",
        [_event("2026-11-30T18:00:00Z", "2026-11-30T10:00:00", "IT", "IN_TRANSIT", "Departed", "BOISE", "ID")],
    ),
    "se-L5": _tracking(N5, "UN", None, []),
    # delivered at 19:30 in Los Angeles on Sunday: in UTC it is already Monday
    "se-L6": _tracking(
        N6,
        "DE",
        "DELIVERED",
        [_event("2026-11-30T03:30:00Z", "2026-11-29T19:30:00", "DE", "DELIVERED", "Delivered", "LOS ANGELES", "CA")],
        actual_delivery_date="2026-11-30T03:30:00Z",
    ),
    # due today (a date, no time of day) and out for delivery: not late
    "se-L7": _tracking(
        N7,
        "IT",
        "OUT_FOR_DELIVERY",
        [
            _event(
                "2026-12-01T15:00:00Z",
                "2026-12-01T07:00:00",
                "IT",
                "OUT_FOR_DELIVERY",
                "Out for delivery",
                "LOS ANGELES",
                "CA",
            )
        ],
        estimated_delivery_date="2026-12-01T00:00:00",
    ),
    # delivered in Springfield, Illinois; the order ships to Springfield, Missouri
    "se-L9": _tracking(
        N9,
        "DE",
        "DELIVERED",
        [_event("2026-11-30T19:00:00Z", "2026-11-30T13:00:00", "DE", "DELIVERED", "Delivered", "SPRINGFIELD", "IL")],
        actual_delivery_date="2026-11-30T19:00:00Z",
    ),
    # waiting at the post office
    "se-L8": _tracking(
        N8,
        "SP",
        "COLLECT_AT_LOCAL_PO",
        [
            _event(
                "2026-11-30T15:00:00Z",
                "2026-11-30T10:00:00",
                "SP",
                "COLLECT_AT_LOCAL_PO",
                "Available for pickup",
                "BOSTON",
                "MA",
            )
        ],
    ),
}


def _page(key: str, items: list[dict]) -> dict:
    return {key: items, "total": len(items), "page": 1, "pages": 1 if items else 0, "links": {}}


def scenario(request: httpx.Request) -> httpx.Response:
    path, params = request.url.path.removeprefix(V2), request.url.params
    parts = path.strip("/").split("/")
    if parts == ["shipments"]:
        found = [s for s in SHIPMENTS_BY_ID.values() if s["shipment_number"] == params.get("shipment_number")]
        return httpx.Response(200, json=_page("shipments", found))
    if parts[:2] == ["shipments", "external_shipment_id"]:
        found = [s for s in SHIPMENTS_BY_ID.values() if s["external_shipment_id"] == parts[2]]
        return (
            httpx.Response(200, json=found[0]) if found else httpx.Response(404, json=load_json("spec/v2/error.json"))
        )
    if parts[0] == "shipments" and parts[1] in SHIPMENTS_BY_ID:
        return httpx.Response(200, json=SHIPMENTS_BY_ID[parts[1]])
    if parts == ["labels"]:
        labels = list(LABELS.values())
        if "shipment_id" in params:
            labels = [label for label in labels if label["shipment_id"] == params["shipment_id"]]
        if "tracking_number" in params:
            labels = [label for label in labels if label["tracking_number"] == params["tracking_number"]]
        if "created_at_start" in params:
            labels = [label for label in labels if label["created_at"] >= params["created_at_start"][:19]]
        return httpx.Response(200, json=_page("labels", labels))
    if parts[0] == "labels" and parts[1] in LABELS:
        return httpx.Response(200, json=TRACKING[parts[1]] if parts[2:] == ["track"] else LABELS[parts[1]])
    return httpx.Response(404, json=load_json("spec/v2/error.json"))


@pytest.fixture
async def account() -> AsyncIterator[tuple[Client, list[httpx.Request]]]:
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return scenario(request)

    settings = Settings(api_key="scenario-key", max_retries=0)
    server = create_server(settings, transport=httpx.MockTransport(recording), clock=lambda: NOW)
    async with Client(server) as client:
        yield client, seen


async def test_multi_package_order_with_one_box_in_exception(account: tuple[Client, list[httpx.Request]]) -> None:
    client, seen = account
    _, data = answer(await client.call_tool("find_order", {"query": "20001"}))
    assert len(seen) <= 5  # order search, its labels, two tracks (and nothing per row)
    assert data["headline"].startswith("Order 20001") and "2 packages" in data["headline"]
    assert "needs attention" in data["headline"] and N2 in data["headline"]
    by_number = {p["tracking_number"]: p for p in data["packages"]}
    assert by_number[N2]["exception"] is True and by_number[N1]["delivered"] is True


async def test_find_order_flags_a_delivery_in_another_springfield(account: tuple[Client, list[httpx.Request]]) -> None:
    """The order ships to Springfield, MO; UPS delivered in Springfield, IL: find_order, which has the shipment,
    says so first, naming both places."""
    client, _ = account
    text, data = answer(await client.call_tool("find_order", {"query": "20007"}))
    [package] = data["packages"]
    assert package["situation"] == "misdelivered" and package["misdelivered"] is True
    assert package["expected_destination"] == "Springfield, MO, US"
    assert (
        "Possibly misdelivered: delivered Mon 30 Nov 2026 13:00 (UTC-06:00) in SPRINGFIELD, IL, US" in data["headline"]
    )
    assert "but the order ships to Springfield, MO" in data["headline"]
    assert "What to do: Ask the customer to check with neighbours and at SPRINGFIELD, IL, US" in text


async def test_neighbour_delivery_with_signer_and_proof_link(account: tuple[Client, list[httpx.Request]]) -> None:
    client, _ = account
    text, data = answer(await client.call_tool("track_label", {"label_id": "se-L1"}))
    assert data["delivered_to"] == "NEIGHBOUR AT NO. 14" and data["signer"] == "R. OKAFOR"
    assert data["proof_of_delivery_url"] == "https://pod.example.com/se-L1.jpg"
    assert data["headline"].startswith("Delivered to “NEIGHBOUR AT NO. 14” Mon 30 Nov 2026 13:10 (UTC-08:00)")
    assert "(signed by “R. OKAFOR”)" in data["headline"]
    assert "Proof of delivery: https://pod.example.com/se-L1.jpg" in text


async def test_voided_label_and_its_replacement(account: tuple[Client, list[httpx.Request]]) -> None:
    client, _ = account
    _, data = answer(await client.call_tool("find_order", {"query": "#20002"}))
    [voided] = [p for p in data["packages"] if p.get("voided")]
    assert voided["label_id"] == "se-L3" and voided["replaced_by"] == "se-L4"
    assert "days_in_transit" not in voided
    assert "In Transit" in data["headline"]  # the order's story is its live label


async def test_never_scanned_label_is_not_in_transit(account: tuple[Client, list[httpx.Request]]) -> None:
    client, _ = account
    text, data = answer(await client.call_tool("track_label", {"label_id": "se-L5"}))
    assert data["headline"].startswith("Label created 5 days ago; UPS has not received the package yet")
    assert "days_in_transit" not in data and "in transit" not in text.split("\n", 1)[0].lower()


async def test_evening_delivery_west_of_utc_reads_with_the_local_day(
    account: tuple[Client, list[httpx.Request]],
) -> None:
    client, _ = account
    text, data = answer(await client.call_tool("track_package", {"tracking_number": N6}))
    assert "Sun 29 Nov 2026 19:30 (UTC-08:00)" in data["headline"]
    assert "Mon 30 Nov" not in text  # the UTC day is never stated
    assert data["actual_delivery"].startswith("2026-11-30T03:30:00")  # UTC kept in the structured answer
    assert data["utc_offset"] == "-08:00"


async def test_out_for_delivery_on_the_due_day_is_not_late(account: tuple[Client, list[httpx.Request]]) -> None:
    client, _ = account
    text, data = answer(await client.call_tool("track_package", {"tracking_number": N7.lower()}))
    assert data["estimated_delivery_day"] == "2026-12-01" and not data.get("late")
    assert data["attention"] == [] and "late" not in text.lower()
    assert "due Tue 1 Dec 2026" in data["headline"]


async def test_post_office_pickup_is_in_the_support_queue(account: tuple[Client, list[httpx.Request]]) -> None:
    client, _ = account
    _, data = answer(await client.call_tool("shipments_needing_attention", {}))
    problems = {item["label_id"]: item["problem"] for item in data["items"]}
    assert problems.get("se-L8") == "awaiting_pickup"
    assert "se-L7" not in problems  # out for delivery on its due day
    assert problems.get("se-L2") == "exception"


async def test_tracking_number_as_a_person_pastes_it(account: tuple[Client, list[httpx.Request]]) -> None:
    client, _ = account
    pasted = " ".join(re.findall(".{1,4}", N4.lower()))
    _, data = answer(await client.call_tool("find_order", {"query": pasted}))
    assert data["matched_as"] == "tracking number" and data["shipment"]["shipment_number"] == "20002"
    assert json.loads(json.dumps(data)) == data  # JSON-ready as sent


def readme_example() -> tuple[str, str]:
    """(the example conversation as one line, the whole README)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("> **You:** Where is order 10443?") : readme.index("Nothing needs doing.")]
    return " ".join(example.replace("\n>", " ").split()), readme


async def test_the_readme_conversation_is_one_call_and_what_the_demo_answers() -> None:
    """The demo's story moves with the clock; the README tells it as the demo answers around midday in
    Seattle (NOW is noon there, on Pacific standard time)."""
    example, readme = readme_example()
    calls = re.findall(r"`(\w+)\(query=\"([^\"]+)\"\)`", example)
    assert calls == [("find_order", "10443")] and example.count("`") == 2  # one tool call, nothing else
    now = NOW
    async with Client(create_server(Settings(api_key="demo", demo=True), clock=lambda: now)) as client:
        _, data = answer(await client.call_tool("find_order", {"query": "10443"}))
    [package] = data["packages"]
    offset = int(package["utc_offset"][:3])
    today = (now + timedelta(hours=offset)).date()
    assert "Priya Natarajan" in example and "Priya Natarajan" in data["headline"]
    assert "Seattle" in example and "SEATTLE" in package["latest_event"]["place"]
    assert "UPS" in example and package["carrier_code"] == "ups"
    assert '"Out For Delivery Today"' in example and package["latest_event"]["description"] == "Out For Delivery Today"
    assert "due today" in example and package["estimated_delivery_day"] == today.isoformat()
    assert "two hours ago" in example and 1.5 <= package["hours_since_last_scan"] <= 2.5
    shipped = datetime.fromisoformat(package["ship_date"]) + timedelta(hours=offset)
    assert "shipped with UPS yesterday" in example and shipped.date() == today - timedelta(days=1)
    assert "Nothing needs doing" in readme and package["attention"] == [] and not package["action_needed"]


async def test_the_demo_package_out_for_delivery_is_due_the_day_it_went_out_at_any_hour() -> None:
    for hour in range(0, 24, 2):
        now = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(hours=hour, minutes=30)
        async with Client(create_server(Settings(api_key="demo", demo=True), clock=lambda now=now: now)) as client:
            _, data = answer(await client.call_tool("find_order", {"query": "10443"}))
        [package] = data["packages"]
        offset = timedelta(hours=int(package["utc_offset"][:3]))
        went_out = (datetime.fromisoformat(package["latest_event"]["occurred_at"]) + offset).date()
        assert package["estimated_delivery_day"] == went_out.isoformat(), now  # never "due tomorrow" in the evening
        assert bool(package.get("late")) == ((now + offset).date() > went_out), now  # late only once that day is over
