"""Answers about shipments (orders): one shipment with its labels, a page of shipments, the shipments of a
tracking number. No I/O.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from pydantic import Field, PrivateAttr

from ..api.ids import infer_carrier
from ..api.models import Address, Label, Shipment, ShipmentList
from ..api.status import tracking_status_meaning
from .base import AnswerPart, CachedAnswer
from .facts import (
    CONFIRMATIONS,
    PackageFacts,
    ShipTo,
    address_summary,
    day_of,
    delivery_options,
    insurance_text,
    judged_day,
    money_text,
    not_shipped_reason,
    packages_of,
    weight_text,
)
from .format import format_day, format_time
from .quoting import quote, quote_all

__all__ = [
    "ItemSummary",
    "LabelBrief",
    "LabelSummary",
    "ShipTo",
    "ShipmentPage",
    "ShipmentRow",
    "ShipmentSummary",
    "TrackingNumberMatches",
    "shipment_page_text",
    "shipment_text",
    "summarize_label",
    "summarize_shipment",
    "summarize_shipment_list",
]

SHIPMENT_STATUS_MEANINGS: dict[str, str] = {
    "pending": "waiting for a label; not shipped yet",
    "processing": "being processed; no label yet",
    "label_purchased": "label bought",
    "cancelled": "cancelled; it will not ship",
    # ShipStation's classic API (V1) gives orders these statuses; "shipped" means a label was made or the order was
    # marked shipped, not that it arrived.
    "awaiting_payment": "waiting for the customer's payment; not shipped yet",
    "awaiting_shipment": "paid and waiting to be shipped",
    "pending_fulfillment": "sent to a fulfillment provider; not shipped yet",
    "on_hold": "on hold; not shipped yet",
    "shipped": "shipped (a label was made or it was marked shipped; not necessarily delivered)",
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
    carrier_code: str | None = Field(None, description="The carrier of this label's tracking number")
    service_code: str | None = None
    tracking_status: str | None = Field(
        None,
        description="Label tracking status as ShipStation last saw it; absent when this answer tracked the package "
        "itself (its fresher status is in the package's tracking)",
    )
    tracking_meaning: str | None = None
    tracking_url: str | None = None
    ship_date: datetime | None = None
    created_at: datetime | None = Field(None, description="When the label was bought")
    voided: bool | None = None
    voided_at: datetime | None = None
    replaced_by: str | None = Field(None, description="For a voided label: the label of this shipment that replaced it")
    is_return_label: bool | None = Field(None, description="A return label: the package travels back to the merchant")
    rma_number: str | None = Field(None, description="The return authorisation number of a return label")
    outbound_label_id: str | None = Field(None, description="For a return label: the label of the outbound package")
    is_international: bool | None = None
    test_label: bool | None = Field(None, description="A test label: nothing ships with it")
    trackable: bool | None = Field(None, description="False when the carrier gives no tracking for this service")
    confirmation: str | None = Field(None, description="Delivery confirmation, e.g. 'signature required'")
    package: str | None = Field(None, description="Package type, e.g. package or small_flat_rate_box")
    packages: list[PackageFacts] = Field(default_factory=list, description="Weight, size and insurance of each box")
    ship_to: ShipTo | None = None
    shipment_cost: str | None = Field(None, description="What the label cost the merchant")
    insurance_cost: str | None = None


class ShipmentSummary(CachedAnswer):
    """One shipment (an order, in ShipStation V1 terms) with its labels and tracking numbers."""

    headline: str
    shipment_id: str | None = None
    shipment_number: str | None = Field(None, description="The order number")
    external_shipment_id: str | None = None
    external_order_id: str | None = None
    status: str | None = Field(None, description="pending, processing, label_purchased or cancelled")
    status_meaning: str | None = None
    not_shipped: str | None = Field(
        None, description="Why it has not shipped (on hold until a date, waiting for a label, cancelled)"
    )
    hold_until_date: datetime | None = Field(None, description="ShipStation holds the order until this day")
    created_at: datetime | None = None
    ship_by_date: datetime | None = None
    deliver_by_date: datetime | None = None
    ship_date: datetime | None = None
    carrier: str | None = Field(
        None, description="Carrier code of its labels when they share one (each label says its own), or carrier id"
    )
    service_code: str | None = None
    requested_service: str | None = Field(None, description="The shipping service the customer chose at checkout")
    confirmation: str | None = Field(None, description="Delivery confirmation, e.g. 'signature required'")
    insurance: str | None = None
    options: list[str] = Field(default_factory=list, description="Delivery options set, e.g. Saturday delivery")
    customs_contents: str | None = Field(None, description="International: what the customs declaration says it is")
    is_return: bool | None = Field(None, description="A return shipment: it travels back to the merchant")
    ship_to: ShipTo | None = None
    ship_from: ShipTo | None = None
    return_to: ShipTo | None = Field(None, description="Where returns go; absent when that is the ship-from address")
    items: list[ItemSummary] = Field(default_factory=list)
    packages: list[PackageFacts] = Field(default_factory=list, description="Weight, size and insurance of each box")
    total_weight: str | None = None
    amount_paid: str | None = Field(None, description="What the customer paid for the order")
    shipping_paid: str | None = Field(None, description="What the customer paid for shipping")
    tax_paid: str | None = None
    buyer_note: str | None = Field(None, description="The customer's note at checkout")
    gift: bool | None = None
    gift_note: str | None = None
    order_source: str | None = Field(None, description="The store or marketplace the order came from")
    store_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    labels: list[LabelSummary] = Field(default_factory=list)
    next_step: str | None = Field(None, description="What the assistant can do next")
    _judged_at: datetime | None = PrivateAttr(default=None)
    # Set beside live tracking (find_order): the local days its packages were delivered, and how many are not yet.
    _delivered_days: list[date] | None = PrivateAttr(default=None)
    _undelivered: int = PrivateAttr(default=0)

    def text(self) -> str:
        return shipment_text(self)


def summarize_label(label: Label) -> LabelSummary:
    packages = [p.tracking_number for p in label.packages if p.tracking_number]
    voided = bool(label.voided) or (label.status or "").lower() == "voided"
    confirmation = (label.confirmation or "").lower()
    return LabelSummary(
        label_id=label.label_id,
        status=label.status,
        tracking_number=label.tracking_number,
        package_tracking_numbers=packages if len(label.tracking_numbers) > 1 else [],
        carrier_code=label.carrier_code or (infer_carrier(label.tracking_number) if label.tracking_number else None),
        service_code=label.service_code,
        tracking_status=label.tracking_status,
        tracking_meaning=tracking_status_meaning(label.tracking_status) if label.tracking_status else None,
        tracking_url=label.tracking_url,
        ship_date=label.ship_date,
        created_at=label.created_at,
        voided=True if voided else None,
        voided_at=label.voided_at if voided else None,
        is_return_label=True if label.is_return_label else None,
        rma_number=label.rma_number,
        outbound_label_id=label.outbound_label_id,
        is_international=True if label.is_international else None,
        test_label=True if label.test_label else None,
        trackable=False if label.trackable is False else None,
        confirmation=CONFIRMATIONS.get(confirmation, label.confirmation if confirmation not in {"", "none"} else None),
        package=label.package_code,
        packages=packages_of(label.packages),
        ship_to=address_summary(label.ship_to),
        shipment_cost=money_text(label.shipment_cost),
        insurance_cost=money_text(label.insurance_cost),
    )


def ship_to_summary(address: Address | None) -> ShipTo | None:
    return address_summary(address)


def _shipment_status_meaning(status: str | None) -> str | None:
    if not status:
        return None
    return SHIPMENT_STATUS_MEANINGS.get(status.lower(), f"Unknown shipment status ({status[:40]})")


def summarize_shipment(
    shipment: Shipment, labels: Sequence[Label] = (), *, now: datetime | None = None
) -> ShipmentSummary:
    """`now` judges the order's days (hold, ship-by) against today; without it they are stated plainly."""
    label_summaries = [summarize_label(label) for label in labels]
    replacement = next((lbl.label_id for lbl in label_summaries if lbl.label_id and not lbl.voided), None)
    for lbl in label_summaries:
        if lbl.voided and replacement:
            lbl.replaced_by = replacement
    active = [lbl for lbl in label_summaries if not lbl.voided]
    packages = packages_of(shipment.packages)
    ship_to = address_summary(shipment.ship_to)
    _drop_repeats(label_summaries, packages, ship_to)
    carriers = list(dict.fromkeys(lbl.carrier_code for lbl in active if lbl.carrier_code))
    carrier = (carriers[0] if len(carriers) == 1 else None) if carriers else shipment.carrier_id
    service = next((lbl.service_code for lbl in active if lbl.service_code), None) or shipment.service_code
    ship_from = address_summary(shipment.ship_from)
    return_to = address_summary(shipment.return_to)
    confirmation = (shipment.confirmation or "").lower()
    summary = ShipmentSummary(
        headline="",
        shipment_id=shipment.shipment_id,
        shipment_number=shipment.shipment_number,
        external_shipment_id=shipment.external_shipment_id,
        external_order_id=shipment.external_order_id,
        status=shipment.shipment_status,
        status_meaning=_shipment_status_meaning(shipment.shipment_status),
        not_shipped=not_shipped_reason(shipment, shipped=bool(active), now=now),
        hold_until_date=shipment.hold_until_date,
        created_at=shipment.created_at,
        ship_by_date=shipment.ship_by_date,
        deliver_by_date=shipment.deliver_by_date,
        ship_date=shipment.ship_date,
        carrier=carrier,
        service_code=service,
        requested_service=shipment.requested_shipment_service,
        confirmation=CONFIRMATIONS.get(confirmation, None if confirmation in {"", "none"} else shipment.confirmation),
        insurance=insurance_text(shipment.insurance_provider, packages),
        options=delivery_options(shipment.advanced_options),
        customs_contents=shipment.customs.contents if shipment.customs else None,
        is_return=True if shipment.is_return else None,
        ship_to=ship_to,
        ship_from=ship_from,
        return_to=None if return_to == ship_from else return_to,
        items=[ItemSummary(name=i.name, sku=i.sku, quantity=i.quantity) for i in shipment.items],
        packages=packages,
        total_weight=weight_text(shipment.total_weight),
        amount_paid=money_text(shipment.amount_paid),
        shipping_paid=money_text(shipment.shipping_paid),
        tax_paid=money_text(shipment.tax_paid),
        buyer_note=shipment.notes_from_buyer,
        gift=True if shipment.is_gift else None,
        gift_note=shipment.notes_for_gift,
        order_source=shipment.order_source_code,
        store_id=shipment.store_id,
        tags=shipment.tags,
        labels=label_summaries,
    )
    summary._judged_at = now
    summary.next_step = _shipment_next_step(summary)
    summary.headline = shipment_headline(summary)
    return summary


def _drop_repeats(labels: list[LabelSummary], packages: list[PackageFacts], ship_to: ShipTo | None) -> None:
    """A label's facts said once: its boxes and address when the shipment's say the same, and no stale tracking
    status on a voided label (nothing travels with it)."""
    sizes = sorted((p.weight or "", p.dimensions or "") for p in packages)
    for label in labels:
        if label.ship_to is not None and label.ship_to == ship_to:
            label.ship_to = None
        if packages and sorted((p.weight or "", p.dimensions or "") for p in label.packages) == sizes:
            label.packages = []
        if label.voided:
            label.tracking_status = label.tracking_meaning = None


def _shipment_next_step(s: ShipmentSummary) -> str | None:
    trackable = [lbl for lbl in s.labels if lbl.label_id and not lbl.voided]
    if trackable:
        ids = ", ".join(lbl.label_id for lbl in trackable if lbl.label_id)
        return f"Call track_label with {ids} for the latest carrier scans."
    if s.labels:
        return "Every label of this shipment is voided; it has no live tracking number."
    if (s.status or "").lower() == "cancelled":
        return None
    return "No label has been bought yet, so there is nothing to track."


def numbers_with_carriers(labels: Sequence[LabelSummary]) -> str:
    """'A, B (ups)' when the live labels share a carrier, else 'A (ups), B (fedex)': each number with its own."""
    live = [lbl for lbl in labels if lbl.tracking_number and not lbl.voided]
    carriers = {lbl.carrier_code for lbl in live}
    if len(carriers) == 1:
        [only] = carriers
        return ", ".join(lbl.tracking_number or "" for lbl in live) + (f" ({only})" if only else "")
    return ", ".join(f"{lbl.tracking_number} ({lbl.carrier_code or 'carrier unknown'})" for lbl in live)


def shipment_headline(s: ShipmentSummary) -> str:
    name = f"Order {s.shipment_number}" if s.shipment_number else f"Shipment {s.shipment_id or '(no id)'}"
    to = ""
    if s.ship_to:
        to = " for " + ", ".join(part for part in (quote(s.ship_to.name or s.ship_to.company), s.ship_to.place) if part)
    status = s.not_shipped or s.status_meaning or "status unknown"
    numbers = numbers_with_carriers(s.labels)
    tracking = f"; tracking {numbers}" if numbers else ""
    return f"{name}{to}: {status}{tracking}"


def _dates_line(s: ShipmentSummary) -> list[str]:
    """The order's days; while it has not shipped, each judged against today (passed, today, in N days); the
    deliver-by day, beside live tracking, judged by the packages' deliveries."""
    facts = [f"Created {format_time(s.created_at)}"] if s.created_at else []
    now = s._judged_at if s.not_shipped and (s.status or "").lower() != "cancelled" else None
    for label, value in (("Ship by", s.ship_by_date), ("Deliver by", s.deliver_by_date), ("Ship date", s.ship_date)):
        day = day_of(value)
        if day is None:
            continue
        said = _deliver_by(s, day) if label == "Deliver by" else None
        facts.append(f"{label} {said or judged_day(day, now)}")
    service = s.carrier if s.carrier and not s.carrier.lower().startswith("se-") else None
    if service or s.service_code:
        facts.append("Service " + " / ".join(p for p in (service, s.service_code) if p))
    if s.requested_service and s.requested_service != s.service_code:
        facts.append(f"customer chose {s.requested_service}")
    return facts


def _deliver_by(s: ShipmentSummary, day: date) -> str | None:
    """'Mon 31 Aug 2026 (met)', '(missed: delivered …)' or '(passed; not delivered yet)' when the packages'
    tracking is at hand; None otherwise."""
    delivered = s._delivered_days
    if delivered is None:
        return None
    if s._undelivered == 0 and delivered:
        last = max(delivered)
        return f"{format_day(day)} " + ("(met)" if last <= day else f"(missed: delivered {format_day(last)})")
    if s._undelivered and s._judged_at is not None:
        judged = judged_day(day, s._judged_at)
        return judged.replace("(passed)", "(passed; not delivered yet)")
    return None


def _order_facts_lines(s: ShipmentSummary) -> list[str]:
    lines = []
    handling = [s.confirmation, s.insurance, *s.options]
    if s.customs_contents:
        handling.append(f"customs contents: {s.customs_contents}")
    if s.is_return:
        handling.append("a return shipment")
    if any(handling):
        lines.append("Delivery: " + "; ".join(h for h in handling if h))
    boxes = [", ".join(p for p in (b.package, b.weight, b.dimensions, b.contents) if p) for b in s.packages if b.weight]
    if boxes or s.total_weight:
        weight = f" (total {s.total_weight})" if s.total_weight and len(s.packages) != 1 else ""
        lines.append("Packages: " + ("; ".join(boxes) or s.total_weight or "") + weight)
    paid = [f"{what} {value}" for what, value in (("order", s.amount_paid), ("shipping", s.shipping_paid)) if value]
    if s.tax_paid and paid:
        paid.append(f"tax {s.tax_paid}")
    if paid:
        lines.append("Customer paid: " + ", ".join(paid))
    for what, address in (("Ship to", s.ship_to), ("Ships from", s.ship_from), ("Returns to", s.return_to)):
        if address is not None:
            lines.append(f"{what}: " + _address_text(address))
    if s.ship_from is not None and s.return_to is None:
        lines.append("Returns go to the ship-from address")
    if s.buyer_note:
        lines.append(f"Customer's note: {quote(s.buyer_note)}")
    if s.gift or s.gift_note:
        lines.append("Gift" + (f", note: {quote(s.gift_note)}" if s.gift_note else ""))
    return lines


def _address_text(a: ShipTo) -> str:
    kind = " (residential)" if a.residential else " (business)" if a.residential is False else ""
    return quote(", ".join(p for p in (a.name, a.company, a.street, a.place) if p)) + kind


def _label_line(lbl: LabelSummary) -> str:
    parts = [f"Label {lbl.label_id or '(no id)'}", lbl.status or "status unknown"]
    if lbl.test_label:
        parts.append("TEST label: nothing ships with it")
    if lbl.tracking_number:
        parts.append(f"tracking {lbl.tracking_number} ({lbl.carrier_code or 'carrier unknown'})")
    if lbl.package_tracking_numbers:
        parts.append("packages " + ", ".join(lbl.package_tracking_numbers))
    if lbl.trackable is False and not lbl.voided:
        parts.append("no carrier tracking for this service")
    if lbl.tracking_status and not lbl.voided:
        parts.append(f"tracking status {lbl.tracking_status}: {lbl.tracking_meaning}")
    if lbl.voided:
        voided = "VOIDED" + (f" {format_time(lbl.voided_at, with_time=False)}" if lbl.voided_at else "")
        parts.append(f"{voided}, replaced by {lbl.replaced_by}" if lbl.replaced_by else voided)
    if lbl.is_return_label:
        parts.append("return label" + (f" (RMA {lbl.rma_number})" if lbl.rma_number else ""))
    if lbl.confirmation:
        parts.append(lbl.confirmation)
    if lbl.tracking_url:
        parts.append(lbl.tracking_url)
    return " — ".join(parts)


def shipment_text(s: ShipmentSummary) -> str:
    lines = [s.headline]
    ids = [f"shipment_id {s.shipment_id}" if s.shipment_id else None]
    ids.append(f"order number {s.shipment_number}" if s.shipment_number else None)
    ids.append(f"external id {s.external_shipment_id}" if s.external_shipment_id else None)
    if s.external_order_id not in {None, s.shipment_number, s.external_shipment_id}:
        ids.append(f"store order id {s.external_order_id}")
    lines.append(", ".join(i for i in ids if i) or "no identifiers")
    if s.not_shipped and s.not_shipped not in s.headline:
        lines.append(s.not_shipped[:1].upper() + s.not_shipped[1:])
    facts = _dates_line(s)
    if facts:
        lines.append("; ".join(facts))
    if s.items:
        lines.append(
            "Items: "
            + "; ".join(
                f"{item.quantity if item.quantity is not None else '?'} × {quote(item.name) or 'unnamed'}"
                + (f" (SKU {item.sku})" if item.sku else "")
                for item in s.items
            )
        )
    lines += _order_facts_lines(s)
    if s.tags:
        lines.append("Tags: " + quote_all(s.tags))
    lines += [_label_line(lbl) for lbl in s.labels]
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
    not_shipped: str | None = Field(None, description="Why it has not shipped (on hold until a date, …)")
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
    result: ShipmentList,
    *,
    page: int = 1,
    labels: Mapping[str, Sequence[Label]] | None = None,
    now: datetime | None = None,
) -> ShipmentPage:
    """A page of shipments; `labels` (by shipment id) adds each row's labels; `now` judges hold and ship-by days."""
    labels = labels or {}
    row_labels = {sid: [label_brief(label) for label in found] for sid, found in labels.items()}
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
                not_shipped=not_shipped_reason(
                    s, shipped=any(not lbl.voided for lbl in row_labels.get(s.shipment_id or "", ())), now=now
                ),
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
            f"{row.items} item(s) to {quote(row.ship_to) or 'unknown'}"
        )
        if row.not_shipped and ("hold" in row.not_shipped or "ship by" in row.not_shipped):
            line += f"; {row.not_shipped}"  # more than the status says
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
