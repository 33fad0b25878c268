"""The demo is offline in every transport: over HTTP it fetches no webhook signing keys and opens
no connection but to loopback. An audit hook in the child records every address it dials or looks up."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from shipstation_mcp.config import is_loopback_host, load_settings
from shipstation_mcp.http_app import build_http_app
from shipstation_mcp.tools.server import create_server
from tests.support.hardening_kit import server_process
from tests.support.processes import ROOT
from tests.support.webhook_kit import SigningKey, body_of, jwks_server, payload, serving

KEY = SigningKey("kid-not-in-any-key-set")
TOKEN = "Zq8vN3kLw1Tr9yXb4Hc7Pd2M"  # no word of the log lines in it: parts of a token are redacted too
AUDIT = Path(__file__).resolve().parents[1] / "support" / "dial_audit"


def _dialled(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_the_demo_over_http_dials_nothing_but_loopback(tmp_path: Path) -> None:
    log = tmp_path / "dials.jsonl"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": f"{AUDIT}{os.pathsep}{ROOT}",
        "DIAL_AUDIT_LOG": str(log),
        "SHIPSTATION_MCP_TOKEN": TOKEN,
        "SHIPSTATION_LOG_LEVEL": "INFO",
    }
    with server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "err.log") as srv:
        statuses: list[int] = []

        async def use_it() -> None:
            http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
            async with Client(streamable_http_client(srv.base + "/mcp", http_client=http)) as client:
                assert (await client.list_tools()).tools
                tracked = await client.call_tool("track_package", {"tracking_number": "1ZA4R8E20293229421"})
                assert not tracked.is_error
                updates = await client.call_tool("get_tracking_updates", {})
                assert not updates.is_error
            # A signed delivery with an unknown key id: a receiver that fetches keys would dial out now.
            body = body_of(payload("webhook_track_event_v2.json"))
            async with httpx.AsyncClient(timeout=10) as plain:
                answer = await plain.post(srv.base + "/webhooks/shipstation", content=body, headers=KEY.headers(body))
            statuses.append(answer.status_code)

        anyio.run(use_it)
        time.sleep(1.0)  # the old receiver fetched its keys in the background right after start
        stderr = srv.stderr()
    records = _dialled(log)
    assert records and records[0]["event"] == "loaded", "the audit hook did not load in the server"
    dialled = records[1:]
    outside = [entry for entry in dialled if not is_loopback_host(str(entry["address"][0]))]  # type: ignore[index]
    assert outside == [], outside
    assert statuses == [401]  # refused outright (no key can match), not deferred for keys it would fetch
    assert "Could not fetch the webhook signing keys" not in stderr
    assert "not fetched (offline demo)" in stderr
    assert "Webhook deferred" not in stderr


@pytest.mark.anyio
async def test_the_demo_still_takes_keys_from_a_key_server_on_this_machine(tmp_path: Path) -> None:
    """A loopback SHIPSTATION_WEBHOOK_JWKS_URL keeps the demo offline, so deliveries can be tried against it.

    The web app `--demo --transport http` serves, built and served in this process: what is checked is the app's
    choice of keys, not the process around it (the test above needs a child for its audit hook)."""
    local = SigningKey("kid-local")
    with jwks_server(local) as keys:
        env = {"HOME": str(tmp_path), "SHIPSTATION_MCP_TOKEN": TOKEN, "SHIPSTATION_WEBHOOK_JWKS_URL": keys.url}
        settings = load_settings(env, demo=True, dotenv_path=tmp_path / ".env")
        app = build_http_app(create_server(settings), settings)
        async with serving(app) as base, httpx.AsyncClient(timeout=10) as http:
            body = body_of(payload("webhook_track_event_v2.json"))
            deadline = time.monotonic() + 10
            while True:
                answer = await http.post(base + "/webhooks/shipstation", content=body, headers=local.headers(body))
                if answer.status_code != 503 or time.monotonic() > deadline:
                    break
                await anyio.sleep(0.1)
    assert answer.status_code == 200, answer.text
