"""The answer about one package: `TrackingSummary`, built from a carrier's tracking answer. No I/O.

The reading of the history (which signal wins, what leads the headline, what to do) is `reading.py`'s, in tables;
this module phrases it. Absent facts are left out of the JSON rather than sent as `null`, to keep answers small;
the schema documents every field.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from pydantic import Field, PrivateAttr

from ..api.models import Address, TrackEvent, TrackingInfo
from ..api.status import STATUS_CODES, detail_description, detail_needs_action
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
    format_place,
    hours_between,
    local,
    offset_at,
    offset_text,
    read_event_times,
)
from .quoting import quote
from .reading import (
    DETAIL_SIGNALS,
    LONG_UNSCANNED_ACTION,
    SITUATION_ORDER,
    UNSCANNED_AFTER_DAYS,
    Reading,
    Signal,
    Situation,
    carrier_name,
    days_text,
    place_mismatch,
    read_tracking,
    what_to_do,
)

__all__ = [
    "DEFAULT_MAX_EVENTS",
    "STALLED_AFTER_HOURS",
    "LabelFacts",
    "LatestEvent",
    "TrackingSummary",
    "summarize_tracking",
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
    situation: str = Field(
        "in_transit",
        description=(
            "The fact that leads: misdelivered, returning, exception, delivery_attempt, waiting_for_pickup, stalled, "
            "late, delivered, out_for_delivery, in_transit, not_yet_scanned or voided"
        ),
    )
    what_to_do: str | None = Field(None, description="An action a support agent can take; absent when none is needed")
    tracking_number: str | None = None
    carrier_code: str | None = None
    label_id: str | None = Field(None, description="The account's label for this package, when known")
    status_code: str = Field(description="AC, IT, DE, EX, UN, AT, NY or SP, as the scans show it")
    status_description: str
    status_note: str | None = Field(
        None, description="Where ShipStation's own status and the carrier's scans disagree, in plain words"
    )
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
    misdelivered: bool | None = Field(None, description="Delivered somewhere other than the order's ship-to")
    expected_destination: str | None = Field(None, description="The order's ship-to place, when known")
    days_in_transit: float | None = Field(
        None, description="From the carrier's first physical scan (not the label record) to delivery (or to now)"
    )
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
    earlier_use_events: int | None = Field(
        None, description="Scans of an earlier use of this (recycled) tracking number, left out of everything else"
    )
    note: str | None = Field(None, description="How this answer relates to what was asked, when that matters")

    _zone: Where = PrivateAttr(default=None)
    """Where the package last was (an IANA zone when its place is known): each time the text shows is read there at
    its own instant, so a delivery after a clock change does not borrow an older scan's offset."""

    def text(self) -> str:
        return tracking_text(self)


@dataclass(frozen=True)
class LabelFacts:
    """What the account's label (and its shipment, where the lookup has it) adds to a carrier's tracking answer."""

    label_id: str | None = None
    created_at: datetime | None = None
    voided: bool = False
    replaced_by: str | None = None
    return_label: bool = False
    ship_to: Address | None = None
    """Where the order ships: a delivery scan elsewhere is flagged as possibly misdelivered."""


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


def _quoted_event(line: str) -> str:
    """An event line for text: our time, then the carrier's words (scan, company, place) in quotation marks."""
    when, sep, said = line.partition(": ")
    return f"{when}: {quote(said)}" if sep and said else quote(line)


def _distinct(reasons: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for reason in reasons:
        key = reason.rstrip(". ").casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(reason)
    return kept


# The status code an answer shows for each state the reading finds (the API's own code is kept when it agrees).
_STATE_CODES: dict[Signal, str] = {
    Signal.DELIVERED: "DE",
    Signal.PICKUP: "SP",
    Signal.ATTEMPT: "AT",
    Signal.RETURNING: "EX",
    Signal.EXCEPTION: "EX",
    Signal.DELAYED: "IT",  # still moving, later than planned: "late" once the due day passes, not an exception
    Signal.OUT_FOR_DELIVERY: "IT",
    Signal.MOVING: "IT",
    Signal.LABEL: "NY",
    Signal.UNKNOWN: "UN",
}
_AGREEING_CODES: dict[str, set[str]] = {"IT": {"IT", "AC"}, "NY": {"NY"}}

# What each state means, where the status code's general meaning would say less (or something else).
_STATE_MEANINGS: dict[Signal, str] = {
    Signal.LABEL: "A label was created; {carrier} has not received the package yet.",
    Signal.MOVING: "The package is on its way through {carrier}'s network.",
    Signal.OUT_FOR_DELIVERY: "{carrier} has the package on a delivery vehicle: it should arrive today.",
    Signal.RETURNING: "{carrier} is sending the package back to the sender.",
    Signal.DELAYED: "{carrier} reports a delay in its network.",
    Signal.DELIVERED: "{carrier} reports it delivered.",
}


@dataclass(frozen=True)
class _Facts:
    """What the summary is built from: the reading, and the facts judged against now."""

    info: TrackingInfo
    reading: Reading
    label: LabelFacts
    now: datetime
    where: Where
    """Where the package last was: its zone (each instant at its own offset), a fixed offset, or None (UTC)."""
    delivered: bool
    due: date | None
    late: bool
    hours_since: float | None
    stalled: bool
    misdelivered: bool


def _judge(info: TrackingInfo, label: LabelFacts, now: datetime, stalled_after_hours: float) -> _Facts:
    times = read_event_times(info.events)  # each event at its real instant, with its own place's clock
    reading = read_tracking(info, times.events)  # already newest first by real instant
    where = times.zone
    state = reading.state
    delivered = state in {Signal.DELIVERED, Signal.PICKUP} and not label.voided
    latest = reading.latest or (reading.events[0] if reading.events else None)
    hours_since = None
    scanned = state not in {Signal.LABEL, Signal.UNKNOWN}
    if latest and latest.occurred_at and not label.voided and not delivered and scanned:  # a label record is no scan
        hours_since = max(0.0, hours_between(latest.occurred_at, now))
    due = due_day(info.estimated_delivery_date, where)
    late = bool(due and not delivered and not label.voided and day_has_passed(due, now, where))
    stalled = bool(hours_since is not None and hours_since > stalled_after_hours and scanned)
    misdelivered = bool(
        delivered and state is Signal.DELIVERED and reading.delivery and place_mismatch(reading.delivery, label.ship_to)
    )
    return _Facts(info, reading, label, now, where, delivered, due, late, hours_since, stalled, misdelivered)


def _situation(f: _Facts) -> Situation:
    state, problem = f.reading.state, f.reading.problem_signal
    scanned = state not in {Signal.LABEL, Signal.UNKNOWN}
    holds = {
        Situation.VOIDED: f.label.voided,
        Situation.MISDELIVERED: f.misdelivered,
        Situation.RETURNING: Signal.RETURNING in {state, problem},
        Situation.EXCEPTION: Signal.EXCEPTION in {state, problem},
        Situation.ATTEMPT: state is Signal.ATTEMPT,
        Situation.PICKUP: state is Signal.PICKUP,
        Situation.STALLED: f.stalled,
        Situation.LATE: f.late and scanned,  # never received: said by the unscanned headline
        Situation.DELIVERED: f.delivered,
        Situation.OUT_FOR_DELIVERY: state is Signal.OUT_FOR_DELIVERY,
        Situation.IN_TRANSIT: state not in {Signal.LABEL, Signal.UNKNOWN},
        Situation.NOT_SCANNED: state is Signal.LABEL or f.label.created_at is not None,  # a label exists
    }
    return next((s for s in SITUATION_ORDER if holds.get(s)), Situation.UNKNOWN)


def _detail(f: _Facts, situation: Situation) -> tuple[str | None, str | None]:
    """The detail code and its words, from the top level when they agree with the reading, else from the scan that
    shows the state (generic text that contradicts the answer is dropped)."""
    targets = {
        Situation.RETURNING: {Signal.RETURNING},
        Situation.EXCEPTION: {Signal.EXCEPTION},
    }.get(situation, {f.reading.state})
    candidates = []
    for event in (f.reading.problem, None, f.reading.latest):
        source = f.info if event is None else event
        candidates.append((source.status_detail_code, source.status_detail_description))
    for code, words in candidates:
        if code and any(_agrees(DETAIL_SIGNALS.get(code), target) for target in targets):
            return code, words or detail_description(code)
    return None, None


def _agrees(signal: Signal | None, state: Signal) -> bool:
    quiet = {Signal.MOVING, Signal.LABEL, Signal.UNKNOWN}
    if signal is None:
        return state in quiet | {Signal.OUT_FOR_DELIVERY}
    return signal is state or (signal in quiet and state in quiet and signal is not Signal.LABEL)


def _status(f: _Facts) -> tuple[str, str]:
    state, api_code = f.reading.state, (f.info.status_code or "")
    code = _STATE_CODES[state]
    agrees = api_code in _AGREEING_CODES.get(code, {code}) or f.reading.reported is state
    accepted_label = api_code == "AC" and state is Signal.LABEL  # USPS's label record is no acceptance
    if api_code in STATUS_CODES and agrees and not accepted_label:  # e.g. IT with a customs hold
        code = api_code
    return code, STATUS_CODES[code].description  # the code's own words: the API's sometimes belong to another code


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
    f = _judge(info, label, now, stalled_after_hours)
    reading, events = f.reading, f.reading.events
    situation = _situation(f)
    code, description = _status(f)
    detail_code, detail = _detail(f, situation)
    detail_acts = bool(detail_code and detail_needs_action(detail_code))
    delivery = reading.delivery
    actual = None
    if f.delivered:
        actual = delivery_time(info.actual_delivery_date, delivery.occurred_at if delivery else None)
        actual = actual or (reading.latest or TrackEvent()).occurred_at
        scans = [e.occurred_at for e in events if e.occurred_at]
        if delivery is None and actual and scans and actual < max(scans):  # before scans of the package: no time
            actual = None
    first = reading.first_physical.occurred_at if reading.first_physical else None
    ended = actual if f.delivered else now
    days = None
    if first and ended and ended >= first and not label.voided:
        days = round((ended - first).total_seconds() / 86400, 1)
    problem = situation in {Situation.RETURNING, Situation.EXCEPTION}
    summary = TrackingSummary(
        headline="",
        situation=situation.value,
        tracking_number=info.tracking_number,
        carrier_code=info.carrier_code,
        label_id=label.label_id,
        status_code=code,
        status_description=description,
        status_note=reading.disagreement,
        meaning=_meaning(f, code, detail, detail_acts),
        detail_code=detail_code,
        detail=detail,
        exception_description=info.exception_description if problem else None,
        delivered=f.delivered,
        exception=problem,
        action_needed=situation in _ACTING or detail_acts,
        attention=_attention(f, situation, detail),
        voided=True if label.voided else None,
        replaced_by=label.replaced_by,
        return_label=True if label.return_label else None,
        label_created_at=label.created_at if first is None else None,
        ship_date=info.ship_date,
        estimated_delivery=info.estimated_delivery_date,
        estimated_delivery_day=f.due,
        late=True if f.late else None,
        actual_delivery=actual,
        misdelivered=True if f.misdelivered else None,
        expected_destination=_ship_to_place(label.ship_to),
        days_in_transit=days,
        latest_event=_latest(reading.latest or (events[0] if events else None)),
        hours_since_last_scan=f.hours_since,
        utc_offset=_utc_offset(f),
        signer=next((e.signer for e in events if e.signer), None),
        delivered_to=(delivery.company_name if delivery else None) if f.delivered else None,
        proof_of_delivery_url=next((e.proof_of_delivery_url for e in events if e.proof_of_delivery_url), None),
        tracking_url=info.tracking_url,
        events=[_event_line(e) for e in events[: max(0, max_events)]],
        more_events=max(0, len(events) - max(0, max_events)) or None,
        earlier_use_events=len(reading.earlier_use) or None,
    )
    summary._zone = f.where
    summary.headline = _HEADLINES[situation](summary, f)
    summary.what_to_do = _what_to_do(summary, f, situation)
    return summary


def _utc_offset(f: _Facts) -> str | None:
    latest = f.reading.latest or (f.reading.events[0] if f.reading.events else None)
    offset = offset_at(latest.occurred_at if latest else None, f.where)
    return offset_text(offset) if offset is not None else None


_ACTING = {Situation.VOIDED, Situation.MISDELIVERED, Situation.RETURNING, Situation.EXCEPTION, Situation.ATTEMPT}
_ACTING |= {Situation.PICKUP}


def _ship_to_place(address: Address | None) -> str | None:
    if address is None:
        return None
    return format_place(address.city_locality, address.state_province, address.postal_code, address.country_code)


def _meaning(f: _Facts, code: str, detail: str | None, detail_acts: bool) -> str:
    if detail_acts and detail:
        return f"{quote(detail.rstrip('.'))}."
    template = _STATE_MEANINGS.get(f.reading.state)
    if template:
        name = carrier_name(f.info.carrier_code)
        text = template.format(carrier=name)
        return text[0].upper() + text[1:]
    return STATUS_CODES[code].meaning


def _latest(event: TrackEvent | None) -> LatestEvent | None:
    if event is None:
        return None
    return LatestEvent(
        occurred_at=event.occurred_at,
        description=event_text(event),
        place=event_place(event),
        company=event.company_name,
    )


def _attention(f: _Facts, situation: Situation, detail: str | None) -> list[str]:
    label = f.label
    if label.voided:
        replaced = f"; it was replaced by label {label.replaced_by}" if label.replaced_by else ""
        return [
            f"Label {label.label_id or ''} was voided: this package was not sent with it{replaced}".replace("  ", " ")
        ]
    reasons: list[str] = []
    problem = f.reading.problem
    if f.misdelivered and f.reading.delivery is not None:
        reasons.append(
            f"Delivered in {event_place(f.reading.delivery)}, not at the ship-to {_ship_to_place(label.ship_to)}"
        )
    if situation is Situation.RETURNING:
        reasons.append("The carrier is returning it to the sender" + (f": {_scan(problem)}" if problem else ""))
    elif situation is Situation.EXCEPTION:
        reason = quote(f.info.exception_description) or (_scan(problem) if problem else None) or quote(detail)
        reasons.append("Carrier reports an exception" + (f": {reason}" if reason else ""))
    elif situation is Situation.ATTEMPT and detail:
        reasons.append(f"{carrier_name(f.info.carrier_code)} says {quote(detail)}")
    elif situation in {Situation.ATTEMPT, Situation.PICKUP}:
        reasons.append(STATUS_CODES[_STATE_CODES[f.reading.state]].meaning)
    elif f.reading.state is Signal.DELAYED:
        reasons.append(
            f"{carrier_name(f.info.carrier_code)} reports a delay" + (f": {quote(detail)}" if detail else "")
        )
    if not f.delivered:
        if f.stalled and f.hours_since is not None:
            reasons.append(f"No carrier scan for {_whole_days(f.hours_since)} days")
        if f.late and f.due:
            reasons.append(f"Past the estimated delivery date ({format_day(f.due)})")
    return _distinct(reasons)


# ----------------------------------------------------------------------------- headlines, one per situation


def _whole_days(hours: float) -> int:
    """Days fully passed: 'no scan for 6 days' only once six whole days have gone by."""
    return int(hours // 24)


def _scan(event: TrackEvent | None) -> str:
    """The carrier's words for a scan, quoted (they are the carrier's, not ours), or 'scan'."""
    return quote(event_text(event) if event else None) or "scan"


def _where(event: TrackEvent | None) -> str:
    """' in OCEANSIDE, CA 92056, US'; nothing when the scan names no more than a country."""
    if event is None or not (event.city_locality or event.state_province or event.postal_code):
        return ""
    return f" in {event_place(event)}"


def _at(event: TrackEvent | None) -> str:
    if event is None or event.occurred_at is None:
        return "at an unknown time"
    return format_local(event.occurred_at, event_offset(event)) or ""  # its own place's clock, or UTC plainly


def _due(s: TrackingSummary, f: _Facts) -> str:
    if s.estimated_delivery_day is None:
        return ""
    today = local(f.now, f.where).date()
    verb = "was due" if s.estimated_delivery_day < today else "due"
    return f"; {verb} {format_day(s.estimated_delivery_day)} ({days_text(s.estimated_delivery_day, today)})"


def _since_then(f: _Facts, problem: TrackEvent | None) -> str:
    latest = f.reading.latest
    if problem is None or latest is None or latest is problem:
        return ""
    return f"; since then: {_scan(latest)}{_where(latest)}, {_at(latest)}"


def _voided_headline(s: TrackingSummary, f: _Facts) -> str:
    return s.attention[0] if s.attention else "This label was voided"


def _misdelivered_headline(s: TrackingSummary, f: _Facts) -> str:
    when = format_local(s.actual_delivery, f.where) or "at an unknown time"
    where = event_place(f.reading.delivery) if f.reading.delivery else "another place"
    return f"Possibly misdelivered: delivered {when} in {where}, but the order ships to {s.expected_destination}"


def _returning_headline(s: TrackingSummary, f: _Facts) -> str:
    event = f.reading.problem or f.reading.latest
    if event is None:
        return "Being returned to the sender" + (f": {quote(s.detail)}" if s.detail else "")
    text = f"Being returned to the sender: {_scan(event)}{_where(event)}, {_at(event)}"
    return text + _since_then(f, f.reading.problem)


def _exception_headline(s: TrackingSummary, f: _Facts) -> str:
    event = f.reading.problem or f.reading.latest
    reason = (
        quote(s.exception_description) or (_scan(f.reading.problem) if f.reading.problem else None) or quote(s.detail)
    )
    text = f"Exception: {reason or 'no reason given'}"
    if event is not None:
        text += f" \u2014 {'scan' if f.reading.problem else 'last scan'} {_at(event)}{_where(event)}"
    return text + _since_then(f, f.reading.problem)


def _attempt_headline(s: TrackingSummary, f: _Facts) -> str:
    last = f.reading.latest
    when = f" {_at(last)}" if last and last.occurred_at else ""
    return f"Delivery attempted{when}{_where(last)}; the recipient may need to arrange redelivery or pick-up"


def _pickup_headline(s: TrackingSummary, f: _Facts) -> str:
    when = format_local(s.actual_delivery, f.where) or "an unknown time"
    event = f.reading.delivery
    at = quote(s.delivered_to) or (
        "the post office" if s.detail_code == "COLLECT_AT_LOCAL_PO" else "the collection point"
    )
    return f"Waiting for pickup at {at}{_where(event)} since {when}: the recipient must collect it"


def _stalled_headline(s: TrackingSummary, f: _Facts) -> str:
    last = f.reading.latest
    days = _whole_days(f.hours_since or 0)
    return f"No carrier scan for {days} days: last {_scan_at(last, f)}" + _due(s, f)


def _late_headline(s: TrackingSummary, f: _Facts) -> str:
    last = f.reading.latest
    day = s.estimated_delivery_day
    today = local(f.now, f.where).date()
    due = f"{format_day(day)} ({days_text(day, today)})" if day else "an earlier day"
    return f"Late: was due {due}, not delivered yet; last scan {_scan_at(last, f)}"


def _scan_at(event: TrackEvent | None, f: _Facts) -> str:
    """'“Arrived at FedEx location” in LINDEN, NJ, Tue 25 Aug 2026 19:22 (UTC-04:00)'."""
    return f"{_scan(event)}{_where(event)}, {_at(event)}"


def _delivered_headline(s: TrackingSummary, f: _Facts) -> str:
    when = format_local(s.actual_delivery, f.where) or "at an unknown time"
    to = f" to {quote(s.delivered_to)}" if s.delivered_to else ""
    signed = f" (signed by {quote(s.signer)})" if s.signer else ""
    return f"Delivered{to} {when}{_where(f.reading.delivery)}{signed}"  # the place of a delivery scan only


def _out_for_delivery_headline(s: TrackingSummary, f: _Facts) -> str:
    last = f.reading.latest
    return f"Out for delivery{_where(last)} since {_at(last)}" + _due(s, f)


def _in_transit_headline(s: TrackingSummary, f: _Facts) -> str:
    last = f.reading.latest
    if last is None:
        return f"{s.status_description}: no scan yet" + _due(s, f)
    name = "Delayed" if f.reading.state is Signal.DELAYED else s.status_description
    return f"{name}: {_scan(last)}{_where(last)}, {_at(last)}" + _due(s, f)


def _label_age(f: _Facts) -> tuple[float, str] | None:
    """How many days ago the label was made, and the same in words ('today', '15 days ago'); None when unknown."""
    record = f.reading.latest
    created = f.label.created_at or (record.occurred_at if record else None)
    if created is None:
        return None
    days = (f.now - created).total_seconds() / 86400
    return days, "today" if days < 1 else f"{days:.0f} day{'s' if round(days) != 1 else ''} ago"


def _unscanned_headline(s: TrackingSummary, f: _Facts) -> str:
    carrier = carrier_name(f.info.carrier_code)
    age = _label_age(f)
    if age is None:
        return f"Label created; {carrier} has not received the package yet" + _due(s, f)
    return f"Label created {age[1]}; {carrier} has not received the package yet" + _due(s, f)


def _unknown_headline(s: TrackingSummary, f: _Facts) -> str:
    return f"{carrier_name(f.info.carrier_code)} has no tracking for this number yet" + _due(s, f)


_HEADLINES: dict[Situation, Callable[[TrackingSummary, _Facts], str]] = {
    Situation.VOIDED: _voided_headline,
    Situation.MISDELIVERED: _misdelivered_headline,
    Situation.RETURNING: _returning_headline,
    Situation.EXCEPTION: _exception_headline,
    Situation.ATTEMPT: _attempt_headline,
    Situation.PICKUP: _pickup_headline,
    Situation.STALLED: _stalled_headline,
    Situation.LATE: _late_headline,
    Situation.DELIVERED: _delivered_headline,
    Situation.OUT_FOR_DELIVERY: _out_for_delivery_headline,
    Situation.IN_TRANSIT: _in_transit_headline,
    Situation.NOT_SCANNED: _unscanned_headline,
    Situation.UNKNOWN: _unknown_headline,
}


def _what_to_do(s: TrackingSummary, f: _Facts, situation: Situation) -> str | None:
    if situation is Situation.VOIDED:
        return f"Track the replacement label {s.replaced_by} instead." if s.replaced_by else None
    age = _label_age(f) if situation is Situation.NOT_SCANNED else None
    if age is not None and age[0] > UNSCANNED_AFTER_DAYS and s.tracking_number:  # long past 'wait for a first scan'
        carrier = carrier_name(s.carrier_code)
        return LONG_UNSCANNED_ACTION.format(age=age[1], carrier=carrier, number=s.tracking_number)
    delivery = f.reading.delivery
    place = event_place(delivery) if delivery else None
    return what_to_do(
        situation,
        {
            "carrier": lambda: carrier_name(s.carrier_code),
            "number": lambda: s.tracking_number,
            "delivered_place": lambda: place,
            "expected": lambda: s.expected_destination,
            "pickup_place": lambda: s.delivered_to or place or "the pickup point",
            "today": lambda: format_day(local(f.now, f.where).date()),
            "due": lambda: format_day(s.estimated_delivery_day) if s.estimated_delivery_day else None,
        },
    )


# ----------------------------------------------------------------------------- text


def tracking_text(s: TrackingSummary) -> str:
    """Plain-text rendering: every fact of the summary, a line each."""
    offset = _offset_of(s)
    lines = [s.headline]
    if s.note:
        lines.append(f"Note: {s.note}")
    if s.what_to_do:
        lines.append(f"What to do: {s.what_to_do}")
    ident = " ".join(part for part in (s.tracking_number, f"({s.carrier_code})" if s.carrier_code else None) if part)
    kind = " (return label)" if s.return_label else ""
    detail_code = f" [{s.detail_code}]" if s.detail_code and s.detail_code != s.status_code else ""
    code = f"{s.status_code} {s.status_description}{detail_code}"
    lines.append(f"Tracking {ident or 'number unknown'}{kind}: {code} \u2014 {s.meaning}")
    if s.status_note:
        lines.append(f"Status: {s.status_note}")
    if s.detail and _words(s.detail) != _words(s.meaning):  # a detail that is the meaning is said once
        lines.append(f"Detail: {quote(s.detail)}")
    if s.exception_description:
        lines.append(f"Exception: {quote(s.exception_description)}")
    lines += [f"Needs attention: {reason}" for reason in s.attention if reason != s.headline]
    facts = _facts_line(s, offset)
    if facts:
        lines.append(facts)
    if s.expected_destination and s.misdelivered:
        lines.append(f"Ships to: {s.expected_destination}")
    if s.signer:
        lines.append(f"Signed by {quote(s.signer)}")
    if s.proof_of_delivery_url:
        lines.append(f"Proof of delivery: {s.proof_of_delivery_url}")
    if s.label_id:
        lines.append(f"Label {s.label_id}" + (f", replaced by {s.replaced_by}" if s.replaced_by else ""))
    if s.tracking_url:
        lines.append(f"Carrier page: {s.tracking_url}")
    if s.events:
        lines.append("Events (newest first):")
        lines.extend(f"- {_quoted_event(e)}" for e in s.events)
        if s.more_events:
            lines.append(f"- \u2026 {s.more_events} older event(s) not shown")
    if s.earlier_use_events:
        lines.append(
            f"{s.earlier_use_events} older scan(s) belong to an earlier use of this tracking number and are left out."
        )
    return "\n".join(lines)


def _words(text: str) -> str:
    """A sentence without its quotation marks and final stop: the meaning may quote what the detail says plainly."""
    return text.strip().rstrip(".").strip("\u201c\u201d").rstrip(".").strip().casefold()


def _facts_line(s: TrackingSummary, offset: Where) -> str:
    facts = []
    shipped = due_day(s.ship_date, offset)  # a ship date is a day, like an estimate
    if shipped and not s.voided:
        scanned = s.latest_event is not None and s.situation != Situation.NOT_SCANNED
        facts.append(f"{'Shipped' if scanned else 'Ship date on the label'} {format_day(shipped)}")
    due = f"due {format_day(s.estimated_delivery_day)}" if s.estimated_delivery_day else None
    if due and not s.delivered and due not in s.headline:  # said once: the headline of a package on its way has it
        facts.append(due + (" (late)" if s.late else " (not passed yet)"))  # the text is rebuilt from the JSON: no now
    if s.days_in_transit is not None:
        facts.append(f"{s.days_in_transit:g} day{'' if s.days_in_transit == 1 else 's'} since the first scan")
    if s.hours_since_last_scan is not None and not s.delivered:
        facts.append(f"last scan {s.hours_since_last_scan:g} h ago")
    return "; ".join(facts)


def _offset_of(s: TrackingSummary) -> Where:
    """Where the summary's times are shown: its zone (each instant at its own offset), else its fixed offset."""
    if s._zone is not None:
        return s._zone
    if s.utc_offset is None:
        return None
    sign = -1 if s.utc_offset.startswith("-") else 1
    hours, minutes = s.utc_offset[1:].split(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))
