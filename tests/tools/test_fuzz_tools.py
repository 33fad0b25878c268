"""Property test over every tool's arguments, through a real MCP client (in memory).

Arguments are drawn from each tool's own input schema, so tools added later are covered too, and then spoiled:
any Unicode, control characters, path tricks, huge strings, edge numbers, wrong types, missing or extra keys.
Whatever comes in, a tool answers with a valid result or a tool error that explains itself — never the SDK's
bare "Error executing tool <name>" (what a crash becomes), never our catch-all "internal error" — and every
request it sends stays under the API prefix of the configured host.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.sandbox import SandboxTransport
from shipstation_mcp.sandbox.classic import V1_RESOURCES
from shipstation_mcp.tools.server import create_server
from tests.support.canary import CANARY_KEY
from tests.support.fake_shipstation import NOW, FakeShipStation, event, hours_ago, tracking
from tests.support.strategies import EDGE_NUMBERS, INTERESTING_TEXT, json_values, texts


def from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values shaped like `schema` most of the time, anything else some of the time."""
    shaped = _shaped(schema, defs)
    return st.one_of(shaped, shaped, shaped, json_values())  # one strategy, three chances in four


def _shaped(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        return from_schema(defs[schema["$ref"].split("/")[-1]], defs)
    if "anyOf" in schema:
        return st.one_of([from_schema(s, defs) for s in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date-time":
            return st.one_of(texts(), st.datetimes().map(lambda d: d.isoformat()))
        if "enum" in schema:
            return st.one_of(st.sampled_from(schema["enum"]), texts())
        return texts()
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        edges = [v for v in (low, high) if v is not None]
        edges += [v + d for v in edges for d in (-1, 1)]
        ints = st.integers(int(low) if low is not None else -(10**6), int(high) if high is not None else 10**6)
        numbers = st.one_of(ints, st.sampled_from(edges or [0]), st.sampled_from(EDGE_NUMBERS))
        if kind == "number":
            numbers |= st.floats(allow_nan=False, allow_infinity=False)
        return numbers
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = from_schema(schema.get("items", {}), defs)
        most = schema.get("maxItems", 5)
        too_many = st.lists(st.sampled_from(INTERESTING_TEXT), min_size=most + 1, max_size=most + 1)
        some = st.lists(items, min_size=1, max_size=min(most, 6))
        return st.one_of(some, some, some, some, st.just([]), too_many)
    if kind == "object" or "properties" in schema:
        return arguments(schema, defs)
    return json_values()


def arguments(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    keys = st.fixed_dictionaries(
        {k: from_schema(v, defs) for k, v in properties.items() if k in required},
        optional={k: from_schema(v, defs) for k, v in properties.items() if k not in required},
    )
    extra = st.dictionaries(texts(), json_values(), max_size=2)
    return st.one_of(keys, st.builds(lambda a, b: {**b, **a}, keys, extra))


class ClassicAccount:
    """The demo account as ShipStation's classic API (V1) serves it, recording any request outside V1's resources
    or to another host (what `off_prefix` records for the other families)."""

    def __init__(self) -> None:
        self.sandbox = SandboxTransport(clock=lambda: NOW)
        self.requests: list[httpx.Request] = []
        self.off_prefix: list[str] = []

    def settings(self, api_key: str) -> Settings:
        return Settings(api_key=api_key, api_secret=CANARY_KEY + "-secret", api="v1", rate_limit=100_000, max_retries=0)

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            first = request.url.path.strip("/").split("/")[0]
            if request.url.host != "ssapi.shipstation.com" or first not in V1_RESOURCES:
                self.off_prefix.append(str(request.url))
            answer = self.sandbox.answer(request)
            # The demo's rate headers are fixed (40 a minute, 39 left): a real limiter would pace thousands of
            # fuzzed calls by them. The budget itself is proved in tests/lookups/test_v1_budget.py.
            for name in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
                del answer.headers[name]
            return answer

        return httpx.MockTransport(handle)


def account(api: str) -> Any:
    if api == "v1":
        return ClassicAccount()
    host = "https://api.shipstation.com" if api == "v2" else "https://api.shipengine.com"
    fake = FakeShipStation(api=api, host=host)
    moving = tracking("1Z999AA10000000001", "IT", events=[event(hours_ago(100), "Scan")], estimated=hours_ago(30))
    fake.add_label("se-100", "1Z999AA10000000001", created=hours_ago(200), info=moving, shipment_id="se-1")
    fake.number_tracking[("ups", "1Z999AA10000000001")] = moving
    fake.shipments["se-1"] = {"shipment_id": "se-1", "external_shipment_id": "ORDER-1", "store_id": "se-9"}
    return fake


async def _tool_schemas() -> dict[str, dict[str, Any]]:
    fake = account("v2")
    async with Client(create_server(fake.settings(api_key=CANARY_KEY), transport=fake.transport())) as client:
        return {tool.name: tool.input_schema for tool in (await client.list_tools()).tools}


TOOL_SCHEMAS = anyio.run(_tool_schemas)


_SERVERS: dict[str, tuple[Any, Any]] = {}


async def _call(api: str, tool: str, args: dict[str, Any]) -> tuple[Any, Any]:
    """One call on a fresh connection (so a fresh client and cache) to a server built once per API."""
    if api not in _SERVERS:
        fake = account(api)
        settings = fake.settings(api_key=CANARY_KEY)
        _SERVERS[api] = (create_server(settings, transport=fake.transport(), clock=lambda: NOW), fake)
    server, fake = _SERVERS[api]
    fake.requests.clear()
    fake.off_prefix.clear()
    with anyio.fail_after(20):
        async with Client(server) as client:
            return await client.call_tool(tool, args), fake


def check(result: Any, fake: Any, tool: str) -> None:
    text = " ".join(getattr(block, "text", "") for block in result.content)
    assert CANARY_KEY not in text
    assert "internal error" not in text, f"{tool} hit an unexpected exception: {text[:300]}"
    assert fake.off_prefix == [], f"{tool} sent a request outside the API prefix: {fake.off_prefix}"
    if result.is_error:
        explanation = text.removeprefix(f"Error executing tool {tool}").removeprefix(":").strip()
        assert explanation, f"{tool} crashed: the SDK reported only {text!r}"
    else:
        assert isinstance(result.structured_content, dict) and text


TOOL_ARGUMENTS = {name: arguments(schema, schema.get("$defs", {})) for name, schema in TOOL_SCHEMAS.items()}


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    """One event loop for every example (a new loop each time also meant new worker threads each time)."""
    with asyncio.Runner() as runner:
        yield runner


# Each example opens a whole MCP connection (handshake, tools/list, the call) and there are three cases per tool
# (V1 refuses the tools it cannot serve at once), so this test takes 5/8 of the profile's examples per case.
@pytest.mark.parametrize("api", ["v2", "shipengine", "v1"])
@pytest.mark.parametrize("tool", sorted(TOOL_SCHEMAS))
@settings(max_examples=max(1, settings.default.max_examples * 5 // 8))
@given(data=st.data())
def test_any_arguments_get_a_result_or_an_explained_error(
    loop: asyncio.Runner, tool: str, api: str, data: st.DataObject
) -> None:
    args = data.draw(TOOL_ARGUMENTS[tool], label="arguments")
    result, fake = loop.run(_call(api, tool, args))
    check(result, fake, tool)


def test_the_fuzzer_reaches_every_tool() -> None:
    assert {"track_packages", "shipments_needing_attention", "track_package", "get_shipment"} <= set(TOOL_SCHEMAS)
