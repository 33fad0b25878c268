"""The API key never shows: not in tool answers, errors, logs (at DEBUG, from every library), nor on the terminal.

Besides these dedicated checks, tests/conftest.py scans every test's captured output for the canary key; the
command-line server at DEBUG is checked over stdio in tests/e2e/test_stdio.py.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import load_settings
from shipstation_mcp.tools.server import create_server
from tests.support.canary import CANARY_KEY, CanaryTrap, leaked_in
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking

pytestmark = pytest.mark.anyio


def echoing_account() -> tuple[FakeShipStation, httpx.MockTransport]:
    """An account whose errors quote the request's API-Key header back, as a careless server might."""
    fake = FakeShipStation()
    info = tracking("1Z999AA10000000001", "IT", events=[event(hours_ago(2), "Scan")])
    fake.add_label("se-1", "1Z999AA10000000001", created=hours_ago(50), info=info, shipment_id="se-9")
    fake.shipments["se-9"] = {"shipment_id": "se-9", "external_shipment_id": "ORDER-9"}

    def handler(request: httpx.Request) -> httpx.Response:
        key = request.headers.get("API-Key", "")
        if "se-401" in str(request.url):
            return httpx.Response(401, json={"errors": [{"message": f"API key {key} is not valid"}]})
        if "se-500" in str(request.url):
            return httpx.Response(500, json={"request_id": "r1", "errors": [{"message": f"failed for {key}"}]})
        response = fake.handle(request)
        if response.status_code == 404:
            return httpx.Response(404, json={"errors": [{"message": f"no such thing for key {key}"}]})
        return response

    return fake, httpx.MockTransport(handler)


CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_shipment", {"shipment_id": "se-9"}),
    ("get_shipment", {"shipment_id": "se-404"}),
    ("find_by_external_id", {"external_shipment_id": "ORDER-9"}),
    ("list_shipments", {"shipment_number": "se-500"}),
    ("find_by_tracking_number", {"tracking_number": "1Z999AA10000000001"}),
    ("track_label", {"label_id": "se-1"}),
    ("track_label", {"label_id": "se-401"}),
    ("track_label", {"label_id": "se-500"}),
    ("track_package", {"tracking_number": "1Z999AA10000000001"}),
    ("track_package", {"tracking_number": "ZZZ"}),
    ("track_packages", {"packages": ["1Z999AA10000000001", {"label_id": "se-500"}, {"label_id": "se-404"}]}),
    ("shipments_needing_attention", {}),
    ("subscribe_tracking", {"tracking_number": "1Z999AA10000000001", "carrier_code": "ups"}),
    ("list_carriers", {}),
]


async def test_no_answer_error_or_debug_log_line_carries_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    trap = CanaryTrap()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)  # every library's debug lines, mcp's included
    root.addHandler(trap)
    seen: list[str] = []
    try:
        fake, transport = echoing_account()
        settings = fake.settings(api_key=CANARY_KEY, max_retries=1)
        server = create_server(settings, transport=transport, clock=lambda: NOW)
        async with Client(server) as client:
            for name, args in CALLS:
                result = await client.call_tool(name, args)
                seen.append(json.dumps(result.model_dump(mode="json")))
        seen.append(repr(settings))
        seen.append(repr(ShipStationClient(settings)))
    finally:
        root.removeHandler(trap)
        root.setLevel(old_level)
    captured = capsys.readouterr()
    assert any("is not valid" in text for text in seen)  # the echoing errors did reach the answers…
    assert any("[redacted]" in text for text in seen)  # …with the key cut out
    assert leaked_in([*seen, captured.out, captured.err, *trap.drain()]) is None


def test_settings_never_show_the_key() -> None:
    settings = load_settings({"SHIPSTATION_API_KEY": CANARY_KEY})
    assert CANARY_KEY not in repr(settings) and CANARY_KEY not in str(settings)
