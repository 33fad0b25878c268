"""Toolsets and the read-only mode, through a real MCP client."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from mcp import Client

from shipstation_mcp.api import families
from shipstation_mcp.api.families import CAPABILITIES
from shipstation_mcp.config import TOOLSET_NAMES, ConfigError, load_settings
from shipstation_mcp.tools.registry import TOOLS
from shipstation_mcp.tools.server import create_server
from shipstation_mcp.tools.toolsets import NEEDS, TOOLSET_OF

pytestmark = pytest.mark.anyio
NO_DOTENV = Path("/nonexistent/.env")
CHANGING = {"subscribe_tracking", "unsubscribe_tracking", "setup_tracking_webhook"}


def settings(**env: str):
    return load_settings({"SHIPSTATION_DEMO": "1", **env}, dotenv_path=NO_DOTENV)


async def listed(**env: str) -> dict[str, object]:
    async with Client(create_server(settings(**env))) as client:
        return {tool.name: tool for tool in (await client.list_tools()).tools}


def test_every_tool_is_in_exactly_one_known_toolset() -> None:
    assert set(TOOLSET_OF) == {spec.name for spec in TOOLS}
    assert set(TOOLSET_OF.values()) == set(TOOLSET_NAMES)


async def test_read_only_lists_no_tool_whose_annotations_allow_changes() -> None:
    everything = await listed()
    tools = await listed(SHIPSTATION_READ_ONLY="1")
    assert set(everything) >= CHANGING
    assert not CHANGING & set(tools)
    assert all(tool.annotations and tool.annotations.read_only_hint is True for tool in tools.values())
    assert set(everything) - set(tools) == CHANGING


async def test_read_only_refuses_a_changing_tool_called_by_name() -> None:
    async with Client(create_server(settings(SHIPSTATION_READ_ONLY="1"))) as client:
        result = await client.call_tool(
            "subscribe_tracking", {"tracking_number": "1ZA4R8E20293229421", "carrier_code": "ups"}
        )
        lookup = await client.call_tool("track_package", {"tracking_number": "1ZA4R8E20293229421"})
    assert result.is_error
    assert "read-only" in result.content[0].text and "SHIPSTATION_READ_ONLY" in result.content[0].text
    assert not lookup.is_error


@pytest.mark.parametrize("toolset", TOOLSET_NAMES)
async def test_each_toolset_lists_only_its_tools(toolset: str) -> None:
    tools = await listed(SHIPSTATION_TOOLSETS=toolset)
    assert set(tools) == {name for name, owner in TOOLSET_OF.items() if owner == toolset}


async def test_toolsets_combine_and_a_tool_outside_them_is_refused_by_name() -> None:
    chosen = settings(SHIPSTATION_TOOLSETS="orders, tracking")
    async with Client(create_server(chosen)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("track_packages", {"items": [{"tracking_number": "1ZA4R8E20293229421"}]})
    assert names == {name for name, owner in TOOLSET_OF.items() if owner in {"orders", "tracking"}}
    assert result.is_error and "'bulk' toolset" in result.content[0].text


def test_flags_win_over_the_environment_and_unknown_toolsets_are_refused() -> None:
    flagged = load_settings(
        {"SHIPSTATION_DEMO": "1", "SHIPSTATION_TOOLSETS": "live"},
        dotenv_path=NO_DOTENV,
        toolsets="bulk",
        read_only=True,
    )
    assert flagged.toolsets == ("bulk",) and flagged.read_only
    with pytest.raises(ConfigError, match=r"^SHIPSTATION_TOOLSETS must be .*orders, tracking, bulk, live"):
        settings(SHIPSTATION_TOOLSETS="orders,shipping")
    assert settings(SHIPSTATION_TOOLSETS="all").toolsets == TOOLSET_NAMES


async def test_the_instructions_say_which_tools_are_left_out() -> None:
    async with Client(create_server(settings(SHIPSTATION_READ_ONLY="1"))) as client:
        instructions = client.instructions or ""
    assert "does not offer setup_tracking_webhook, subscribe_tracking, unsubscribe_tracking" in instructions
    async with Client(create_server(settings())) as client:
        assert "does not offer" not in (client.instructions or "")


def test_the_command_line_flags_choose_the_tools(capsys, monkeypatch, tmp_path) -> None:
    from tests.support.cli import run_cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHIPSTATION_TOOLSETS", raising=False)
    assert run_cli(["track", "1ZA4R8E20293229421", "--demo", "--toolsets", "bulk"]) == 1
    assert "'tracking' toolset" in capsys.readouterr().err
    assert run_cli(["--toolsets", "tracking", "track", "1ZA4R8E20293229421", "--demo"]) == 0
    assert run_cli(["track", "1Z", "--demo", "--toolsets", "nope"]) == 2
    assert "SHIPSTATION_TOOLSETS (--toolsets) must be" in capsys.readouterr().err


def test_every_tool_says_what_it_needs_of_the_api_in_the_shared_words() -> None:
    assert set(NEEDS) == {spec.name for spec in TOOLS}
    assert all(set(needs) <= set(CAPABILITIES) for needs in NEEDS.values())


async def test_a_tool_the_api_family_cannot_serve_is_hidden_and_refused_by_name(monkeypatch) -> None:
    """A family without labels and label tracking: its tools are not listed, and calling one by name says why, the
    way toolsets and read-only do."""
    lean = dataclasses.replace(families.V2, capabilities=frozenset({"shipments_by_order_number"}))
    monkeypatch.setitem(families.FAMILIES, "v2", lean)
    tools = await listed()
    async with Client(create_server(settings())) as client:
        result = await client.call_tool("track_label", {"label_id": "se-1"})
    unserved = {name for name, needs in NEEDS.items() if needs - lean.capabilities}
    assert unserved >= {"track_label", "find_by_external_id", "setup_tracking_webhook", "list_webhooks"}
    assert set(tools) == set(NEEDS) - unserved
    assert {"find_order", "track_package", "list_tracked_packages"} <= set(tools)
    assert result.is_error
    text = result.content[0].text
    assert "track_label needs what ShipStation API V2 cannot do (track_by_label)" in text


async def test_the_classic_api_lists_the_tools_it_can_serve() -> None:
    tools = await listed(SHIPSTATION_API="v1")
    assert set(tools) == {
        "find_order",
        "get_shipment",
        "list_shipments",
        "find_by_tracking_number",
        "track_package",
        "list_carriers",
        "track_packages",
        "list_webhooks",
        "list_tracked_packages",
        "get_tracking_updates",
    }
    async with Client(create_server(settings(SHIPSTATION_API="v1"))) as client:
        result = await client.call_tool("track_label", {"label_id": "se-1"})
    assert result.is_error
    assert "track_label needs what ShipStation's classic API (V1) cannot do (track_by_label)" in result.content[0].text
