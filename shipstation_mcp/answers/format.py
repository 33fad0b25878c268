"""How times, places and scans read in answers. No I/O."""

from __future__ import annotations

from datetime import datetime

from ..api.models import TrackEvent
from ..times import to_utc

__all__ = ["event_place", "event_text", "format_place", "format_time", "hours_between"]


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
