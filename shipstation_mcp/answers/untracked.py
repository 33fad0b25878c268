"""A package whose API gives no tracking status (ShipStation's classic API, V1): what is known, and nothing more.

No status is ever guessed: the answer says the label was made (or the order marked shipped), gives the tracking
number, the carrier and the carrier's own page, and says plainly why there is no status. No I/O.
"""

from datetime import datetime

from ..api.models import Label
from .format import format_time
from .tracking import LabelFacts, TrackingSummary

__all__ = ["NO_STATUS", "untracked_summary"]

NO_STATUS = "No tracking status from this account's API"


def untracked_summary(label: Label, facts: LabelFacts, *, why: str) -> TrackingSummary:
    """`label`'s package as far as an API without tracking knows it; `why` says why there is no status (and how
    to get one)."""
    number = label.tracking_number or "(no tracking number)"
    carrier = f" ({label.carrier_code})" if label.carrier_code else ""
    made = _made(label.ship_date, label.created_at)
    if label.tracking_url:
        page = f"the carrier's page has it: {label.tracking_url}"
    else:
        page = "ask the carrier with the tracking number" if label.tracking_number else "there is no number to track"
    return TrackingSummary(
        headline=f"Tracking {number}{carrier}{made}; this account's API gives no tracking status — {page}",
        tracking_number=label.tracking_number,
        carrier_code=label.carrier_code,
        label_id=facts.label_id,
        status_code="UN",
        status_description=NO_STATUS,
        meaning=why,
        delivered=False,
        exception=False,
        action_needed=False,
        return_label=True if facts.return_label else None,
        label_created_at=facts.created_at,
        ship_date=label.ship_date,
        tracking_url=label.tracking_url,
    )


def _made(ship_date: datetime | None, created_at: datetime | None) -> str:
    if ship_date is not None:
        return f", ship date {format_time(ship_date, with_time=False)}"
    if created_at is not None:
        return f", label created {format_time(created_at, with_time=False)}"
    return ""
