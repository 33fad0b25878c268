"""The order facts a customer may ask about, read from a shipment or a label in plain words: packages, weights,
sizes, insurance, signature, options, money paid, and why an order has not shipped. No I/O.

Which fields are read, and why, is decided in `api/fields.py`.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime

from pydantic import Field

from ..api.models import Address, AdvancedOptions, Dimensions, LabelPackage, Money, Shipment, ShipmentPackage, Weight
from ..times import to_utc
from .base import AnswerPart
from .format import format_day, format_place

__all__ = [
    "CONFIRMATIONS",
    "PackageFacts",
    "ShipTo",
    "address_summary",
    "day_of",
    "delivery_options",
    "dimensions_text",
    "insurance_text",
    "judged_day",
    "money_text",
    "not_shipped_reason",
    "package_facts",
    "weight_text",
]

UNITS = {"ounce": "oz", "pound": "lb", "gram": "g", "kilogram": "kg", "inch": "in", "centimeter": "cm"}
CONFIRMATIONS: dict[str, str] = {
    "delivery": "delivery confirmation",
    "signature": "signature required",
    "adult_signature": "adult signature required",
    "direct_signature": "direct signature required",
    "delivery_mailed": "delivery confirmation mailed to the sender",
    "verbal_confirmation": "verbal confirmation at delivery",
}
INSURERS: dict[str, str] = {
    "shipsurance": "insured through ShipStation (Shipsurance)",
    "carrier": "insured with the carrier",
    "third_party": "insured by a third party",
}
WAITING: dict[str, str] = {
    # Statuses outside the V2 enum that orders carry (ShipStation's order statuses): each a reason of its own.
    "on_hold": "on hold in ShipStation: it will not ship until someone releases it",
    "awaiting_payment": "waiting for payment: it will not ship until the order is paid",
    "awaiting_shipment": "waiting to ship: no label yet",
}
OPTIONS: tuple[tuple[str, str], ...] = (
    ("saturday_delivery", "Saturday delivery"),
    ("delivered_duty_paid", "duties paid by the sender"),
    ("contains_alcohol", "contains alcohol (adult signature)"),
    ("dry_ice", "contains dry ice"),
    ("fragile", "fragile"),
    ("additional_handling", "additional handling"),
)


class ShipTo(AnswerPart):
    name: str | None = None
    company: str | None = None
    place: str | None = Field(None, description="'City, ST ZIP, Country'")
    street: str | None = Field(None, description="The street lines of the address")
    residential: bool | None = Field(None, description="A home (true) or a business (false), when known")


class PackageFacts(AnswerPart):
    tracking_number: str | None = None
    package: str | None = Field(None, description="Package type, e.g. package or small_flat_rate_box")
    weight: str | None = Field(None, description="e.g. '18 oz'")
    dimensions: str | None = Field(None, description="Length × width × height, e.g. '10 × 10 × 10 in'")
    insured_value: str | None = Field(None, description="e.g. '100.00 USD'; absent when not insured")
    contents: str | None = None


def _number(value: float) -> str:
    return f"{value:g}"


def weight_text(weight: Weight | None) -> str | None:
    if weight is None or not weight.value or weight.value <= 0:
        return None
    unit = UNITS.get((weight.unit or "").lower(), weight.unit or "")
    return f"{_number(weight.value)} {unit}".strip()


def dimensions_text(size: Dimensions | None) -> str | None:
    if size is None:
        return None
    sides = [size.length, size.width, size.height]
    if not all(side and side > 0 for side in sides):
        return None
    unit = UNITS.get((size.unit or "").lower(), size.unit or "")
    return " × ".join(_number(side or 0) for side in sides) + (f" {unit}" if unit else "")


def money_text(money: Money | None) -> str | None:
    """'218.73 USD'; None for nothing, or for zero (a split order's second shipment carries 0.0)."""
    if money is None or money.amount is None or money.amount <= 0:
        return None
    return f"{money.amount:.2f} {(money.currency or '').upper()}".strip()


def package_facts(package: ShipmentPackage | LabelPackage) -> PackageFacts | None:
    kind = getattr(package, "package_name", None) or package.package_code
    facts = PackageFacts(
        tracking_number=package.tracking_number,
        package=None if (kind or "").lower() == "package" else kind,  # the default box says nothing
        weight=weight_text(package.weight),
        dimensions=dimensions_text(package.dimensions),
        insured_value=money_text(package.insured_value),
        contents=package.content_description,
    )
    said = facts.model_dump(exclude_none=True)
    return facts if said else None


def packages_of(packages: Iterable[ShipmentPackage | LabelPackage]) -> list[PackageFacts]:
    return [facts for facts in (package_facts(p) for p in packages) if facts is not None]


def address_summary(address: Address | None) -> ShipTo | None:
    if address is None:
        return None
    place = format_place(address.city_locality, address.state_province, address.postal_code, address.country_code)
    lines = [line for line in (address.address_line1, address.address_line2, address.address_line3) if line]
    if not (address.name or address.company_name or place):
        return None
    indicator = (address.address_residential_indicator or "").lower()
    return ShipTo(
        name=address.name,
        company=address.company_name,
        place=place,
        street=", ".join(lines) or None,
        residential=True if indicator == "yes" else False if indicator == "no" else None,
    )


def delivery_options(options: AdvancedOptions | None) -> list[str]:
    if options is None:
        return []
    said = [words for name, words in OPTIONS if getattr(options, name)]
    if isinstance(options.collect_on_delivery, dict) and options.collect_on_delivery:
        said.append("collect on delivery")
    return said


def insurance_text(provider: str | None, packages: Iterable[PackageFacts]) -> str | None:
    insurer = INSURERS.get((provider or "").lower())
    values = [p.insured_value for p in packages if p.insured_value]
    if insurer is None and not values:
        return None
    return (insurer or "insured") + (f" for {', '.join(values)}" if values else "")


def day_of(value: datetime | None) -> date | None:
    """The calendar day a ShipStation date names (they come as midnight UTC)."""
    return to_utc(value).date() if value is not None else None


def judged_day(day: date, now: datetime | None) -> str:
    """'Tue 15 Sep 2026' with how it stands against now: passed, today or still ahead."""
    text = format_day(day)
    if now is None:
        return text
    today = to_utc(now).astimezone(UTC).date()
    if day < today:
        return f"{text} (passed)"
    if day == today:
        return f"{text} (today)"
    ahead = (day - today).days
    return f"{text} (in {ahead} day{'s' if ahead != 1 else ''})"


def not_shipped_reason(shipment: Shipment, *, shipped: bool, now: datetime | None) -> str | None:
    """Why the order has not shipped, in the words a customer can be told; None once a live label exists."""
    status = (shipment.shipment_status or "").lower()
    if status == "cancelled":
        return "cancelled: it will not ship"
    if shipped or status == "label_purchased":
        return None
    hold = day_of(shipment.hold_until_date)
    if hold is not None:
        still = now is None or to_utc(now).date() <= hold
        if still:
            return f"on hold until {judged_day(hold, now)}: it will not ship before then"
        return f"was on hold until {judged_day(hold, now)}; the hold is over but no label has been bought yet"
    if status in WAITING:
        return WAITING[status]
    if status not in {"pending", "processing"}:
        return None  # no status said (or one unknown): no reason is known either
    why = "being processed; no label yet" if status == "processing" else "waiting for a label: not shipped yet"
    due = day_of(shipment.ship_by_date)
    if due is not None and now is not None and due < to_utc(now).date():
        why += f" (it was to ship by {format_day(due)})"
    return why
