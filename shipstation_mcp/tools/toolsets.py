"""Toolsets and the read-only mode: which of the built tools a server lists.

Each tool belongs to one toolset (`SHIPSTATION_TOOLSETS`, `--toolsets`): fewer tools, less context for the
assistant. `SHIPSTATION_READ_ONLY=1` (`--read-only`) also hides every tool whose annotations allow a change to the
account, and a tool the configured API family cannot serve (`NEEDS`) is hidden the same way. A hidden tool called
by name is refused with a message saying why (`hidden_reason`).
"""

from __future__ import annotations

from collections.abc import Iterable

from mcp.server.mcpserver.tools import Tool

from ..api.families import Capability, family_of
from ..config import TOOLSET_NAMES, Settings
from .registry import TOOLS

__all__ = ["NEEDS", "TOOLSET_OF", "hidden_reason", "select_tools"]

TOOLSET_OF: dict[str, str] = {spec.name: spec.toolset for spec in TOOLS}
"""Each tool's toolset, from its row in the tool table."""
assert set(TOOLSET_OF.values()) == set(TOOLSET_NAMES)

NEEDS: dict[str, frozenset[Capability]] = {spec.name: spec.needs for spec in TOOLS}
"""What each tool needs the API family to be able to do, from its row in the tool table."""
assert set(NEEDS) == set(TOOLSET_OF)


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
    family = family_of(settings)
    missing = sorted(NEEDS.get(tool.name, frozenset()) - family.capabilities)
    if missing:
        return (
            f"{tool.name} needs what {family.title} cannot do ({', '.join(missing)}), so this server does not offer "
            f"it with SHIPSTATION_API={family.name}; find_order and track_package answer on every API."
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
