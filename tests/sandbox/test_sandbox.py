"""The demo account: what it holds, that its payloads have the specs' shape, and that it behaves like the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.api.ids import infer_carrier
from shipstation_mcp.api.models import Label, Shipment, TrackingInfo
from shipstation_mcp.api.status import DETAIL_CODES
from shipstation_mcp.config import Settings
from shipstation_mcp.errors import AccessDenied, AuthenticationError, NotFoundError, RequestRejectedError
from shipstation_mcp.sandbox import SandboxTransport
from shipstation_mcp.sandbox.account import CARRIERS, SHIPMENTS, LabelSpec, ShipmentSpec
from tests.fixtures import load_json

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)
APIS = ("v2", "shipengine")


def fixed_clock() -> datetime:
    return NOW


def all_labels() -> Iterator[tuple[ShipmentSpec, LabelSpec]]:
    for spec in SHIPMENTS:
        for label in spec.labels:
            yield spec, label


def demo_settings(api: str = "v2") -> Settings:
    return Settings(api_key="demo", api=api, demo=True, max_retries=0)  # type: ignore[arg-type]


def client_for(api: str, transport: SandboxTransport | None = None) -> ShipStationClient:
    return ShipStationClient(demo_settings(api), transport=transport or SandboxTransport(clock=fixed_clock))


def raw_client(transport: SandboxTransport | None = None, **headers: str) -> httpx.Client:
    return httpx.Client(
        transport=transport or SandboxTransport(clock=fixed_clock),
        base_url="https://api.shipstation.com",
        headers={"API-Key": "demo", **headers},
    )


# ------------------------------------------------------------------------------------------ check digits


def ups_check_digit(body: str) -> int:
    total = 0
    for index, char in enumerate(body):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * (2 if index % 2 else 1)
    return (10 - total % 10) % 10


def usps_check_digit(body: str) -> int:
    total = sum(int(char) * (3 if index % 2 == 0 else 1) for index, char in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def s10_check_digit(serial: str) -> int:
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def fedex_check_digit(body: str) -> int:
    weights = (1, 3, 7)
    return sum(int(char) * weights[i % 3] for i, char in enumerate(reversed(body))) % 11 % 10


def has_valid_check_digit(carrier: str, number: str) -> bool:
    if carrier == "ups":
        return number.startswith("1Z") and len(number) == 18 and ups_check_digit(number[2:17]) == int(number[17])
    if carrier == "stamps_com" and number.endswith("US"):
        return len(number) == 13 and s10_check_digit(number[2:10]) == int(number[10])
    if carrier == "stamps_com":
        return len(number) == 22 and usps_check_digit(number[:21]) == int(number[21])
    if carrier == "fedex":
        return len(number) == 12 and fedex_check_digit(number[:11]) == int(number[11])
    if carrier == "dhl_express":
        return len(number) == 10 and int(number[:9]) % 7 == int(number[9])
    return False


def test_check_digit_helpers_agree_with_known_numbers() -> None:
    # Numbers from the fixture set (documentation samples and hand-checked quirks), so the helpers are right.
    assert has_valid_check_digit("ups", "1Z932R800390810600")
    assert has_valid_check_digit("ups", "1Z7W93X90378146521")
    assert has_valid_check_digit("stamps_com", "9405511899223197428490")
    assert has_valid_check_digit("fedex", "772960158636")
    assert has_valid_check_digit("dhl_express", "4829301750")
    assert not has_valid_check_digit("ups", "1Z932R800390810601")
    assert not has_valid_check_digit("fedex", "772960158637")


# ------------------------------------------------------------------------------------------ the account


def test_account_has_enough_shipments_in_every_status() -> None:
    assert len(SHIPMENTS) >= 25
    assert {s.status for s in SHIPMENTS} == {"pending", "processing", "label_purchased", "cancelled"}
    assert len({s.shipment_id for s in SHIPMENTS}) == len(SHIPMENTS)
    assert len({s.number for s in SHIPMENTS}) == len(SHIPMENTS)
    assert len({s.external_id for s in SHIPMENTS}) == len(SHIPMENTS)
    assert all(s.items and s.store for s in SHIPMENTS)
    assert any(s.tags for s in SHIPMENTS)
    assert len({s.store for s in SHIPMENTS}) >= 2


def test_labels_cover_every_tracking_status_code_and_the_notable_detail_codes() -> None:
    live = [label for _spec, label in all_labels() if label.voided_hours_ago is None]
    assert {label.status_code for label in live} == {"AC", "IT", "DE", "EX", "UN", "AT", "NY", "SP"}
    details = {label.detail_code for label in live}
    assert {
        "OUT_FOR_DELIVERY",
        "HELD_BY_CUSTOMS",
        "ADDRESS_QUERY",
        "DELIVERED_TO_NEIGHBOUR",
        "RETURN_TO_SENDER",
        "PARCEL_LOST",
    } <= details
    every_detail = {scan.detail for _spec, label in all_labels() for scan in label.scans if scan.detail}
    assert every_detail <= set(DETAIL_CODES), every_detail - set(DETAIL_CODES)


def test_carriers_and_tracking_numbers_are_real_shaped() -> None:
    assert {c.carrier_code for c in CARRIERS} == {"ups", "stamps_com", "fedex", "dhl_express"}
    inferred = {"ups": "ups", "stamps_com": "usps", "fedex": "fedex", "dhl_express": "dhl_express"}
    numbers = []
    for _spec, label in all_labels():
        for package in label.packages:
            number = package.tracking_number
            numbers.append(number)
            assert has_valid_check_digit(label.carrier, number), f"{number} ({label.carrier}) fails its check digit"
            # track_package can find the carrier of every demo number without being told.
            assert infer_carrier(number) == inferred[label.carrier], number
    assert len(numbers) == len(set(numbers))
    assert {label.carrier for _spec, label in all_labels()} == set(inferred)


def test_account_has_the_special_cases_the_demo_promises() -> None:
    labels = [label for _spec, label in all_labels()]
    assert any(len(label.packages) == 3 for label in labels), "a multi-package label"
    international = [s for s in SHIPMENTS if s.customer.place.country != "US"]
    assert international and all(s.customs_contents for s in international)
    assert any(label.detail_code == "HELD_BY_CUSTOMS" for s in international for label in s.labels)
    stalled = [lbl for lbl in labels if lbl.status_code == "IT" and lbl.scans and 144 <= lbl.scans[-1].hours_ago < 168]
    assert stalled, "a package with no scan for 6 days"
    late = [
        lbl
        for lbl in labels
        if lbl.status_code == "IT"
        and lbl.eta_hours_ago is not None
        and lbl.eta_hours_ago > 0
        and lbl.scans[-1].hours_ago < 72
    ]
    assert late, "a package past its estimated delivery, still moving"
    assert any(label.voided_hours_ago is not None for label in labels), "a voided label"
    assert any(s.status in {"pending", "processing"} and not s.labels for s in SHIPMENTS), "a shipment with no label"
    assert any(s.labels and s.labels[0].voided_hours_ago is not None and len(s.labels) > 1 for s in SHIPMENTS), (
        "a voided label replaced by a new one"
    )


# ------------------------------------------------------------------------------------------ shapes


def spec_keys(api: str, name: str) -> set[str]:
    payload = load_json(f"spec/{api}/{name}.json")
    if isinstance(payload, list):
        payload = payload[0]
    return set(payload)


@pytest.mark.parametrize("api", APIS)
def test_payload_fields_all_exist_in_the_official_spec(api: str) -> None:
    """No invented fields: every key the sandbox sends is one the spec's own example has (quirks listed)."""
    prefix = "/v2" if api == "v2" else "/v1"
    with raw_client() as http:
        shipment = http.get(f"{prefix}/shipments/se-4000445").json()
        label = http.get(f"{prefix}/labels/se-5000015").json()
        track = http.get(f"{prefix}/labels/se-5000015/track").json()
        carriers = http.get(f"{prefix}/carriers").json()
        error = http.get(f"{prefix}/shipments/se-1").json()

    assert set(shipment) <= spec_keys(api, "get_shipment")
    assert set(shipment["packages"][0]) <= set(load_json(f"spec/{api}/get_shipment.json")["packages"][0])
    assert set(label) <= spec_keys(api, "get_label")
    assert set(label["packages"][0]) <= set(load_json(f"spec/{api}/get_label.json")["packages"][0])
    track_spec = spec_keys(api, "track_label") | ({"shipped_date"} if api == "v2" else set())
    assert set(track) <= track_spec
    event_spec = set(load_json(f"spec/{api}/track_label.json")["events"][0])
    assert all(set(event) <= event_spec for event in track["events"])
    carrier_spec = set(load_json(f"spec/{api}/list_carriers.json")["carriers"][0])
    assert all(set(c) <= carrier_spec for c in carriers["carriers"])
    assert set(error) <= spec_keys(api, "error")
    error_spec = set(load_json(f"spec/{api}/error.json")["errors"][0]) | set(
        load_json("quirks/error_404.json")["errors"][0]
    )
    assert set(error["errors"][0]) <= error_spec
    if api == "shipengine":
        v2_only = spec_keys("v2", "get_shipment") - spec_keys("shipengine", "get_shipment")
        assert not v2_only & set(shipment), "ShipEngine shipments have no V2-only fields"


@pytest.mark.parametrize("api", APIS)
async def test_every_payload_parses_into_the_models(api: str) -> None:
    async with client_for(api) as client:
        for spec in SHIPMENTS:
            shipment = await client.get_shipment(spec.shipment_id)
            assert isinstance(shipment, Shipment)
            assert shipment.shipment_number == spec.number
            assert shipment.ship_to is not None and shipment.ship_to.name == spec.customer.name
            assert [i.sku for i in shipment.items] == [i.sku for i in spec.items]
        for _spec, label_spec in all_labels():
            label = await client.get_label(label_spec.label_id)
            assert isinstance(label, Label)
            assert label.tracking_numbers == [p.tracking_number for p in label_spec.packages]
            info = await client.track_label(label_spec.label_id)
            assert isinstance(info, TrackingInfo)
            assert info.status_code == label_spec.status_code
            assert len(info.events) == len(label_spec.scans)


async def test_quirks_of_each_flavour_are_reproduced() -> None:
    with raw_client() as http:
        v1_usps = http.get("/v1/labels/se-5000017/track").json()  # USPS to Allston, MA 02134
        v2_usps = http.get("/v2/labels/se-5000017/track").json()
        v2_dhl = http.get("/v2/labels/se-5000013/track").json()
        v2_shipment = http.get("/v2/shipments/se-4000443").json()
        v1_shipment = http.get("/v1/shipments/se-4000443").json()
    # ShipEngine: all-digit codes as numbers, leading zero lost.
    assert v1_usps["events"][0]["postal_code"] == 2134
    assert v1_usps["events"][0]["carrier_status_code"] == "PC"
    assert isinstance(v1_usps["carrier_id"], int)
    assert v2_usps["events"][0]["postal_code"] == "02134"
    # USPS gives a status code only on its newest event.
    assert v1_usps["events"][0]["status_code"] == "SP"
    assert all(event["status_code"] is None for event in v1_usps["events"][1:])
    # V2 label tracking: shipped_date, and no carrier or tracking page (the label has them).
    assert "shipped_date" in v2_usps and "ship_date" not in v2_usps
    assert "carrier_code" not in v2_usps and "tracking_url" not in v2_usps
    assert "ship_date" in v1_usps and v1_usps["carrier_code"] == "stamps_com"
    # DHL: zone-less timestamps and blank strings.
    assert not v2_dhl["events"][0]["occurred_at"].endswith("Z")
    assert v2_dhl["actual_delivery_date"] == ""
    # Shipment ship_date: a bare date on V2, a timestamp on ShipEngine.
    assert len(v2_shipment["ship_date"]) == 10
    assert v1_shipment["ship_date"].endswith("T00:00:00Z")


# ------------------------------------------------------------------------------------------ the clock


def test_dates_follow_the_clock_and_a_fixed_clock_is_deterministic() -> None:
    later = NOW + timedelta(days=3)
    with raw_client() as http:
        first = http.get("/v2/labels/se-5000008/track").json()
        again = http.get("/v2/labels/se-5000008/track").json()
    with raw_client(SandboxTransport(clock=lambda: later)) as http:
        shifted = http.get("/v2/labels/se-5000008/track").json()
    assert first == again
    before = datetime.fromisoformat(first["events"][0]["occurred_at"])
    after = datetime.fromisoformat(shifted["events"][0]["occurred_at"])
    assert after - before == timedelta(days=3)
    # The stalled package's last scan is 147 hours before "now", whatever now is.
    assert NOW - before == timedelta(hours=147)


def test_default_clock_is_the_current_time() -> None:
    with raw_client(SandboxTransport()) as http:
        created = http.get("/v2/shipments/se-4000460").json()["created_at"]
    age = datetime.now(UTC) - datetime.fromisoformat(created)
    assert timedelta(hours=1) < age < timedelta(hours=3)


# ------------------------------------------------------------------------------------------ API behaviour


@pytest.mark.parametrize("api", APIS)
async def test_unknown_ids_answer_404_with_an_error_body(api: str) -> None:
    async with client_for(api) as client:
        with pytest.raises(NotFoundError) as shipment_error:
            await client.get_shipment("se-999999")
        with pytest.raises(NotFoundError):
            await client.get_label("se-1")
        with pytest.raises(NotFoundError):
            await client.track_label("se-1")
        with pytest.raises(NotFoundError):
            await client.get_shipment_by_external_id("no-such-order")
    assert shipment_error.value.status == 404
    assert shipment_error.value.error_code == "invalid_identifier"
    assert "se-999999" in shipment_error.value.detail
    assert shipment_error.value.request_id


def test_error_source_is_spelled_as_each_flavour_spells_it() -> None:
    with raw_client() as http:
        v2 = http.get("/v2/shipments/se-1")
        v1 = http.get("/v1/shipments/se-1")
    assert v2.status_code == v1.status_code == 404
    assert v2.json()["errors"][0]["error_source"] == "ShipStation"
    assert v1.json()["errors"][0]["error_source"] == "shipengine"
    assert v2.headers["x-request-id"] == v2.json()["request_id"]


async def test_a_request_without_a_key_is_refused() -> None:
    with raw_client() as http:
        response = http.get("/v2/shipments", headers={"API-Key": ""})
    assert response.status_code == 401
    assert response.json()["errors"][0]["error_code"] == "unauthorized"
    settings = Settings(api_key=" ", api="v2", demo=True)
    async with ShipStationClient(settings, transport=SandboxTransport(clock=fixed_clock)) as client:
        with pytest.raises(AuthenticationError):
            await client.list_carriers()


async def test_external_ids_are_one_path_segment() -> None:
    async with client_for("v2") as client:
        shipment = await client.get_shipment_by_external_id("WEB/10458")
    assert shipment.shipment_number == "10458"


@pytest.mark.parametrize("api", APIS)
async def test_shipment_list_filters_sorts_and_pages(api: str) -> None:
    async with client_for(api) as client:
        everything = await client.list_shipments(page_size=100)
        first = await client.list_shipments(page_size=10)
        third = await client.list_shipments(page_size=10, page=3)
        past_end = await client.list_shipments(page_size=10, page=9)
        oldest_first = await client.list_shipments(sort_dir="asc", page_size=5)
        pending = await client.list_shipments(shipment_status="pending")
        recent = await client.list_shipments(created_at_start=NOW - timedelta(hours=10))
        older = await client.list_shipments(created_at_end=NOW - timedelta(hours=300))
    assert everything.total == len(SHIPMENTS) and len(everything.shipments) == len(SHIPMENTS)
    assert (first.total, first.pages, first.page) == (30, 3, 1)
    assert [s.shipment_number for s in first.shipments][:3] == ["10460", "10459", "10458"]
    assert len(third.shipments) == 10 and third.page == 3
    assert past_end.shipments == [] and past_end.page == 9
    assert [s.shipment_number for s in oldest_first.shipments] == ["10431", "10432", "10433", "10434", "10435"]
    assert {s.shipment_status for s in pending.shipments} == {"pending"} and pending.total == 2
    assert {s.shipment_number for s in recent.shipments} == {"10456", "10457", "10458", "10459", "10460"}
    assert {s.shipment_number for s in older.shipments} == {"10431", "10432", "10433", "10434", "10435", "10436"}


def test_pagination_links_follow_the_spec() -> None:
    with raw_client() as http:
        middle = http.get("/v2/shipments", params={"page": 2, "page_size": 10}).json()
        empty = http.get("/v2/shipments", params={"shipment_status": "pending", "shipment_number": "nope"}).json()
    assert set(middle["links"]) == {"first", "last", "prev", "next"}
    assert "page=1" in middle["links"]["prev"]["href"] and "page=3" in middle["links"]["next"]["href"]
    assert (empty["total"], empty["pages"], empty["shipments"]) == (0, 0, [])
    assert empty["links"]["prev"] == {} and empty["links"]["next"] == {}


async def test_v2_only_filters_work_on_v2_and_are_ignored_on_shipengine() -> None:
    """The ShipEngine spec has no shipment_number/ship_to_name filters; the real API ignores unknown ones."""
    async with client_for("v2") as v2:
        by_number = await v2.list_shipments(shipment_number="10443")
        by_name = await v2.list_shipments(ship_to_name="natarajan")
        by_item = await v2.list_shipments(item_keyword="coffee")
        by_store = await v2.list_shipments(store_id="se-302")
    async with client_for("shipengine") as v1:
        ignored = await v1.list_shipments(shipment_number="10443")
        by_tag = await v1.list_shipments(tag="Wholesale")
    assert [s.shipment_number for s in by_number.shipments] == ["10443"]
    assert [s.shipment_number for s in by_name.shipments] == ["10443"]
    assert [s.shipment_number for s in by_item.shipments] == ["10445"]
    assert by_store.shipments and all(s.order_source_code == "etsy" for s in by_store.shipments)
    assert ignored.total == len(SHIPMENTS)
    assert [s.shipment_number for s in by_tag.shipments] == ["10445"]


@pytest.mark.parametrize("api", APIS)
async def test_bad_list_parameters_are_rejected_like_the_api(api: str) -> None:
    async with client_for(api) as client:
        for params in ({"shipment_status": "shipped"}, {"page": 0}, {"sort_dir": "up"}, {"created_at_start": "soon"}):
            with pytest.raises(RequestRejectedError) as rejected:
                await client.list_shipments(**params)
            assert rejected.value.status == 400
            assert rejected.value.detail


@pytest.mark.parametrize("api", APIS)
async def test_labels_by_tracking_number_shipment_and_status(api: str) -> None:
    async with client_for(api) as client:
        by_master = await client.list_labels(tracking_number="1ZA4R8E20373280204")
        by_package = await client.list_labels(tracking_number="1ZA4R8E20311441987")
        of_shipment = await client.list_labels(shipment_id="se-4000449")
        none = await client.list_labels(shipment_id="se-4000457")
        voided = await client.list_labels(label_status="voided")
        fedex = await client.list_labels(carrier_id="se-100103", page_size=100)
    assert [lbl.label_id for lbl in by_master.labels] == ["se-5000015"]
    assert [lbl.label_id for lbl in by_package.labels] == ["se-5000015"]
    assert [lbl.label_id for lbl in of_shipment.labels] == ["se-5000020", "se-5000019"]  # newest first
    assert of_shipment.labels[1].voided is True and of_shipment.labels[1].status == "voided"
    assert none.labels == [] and none.total == 0
    assert {lbl.label_id for lbl in voided.labels} == {"se-5000004", "se-5000019"}
    assert fedex.labels and {lbl.carrier_code for lbl in fedex.labels} == {"fedex"}


@pytest.mark.parametrize("api", APIS)
async def test_tracking_by_carrier_answers_on_both_apis(api: str) -> None:
    async with client_for(api) as v1:
        package = await v1.track("ups", "1ZA4R8E20329404378")  # the second box of a three-box label
        usps = await v1.track("usps", "9400111170578732091134")  # a stamps_com label, tracked as usps
        unknown = await v1.track("ups", "1ZA4R8E20000000000")
        with pytest.raises(RequestRejectedError):
            await v1.track("not_a_carrier", "1ZA4R8E20329404378")
    assert package.tracking_number == "1ZA4R8E20329404378" and package.status_code == "IT"
    assert usps.carrier_code == "usps" and usps.status_detail_code == "CARRIER_DELAYS"
    assert unknown.status_code == "UN" and unknown.events == []


@pytest.mark.parametrize(("refusal", "error"), [(403, AccessDenied), (404, NotFoundError)])
async def test_v2_tracking_by_number_can_play_a_plan_without_it_or_a_host_without_it(refusal: int, error) -> None:
    transport = SandboxTransport(clock=fixed_clock, v2_tracking=refusal)
    async with client_for("v2", transport) as v2:
        with pytest.raises(error):
            await v2.track("ups", "1ZA4R8E20329404378")
        await v2.create_webhook("track", "https://example.test/hook")
        with pytest.raises(error):
            await v2.start_tracking("ups", "1ZA4R8E20329404378")
        assert (await v2.track_label("se-5000013")).tracking_number  # tracking by label still works
    async with client_for("shipengine", transport) as v1:  # ShipEngine is not affected
        assert (await v1.track("ups", "1ZA4R8E20329404378")).status_code == "IT"


async def test_v2_tracking_start_needs_a_tracking_webhook_first() -> None:
    transport = SandboxTransport(clock=fixed_clock)
    async with client_for("v2", transport) as v2:
        with pytest.raises(RequestRejectedError) as caught:
            await v2.start_tracking("ups", "1ZA4R8E20361199987")
        assert caught.value.error_code == "webhook_required"
        await v2.create_webhook("track_event_v2", "https://example.test/hook")
        await v2.start_tracking("ups", "1ZA4R8E20361199987")
    assert transport.watched == {("ups", "1ZA4R8E20361199987")}


async def test_fulfillments_list_orders_marked_shipped_outside_shipstation() -> None:
    raw = raw_client()
    by_number = raw.get("/v2/fulfillments", params={"tracking_number": "1z7r4w830348812065"}).json()
    by_order = raw.get("/v2/fulfillments", params={"shipment_number": "10456"}).json()
    none = raw.get("/v2/fulfillments", params={"shipment_number": "10443"}).json()
    assert by_number["fulfillments"] == by_order["fulfillments"]
    assert by_number["total"] == 1 and none["total"] == 0 and none["fulfillments"] == []
    row = by_number["fulfillments"][0]
    assert row["shipment_id"] == "se-4000456" and row["shipment_number"] == "10456"
    assert row["tracking_number"] == "1Z7R4W830348812065"
    assert row["fulfillment_carrier_friendly_name"] == "UPS" and "carrier_code" not in row
    assert raw.get("/v1/fulfillments").status_code == 404  # ShipEngine has no fulfillments
    # The package itself is known to the carrier: tracking it by number works.
    tracked = raw.get("/v2/tracking", params={"carrier_code": "ups", "tracking_number": "1Z7R4W830348812065"})
    assert tracked.json()["status_code"] == "AC"


@pytest.mark.parametrize("api", APIS)
async def test_tracking_start_and_stop_answer_204(api: str) -> None:
    transport = SandboxTransport(clock=fixed_clock)
    async with client_for(api, transport) as client:
        await client.create_webhook("track", "https://example.test/hook")
        await client.start_tracking("ups", "1ZA4R8E20361199987")
        assert transport.watched == {("ups", "1ZA4R8E20361199987")}
        await client.stop_tracking("ups", "1ZA4R8E20361199987")
        assert transport.watched == set()
        with pytest.raises(RequestRejectedError):
            await client.start_tracking("", "1ZA4R8E20361199987")
    prefix = "/v2" if api == "v2" else "/v1"
    assert (
        "POST",
        f"{prefix}/tracking/start?carrier_code=ups&tracking_number=1ZA4R8E20361199987",
    ) in transport.requests


@pytest.mark.parametrize("api", APIS)
async def test_carriers_are_listed(api: str) -> None:
    async with client_for(api) as client:
        carriers = await client.list_carriers()
    assert [(c.carrier_code, c.carrier_id) for c in carriers] == [
        ("ups", "se-100101"),
        ("stamps_com", "se-100102"),
        ("fedex", "se-100103"),
        ("dhl_express", "se-100104"),
    ]


@pytest.mark.parametrize("api", APIS)
async def test_webhooks_start_empty_and_can_be_managed(api: str) -> None:
    prefix = "/v2" if api == "v2" else "/v1"
    transport = SandboxTransport(clock=fixed_clock)
    async with client_for(api, transport) as client:
        assert await client.list_webhooks() == []
    with raw_client(transport) as http:
        created = http.post(f"{prefix}/environment/webhooks", json={"event": "track", "url": "https://example.test/h"})
        duplicate = http.post(f"{prefix}/environment/webhooks", json={"event": "track", "url": "https://x.test/"})
        bad = http.post(f"{prefix}/environment/webhooks", json={"event": "nope", "url": "https://x.test/"})
        webhook_id = created.json()["webhook_id"]
        updated = http.put(f"{prefix}/environment/webhooks/{webhook_id}", json={"url": "https://example.test/new"})
        fetched = http.get(f"{prefix}/environment/webhooks/{webhook_id}").json()
    assert created.status_code == 201 and created.json()["event"] == "track"
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["error_code"] == "webhook_event_type_conflict"
    assert bad.status_code == 400
    assert updated.status_code == 204 and fetched["url"] == "https://example.test/new"
    async with client_for(api, transport) as client:
        [hook] = await client.list_webhooks()
    assert hook.url == "https://example.test/new"
    with raw_client(transport) as http:
        assert http.delete(f"{prefix}/environment/webhooks/{webhook_id}").status_code == 204
        assert http.get(f"{prefix}/environment/webhooks/{webhook_id}").status_code == 404


def test_unknown_routes_and_methods() -> None:
    with raw_client() as http:
        nowhere = http.get("/v2/rates")
        no_version = http.get("/rates")
        classic_without_basic = http.get("/shipments")  # the classic API's path: it wants key and secret
        wrong_method = http.delete("/v2/shipments/se-4000443")
    assert nowhere.status_code == 404 and nowhere.json()["errors"]
    assert no_version.status_code == 404
    assert classic_without_basic.status_code == 401 and classic_without_basic.json() == {
        "message": "Invalid API credentials"
    }
    assert wrong_method.status_code == 405


async def test_sync_and_async_interfaces_answer_alike() -> None:
    transport = SandboxTransport(clock=fixed_clock)
    with raw_client(transport) as http:
        sync_body = http.get("/v2/labels/se-5000012").json()
    async with httpx.AsyncClient(
        transport=transport, base_url="https://api.shipstation.com", headers={"API-Key": "demo"}
    ) as http:
        async_body = (await http.get("/v2/labels/se-5000012")).json()
    assert sync_body == async_body


def test_payloads_are_plain_json() -> None:
    with raw_client() as http:
        body: Any = http.get("/v2/shipments", params={"page_size": 100}).json()
    assert json.loads(json.dumps(body)) == body
