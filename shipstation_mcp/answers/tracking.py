"""The answer about one package: `TrackingSummary`, built from a carrier's tracking answer. No I/O.

Absent facts are left out of the JSON rather than sent as `null`, to keep answers small; the schema documents
every field.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pydantic import Field, PrivateAttr

from ..api.models import TrackEvent, TrackingInfo
from ..api.status import StatusInfo, detail_description, detail_needs_action, package_status, status_info
from .base import AnswerPart, CachedAnswer
from .format import (
    Where,
    day_has_passed,
    delivery_time,
    due_day,
    event_offset,
    event_place,
    event_text,
    format_day,
    format_local,
    hours_between,
    offset_at,
    offset_text,
    read_event_times,
)

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "STALLED_AFTER_HOURS",
    "LabelFacts",
    "LatestEvent",
    "TrackingSummary",
    "summarize_tracking",
    "tracking_headline",
    "tracking_text",
]

DEFAULT_MAX_EVENTS = 10
STALLED_AFTER_HOURS = 72.0


# ----------------------------------------------------------------------------- tracking


class LatestEvent(AnswerPart):
    occurred_at: datetime | None = Field(None, description="When the carrier scanned it (UTC)")
    description: str | None = None
    place: str | None = Field(None, description="'City, ST ZIP, Country'")
    company: str | None = Field(None, description="Business or person at the scan (access point, neighbour)")


class TrackingSummary(CachedAnswer):
    """What is known about one package, newest facts first."""

    headline: str = Field(description="One line to say aloud: the most important fact first")
    tracking_number: str | None = None
    carrier_code: str | None = None
    label_id: str | None = Field(None, description="The account's label for this package, when known")
    status_code: str = Field(description="AC, IT, DE, EX, UN, AT, NY or SP")
    status_description: str
    meaning: str = Field(description="What the status (and its detail) means in plain English")
    detail_code: str | None = None
    detail: str | None = Field(None, description="Finer status from the carrier, in plain English")
    exception_description: str | None = None
    delivered: bool
    exception: bool
    action_needed: bool = Field(description="Someone (merchant or recipient) should act")
    attention: list[str] = Field(default_factory=list, description="Reasons this package needs a look")
    voided: bool | None = Field(None, description="The label was voided: this package was not sent with it")
    replaced_by: str | None = Field(None, description="The label that replaced a voided one, in the same shipment")
    return_label: bool | None = Field(None, description="A return label: the package travels back to the merchant")
    label_created_at: datetime | None = None
    ship_date: datetime | None = None
    estimated_delivery: datetime | None = None
    estimated_delivery_day: date | None = Field(
        None, description="The day delivery is due in the destination's calendar; late only once it has passed there"
    )
    late: bool | None = Field(None, description="The due day has passed at the destination without delivery")
    actual_delivery: datetime | None = None
    days_in_transit: float | None = Field(None, description="From the first carrier scan to delivery (or to now)")
    latest_event: LatestEvent | None = None
    hours_since_last_scan: float | None = None
    utc_offset: str | None = Field(
        None, description="UTC offset where the package last was, at its last scan; text dates are local"
    )
    signer: str | None = None
    delivered_to: str | None = Field(None, description="Business or person that took the package (neighbour, shop)")
    proof_of_delivery_url: str | None = Field(None, description="The carrier's photo or signature of the delivery")
    tracking_url: str | None = Field(None, description="The carrier's own tracking page")
    events: list[str] = Field(
        default_factory=list, description="Newest first: 'local time and UTC offset: what (where)'"
    )
    more_events: int | None = Field(None, description="Older events left out of `events`")
    note: str | None = Field(None, description="How this answer relates to what was asked, when that matters")

    _zone: Where = PrivateAttr(default=None)
    """Where the package last was (an IANA zone when its place is known): each time the text shows is read there at
    its own instant, so a delivery after a clock change does not borrow an older scan's offset."""

    def text(self) -> str:
        return tracking_text(self)


@dataclass(frozen=True)
class LabelFacts:
    """What the account's label adds to a carrier's tracking answer."""

    label_id: str | None = None
    created_at: datetime | None = None
    voided: bool = False
    replaced_by: str | None = None
    return_label: bool = False


def _sorted_events(events: Iterable[TrackEvent]) -> list[TrackEvent]:
    """Newest first; events without a time keep their order after the timed ones."""
    indexed = list(enumerate(events))
    timed = [(i, e) for i, e in indexed if e.occurred_at is not None]
    untimed = [e for _, e in indexed if e.occurred_at is None]
    timed.sort(key=lambda pair: (pair[1].occurred_at, -pair[0]), reverse=True)
    return [e for _, e in timed] + untimed


def _event_when(event: TrackEvent) -> str:
    offset = event_offset(event)
    if event.occurred_at is not None and offset is not None:
        moment = event.occurred_at + offset
        return f"{moment:%Y-%m-%d %H:%M}{offset_text(offset)}"
    if event.carrier_occurred_at is not None:
        return f"{event.carrier_occurred_at:%Y-%m-%d %H:%M} local time"
    if event.occurred_at is not None:
        return f"{event.occurred_at:%Y-%m-%d %H:%M} UTC"
    return "time unknown"


def _event_line(event: TrackEvent) -> str:
    what = event_text(event) or "scan"
    at = f" at {event.company_name}" if event.company_name else ""
    place = event_place(event)
    return f"{_event_when(event)}: {what}{at}" + (f" ({place})" if place else "")


def _distinct(reasons: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for reason in reasons:
        key = reason.rstrip(". ").casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(reason)
    return kept


def summarize_tracking(
    info: TrackingInfo,
    *,
    now: datetime | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
    label_id: str | None = None,
    label: LabelFacts | None = None,
    stalled_after_hours: float = STALLED_AFTER_HOURS,
) -> TrackingSummary:
    now = now or datetime.now(UTC)
    label = label or LabelFacts(label_id=label_id)
    status = package_status(info.status_code, info.status_detail_code)
    times = read_event_times(info.events)  # each event at its real instant, with its own place's clock
    events = _sorted_events(times.events)
    latest = events[0] if events else None
    where = times.zone
    detail_code = info.status_detail_code
    detail = info.status_detail_description or detail_description(detail_code)
    detail_acts = bool(detail_code and detail_needs_action(detail_code))
    delivered, exception = status.delivered and not label.voided, status.exception
    delivery = next((e for e in events if e.occurred_at and status_info(e.status_code).delivered), None)
    actual = None
    if delivered:
        actual = delivery_time(info.actual_delivery_date, delivery.occurred_at if delivery else None)
        actual = actual or (latest or TrackEvent()).occurred_at

    scan_times = [e.occurred_at for e in events if e.occurred_at]
    first_scan = min(scan_times) if scan_times else None
    ended = actual if delivered else now
    days = None
    if first_scan and ended and ended >= first_scan and not label.voided:
        days = round((ended - first_scan).total_seconds() / 86400, 1)
    hours_since = None
    if latest and latest.occurred_at and not label.voided and not delivered:  # "since the last scan" ends there
        hours_since = max(0.0, hours_between(latest.occurred_at, now))
    due = due_day(info.estimated_delivery_date, where)
    late = bool(due and not delivered and not label.voided and day_has_passed(due, now, where))
    offset = offset_at(latest.occurred_at if latest else None, where)

    attention = _attention(info, status, detail, detail_acts, label, hours_since, stalled_after_hours, due, late)
    summary = TrackingSummary(
        headline="",
        tracking_number=info.tracking_number,
        carrier_code=info.carrier_code,
        label_id=label.label_id,
        status_code=status.code,
        status_description=info.status_description or status.description,
        meaning=f"{detail.rstrip('.')}." if detail_acts and detail else status.meaning,
        detail_code=detail_code,
        detail=detail,
        exception_description=info.exception_description,
        delivered=delivered,
        exception=exception,
        action_needed=status.action_needed or exception or detail_acts or label.voided,
        attention=attention,
        voided=True if label.voided else None,
        replaced_by=label.replaced_by,
        return_label=True if label.return_label else None,
        label_created_at=label.created_at if not scan_times else None,
        ship_date=info.ship_date,
        estimated_delivery=info.estimated_delivery_date,
        estimated_delivery_day=due,
        late=True if late else None,
        actual_delivery=actual,
        days_in_transit=days,
        latest_event=_latest(latest),
        hours_since_last_scan=hours_since,
        utc_offset=offset_text(offset) if offset is not None else None,
        signer=next((e.signer for e in events if e.signer), None),
        delivered_to=(delivery.company_name if delivery else None) if delivered else None,
        proof_of_delivery_url=next((e.proof_of_delivery_url for e in events if e.proof_of_delivery_url), None),
        tracking_url=info.tracking_url,
        events=[_event_line(e) for e in events[: max(0, max_events)]],
        more_events=max(0, len(events) - max(0, max_events)) or None,
    )
    summary._zone = where
    summary.headline = tracking_headline(summary, now=now)
    return summary


def _latest(event: TrackEvent | None) -> LatestEvent | None:
    if event is None:
        return None
    return LatestEvent(
        occurred_at=event.occurred_at,
        description=event_text(event),
        place=event_place(event),
        company=event.company_name,
    )


def _attention(
    info: TrackingInfo,
    status: StatusInfo,
    detail: str | None,
    detail_acts: bool,
    label: LabelFacts,
    hours_since: float | None,
    stalled_after_hours: float,
    due: date | None,
    late: bool,
) -> list[str]:
    if label.voided:
        replaced = f"; it was replaced by label {label.replaced_by}" if label.replaced_by else ""
        return [
            f"Label {label.label_id or ''} was voided: this package was not sent with it{replaced}".replace("  ", " ")
        ]
    reasons: list[str] = []
    if status.exception:
        reason = info.exception_description or detail
        reasons.append("Carrier reports an exception" + (f": {reason}" if reason else ""))
    elif detail_acts and detail:
        reasons.append(detail)
    elif status.action_needed:
        reasons.append(status.meaning)
    if not status.delivered:
        if hours_since is not None and hours_since > stalled_after_hours:
            reasons.append(f"No carrier scan for {hours_since / 24:.0f} days")
        if late and due:
            reasons.append(f"Past the estimated delivery date ({format_day(due)})")
    return _distinct(reasons)


def tracking_headline(s: TrackingSummary, *, now: datetime | None = None) -> str:
    last = s.latest_event
    offset = _offset_of(s)
    where = f" in {last.place}" if last and last.place else ""
    if s.voided:
        return s.attention[0] if s.attention else "This label was voided"
    if s.delivered:
        return _delivered_headline(s, offset, where)
    if s.exception:
        reason = s.exception_description or s.detail or "no reason given"
        return f"Exception: {reason}" + (f" — last scan {_when(last, offset)}{where}" if last else "")
    if s.status_code == "AT":
        when = f" {_when(last, offset)}" if last and last.occurred_at else ""
        return f"Delivery attempted{when}{where}; the recipient may need to arrange redelivery or pick-up"
    if last is None:
        return _unscanned_headline(s, now)
    if s.action_needed and s.detail:
        return f"{s.detail.rstrip('.')} — last scan {_when(last, offset)}{where}"
    expected = ""
    if s.estimated_delivery_day:
        expected = f"; due {format_day(s.estimated_delivery_day)}" + (" (late)" if s.late else "")
    scan = last.description or "scan"
    return f"{s.status_description}: {scan}{where}, {_when(last, offset)}{expected}"


def _delivered_headline(s: TrackingSummary, offset: Where, where: str) -> str:
    when = format_local(s.actual_delivery, offset) or "at an unknown time"
    to = f" to {s.delivered_to}" if s.delivered_to else ""
    signed = f" (signed by {s.signer})" if s.signer else ""
    if s.status_code == "SP":
        at = s.delivered_to or ("the post office" if s.detail_code == "COLLECT_AT_LOCAL_PO" else "the collection point")
        return f"Waiting for pickup at {at}{where} since {when}: the recipient must collect it"
    return f"Delivered{to} {when}{where}{signed}"


def _unscanned_headline(s: TrackingSummary, now: datetime | None) -> str:
    created = s.label_created_at
    if created is not None and now is not None:
        days = (now - created).total_seconds() / 86400
        age = "today" if days < 1 else f"{days:.0f} day{'s' if round(days) != 1 else ''} ago"
        return f"Label created {age}; the carrier has not scanned the package yet"
    return "Label created; the carrier has not scanned the package yet"


def _offset_of(s: TrackingSummary) -> Where:
    """Where the summary's times are shown: its zone (each instant at its own offset), else its fixed offset."""
    if s._zone is not None:
        return s._zone
    if s.utc_offset is None:
        return None
    sign = -1 if s.utc_offset.startswith("-") else 1
    hours, minutes = s.utc_offset[1:].split(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def _when(event: LatestEvent | None, offset: Where) -> str:
    if event is None or event.occurred_at is None:
        return "at an unknown time"
    return format_local(event.occurred_at, offset) or ""


def tracking_text(s: TrackingSummary) -> str:
    """Plain-text rendering: every fact of the summary, a line each."""
    offset = _offset_of(s)
    lines = [s.headline]
    if s.note:
        lines.append(f"Note: {s.note}")
    ident = " ".join(part for part in (s.tracking_number, f"({s.carrier_code})" if s.carrier_code else None) if part)
    kind = " (return label)" if s.return_label else ""
    detail_code = f" [{s.detail_code}]" if s.detail_code and s.detail_code != s.status_code else ""
    code = f"{s.status_code} {s.status_description}{detail_code}"
    lines.append(f"Tracking {ident or 'number unknown'}{kind}: {code} — {s.meaning}")
    if s.detail and s.detail.rstrip(".") != s.meaning.rstrip("."):
        lines.append(f"Detail: {s.detail}")
    if s.exception_description:
        lines.append(f"Exception: {s.exception_description}")
    lines += [f"Needs attention: {reason}" for reason in s.attention if reason != s.headline]
    facts = []
    shipped = due_day(s.ship_date, offset)  # a ship date is a day, like an estimate
    if shipped and not s.voided:
        scanned = s.latest_event is not None and s.status_code not in {"NY", "UN"}
        facts.append(f"{'Shipped' if scanned else 'Ship date on the label'} {format_day(shipped)}")
    due = f"due {format_day(s.estimated_delivery_day)}" if s.estimated_delivery_day else None
    if due and not s.delivered and due not in s.headline:  # said once: the headline of a package on its way has it
        facts.append(due + (" (late)" if s.late else ""))
    if s.days_in_transit is not None:
        facts.append(f"{s.days_in_transit:g} days since the first scan")
    if s.hours_since_last_scan is not None and not s.delivered:
        facts.append(f"last scan {s.hours_since_last_scan:g} h ago")
    if facts:
        lines.append("; ".join(facts))
    if s.signer:
        lines.append(f"Signed by {s.signer}")
    if s.proof_of_delivery_url:
        lines.append(f"Proof of delivery: {s.proof_of_delivery_url}")
    if s.label_id:
        lines.append(f"Label {s.label_id}" + (f", replaced by {s.replaced_by}" if s.replaced_by else ""))
    if s.tracking_url:
        lines.append(f"Carrier page: {s.tracking_url}")
    if s.events:
        lines.append("Events (newest first):")
        lines.extend(f"- {e}" for e in s.events)
        if s.more_events:
            lines.append(f"- … {s.more_events} older event(s) not shown")
    return "\n".join(lines)
