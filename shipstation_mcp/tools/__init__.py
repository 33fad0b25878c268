"""The MCP face: one function per tool, one table of them, the resources, and the server that wires them."""

from .context import AppState
from .registry import TOOLS, ToolSpec
from .server import INSTRUCTIONS, ShipStationMCP, create_server

__all__ = ["INSTRUCTIONS", "TOOLS", "AppState", "ShipStationMCP", "ToolSpec", "create_server"]
