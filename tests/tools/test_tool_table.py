"""One row per tool: the toolsets, the terminal's commands and the server's instructions all read the tool table."""

from __future__ import annotations

import re

import pytest
from mcp import Client

from shipstation_mcp.cli import COMMANDS, command_for_tool
from shipstation_mcp.config import TOOLSET_NAMES, Settings
from shipstation_mcp.tools.registry import TOOLS, instructions
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio


def test_every_row_names_a_known_toolset_and_a_one_line_purpose() -> None:
    assert {spec.toolset for spec in TOOLS} == set(TOOLSET_NAMES)
    for spec in TOOLS:
        assert spec.purpose and "\n" not in spec.purpose and not spec.purpose.endswith("."), spec.name


def test_a_rows_terminal_command_exists_and_calls_that_tool() -> None:
    commands = {command.name: command for command in COMMANDS}
    rows = command_for_tool()
    assert set(rows.values()) <= set(commands)
    for tool, name in rows.items():
        assert f"(as {tool})" in commands[name].help or f"(as the {tool} tool)" in commands[name].help, name
    # and every lookup command is some tool's row
    named = {name for name, command in commands.items() if re.search(r"\(as (the )?\w+", command.help)}
    assert named == set(rows.values())


async def test_the_instructions_name_every_tool_the_server_offers_and_no_other() -> None:
    for toolsets in (("orders", "tracking", "bulk", "live"), ("tracking",)):
        server = create_server(Settings(api_key="demo", demo=True, toolsets=toolsets))
        async with Client(server) as client:
            offered = {tool.name for tool in (await client.list_tools()).tools}
            text = client.instructions or ""
        listed = set(re.findall(r"^- (\w+): ", text, flags=re.M))
        assert listed == offered
        assert ("Start with find_order" in text) == ("find_order" in offered)


def test_a_read_only_row_is_one_whose_annotations_promise_no_change() -> None:
    changing = {spec.name for spec in TOOLS if not spec.read_only}
    assert changing == {"subscribe_tracking", "unsubscribe_tracking", "setup_tracking_webhook"}
    assert "setup_tracking_webhook: create or repoint" in instructions(spec.name for spec in TOOLS)
