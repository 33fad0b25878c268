"""Tools that track packages, watch them for updates, and list the carriers. Declarations only."""

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from ..answers.carriers import CarrierListing
from ..answers.live import WatchResult
from ..answers.tracking import DEFAULT_MAX_EVENTS, TrackingSummary
from ..api.ids import clean_shipstation_id
from ..live.watchlist import record_watch
from ..lookups import carriers, tracking
from ..state.cache import reading
from .arguments import CarrierCode, LabelId, MaxEvents, Refresh, TrackingNumber
from .context import Ctx, respond, state

__all__ = ["list_carriers", "subscribe_tracking", "track_label", "track_package", "unsubscribe_tracking"]


async def track_label(
    label_id: LabelId, ctx: Ctx, max_events: MaxEvents = DEFAULT_MAX_EVENTS, refresh: Refresh = False
) -> Annotated[CallToolResult, TrackingSummary]:
    app = state(ctx)
    with reading(refresh) as fresh:
        label_id = clean_shipstation_id(label_id, what="label id", example="se-324658")
        summary = await tracking.track_label(app.client, label_id, max_events=max_events, now=app.now())
    return respond(fresh.stamp(summary))


async def track_package(
    tracking_number: TrackingNumber,
    ctx: Ctx,
    carrier_code: Annotated[
        str | None,
        Field(max_length=50, description="ups, fedex, usps, stamps_com, dhl_express, …; inferred if left out"),
    ] = None,
    max_events: MaxEvents = DEFAULT_MAX_EVENTS,
    refresh: Refresh = False,
) -> Annotated[CallToolResult, TrackingSummary]:
    app = state(ctx)
    with reading(refresh) as fresh:
        summary = await tracking.track_package(
            app.client, tracking_number, carrier_code, max_events=max_events, now=app.now()
        )
    return respond(fresh.stamp(summary))


async def subscribe_tracking(
    tracking_number: TrackingNumber, carrier_code: CarrierCode, ctx: Ctx
) -> Annotated[CallToolResult, WatchResult]:
    return await _set_watch(ctx, tracking_number, carrier_code, watch=True)


async def unsubscribe_tracking(
    tracking_number: TrackingNumber, carrier_code: CarrierCode, ctx: Ctx
) -> Annotated[CallToolResult, WatchResult]:
    return await _set_watch(ctx, tracking_number, carrier_code, watch=False)


async def _set_watch(ctx: Ctx, tracking_number: str, carrier_code: str, *, watch: bool) -> CallToolResult:
    app = state(ctx)
    change = await tracking.set_watch(app.client, tracking_number, carrier_code, watch=watch)
    return respond(await record_watch(app.live, change))


async def list_carriers(ctx: Ctx, refresh: Refresh = False) -> Annotated[CallToolResult, CarrierListing]:
    with reading(refresh) as fresh:
        listing = await carriers.list_carriers(state(ctx).client)
    return respond(fresh.stamp(listing))
