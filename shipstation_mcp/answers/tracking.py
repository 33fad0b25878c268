"""The answer about one package: `TrackingSummary`, built from a carrier's tracking answer. No I/O.

Absent facts are left out of the JSON rather than sent as `null`, to keep answers small; the schema documents
every field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from ..api.models import TrackEvent, TrackingInfo
from ..api.status import detail_description, detail_needs_action, status_info
from .base import CachedAnswer
from .format import event_place, event_text, format_time, hours_between

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "STALLED_AFTER_HOURS",
    "LatestEvent",
    "TrackingSummary",
    "summarize_tracking",
    "tracking_headline",
    "tracking_text",
]

DEFAULT_MAX_EVENTS = 10
STALLED_AFTER_HOURS = 72.0


# ----------------------------------------------------------------------------- tracking


class LatestEvent(BaseModel):
    occurred_at: datetime | None = Field(None, description="When the carrier scanned it (UTC)")
    description: str | None = None
    place: str | None = Field(None, description="'City, ST ZIP, Country'")


class TrackingSummary(CachedAnswer):
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

    def text(self) -> str:
        return tracking_text(self)


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
        hours_since = max(0.0, hours_between(latest.occurred_at, now))

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
