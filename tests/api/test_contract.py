"""Every request the client can send is one the API's spec describes: method, path, query parameter names and body
fields, checked against the operations in `../shared/contracts/` (skipped when that folder is absent).

ShipStation's classic API (V1) has no OpenAPI spec there (docs/shipstation-v1.md describes it), so only the V2
and ShipEngine families are checked.

The requests are the ones the client really sends: every tool's demo calls on both API flavours, every client
endpoint called directly with the filters its callers use, and the second-API probe after a 401. A request the spec
does not describe fails here, unless it is one of the few operations ShipStation documents outside our spec copy
(`OUTSIDE_THE_SPEC`, each with its reason), and those are checked against the documented parameter names.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import Settings, load_settings
from shipstation_mcp.lookups.setup_check import run_check
from shipstation_mcp.sandbox import SandboxTransport
from shipstation_mcp.tools.server import create_server
from tests.fixtures.build_spec_examples import DEFAULT_CONTRACTS_DIR, SPECS, load_spec
from tests.support.demo_calls import calls_for

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)
HTTP_METHODS = ("get", "post", "put", "patch", "delete")

OUTSIDE_THE_SPEC: dict[tuple[str, str, str], tuple[frozenset[str], str]] = {
    ("v2", "GET", "/v2/fulfillments"): (
        frozenset(
            {
                "tracking_number",
                "shipment_number",
                "shipment_id",
                "fulfillment_id",
                "ship_to_name",
                "order_source_id",
                "ship_date_start",
                "ship_date_end",
                "create_date_start",
                "create_date_end",
                "page",
                "page_size",
                "sort_dir",
                "sort_by",
            }
        ),
        "in ShipStation's live V2 spec, not in our copy (docs/shipstation-api.md, 'fulfillments (V2)')",
    ),
}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    query: frozenset[str]
    body: frozenset[str] | None
    """Property names of a JSON object body; None when the operation takes no body."""


def _resolve(spec: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _properties(spec: dict[str, Any], schema: Any) -> set[str]:
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []) + schema.get("oneOf", []) + schema.get("anyOf", []):
        names |= _properties(spec, part)
    return names


def _operations(api: str) -> list[Operation]:
    filename, _prefix = SPECS[api]
    path = Path(DEFAULT_CONTRACTS_DIR) / filename
    if not path.is_file():
        pytest.skip(f"no contracts at {path}")
    spec = load_spec(path)
    found = []
    for template, item in spec["paths"].items():
        shared = [_resolve(spec, p) for p in item.get("parameters", [])]
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            parameters = shared + [_resolve(spec, p) for p in operation.get("parameters", [])]
            query = frozenset(p["name"] for p in parameters if p.get("in") == "query")
            body = None
            if "requestBody" in operation:
                content = _resolve(spec, operation["requestBody"]).get("content", {})
                schema = content.get("application/json", {}).get("schema")
                body = frozenset(_properties(spec, schema)) if schema else frozenset()
            regex = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            regex = re.sub(r"{[^}/]+}", "[^/]+", regex)
            found.append(Operation(method.upper(), template, re.compile(f"^{regex}$"), query, body))
    # Literal paths before templated ones: /shipments/external_shipment_id/{id} is not /shipments/{id}/{x}.
    return sorted(found, key=lambda op: op.template.count("{"))


@dataclass(frozen=True)
class Sent:
    api: str
    method: str
    path: str
    query: frozenset[str]
    body: Any

    def __str__(self) -> str:
        return f"{self.method} {self.path}?{'&'.join(sorted(self.query))} body={self.body!r}"[:300]


def problems_with(sent: Sent, operations: list[Operation]) -> list[str]:
    """Why the spec does not allow `sent` (an empty list when it does)."""
    outside = OUTSIDE_THE_SPEC.get((sent.api, sent.method, sent.path))
    if outside is not None:
        extra = sent.query - outside[0]
        return [f"{sent}: query {sorted(extra)} not documented"] if extra else []
    matches = [op for op in operations if op.pattern.match(sent.path)]
    if not matches:
        return [f"{sent}: no such path in the {sent.api} spec"]
    op = next((op for op in matches if op.method == sent.method), None)
    if op is None:
        return [f"{sent}: the spec has {sorted({m.method for m in matches})} here, not {sent.method}"]
    found = []
    if extra := sent.query - op.query:
        found.append(f"{sent}: query parameter(s) {sorted(extra)} not in {op.method} {op.template}")
    if sent.body is not None:
        if op.body is None:
            found.append(f"{sent}: {op.method} {op.template} takes no body")
        elif isinstance(sent.body, dict) and (extra := set(sent.body) - op.body):
            found.append(f"{sent}: body field(s) {sorted(extra)} not in {op.method} {op.template}")
    return found


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests to the demo account and keeps what was sent."""

    def __init__(self, inner: SandboxTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.sent.append(request)
        return await self.inner.handle_async_request(request)


def as_sent(request: httpx.Request) -> Sent:
    path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")  # an encoded `/` in an id stays one segment
    api = "v2" if path.startswith("/v2/") else "shipengine"
    body = json.loads(request.content) if request.content else None
    return Sent(api, request.method, path, frozenset(request.url.params.keys()), body)


async def direct_calls(client: ShipStationClient, api: str) -> set[str]:
    """Every endpoint method of the client, called with the filters its callers pass; returns the names called."""
    await client.get_shipment("se-4000443")
    await client.get_shipment_by_external_id("WEB/10458")
    await client.list_shipments(
        shipment_status="pending",
        created_at_start=NOW,
        created_at_end=NOW,
        modified_at_start=NOW,
        modified_at_end=NOW,
        sort_by="created_at",
        sort_dir="desc",
        page=1,
        page_size=25,
        **({"shipment_number": "10443", "ship_to_name": "Priya"} if api == "v2" else {}),
    )
    await client.list_labels(tracking_number="1ZA4R8E20373280204", shipment_id="se-4000443", sort_dir="desc")
    await client.list_labels(page=1, page_size=100, sort_by="created_at", sort_dir="desc")
    await client.get_label("se-5000013")
    await client.track_label("se-5000013")
    await client.track("ups", "1ZA4R8E20373280204")
    webhook = await client.create_webhook("track", "https://example.test/hook", headers=[("X-Secret", "s")])
    await client.start_tracking("ups", "1ZA4R8E20373280204")
    await client.stop_tracking("ups", "1ZA4R8E20373280204")
    await client.list_carriers()
    await client.list_webhooks()
    await client.update_webhook(webhook.webhook_id or "", "https://example.test/other", headers=[("X-Secret", "t")])
    called = {
        "get_shipment",
        "get_shipment_by_external_id",
        "list_shipments",
        "list_labels",
        "get_label",
        "track_label",
        "track",
        "create_webhook",
        "start_tracking",
        "stop_tracking",
        "list_carriers",
        "list_webhooks",
        "update_webhook",
    }
    if api == "v2":
        await client.list_fulfillments(tracking_number="1Z7R4W830348812065", shipment_number="10456", page_size=25)
        called.add("list_fulfillments")
    await client.other_api_accepts_key()
    called.add("other_api_accepts_key")
    return called


def endpoint_methods() -> set[str]:
    plumbing = {"get_json", "request", "aclose", "url_for"}
    return {
        name
        for name, member in inspect.getmembers(ShipStationClient, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in plumbing
    }


@pytest.mark.parametrize("api", ["v2", "shipengine"])
async def test_every_request_the_client_sends_is_in_the_spec(api: str) -> None:
    operations = {flavour: _operations(flavour) for flavour in SPECS}
    recorder = Recorder(SandboxTransport(clock=lambda: NOW))
    settings = Settings(api_key="demo", api=api, demo=True, max_retries=0)  # type: ignore[arg-type]
    async with ShipStationClient(settings, transport=recorder, limiter=None, cache=None) as client:
        called = await direct_calls(client, api)
    # V1's own endpoints (a webhook's resource_url) have no spec in ../shared/contracts to be checked against.
    v1_only = {"fetch_resource"}
    assert endpoint_methods() - called <= v1_only | ({"list_fulfillments"} if api == "shipengine" else set()), (
        "a new client endpoint needs a call in direct_calls()"
    )
    demo = load_settings({"SHIPSTATION_API": api}, demo=True, dotenv_path=Path("/nonexistent/.env"))
    async with Client(create_server(demo, transport=recorder, clock=lambda: NOW)) as mcp:
        for call in calls_for(api):
            await mcp.call_tool(call.tool, call.arguments)
    await run_check(settings, transport=recorder)  # `shipstation-mcp check` asks each host directly
    sent = {str(s): s for s in map(as_sent, recorder.sent)}
    assert any(s.path.endswith("/tracking") and "tracking_number" in s.query for s in sent.values())
    assert len(sent) > 20
    problems = [p for s in sent.values() for p in problems_with(s, operations[s.api])]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("sent", "complaint"),
    [
        (Sent("v2", "GET", "/v2/shipments", frozenset({"shipment_status", "shipment_nmber"}), None), "shipment_nmber"),
        (Sent("v2", "GET", "/v2/shipment/se-1", frozenset(), None), "no such path"),
        (Sent("v2", "DELETE", "/v2/labels/se-1", frozenset(), None), "not DELETE"),
        (Sent("v2", "POST", "/v2/environment/webhooks", frozenset(), {"evnt": "track", "url": "u"}), "evnt"),
        (Sent("shipengine", "GET", "/v1/fulfillments", frozenset(), None), "no such path"),
        (Sent("v2", "GET", "/v2/fulfillments", frozenset({"order_number"}), None), "order_number"),
        (Sent("v2", "POST", "/v2/tracking/stop", frozenset({"carrier_code"}), {"x": 1}), "takes no body"),
    ],
)
def test_a_request_that_strays_from_the_spec_is_caught(sent: Sent, complaint: str) -> None:
    problems = problems_with(sent, _operations(sent.api))
    assert problems and complaint in problems[0]


def test_the_operations_we_send_outside_the_spec_are_still_outside_it() -> None:
    """When our spec copy gains one of them, it leaves OUTSIDE_THE_SPEC and the spec checks it."""
    for api, _method, path in OUTSIDE_THE_SPEC:
        assert not any(op.pattern.match(path) for op in _operations(api)), path
