"""The MCP server: wiring of the tool table, the resources, the lifespan state, and the one error path.

Every tool answers with a pydantic answer as `structuredContent` (its schema is the tool's `outputSchema`) and the
same facts as text. Failures rise unchanged from the lookups to `ShipStationMCP.call_tool`, which alone turns them
into tool errors whose text says what went wrong and what to do next.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

import anyio
import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.subscriptions import InMemorySubscriptionBus
from pydantic import ValidationError

from .. import __version__
from ..api.client import ShipStationClient
from ..config import Settings
from ..errors import EXPLAINED, ShipStationError, explain
from ..live.notifier import LiveTracking
from ..state.backends import shared_state
from .context import AppState
from .registry import TOOLS, build_tools, instructions, spec_for
from .resources import add_resources
from .toolsets import select_tools
from .view import tracking_view

if TYPE_CHECKING:
    from ..state.store import EventStore

__all__ = ["INSTRUCTIONS", "ShipStationMCP", "create_server"]

logger = logging.getLogger(__name__)

INSTRUCTIONS = instructions(spec.name for spec in TOOLS)
"""The instructions of a server that offers every tool."""


class ShipStationMCP(MCPServer[AppState]):
    """MCPServer whose tool errors read as instructions."""

    live: LiveTracking
    """Event store and change notifier (live tracking); the HTTP app's webhook receiver shares it."""
    hidden_tools: Mapping[str, str] = {}
    """Tools left out by the toolsets or the read-only mode, each with the reason a call to it is refused."""
    key_refusal: str | None = None
    """What the start-up check of the key found (the key refused, and what to do), until a tool call has said it."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> Any:
        if name in self.hidden_tools:
            raise ToolError(self.hidden_tools[name])
        if self.key_refusal is not None:
            refusal, self.key_refusal = self.key_refusal, None  # said once: later calls try again
            raise ToolError(refusal)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            raise ToolError(tool_error_message(name, arguments, exc)) from None


def tool_error_message(tool: str, arguments: Mapping[str, Any], error: ToolError) -> str:
    """The one place a failed call becomes what the assistant reads: argument problems as instructions, our own
    failures explained, and the SDK's "Error executing tool <name>: " prefix (the result is already marked as an
    error) left off."""
    cause = error.__cause__
    if isinstance(cause, ValidationError):
        return _argument_problems(tool, cause)
    if isinstance(error, UnexpectedToolError) and cause is not None:
        spec = spec_for(tool)
        if isinstance(cause, ShipStationError):
            logger.info("%s: %s", tool, cause)
        elif not isinstance(cause, EXPLAINED):
            logger.error("%s failed unexpectedly", tool, exc_info=cause)
        return explain(cause, what=spec.asked_about(arguments) if spec else "the request", where=tool)
    return str(error).removeprefix(f"Error executing tool {tool}: ")


def _argument_problems(tool: str, error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False)[:5]:
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        value = item.get("input")
        shown = ""
        if item["type"] != "missing" and isinstance(value, str | int | float | bool):
            text = repr(value)
            shown = f" (got {text[:40]}{'…' if len(text) > 40 else ''})"
        problems.append(f"{where}: {item['msg'].rstrip('.')}{shown}")
    return (
        f"Invalid arguments for {tool}: " + "; ".join(problems) + f". Fix them and call {tool} again; "
        "its input schema says what each argument takes."
    )


def _demo_updates(settings: Settings, clock: Callable[[], datetime] | None) -> Callable[[EventStore], Awaitable[None]]:
    """Give the demo's live-tracking tools the updates a real account's webhook would have received, as soon as its
    (in-memory) store opens."""

    async def seed(store: EventStore) -> None:
        from ..api.families import family_of
        from ..live.receiver import tracking_event  # (the receiver's signature checks load only where they serve)
        from ..sandbox.updates import demo_deliveries

        for delivery in demo_deliveries(family_of(settings), clock):
            await store.add_event(tracking_event(delivery.payload, delivery.body, received_at=delivery.received_at))

    return seed


def _hidden_note(hidden: Mapping[str, str]) -> str:
    """The instructions name the tools offered; say which others exist and why they are left out."""
    if not hidden:
        return ""
    return (
        f"- This server does not offer {', '.join(sorted(hidden))} (SHIPSTATION_TOOLSETS / SHIPSTATION_READ_ONLY); "
        "answer with the tools it lists.\n"
    )


async def _check_key(server: ShipStationMCP, settings: Settings, transport: httpx.AsyncBaseTransport | None) -> None:
    """The start-up check: ask the API once, in the background, whether it takes the key. A refusal is one line on
    stderr, and the first tool answer says it with what to do."""
    from ..lookups.setup_check import startup_key_refusal

    try:
        server.key_refusal = await startup_key_refusal(settings, transport=transport)
    except Exception as exc:  # the check is a courtesy: a real call says what is wrong anyway
        logger.info("The start-up check of the API key could not run (%s)", type(exc).__name__)
        return
    if server.key_refusal:
        logger.warning(
            "ShipStation refused the API key (HTTP 401): the first tool call will say what to do; "
            "`shipstation-mcp check` tests the set-up."
        )


def create_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] | None = None,
    check_key: bool = False,
) -> ShipStationMCP:
    """Build the MCP server. `transport` plugs in below the HTTP client (tests, the demo sandbox).

    With `settings.demo` and no transport, the offline demo account answers; `clock` then also drives its dates.
    `check_key` (the stdio server): ask the API once in the background whether it takes the key (`_check_key`).
    """
    if transport is None and settings.demo:
        from ..sandbox import SandboxTransport

        transport = SandboxTransport(clock=clock)
    seed = _demo_updates(settings, clock) if settings.demo and settings.live.database_path is None else None
    live = LiveTracking(
        settings.live, bus=InMemorySubscriptionBus(), clock=clock, fallback_to_memory=True, on_open=seed
    )
    tools, hidden = select_tools(build_tools(settings.live.webhook_path), settings)

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[AppState]:
        async with (
            shared_state(settings) as shared,
            ShipStationClient(settings, transport=transport, limiter=shared.limiter, cache=shared.cache) as client,
            live.running(lazily=True),  # the store opens at the first live-tracking use (HTTP mode opens it at once)
            anyio.create_task_group() as background,
        ):
            if check_key and not settings.demo:
                background.start_soon(_check_key, server, settings, transport)  # never delays tools/list
            yield AppState(settings=settings, client=client, live=live, clock=clock, transport=transport)
            background.cancel_scope.cancel()

    server = ShipStationMCP(
        "shipstation-mcp",
        title="ShipStation tracking",
        instructions=instructions(tool.name for tool in tools) + _hidden_note(hidden),
        version=__version__,
        lifespan=lifespan,
        subscriptions=live.bus,
        tools=tools,
        extensions=[tracking_view()],
    )
    server.live = live
    server.hidden_tools = hidden
    add_resources(server, live)
    return server
