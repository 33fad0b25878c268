"""MCP tools and the resource for live tracking: webhook set-up, watched packages, received updates.

Registered by `register_live_tracking(server, live)`, which `create_server` calls. Declarations and wiring only; the
store (`store.py`), the receiver (`webhooks.py`), webhook set-up (`webhook_setup.py`) and the summaries
(`summaries.py`) do the work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, SubscribeRequestParams, ToolAnnotations, UnsubscribeRequestParams
from pydantic import BaseModel, Field

from . import webhook_setup
from .carriers import normalize_tracking_number
from .config import DEFAULT_WEBHOOK_PATH
from .errors import InvalidInput
from .live import TRACKING_URI_PREFIX, LiveTracking
from .models import TrackingInfo
from .server import READ_ONLY, _answer, _explained, _state
from .status import status_info
from .store import BadCursor, StoredEvent, StoreError, Subscription
from .summaries import TrackingSummary, compact_json, format_time, summarize_tracking, tracking_text
from .webhook_setup import WebhookListing, WebhookSetup

logger = logging.getLogger(__name__)

LOCAL_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
WebhookUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2000,
        description=f"Public https URL that reaches the receiver, e.g. https://tracking.example.com{DEFAULT_WEBHOOK_PATH}",
    ),
]
WebhookEvent = Annotated[
    webhook_setup.TrackEvent,
    Field(description="Webhook event: track (both APIs' specs) unless ShipStation told you track_event_v2"),
]
CONFIGURE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)


# ----------------------------------------------------------------------------- answers


class TrackedPackage(BaseModel):
    tracking_number: str
    carrier_code: str | None = None
    watching: bool = Field(description="True while ShipStation should still push updates for it")
    stopped_because: Literal["delivered", "exception", "unsubscribed"] | None = None
    stopped_at: datetime | None = None
    since: datetime = Field(description="When watching began (or the first update arrived)")
    started_by: str = Field(description="subscribe_tracking, or webhook when an update arrived unasked")
    status_code: str | None = None
    status: str | None = Field(None, description="Latest known status, in words")
    meaning: str | None = None
    status_changed_at: datetime | None = Field(None, description="When the latest known status began")
    last_update_received_at: datetime | None = None
    updates_received: int = 0


class TrackedPackages(BaseModel):
    headline: str
    packages: list[TrackedPackage] = Field(default_factory=list)
    total: int = Field(0, description="Packages matching in all (this page holds at most `limit`)")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last page")


class TrackingUpdate(BaseModel):
    received_at: datetime = Field(description="When the webhook delivered this update (UTC)")
    resource_type: str | None = Field(None, description="API_TRACK (ShipEngine) or TRACK_EVENT_V2 (V2)")
    summary: TrackingSummary


class TrackingUpdates(BaseModel):
    headline: str
    tracking_number: str | None = None
    since: datetime | None = None
    updates: list[TrackingUpdate] = Field(default_factory=list, description="Newest received first")
    more_updates: int = Field(0, description="Matching updates left out by `limit`")
    total: int = Field(0, description="Matching updates in all")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next (older) page; null on the last")
    hint: str | None = Field(None, description="What to check when no updates arrive")


class LatestTracking(BaseModel):
    """The resource shipstation://tracking/{tracking_number}: the newest update received for one package."""

    tracking_number: str
    known: bool = Field(description="False until a webhook delivered an update for this number")
    headline: str
    received_at: datetime | None = None
    watching: bool | None = None
    summary: TrackingSummary | None = None


# ----------------------------------------------------------------------------- helpers


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except StoreError as exc:
        raise ToolError(str(exc)) from None
    except BadCursor:
        raise ToolError(
            "That cursor was not given out by this server (or the list it paged has changed shape). Call again "
            "without `cursor` to start from the newest."
        ) from None


Cursor = Annotated[
    str | None, Field(max_length=200, description="next_cursor from the previous page; omit for the newest first")
]


def summarize_event(
    event: StoredEvent, *, now: datetime, max_events: int, carrier: str | None = None
) -> TrackingSummary:
    """A stored update, summarised exactly as track_package summarises a live answer."""
    info = TrackingInfo.model_validate(event.data())
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


def _package_line(p: TrackedPackage) -> str:
    state = "watching" if p.watching else f"stopped ({p.stopped_because})"
    status = p.status or "no update yet"
    changed = f" since {format_time(p.status_changed_at)}" if p.status_changed_at else ""
    carrier = f" ({p.carrier_code})" if p.carrier_code else ""
    return f"- {p.tracking_number}{carrier}: {status}{changed}; {state}; {p.updates_received} update(s)"


def _receiving_hint(live: LiveTracking) -> str:
    if live.problem:
        return f"The event store cannot be used: {live.problem}"
    return (
        f"Updates arrive only through the account's `track` webhook: it must point at this server's receiver "
        f"(path {live.settings.webhook_path}, reachable from the internet; see list_webhooks and "
        "setup_tracking_webhook), the receiver must be running (`--transport http`, or `shipstation-mcp webhooks` "
        "beside a stdio server, sharing SHIPSTATION_DATA_DIR), and the package must be watched (subscribe_tracking)."
    )


# ----------------------------------------------------------------------------- registration


def register_live_tracking(server: MCPServer, live: LiveTracking) -> None:
    """Add the live-tracking tools, the tracking resource and resource subscriptions to `server`."""
    settings = live.settings

    # Handshake-era clients subscribe with resources/subscribe; MCPServer has no decorator for it, so the handlers
    # go on the low-level server (which then advertises `resources.subscribe`). 2026-07-28 clients use
    # subscriptions/listen, which MCPServer serves from the bus `live` publishes on.
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is not None:
        lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, live.legacy.subscribe)
        lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, live.legacy.unsubscribe)

    @server.tool(
        title="Point the tracking webhook at this server",
        annotations=CONFIGURE,
        description=(
            "Create the account's `track` webhook so ShipStation pushes tracking updates to this server's "
            "receiver, or repoint the existing one (an account has one per event). Use once, with the public "
            "https URL that reaches the receiver (a reverse proxy or tunnel to "
            f"{settings.webhook_path}). Then subscribe_tracking starts updates for a package."
        ),
    )
    async def setup_tracking_webhook(
        url: WebhookUrl,
        ctx: Context,
        event: WebhookEvent = "track",
    ) -> Annotated[CallToolResult, WebhookSetup]:
        with _explained("setup_tracking_webhook", "the webhook set-up"):
            result = await webhook_setup.point_tracking_webhook(_state(ctx).client, settings, url.strip(), event)
        return _answer(result, "\n".join([result.headline, *result.notes]))

    @server.tool(
        title="List the account's webhooks",
        annotations=READ_ONLY,
        description=(
            "List the account's webhooks (event and URL). Use to check that a `track` webhook exists and points "
            "at this server's receiver before relying on live tracking updates."
        ),
    )
    async def list_webhooks(ctx: Context) -> Annotated[CallToolResult, WebhookListing]:
        with _explained("list_webhooks", "the webhook list"):
            listing = await webhook_setup.list_webhooks(_state(ctx).client, settings)
        lines = [listing.headline] + [f"- {r.event}: {r.url} ({r.webhook_id})" for r in listing.webhooks]
        return _answer(listing, "\n".join(lines))

    @server.tool(
        title="List watched packages",
        annotations=LOCAL_ONLY,
        description=(
            "List every package watched for tracking updates (subscribe_tracking, or updates the webhook "
            "delivered) with its latest known status and when that status began. Answers from this server's "
            "store, without calling ShipStation; use track_package for a fresh look at one package."
        ),
    )
    async def list_tracked_packages(
        include_stopped: Annotated[
            bool, Field(description="Also list packages no longer watched (delivered, exception, unsubscribed)")
        ] = True,
        limit: Annotated[int, Field(ge=1, le=200, description="How many packages per page")] = 50,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, TrackedPackages]:
        with _explained("list_tracked_packages", "the watched packages"), _store_errors():
            page = await live.store.subscription_page(limit=limit, cursor=cursor, include_stopped=include_stopped)
        packages = [_package_row(s) for s in page.subscriptions]
        watching = sum(p.watching for p in packages)
        if packages:
            headline = f"{page.total} package(s) tracked, {watching} still watched"
            if page.next_cursor is not None or cursor is not None:
                headline += f" on this page of {len(packages)}"
            headline += "." + (" More with next_cursor." if page.next_cursor else "")
        else:
            headline = "No packages are watched yet: subscribe_tracking starts watching one."
        result = TrackedPackages(headline=headline, packages=packages, total=page.total, next_cursor=page.next_cursor)
        return _answer(result, "\n".join([headline, *(_package_line(p) for p in packages)]))

    @server.tool(
        title="Tracking updates received",
        annotations=LOCAL_ONLY,
        description=(
            "Tracking updates ShipStation pushed to this server, newest first, each summarised like track_package. "
            "Use for 'what changed since this morning?' (since) or 'any news on this package?' (tracking_number). "
            "Answers from the store without calling ShipStation (no polling cost)."
        ),
    )
    async def get_tracking_updates(
        tracking_number: Annotated[
            str | None, Field(max_length=200, description="Only this package; spaces and dashes are ignored")
        ] = None,
        since: Annotated[
            datetime | None, Field(description="Only updates received at or after this ISO time (UTC if no zone)")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=50, description="How many updates to return")] = 10,
        max_events: Annotated[int, Field(ge=0, le=20, description="Scan events per update summary")] = 3,
        cursor: Cursor = None,
    ) -> Annotated[CallToolResult, TrackingUpdates]:
        number = None
        if tracking_number is not None and tracking_number.strip():
            try:
                number = normalize_tracking_number(tracking_number)
            except InvalidInput as exc:
                raise ToolError(str(exc)) from None
        now = live.now()
        with _explained("get_tracking_updates", "the stored tracking updates"), _store_errors():
            page = await live.store.events(tracking_number=number, since=since, limit=limit, cursor=cursor)
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
            headline = f"{page.total} update(s) received{scope}{window}; newest: {updates[0].summary.headline}."
        else:
            headline = f"No tracking updates received{scope}{window}."
            hint = _receiving_hint(live)
        result = TrackingUpdates(
            headline=headline,
            tracking_number=number,
            since=since,
            updates=updates,
            more_updates=max(0, page.total - len(updates)),
            hint=hint,
            total=page.total,
            next_cursor=page.next_cursor,
        )
        blocks = [headline]
        for update in updates:
            blocks.append(f"Received {format_time(update.received_at)}:\n{tracking_text(update.summary)}")
        if hint:
            blocks.append(hint)
        return _answer(result, "\n\n".join(blocks))

    @server.resource(
        TRACKING_URI_PREFIX + "{tracking_number}",
        name="tracking",
        title="Latest tracking update for a package",
        description=(
            "The newest update the webhook delivered for one tracking number, summarised like track_package. "
            "Subscribe to it to be told (notifications/resources/updated) when a new update arrives."
        ),
        mime_type="application/json",
    )
    async def tracking_resource(tracking_number: str) -> str:
        try:
            number = normalize_tracking_number(tracking_number)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None
        latest, sub = await live.store.latest_event(number), await live.store.subscription(number)
        if latest is None:
            result = LatestTracking(
                tracking_number=number,
                known=False,
                headline=f"No tracking update received for {number} yet.",
                watching=sub.watching if sub else None,
            )
        else:
            summary = summarize_event(latest, now=live.now(), max_events=10, carrier=sub.carrier_code if sub else None)
            result = LatestTracking(
                tracking_number=number,
                known=True,
                headline=summary.headline,
                received_at=latest.received_at,
                watching=sub.watching if sub else None,
                summary=summary,
            )
        return json.dumps(compact_json(result))
