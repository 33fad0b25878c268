"""Resources: the status-code glossary and the newest pushed update of a package, and resource subscriptions."""

from __future__ import annotations

import json

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import SubscribeRequestParams, UnsubscribeRequestParams

from ..api.status import glossary_markdown
from ..errors import InvalidInput
from ..live.notifier import TRACKING_URI_PREFIX, LiveTracking
from ..lookups import updates
from .context import Ctx, state

__all__ = ["add_resources"]


def status_codes() -> str:
    return glossary_markdown()


async def tracking_resource(tracking_number: str, ctx: Ctx) -> str:
    live = state(ctx).live
    try:
        latest = await updates.latest_tracking(await live.ready(), tracking_number, now=live.now())
    except InvalidInput as exc:
        # The SDK answers a ResourceError with its message (-32602 for this subclass), logged at INFO without a
        # traceback; anything else would be "Error creating resource from template" and a traceback at ERROR.
        raise ResourceNotFoundError(str(exc)) from None
    return json.dumps(latest.structured())


def add_resources(server: MCPServer, live: LiveTracking) -> None:
    server.resource(
        "shipstation://status-codes",
        name="status-codes",
        title="Tracking status glossary",
        description="Every tracking status code and status detail code, with what it means and whether to act.",
        mime_type="text/markdown",
    )(status_codes)
    server.resource(
        TRACKING_URI_PREFIX + "{tracking_number}",
        name="tracking",
        title="Latest tracking update for a package",
        description=(
            "The newest update the webhook delivered for one tracking number, summarised like track_package. "
            "Subscribe to it to be told (notifications/resources/updated) when a new update arrives."
        ),
        mime_type="application/json",
    )(tracking_resource)
    # Handshake-era clients subscribe with resources/subscribe; MCPServer has no decorator for it, so the handlers
    # go on the low-level server (which then advertises `resources.subscribe`). 2026-07-28 clients use
    # subscriptions/listen, which MCPServer serves from the bus `live` publishes on.
    lowlevel = getattr(server, "_lowlevel_server", None)
    if lowlevel is not None:
        lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, live.subscribe_resource)
        lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, live.legacy.unsubscribe)
