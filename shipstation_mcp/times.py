"""Time helpers shared by every layer: one conversion to UTC, one reader of API timestamps, one writer.

ShipStation sends ISO 8601 times, with or without a zone, and sometimes dates alone; a zone-less value means UTC.
Times at the very edge of the calendar (year 1 east of UTC, year 9999 west of it) are clamped, never overflow.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

__all__ = ["parse_timestamp", "to_utc", "utc_text"]

MAX_TIMESTAMP_CHARS = 64


def to_utc(value: datetime) -> datetime:
    """The same moment in UTC (zone-less means UTC), clamped at the calendar's edges instead of overflowing."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year < 5000 else datetime.max).replace(tzinfo=UTC)


def parse_timestamp(value: Any, *, keep_local: bool = False) -> datetime | None:
    """Read an ISO 8601 timestamp or date; zone-less means UTC unless `keep_local` (then it stays naive).

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
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            return None
    if keep_local:
        return parsed.replace(tzinfo=None)
    return to_utc(parsed)


def utc_text(value: datetime) -> str:
    """ISO 8601 in UTC with a Z; a zone-less time is UTC."""
    return to_utc(value).isoformat().replace("+00:00", "Z")
