"""End to end: `python -m shipstation_mcp` in a subprocess over stdio, against the fake ShipStation served on
127.0.0.1, the demo account, or an address where nothing listens (the API key canary)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from shipstation_mcp import __version__
from tests.fixtures import load_json
from tests.support.canary import CANARY_KEY, leaked_in
from tests.support.demo_calls import DEMO_CALLS, answer_of, calls_for
from tests.support.fake_shipstation import FakeShipStation
from tests.support.processes import ROOT, THIS_TREE

pytestmark = pytest.mark.anyio

KEY = "CANARY-stdio-0c9d8e7f6a"
LABEL = load_json("quirks/label_multi_package.json")
NUMBER = LABEL["tracking_number"]


def child_env(base_url: str, **extra: str) -> dict[str, str]:
    return dict(
        SHIPSTATION_API_KEY=KEY,
        SHIPSTATION_API="v2",
        SHIPSTATION_BASE_URL=base_url,
        SHIPSTATION_MAX_RETRIES="0",
        SHIPSTATION_LOG_LEVEL="DEBUG",
        **THIS_TREE,
        **extra,
    )


async def test_tracks_a_package_end_to_end_over_stdio_keeping_the_key_out_of_its_logs(
    tmp_path: os.PathLike[str],
) -> None:
    """One child, one configuration, two calls: a package tracked, then a label whose tracking ShipStation refuses
    with 401. The key must be in no log line of either call."""
    fake = FakeShipStation(answers={"GET /v2/labels/se-1/track": (401, {"errors": [{"message": "Unauthorized"}]})})
    fake.labels.append(LABEL)
    fake.label_tracking[LABEL["label_id"]] = load_json("seeds/track_label_ups_delivered.json")
    log_path = os.path.join(tmp_path, "stderr.log")
    with fake.serve() as base_url, open(log_path, "w") as errlog:
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "shipstation_mcp"], env=child_env(base_url), cwd=str(tmp_path)
        )
        async with Client(stdio_client(params, errlog=errlog)) as client:
            assert client.server_info.name == "shipstation-mcp"
            assert client.server_info.version == __version__
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"track_package", "get_shipment", "track_label"} <= tools
            result = await client.call_tool("track_package", {"tracking_number": NUMBER})
            tracked_with = list(fake.requests)
            rejected = await client.call_tool("track_label", {"label_id": "se-1"})

    assert not result.is_error, result.content
    data = result.structured_content
    assert data["headline"] == "Delivered Sun 27 Oct 2024 04:59 (UTC-07:00)"  # the only scan is an earlier arrival
    assert data["label_id"] == LABEL["label_id"] and data["carrier_code"] == "ups"
    assert [r.url.raw_path.decode() for r in tracked_with] == [
        f"/v2/labels?tracking_number={NUMBER}&sort_dir=desc&page_size=25",
        f"/v2/labels/{LABEL['label_id']}/track",
    ]
    assert all(r.headers["api-key"] == KEY for r in fake.requests)
    assert all(r.headers["user-agent"] == f"shipstation-mcp/{__version__}" for r in fake.requests)
    assert fake.off_prefix == []

    assert rejected.is_error
    assert "rejected the API key" in rejected.content[0].text
    logs = open(log_path).read()
    assert "GET /labels/se-1/track -> 401" in logs  # debug logging was on and did log the request
    assert KEY not in logs and KEY not in rejected.content[0].text


async def test_stdio_subprocess_with_mcp_client(tmp_path: Path) -> None:
    """`python -m shipstation_mcp --demo` as Claude Desktop would start it, driven by mcp's own client."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "shipstation_mcp", "--demo"],
        # The child gets only a few variables from us (HOME, PATH, ...): no key, nothing from this shell.
        env={"SHIPSTATION_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", **THIS_TREE},
        cwd=str(tmp_path),  # no .env from the repository
    )
    async with Client(params) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert tools == {call.tool for call in DEMO_CALLS}
        for call in calls_for("v2"):
            text, data = answer_of(await client.call_tool(call.tool, call.arguments))
            try:
                call.check(text, data, "v2")
            except AssertionError as exc:
                raise AssertionError(f"{call.tool}({call.arguments}) [{call.about}] over stdio: {exc}\n{text}") from exc
        glossary = await client.read_resource("shipstation://status-codes")
        assert "HELD_BY_CUSTOMS" in glossary.contents[0].text


async def test_the_command_line_server_at_debug_keeps_the_key_off_stderr() -> None:
    env = {
        "SHIPSTATION_API_KEY": CANARY_KEY,
        "SHIPSTATION_BASE_URL": "http://127.0.0.1:9",  # nothing listens: every call fails at once
        "SHIPSTATION_MAX_RETRIES": "0",
        "SHIPSTATION_LOG_LEVEL": "DEBUG",
        **THIS_TREE,
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "shipstation_mcp"], env=env, cwd=str(ROOT))
    with tempfile.TemporaryFile("w+") as errlog:
        async with Client(stdio_client(params, errlog=errlog)) as client:
            failed = await client.call_tool("track_label", {"label_id": "se-1"})
            bulk = await client.call_tool("track_packages", {"packages": ["1Z999AA10000000001"]})
        errlog.seek(0)
        stderr = errlog.read()
    assert failed.is_error and "Could not reach ShipStation" in failed.content[0].text
    assert "DEBUG" in stderr  # debug logging really was on
    texts = [stderr, failed.model_dump_json(), bulk.model_dump_json()]
    assert leaked_in(texts) is None
