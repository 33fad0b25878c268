"""Demo mode: every tool on the demo account, in memory on both API flavours (over stdio: tests/e2e/test_stdio.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mcp import Client

from shipstation_mcp.config import load_settings
from shipstation_mcp.sandbox.account import SHIPMENTS
from shipstation_mcp.tools.server import create_server
from tests.support.demo_calls import DEMO_CALLS, answer_of, calls_for

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)


def demo_server(api: str):
    settings = load_settings({"SHIPSTATION_API": api}, demo=True, dotenv_path=Path("/nonexistent/.env"))
    return create_server(settings, clock=lambda: NOW)


async def test_every_tool_has_a_demo_call() -> None:
    async with Client(demo_server("v2")) as client:
        registered = {tool.name for tool in (await client.list_tools()).tools}
    assert registered == {call.tool for call in DEMO_CALLS}, "add the new tool to tests/support/demo_calls.py"


@pytest.mark.parametrize("api", ["v2", "shipengine", "v1"])
async def test_every_tool_answers_on_the_demo_account(api: str) -> None:
    async with Client(demo_server(api)) as client:
        for call in calls_for(api):
            result = await client.call_tool(call.tool, call.arguments)
            text, data = answer_of(result)
            try:
                call.check(text, data, api)
            except AssertionError as exc:
                raise AssertionError(f"{call.tool}({call.arguments}) [{call.about}] on {api}: {exc}\n{text}") from exc


@pytest.mark.parametrize("api", ["v2", "shipengine"])
async def test_demo_errors_read_as_instructions(api: str) -> None:
    async with Client(demo_server(api)) as client:
        missing = await client.call_tool("get_shipment", {"shipment_id": "se-999999"})
        unknown_label = await client.call_tool("track_label", {"label_id": "se-1"})
    assert missing.is_error and unknown_label.is_error
    assert "has no shipment 'se-999999' (HTTP 404)" in missing.content[0].text
    assert "find_order(query=" in missing.content[0].text
    assert "has no label 'se-1'" in unknown_label.content[0].text


async def test_the_demo_answers_a_fixed_clock_the_same_way_every_time() -> None:
    answers = []
    for _ in range(2):
        async with Client(demo_server("v2")) as client:
            result = await client.call_tool("track_package", {"tracking_number": "777240168579"})
        answers.append(result.structured_content)
    assert answers[0] == answers[1]
    assert answers[0]["latest_event"]["occurred_at"] == "2026-05-06T12:30:00Z"
    assert answers[0]["hours_since_last_scan"] == 147.0


def test_the_demo_and_terminal_pages_only_name_demo_data_that_exists() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    section = "\n".join((docs / page).read_text(encoding="utf-8") for page in ("demo.md", "terminal.md"))
    numbers = set(re.findall(r"\b(1Z[0-9A-Z]{16}|\d{22}|\d{12}|\d{10})\b", section))
    ids = set(re.findall(r"\bse-\d+\b", section))
    known_numbers = {p.tracking_number for s in SHIPMENTS for label in s.labels for p in label.packages}
    known_ids = {s.shipment_id for s in SHIPMENTS} | {label.label_id for s in SHIPMENTS for label in s.labels}
    assert len(numbers) >= 8 and numbers <= known_numbers, numbers - known_numbers
    assert len(ids) >= 3 and ids <= known_ids, ids - known_ids
    assert "WEB/10458" in {s.external_id for s in SHIPMENTS}
