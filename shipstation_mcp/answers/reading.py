"""How a package's tracking is read: every signal the API and the carrier send, weighed by the rules below. No I/O.

One reading serves every answer (the tools, the terminal, the tracking view and the webhook updates), so the rules
are kept here, as tables, rather than as conditions spread over the answers:

* :data:`STATUS_SIGNALS`, :data:`DETAIL_SIGNALS` and :data:`CARRIER_DETAIL_SIGNALS` say what each code means for the
  package; :data:`WORD_SIGNALS` what the carrier's own words mean (they win over the codes where they are plain:
  a scan reading "Delivered, In/At Mailbox" is a delivery whatever its status code);
* :data:`SITUATION_ORDER` is the order in which facts lead the headline (a misdelivery before a return, before an
  exception, ... before "in transit");
* :data:`WHAT_TO_DO` is the action a support agent can take in each situation.

Real carrier data disagrees with itself: the top-level status lags behind the scans (``IT`` over a mailbox delivery),
UPS keeps its signal in ``carrier_detail_code`` (``OT`` out for delivery, ``FS`` delivered, ``MP`` manifest), USPS
files a scan reading "Arriving On Time" as ``EX``/``CARRIER_DELAYS``, a return to sender can sit deep in the history
under an ``IT``. The reading takes the newest scan's meaning over the top-level status and says so where they differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from ..api.models import Address, TrackEvent, TrackingInfo
from ..api.status import DETAIL_CODES, STATUS_CODES
from .quoting import quote

__all__ = [
    "CARRIER_DETAIL_SIGNALS",
    "DETAIL_SIGNALS",
    "EARLIER_USE_GAP",
    "SITUATION_ORDER",
    "STATUS_SIGNALS",
    "WHAT_TO_DO",
    "WORD_SIGNALS",
    "Reading",
    "Signal",
    "Situation",
    "carrier_name",
    "classify",
    "place_mismatch",
    "read_tracking",
]


class Signal(StrEnum):
    """What one scan (or the top-level status) says about the package."""

    LABEL = "label"  # a label exists; the carrier does not have the package (manifest, "awaiting item")
    MOVING = "moving"  # a physical scan in the carrier's network
    OUT_FOR_DELIVERY = "out_for_delivery"
    ATTEMPT = "attempt"
    PICKUP = "pickup"  # waiting at a post office, locker or shop for the recipient
    DELIVERED = "delivered"
    RETURNING = "returning"  # on its way back to the sender
    EXCEPTION = "exception"
    DELAYED = "delayed"  # the carrier says it is delayed (an exception unless its own words say "on time")
    UNKNOWN = "unknown"  # no usable meaning (UN, CARRIER_STATUS_NOT_MAPPED)


class Situation(StrEnum):
    """The fact that leads an answer, in :data:`SITUATION_ORDER`."""

    MISDELIVERED = "misdelivered"
    RETURNING = "returning"
    EXCEPTION = "exception"
    ATTEMPT = "delivery_attempt"
    PICKUP = "waiting_for_pickup"
    STALLED = "stalled"
    LATE = "late"
    DELIVERED = "delivered"
    OUT_FOR_DELIVERY = "out_for_delivery"
    IN_TRANSIT = "in_transit"
    NOT_SCANNED = "not_yet_scanned"
    UNKNOWN = "unknown"  # the carrier knows nothing of the number (yet)
    VOIDED = "voided"


SITUATION_ORDER: tuple[Situation, ...] = (
    Situation.VOIDED,  # nothing was sent with a voided label: everything else about it is moot
    Situation.MISDELIVERED,
    Situation.RETURNING,
    Situation.EXCEPTION,
    Situation.ATTEMPT,
    Situation.PICKUP,
    Situation.STALLED,
    Situation.LATE,
    Situation.DELIVERED,
    Situation.OUT_FOR_DELIVERY,
    Situation.IN_TRANSIT,
    Situation.NOT_SCANNED,
    Situation.UNKNOWN,
)
"""Which fact leads the headline when several hold: the first that holds."""

# ----------------------------------------------------------------------------- what each code and word means

STATUS_SIGNALS: Mapping[str, Signal] = MappingProxyType(
    {
        "AC": Signal.MOVING,  # weak: USPS files its label-created scan as AC; the detail code tells them apart
        "IT": Signal.MOVING,
        "DE": Signal.DELIVERED,
        "EX": Signal.EXCEPTION,
        "UN": Signal.UNKNOWN,
        "AT": Signal.ATTEMPT,
        "NY": Signal.LABEL,
        "SP": Signal.PICKUP,
    }
)
"""The eight ShipStation status codes. Weakest evidence: a detail code, a carrier detail code or plain words win."""

_LABEL_DETAILS = (
    "ELEC_ADVICE_RECD_BY_CARRIER AWAITING_ELECTRONIC_ADVICE SHIPMENT_CREATED AWAITING_DESPATCH "
    "AWAITING_PICKUP_DROP_OFF NOT_YET_RECEIVED_BY_CARRIER COLLECTION_REQUESTED"
)
_RETURN_DETAILS = (
    "RETURN_TO_SENDER UNDELIVERABLE_RETURNED_TO_SENDER NOT_DELIVERED REFUSED_BY_CUSTOMER CUSTOMER_MOVED "
    "NOT_COLLECTED_FROM_PICKUP_POINT"
)
_ATTEMPT_DETAILS = (
    "ATTEMPTED_DELIVERY ATTEMPTED_DELIVERY_2ND ATTEMPTED_DELIVERY_3RD ATTEMPTED_DELIVERY_FINAL CUSTOMER_CARDED"
)
_PICKUP_DETAILS = (
    "AWAITING_COLLECTION_FROM_PICKUP_POINT COLLECT_AT_LOCAL_PO CUSTOMER_TO_COLLECT_FROM_CARRIER "
    "DELIVERED_TO_PICKUP_POINT DELIVERED_TO_LOCKER_COLLECTION_POINT"
)
_DELIVERED_DETAILS = (
    "DELIVERED DELIVERED_DAMAGED DELIVERED_IN_PART DELIVERED_SPECIFIED_SAFE_PLACE "
    "DELIVERED_TO_ALTERNATIVE_DELIVERY_LOCATION DELIVERED_TO_NEIGHBOUR DELIVERED_TO_PO_BOX DELIVERED_TO_RECEPTION "
    "PARCEL_COLLECTED_FROM_PICKUP_POINT PROOF_OF_DELIVERY"
)
_EXCEPTION_DETAILS = (
    "ADDRESS_QUERY DUTY_NOT_PAID HAZARDOUS_PROHIBITED INCORRECT_DECLARATION NOT_DELIVERED_ADDRESSEE_DECEASED "
    "PARCEL_DAMAGED PARCEL_DISPOSED PARCEL_LOST PARCEL_OUTSIDE_OF_SERVICE_CAPABILITY UNSPECIFIED_EXCEPTION "
    "HELD_BY_CUSTOMS HELD_BY_IMPORT_CUSTOMS HELD_BY_EXPORT_CUSTOMS HELD_BY_CARRIER "
    "HELD_BY_CARRIER_FOR_CLEARANCE_PRE_PROCESSING "
    "COD_AMOUNT_NOT_PAID INVALID_METHOD_OF_PAYMENT CUSTOMER_IDENTIFICATION_FAILED NO_ACCESS_TO_RECIPIENTS_ADDRESS "
    "MISROUTED MISSORTED ROUTING_ERROR CANCELLED CANCELLED_BEFORE_DESPATCH"
)


def _each(codes: str, signal: Signal) -> dict[str, Signal]:
    return dict.fromkeys(codes.split(), signal)


DETAIL_SIGNALS: Mapping[str, Signal] = MappingProxyType(
    {
        **_each(_LABEL_DETAILS, Signal.LABEL),
        **_each(_RETURN_DETAILS, Signal.RETURNING),
        **_each(_ATTEMPT_DETAILS, Signal.ATTEMPT),
        **_each(_PICKUP_DETAILS, Signal.PICKUP),
        **_each(_DELIVERED_DETAILS, Signal.DELIVERED),
        **_each(_EXCEPTION_DETAILS, Signal.EXCEPTION),
        **_each("CARRIER_DELAYS DELAYED_NOT_CARRIER", Signal.DELAYED),
        "OUT_FOR_DELIVERY": Signal.OUT_FOR_DELIVERY,
        "CARRIER_STATUS_NOT_MAPPED": Signal.UNKNOWN,
        "INFORMATION": Signal.MOVING,
    }
)
"""ShipStation's `status_detail_code`s whose meaning for the package is plain; any other is an ordinary scan."""

CARRIER_DETAIL_SIGNALS: Mapping[str, Signal] = MappingProxyType(
    {
        "MP": Signal.LABEL,  # UPS manifest: "Shipper created a label, UPS has not received the package yet"
        "XD": Signal.MOVING,  # dropped off at a UPS location
        "OR": Signal.MOVING,  # origin scan: "We Have Your Package"
        "AR": Signal.MOVING,
        "DP": Signal.MOVING,
        "YP": Signal.MOVING,  # preparing for delivery
        "OD": Signal.OUT_FOR_DELIVERY,  # loaded on the delivery vehicle
        "OT": Signal.OUT_FOR_DELIVERY,
        "FS": Signal.DELIVERED,
        "RS": Signal.RETURNING,  # returned to shipper
    }
)
"""UPS's `carrier_detail_code`: its only signal once `status_detail_code` goes null after pre-transit. Read for UPS
packages only: other carriers' codes of the same letters mean other things."""

CARRIER_DETAIL_CARRIERS = ("ups",)
"""Carrier codes (by prefix) whose `carrier_detail_code` :data:`CARRIER_DETAIL_SIGNALS` reads."""

WORD_SIGNALS: tuple[tuple[re.Pattern[str], Signal], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), signal)
    for pattern, signal in (
        (
            r"return(?:ed|ing)?(?: (?:package|shipment|item|parcel))? to (?:the )?(?:sender|shipper)|being returned",
            Signal.RETURNING,
        ),
        (r"\bout for delivery\b|vehicle for delivery|loaded on (?:the )?delivery vehicle", Signal.OUT_FOR_DELIVERY),
        (r"delivery attempt|attempted delivery|notice left|unable to deliver", Signal.ATTEMPT),
        (r"available for pick ?up|ready for pick ?up|held at (?:the )?post office|awaiting collection", Signal.PICKUP),
        (
            r"^\s*delivered\b|\b(?:was|been|package|shipment|parcel) delivered\b|picked up at (?:the )?post office",
            Signal.DELIVERED,
        ),
    )
)
"""The carrier's own words, tried in this order; they win over every code (first match)."""

_ANY_WORDS = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in WORD_SIGNALS), re.IGNORECASE)
"""One search tells whether any of them is there at all (most scans' words are none of them)."""

LABEL_WORDS = re.compile(
    r"label (?:has been )?(?:created|prepared)|shipment information sent|has not received the package|"
    r"awaiting item|shipper created a label|electronic information submitted|not yet in system|"
    r"when usps receives",
    re.IGNORECASE,
)
"""Words of a label-only record; weaker than a detail code ("Arrived Shipping Partner Facility, USPS Awaiting Item"
is a real scan at a consolidator's, coded HUB_SCAN_IN)."""

ON_TIME_WORDS = re.compile(r"arriving on time|on track to be delivered|\bon time\b", re.IGNORECASE)
"""A delay or exception code on a scan that says this is not one (USPS "In Transit to Next Facility, Arriving On
Time" filed as EX/CARRIER_DELAYS)."""

CARRIER_NAMES: tuple[tuple[str, str], ...] = (
    ("fedex", "FedEx"),
    ("ups", "UPS"),
    ("stamps_com", "USPS"),
    ("usps", "USPS"),
    ("endicia", "USPS"),
    ("dhl", "DHL"),
    ("canada_post", "Canada Post"),
    ("purolator", "Purolator"),
    ("royal_mail", "Royal Mail"),
    ("ontrac", "OnTrac"),
    ("lasership", "LaserShip"),
    ("australia_post", "Australia Post"),
    ("asendia", "Asendia"),
    ("sendle", "Sendle"),
)
"""A carrier code's name as a customer knows it, by prefix (fedex_walleted is FedEx)."""

EARLIER_USE_GAP = timedelta(days=60)
"""A silence this long between two scans means the number was used before: the older scans are a different trip."""

# ----------------------------------------------------------------------------- reading one scan


def carrier_name(code: str | None) -> str:
    text = (code or "").lower()
    return next((name for prefix, name in CARRIER_NAMES if text.startswith(prefix)), "the carrier")


@lru_cache(maxsize=4096)
def classify(
    status_code: str | None,
    detail_code: str | None = None,
    carrier_detail_code: str | None = None,
    words: str = "",
) -> Signal:
    """What a scan (or a top-level status) says, from every field it has: plain words first, then UPS's carrier
    detail code (where the caller found no detail code), then ShipStation's detail code, then label-only words,
    then the status code."""
    if words and _ANY_WORDS.search(words):
        return next(signal for pattern, signal in WORD_SIGNALS if pattern.search(words))
    signal = CARRIER_DETAIL_SIGNALS.get((carrier_detail_code or "").upper())
    detail = (detail_code or "").upper()
    if signal is None:
        signal = DETAIL_SIGNALS.get(detail) or (Signal.MOVING if detail in DETAIL_CODES else None)
    if signal is None and LABEL_WORDS.search(words):
        signal = Signal.LABEL
    if signal is None:
        code = (status_code or "").upper()
        signal = STATUS_SIGNALS.get(code, Signal.UNKNOWN if code or not words else Signal.MOVING)
    if signal in (Signal.DELAYED, Signal.EXCEPTION) and ON_TIME_WORDS.search(words):
        return Signal.MOVING
    return signal


def _carrier_detail(code: str | None, carrier: str | None) -> str | None:
    """UPS's detail code, read where ShipStation's own detail code is absent (its signal after pre-transit)."""
    return code if (carrier or "").lower().startswith(CARRIER_DETAIL_CARRIERS) else None


def event_signal(event: TrackEvent, carrier: str | None = None, *, ups: bool | None = None) -> Signal:
    """What one scan says. `ups`: whether the package is UPS's (read its carrier detail code), when the caller knows."""
    words = event.description or event.carrier_status_description or ""  # the scan's own words, once
    if ups is None:
        ups = _carrier_detail("x", carrier) is not None
    detail = event.status_detail_code
    signal = classify(event.status_code, detail, event.carrier_detail_code if ups and not detail else None, words)
    if signal is Signal.UNKNOWN and words:
        return Signal.MOVING  # "IN TRANSIT TO NEXT FACILITY" filed as UN / not mapped is still a scan
    return signal


def _event_key(event: TrackEvent) -> tuple[object, ...]:
    return tuple(event.__dict__.values())  # every field, in the model's order


def distinct_events(events: Sequence[TrackEvent]) -> list[TrackEvent]:
    """The events without exact repeats (a cumulative webhook history, a scan sent twice), first one kept."""
    if len(events) < 2:
        return list(events)
    seen: set[tuple[object, ...]] = set()
    kept = []
    for event in events:
        key = _event_key(event)
        if key not in seen:
            seen.add(key)
            kept.append(event)
    return kept


# ----------------------------------------------------------------------------- places


def _postal(code: str | None, country: str | None) -> str:
    text = re.sub(r"[^0-9A-Z]", "", (code or "").upper())
    return text[:5] if (country or "US").upper() == "US" else text


def place_mismatch(event: TrackEvent, ship_to: Address | None) -> bool:
    """Whether a delivery scan's place is plainly not the ship-to: a different postal code, else a different state,
    else (neither known on both sides) a different city. Unknown on either side is never a mismatch."""
    if ship_to is None:
        return False
    country = ship_to.country_code or event.country_code
    ours, theirs = _postal(ship_to.postal_code, country), _postal(event.postal_code, country)
    if ours and theirs:
        return ours != theirs
    ours, theirs = (ship_to.state_province or "").upper(), (event.state_province or "").upper()
    if ours and theirs:
        return ours != theirs
    ours, theirs = (ship_to.city_locality or "").casefold(), (event.city_locality or "").casefold()
    return bool(ours and theirs) and ours != theirs


# ----------------------------------------------------------------------------- reading the whole history


@dataclass(frozen=True)
class Reading:
    """What the whole history says, for the answers to phrase."""

    events: list[TrackEvent]
    """This trip's events, newest first, without repeats (an earlier use of the number is in `earlier_use`)."""
    top: Signal
    """What the top-level status fields say (codes and the carrier's words)."""
    reported: Signal
    """What ShipStation's own status codes say, without the carrier's words."""
    state: Signal
    """The package's state now, the newest scan weighed against the top-level status: DELIVERED, PICKUP, ATTEMPT,
    RETURNING, EXCEPTION, DELAYED, OUT_FOR_DELIVERY, MOVING or LABEL."""
    latest: TrackEvent | None
    """The newest event with a meaning (not a status-less note)."""
    delivery: TrackEvent | None
    """The delivery (or pickup-point) scan, when the package is delivered."""
    problem: TrackEvent | None
    """A return or exception scan that still counts: nothing was delivered after it."""
    problem_signal: Signal | None
    first_physical: TrackEvent | None
    """The carrier's first scan of the package itself (label-created records are not)."""
    earlier_use: list[TrackEvent]
    """Scans belonging to an earlier use of a recycled tracking number, newest first."""
    disagreement: str | None
    """Where ShipStation's status and the carrier's scans disagree, in plain words."""


_SETTLED = frozenset({Signal.DELIVERED, Signal.PICKUP})
_PROBLEMS = frozenset({Signal.RETURNING, Signal.EXCEPTION, Signal.DELAYED})
_QUIET = frozenset({Signal.MOVING, Signal.LABEL, Signal.UNKNOWN})


def _split_earlier_use(events: list[TrackEvent], signals: list[Signal]) -> int:
    """Index (in newest-first `events`) where an earlier use of the number begins, or len(events) when none: a
    long silence between two scans, or a new label record after a finished delivery."""
    for i in range(len(events) - 1):
        newer, older = events[i].occurred_at, events[i + 1].occurred_at
        if newer and older and newer - older > EARLIER_USE_GAP:
            return i + 1
        if signals[i] is Signal.LABEL and signals[i + 1] in _SETTLED:
            return i + 1
    return len(events)


def read_tracking(info: TrackingInfo, events: list[TrackEvent]) -> Reading:
    """Read `events` (already sorted newest first by their real instant) with the top-level fields of `info`."""
    events = distinct_events(events)
    ups = _carrier_detail("x", info.carrier_code) is not None
    signals = [event_signal(e, ups=ups) for e in events]
    split = _split_earlier_use(events, signals)
    events, signals, earlier = events[:split], signals[:split], events[split:]
    ups = _carrier_detail(info.carrier_detail_code, info.carrier_code) if not info.status_detail_code else None
    codes = (info.status_code, info.status_detail_code, ups)
    words = info.carrier_status_description or ""
    if (info.status_code or "") not in STATUS_CODES:  # an undocumented code: its description is all there is
        words = " | ".join(w for w in (words, info.status_description) if w)
    top = classify(*codes, words)
    meaningful = [(e, s) for e, s in zip(events, signals, strict=True) if s is not Signal.UNKNOWN]
    latest, newest = meaningful[0] if meaningful else (None, None)
    # A top-level status that only mirrors the newest scan's codes falls with them (the carrier's "Arriving On
    # Time" under EX/CARRIER_DELAYS); one that says more than the scans (a hold, an attempt) stands.
    mirrored = latest is not None and classify(latest.status_code, latest.status_detail_code) is classify(*codes)
    state = _current(top, newest, mirrored=mirrored)
    settled = next((i for i, (_, s) in enumerate(meaningful) if s in _SETTLED), len(meaningful))
    problem = None
    if state not in _SETTLED:
        problem = next(((e, s) for e, s in meaningful[:settled] if s in {Signal.RETURNING, Signal.EXCEPTION}), None)
    reported = classify(*codes)
    return Reading(
        events=events,
        top=top,
        reported=reported,
        state=state,
        latest=latest,
        delivery=meaningful[settled][0] if state in _SETTLED and settled < len(meaningful) else None,
        problem=problem[0] if problem else None,
        problem_signal=problem[1] if problem else None,
        first_physical=next((e for e, s in reversed(meaningful) if s is not Signal.LABEL), None),
        earlier_use=earlier,
        disagreement=_disagreement(info, reported, state, latest, newest),
    )


def _current(top: Signal, newest: Signal | None, *, mirrored: bool = False) -> Signal:
    """The state now: the newest scan, unless the top-level status knows more (a delivery or a problem the scans
    have not shown yet)."""
    if newest is None:
        return top  # UNKNOWN stays so: no label record, no scan, nothing to say it exists
    if newest in _SETTLED:
        return newest
    if top in _SETTLED:
        return top
    if top in _PROBLEMS | {Signal.ATTEMPT} and newest in _QUIET and not mirrored:
        return top
    if top in _PROBLEMS and newest in _PROBLEMS:  # the more specific: a return is an exception with a reason
        return min(top, newest, key=_PROBLEM_RANK.index)
    return newest


_PROBLEM_RANK = (Signal.RETURNING, Signal.EXCEPTION, Signal.DELAYED)


_PLAIN: Mapping[Signal, str] = MappingProxyType(
    {
        Signal.LABEL: "a label was created but the carrier does not have the package yet",
        Signal.MOVING: "in transit",
        Signal.OUT_FOR_DELIVERY: "out for delivery",
        Signal.ATTEMPT: "a delivery attempt",
        Signal.PICKUP: "waiting for pickup",
        Signal.DELIVERED: "delivered",
        Signal.RETURNING: "being returned to the sender",
        Signal.EXCEPTION: "an exception",
        Signal.DELAYED: "delayed",
        Signal.UNKNOWN: "nothing usable",
    }
)


def plain(signal: Signal) -> str:
    return _PLAIN[signal]


def _disagreement(
    info: TrackingInfo, top: Signal, state: Signal, latest: TrackEvent | None, newest: Signal | None
) -> str | None:
    """`top`: what ShipStation's status codes say (without the carrier's words)."""
    code = info.status_code or ""
    if code and code not in STATUS_CODES and code not in DETAIL_CODES:
        said = f" ({info.status_description})" if info.status_description else ""
        return (
            f"ShipStation reported status code {code[:40]}{said}, which it does not document; "
            "this answer goes by the carrier's own words and scans."
        )
    if latest is None or newest is None:
        return None
    if top is state and (state not in _SETTLED or newest in _SETTLED):
        return None
    if {top, state} <= _QUIET:
        return None
    said = info.status_description or (STATUS_CODES[code].description if code in STATUS_CODES else code)
    said = f"{said}: {_PLAIN[top]}" if said and said.casefold() != _PLAIN[top] else said or _PLAIN[top]
    scan = quoted(latest.description or latest.carrier_status_description or "")
    if top in _QUIET | {Signal.OUT_FOR_DELIVERY} and state not in _QUIET:
        return f"The carrier's scan says {_PLAIN[state]} ({scan}); ShipStation's status ({said}) has not caught up."
    if top is state:  # delivered by the status, with no delivery scan to show for it
        return f"ShipStation's status says {said}, but the carrier's latest scan is {scan}, not a delivery."
    return f"ShipStation's status says {said}, but the carrier's latest scan reads {scan}."


def quoted(text: str) -> str:
    """A carrier's words, in quotes: they are the carrier's, not ours (`quoting.quote`)."""
    return quote(text or "scan")


# ----------------------------------------------------------------------------- what to do


WHAT_TO_DO: Mapping[Situation, str] = MappingProxyType(
    {
        Situation.MISDELIVERED: (
            "Ask the customer to check with neighbours and at {delivered_place}; if it is not there, open a claim "
            "with {carrier} (tracking {number}) and reship to {expected}."
        ),
        Situation.RETURNING: (
            "Confirm the address with the customer, then reship to the corrected address or refund; {carrier} is "
            "sending it back (tracking {number})."
        ),
        Situation.EXCEPTION: "Contact {carrier} with tracking number {number} and ask what is needed to release it.",
        Situation.ATTEMPT: (
            "Ask the customer to arrange redelivery with {carrier} or collect it (tracking {number}) before it is "
            "sent back."
        ),
        Situation.PICKUP: (
            "Ask the customer to pick it up at {pickup_place} soon (tracking {number}); {carrier} sends it back after "
            "its holding period."
        ),
        Situation.STALLED: (
            "Contact {carrier} with tracking number {number} and ask where it is; if it has not moved within two "
            "more days, offer to reship."
        ),
        Situation.LATE: (
            "Contact {carrier} with tracking number {number} for a new date; if it has not arrived within two more "
            "days, offer to reship or refund."
        ),
        Situation.OUT_FOR_DELIVERY: "Wait until the end of {today}: it is due with today's deliveries.",
        Situation.IN_TRANSIT: "Wait until {due}.",
        Situation.UNKNOWN: (
            "Check the tracking number and carrier with the customer; if both are right, the carrier may not have "
            "scanned it yet: try again after its first working day."
        ),
        Situation.NOT_SCANNED: (
            "Make sure the package was handed to {carrier}; if it was, wait for its first scan (usually within a "
            "working day)."
        ),
    }
)
"""What a support agent can do, per situation. Delivered and voided packages need nothing; a package in transit
with no due date needs nothing either (no date to wait for)."""

UNSCANNED_AFTER_DAYS = 2.0
"""A label this many days old that the carrier has never scanned is no longer 'wait for the first scan' (the support
queue's `never_scanned` reads this same constant)."""

LONG_UNSCANNED_ACTION = (
    "The label was made {age} and {carrier} has never scanned the package: ask the warehouse whether it was sent; if "
    "it was, contact {carrier} with tracking number {number}; if not, ship it and void the unused label."
)


_NAMES = {situation: tuple(re.findall(r"{(\w+)}", template)) for situation, template in WHAT_TO_DO.items()}


def what_to_do(situation: Situation, facts: Mapping[str, Callable[[], str | None]]) -> str | None:
    """The action for `situation`, its blanks filled from `facts` (each computed only when the action needs it);
    None when there is no action or a fact it needs is unknown."""
    template = WHAT_TO_DO.get(situation)
    if template is None:
        return None
    values = {}
    for name in _NAMES[situation]:
        value = facts[name]()
        if not value:
            return None
        values[name] = value
    return template.format(**values)


def days_text(day: date, today: date) -> str:
    """'today', 'tomorrow', 'yesterday', 'in 3 days', '2 days ago': a day judged against now."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"
