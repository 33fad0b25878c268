"""ShipStation API objects, parsed leniently.

Real responses break their own schema: codes and postal codes arrive as numbers, strings as `""` or `null`,
timestamps without a zone, enum values the spec never listed. These models accept all of that:

- text fields take numbers and turn them into strings; blank strings and the words `null` and `undefined`
  become absent (None); every text is one line of data (`clean_text`): control characters and line breaks
  collapsed, length capped;
- timestamps without a zone are UTC (ShipStation's `occurred_at`, `ship_date`, … are UTC), except
  `carrier_occurred_at`, which is the carrier's local wall-clock time and stays zone-less on purpose (unless it
  carries a real offset, which makes it a moment); a tracking answer's zone-less dates (FedEx's ship, estimated and
  actual delivery dates) are UTC tagged `ZONELESS`, so their day can be read as the carrier wrote it;
- a timestamp that cannot be read becomes absent rather than failing the whole response;
- enum-like fields are plain strings, so an unknown value is kept, never rejected;
- unknown fields are ignored.
"""

import math
import re
import sys
from datetime import datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from ..times import parse_timestamp, parse_wall_time

MAX_TEXT_CHARS = 500
"""Longest text kept from ShipStation (names, addresses, items, notes, carrier descriptions): the rest is cut."""
_INVISIBLE = re.compile(
    "[\\x00-\\x1f\\x7f-\\x9f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff\\ufff9-\\ufffb\\ud800-\\udfff]"
)

ABSENT_WORDS = frozenset({"null", "undefined"})
"""Text some bodies send where they mean nothing at all ("Signed by null")."""
_LONGEST_ABSENT = max(map(len, ABSENT_WORDS))


def clean_text(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Text from outside as one line of data: control characters, line breaks, zero-width and bidi marks, and lone
    surrogates (JSON can spell them; no database or encoder takes them) become spaces, runs of spaces one, and past
    `limit` characters it is cut (with '…'). A shopper's name or a carrier's scan text can then never start a line
    of its own in an answer, hide text, or run on without end."""
    flat = " ".join(_INVISIBLE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _text(value: Any, limit: int = MAX_TEXT_CHARS) -> str | None:
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float | str):
        text = clean_text(str(value), limit)
        if len(text) <= _LONGEST_ABSENT and text.lower() in ABSENT_WORDS:
            return None
        return text or None
    return None


def _identifier(value: Any) -> str | None:
    """An id, number or URL: one line like any text, but never cut (ids.py explains one too long to use)."""
    return _text(value, limit=sys.maxsize)


def _code(value: Any) -> str | None:
    text = _text(value)
    return text.upper() if text else None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _integer(value: Any) -> int | None:
    number = _number(value)
    if number is None or not number.is_integer() or abs(number) > 2**63:
        return None
    return int(number)


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text is None:
        return None
    if text.lower() in {"true", "1", "yes"}:
        return True
    if text.lower() in {"false", "0", "no"}:
        return False
    return None


def _local_timestamp(value: Any) -> datetime | None:
    return parse_wall_time(value)


def _day_or_timestamp(value: Any) -> datetime | None:
    return parse_timestamp(value, mark_zoneless=True)


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return []


def _tags(value: Any) -> list[str]:
    names: list[str] = []
    for tag in _list(value):
        name = _text(tag.get("name")) if isinstance(tag, dict) else _text(tag)
        if name:
            names.append(name)
    return names


def _object_or_none(value: Any) -> Any:
    return value if isinstance(value, dict | BaseModel) else None


Text = Annotated[str | None, BeforeValidator(_text)]
Ident = Annotated[str | None, BeforeValidator(_identifier)]
Code = Annotated[str | None, BeforeValidator(_code)]
Number = Annotated[float | None, BeforeValidator(_number)]
Integer = Annotated[int | None, BeforeValidator(_integer)]
Flag = Annotated[bool | None, BeforeValidator(_flag)]
Timestamp = Annotated[datetime | None, BeforeValidator(parse_timestamp)]
LocalTimestamp = Annotated[datetime | None, BeforeValidator(_local_timestamp)]
DayOrTimestamp = Annotated[datetime | None, BeforeValidator(_day_or_timestamp)]
Tags = Annotated[list[str], BeforeValidator(_tags)]


class ApiModel(BaseModel):
    # defer_build: validators are built at the first answer parsed, not at import, so start-up does not pay for
    # every API object when tools/list needs none of them.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=False, defer_build=True)


def _objects(value: Any) -> list[Any]:
    return [item for item in _list(value) if isinstance(item, dict | BaseModel)]


Objects = BeforeValidator(_objects)
MaybeObject = BeforeValidator(_object_or_none)


class Address(ApiModel):
    name: Text = None
    company_name: Text = None
    address_line1: Text = None
    address_line2: Text = None
    address_line3: Text = None
    city_locality: Text = None
    state_province: Text = None
    postal_code: Text = None
    country_code: Code = None
    address_residential_indicator: Text = None


class Money(ApiModel):
    amount: Number = None
    currency: Text = None


class Dimensions(ApiModel):
    length: Number = None
    width: Number = None
    height: Number = None
    unit: Text = None


class ShipmentItem(ApiModel):
    name: Text = None
    sku: Text = None
    quantity: Integer = None
    external_order_id: Ident = None


class Weight(ApiModel):
    value: Number = None
    unit: Text = None


class ShipmentPackage(ApiModel):
    package_code: Text = None
    package_name: Text = None
    weight: Annotated[Weight | None, MaybeObject] = None
    dimensions: Annotated[Dimensions | None, MaybeObject] = None
    insured_value: Annotated[Money | None, MaybeObject] = None
    content_description: Text = None
    tracking_number: Text = None


class AdvancedOptions(ApiModel):
    """The delivery options a customer may ask about (the rest of `advanced_options` is billing and handling)."""

    saturday_delivery: Flag = None
    contains_alcohol: Flag = None
    delivered_duty_paid: Flag = None
    dry_ice: Flag = None
    additional_handling: Flag = None
    fragile: Flag = None
    collect_on_delivery: Any = None


class Customs(ApiModel):
    contents: Text = None
    non_delivery: Text = None


class Shipment(ApiModel):
    shipment_id: Ident = None
    shipment_number: Ident = None
    external_shipment_id: Ident = None
    external_order_id: Ident = None
    shipment_status: Text = None
    carrier_id: Ident = None
    service_code: Text = None
    requested_shipment_service: Text = None
    store_id: Ident = None
    created_at: Timestamp = None
    modified_at: Timestamp = None
    ship_by_date: Timestamp = None
    ship_date: Timestamp = Field(default=None, validation_alias=AliasChoices("ship_date", "shipped_date"))
    hold_until_date: Timestamp = None
    deliver_by_date: Timestamp = None
    ship_to: Annotated[Address | None, MaybeObject] = None
    ship_from: Annotated[Address | None, MaybeObject] = None
    return_to: Annotated[Address | None, MaybeObject] = None
    is_return: Flag = None
    confirmation: Text = None
    insurance_provider: Text = None
    advanced_options: Annotated[AdvancedOptions | None, MaybeObject] = None
    customs: Annotated[Customs | None, MaybeObject] = None
    items: Annotated[list[ShipmentItem], Objects] = Field(default_factory=list)
    packages: Annotated[list[ShipmentPackage], Objects] = Field(default_factory=list)
    tags: Tags = Field(default_factory=list)
    order_source_code: Text = None
    total_weight: Annotated[Weight | None, MaybeObject] = None
    amount_paid: Annotated[Money | None, MaybeObject] = None
    shipping_paid: Annotated[Money | None, MaybeObject] = None
    tax_paid: Annotated[Money | None, MaybeObject] = None
    notes_from_buyer: Text = None
    notes_for_gift: Text = None
    is_gift: Flag = None


class LabelPackage(ApiModel):
    package_id: Ident = None
    tracking_number: Ident = None
    sequence: Integer = None
    external_package_id: Ident = None
    package_code: Text = None
    weight: Annotated[Weight | None, MaybeObject] = None
    dimensions: Annotated[Dimensions | None, MaybeObject] = None
    insured_value: Annotated[Money | None, MaybeObject] = None
    content_description: Text = None


class Label(ApiModel):
    label_id: Ident = None
    status: Text = None
    shipment_id: Ident = None
    external_shipment_id: Ident = None
    external_order_id: Ident = None
    ship_date: Timestamp = Field(default=None, validation_alias=AliasChoices("ship_date", "shipped_date"))
    created_at: Timestamp = None
    tracking_number: Ident = None
    tracking_status: Text = None
    tracking_url: Ident = None
    carrier_id: Ident = None
    carrier_code: Text = None
    service_code: Text = None
    trackable: Flag = None
    voided: Flag = None
    voided_at: Timestamp = None
    is_return_label: Flag = None
    is_international: Flag = None
    rma_number: Text = None
    outbound_label_id: Text = None
    test_label: Flag = None
    confirmation: Text = None
    package_code: Text = None
    shipment_cost: Annotated[Money | None, MaybeObject] = None
    insurance_cost: Annotated[Money | None, MaybeObject] = None
    ship_to: Annotated[Address | None, MaybeObject] = None
    packages: Annotated[list[LabelPackage], Objects] = Field(default_factory=list)

    @property
    def tracking_numbers(self) -> list[str]:
        """The label's tracking number first, then each package's own, without repeats."""
        numbers: list[str] = []
        for number in [self.tracking_number, *(p.tracking_number for p in self.packages)]:
            if number and number not in numbers:
                numbers.append(number)
        return numbers


class TrackEvent(ApiModel):
    # `event_date`: the older ShipEngine tracking webhook's name for the same instant.
    occurred_at: Timestamp = Field(default=None, validation_alias=AliasChoices("occurred_at", "event_date"))
    carrier_occurred_at: LocalTimestamp = None
    description: Text = None
    city_locality: Text = None
    state_province: Text = None
    postal_code: Text = None
    country_code: Code = None
    company_name: Text = None
    signer: Text = None
    event_code: Text = None
    status_code: Code = None
    status_detail_code: Code = None
    status_description: Text = None
    status_detail_description: Text = None
    carrier_status_code: Text = None
    carrier_status_description: Text = None
    carrier_detail_code: Text = None
    latitude: Number = None
    longitude: Number = None
    proof_of_delivery_url: Ident = None


class TrackingInfo(ApiModel):
    tracking_number: Ident = None
    tracking_url: Ident = None
    status_code: Code = None
    status_detail_code: Code = None
    status_description: Text = None
    status_detail_description: Text = None
    carrier_code: Text = None
    carrier_id: Ident = None
    carrier_status_code: Text = None
    carrier_status_description: Text = None
    carrier_detail_code: Text = None
    ship_date: DayOrTimestamp = Field(default=None, validation_alias=AliasChoices("ship_date", "shipped_date"))
    estimated_delivery_date: DayOrTimestamp = None
    actual_delivery_date: DayOrTimestamp = None
    exception_description: Text = None
    events: Annotated[list[TrackEvent], Objects] = Field(default_factory=list)


class Carrier(ApiModel):
    carrier_id: Ident = None
    carrier_code: Text = None
    friendly_name: Text = None
    nickname: Text = None
    account_number: Ident = None
    primary: Flag = None
    disabled_by_billing_plan: Flag = None
    connection_status: Text = None


class CarrierList(ApiModel):
    carriers: Annotated[list[Carrier], Objects] = Field(default_factory=list)


class PagedList(ApiModel):
    total: Integer = None
    page: Integer = None
    pages: Integer = None


class ShipmentList(PagedList):
    shipments: Annotated[list[Shipment], Objects] = Field(default_factory=list)


class LabelList(PagedList):
    labels: Annotated[list[Label], Objects] = Field(default_factory=list)


class Fulfillment(ApiModel):
    """A shipment marked shipped outside ShipStation's labels (V2 `/v2/fulfillments`): a tracking number with the
    carrier the merchant named, not a label of the account."""

    fulfillment_id: Text = None
    shipment_id: Text = None
    shipment_number: Text = None
    tracking_number: Text = None
    carrier_name: Text = Field(
        default=None, validation_alias=AliasChoices("fulfillment_carrier_friendly_name", "carrier_name")
    )
    provider: Text = Field(default=None, validation_alias=AliasChoices("fulfillment_provider_code", "provider"))
    ship_date: Timestamp = None
    created_at: Timestamp = None
    delivered_at: Timestamp = None
    voided: Flag = None
    voided_at: Timestamp = None
    ship_to: Annotated[Address | None, MaybeObject] = None


class FulfillmentList(PagedList):
    fulfillments: Annotated[list[Fulfillment], Objects] = Field(default_factory=list)


class ErrorDetail(ApiModel):
    error_source: Text = None
    error_type: Text = None
    error_code: Text = None
    message: Text = None
    field_name: Text = None


class ErrorBody(ApiModel):
    request_id: Ident = None
    errors: Annotated[list[ErrorDetail], Objects] = Field(default_factory=list)


class Webhook(ApiModel):
    webhook_id: Ident = None
    url: Ident = None
    event: Text = None
    name: Text = None
