"""Tools that find shipments (orders). Declarations only: each calls one lookup and answers with its result."""

from datetime import datetime
from typing import Annotated, Literal

from mcp.types import CallToolResult
from pydantic import Field

from ..answers.shipments import ShipmentPage, ShipmentSummary, TrackingNumberMatches
from ..lookups import shipments
from ..state.cache import reading
from .arguments import Identifier, Refresh, ShipmentId, TrackingNumber
from .context import Ctx, respond, state

__all__ = ["find_by_external_id", "find_by_tracking_number", "get_shipment", "list_shipments"]


async def get_shipment(
    shipment_id: ShipmentId, ctx: Ctx, refresh: Refresh = False
) -> Annotated[CallToolResult, ShipmentSummary]:
    with reading(refresh) as fresh:
        app = state(ctx)
        summary = await shipments.get_shipment(app.client, shipment_id, now=app.now())
    return respond(fresh.stamp(summary))


async def find_by_external_id(
    external_shipment_id: Annotated[
        Identifier, Field(min_length=1, max_length=200, description="The merchant's own shipment/order id, free text")
    ],
    ctx: Ctx,
    refresh: Refresh = False,
) -> Annotated[CallToolResult, ShipmentSummary]:
    with reading(refresh) as fresh:
        app = state(ctx)
        summary = await shipments.find_by_external_id(app.client, external_shipment_id, now=app.now())
    return respond(fresh.stamp(summary))


async def list_shipments(
    ctx: Ctx,
    status: Annotated[
        Literal["pending", "processing", "label_purchased", "cancelled"] | None,
        Field(description="Shipment status to filter by"),
    ] = None,
    created_after: Annotated[
        datetime | None, Field(description="ISO date or date-time (UTC if no zone), inclusive")
    ] = None,
    created_before: Annotated[
        datetime | None, Field(description="ISO date or date-time (UTC if no zone), inclusive")
    ] = None,
    shipment_number: Annotated[
        Identifier | None, Field(max_length=200, description="The order number shown to customers")
    ] = None,
    ship_to_name: Annotated[str | None, Field(max_length=200, description="Recipient name")] = None,
    page: Annotated[int, Field(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Field(ge=1, le=100)] = 25,
    refresh: Refresh = False,
) -> Annotated[CallToolResult, ShipmentPage]:
    with reading(refresh) as fresh:
        app = state(ctx)
        result = await shipments.list_shipments(
            app.client,
            status=status,
            created_after=created_after,
            created_before=created_before,
            shipment_number=shipment_number,
            ship_to_name=ship_to_name,
            page=page,
            page_size=page_size,
            now=app.now(),
        )
    return respond(fresh.stamp(result))


async def find_by_tracking_number(
    tracking_number: TrackingNumber, ctx: Ctx, refresh: Refresh = False
) -> Annotated[CallToolResult, TrackingNumberMatches]:
    with reading(refresh) as fresh:
        app = state(ctx)
        result = await shipments.find_by_tracking_number(app.client, tracking_number, now=app.now())
    return respond(fresh.stamp(result))
