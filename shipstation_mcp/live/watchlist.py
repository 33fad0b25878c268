"""The local record of watched packages: what subscribe/unsubscribe_tracking changed at ShipStation, kept in the
event store so the live tools know which packages are watched."""

from __future__ import annotations

import logging

from ..answers.live import WatchChange, WatchResult
from ..api.ids import normalize_carrier_code
from .notifier import LiveTracking, tracking_uri

__all__ = ["record_watch"]

logger = logging.getLogger(__name__)


async def record_watch(live: LiveTracking, result: WatchChange) -> WatchResult:
    """Record a successful subscribe/unsubscribe in the store. ShipStation's answer stands even if this fails."""
    recorded = True
    try:
        carrier = normalize_carrier_code(result.carrier_code) if result.carrier_code else None
        store = await live.ready()
        if result.subscribed:
            await store.watch(result.tracking_number, carrier, at=live.now())
        else:
            await store.unwatch(result.tracking_number, carrier, at=live.now())
    except Exception:
        logger.exception("Could not record the watch of %s in the event store", result.tracking_number)
        recorded = False
    how = result.how_updates_arrive
    if result.subscribed:
        how += (
            f" This server stores each update its receiver gets (path {live.settings.webhook_path}); read them with "
            f"get_tracking_updates, list_tracked_packages, or the resource {tracking_uri(result.tracking_number)}."
        )
    if not recorded:
        how += " (The watch could not be recorded in the local store; see the server log.)"
    return WatchResult(**{**result.model_dump(), "how_updates_arrive": how}, recorded_locally=recorded)
