"""Toolsets and the read-only mode: which of the built tools a server lists.

Each tool belongs to one toolset (`SHIPSTATION_TOOLSETS`, `--toolsets`): fewer tools, less context for the
assistant. `SHIPSTATION_READ_ONLY=1` (`--read-only`) also hides every tool whose annotations allow a change to the
account. A hidden tool called by name is refused with a message saying why (`hidden_reason`).
"""

from __future__ import annotations

from collections.abc import Iterable

from mcp.server.mcpserver.tools import Tool

from ..config import TOOLSET_NAMES, Settings
from .registry import TOOLS

__all__ = ["TOOLSET_OF", "hidden_reason", "select_tools"]

TOOLSET_OF: dict[str, str] = {spec.name: spec.toolset for spec in TOOLS}
"""Each tool's toolset, from its row in the tool table."""
assert set(TOOLSET_OF.values()) == set(TOOLSET_NAMES)


def changes_account(tool: Tool) -> bool:
    """True unless the tool's annotations promise it only reads."""
    return not (tool.annotations is not None and tool.annotations.read_only_hint is True)


def hidden_reason(tool: Tool, settings: Settings) -> str | None:
    """Why this server does not offer `tool`, or None when it does."""
    if settings.read_only and changes_account(tool):
        return (
            f"{tool.name} changes the ShipStation account, and this server runs read-only "
            "(SHIPSTATION_READ_ONLY=1 or --read-only): it offers only tools that look things up."
        )
    toolset = TOOLSET_OF.get(tool.name, "")
    if toolset not in settings.toolsets:
        return (
            f"{tool.name} is in the {toolset!r} toolset, which this server does not offer "
            f"(SHIPSTATION_TOOLSETS={','.join(settings.toolsets)}); add {toolset} to use it."
        )
    return None


def select_tools(tools: Iterable[Tool], settings: Settings) -> tuple[list[Tool], dict[str, str]]:
    """The tools to list, and each hidden tool's name with the reason it is hidden."""
    shown: list[Tool] = []
    hidden: dict[str, str] = {}
    for tool in tools:
        reason = hidden_reason(tool, settings)
        if reason is None:
            shown.append(tool)
        else:
            hidden[tool.name] = reason
    return shown, hidden
