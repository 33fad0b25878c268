"""Turn API objects into short, complete facts an assistant can say aloud. No I/O here.

Every summary is a pydantic model (it becomes the tool's `outputSchema` and `structuredContent`) plus a plain-text
rendering for clients that only show text. Absent facts are left out of the JSON rather than sent as `null`, to keep
answers small; the schema documents every field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from .models import Address, Label, Shipment, ShipmentList, TrackEvent, TrackingInfo, to_utc
from .status import detail_description, detail_needs_action, status_info, tracking_status_meaning

DEFAULT_MAX_EVENTS = 10
STALLED_AFTER_HOURS = 72.0
DATA_AGE_DESCRIPTION = "Only when (part of) this came from the cache: its age in seconds; refresh=true for fresh data"

SHIPMENT_STATUS_MEANINGS: dict[str, str] = {
    "pending": "waiting for a label; not shipped yet",
    "processing": "being processed; no label yet",
    "label_purchased": "label bought; the labels carry the tracking numbers",
    "cancelled": "cancelled; it will not ship",
}


# ----------------------------------------------------------------------------- formatting helpers


def format_time(value: datetime | None, *, with_time: bool = True) -> str | None:
    """'Mon 27 Oct 2024 11:59 UTC' (or without the time of day)."""
    if value is None:
        return None
    moment = to_utc(value) if value.tzinfo else value
    text = f"{moment:%a} {moment.day} {moment:%b %Y}"
    if with_time:
        text += f" {moment:%H:%M}" + (" UTC" if value.tzinfo else "")
    return text


def format_place(
    city: str | None = None, state: str | None = None, postal_code: str | None = None, country: str | None = None
) -> str | None:
    """'OCEANSIDE, CA 92056, US' from whatever parts are present."""
    region = " ".join(part for part in (state, postal_code) if part)
    text = ", ".join(part for part in (city, region, country) if part)
    return text or None


def event_place(event: TrackEvent) -> str | None:
    return format_place(event.city_locality, event.state_province, event.postal_code, event.country_code)


def event_text(event: TrackEvent) -> str | None:
    return (
        event.description
        or event.carrier_status_description
        or event.status_detail_description
        or event.status_description
    )


def _compact(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def _hours_between(earlier: datetime, later: datetime) -> float:
    return round((later - earlier).total_seconds() / 3600, 1)


# ----------------------------------------------------------------------------- tracking


class LatestEvent(BaseModel):
    occurred_at: datetime | None = Field(None, description="When the carrier scanned it (UTC)")
    description: str | None = None
    place: str | None = Field(None, description="'City, ST ZIP, Country'")


class TrackingSummary(BaseModel):
    """What is known about one package, newest facts first."""

    headline: str = Field(description="One line to say aloud")
    tracking_number: str | None = None
    carrier_code: str | None = None
    label_id: str | None = Field(None, description="The account's label for this package, when known")
    status_code: str = Field(description="AC, IT, DE, EX, UN, AT, NY or SP")
    status_description: str
    meaning: str = Field(description="What the status means in plain English")
    detail_code: str | None = None
    detail: str | None = Field(None, description="Finer status from the carrier, in plain English")
    exception_description: str | None = None
    delivered: bool
    exception: bool
    action_needed: bool = Field(description="Someone (merchant or recipient) should act")
    attention: list[str] = Field(default_factory=list, description="Reasons this package needs a look")
    ship_date: datetime | None = None
    estimated_delivery: datetime | None = None
    actual_delivery: datetime | None = None
    days_in_transit: float | None = Field(None, description="From shipping to delivery (or to now if not delivered)")
    latest_event: LatestEvent | None = None
    hours_since_last_scan: float | None = None
    signer: str | None = None
    tracking_url: str | None = None
    events: list[str] = Field(default_factory=list, description="Newest first: 'time: what (where)'")
    more_events: int = Field(0, description="Older events left out of `events`")
    note: str | None = Field(None, description="How this answer relates to what was asked, when that matters")
    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)


def _sorted_events(events: Iterable[TrackEvent]) -> list[TrackEvent]:
    """Newest first; events without a time keep their order after the timed ones."""
    indexed = list(enumerate(events))
    timed = [(i, e) for i, e in indexed if e.occurred_at is not None]
    untimed = [e for _, e in indexed if e.occurred_at is None]
    timed.sort(key=lambda pair: (pair[1].occurred_at, -pair[0]), reverse=True)
    return [e for _, e in timed] + untimed


def _event_line(event: TrackEvent) -> str:
    when = event.occurred_at.strftime("%Y-%m-%d %H:%M UTC") if event.occurred_at else "time unknown"
    what = event_text(event) or "scan"
    place = event_place(event)
    return f"{when}: {what}" + (f" ({place})" if place else "")


def summarize_tracking(
    info: TrackingInfo,
    *,
    now: datetime | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
    label_id: str | None = None,
    stalled_after_hours: float = STALLED_AFTER_HOURS,
) -> TrackingSummary:
    now = now or datetime.now(UTC)
    status = status_info(info.status_code)
    events = _sorted_events(info.events)
    latest = events[0] if events else None
    detail_code = info.status_detail_code
    detail = info.status_detail_description or detail_description(detail_code)
    delivered = status.delivered
    exception = status.exception

    actual = info.actual_delivery_date
    if delivered and actual is None:
        delivery_events = [e for e in events if e.occurred_at and status_info(e.status_code).delivered]
        actual = delivery_events[0].occurred_at if delivery_events else (latest.occurred_at if latest else None)
    signer = next((e.signer for e in events if e.signer), None)

    scan_times = [e.occurred_at for e in events if e.occurred_at]
    started = info.ship_date or (min(scan_times) if scan_times else None)
    ended = actual if delivered else now
    days = round((ended - started).total_seconds() / 86400, 1) if started and ended and ended >= started else None

    hours_since = None
    if latest and latest.occurred_at:
        hours_since = max(0.0, _hours_between(latest.occurred_at, now))

    attention: list[str] = []
    if exception:
        reason = info.exception_description or detail
        attention.append("Carrier reports an exception" + (f": {reason}" if reason else ""))
    elif status.action_needed:
        attention.append(status.meaning)
    if detail_code and detail_needs_action(detail_code) and not exception:
        attention.append(f"Carrier detail: {detail or detail_code}")
    if not delivered:
        if hours_since is not None and hours_since > stalled_after_hours:
            attention.append(f"No carrier scan for {hours_since / 24:.0f} days")
        estimated = info.estimated_delivery_date
        if estimated and estimated < now:
            attention.append(f"Past the estimated delivery date ({format_time(estimated, with_time=False)})")
    action_needed = status.action_needed or exception or bool(detail_code and detail_needs_action(detail_code))

    summary = TrackingSummary(
        headline="",
        tracking_number=info.tracking_number,
        carrier_code=info.carrier_code,
        label_id=label_id,
        status_code=status.code,
        status_description=info.status_description or status.description,
        meaning=status.meaning,
        detail_code=detail_code,
        detail=detail,
        exception_description=info.exception_description,
        delivered=delivered,
        exception=exception,
        action_needed=action_needed,
        attention=attention,
        ship_date=info.ship_date,
        estimated_delivery=info.estimated_delivery_date,
        actual_delivery=actual,
        days_in_transit=days,
        latest_event=LatestEvent(
            occurred_at=latest.occurred_at, description=event_text(latest), place=event_place(latest)
        )
        if latest
        else None,
        hours_since_last_scan=hours_since,
        signer=signer,
        tracking_url=info.tracking_url,
        events=[_event_line(e) for e in events[: max(0, max_events)]],
        more_events=max(0, len(events) - max(0, max_events)),
    )
    summary.headline = tracking_headline(summary)
    return summary


def tracking_headline(s: TrackingSummary) -> str:
    last = s.latest_event
    where = f" in {last.place}" if last and last.place else ""
    if s.delivered:
        when = format_time(s.actual_delivery) or "at an unknown time"
        verb = "Delivered to a collection point" if s.status_code == "SP" else "Delivered"
        signed = f" (signed by {s.signer})" if s.signer else ""
        return f"{verb} {when}{where}{signed}"
    if s.exception:
        reason = s.exception_description or s.detail or "no reason given"
        return f"Exception: {reason}" + (f" — last scan {format_time(last.occurred_at)}{where}" if last else "")
    if s.status_code == "AT":
        when = f" {format_time(last.occurred_at)}" if last and last.occurred_at else ""
        return f"Delivery attempted{when}{where}; the recipient may need to arrange redelivery or pick-up"
    if s.status_code == "NY":
        return "Label created; the carrier has not scanned the package yet"
    if last is None:
        return f"{s.status_description}; no scans reported yet"
    expected = f"; expected {format_time(s.estimated_delivery, with_time=False)}" if s.estimated_delivery else ""
    late = " (late)" if any(a.startswith("Past the estimated") for a in s.attention) else ""
    scan = last.description or "scan"
    return f"{s.status_description}: {scan}{where}, {format_time(last.occurred_at)}{expected}{late}"


def tracking_text(s: TrackingSummary) -> str:
    """Plain-text rendering: every fact of the summary, a line each."""
    lines = [s.headline]
    if s.note:
        lines.append(f"Note: {s.note}")
    ident = " ".join(part for part in (s.tracking_number, f"({s.carrier_code})" if s.carrier_code else None) if part)
    lines.append(f"Tracking {ident or 'number unknown'}: {s.status_code} {s.status_description} — {s.meaning}")
    if s.detail:
        lines.append(f"Detail: {s.detail}" + (f" [{s.detail_code}]" if s.detail_code else ""))
    if s.exception_description:
        lines.append(f"Exception: {s.exception_description}")
    for reason in s.attention:
        lines.append(f"Needs attention: {reason}")
    dates = [
        ("Shipped", s.ship_date),
        ("Estimated delivery", s.estimated_delivery),
        ("Delivered", s.actual_delivery),
    ]
    facts = [f"{label} {format_time(value)}" for label, value in dates if value]
    if s.days_in_transit is not None:
        facts.append(f"{s.days_in_transit:g} days in transit")
    if s.hours_since_last_scan is not None and not s.delivered:
        facts.append(f"last scan {s.hours_since_last_scan:g} h ago")
    if facts:
        lines.append("; ".join(facts))
    if s.signer:
        lines.append(f"Signed by {s.signer}")
    if s.label_id:
        lines.append(f"Label {s.label_id}")
    if s.tracking_url:
        lines.append(f"Carrier page: {s.tracking_url}")
    if s.events:
        lines.append("Events (newest first):")
        lines.extend(f"- {e}" for e in s.events)
        if s.more_events:
            lines.append(f"- … {s.more_events} older event(s) not shown")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- shipments


class ItemSummary(BaseModel):
    name: str | None = None
    sku: str | None = None
    quantity: int | None = None


class LabelSummary(BaseModel):
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
    is_return_label: bool | None = None


class ShipTo(BaseModel):
    name: str | None = None
    company: str | None = None
    place: str | None = Field(None, description="'City, ST ZIP, Country'")


class ShipmentSummary(BaseModel):
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
    next_step: str | None = Field(None, description="What the assistant can do next")
    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)


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
    via = f" via {s.carrier}" if s.carrier and numbers else ""
    return f"{name}{to}: {status}{via}{tracking}"


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
            parts.append("VOIDED")
        if lbl.tracking_url:
            parts.append(lbl.tracking_url)
        lines.append(" — ".join(parts))
    if s.next_step:
        lines.append(f"Next: {s.next_step}")
    return "\n".join(lines)


class ShipmentRow(BaseModel):
    shipment_id: str | None = None
    shipment_number: str | None = None
    external_shipment_id: str | None = None
    status: str | None = None
    created_at: datetime | None = None
    ship_date: datetime | None = None
    ship_to: str | None = Field(None, description="Name, City, ST ZIP, Country")
    items: int = Field(0, description="Total quantity of items")
    service: str | None = None


class ShipmentPage(BaseModel):
    headline: str
    shipments: list[ShipmentRow] = Field(default_factory=list)
    page: int = 1
    pages: int = 0
    total: int = 0
    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)


def summarize_shipment_list(result: ShipmentList, *, page: int = 1) -> ShipmentPage:
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
        lines.append(
            f"- {row.shipment_id} (order {ref}): {row.status or '?'}, created {created}, "
            f"{row.items} item(s) to {row.ship_to or 'unknown'}"
        )
    return "\n".join(lines)


def compact_json(model: BaseModel) -> dict[str, Any]:
    """The structured form sent to clients: JSON-ready, absent facts left out."""
    return _compact(model)
