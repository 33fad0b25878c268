"""End to end: `python -m shipstation_mcp` in a subprocess over stdio, against a local ShipStation stub."""

from __future__ import annotations

import os
import sys

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from shipstation_mcp import __version__
from tests.fixtures import load_json
from tests.stub_server import serve

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
        **extra,
    )


async def test_tracks_a_package_end_to_end_over_stdio(tmp_path: os.PathLike[str]) -> None:
    routes = {
        f"GET /v2/labels?tracking_number={NUMBER}&sort_dir=desc&page_size=25": {
            "labels": [LABEL],
            "total": 1,
            "page": 1,
            "pages": 1,
        },
        f"GET /v2/labels/{LABEL['label_id']}/track": load_json("seeds/track_label_ups_delivered.json"),
    }
    with serve(routes) as stub, open(os.path.join(tmp_path, "stderr.log"), "w") as errlog:
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "shipstation_mcp"], env=child_env(stub.base_url), cwd=str(tmp_path)
        )
        async with Client(stdio_client(params, errlog=errlog)) as client:
            assert client.server_info.name == "shipstation-mcp"
            assert client.server_info.version == __version__
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert {"track_package", "get_shipment", "track_label"} <= tools
            result = await client.call_tool("track_package", {"tracking_number": NUMBER})

    assert not result.is_error, result.content
    data = result.structured_content
    assert data["headline"] == "Delivered Sun 27 Oct 2024 04:59 (UTC-07:00) in OCEANSIDE, CA 92056"
    assert data["label_id"] == LABEL["label_id"] and data["carrier_code"] == "ups"
    assert [r.path.split("?")[0] for r in stub.requests] == ["/v2/labels", f"/v2/labels/{LABEL['label_id']}/track"]
    assert all(r.headers["api-key"] == KEY for r in stub.requests)
    assert all(r.headers["user-agent"] == f"shipstation-mcp/{__version__}" for r in stub.requests)


async def test_stdio_server_keeps_the_key_out_of_its_logs(tmp_path: os.PathLike[str]) -> None:
    routes = {"GET /v2/labels/se-1/track": (401, {"errors": [{"message": "Unauthorized"}]}, {})}
    log_path = os.path.join(tmp_path, "stderr.log")
    with serve(routes) as stub, open(log_path, "w") as errlog:
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "shipstation_mcp"], env=child_env(stub.base_url), cwd=str(tmp_path)
        )
        async with Client(stdio_client(params, errlog=errlog)) as client:
            result = await client.call_tool("track_label", {"label_id": "se-1"})
    assert result.is_error
    assert "rejected the API key" in result.content[0].text
    logs = open(log_path).read()
    assert "GET /labels/se-1/track -> 401" in logs  # debug logging was on and did log the request
    assert KEY not in logs and KEY not in result.content[0].text
