"""Every real tracking payload through the tool a support agent calls (track_package, ShipEngine flavour, the API
answered by the payload): no text or structured answer shows an offset no place on Earth has. The payloads stay in
../shared/real-payloads/ (skipped when absent)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server
from tests.answers.test_local_times import REAL_TRACKING, offsets_in

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 20, 3, 0, tzinfo=UTC)


def body_of(path: Path) -> dict[str, Any]:
    body = json.loads(path.read_text(encoding="utf-8"))
    return body["data"] if isinstance(body.get("data"), dict) else body


@pytest.mark.skipif(not REAL_TRACKING, reason="../shared/real-payloads/ is absent")
async def test_track_package_never_shows_an_impossible_offset_for_any_real_payload() -> None:
    serving: dict[str, Any] = {}

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/tracking"):
            return httpx.Response(200, json=serving["body"])
        return httpx.Response(404, json={"errors": [{"message": "not found"}]})

    settings = Settings(api_key="real-payload-key", api="shipengine", max_retries=0)
    async with Client(create_server(settings, transport=httpx.MockTransport(api), clock=lambda: NOW)) as client:
        for path in REAL_TRACKING:
            serving["body"] = body_of(path)
            result = await client.call_tool(
                "track_package",
                {"tracking_number": "1Z999AA10123456784", "carrier_code": "ups", "max_events": 100, "refresh": True},
            )
            text = "\n".join(block.text for block in result.content if getattr(block, "text", None))
            said = text + "\n" + json.dumps(result.structured_content)
            assert not result.is_error, (path.name, text)
            found = offsets_in(said)
            assert all(timedelta(hours=-12) <= o <= timedelta(hours=14) for o in found), (path.name, found, said)
            assert "+00:00" not in said, (path.name, said)  # all in the Americas: no UTC dressed as local time
