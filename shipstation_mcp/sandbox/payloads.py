"""Turn the demo account's specs into API payloads for one moment, in either API flavour's shape.

Shapes follow the official specs (`shared/contracts/`), including the ways real answers break them, so the layers
above meet what production meets:

- ShipEngine (`/v1`): event `postal_code`, `event_code` and `carrier_status_code` arrive as JSON numbers when they
  are all digits (leading zeros lost: Allston's 02134 becomes 2134); the tracking `carrier_id` is an integer.
- ShipStation V2 (`/v2`): a label's track answer says `shipped_date` instead of `ship_date` and leaves out
  `carrier_code`, `carrier_id` and `tracking_url` (as the V2 documentation's sample does); shipment `ship_date` is a
  bare date; shipments carry V2-only fields (`store_id`, `ship_by_date`, `amount_paid`, …).
- Both: DHL Express timestamps have no zone (`2026-04-30T09:12:00`) and DHL leaves absent texts as `""`; USPS gives
  a status code only on the newest event (older ones have `null`, as in the USPS documentation sample);
  `carrier_occurred_at` is the carrier's local wall-clock time without a zone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..api.families import SHIPENGINE, V2, ApiFamily
from ..api.status import DETAIL_CODES, status_info
from ..zones import zone
from .account import (
    CARRIERS,
    SHIP_FROM,
    SHIPMENTS,
    STORES,
    WAREHOUSE_ID,
    CarrierSpec,
    Customer,
    FulfillmentSpec,
    LabelSpec,
    Package,
    Place,
    Scan,
    ShipmentSpec,
)


@dataclass(frozen=True)
class Flavour:
    """How one API family's answers are shaped, as the demo account imitates them: every difference between the
    families' payloads is one field here, read where the payload is built."""

    family: ApiFamily
    error_source: str
    """`error_source` of its error bodies."""
    tracks_by_number: bool
    """It has `GET /tracking?carrier_code=&tracking_number=`."""
    searches_shipments: bool
    """`GET /shipments` filters by `shipment_number`, `ship_to_name`, `item_keyword`, `store_id`, `external_shipment_id`
    (V2); otherwise by `tag` (ShipEngine)."""
    shipment_extras: bool
    """Shipments carry the V2-only fields (`store_id`, `ship_by_date`, `amount_paid`, …)."""
    bare_ship_date: bool
    """A shipment's `ship_date` is a bare date (V2), not a midnight timestamp (ShipEngine)."""
    void_details: bool
    """Labels carry `void_type` and `refund_details`."""
    digits_as_numbers: bool
    """All-digit codes and postal codes arrive as JSON numbers (leading zeros lost)."""
    lean_label_tracking: bool
    """A label's track answer says `shipped_date` for `ship_date` and leaves out carrier code, id and link (V2)."""
    carrier_connection: bool
    """Carriers carry `allows_returns`, `send_rates`, `connection_status`, …"""
    webhook_name_and_store: bool
    """Webhooks carry `name` and `store_id`."""
    sorts_labels_by_voided: bool
    """`GET /labels` may sort by `voided_at`."""
    track_resource_type: str
    """`resource_type` of its pushed tracking updates."""
    has_fulfillments: bool = False
    """`GET /fulfillments` lists orders marked shipped outside the label flow (V2)."""
    plan_may_refuse_tracking: bool = False
    """A plan without tracking answers `GET /tracking` and `POST /tracking/start` with 403 (V2); the sandbox plays
    it when asked (`SandboxTransport(v2_tracking=403)`)."""
    watch_needs_webhook: bool = False
    """`POST /tracking/start` is refused until a tracking webhook exists (V2)."""

    @property
    def name(self) -> str:
        return self.family.name

    @property
    def root(self) -> str:
        """Where the real API lives: page links and download URLs point there."""
        return self.family.default_root


V2_FLAVOUR = Flavour(
    family=V2,
    error_source="ShipStation",
    tracks_by_number=True,
    searches_shipments=True,
    shipment_extras=True,
    bare_ship_date=True,
    void_details=False,
    digits_as_numbers=False,
    lean_label_tracking=True,
    carrier_connection=False,
    webhook_name_and_store=False,
    sorts_labels_by_voided=False,
    track_resource_type="TRACK_EVENT_V2",
    has_fulfillments=True,
    plan_may_refuse_tracking=True,
    watch_needs_webhook=True,
)
SHIPENGINE_FLAVOUR = Flavour(
    family=SHIPENGINE,
    error_source="shipengine",
    tracks_by_number=True,
    searches_shipments=False,
    shipment_extras=False,
    bare_ship_date=False,
    void_details=True,
    digits_as_numbers=True,
    lean_label_tracking=False,
    carrier_connection=True,
    webhook_name_and_store=True,
    sorts_labels_by_voided=True,
    track_resource_type="API_TRACK",
)
FLAVOUR_OF_FAMILY: dict[ApiFamily, Flavour] = {flavour.family: flavour for flavour in (V2_FLAVOUR, SHIPENGINE_FLAVOUR)}

V2_ONLY_SHIPMENT_FIELDS = (
    "amount_paid",
    "assigned_user",
    "display_scheme",
    "hold_until_date",
    "is_gift",
    "notes_for_gift",
    "notes_from_buyer",
    "requested_shipment_service",
    "retail_rate",
    "ship_by_date",
    "shipping_paid",
    "store_id",
    "tax_paid",
)

LABEL_TRACKING_STATUS: dict[str, str] = {
    "AC": "in_transit",
    "IT": "in_transit",
    "AT": "in_transit",
    "NY": "in_transit",
    "DE": "delivered",
    "SP": "delivered_to_service_point",
    "EX": "error",
    "UN": "unknown",
}

CARRIERS_BY_CODE: dict[str, CarrierSpec] = {c.carrier_code: c for c in CARRIERS}


WAREHOUSE_ZONE = "America/Los_Angeles"
"""Portland, Oregon, where the shop ships from."""


class Clockface:
    """Renders "hours ago" as timestamps relative to one fixed moment (floored to the minute)."""

    def __init__(self, now: datetime) -> None:
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        self.now = now.astimezone(UTC).replace(second=0, microsecond=0)

    def at(self, hours_ago: float) -> datetime:
        return self.now - timedelta(hours=hours_ago)

    def iso(self, hours_ago: float, *, millis: bool = False, zone: bool = True) -> str:
        moment = self.at(hours_ago)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if millis:
            text += f".{_stable_millis(hours_ago):03d}"
        return text + ("Z" if zone else "")

    def date(self, hours_ago: float) -> str:
        return self.at(hours_ago).strftime("%Y-%m-%d")

    def midnight(self, hours_ago: float) -> str:
        return self.date(hours_ago) + "T00:00:00Z"

    def local(self, hours_ago: float, zone_name: str) -> str:
        """That moment on the wall clock of an IANA zone (its offset in that season), without a zone."""
        where = zone(zone_name) or UTC
        return self.at(hours_ago).astimezone(where).strftime("%Y-%m-%dT%H:%M:%S")

    def local_day(self, hours_ago: float, zone_name: str) -> str:
        """That moment's date in an IANA zone, as a date-only timestamp."""
        return self.local(hours_ago, zone_name)[:10] + "T00:00:00Z"


def _stable_millis(value: float) -> int:
    return int(hashlib.sha256(repr(value).encode()).hexdigest()[:4], 16) % 1000


def _token(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:12]


def _money(amount: float) -> dict[str, Any]:
    return {"currency": "usd", "amount": round(amount, 2)}


# ------------------------------------------------------------------------------------------------ addresses


def address(customer: Customer) -> dict[str, Any]:
    place = customer.place
    return {
        "name": customer.name,
        "phone": customer.phone,
        "email": None,
        "company_name": customer.company,
        "address_line1": customer.street,
        "address_line2": customer.street2,
        "address_line3": None,
        "city_locality": place.city,
        "state_province": place.state,
        "postal_code": place.postal_code,
        "country_code": place.country,
        "address_residential_indicator": "yes" if customer.residential else "no",
    }


# ------------------------------------------------------------------------------------------------ shipments


def active_labels(spec: ShipmentSpec) -> list[LabelSpec]:
    return [label for label in spec.labels if label.voided_hours_ago is None]


def shipment_modified_hours_ago(spec: ShipmentSpec) -> float:
    if spec.modified_hours_ago is not None:
        return spec.modified_hours_ago
    times = [spec.created_hours_ago, *(label.created_hours_ago for label in spec.labels)]
    return min(times)


def shipment(spec: ShipmentSpec, flavour: Flavour, clock: Clockface) -> dict[str, Any]:
    store = STORES[spec.store]
    live = active_labels(spec)
    label = live[0] if live else None
    carrier = CARRIERS_BY_CODE[label.carrier] if label else None
    subtotal = sum(item.quantity * item.unit_price for item in spec.items)
    total_weight = sum(item.quantity * item.weight_oz for item in spec.items)
    items = [
        {
            "name": item.name,
            "sales_order_id": None,
            "sales_order_item_id": None,
            "quantity": item.quantity,
            "sku": item.sku,
            "external_order_id": spec.number,
            "external_order_item_id": f"{spec.number}-{index}",
            "asin": None,
            "order_source_code": store.order_source_code,
            "unit_price": item.unit_price,
            "weight": {"value": item.weight_oz, "unit": "ounce"},
        }
        for index, item in enumerate(spec.items, start=1)
    ]
    packages = []
    for label_spec in live:
        for sequence, package in enumerate(label_spec.packages, start=1):
            packages.append(_shipment_package(spec, label_spec, package, sequence))
    if not packages:
        packages.append(
            {
                "shipment_package_id": f"se-{spec.shipment_id[3:]}1",
                "package_id": None,
                "package_code": "package",
                "package_name": "Package",
                "weight": {"value": total_weight, "unit": "ounce"},
                "dimensions": {"unit": "inch", "length": 12.0, "width": 10.0, "height": 6.0},
                "insured_value": _money(0),
                "label_messages": {"reference1": spec.number, "reference2": None, "reference3": None},
                "external_package_id": None,
                "tracking_number": None,
                "content_description": None,
                "products": [],
            }
        )
    ship_hours = live[0].created_hours_ago if live else None
    payload: dict[str, Any] = {
        "shipment_id": spec.shipment_id,
        "carrier_id": carrier.carrier_id if carrier else None,
        "service_code": label.service_code if label else None,
        "requested_shipment_service": spec.service_code,
        "shipping_rule_id": None,
        "external_order_id": spec.number,
        "hold_until_date": clock.iso(spec.hold_until_hours_ago, millis=True)
        if spec.hold_until_hours_ago is not None
        else None,
        "ship_by_date": clock.iso(spec.ship_by_hours_ago, millis=True) if spec.ship_by_hours_ago is not None else None,
        "retail_rate": None,
        "store_id": store.store_id,
        "items": items,
        "notes_from_buyer": spec.notes_from_buyer,
        "notes_for_gift": "Happy birthday!" if spec.gift else None,
        "is_gift": spec.gift,
        "assigned_user": None,
        "amount_paid": _money(subtotal),
        "shipping_paid": _money(0 if subtotal >= 100 else 8.95),
        "tax_paid": _money(0),
        "zone": None,
        "display_scheme": "label",
        "tax_identifiers": None,
        "external_shipment_id": spec.external_id,
        "shipment_number": spec.number,
        "ship_date": (clock.date(ship_hours) if flavour.bare_ship_date else clock.midnight(ship_hours))
        if ship_hours is not None
        else None,
        "created_at": clock.iso(spec.created_hours_ago, millis=True),
        "modified_at": clock.iso(shipment_modified_hours_ago(spec), millis=True),
        "shipment_status": spec.status,
        "ship_to": address(spec.customer),
        "ship_from": address(SHIP_FROM),
        "warehouse_id": WAREHOUSE_ID,
        "return_to": address(SHIP_FROM),
        "is_return": False,
        "confirmation": "none",
        "customs": _customs(spec) if spec.customs_contents else None,
        "advanced_options": {
            "bill_to_account": None,
            "bill_to_country_code": None,
            "bill_to_party": None,
            "bill_to_postal_code": None,
            "contains_alcohol": False,
            "delivered_duty_paid": False,
            "non_machinable": False,
            "saturday_delivery": False,
            "custom_field1": spec.number,
            "custom_field2": None,
            "custom_field3": None,
        },
        "insurance_provider": "none",
        "tags": [{"name": tag} for tag in spec.tags],
        "order_source_code": store.order_source_code,
        "packages": packages,
        "total_weight": {"value": total_weight, "unit": "ounce"},
        "comparison_rate_type": None,
    }
    if not flavour.shipment_extras:
        for key in V2_ONLY_SHIPMENT_FIELDS:
            payload.pop(key, None)
    return payload


def _shipment_package(spec: ShipmentSpec, label: LabelSpec, package: Package, sequence: int) -> dict[str, Any]:
    length, width, height = package.dimensions_in
    count = len(label.packages)
    return {
        "shipment_package_id": f"se-{label.label_id[3:]}{sequence}",
        "package_id": f"se-{label.label_id[3:]}{sequence}",
        "package_code": "package",
        "package_name": "Package",
        "weight": {"value": package.weight_oz, "unit": "ounce"},
        "dimensions": {"unit": "inch", "length": length, "width": width, "height": height},
        "insured_value": _money(0),
        "label_messages": {
            "reference1": spec.number,
            "reference2": f"Box {sequence} of {count}" if count > 1 else None,
            "reference3": None,
        },
        "external_package_id": None,
        "tracking_number": package.tracking_number,
        "content_description": None,
        "products": [],
    }


def _customs(spec: ShipmentSpec) -> dict[str, Any]:
    return {
        "contents": spec.customs_contents,
        "contents_explanation": None,
        "non_delivery": "return_to_sender",
        "terms_of_trade_code": "ddu",
        "declaration": "I hereby certify that the information on this invoice is true and correct.",
        "customs_items": [
            {
                "customs_item_id": f"se-{spec.shipment_id[3:]}{index}",
                "description": item.name,
                "quantity": item.quantity,
                "value": _money(item.unit_price),
                "harmonized_tariff_code": item.hs_code,
                "country_of_origin": "US",
                "unit_of_measure": None,
                "sku": item.sku,
                "sku_description": "",
            }
            for index, item in enumerate(spec.items, start=1)
        ],
    }


# ------------------------------------------------------------------------------------------------ labels


def label(spec: ShipmentSpec, label_spec: LabelSpec, flavour: Flavour, clock: Clockface) -> dict[str, Any]:
    carrier = CARRIERS_BY_CODE[label_spec.carrier]
    voided = label_spec.voided_hours_ago is not None
    number = label_spec.tracking_number
    download = f"{flavour.root}/downloads/10/{_token(label_spec.label_id)}/label-{label_spec.label_id[3:]}"
    packages = []
    count = len(label_spec.packages)
    for sequence, package in enumerate(label_spec.packages, start=1):
        length, width, height = package.dimensions_in
        packages.append(
            {
                "package_id": int(label_spec.label_id[3:]) * 10 + sequence,
                "package_code": "package",
                "weight": {"value": package.weight_oz, "unit": "ounce"},
                "dimensions": {"unit": "inch", "length": length, "width": width, "height": height},
                "insured_value": _money(0),
                "tracking_number": package.tracking_number,
                "label_messages": {
                    "reference1": spec.number,
                    "reference2": f"Box {sequence} of {count}" if count > 1 else None,
                    "reference3": None,
                },
                "external_package_id": None,
                "content_description": None,
                "sequence": sequence,
                "has_label_documents": True,
                "has_form_documents": bool(spec.customs_contents),
                "has_qr_code_documents": False,
                "has_paperless_label_documents": False,
                "alternative_identifiers": [],
            }
        )
    payload: dict[str, Any] = {
        "label_id": label_spec.label_id,
        "status": "voided" if voided else "completed",
        "shipment_id": spec.shipment_id,
        "external_shipment_id": spec.external_id,
        "external_order_id": spec.number,
        "ship_date": clock.midnight(label_spec.created_hours_ago),
        "created_at": clock.iso(label_spec.created_hours_ago, millis=True),
        "shipment_cost": _money(label_spec.cost),
        "insurance_cost": _money(0),
        "requested_comparison_amount": None,
        "tracking_number": number,
        "is_return_label": False,
        "rma_number": None,
        "is_international": spec.customer.place.country != "US",
        "batch_id": "",
        "carrier_id": carrier.carrier_id,
        "charge_event": "carrier_default",
        "service_code": label_spec.service_code,
        "package_code": "package",
        "voided": voided,
        "voided_at": clock.iso(label_spec.voided_hours_ago, millis=True) if voided else None,
        "label_format": "pdf",
        "display_scheme": "label",
        "label_layout": "4x6",
        "trackable": not voided,
        "label_image_id": None,
        "carrier_code": carrier.carrier_code,
        "confirmation": "none",
        "tracking_status": "unknown" if voided else LABEL_TRACKING_STATUS.get(label_spec.status_code, "unknown"),
        "label_download": {
            "href": download + ".pdf",
            "pdf": download + ".pdf",
            "png": download + ".png",
            "zpl": download + ".zpl",
        },
        "form_download": {"href": download + "-customs.pdf", "type": "child"} if spec.customs_contents else None,
        "qr_code_download": None,
        "paperless_download": None,
        "insurance_claim": None,
        "packages": packages,
        "alternative_identifiers": [],
        "rate_details": [
            {
                "rate_detail_type": "shipping",
                "carrier_description": "Base charge",
                "carrier_billing_code": "BaseServiceCharge",
                "carrier_memo": None,
                "amount": _money(label_spec.cost),
                "billing_source": "Carrier",
            }
        ],
        "tracking_url": carrier.tracking_url.format(number=number),
        "ship_to": address(spec.customer),
    }
    if flavour.void_details:
        payload["void_type"] = "manual" if voided else None
        payload["refund_details"] = None
    return payload


# ------------------------------------------------------------------------------------------------ tracking


def _code_value(value: str, flavour: Flavour) -> str | int:
    """ShipEngine sends all-digit codes as JSON numbers (leading zeros lost)."""
    if flavour.digits_as_numbers and value.isdigit():
        return int(value)
    return value


def _zone(place: Place | None) -> str:
    """The zone where a scan happened; the warehouse's (Portland) when the scan names no place."""
    return (place.zone if place else None) or WAREHOUSE_ZONE


def _event(scan: Scan, carrier: str, flavour: Flavour, clock: Clockface, *, newest: bool) -> dict[str, Any]:
    dhl = carrier == "dhl_express"
    usps = carrier == "stamps_com"
    place = scan.place
    info = status_info(scan.status)
    has_status = newest or not usps
    postal: str | int | None = place.postal_code if place else None
    if postal is not None:
        postal = _code_value(postal, flavour)
    blank: str | None = "" if dhl else None
    return {
        "occurred_at": clock.iso(scan.hours_ago, zone=not dhl),
        "carrier_occurred_at": clock.local(scan.hours_ago, _zone(place)),
        "description": scan.description,
        "city_locality": place.city if place else "",
        "state_province": (place.state or "") if place else "",
        "postal_code": postal if postal is not None else "",
        "country_code": place.country if place else "",
        "company_name": "",
        "signer": scan.signer,
        "event_code": _code_value(scan.event_code, flavour),
        "carrier_detail_code": blank,
        "status_code": scan.status if has_status else None,
        "status_detail_code": scan.detail if has_status else None,
        "status_description": info.description if has_status else None,
        "status_detail_description": DETAIL_CODES.get(scan.detail or "") if has_status else None,
        "carrier_status_code": _code_value(scan.event_code, flavour),
        "carrier_status_description": scan.description,
        "latitude": None,
        "longitude": None,
    }


def _estimate(label_spec: LabelSpec, clock: Clockface, *, dhl: bool) -> str | None:
    eta = label_spec.eta_hours_ago
    if eta is None:
        return None
    if label_spec.eta_is_day:
        return clock.local_day(eta, _zone(label_spec.scans[-1].place if label_spec.scans else None))
    return clock.iso(eta, zone=not dhl)


def tracking(
    label_spec: LabelSpec,
    flavour: Flavour,
    clock: Clockface,
    *,
    number: str | None = None,
    by_label: bool,
    carrier_code: str | None = None,
) -> dict[str, Any]:
    """The `tracking_information` answer for a label (or one package of it)."""
    carrier = CARRIERS_BY_CODE[label_spec.carrier]
    dhl = carrier.carrier_code == "dhl_express"
    number = number or label_spec.tracking_number
    scans = label_spec.scans
    latest = scans[-1] if scans else None
    code = latest.status if latest else "NY"
    detail = latest.detail if latest else None
    info = status_info(code)
    accepted = next((s for s in scans if s.status not in {"NY"}), None)
    delivered = next((s for s in reversed(scans) if s.status == "DE"), None)
    blank: str | None = "" if dhl else None
    ship_hours = accepted.hours_ago if accepted else label_spec.created_hours_ago
    payload: dict[str, Any] = {
        "tracking_number": number,
        "tracking_url": carrier.tracking_url.format(number=number),
        "status_code": code,
        "status_detail_code": detail,
        "carrier_code": carrier_code or carrier.carrier_code,
        "carrier_id": carrier.numeric_id,
        "status_description": info.description,
        "status_detail_description": DETAIL_CODES.get(detail or "") if detail else blank,
        "carrier_status_code": _code_value(latest.event_code, flavour) if latest else blank,
        "carrier_detail_code": blank,
        "carrier_status_description": latest.description if latest else blank,
        "ship_date": clock.iso(ship_hours, zone=not dhl) if accepted else None,
        "estimated_delivery_date": _estimate(label_spec, clock, dhl=dhl),
        "actual_delivery_date": clock.iso(delivered.hours_ago, zone=not dhl) if delivered else blank,
        "exception_description": label_spec.exception_description or blank,
        "events": [
            _event(scan, carrier.carrier_code, flavour, clock, newest=index == 0)
            for index, scan in enumerate(reversed(scans))
        ],
    }
    if flavour.lean_label_tracking and by_label:
        payload["shipped_date"] = payload.pop("ship_date")
        for key in ("carrier_code", "carrier_id", "tracking_url"):
            payload.pop(key)
    return payload


def unknown_tracking(number: str, carrier_code: str) -> dict[str, Any]:
    """What the tracking endpoint says about a number the carrier has never seen."""
    info = status_info("UN")
    return {
        "tracking_number": number,
        "tracking_url": None,
        "status_code": "UN",
        "status_detail_code": None,
        "carrier_code": carrier_code,
        "carrier_id": None,
        "status_description": info.description,
        "status_detail_description": None,
        "carrier_status_code": None,
        "carrier_detail_code": None,
        "carrier_status_description": "No tracking information is available for this number yet.",
        "ship_date": None,
        "estimated_delivery_date": None,
        "actual_delivery_date": None,
        "exception_description": None,
        "events": [],
    }


# ------------------------------------------------------------------------------------------------ fulfillments


def fulfillment(spec: FulfillmentSpec, shipment_spec: ShipmentSpec, clock: Clockface) -> dict[str, Any]:
    """One `GET /v2/fulfillments` row, shaped like the real one (a friendly carrier name, no carrier code; `null`s
    for what an external fulfillment does not know)."""
    return {
        "fulfillment_id": spec.fulfillment_id,
        "shipment_id": spec.shipment_id,
        "shipment_number": shipment_spec.number,
        "user_id": "5d1c3b9e-7a24-4f0e-9b61-2c8d4e6f0a17",
        "tracking_number": spec.package.tracking_number,
        "created_at": clock.iso(spec.shipped_hours_ago - 0.2, millis=True),
        "ship_date": clock.iso(spec.shipped_hours_ago),
        "voided_at": None,
        "delivered_at": None,
        "fulfillment_carrier_friendly_name": spec.carrier_name,
        "fulfillment_provider_id": "se-16846",
        "fulfillment_provider_friendly_name": spec.provider,
        "fulfillment_provider_code": spec.provider.lower(),
        "fulfillment_service_code": "ext",
        "fulfillment_fee": {"currency": "usd", "amount": 0.0},
        "void_requested": False,
        "voided": False,
        "order_source_notified": False,
        "notification_error_message": None,
        "ship_to": address(shipment_spec.customer),
    }


# ------------------------------------------------------------------------------------------------ carriers


def carrier(spec: CarrierSpec, flavour: Flavour) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "carrier_id": spec.carrier_id,
        "carrier_code": spec.carrier_code,
        "account_number": spec.account_number,
        "requires_funded_amount": spec.carrier_code == "stamps_com",
        "balance": 73.4 if spec.carrier_code == "stamps_com" else 0.0,
        "nickname": spec.nickname,
        "friendly_name": spec.friendly_name,
        "funding_source_id": None,
        "primary": spec.primary,
        "has_multi_package_supporting_services": spec.carrier_code in {"ups", "fedex"},
        "supports_label_messages": True,
        "disabled_by_billing_plan": False,
        "services": [
            {
                "carrier_id": spec.carrier_id,
                "carrier_code": spec.carrier_code,
                "service_code": code,
                "name": name,
                "domestic": domestic,
                "international": international,
                "is_multi_package_supported": spec.carrier_code in {"ups", "fedex"},
            }
            for code, name, domestic, international in spec.services
        ],
        "packages": [],
        "options": [],
    }
    if flavour.carrier_connection:
        payload.update(
            {
                "allows_returns": True,
                "send_rates": True,
                "supports_user_managed_rates": False,
                "connection_status": "connected",
            }
        )
    return payload


__all__ = [
    "CARRIERS",
    "CARRIERS_BY_CODE",
    "FLAVOUR_OF_FAMILY",
    "SHIPENGINE_FLAVOUR",
    "SHIPMENTS",
    "V2_FLAVOUR",
    "Clockface",
    "Flavour",
    "active_labels",
    "carrier",
    "label",
    "shipment",
    "tracking",
    "unknown_tracking",
]
