"""What every tool call can reach (the typed lifespan state), and how an answer becomes a tool result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent

from ..answers.base import Answer, CachedAnswer
from ..api.client import ShipStationClient
from ..config import Settings
from ..live.notifier import LiveTracking

__all__ = ["AppState", "Ctx", "respond", "state"]


@dataclass
class AppState:
    """Lives as long as the server runs: one HTTP client (with its limiter and cache) and the live-tracking hub."""

    settings: Settings
    client: ShipStationClient
    live: LiveTracking
    clock: Callable[[], datetime] | None = None
    """Stands in for the wall clock (tests and the demo's fixed scenarios); None means now."""
    transport: httpx.AsyncBaseTransport | None = None
    """Below every outbound HTTP client (tests, the demo sandbox); None is the network."""

    def now(self) -> datetime | None:
        """The moment answers are judged at, or None to let each lookup read the clock itself."""
        return self.clock() if self.clock else None


Ctx = Context[AppState, Any]


def state(ctx: Ctx) -> AppState:
    return ctx.request_context.lifespan_context


def respond(answer: Answer) -> CallToolResult:
    """The answer as `structuredContent` and the same facts as text."""
    text = answer.text_with_age() if isinstance(answer, CachedAnswer) else answer.text()
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=answer.structured())
