"""Terminal commands: the same answers as the tools, the structured form with --json, clear failures."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from shipstation_mcp import cli
from shipstation_mcp.config import load_settings
from shipstation_mcp.tools import server
from tests.support.cli import run_cli as run

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)
REAL_CREATE_SERVER = server.create_server


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No settings from the developer's shell or a .env; the demo's clock fixed."""
    for name in list(os.environ):
        if name.startswith("SHIPSTATION_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(server, "create_server", partial(REAL_CREATE_SERVER, clock=lambda: NOW))


def tool_answer(tool: str, arguments: dict[str, Any], api: str = "v2") -> tuple[str, dict[str, Any]]:
    settings = load_settings({"SHIPSTATION_API": api}, demo=True)

    async def ask() -> tuple[str, dict[str, Any]]:
        async with Client(REAL_CREATE_SERVER(settings, clock=lambda: NOW)) as client:
            result = await client.call_tool(tool, arguments)
        return result.content[0].text, result.structured_content

    return asyncio.run(ask())


def test_track_prints_exactly_what_the_tool_answers(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["track", "1ZA4R8E20293229421", "--demo"]) == 0
    out, err = capsys.readouterr()
    text, _data = tool_answer("track_package", {"tracking_number": "1ZA4R8E20293229421"})
    assert out == text + "\n"
    assert out.startswith("Delivery attempted")
    assert err == ""


def test_json_prints_the_structured_result(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--demo", "shipment", "se-4000445", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    _text, data = tool_answer("get_shipment", {"shipment_id": "se-4000445"})
    assert printed == data
    assert printed["labels"][0]["package_tracking_numbers"] == [
        "1ZA4R8E20373280204",
        "1ZA4R8E20329404378",
        "1ZA4R8E20311441987",
    ]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["track", "777240168579"], "Needs attention: No carrier scan for 6 days"),
        (["track", "1ZA4R8E20361199987", "--carrier", "UPS", "--events", "1"], "older event(s) not shown"),
        (["track-label", "se-5000013"], "[HELD_BY_CUSTOMS]"),
        (["shipment", "se-4000443"], "Order 10443 for “Priya Natarajan”"),
        (["find", "WEB/10458"], "Order 10458 for “Theo Lindgren”"),
        (["find-tracking", "1ZA4R8E20311441987"], "belongs to 1 shipment(s): Order 10445"),
        (["shipments", "--status", "pending"], "se-4000457 (order 10457): pending"),
        (["shipments", "--number", "10443"], "1 of 1 shipment(s)"),
        (["shipments", "--after", "2026-05-12T05:00:00Z", "--page-size", "2"], "Page 1 of 3: 2 of 5 shipment(s)"),
        (["carriers"], "- dhl_express (“DHL Express”, se-100104)"),
    ],
)
def test_every_lookup_command_answers_in_demo_mode(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([*argv, "--demo"]) == 0
    assert expected in capsys.readouterr().out


def test_shipengine_flavour_and_env_demo_switch(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHIPSTATION_DEMO", "1")
    monkeypatch.setenv("SHIPSTATION_API", "shipengine")
    assert run(["track", "9400111170578732091134", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["carrier_code"] == "usps"  # tracked with GET /v1/tracking, as ShipEngine does
    assert any(reason.startswith("Past the estimated delivery date") for reason in data["attention"])


def test_a_failed_lookup_exits_1_with_the_actionable_message_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["shipment", "se-999", "--demo"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("shipstation-mcp: ShipStation has no shipment 'se-999' (HTTP 404)")
    assert "`shipstation-mcp order se-999`" in err  # the next command to type, not a tool call
    assert "find_order" not in err and "Error executing tool" not in err


def test_bad_arguments_exit_non_zero_with_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["track", "1Z!@#", "--demo"]) == 1
    assert "only letters and digits" in capsys.readouterr().err
    assert run(["shipments", "--page-size", "500", "--demo"]) == 2  # a flag value out of range is a usage error
    err = capsys.readouterr().err
    assert "--page-size" in err and "page_size" not in err
    assert run(["shipments", "--status", "shipped", "--demo"]) == 2  # argparse knows the choices
    assert "invalid choice" in capsys.readouterr().err


def test_without_a_key_or_demo_it_says_how_to_fix_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["track", "1ZA4R8E20293229421"]) == 2
    err = capsys.readouterr().err
    assert "SHIPSTATION_API_KEY is not set" in err and "--demo" in err


def test_the_key_never_appears_in_output(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SHIPSTATION_API_KEY", "TEST_supersecretkey123")
    assert run(["--demo", "--log-level", "DEBUG", "shipment", "se-4000443", "--json"]) == 0
    assert run(["--demo", "--log-level", "DEBUG", "shipment", "se-1"]) == 1
    out, err = capsys.readouterr()
    assert "supersecret" not in out + err


def test_bare_invocation_still_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []

    def fake_serve(settings: Any, *, transport: str, host: str, port: int, no_auth: bool = False) -> None:
        calls.append({"demo": settings.demo, "transport": transport, "host": host, "port": port})

    monkeypatch.setattr(cli, "serve", fake_serve)
    assert run(["--demo"]) == 0
    assert run(["--demo", "--transport", "http", "--port", "9100"]) == 0
    assert run(["serve", "--demo", "--transport", "http", "--host", "0.0.0.0"]) == 2  # needs SHIPSTATION_MCP_TOKEN
    monkeypatch.setenv("SHIPSTATION_MCP_TOKEN", "t" * 32)
    assert run(["serve", "--demo", "--transport", "http", "--host", "0.0.0.0"]) == 0
    assert run(["--transport", "http", "serve", "--demo", "--port", "9200"]) == 0
    assert calls == [
        {"demo": True, "transport": "stdio", "host": "127.0.0.1", "port": 8000},
        {"demo": True, "transport": "http", "host": "127.0.0.1", "port": 9100},
        {"demo": True, "transport": "http", "host": "0.0.0.0", "port": 8000},
        {"demo": True, "transport": "http", "host": "127.0.0.1", "port": 9200},
    ]
    assert run(["--demo", "--port", "70000"]) == 2


def test_demo_log_lines_are_not_scrubbed_but_a_real_key_still_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "serve", lambda settings, **_: cli.logger.info("serving %s", settings.api_key))
    assert run(["--demo"]) == 0
    assert "serving demo" in capsys.readouterr().err
    monkeypatch.setenv("SHIPSTATION_API_KEY", "TEST_realkey98765")
    assert run(["--demo"]) == 0
    err = capsys.readouterr().err
    assert "TEST_realkey98765" not in err and "serving [redacted]" in err
