"""Orders marked shipped outside ShipStation (by hand, or by a fulfillment provider): `GET /v2/fulfillments`.

Such an order has no label: the fulfillment is all ShipStation knows of its shipping, a carrier name and a tracking
number. `find_order` and `find_by_tracking_number` look here when labels say nothing. A family without fulfillments
(`family.can("fulfillments")`), one that folds them into its labels already (V1), or one that refuses the listing
gives none here: they add to an answer, never fail it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..answers.shipments import MarkedShipped
from ..answers.tracking import TrackingSummary, summarize_tracking
from ..api.client import ShipStationClient
from ..api.ids import normalize_carrier_code, normalized_or_none
from ..api.models import Fulfillment, Shipment
from ..errors import AuthenticationError, InvalidInput, ShipStationError
from .tracking import by_number_available, note_refusal

__all__ = ["fulfillments_of", "fulfillments_with_number", "track_marked"]

logger = logging.getLogger(__name__)

PAGE_SIZE = 25


async def _listing(client: ShipStationClient, **filters: str) -> list[Fulfillment]:
    family = client.family
    if not (family.can("fulfillments") and family.lists_fulfillments_apart) or client.refused("fulfillments"):
        return []
    try:
        result = await client.list_fulfillments(**filters, page_size=PAGE_SIZE)
    except AuthenticationError as exc:
        if exc.status == 401:
            raise  # the key itself: every other call fails too, say it once
        note_refusal(client, "fulfillments", exc)
        return []
    except ShipStationError as exc:
        note_refusal(client, "fulfillments", exc)
        logger.info("Could not read the fulfillments (%s); answering from labels only", type(exc).__name__)
        return []
    return [f for f in result.fulfillments if not f.voided and f.voided_at is None]


async def fulfillments_with_number(client: ShipStationClient, number: str) -> list[Fulfillment]:
    """The fulfillments recorded with tracking number `number` (exact, any case)."""
    found = await _listing(client, tracking_number=number)
    return [f for f in found if (normalized_or_none(f.tracking_number or "") or "") == number]


async def fulfillments_of(client: ShipStationClient, shipment: Shipment) -> list[Fulfillment]:
    """The fulfillments of one shipment, found by its order number (`shipment_number`) or, lacking one, its id."""
    if shipment.shipment_number:
        found = await _listing(client, shipment_number=shipment.shipment_number)
    elif shipment.shipment_id:
        found = await _listing(client, shipment_id=shipment.shipment_id)
    else:
        return []
    # Order numbers are not unique across stores: keep this shipment's own.
    return [f for f in found if not f.shipment_id or f.shipment_id == shipment.shipment_id]


async def track_marked(
    client: ShipStationClient, marks: list[MarkedShipped], *, max_events: int, now: datetime | None
) -> list[TrackingSummary]:
    """The carrier's tracking of each package marked shipped outside ShipStation, where its carrier is known and
    the family tracks by number; the others stay as the shipment lists them (carrier and number)."""
    tracked: list[TrackingSummary] = []
    for mark in marks:
        if not (mark.tracking_number and mark.carrier_code and by_number_available(client)):
            continue
        try:
            info = await client.track(normalize_carrier_code(mark.carrier_code), mark.tracking_number)
        except (ShipStationError, InvalidInput) as exc:
            if isinstance(exc, ShipStationError):
                note_refusal(client, "track_by_number", exc)
            logger.info("Could not track %s marked shipped elsewhere: %s", mark.tracking_number, type(exc).__name__)
            continue
        summary = summarize_tracking(info, max_events=max_events, now=now)
        summary.tracking_number = summary.tracking_number or mark.tracking_number
        summary.carrier_code = summary.carrier_code or mark.carrier_code
        summary.note = (
            f"Marked shipped outside ShipStation with {mark.carrier or mark.carrier_code}: there is no ShipStation "
            "label, so this is the carrier's tracking of the number recorded."
        )
        tracked.append(summary)
    return tracked
