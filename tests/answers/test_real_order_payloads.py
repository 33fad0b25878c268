"""Every real shipment, label, shipment list, label list, fulfillment list, carrier list and webhook list payload
in `../shared/real-payloads/` sent through the path the tools use (the client's parsing where the tool reads it
through the client, then the lookup and the answer), checked against what a careful person reading the raw payload
would say. The expectations below were written by reading each payload; the payloads stay in `../shared/`.

Skipped when the folder is absent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from shipstation_mcp.answers.base import compact_json
from shipstation_mcp.answers.shipments import shipment_text, summarize_label, summarize_shipment
from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.api.models import FulfillmentList, Label, LabelList, Shipment, ShipmentList
from shipstation_mcp.config import LiveSettings, Settings
from shipstation_mcp.lookups import carriers, shipments, webhooks

PAYLOADS = Path(__file__).resolve().parents[2].parent / "shared" / "real-payloads" / "payloads"
NOW = datetime(2026, 9, 5, 18, 0, tzinfo=UTC)  # after every payload's own dates
KINDS = ("shipment", "shipment_list", "label", "label_list", "fulfillment_list", "carriers", "webhook_list")

pytestmark = pytest.mark.skipif(not PAYLOADS.is_dir(), reason="../shared/real-payloads is not here")


def payload(kind: str, name: str) -> tuple[Any, dict[str, Any]]:
    body = json.loads((PAYLOADS / kind / f"{name}.json").read_text(encoding="utf-8"))
    meta = json.loads((PAYLOADS / kind / f"{name}.meta").read_text(encoding="utf-8"))
    return body, meta


def client_serving(body: Any, meta: dict[str, Any]) -> ShipStationClient:
    """A client whose API answers the payload's own endpoint with the payload, a labels listing with no labels,
    and anything else with 404."""
    flavour = "shipengine" if meta["api"] == "shipengine" else "v2"
    method, target = meta["endpoint"].split(" ", 1)
    path = urlsplit(target.split(" ", 1)[0]).path

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == path or (request.method == method and request.url.path.rstrip("/") == path):
            return httpx.Response(200, json=body)
        if request.url.path.endswith("/labels"):
            return httpx.Response(200, json={"labels": [], "total": 0, "page": 1, "pages": 0})
        return httpx.Response(404, json={"errors": [{"message": "not found"}]})

    settings = Settings(api_key="real-payload-key", api=flavour, max_retries=0)
    return ShipStationClient(settings, transport=httpx.MockTransport(answer))


# ------------------------------------------------------------------------------------------------ shipments
# name -> what a careful reader says of the one shipment: (headline, facts in the structured answer, in the text)

SHIPMENTS: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "sentio_get_v1_shipments_external_shipment_id_20240522120215_200_5eec18": (
        "Order 20240522120215 for “Electronic Output Solutions”, Vista, CA 92081, US: waiting for a label: not "
        "shipped yet",
        {"status": "pending", "service_code": "usps_ground_advantage", "total_weight": "1 oz", "labels": []},
        ["Ship date Wed 22 May 2024 (passed)", "Service usps_ground_advantage", "Ships from: “Electronic Output"],
    ),
    "sentio_get_v1_shipments_se_1384670855_200_1a8147": (
        "Shipment se-1384670855 for “Electronic Output Solutions”, Vista, CA 92081, US: waiting for a label: not "
        "shipped yet",
        {"status": "pending", "packages": [{"weight": "1 oz"}], "insurance": None, "confirmation": None},
        ["Next: No label has been bought yet"],
    ),
    "sentio_get_v1_shipments_se_1384678359_200_f4a313": (
        "Shipment se-1384678359 for “New Name”, Vista, CA 92081, US: waiting for a label: not shipped yet",
        {"ship_to": {"name": "New Name", "place": "Vista, CA 92081, US", "street": "2510 Commerce Way"}},
        [
            "Ships from: “Electronic Output Solutions, 2510 Commerce Way, Vista, CA 92081, US”",
            "Returns go to the ship-from",
        ],
    ),
    "sentio_get_v1_shipments_se_1384687742_200_cad941": (
        "Shipment se-1384687742 for “Electronic Output Solutions”, Vista, CA 92081, US: cancelled: it will not ship",
        {"status": "cancelled", "next_step": None},
        ["Ship date Wed 22 May 2024"],
    ),
    "warmly_get_v1_shipments_external_shipment_id_ext_ship_1_200_3b34fb": (
        "Shipment se-12345: status unknown",
        {"external_shipment_id": "ext-ship-1", "not_shipped": None},
        ["external id ext-ship-1"],
    ),
    "warmly_get_v1_shipments_se_12345_200_db0d8d": (
        "Shipment se-12345: waiting for a label: not shipped yet",
        {"status": "pending"},
        [],
    ),
}


def _check(data: dict[str, Any], facts: dict[str, Any]) -> None:
    for key, expected in facts.items():
        if isinstance(expected, list) and expected and isinstance(expected[0], dict):
            assert [{k: row.get(k) for k in want} for row, want in zip(data[key], expected, strict=True)] == expected
        elif isinstance(expected, dict):
            assert {k: data[key].get(k) for k in expected} == expected, key
        else:
            assert data.get(key) == expected, key


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(SHIPMENTS))
async def test_real_shipment(name: str) -> None:
    body, meta = payload("shipment", name)
    headline, facts, said = SHIPMENTS[name]
    target = meta["endpoint"].split("/v1/shipments/", 1)[1]
    async with client_serving(body, meta) as client:
        if target.startswith("external_shipment_id/"):
            summary = await shipments.find_by_external_id(client, target.split("/", 1)[1], now=NOW)
        else:
            summary = await shipments.get_shipment(client, target, now=NOW)
    assert summary.headline == headline
    _check(compact_json(summary) | {k: None for k in facts if k not in compact_json(summary)}, facts)
    text = shipment_text(summary)
    for words in said:
        assert words in text


def test_every_real_shipment_has_its_expectation() -> None:
    assert {p.stem for p in (PAYLOADS / "shipment").glob("*.json")} == set(SHIPMENTS)


# ------------------------------------------------------------------------------------------- shipment lists
# name -> (list headline, per shipment: (headline, facts))

PRESIDENT = "Order {number} for “The President”, LOS ANGELES, CA 00000-0000, US"
LATE_TO_SHIP = "waiting for a label: not shipped yet (it was to ship by Wed 12 Aug 2026)"
SHIPMENT_LISTS: dict[str, tuple[str, list[tuple[str, dict[str, Any]]]]] = {
    "pmcgee_fedex_new_order_created_v2_resource_url_response": (
        "Page 1 of 1: 1 of 1 shipment(s), newest first.",
        [
            (
                PRESIDENT.format(number="LW-TEST1") + ": " + LATE_TO_SHIP,
                {
                    "service_code": "fedex_ground",
                    "amount_paid": "218.73 USD",
                    "shipping_paid": "10.00 USD",
                    "tax_paid": "5.00 USD",
                    "gift": True,
                    "gift_note": "Thank you!",
                    "buyer_note": "Please ship as soon as possible!",
                    "packages": [{"weight": "18 oz", "dimensions": "10 × 10 × 10 in", "insured_value": None}],
                    "ship_to": {"residential": True, "street": "REDACTED"},
                    "ship_from": {"name": "Peter McGee", "company": "SHIP FROM COMPANY"},
                    "deliver_by_date": "2026-08-31T00:00:00Z",
                    "hold_until_date": None,
                    "store_id": "se-2481946",
                },
            )
        ],
    ),
    "pmcgee_fedex_new_order_created_v2_split_shipment_resource_url": (
        "Page 1 of 1: 2 of 2 shipment(s), newest first.",
        [
            (PRESIDENT.format(number="LW-TEST2") + ": " + LATE_TO_SHIP, {"amount_paid": "218.73 USD"}),
            # the split order's second shipment: its 0.0 amounts are not "paid 0", they are on the first
            (PRESIDENT.format(number="LW-TEST2") + ": " + LATE_TO_SHIP, {"amount_paid": None, "shipping_paid": None}),
        ],
    ),
    "warmly_get_v1_shipments_200_8a9da5": (
        "Page 1 of 1: 1 of 1 shipment(s), newest first.",
        [("Shipment se-ship-1: status unknown", {"status": None})],
    ),
    "warmly_get_v1_shipments_200_cc255f": (
        "Page 1 of 1: 1 of 1 shipment(s), newest first.",
        [("Shipment se-12345: waiting for a label: not shipped yet", {"status": "pending"})],
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(SHIPMENT_LISTS))
async def test_real_shipment_list(name: str) -> None:
    body, meta = payload("shipment_list", name)
    headline, expected = SHIPMENT_LISTS[name]
    async with client_serving(body, meta) as client:
        page = await shipments.list_shipments(client, now=NOW)
    assert page.headline == headline
    assert [row.shipment_id for row in page.shipments] == [s["shipment_id"] for s in body["shipments"]]
    parsed = ShipmentList.model_validate(body).shipments
    for shipment, (one_headline, facts) in zip(parsed, expected, strict=True):
        summary = summarize_shipment(shipment, now=NOW)
        assert summary.headline == one_headline
        data = compact_json(summary)
        _check(data | {k: None for k in facts if k not in data}, facts)


def test_every_real_shipment_list_has_its_expectation() -> None:
    assert {p.stem for p in (PAYLOADS / "shipment_list").glob("*.json")} == set(SHIPMENT_LISTS)


# ------------------------------------------------------------------------------------------ labels, one each
# name -> facts of the label as the shipment answers show it, and words its line says

LABELS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "dotnet_CreateLabelFromShipmentDetails200Response": (
        {
            "label_id": "se-76278969",
            "tracking_number": "9405511899560337048294",
            "carrier_code": "stamps_com",
            "service_code": "usps_priority_mail",
            "shipment_cost": "115.51 USD",
            "packages": [{"weight": "17 lb", "dimensions": "36 × 12 × 24 in"}],
            "voided": None,
            "tracking_status": "in_transit",  # the label's own copy: nothing fresher is in this answer
        },
        ["tracking 9405511899560337048294 (stamps_com)", "tracking status in_transit"],
    ),
    "java_create-label_5bc2e1": (
        {"tracking_number": "9400111899560334651289", "shipment_cost": "3.35 USD", "packages": [{"weight": "1 oz"}]},
        ["tracking 9400111899560334651289 (stamps_com)"],
    ),
    "js_mockCreateLabel200_200": (
        {
            "voided": True,
            "voided_at": "2018-09-23T15:00:00Z",
            "is_return_label": True,
            "rma_number": "string",
            "is_international": True,
            "tracking_number": "782758401696",
            "package_tracking_numbers": ["1Z932R800392060079"],  # its one box carries another number
            "shipment_cost": None,  # 0: nothing charged
        },
        ["VOIDED Sun 23 Sep 2018", "return label (RMA string)"],
    ),
    "js_mockCreateLabelFromRate200_200": (
        {"voided": True, "carrier_code": "dhl_express", "tracking_status": "unknown"},
        ["VOIDED"],
    ),
    "sentio_get_v1_labels_se_453841868_200_88318a": (
        {"tracking_number": "9400111899563821705595", "service_code": "usps_ground_advantage", "trackable": None},
        ["completed", "tracking 9400111899563821705595 (stamps_com)"],
    ),
    "sentio_post_v1_labels_200_3fa2e8": (
        {"label_id": "se-453830546", "shipment_cost": "3.79 USD", "is_return_label": None},
        ["tracking 9400111899563821705427 (stamps_com)"],
    ),
    "sentio_post_v1_labels_se_453830546_return_200_d22541": (
        {"label_id": "se-453830563", "is_return_label": True},
        ["return label"],
    ),
    "warmly_get_v1_labels_se_label_1_200_ee9f9a": (
        {"label_id": "se-label-1", "status": "completed", "tracking_number": None},
        ["Label se-label-1 — completed"],
    ),
}


@pytest.mark.parametrize("name", sorted(LABELS))
def test_real_label(name: str) -> None:
    body, _ = payload("label", name)
    facts, said = LABELS[name]
    label = Label.model_validate(body)
    data = compact_json(summarize_label(label))
    _check(data | {k: None for k in facts if k not in data}, facts)
    shipment = summarize_shipment(Shipment(shipment_id=label.shipment_id, shipment_status="label_purchased"), [label])
    text = shipment_text(shipment)
    for words in said:
        assert words in text
    if label.voided:
        assert label.tracking_number not in shipment.headline and "voided" in (shipment.next_step or "")


def test_every_real_label_has_its_expectation() -> None:
    assert {p.stem for p in (PAYLOADS / "label").glob("*.json")} == set(LABELS)


# ----------------------------------------------------------------------------------------------- label lists
# name -> per shipment id, in the order the labels list them: its headline

LABEL_LISTS: dict[str, tuple[int, dict[str, str], Callable[[dict[str, Any]], None] | None]] = {}


def _fedex_label(data: dict[str, Any]) -> None:
    [label] = data["labels"]
    assert label["shipment_cost"] == "21.96 USD" and label["carrier_code"] == "fedex"
    assert label["packages"] == [
        {"tracking_number": "383144378470", "weight": "18 oz", "dimensions": "10 × 10 × 10 in"}
    ]
    assert label["ship_to"]["name"] == "The President" and label["ship_to"]["residential"] is True
    assert label["tracking_url"].endswith("trackingnumber=383144378470")


def _ups_two_boxes(data: dict[str, Any]) -> None:
    [label] = data["labels"]
    assert not label["package_tracking_numbers"]  # both boxes carry the label's own (masked) number
    assert [(p["weight"], p["dimensions"]) for p in label["packages"]] == [
        ("20 lb", "24 × 12 × 6 in"),
        ("10 lb", "10 × 10 × 10 in"),
    ]
    assert label["ship_to"] == {
        "name": "Jane Doe",
        "place": "San Jose, CA 95128, US",
        "street": "525 S Winchester Blvd",
        "residential": True,
    }


LABEL_LISTS.update(
    {
        "pmcgee_fedex_label_created_v2_resource_url": (
            1,
            {"se-394477236": "Shipment se-394477236: label bought; tracking 383144378470 (fedex)"},
            _fedex_label,
        ),
        "pmcgee_fedex_label_created_v2_split_shipment_resource_url": (
            2,
            {
                "se-394496923": "Shipment se-394496923: label bought; tracking 3831XXXXX556 (fedex)",
                "se-394496920": "Shipment se-394496920: label bought; tracking 3831XXXXX556 (fedex)",
            },
            None,
        ),
        "sepy_docs_list_labels_by_tracking_number": (
            1,
            {"se-194998284": "Shipment se-194998284: label bought; tracking 1ZXXXXXXXXXXXXXXXX (ups)"},
            _ups_two_boxes,
        ),
        "warmly_get_v1_labels_200_346a63": (0, {}, None),
        "warmly_get_v1_labels_200_8afab9": (1, {}, None),
        "warmly_get_v1_labels_200_ad76bc": (2, {}, None),
        "warmly_get_v1_labels_200_c462f9": (0, {}, None),
    }
)


@pytest.mark.parametrize("name", sorted(LABEL_LISTS))
def test_real_label_list(name: str) -> None:
    body, _ = payload("label_list", name)
    count, headlines, more = LABEL_LISTS[name]
    labels = LabelList.model_validate(body).labels
    assert len(labels) == count
    by_shipment: dict[str, list[Label]] = {}
    for label in labels:
        if label.shipment_id:
            by_shipment.setdefault(label.shipment_id, []).append(label)
    said = {
        sid: summarize_shipment(Shipment(shipment_id=sid, shipment_status="label_purchased"), found).headline
        for sid, found in by_shipment.items()
    }
    assert said == headlines
    if more is not None:
        [(sid, found)] = by_shipment.items()
        more(compact_json(summarize_shipment(Shipment(shipment_id=sid, shipment_status="label_purchased"), found)))


def test_every_real_label_list_has_its_expectation() -> None:
    assert {p.stem for p in (PAYLOADS / "label_list").glob("*.json")} == set(LABEL_LISTS)


# ------------------------------------------------------------------------------------------ fulfillment list


def test_real_fulfillment_list_is_a_fedex_number_on_an_order_shipped_outside_shipstation() -> None:
    names = [p.stem for p in (PAYLOADS / "fulfillment_list").glob("*.json")]
    assert names == ["pmcgee_fedex_fulfillment_shipped_v2_resource_url"]
    body, _ = payload("fulfillment_list", names[0])
    [fulfillment] = FulfillmentList.model_validate(body).fulfillments
    assert (fulfillment.tracking_number, fulfillment.carrier_name) == ("3831466XXXX3", "FedEx")
    assert fulfillment.shipment_number == "100044" and fulfillment.provider == "external"
    assert fulfillment.ship_date == datetime(2026, 9, 3, 7, 0, tzinfo=UTC)
    assert not fulfillment.voided and fulfillment.delivered_at is None  # shipped, not (yet) delivered


# -------------------------------------------------------------------------------------- carriers and webhooks
# name -> the carrier codes the listing offers for the tracking tools (None where the "code" cannot be one)

CARRIERS: dict[str, list[str | None]] = {
    "dotnet_ListCarriers200Response": ["stamps_com"],
    "java_list-carriers_c75a32": ["stamps_com", "ups", "fedex"],
    "sentio_get_v1_carriers_200_096f3b": ["stamps_com", "ups", "dhl_express_mydhl"],
    "sentio_get_v1_carriers_200_213b30": ["stamps_com", "ups"],
    "sentio_get_v1_carriers_200_488167": ["stamps_com", "ups"],
    "sepy_docs_list_carriers": ["stamps_com", "ups", "fedex"],
    # a mock whose carrier_code is an se- id: no code the tracking tools take, so none is offered
    "shipengine-ruby_get_v1_carriers_200_9069be": [None],
    "shipengine-ruby_get_v1_carriers_200_d4d436": [None, None],
}


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(CARRIERS))
async def test_real_carriers(name: str) -> None:
    body, meta = payload("carriers", name)
    async with client_serving(body, meta) as client:
        listing = await carriers.list_carriers(client)
    assert [c.carrier_code for c in listing.carriers] == CARRIERS[name]
    assert listing.text().startswith(f"{len(CARRIERS[name])} carrier(s) connected:")
    assert all(c.name for c in listing.carriers)  # each carrier named as the account shows it


def test_every_real_carrier_list_has_its_expectation() -> None:
    assert {p.stem for p in (PAYLOADS / "carriers").glob("*.json")} == set(CARRIERS)


@pytest.mark.anyio
async def test_real_webhook_list_has_one_tracking_webhook_elsewhere_than_the_receiver() -> None:
    names = [p.stem for p in (PAYLOADS / "webhook_list").glob("*.json")]
    assert names == ["warmly_get_v1_environment_webhooks_200_ba43fc"]
    body, meta = payload("webhook_list", names[0])
    async with client_serving(body, meta) as client:
        listing = await webhooks.list_webhooks(client, LiveSettings())
    [hook] = listing.webhooks
    assert (hook.webhook_id, hook.event, hook.url) == ("wh-1", "track", "https://example.com/hook")
    assert hook.delivers_tracking and hook.path_matches_receiver is False
    assert listing.headline.startswith("1 webhook(s); tracking updates go to https://example.com/hook, whose path")


def test_the_kinds_checked_here_are_the_folders_there() -> None:
    assert all((PAYLOADS / kind).is_dir() for kind in KINDS)
