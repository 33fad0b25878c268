"""Time helpers shared by every layer: one conversion to UTC, one reader of API timestamps, one writer.

ShipStation sends ISO 8601 times, with or without a zone, and sometimes dates alone (even US-style `8/4/2021`); a
zone-less value means UTC. Where a zone-less value is a carrier's calendar day rather than a moment (FedEx's
`ship_date`, `estimated_delivery_date`), `parse_timestamp(..., mark_zoneless=True)` keeps it readable as UTC but
marks it with `ZONELESS`, so the answers can read its day as written instead of shifting it into some zone.
Times at the very edge of the calendar (year 1 east of UTC, year 9999 west of it) are clamped, never overflow.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

__all__ = ["ZONELESS", "is_zoneless", "parse_timestamp", "parse_wall_time", "to_utc", "utc_text"]

MAX_TIMESTAMP_CHARS = 64
US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
"""`8/4/2021`: month first, as US carriers write it."""


class _Zoneless(tzinfo):
    """UTC for arithmetic and comparison, but remembers that the API gave no zone at all."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "UTC"

    def __repr__(self) -> str:
        return "ZONELESS"

    def __reduce__(self) -> str:
        return "ZONELESS"


ZONELESS = _Zoneless()


def is_zoneless(value: datetime | None) -> bool:
    """Whether the API sent this time without any zone (its wall-clock reading is then all we know)."""
    return value is not None and value.tzinfo is ZONELESS


def to_utc(value: datetime) -> datetime:
    """The same moment in UTC (zone-less means UTC), clamped at the calendar's edges instead of overflowing."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year < 5000 else datetime.max).replace(tzinfo=UTC)


def parse_timestamp(value: Any, *, keep_local: bool = False, mark_zoneless: bool = False) -> datetime | None:
    """Read an ISO 8601 timestamp or date (or a US `8/4/2021`); zone-less means UTC unless `keep_local` (then it
    stays naive). With `mark_zoneless`, a zone-less value is UTC tagged `ZONELESS`.

    Anything unreadable (wrong type, over-long, not ISO) is None: an answer with a broken date is still an answer.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = value.strip() if isinstance(value, str) else None
        if not text or len(text) > MAX_TIMESTAMP_CHARS:
            return None
        parsed = _read_text(text)
        if parsed is None:
            return None
    if keep_local:
        return parsed.replace(tzinfo=None)
    if mark_zoneless and parsed.tzinfo is None:
        return parsed.replace(tzinfo=ZONELESS)
    return to_utc(parsed)


def _read_text(text: str) -> datetime | None:
    us = US_DATE.fullmatch(text)
    try:
        if us:
            month, day, year = (int(part) for part in us.groups())
            return datetime(year, month, day)
        return datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None


def parse_wall_time(value: Any) -> datetime | None:
    """A carrier's local time: its wall-clock reading, naive, when it comes zone-less or with a `Z` glued on (UPS,
    USPS); kept with its offset when it carries a real one (some USPS scans: `…-07:00`), since that is a moment."""
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        parsed = _read_text(text) if text and len(text) <= MAX_TIMESTAMP_CHARS else None
    if parsed is None or parsed.tzinfo is None or parsed.utcoffset() == timedelta(0):
        return parsed.replace(tzinfo=None) if parsed else None
    return parsed


def utc_text(value: datetime) -> str:
    """ISO 8601 in UTC with a Z; a zone-less time is UTC."""
    return to_utc(value).isoformat().replace("+00:00", "Z")
