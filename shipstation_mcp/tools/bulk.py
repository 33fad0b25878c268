"""Tools for many packages at once: bulk tracking and the support queue. Declarations only."""

from datetime import datetime
from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from ..answers.bulk import AttentionReport, BulkTrackingResult, PackageRef
from ..answers.tracking import STALLED_AFTER_HOURS
from ..lookups import attention, bulk
from ..state.account_index import account_index
from .arguments import Identifier, Refresh
from .context import Ctx, respond, state

__all__ = ["shipments_needing_attention", "track_packages"]


async def track_packages(
    packages: Annotated[
        list[PackageRef | Annotated[Identifier, Field(min_length=1, max_length=200)]],
        Field(
            min_length=1,
            max_length=bulk.MAX_PACKAGES,
            description=(
                "1 to 100 items: a tracking number as a string, or an object with tracking_number (and "
                "optional carrier_code) or label_id"
            ),
        ),
    ],
    ctx: Ctx,
    refresh: Refresh = False,
) -> Annotated[CallToolResult, BulkTrackingResult]:
    app = state(ctx)
    result = await bulk.track_packages(
        app.client, packages, refresh=refresh, now=app.now(), progress=ctx.report_progress
    )
    return respond(result)


async def shipments_needing_attention(
    ctx: Ctx,
    since: Annotated[
        datetime | None,
        Field(description="Labels created from this ISO date/time (UTC if no zone); default 14 days ago"),
    ] = None,
    until: Annotated[
        datetime | None, Field(description="Labels created up to this ISO date/date-time; default now")
    ] = None,
    store_id: Annotated[
        str | None, Field(max_length=200, description="Only shipments of this ShipStation store (store_id)")
    ] = None,
    stalled_after_hours: Annotated[
        float, Field(ge=1, le=2160, description="Flag packages with no carrier scan for longer than this")
    ] = STALLED_AFTER_HOURS,
    unscanned_after_days: Annotated[
        float, Field(ge=0, le=90, description="Flag labels the carrier has not scanned this many days later")
    ] = attention.UNSCANNED_AFTER_DAYS,
    max_tracked: Annotated[
        int, Field(ge=1, le=200, description="Track at most this many in-transit labels (oldest first)")
    ] = attention.DEFAULT_MAX_TRACKED,
    refresh: Refresh = False,
) -> Annotated[CallToolResult, AttentionReport]:
    app = state(ctx)
    share = 0.0 if app.settings.demo else app.settings.index_share
    report = await attention.shipments_needing_attention(
        app.client,
        index=account_index(await app.live.ready()) if share else None,
        index_share=share,
        since=since,
        until=until,
        store_id=store_id,
        stalled_after_hours=stalled_after_hours,
        unscanned_after_days=unscanned_after_days,
        max_tracked=max_tracked,
        refresh=refresh,
        now=app.now(),
        progress=ctx.report_progress,
    )
    return respond(report)
