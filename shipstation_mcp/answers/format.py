"""How times, places and scans read in answers. No I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

from ..api.models import TrackEvent
from ..times import to_utc

__all__ = [
    "day_has_passed",
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
    "offset_text",
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

MAX_OFFSET = timedelta(hours=14)
WESTMOST = timedelta(hours=-12)
"""The last place on Earth where a day ends: with no better knowledge, a day is over only once it is over there."""


def event_offset(event: TrackEvent) -> timedelta | None:
    """The UTC offset at the event's place, from the carrier's local time beside the UTC one (to 15 minutes)."""
    if event.occurred_at is None or event.carrier_occurred_at is None:
        return None
    local = event.carrier_occurred_at.replace(tzinfo=UTC)
    quarters = round((local - event.occurred_at).total_seconds() / 900)
    offset = timedelta(minutes=15 * quarters)
    return offset if -MAX_OFFSET <= offset <= MAX_OFFSET else None


def offset_text(offset: timedelta) -> str:
    """'-08:00' for eight hours west of UTC."""
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local(value: datetime, offset: timedelta | None) -> datetime:
    """`value` (UTC) on the wall clock at `offset`; UTC when the offset is unknown."""
    zone = timezone(offset) if offset is not None else UTC
    try:
        return to_utc(value).astimezone(zone)
    except OverflowError:
        return to_utc(value)


def format_local(value: datetime | None, offset: timedelta | None, *, with_time: bool = True) -> str | None:
    """'Mon 30 Nov 2026 18:42 (UTC-08:00)' in the place's time, or '… 02:42 UTC' when the place is unknown."""
    if value is None:
        return None
    moment = local(value, offset)
    text = f"{moment:%a} {moment.day} {moment:%b %Y}"
    if with_time:
        text += f" {moment:%H:%M}" + (f" (UTC{offset_text(offset)})" if offset is not None else " UTC")
    return text


def local_iso(value: datetime | None, offset: timedelta | None) -> str | None:
    """ISO 8601 with the place's offset: '2026-11-30T18:42:00-08:00'; None when the offset is unknown."""
    if value is None or offset is None:
        return None
    return local(value, offset).isoformat()


def due_day(estimate: datetime | None, offset: timedelta | None) -> date | None:
    """The day an estimate promises, in the destination's calendar. An estimate at 00:00:00 is a date: carriers
    send the day with no time of day, and it means that whole day where the package goes."""
    if estimate is None:
        return None
    moment = to_utc(estimate)
    if moment.time() == time(0, 0):
        return moment.date()
    return local(moment, offset).date()


def day_has_passed(day: date, now: datetime, offset: timedelta | None) -> bool:
    """Whether `day` is over at the destination (unknown place: over everywhere)."""
    return local(now, offset if offset is not None else WESTMOST).date() > day


def format_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"
