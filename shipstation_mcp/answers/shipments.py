"""Answers about shipments (orders): one shipment with its labels, a page of shipments, the shipments of a
tracking number. No I/O.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import Field

from ..api.ids import infer_carrier
from ..api.models import Address, Fulfillment, Label, Shipment, ShipmentList
from ..api.status import tracking_status_meaning
from .base import AnswerPart, CachedAnswer
from .format import format_place, format_time

__all__ = [
    "ItemSummary",
    "LabelBrief",
    "LabelSummary",
    "MarkedShipped",
    "ShipTo",
    "ShipmentPage",
    "ShipmentRow",
    "ShipmentSummary",
    "TrackingNumberMatches",
    "marked_shipped",
    "shipment_page_text",
    "shipment_text",
    "summarize_label",
    "summarize_shipment",
    "summarize_shipment_list",
    "with_marked_shipped",
]

CARRIER_NAMES: dict[str, str] = {
    "ups": "ups",
    "fedex": "fedex",
    "usps": "usps",
    "dhl": "dhl_express",
    "dhl express": "dhl_express",
    "dhl ecommerce": "dhl_ecommerce",
    "canada post": "canada_post",
    "australia post": "australia_post",
    "ontrac": "ontrac",
    "purolator": "purolator_ca",
}
"""Carrier codes for the carrier names fulfillments carry (they have no code)."""

SHIPMENT_STATUS_MEANINGS: dict[str, str] = {
    "pending": "waiting for a label; not shipped yet",
    "processing": "being processed; no label yet",
    "label_purchased": "label bought",
    "cancelled": "cancelled; it will not ship",
}


class ItemSummary(AnswerPart):
    name: str | None = None
    sku: str | None = None
    quantity: int | None = None


class LabelSummary(AnswerPart):
    label_id: str | None = None
    status: str | None = Field(None, description="processing, completed, error or voided")
    tracking_number: str | None = None
    package_tracking_numbers: list[str] = Field(
        default_factory=list, description="Each package's own number, for multi-package labels"
    )
    carrier_code: str | None = None
    service_code: str | None = None
    tracking_status: str | None = Field(None, description="Label tracking status as ShipStation last saw it")
    tracking_meaning: str | None = None
    tracking_url: str | None = None
    ship_date: datetime | None = None
    voided: bool | None = None
    replaced_by: str | None = Field(None, description="For a voided label: the label of this shipment that replaced it")
    is_return_label: bool | None = Field(None, description="A return label: the package travels back to the merchant")


class MarkedShipped(AnswerPart):
    """The order was marked shipped outside ShipStation (by hand, or by a fulfillment provider): ShipStation knows
    only a carrier and a tracking number, no label."""

    tracking_number: str | None = None
    carrier: str | None = Field(None, description="The carrier as the fulfillment names it (FedEx, UPS, …)")
    carrier_code: str | None = Field(None, description="The carrier code to track it with, when it can be told")
    ship_date: datetime | None = None
    provider: str | None = Field(None, description="Who marked it shipped: External (by hand) or a provider")
    fulfillment_id: str | None = None


class ShipTo(AnswerPart):
    name: str | None = None
    company: str | None = None
    place: str | None = Field(None, description="'City, ST ZIP, Country'")


class ShipmentSummary(CachedAnswer):
    """One shipment (an order, in ShipStation V1 terms) with its labels and tracking numbers."""

    headline: str
    shipment_id: str | None = None
    shipment_number: str | None = Field(None, description="The order number")
    external_shipment_id: str | None = None
    status: str | None = Field(None, description="pending, processing, label_purchased or cancelled")
    status_meaning: str | None = None
    created_at: datetime | None = None
    ship_by_date: datetime | None = None
    ship_date: datetime | None = None
    carrier: str | None = Field(None, description="Carrier code of its label, or carrier id")
    service_code: str | None = None
    ship_to: ShipTo | None = None
    items: list[ItemSummary] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    labels: list[LabelSummary] = Field(default_factory=list)
    marked_shipped: list[MarkedShipped] = Field(
        default_factory=list, description="Marked shipped outside ShipStation: carrier and number, no label"
    )
    next_step: str | None = Field(None, description="What the assistant can do next")

    def text(self) -> str:
        return shipment_text(self)


def marked_shipped(fulfillment: Fulfillment) -> MarkedShipped:
    name = fulfillment.carrier_name
    number = (fulfillment.tracking_number or "").upper() or None
    code = (
        fulfillment.carrier_code
        or CARRIER_NAMES.get((name or "").casefold())
        or (infer_carrier(number) if number else None)
    )
    return MarkedShipped(
        tracking_number=number,
        carrier=name or code,
        carrier_code=code,
        ship_date=fulfillment.ship_date,
        provider=fulfillment.provider_name,
        fulfillment_id=fulfillment.fulfillment_id,
    )


def with_marked_shipped(summary: ShipmentSummary, fulfillments: Sequence[Fulfillment]) -> ShipmentSummary:
    """The summary with the order's fulfillments recorded outside ShipStation (headline and next step too)."""
    if not fulfillments:
        return summary
    summary.marked_shipped = [marked_shipped(f) for f in fulfillments]
    summary.next_step = _shipment_next_step(summary)
    summary.headline = shipment_headline(summary)
    return summary


def marked_shipped_text(marks: Sequence[MarkedShipped]) -> str:
    """'marked shipped outside ShipStation with UPS 1Z…' for one or more fulfillments."""
    parts = [" ".join(p for p in (m.carrier, m.tracking_number) if p) or "no carrier or number" for m in marks]
    return "marked shipped outside ShipStation with " + ", ".join(parts)


def summarize_label(label: Label) -> LabelSummary:
    packages = [p.tracking_number for p in label.packages if p.tracking_number]
    return LabelSummary(
        label_id=label.label_id,
        status=label.status,
        tracking_number=label.tracking_number,
        package_tracking_numbers=packages if len(label.tracking_numbers) > 1 else [],
        carrier_code=label.carrier_code,
        service_code=label.service_code,
        tracking_status=label.tracking_status,
        tracking_meaning=tracking_status_meaning(label.tracking_status) if label.tracking_status else None,
        tracking_url=label.tracking_url,
        ship_date=label.ship_date,
        voided=True if label.voided or label.status == "voided" else None,
        is_return_label=True if label.is_return_label else None,
    )


def ship_to_summary(address: Address | None) -> ShipTo | None:
    if address is None:
        return None
    place = format_place(address.city_locality, address.state_province, address.postal_code, address.country_code)
    if not (address.name or address.company_name or place):
        return None
    return ShipTo(name=address.name, company=address.company_name, place=place)


def _shipment_status_meaning(status: str | None) -> str | None:
    if not status:
        return None
    return SHIPMENT_STATUS_MEANINGS.get(status.lower(), f"Unknown shipment status ({status[:40]})")


def summarize_shipment(shipment: Shipment, labels: Sequence[Label] = ()) -> ShipmentSummary:
    label_summaries = [summarize_label(label) for label in labels]
    replacement = next((lbl.label_id for lbl in label_summaries if lbl.label_id and not lbl.voided), None)
    for lbl in label_summaries:
        if lbl.voided and replacement:
            lbl.replaced_by = replacement
    active = [lbl for lbl in label_summaries if not lbl.voided]
    carrier = next((lbl.carrier_code for lbl in active if lbl.carrier_code), None) or shipment.carrier_id
    service = next((lbl.service_code for lbl in active if lbl.service_code), None) or shipment.service_code
    summary = ShipmentSummary(
        headline="",
        shipment_id=shipment.shipment_id,
        shipment_number=shipment.shipment_number,
        external_shipment_id=shipment.external_shipment_id,
        status=shipment.shipment_status,
        status_meaning=_shipment_status_meaning(shipment.shipment_status),
        created_at=shipment.created_at,
        ship_by_date=shipment.ship_by_date,
        ship_date=shipment.ship_date,
        carrier=carrier,
        service_code=service,
        ship_to=ship_to_summary(shipment.ship_to),
        items=[ItemSummary(name=i.name, sku=i.sku, quantity=i.quantity) for i in shipment.items],
        tags=shipment.tags,
        labels=label_summaries,
    )
    summary.next_step = _shipment_next_step(summary)
    summary.headline = shipment_headline(summary)
    return summary


def _shipment_next_step(s: ShipmentSummary) -> str | None:
    trackable = [lbl for lbl in s.labels if lbl.label_id and not lbl.voided]
    if trackable:
        ids = ", ".join(lbl.label_id for lbl in trackable if lbl.label_id)
        return f"Call track_label with {ids} for the latest carrier scans."
    numbers = [m.tracking_number for m in s.marked_shipped if m.tracking_number]
    if numbers:
        return (
            f"It has no ShipStation label; call track_package with {', '.join(numbers)} (and its carrier_code) for "
            "the carrier's scans."
        )
    if s.labels:
        return "Every label of this shipment is voided; it has no live tracking number."
    if (s.status or "").lower() == "cancelled":
        return None
    return "No label has been bought yet, so there is nothing to track."


def shipment_headline(s: ShipmentSummary) -> str:
    name = f"Order {s.shipment_number}" if s.shipment_number else f"Shipment {s.shipment_id or '(no id)'}"
    to = ""
    if s.ship_to:
        to = " for " + ", ".join(part for part in (s.ship_to.name or s.ship_to.company, s.ship_to.place) if part)
    status = s.status_meaning or "status unknown"
    numbers = [lbl.tracking_number for lbl in s.labels if lbl.tracking_number and not lbl.voided]
    tracking = f"; tracking {', '.join(numbers)}" if numbers else ""
    via = f" ({s.carrier})" if s.carrier and numbers else ""
    if s.marked_shipped and not numbers:
        return f"{name}{to}: {marked_shipped_text(s.marked_shipped)}"
    return f"{name}{to}: {status}{tracking}{via}"


def shipment_text(s: ShipmentSummary) -> str:
    lines = [s.headline]
    ids = [f"shipment_id {s.shipment_id}" if s.shipment_id else None]
    ids.append(f"order number {s.shipment_number}" if s.shipment_number else None)
    ids.append(f"external id {s.external_shipment_id}" if s.external_shipment_id else None)
    lines.append(", ".join(i for i in ids if i) or "no identifiers")
    dates = [("Created", s.created_at), ("Ship by", s.ship_by_date), ("Ship date", s.ship_date)]
    facts = [f"{label} {format_time(value, with_time=label == 'Created')}" for label, value in dates if value]
    if s.carrier or s.service_code:
        facts.append("Service " + " / ".join(p for p in (s.carrier, s.service_code) if p))
    if facts:
        lines.append("; ".join(facts))
    if s.items:
        lines.append(
            "Items: "
            + "; ".join(
                f"{item.quantity if item.quantity is not None else '?'} × {item.name or 'unnamed'}"
                + (f" (SKU {item.sku})" if item.sku else "")
                for item in s.items
            )
        )
    if s.tags:
        lines.append("Tags: " + ", ".join(s.tags))
    for lbl in s.labels:
        parts = [f"Label {lbl.label_id or '(no id)'}", lbl.status or "status unknown"]
        if lbl.tracking_number:
            parts.append(f"tracking {lbl.tracking_number} ({lbl.carrier_code or 'carrier unknown'})")
        if lbl.package_tracking_numbers:
            parts.append("packages " + ", ".join(lbl.package_tracking_numbers))
        if lbl.tracking_status:
            parts.append(f"tracking status {lbl.tracking_status}: {lbl.tracking_meaning}")
        if lbl.voided:
            parts.append(f"VOIDED, replaced by {lbl.replaced_by}" if lbl.replaced_by else "VOIDED")
        if lbl.is_return_label:
            parts.append("return label")
        if lbl.tracking_url:
            parts.append(lbl.tracking_url)
        lines.append(" — ".join(parts))
    for mark in s.marked_shipped:
        parts = [f"Marked shipped outside ShipStation ({mark.provider or 'no label'})"]
        parts.append(" ".join(p for p in (mark.carrier, mark.tracking_number) if p) or "no carrier or number")
        if mark.ship_date:
            parts.append(f"shipped {format_time(mark.ship_date, with_time=False)}")
        lines.append(" — ".join(parts))
    if s.next_step:
        lines.append(f"Next: {s.next_step}")
    return "\n".join(lines)


class LabelBrief(AnswerPart):
    label_id: str | None = None
    tracking_number: str | None = None
    carrier_code: str | None = None
    tracking_status: str | None = Field(None, description="in_transit, delivered, error, … as ShipStation last saw it")
    voided: bool | None = None


def label_brief(label: Label) -> LabelBrief:
    voided = bool(label.voided) or (label.status or "").lower() == "voided"
    return LabelBrief(
        label_id=label.label_id,
        tracking_number=label.tracking_number,
        carrier_code=label.carrier_code,
        tracking_status=label.tracking_status,
        voided=True if voided else None,
    )


class ShipmentRow(AnswerPart):
    shipment_id: str | None = None
    shipment_number: str | None = None
    external_shipment_id: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    ship_date: datetime | None = None
    ship_to: str | None = Field(None, description="Name, City, ST ZIP, Country")
    items: int = Field(0, description="Total quantity of items")
    service: str | None = None
    labels: list[LabelBrief] = Field(default_factory=list, description="Its labels: ids, tracking numbers, status")


class ShipmentPage(CachedAnswer):
    headline: str
    shipments: list[ShipmentRow] = Field(default_factory=list)
    page: int = 1
    pages: int = 0
    total: int = 0

    def text(self) -> str:
        return shipment_page_text(self)


def summarize_shipment_list(
    result: ShipmentList, *, page: int = 1, labels: Mapping[str, Sequence[Label]] | None = None
) -> ShipmentPage:
    """A page of shipments; `labels` (by shipment id) adds each row's labels."""
    labels = labels or {}
    rows = []
    for s in result.shipments:
        ship_to = ship_to_summary(s.ship_to)
        rows.append(
            ShipmentRow(
                shipment_id=s.shipment_id,
                shipment_number=s.shipment_number,
                external_shipment_id=s.external_shipment_id,
                status=s.shipment_status,
                created_at=s.created_at,
                ship_date=s.ship_date,
                ship_to=", ".join(p for p in (ship_to.name or ship_to.company, ship_to.place) if p)
                if ship_to
                else None,
                items=sum(i.quantity or 0 for i in s.items),
                service=s.service_code,
                labels=[label_brief(label) for label in labels.get(s.shipment_id or "", ())],
            )
        )
    current = result.page or page
    total = result.total if result.total is not None else len(rows)
    pages = result.pages if result.pages is not None else (1 if rows else 0)
    if not rows:
        headline = "No shipments match." if current <= 1 else f"Page {current} is past the end ({pages} page(s))."
    else:
        headline = f"Page {current} of {pages}: {len(rows)} of {total} shipment(s), newest first."
    return ShipmentPage(headline=headline, shipments=rows, page=current, pages=pages, total=total)


def shipment_page_text(p: ShipmentPage) -> str:
    lines = [p.headline]
    for row in p.shipments:
        ref = row.shipment_number or row.external_shipment_id or "-"
        created = format_time(row.created_at, with_time=False) or "?"
        line = (
            f"- {row.shipment_id} (order {ref}): {row.status or '?'}, created {created}, "
            f"{row.items} item(s) to {row.ship_to or 'unknown'}"
        )
        for lbl in row.labels:
            state = "voided" if lbl.voided else (lbl.tracking_status or "status unknown")
            line += f"; label {lbl.label_id} {lbl.tracking_number or ''} ({lbl.carrier_code or '?'}, {state})"
        lines.append(line)
    return "\n".join(lines)


class TrackingNumberMatches(CachedAnswer):
    headline: str
    tracking_number: str
    shipments: list[ShipmentSummary] = Field(default_factory=list, description="Each with all its labels")
    labels_without_shipment: list[LabelSummary] = Field(default_factory=list)

    def text(self) -> str:
        return "\n\n".join([self.headline, *(shipment_text(s) for s in self.shipments)])
