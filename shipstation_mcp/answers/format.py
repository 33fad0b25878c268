"""How times, places and scans read in answers. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from ..api.models import TrackEvent
from ..times import is_zoneless, to_utc
from ..zones import allowed_offsets, place_zone, zone_candidates

__all__ = [
    "CLOCKS",
    "EventTimes",
    "Where",
    "day_has_passed",
    "delivery_time",
    "due_day",
    "event_offset",
    "event_place",
    "event_text",
    "format_day",
    "format_local",
    "format_place",
    "format_time",
    "hours_between",
    "local_iso",
    "offset_at",
    "offset_text",
    "read_event_times",
]


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


def hours_between(earlier: datetime, later: datetime) -> float:
    return round((later - earlier).total_seconds() / 3600, 1)


# ----------------------------------------------------------------------------- local time where the package is
#
# An event's local time comes from where it happened (`zones.place_zone`: coordinates, postal code, state, country),
# each event at its own instant, so daylight saving is right on both sides of a change. What a carrier's
# `carrier_occurred_at` says depends on how it was sent (the rows of CLOCKS):
#
#   kind     what it is                                         the real instant            its local offset
#   none     no carrier time                                    occurred_at                 the place's zone
#   copy     equal to occurred_at (FedEx): no local time        occurred_at                 the place's zone
#   moment   a real offset (some USPS scans, `-07:00` wherever  carrier_occurred_at         the place's zone
#            the scan was): a moment, not the place's clock
#   wall     the carrier's wall clock with `Z` glued on, or     that wall time read in the  the place's zone, else
#            none (UPS, USPS); occurred_at may be hours off     place's zone (a place-less  the carrier's own offset
#            (converted with a fixed offset)                    scan: its nearest located   when the place allows it
#                                                               neighbour's), else          (never outside -12…+14)
#                                                               occurred_at
#
# With no place and no offset the place allows, the time is said in UTC, plainly. Events are then sorted by their
# real instant, which never depends on the offset shown.

MAX_OFFSET = timedelta(hours=14)
MIN_OFFSET = timedelta(hours=-12)
WESTMOST = timedelta(hours=-12)
"""The last place on Earth where a day ends: with no better knowledge, a day is over only once it is over there."""
MAX_CORRECTION = timedelta(hours=26)
"""The carrier's time (a wall time read in the place's zone, or a moment) replaces occurred_at only when they are
less than this apart: further apart, one of them is not about this scan at all."""

Where = tzinfo | timedelta | None
"""Where a time is shown: a zone (daylight saving applied per instant), a fixed offset, or None (UTC)."""


def event_offset(event: TrackEvent) -> timedelta | None:
    """The UTC offset at the event's place, from the carrier's local time beside the UTC one (to 15 minutes).
    After `read_event_times` that local time is the place's own clock, so this is the place's offset."""
    if event.occurred_at is None or event.carrier_occurred_at is None:
        return None
    local = event.carrier_occurred_at.replace(tzinfo=UTC)
    quarters = round((local - event.occurred_at).total_seconds() / 900)
    offset = timedelta(minutes=15 * quarters)
    return offset if MIN_OFFSET <= offset <= MAX_OFFSET else None


def _clock_kind(event: TrackEvent) -> str:
    wall = event.carrier_occurred_at
    if wall is None:
        return "none"
    if wall.tzinfo is not None:
        offset = wall.utcoffset()
        return "moment" if offset is not None and MIN_OFFSET <= offset <= MAX_OFFSET else "wall"
    if event.occurred_at is not None and wall == event.occurred_at.replace(tzinfo=None):
        return "copy"
    return "wall"


def _event_zone(event: TrackEvent) -> ZoneInfo | None:
    return place_zone(
        latitude=event.latitude,
        longitude=event.longitude,
        postal_code=event.postal_code,
        state=event.state_province,
        country=event.country_code,
    )


def _wall_in_zone(wall: datetime, zone: tzinfo, near: datetime | None) -> datetime:
    """The instant a wall-clock reading names in `zone`; of the two in the repeated hour, the one nearer `near`."""
    first = to_utc(wall.replace(tzinfo=zone))
    if near is None or first == near:
        return first
    second = to_utc(wall.replace(tzinfo=zone, fold=1))
    return second if abs(second - near) < abs(first - near) else first


def _instant_of_wall(event: TrackEvent, zone: tzinfo | None) -> datetime | None:
    wall, occurred = event.carrier_occurred_at, event.occurred_at
    if wall is None or zone is None:
        return occurred
    read = _wall_in_zone(wall.replace(tzinfo=None), zone, occurred)
    return read if occurred is None or abs(read - occurred) < MAX_CORRECTION else occurred


def _instant_of_moment(event: TrackEvent, _zone: tzinfo | None) -> datetime | None:
    moment, occurred = event.carrier_occurred_at, event.occurred_at
    if moment is None:
        return occurred
    moment = to_utc(moment)
    return moment if occurred is None or abs(moment - occurred) < MAX_CORRECTION else occurred


CLOCKS: dict[str, Callable[[TrackEvent, tzinfo | None], datetime | None]] = {
    # kind → the event's real instant, given the zone its wall clock is read in
    "none": lambda event, _zone: event.occurred_at,
    "copy": lambda event, _zone: event.occurred_at,
    "moment": _instant_of_moment,
    "wall": _instant_of_wall,
}


def _carrier_offset(event: TrackEvent, instant: datetime, near: ZoneInfo | None) -> timedelta | None:
    """The carrier's own offset (wall time minus instant), when the event's place allows it at that instant (a
    place-less scan: the zone of the located scans around it)."""
    wall = event.carrier_occurred_at
    if wall is None:
        return None
    quarters = round((wall.replace(tzinfo=UTC) - instant).total_seconds() / 900)
    offset = timedelta(minutes=15 * quarters)
    candidates = zone_candidates(event.postal_code, event.state_province, event.country_code)
    candidates = candidates or ((near.key,) if near is not None else ())
    if not (MIN_OFFSET <= offset <= MAX_OFFSET) or offset not in allowed_offsets(candidates, instant):
        return None
    return offset


def _local_offset(
    event: TrackEvent, kind: str, own: ZoneInfo | None, near: ZoneInfo | None, instant: datetime
) -> timedelta | None:
    if own is not None:
        return instant.astimezone(own).utcoffset()
    return _carrier_offset(event, instant, near) if kind == "wall" else None


def _read_one(
    event: TrackEvent, kind: str, own: ZoneInfo | None, near: ZoneInfo | None
) -> tuple[datetime | None, datetime | None]:
    """(the event's real instant, its wall clock at its place or None)."""
    occurred = event.occurred_at
    if own is not None and occurred is not None and kind != "moment":
        local = occurred.astimezone(own).replace(tzinfo=None)
        if kind != "wall" or local == event.carrier_occurred_at:  # the usual case: nothing to correct
            return occurred, local
    instant = CLOCKS[kind](event, own or near)
    if instant is None:
        return None, None
    offset = _local_offset(event, kind, own, near, instant)
    return instant, (instant + offset).replace(tzinfo=None) if offset is not None else None


def _neighbour_zone(index: int, events: Sequence[TrackEvent], zones: list[ZoneInfo | None]) -> ZoneInfo | None:
    """The zone of the nearest scan (in the carrier's own order) that has a place in the same country."""
    country = events[index].country_code
    for distance in range(1, len(events)):
        for j in (index + distance, index - distance):
            if 0 <= j < len(events) and zones[j] is not None:
                other = events[j].country_code
                if country is None or other is None or other == country:
                    return zones[j]
    return None


@dataclass(frozen=True)
class EventTimes:
    events: list[TrackEvent]
    """Newest first, by real instant. Each is a copy whose `occurred_at` is that instant and whose
    `carrier_occurred_at` is the wall clock at its place (None when the place's clock is not known)."""
    zone: tzinfo | None
    """Where the package last was: the zone of the newest scan that has one (or its fixed offset)."""


def read_event_times(events: Sequence[TrackEvent]) -> EventTimes:
    """Each event's real instant and local clock, and the events sorted by that instant (newest first)."""
    zones = [_event_zone(event) for event in events]
    read: list[tuple[datetime | None, int, TrackEvent]] = []
    fixed: tzinfo | None = None
    for index, event in enumerate(events):
        kind = _clock_kind(event)
        own = zones[index]
        near = None if own or kind != "wall" else _neighbour_zone(index, events, zones)
        try:
            instant, wall = _read_one(event, kind, own, near)
        except OverflowError:  # a time at the calendar's edge (year 1, year 9999): no local clock for it
            instant, wall = event.occurred_at, None
        if instant is None:
            read.append((None, index, event))
            continue
        if instant != event.occurred_at or wall != event.carrier_occurred_at:  # copy only what changes
            event = event.model_copy(update={"occurred_at": instant, "carrier_occurred_at": wall})
        read.append((instant, index, event))
    timed = sorted((r for r in read if r[0] is not None), key=lambda r: (r[0], -r[1]), reverse=True)
    timed += [r for r in read if r[0] is None]
    ordered = [r[2] for r in timed]
    zone = next((zones[r[1]] for r in timed if zones[r[1]] is not None), None)
    if zone is None:
        fixed = next((timezone(o) for o in map(event_offset, ordered) if o is not None), None)
    return EventTimes(ordered, zone or fixed)


def offset_text(offset: timedelta) -> str:
    """'-08:00' for eight hours west of UTC."""
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _tz(where: Where) -> tzinfo | None:
    if isinstance(where, timedelta):
        return timezone(where) if MIN_OFFSET <= where <= MAX_OFFSET else None
    return where


def offset_at(value: datetime | None, where: Where) -> timedelta | None:
    """The UTC offset `where` shows at the instant `value` (None: UTC, or not known)."""
    zone = _tz(where)
    if value is None or zone is None:
        return None
    try:
        return to_utc(value).astimezone(zone).utcoffset()
    except OverflowError:
        return None


def local(value: datetime, where: Where) -> datetime:
    """`value` (UTC) on the wall clock of `where`; UTC when the place is unknown."""
    try:
        return to_utc(value).astimezone(_tz(where) or UTC)
    except OverflowError:
        return to_utc(value)


def format_local(value: datetime | None, where: Where, *, with_time: bool = True) -> str | None:
    """'Mon 30 Nov 2026 18:42 (UTC-08:00)' in the place's time, or '… 02:42 UTC' when the place is unknown."""
    if value is None:
        return None
    offset = offset_at(value, where)  # None: no place, or a time at the calendar's edge that no zone can show
    moment = local(value, where if offset is not None else None)
    text = f"{moment:%a} {moment.day} {moment:%b %Y}"
    if with_time:
        text += f" {moment:%H:%M}" + (f" (UTC{offset_text(offset)})" if offset is not None else " UTC")
    return text


def local_iso(value: datetime | None, where: Where) -> str | None:
    """ISO 8601 with the place's offset: '2026-11-30T18:42:00-08:00'; None when the place is unknown."""
    if value is None or offset_at(value, where) is None:
        return None
    return local(value, where).isoformat()


def due_day(estimate: datetime | None, where: Where) -> date | None:
    """The calendar day a carrier's date names (an estimate, a ship date), in the place's calendar. A date sent
    with no zone, or at 00:00:00, is a day as written: carriers send the day with no time of day, and it means that
    whole day where the package is."""
    if estimate is None:
        return None
    if is_zoneless(estimate):
        return estimate.date()
    moment = to_utc(estimate)
    if moment.time() == time(0, 0):
        return moment.date()
    return local(moment, where).date()


def day_has_passed(day: date, now: datetime, where: Where) -> bool:
    """Whether `day` is over at the destination (unknown place: over everywhere)."""
    return local(now, where if _tz(where) is not None else WESTMOST).date() > day


def delivery_time(actual_delivery_date: datetime | None, delivered_scan: datetime | None) -> datetime | None:
    """When it was delivered: the Delivered scan's real instant wins over the top-level `actual_delivery_date`,
    which can be zone-less and hours off (FedEx: 05:24 with no zone for a scan at 19:24Z)."""
    return delivered_scan or actual_delivery_date


def format_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
