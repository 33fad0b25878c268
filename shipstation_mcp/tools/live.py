"""Tools for live tracking: the account's webhook, the watched packages, the updates received. Declarations only."""

from datetime import datetime
from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from ..answers.live import TrackedPackages, TrackingUpdates
from ..answers.webhooks import WebhookListing, WebhookSetup
from ..lookups import updates, webhooks
from .arguments import Identifier, WebhookEvent, WebhookUrl
from .context import Ctx, respond, state

__all__ = ["get_tracking_updates", "list_tracked_packages", "list_webhooks", "setup_tracking_webhook"]


async def setup_tracking_webhook(
    url: WebhookUrl, ctx: Ctx, event: WebhookEvent | None = None
) -> Annotated[CallToolResult, WebhookSetup]:
    app = state(ctx)
    setup = webhooks.point_tracking_webhook(
        app.client, app.live.settings, url.strip(), event, transport=app.transport, prove=not app.settings.demo
    )
    return respond(await setup)


async def list_webhooks(ctx: Ctx) -> Annotated[CallToolResult, WebhookListing]:
    app = state(ctx)
    return respond(await webhooks.list_webhooks(app.client, app.live.settings))


Cursor = Annotated[str | None, Field(max_length=200, description="next_cursor of the previous page")]


async def list_tracked_packages(
    ctx: Ctx,
    include_stopped: Annotated[bool, Field(description="Also packages no longer watched")] = True,
    limit: Annotated[int, Field(ge=1, le=200, description="How many packages per page")] = 50,
    cursor: Cursor = None,
) -> Annotated[CallToolResult, TrackedPackages]:
    store = await state(ctx).live.ready()
    return respond(await updates.tracked_packages(store, include_stopped=include_stopped, limit=limit, cursor=cursor))


async def get_tracking_updates(
    ctx: Ctx,
    tracking_number: Annotated[
        Identifier | None, Field(max_length=200, description="Only this package; spaces and dashes are ignored")
    ] = None,
    since: Annotated[
        datetime | None, Field(description="Only updates received at or after this ISO time (UTC if no zone)")
    ] = None,
    limit: Annotated[int, Field(ge=1, le=50, description="How many updates to return")] = 10,
    max_events: Annotated[int, Field(ge=0, le=20, description="Scan events per update summary")] = 3,
    cursor: Cursor = None,
) -> Annotated[CallToolResult, TrackingUpdates]:
    live = state(ctx).live
    result = await updates.tracking_updates(
        await live.ready(),
        now=live.now(),
        tracking_number=tracking_number,
        since=since,
        limit=limit,
        max_events=max_events,
        no_updates_hint=live.receiving_hint(),
        cursor=cursor,
    )
    return respond(result)
