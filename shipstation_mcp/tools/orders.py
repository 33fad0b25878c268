"""The one-call order lookup. Declaration only."""

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from ..answers.orders import OrderAnswer
from ..lookups import orders
from ..state.cache import reading
from .arguments import Identifier, Refresh
from .context import Ctx, respond, state

__all__ = ["find_order"]


async def find_order(
    query: Annotated[
        Identifier,
        Field(
            min_length=1,
            max_length=200,
            description=("Whatever the customer gave: order number, store order id, se-… id or tracking number"),
        ),
    ],
    ctx: Ctx,
    max_events: Annotated[int, Field(ge=0, le=20, description="Scan events per package, newest first")] = 5,
    refresh: Refresh = False,
) -> Annotated[CallToolResult, OrderAnswer]:
    app = state(ctx)
    with reading(refresh) as fresh:
        answer = await orders.find_order(app.client, query, max_events=max_events, now=app.now())
    return respond(fresh.stamp(answer))
