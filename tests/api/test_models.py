"""Parsing: every spec example, the seeds' real responses, and the ways real responses break the schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shipstation_mcp.api.models import (
    CarrierList,
    ErrorBody,
    Label,
    LabelList,
    Shipment,
    ShipmentList,
    TrackingInfo,
    Webhook,
    parse_timestamp,
)
from tests.fixtures import load_json, spec_examples

MODEL_FOR_EXAMPLE = {
    "get_shipment": Shipment,
    "get_shipment_by_external_id": Shipment,
    "list_shipments": ShipmentList,
    "list_labels": LabelList,
    "get_label": Label,
    "track_label": TrackingInfo,
    "track": TrackingInfo,
    "list_carriers": CarrierList,
    "create_webhook_response": Webhook,
    "error": ErrorBody,
}


@pytest.mark.parametrize(("api", "name", "payload"), spec_examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_spec_example_for_the_endpoints_used_parses(api: str, name: str, payload: object) -> None:
    if name == "list_webhooks":
        assert isinstance(payload, list)
        hooks = [Webhook.model_validate(item) for item in payload]
        assert hooks and hooks[0].url
        return
    if name == "create_webhook_request":
        assert Webhook.model_validate(payload).url
        return
    parsed = MODEL_FOR_EXAMPLE[name].model_validate(payload)
    dumped = parsed.model_dump(exclude_none=True)
    assert dumped, f"{api}/{name} parsed to an empty object"


def test_spec_examples_cover_both_apis_and_every_endpoint_used() -> None:
    names = {(api, name) for api, name, _ in spec_examples()}
    for name in ("get_shipment", "get_shipment_by_external_id", "list_shipments", "list_labels", "get_label"):
        assert ("v2", name) in names and ("shipengine", name) in names
    assert ("shipengine", "track") in names
    assert ("v2", "track_label") in names and ("shipengine", "list_carriers") in names


def test_spec_label_keeps_tracking_number_and_package_numbers() -> None:
    for api in ("v2", "shipengine"):
        label = Label.model_validate(load_json(f"spec/{api}/get_label.json"))
        assert label.label_id and label.label_id.startswith("se-")
        assert label.tracking_number
        assert label.tracking_numbers[0] == label.tracking_number


def test_seed_ups_sample_reads_shipped_date_as_ship_date() -> None:
    info = TrackingInfo.model_validate(load_json("seeds/track_label_ups_delivered.json"))
    assert info.tracking_number == "1Z932R800390810600"
    assert info.status_code == "DE"
    assert info.ship_date == datetime(2024, 10, 25, 11, 59, 3, 289000, tzinfo=UTC)
    assert info.actual_delivery_date == datetime(2024, 10, 27, 11, 59, 3, 289000, tzinfo=UTC)
    assert info.exception_description is None
    event = info.events[0]
    assert event.city_locality == "OCEANSIDE"
    assert event.country_code is None and event.signer is None  # "" means absent
    assert event.carrier_occurred_at == datetime(2024, 10, 25, 5, 32)  # carrier's local time stays zone-less


def test_seed_usps_example_parses_every_event() -> None:
    info = TrackingInfo.model_validate(load_json("seeds/track_usps_delivered.json"))
    assert info.carrier_code == "usps" and info.carrier_id == "1"
    assert info.ship_date is None and info.actual_delivery_date is None
    assert [e.event_code for e in info.events] == ["01", "OF", "07", "NT", "10", "03"]
    assert info.events[0].latitude == pytest.approx(37.0776)
    assert info.events[3].city_locality is None


def test_numbers_where_strings_belong_become_strings() -> None:
    info = TrackingInfo.model_validate(load_json("quirks/track_numeric_codes.json"))
    assert info.carrier_id == "1"
    assert info.carrier_status_code == "10"
    first = info.events[0]
    assert first.postal_code == "2134"
    assert first.event_code == "10"
    assert first.status_code == "3"
    assert first.latitude == pytest.approx(42.3539)  # a string latitude becomes a number


def test_blank_strings_are_absent_and_zoneless_times_are_utc() -> None:
    info = TrackingInfo.model_validate(load_json("quirks/track_blank_strings.json"))
    assert info.tracking_url is None
    assert info.status_detail_code is None
    assert info.actual_delivery_date is None
    assert info.ship_date == datetime(2026, 4, 30, tzinfo=UTC)
    assert info.events[0].occurred_at == datetime(2026, 5, 1, 6, 12, tzinfo=UTC)
    assert info.events[1].occurred_at is None
    assert info.events[2].description is None


def test_unknown_enum_values_and_fields_are_kept_or_ignored_never_rejected() -> None:
    info = TrackingInfo.model_validate(load_json("quirks/track_unknown_enum.json"))
    assert info.status_code == "ZZ"
    assert info.status_detail_code == "SOMETHING_NEW"


def test_v2_detail_code_in_status_code_is_kept() -> None:
    info = TrackingInfo.model_validate(load_json("quirks/track_v2_detail_in_status_code.json"))
    assert info.status_code == "COLLECTION_FAILED"


def test_multi_package_label_lists_every_package_number() -> None:
    label = Label.model_validate(load_json("quirks/label_multi_package.json"))
    assert len(label.packages) == 3
    assert len(label.tracking_numbers) >= 3
    assert [p.sequence for p in label.packages] == [1, 2, 3]


def test_shipment_with_numeric_postal_code_and_tag_objects() -> None:
    shipment = Shipment.model_validate(load_json("quirks/shipment_numeric_postal.json"))
    assert shipment.ship_to is not None
    assert isinstance(shipment.ship_to.postal_code, str)
    assert shipment.tags == ["Priority", "Gift Wrap"]
    assert [i.quantity for i in shipment.items] == [2, 1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-04-30T00:00:00", datetime(2026, 4, 30, tzinfo=UTC)),
        ("2026-04-30T02:00:00+02:00", datetime(2026, 4, 30, tzinfo=UTC)),
        ("2026-04-30T00:00:00.123Z", datetime(2026, 4, 30, 0, 0, 0, 123000, tzinfo=UTC)),
        ("2026-04-30", datetime(2026, 4, 30, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
        (None, None),
        (12, None),
        ("9" * 500, None),
        ("0001-01-01T00:00:00+14:00", datetime(1, 1, 1, tzinfo=UTC)),  # clamped, not an OverflowError
        ("9999-12-31T23:00:00-05:00", datetime.max.replace(tzinfo=UTC)),
    ],
)
def test_timestamps_are_read_leniently(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize(
    "payload",
    [
        {"events": "not a list"},
        {"events": [None, 3, "x", {"occurred_at": "garbage"}]},
        {"status_code": {"nested": True}, "carrier_id": [1, 2]},
        {"ship_date": 1e308, "estimated_delivery_date": True},
    ],
)
def test_garbage_inside_a_response_never_fails_the_whole_parse(payload: dict[str, object]) -> None:
    info = TrackingInfo.model_validate(payload)
    assert info.status_code is None or isinstance(info.status_code, str)


def test_error_body_reads_capitalised_error_source() -> None:
    body = ErrorBody.model_validate(load_json("quirks/error_404.json"))
    assert body.request_id
    assert body.errors[0].error_source == "ShipStation"
    assert body.errors[0].error_code == "invalid_identifier"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8/4/2021", datetime(2021, 8, 4, tzinfo=UTC)),  # US order: month first
        ("12/31/2026", datetime(2026, 12, 31, tzinfo=UTC)),
        ("13/31/2026", None),
        ("8/4/21", None),
    ],
)
def test_us_style_dates_are_read_month_first(value: str, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


def test_a_tracking_answers_zoneless_dates_are_marked_and_carrier_times_keep_a_real_offset() -> None:
    import pickle

    from shipstation_mcp.times import ZONELESS, is_zoneless

    info = TrackingInfo.model_validate(
        {
            "ship_date": "2026-08-24T17:00:00",
            "estimated_delivery_date": "2026-08-27T10:00:00Z",
            "events": [
                {"occurred_at": "2026-08-25T02:47:30Z", "carrier_occurred_at": "2026-08-24T12:47:30-07:00"},
                {"occurred_at": "2026-09-03T16:18:41Z", "carrier_occurred_at": "2026-09-03T12:18:41Z"},
            ],
        }
    )
    assert is_zoneless(info.ship_date) and info.ship_date == datetime(2026, 8, 24, 17, tzinfo=UTC)
    assert not is_zoneless(info.estimated_delivery_date)
    moment, wall = info.events[0].carrier_occurred_at, info.events[1].carrier_occurred_at
    assert moment is not None and moment.utcoffset() is not None and moment.utcoffset().total_seconds() == -7 * 3600
    assert wall == datetime(2026, 9, 3, 12, 18, 41)  # the carrier's wall clock, its glued-on Z dropped
    assert pickle.loads(pickle.dumps(info.ship_date)).tzinfo is ZONELESS
    assert info.model_dump(mode="json")["ship_date"] == "2026-08-24T17:00:00Z"
