"""The MCP face: tools, resources and their descriptions. Declarations and wiring only; logic lives below.

Every tool answers with a pydantic summary as `structuredContent` (its schema is the tool's `outputSchema`) and a
plain-text rendering of the same facts as `content`, for clients that show only text. Failures come back as tool
errors whose text says what went wrong and what to do next.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from . import __version__, bulk, shipments, tracking
from .bulk import AttentionReport, BulkTrackingResult, PackageRef, attention_text, bulk_text
from .cache import reading
from .client import ShipStationClient
from .config import Settings
from .errors import InvalidInput, LookupFailed, ShipStationError, describe_for_assistant
from .live import LiveTracking, WatchResult, record_watch
from .shipments import TrackingNumberMatches
from .status import glossary_markdown
from .summaries import (
    DATA_AGE_DESCRIPTION,
    DEFAULT_MAX_EVENTS,
    ShipmentPage,
    ShipmentSummary,
    TrackingSummary,
    compact_json,
    shipment_page_text,
    shipment_text,
    tracking_text,
)

logger = logging.getLogger(__name__)

INSTRUCTIONS = """\
Answers "where is my order?" from the merchant's ShipStation account.
- Have an order number? list_shipments(shipment_number=...). The merchant's own/external id? find_by_external_id.
  A ShipStation shipment id (se-...)? get_shipment. Each returns the shipment with its labels and tracking numbers.
- Have a tracking number? track_package (carrier_code optional). A label id? track_label.
- Which shipment does a tracking number belong to? find_by_tracking_number.
- "Tell me when it moves": subscribe_tracking. "What changed?": get_tracking_updates and list_tracked_packages
  answer from the updates ShipStation pushed (no API calls); setup_tracking_webhook connects the webhook once.
- Several packages? track_packages (up to 100 in one call). "Which orders need attention?"
  shipments_needing_attention.
- Say the `headline` first; mention `attention` items and what to do about them.
"""


class ShipStationMCP(MCPServer):
    """MCPServer whose tool errors read as instructions: argument problems are not a pydantic dump, and the
    SDK's "Error executing tool <name>: " prefix (the result is already marked as an error) is left off."""

    live: LiveTracking
    """Event store and change notifier (live tracking); the HTTP app's webhook receiver shares it."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                raise ToolError(_argument_problems(name, cause)) from None
            prefix = f"Error executing tool {name}: "
            if type(exc) is ToolError and str(exc).startswith(prefix):
                raise ToolError(str(exc).removeprefix(prefix)) from exc.__cause__
            raise


def _argument_problems(tool: str, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False)[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        value = item.get("input")
        shown = ""
        if item["type"] != "missing" and isinstance(value, str | int | float | bool):
            text = repr(value)
            shown = f" (got {text[:40]}{'…' if len(text) > 40 else ''})"
        problems.append(f"{where}: {item['msg']}{shown}")
    return (
        f"Invalid arguments for {tool}: " + "; ".join(problems) + f". Fix them and call {tool} again; "
        "its input schema says what each argument takes."
    )


@dataclass
class AppState:
    settings: Settings
    client: ShipStationClient


def _state(ctx: Context) -> AppState:
    return ctx.request_context.lifespan_context


def _answer(model: BaseModel, text: str) -> CallToolResult:
    age = getattr(model, "data_age_seconds", None)
    if age is not None:
        text += f"\n(From the cache: data {age} s old; call again with refresh=true for fresh data.)"
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=compact_json(model))


@contextmanager
def _explained(tool: str, what: str) -> Iterator[None]:
    """Turn every failure into a ToolError an assistant can act on; never leak a traceback or the key."""
    try:
        yield
    except ToolError:
        raise
    except (InvalidInput, LookupFailed) as exc:
        raise ToolError(str(exc)) from None
    except ShipStationError as exc:
        logger.info("%s: %s", tool, exc)
        raise ToolError(describe_for_assistant(exc, what=what)) from None
    except Exception as exc:
        logger.exception("%s failed unexpectedly", tool)
        raise ToolError(
            f"shipstation-mcp hit an internal error ({type(exc).__name__}) in {tool}. Trying again may work; "
            "if it keeps happening, please report it."
        ) from None


READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
WATCH = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)

ShipmentId = Annotated[str, Field(min_length=1, max_length=200, description="ShipStation shipment id, e.g. se-123456")]
LabelId = Annotated[str, Field(min_length=1, max_length=200, description="ShipStation label id, e.g. se-324658")]
TrackingNumber = Annotated[
    str,
    Field(min_length=1, max_length=200, description="Carrier tracking number; spaces and dashes are ignored"),
]
CarrierCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=50,
        description="ShipStation carrier code such as ups, fedex, usps, stamps_com, dhl_express (see list_carriers)",
    ),
]
MaxEvents = Annotated[int, Field(ge=0, le=100, description="How many scan events to include, newest first")]
Refresh = Annotated[
    bool,
    Field(
        description=(
            "true: ask ShipStation again instead of reusing a recent answer (kept 60 s for shipments, 5 min for "
            "tracking, 24 h once delivered)"
        )
    ),
]


async def _seed_demo_updates(live: LiveTracking, settings: Settings, clock: Callable[[], datetime] | None) -> None:
    """Give the demo's live-tracking tools the updates a real account's webhook would have received."""
    from .sandbox.updates import demo_updates

    for event in demo_updates(settings.api, clock):
        await live.store.add_event(event)


def create_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ShipStationMCP:
    """Build the MCP server. `transport` plugs in below the HTTP client (tests, the demo sandbox).

    With `settings.demo` and no transport, the offline demo account answers; `clock` then also drives its dates.
    """
    if transport is None and settings.demo:
        from .sandbox import SandboxTransport  # only the demo needs the sandbox account, and it is large

        transport = SandboxTransport(clock=clock)

    live = LiveTracking(settings.live, clock=clock, fallback_to_memory=True)

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[AppState]:
        async with ShipStationClient(settings, transport=transport) as client, live.running():
            if settings.demo and live.settings.database_path is None:
                await _seed_demo_updates(live, settings, clock)
            yield AppState(settings=settings, client=client)

    server = ShipStationMCP(
        "shipstation-mcp",
        title="ShipStation tracking",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        subscriptions=live.bus,
    )
    server.live = live

    def now() -> datetime | None:
        return clock() if clock else None

    @server.tool(
        title="Get a shipment",
        annotations=READ_ONLY,
        description=(
            "Look up one shipment by its ShipStation shipment id (se-…) and return its status, ship-to, items, "
            "tags and every label with its tracking number and tracking status. Use when you already have a "
            "shipment id; for an order number use list_shipments(shipment_number=…), for the merchant's own id "
            "use find_by_external_id."
        ),
    )
    async def get_shipment(
        shipment_id: ShipmentId, ctx: Context, refresh: Refresh = False
    ) -> Annotated[CallToolResult, ShipmentSummary]:
        with _explained("get_shipment", f"shipment {shipment_id!r}"), reading(refresh) as fresh:
            summary = await shipments.get_shipment(_state(ctx).client, shipment_id)
        return _answer(fresh.stamp(summary), shipment_text(summary))

    @server.tool(
        title="Find a shipment by external id",
        annotations=READ_ONLY,
        description=(
            "Find a shipment by the id the merchant's store or integration gave it (external_shipment_id, often "
            "the store's order id). Returns the same shipment summary as get_shipment, labels included."
        ),
    )
    async def find_by_external_id(
        external_shipment_id: Annotated[
            str, Field(min_length=1, max_length=200, description="The merchant's own shipment/order id, free text")
        ],
        ctx: Context,
        refresh: Refresh = False,
    ) -> Annotated[CallToolResult, ShipmentSummary]:
        with _explained("find_by_external_id", f"external id {external_shipment_id!r}"), reading(refresh) as fresh:
            summary = await shipments.find_by_external_id(_state(ctx).client, external_shipment_id)
        return _answer(fresh.stamp(summary), shipment_text(summary))

    @server.tool(
        title="List or search shipments",
        annotations=READ_ONLY,
        description=(
            "List shipments, newest first, optionally filtered by status, creation date range, order number "
            "(shipment_number) or recipient name. Use to find an order by its number or customer, or to review "
            "recent orders. Returns compact rows and page/pages/total; call get_shipment for one row's labels."
        ),
    )
    async def list_shipments(
        ctx: Context,
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
            str | None, Field(max_length=200, description="The order number shown to customers")
        ] = None,
        ship_to_name: Annotated[str | None, Field(max_length=200, description="Recipient name")] = None,
        page: Annotated[int, Field(ge=1, le=10_000)] = 1,
        page_size: Annotated[int, Field(ge=1, le=100)] = 25,
        refresh: Refresh = False,
    ) -> Annotated[CallToolResult, ShipmentPage]:
        with _explained("list_shipments", "that shipment search"), reading(refresh) as fresh:
            result = await shipments.list_shipments(
                _state(ctx).client,
                status=status,
                created_after=created_after,
                created_before=created_before,
                shipment_number=shipment_number,
                ship_to_name=ship_to_name,
                page=page,
                page_size=page_size,
            )
        return _answer(fresh.stamp(result), shipment_page_text(result))

    @server.tool(
        title="Find the shipment of a tracking number",
        annotations=READ_ONLY,
        description=(
            "Find which of the account's labels carries a tracking number, and the shipment (order) it belongs "
            "to. Use when someone gives a tracking number and asks about the order; to see where the package "
            "is, use track_package."
        ),
    )
    async def find_by_tracking_number(
        tracking_number: TrackingNumber, ctx: Context, refresh: Refresh = False
    ) -> Annotated[CallToolResult, TrackingNumberMatches]:
        with _explained("find_by_tracking_number", f"tracking number {tracking_number!r}"), reading(refresh) as fresh:
            result = await shipments.find_by_tracking_number(_state(ctx).client, tracking_number)
        text = "\n\n".join([result.headline, *(shipment_text(s) for s in result.shipments)])
        return _answer(fresh.stamp(result), text)

    @server.tool(
        title="Track a label",
        annotations=READ_ONLY,
        description=(
            "Track the package of one of the account's labels by its label id (se-…, from get_shipment). Returns "
            "the status in plain English, the latest scan and place, promised and actual delivery, and what needs "
            "action."
        ),
    )
    async def track_label(
        label_id: LabelId, ctx: Context, max_events: MaxEvents = DEFAULT_MAX_EVENTS, refresh: Refresh = False
    ) -> Annotated[CallToolResult, TrackingSummary]:
        with _explained("track_label", f"label {label_id!r}"), reading(refresh) as fresh:
            label_id = shipments.clean_id(label_id, what="label id", example="se-324658")
            summary = await tracking.track_label(_state(ctx).client, label_id, max_events=max_events, now=now())
        return _answer(fresh.stamp(summary), tracking_text(summary))

    @server.tool(
        title="Track a package",
        annotations=READ_ONLY,
        description=(
            "Track any package by tracking number: status in plain English, latest scan and place, promised and "
            "actual delivery, and what needs action. carrier_code is optional: the number's format or the "
            "account's label with that number decide; pass it (e.g. ups, fedex, usps) if the answer says so."
        ),
    )
    async def track_package(
        tracking_number: TrackingNumber,
        ctx: Context,
        carrier_code: Annotated[
            str | None,
            Field(max_length=50, description="Optional carrier code: ups, fedex, usps, stamps_com, dhl_express, …"),
        ] = None,
        max_events: MaxEvents = DEFAULT_MAX_EVENTS,
        refresh: Refresh = False,
    ) -> Annotated[CallToolResult, TrackingSummary]:
        with _explained("track_package", f"tracking number {tracking_number!r}"), reading(refresh) as fresh:
            summary = await tracking.track_package(
                _state(ctx).client, tracking_number, carrier_code, max_events=max_events, now=now()
            )
        return _answer(fresh.stamp(summary), tracking_text(summary))

    @server.tool(
        title="Watch a package for updates",
        annotations=WATCH,
        description=(
            "Ask ShipStation to push tracking updates for a package to the account's `track` webhook. Use when "
            "someone wants to be told when a package moves. ShipStation stops by itself at delivery or exception. "
            "Needs the carrier code (see list_carriers)."
        ),
    )
    async def subscribe_tracking(
        tracking_number: TrackingNumber, carrier_code: CarrierCode, ctx: Context
    ) -> Annotated[CallToolResult, WatchResult]:
        with _explained("subscribe_tracking", f"tracking updates for {tracking_number!r}"):
            result = await tracking.set_watch(_state(ctx).client, tracking_number, carrier_code, watch=True)
        result = await record_watch(live, result)
        return _answer(result, f"{result.headline}\n{result.how_updates_arrive}")

    @server.tool(
        title="Stop watching a package",
        annotations=WATCH,
        description="Stop ShipStation's tracking updates for a package started with subscribe_tracking.",
    )
    async def unsubscribe_tracking(
        tracking_number: TrackingNumber, carrier_code: CarrierCode, ctx: Context
    ) -> Annotated[CallToolResult, WatchResult]:
        with _explained("unsubscribe_tracking", f"tracking updates for {tracking_number!r}"):
            result = await tracking.set_watch(_state(ctx).client, tracking_number, carrier_code, watch=False)
        result = await record_watch(live, result)
        return _answer(result, f"{result.headline}\n{result.how_updates_arrive}")

    @server.tool(
        title="List connected carriers",
        annotations=READ_ONLY,
        description=(
            "List the carriers connected to the account with their carrier_code (what track_package and "
            "subscribe_tracking take), carrier_id and name. Use when a tool asks for a carrier code."
        ),
    )
    async def list_carriers(ctx: Context, refresh: Refresh = False) -> Annotated[CallToolResult, CarrierListing]:
        with _explained("list_carriers", "the carrier list"), reading(refresh) as fresh:
            carriers = await _state(ctx).client.list_carriers()
        listing = CarrierListing(
            carriers=[
                CarrierRow(
                    carrier_code=c.carrier_code,
                    carrier_id=c.carrier_id,
                    name=c.friendly_name or c.nickname,
                    nickname=c.nickname if c.nickname != c.friendly_name else None,
                    primary=c.primary or None,
                )
                for c in carriers
            ]
        )
        lines = [f"{len(listing.carriers)} carrier(s) connected:"]
        lines += [f"- {c.carrier_code} ({c.name or 'unnamed'}, {c.carrier_id})" for c in listing.carriers]
        return _answer(fresh.stamp(listing), "\n".join(lines))

    # ------------------------------------------------------------------ bulk (issue 5)

    @server.tool(
        title="Track many packages at once",
        annotations=READ_ONLY,
        description=(
            "Track up to 100 packages in one call instead of calling track_package again and again: each item is "
            "a tracking number (carrier_code optional) or one of the account's label ids. Use when a question "
            "covers several packages or orders. Answers with a one-line roll-up (e.g. '80 packages: 61 delivered, "
            "12 in transit, 4 exceptions, 3 not found'), which items need attention, and each package's status "
            "or its own error. Paced to ShipStation's rate limit; reports progress as packages finish."
        ),
    )
    async def track_packages(
        packages: Annotated[
            list[PackageRef | Annotated[str, Field(min_length=1, max_length=200)]],
            Field(
                min_length=1,
                max_length=bulk.MAX_PACKAGES,
                description=(
                    "1 to 100 items: a tracking number as a string, or an object with tracking_number (and "
                    "optional carrier_code) or label_id"
                ),
            ),
        ],
        ctx: Context,
        refresh: Refresh = False,
    ) -> Annotated[CallToolResult, BulkTrackingResult]:
        with _explained("track_packages", "those packages"):
            result = await bulk.track_packages(
                _state(ctx).client, packages, refresh=refresh, now=now(), progress=ctx.report_progress
            )
        return _answer(result, bulk_text(result))

    @server.tool(
        title="Shipments needing attention",
        annotations=READ_ONLY,
        description=(
            "The support queue in one call: checks the labels created in a period (default the last 14 days) and "
            "lists the packages that need someone to act, most urgent first, each with its reasons: carrier "
            "exceptions, returns to sender, delivery attempts, no carrier scan for too long, past the estimated "
            "delivery date, labels never scanned days after they were created. Use for 'which orders need "
            "attention?' or a daily check. Delivered and voided labels are skipped without tracking them."
        ),
    )
    async def shipments_needing_attention(
        ctx: Context,
        since: Annotated[
            datetime | None,
            Field(description="Labels created from this ISO date/date-time (UTC if no zone); default 14 days ago"),
        ] = None,
        until: Annotated[
            datetime | None, Field(description="Labels created up to this ISO date/date-time; default now")
        ] = None,
        store_id: Annotated[
            str | None, Field(max_length=200, description="Only shipments of this ShipStation store (store_id)")
        ] = None,
        stalled_after_hours: Annotated[
            float, Field(ge=1, le=2160, description="Flag packages with no carrier scan for longer than this")
        ] = bulk.STALLED_AFTER_HOURS,
        unscanned_after_days: Annotated[
            float, Field(ge=0, le=90, description="Flag labels the carrier has not scanned this many days later")
        ] = bulk.UNSCANNED_AFTER_DAYS,
        max_tracked: Annotated[
            int, Field(ge=1, le=200, description="Track at most this many in-transit labels (oldest first)")
        ] = bulk.DEFAULT_MAX_TRACKED,
        refresh: Refresh = False,
    ) -> Annotated[CallToolResult, AttentionReport]:
        with _explained("shipments_needing_attention", "that period's labels"):
            report = await bulk.shipments_needing_attention(
                _state(ctx).client,
                since=since,
                until=until,
                store_id=store_id,
                stalled_after_hours=stalled_after_hours,
                unscanned_after_days=unscanned_after_days,
                max_tracked=max_tracked,
                refresh=refresh,
                now=now(),
                progress=ctx.report_progress,
            )
        return _answer(report, attention_text(report))

    @server.resource(
        "shipstation://status-codes",
        name="status-codes",
        title="Tracking status glossary",
        description="Every tracking status code and status detail code, with what it means and whether to act.",
        mime_type="text/markdown",
    )
    def status_codes() -> str:
        return glossary_markdown()

    from .live_tools import register_live_tracking  # imports this module's helpers

    register_live_tracking(server, live)
    return server


class CarrierRow(BaseModel):
    carrier_code: str | None = None
    carrier_id: str | None = None
    name: str | None = None
    nickname: str | None = None
    primary: bool | None = None


class CarrierListing(BaseModel):
    carriers: list[CarrierRow] = Field(default_factory=list)
    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)
