"""Reading what ShipStation pushed: the watched packages and the received updates, from the local event store.

No call to ShipStation: these answer from the store the webhook receiver writes. A stored update is summarised
exactly as `track_package` summarises a live answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..answers.format import format_time
from ..answers.live import LatestTracking, TrackedPackage, TrackedPackages, TrackingUpdate, TrackingUpdates
from ..answers.tracking import TrackingSummary, summarize_tracking
from ..api.ids import normalize_tracking_number
from ..api.models import TrackingInfo
from ..api.status import status_info

if TYPE_CHECKING:
    from ..state.store import EventStore, StoredEvent, Subscription

__all__ = ["latest_tracking", "summarize_event", "tracked_packages", "tracking_updates"]


def summarize_event(
    event: StoredEvent, *, now: datetime, max_events: int, carrier: str | None = None
) -> TrackingSummary:
    data = event.data()
    info = TrackingInfo.model_validate(data)
    info.tracking_number = info.tracking_number or event.tracking_number
    info.carrier_code = info.carrier_code or event.carrier_code or carrier
    return summarize_tracking(info, now=now, max_events=max_events)


def _package_row(sub: Subscription) -> TrackedPackage:
    status = status_info(sub.status_code) if sub.status_code else None
    return TrackedPackage(
        tracking_number=sub.tracking_number,
        carrier_code=sub.carrier_code,
        watching=sub.watching,
        stopped_because=sub.stop_reason,
        stopped_at=sub.stopped_at,
        since=sub.since,
        started_by=sub.source,
        status_code=status.code if status else None,
        status=sub.status_description or (status.description if status else None),
        meaning=status.meaning if status else None,
        status_changed_at=sub.status_changed_at,
        last_update_received_at=sub.last_received_at,
        updates_received=sub.event_count,
    )


def _counted(recounted: bool) -> str:
    """Later pages carry the count made at the first page instead of counting every row again: say so."""
    return "" if recounted else " (as counted at the first page)"


async def tracked_packages(
    store: EventStore, *, include_stopped: bool, limit: int = 50, cursor: str | None = None
) -> TrackedPackages:
    page = await store.subscription_page(limit=limit, cursor=cursor, include_stopped=include_stopped)
    packages = [_package_row(s) for s in page.subscriptions]
    watching = sum(p.watching for p in packages)
    if packages:
        headline = f"{page.total} package(s) tracked{_counted(page.total_recounted)}, {watching} still watched"
        if page.next_cursor is not None or cursor is not None:
            headline += f" on this page of {len(packages)}"
        headline += "." + (" More with next_cursor." if page.next_cursor else "")
    else:
        headline = "No packages are watched yet: subscribe_tracking starts watching one."
    return TrackedPackages(headline=headline, packages=packages, total=page.total, next_cursor=page.next_cursor)


async def tracking_updates(
    store: EventStore,
    *,
    now: datetime,
    tracking_number: str | None,
    since: datetime | None,
    limit: int,
    max_events: int,
    no_updates_hint: str,
    cursor: str | None = None,
) -> TrackingUpdates:
    number = None
    if tracking_number is not None and tracking_number.strip():
        number = normalize_tracking_number(tracking_number)
    page = await store.events(tracking_number=number, since=since, limit=limit, cursor=cursor)
    updates = [
        TrackingUpdate(
            received_at=e.received_at,
            resource_type=e.resource_type,
            summary=summarize_event(e, now=now, max_events=max_events),
        )
        for e in page.events
    ]
    scope = f" for {number}" if number else ""
    window = f" since {format_time(since)}" if since else ""
    hint = None
    if updates:
        counted = _counted(page.total_recounted)
        headline = f"{page.total} update(s) received{scope}{window}{counted}; newest: {updates[0].summary.headline}."
    else:
        headline = f"No tracking updates received{scope}{window}."
        hint = no_updates_hint
    return TrackingUpdates(
        headline=headline,
        tracking_number=number,
        since=since,
        updates=updates,
        more_updates=max(0, page.total - page.before - len(updates)),
        hint=hint,
        total=page.total,
        next_cursor=page.next_cursor,
    )


async def latest_tracking(store: EventStore, tracking_number: str, *, now: datetime) -> LatestTracking:
    number = normalize_tracking_number(tracking_number)
    latest, sub = await store.latest_event(number), await store.subscription(number)
    watching = sub.watching if sub else None
    if latest is None:
        return LatestTracking(
            tracking_number=number,
            known=False,
            headline=f"No tracking update received for {number} yet.",
            watching=watching,
        )
    summary = summarize_event(latest, now=now, max_events=10, carrier=sub.carrier_code if sub else None)
    return LatestTracking(
        tracking_number=number,
        known=True,
        headline=summary.headline,
        received_at=latest.received_at,
        watching=watching,
        summary=summary,
    )
