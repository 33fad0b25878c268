"""The written decision of which API fields reach an answer (`api/fields.py`) covers every field of the specs'
shipment, label and tracking schemas, and what it promises is true: each field decided shown is parsed, and a
value set in the payload is in the answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shipstation_mcp.answers.base import compact_json
from shipstation_mcp.answers.shipments import summarize_label, summarize_shipment
from shipstation_mcp.api.fields import DECISIONS, READING, STRUCTURED, TEXT, shown
from shipstation_mcp.api.models import (
    Address,
    Label,
    LabelPackage,
    Shipment,
    ShipmentPackage,
    TrackEvent,
    TrackingInfo,
)

CONTRACTS = Path(__file__).resolve().parents[2].parent / "shared" / "contracts"
MODELS = {
    "shipment": Shipment,
    "label": Label,
    "label_package": LabelPackage,
    "package": ShipmentPackage,
    "tracking_information": TrackingInfo,
    "shipping_address": Address,
    "track_event": TrackEvent,
}


def _properties(schemas: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    if "$ref" in schema:
        return _properties(schemas, schemas[schema["$ref"].rsplit("/", 1)[1]])
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= _properties(schemas, part)
    return names


def _spec_fields(spec: str) -> dict[str, set[str]]:
    schemas = yaml.safe_load((CONTRACTS / spec).read_text(encoding="utf-8"))["components"]["schemas"]
    fields = {name: _properties(schemas, schemas[name]) for name in MODELS if name in schemas}
    events = schemas["tracking_information"]["properties"]["events"]["items"]
    fields["track_event"] = _properties(schemas, events)
    return fields


@pytest.mark.skipif(not CONTRACTS.is_dir(), reason="../shared/contracts is not here")
@pytest.mark.parametrize("spec", ["shipstation-v2-openapi.yaml", "shipengine-openapi.yaml"])
def test_every_field_of_the_specs_has_a_decision(spec: str) -> None:
    for schema, names in _spec_fields(spec).items():
        undecided = names - set(DECISIONS[schema])
        assert not undecided, f"{spec} {schema}: no decision for {sorted(undecided)}"


@pytest.mark.parametrize("schema", sorted(MODELS))
def test_every_field_decided_shown_or_read_is_parsed(schema: str) -> None:
    model = MODELS[schema]
    parsed = set(model.model_fields)
    for field in model.model_fields.values():
        aliases = getattr(field.validation_alias, "choices", None) or []
        parsed |= {alias for alias in aliases if isinstance(alias, str)}
    used = {name for name, where in DECISIONS[schema].items() if where in {TEXT, STRUCTURED, READING}}
    assert used <= parsed, sorted(used - parsed)


def test_the_decisions_are_words_or_a_place() -> None:
    for schema, decisions in DECISIONS.items():
        for name, where in decisions.items():
            assert where in {TEXT, STRUCTURED, READING} or len(where) > 15, (schema, name)


RICH_SHIPMENT: dict[str, Any] = {
    "shipment_id": "se-1",
    "shipment_number": "10443",
    "external_shipment_id": "WEB-1",
    "external_order_id": "SHOP-9",
    "shipment_status": "pending",
    "hold_until_date": "2026-09-15T00:00:00Z",
    "ship_by_date": "2026-09-16T00:00:00Z",
    "deliver_by_date": "2026-09-20T00:00:00Z",
    "ship_date": "2026-09-16T00:00:00Z",
    "created_at": "2026-09-01T10:00:00Z",
    "carrier_id": "se-77",
    "service_code": "ups_ground",
    "requested_shipment_service": "Standard shipping",
    "ship_to": {
        "name": "Ann",
        "address_line1": "1 Main St",
        "city_locality": "Reno",
        "address_residential_indicator": "yes",
    },
    "ship_from": {"company_name": "Shop", "city_locality": "Portland"},
    "return_to": {"company_name": "Returns", "city_locality": "Salem"},
    "is_return": True,
    "confirmation": "adult_signature",
    "insurance_provider": "carrier",
    "advanced_options": {"saturday_delivery": True, "contains_alcohol": True},
    "customs": {"contents": "gift"},
    "items": [{"name": "Tent", "sku": "T-1", "quantity": 1}],
    "packages": [
        {
            "package_code": "medium_flat_rate_box",
            "weight": {"value": 2, "unit": "pound"},
            "dimensions": {"unit": "inch", "length": 10, "width": 8, "height": 4},
            "insured_value": {"currency": "usd", "amount": 150},
            "content_description": "camping gear",
        }
    ],
    "total_weight": {"value": 2, "unit": "pound"},
    "tags": [{"name": "VIP"}],
    "order_source_code": "shopify",
    "store_id": "se-5",
    "amount_paid": {"currency": "usd", "amount": 100},
    "shipping_paid": {"currency": "usd", "amount": 9.5},
    "tax_paid": {"currency": "usd", "amount": 7},
    "notes_from_buyer": "Leave at the door",
    "notes_for_gift": "Happy birthday",
    "is_gift": True,
}
# shipment field -> where its value is in the answer (a key, or a key and what its value says)
SHIPMENT_REACH: dict[str, tuple[str, str]] = {
    "hold_until_date": ("hold_until_date", "2026-09-15"),
    "requested_shipment_service": ("requested_service", "Standard shipping"),
    "confirmation": ("confirmation", "adult signature required"),
    "insurance_provider": ("insurance", "insured with the carrier for 150.00 USD"),
    "advanced_options": ("options", "Saturday delivery"),
    "customs": ("customs_contents", "gift"),
    "is_return": ("is_return", "True"),
    "ship_from": ("ship_from", "Portland"),
    "return_to": ("return_to", "Salem"),
    "packages": ("packages", "10 × 8 × 4 in"),
    "total_weight": ("total_weight", "2 lb"),
    "amount_paid": ("amount_paid", "100.00 USD"),
    "shipping_paid": ("shipping_paid", "9.50 USD"),
    "tax_paid": ("tax_paid", "7.00 USD"),
    "notes_from_buyer": ("buyer_note", "Leave at the door"),
    "notes_for_gift": ("gift_note", "Happy birthday"),
    "is_gift": ("gift", "True"),
    "external_order_id": ("external_order_id", "SHOP-9"),
    "deliver_by_date": ("deliver_by_date", "2026-09-20"),
    "order_source_code": ("order_source", "shopify"),
    "store_id": ("store_id", "se-5"),
}


@pytest.mark.parametrize("field", sorted(SHIPMENT_REACH))
def test_a_shipment_field_decided_shown_reaches_the_answer(field: str) -> None:
    key, said = SHIPMENT_REACH[field]
    data = compact_json(summarize_shipment(Shipment.model_validate(RICH_SHIPMENT)))
    assert said in str(data.get(key)), (field, data.get(key))
    without = compact_json(summarize_shipment(Shipment.model_validate({**RICH_SHIPMENT, field: None})))
    assert said not in str(without.get(key)), field  # it came from that field


def test_the_shipment_text_says_what_a_customer_asks() -> None:
    text = summarize_shipment(Shipment.model_validate(RICH_SHIPMENT)).text()
    for words in ("adult signature required", "Saturday delivery", "2 lb, 10 × 8 × 4 in", "shipping 9.50 USD"):
        assert words in text
    assert "Customer's note: “Leave at the door" in text and "Gift, note: “Happy birthday”" in text


def test_a_label_field_decided_shown_reaches_the_answer() -> None:
    label = Label.model_validate(
        {
            "label_id": "se-9",
            "status": "completed",
            "tracking_number": "1Z999AA10123456784",
            "carrier_code": "ups",
            "confirmation": "signature",
            "rma_number": "RMA-5",
            "is_return_label": True,
            "outbound_label_id": "se-8",
            "test_label": True,
            "trackable": False,
            "package_code": "package",
            "shipment_cost": {"currency": "usd", "amount": 12.5},
            "insurance_cost": {"currency": "usd", "amount": 1.25},
            "ship_to": {"name": "Ann", "city_locality": "Reno"},
            "created_at": "2026-09-01T10:00:00Z",
            "packages": [{"weight": {"value": 3, "unit": "ounce"}, "insured_value": {"currency": "usd", "amount": 40}}],
        }
    )
    data = compact_json(summarize_label(label))
    assert data["confirmation"] == "signature required" and data["rma_number"] == "RMA-5"
    assert data["outbound_label_id"] == "se-8" and data["test_label"] is True and data["trackable"] is False
    assert data["shipment_cost"] == "12.50 USD" and data["insurance_cost"] == "1.25 USD"
    assert data["packages"] == [{"weight": "3 oz", "insured_value": "40.00 USD"}]
    assert data["ship_to"]["place"] == "Reno" and data["created_at"].startswith("2026-09-01")
    assert {"label_id", "status", "tracking_number", "carrier_code"} <= set(data)
    assert shown("label") >= {"confirmation", "rma_number", "test_label"}
