"""Property test over response bodies: whatever ShipStation answers, every lookup parses it or fails clearly.

Bodies are random JSON, raw bytes, or the spec payloads of `tests/fixtures/spec/` with keys dropped and values
swapped for random JSON at any depth, under a random status code. Every lookup the tools use (and both bulk
operations) must return a summary that renders, or raise one of our explained errors — never anything else.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shipstation_mcp.answers.base import compact_json
from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import Settings
from shipstation_mcp.errors import InvalidInput, LookupFailed, ShipStationError
from shipstation_mcp.lookups import attention, bulk, shipments, tracking
from tests.fixtures import load_json, spec_examples
from tests.support.canary import CANARY_KEY
from tests.support.fake_shipstation import NOW
from tests.support.strategies import json_values

EXPLAINED = (ShipStationError, LookupFailed, InvalidInput)
ENDPOINTS = ["track", "track_label", "get_label", "list_labels", "get_shipment", "list_shipments", "list_carriers"]
EXTRA_SAMPLES = {
    "track": ["seeds/track_usps_delivered.json", "quirks/track_numeric_codes.json", "quirks/track_exception.json"],
    "track_label": ["seeds/track_label_ups_delivered.json", "quirks/track_blank_strings.json"],
    "get_label": ["quirks/label_multi_package.json"],
    "get_shipment": ["quirks/shipment_numeric_postal.json"],
}


def mutated(value: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """`value` with any key dropped and any value (at any depth) kept, mutated, or replaced by random JSON."""
    if depth > 4:
        return st.just(value) | json_values()
    if isinstance(value, dict):
        inner = st.fixed_dictionaries({}, optional={k: mutated(v, depth + 1) for k, v in value.items()})
        return inner | inner | inner | json_values()
    if isinstance(value, list):
        items = st.one_of([mutated(v, depth + 1) for v in value]) if value else json_values()
        return st.lists(items, max_size=4) | json_values()
    return st.just(value) | st.just(value) | json_values()


@cache
def samples(endpoint: str) -> list[Any]:
    found = [payload for _, name, payload in spec_examples() if name == endpoint]
    return found + [load_json(path) for path in EXTRA_SAMPLES.get(endpoint, [])]


@cache
def bodies(endpoint: str) -> st.SearchStrategy[bytes]:
    shaped = st.one_of([mutated(sample) for sample in samples(endpoint)])
    as_json = st.one_of(shaped, shaped, shaped, json_values()).map(lambda v: json.dumps(v).encode())
    return st.one_of(as_json, as_json, as_json, st.binary(max_size=50))


def answers() -> st.SearchStrategy[dict[str, tuple[int, bytes]]]:
    status = st.sampled_from([200, 200, 200, 200, 200, 204, 400, 401, 404, 429, 500, 503])
    return st.fixed_dictionaries({endpoint: st.tuples(status, bodies(endpoint)) for endpoint in ENDPOINTS})


def endpoint_of(path: str) -> str:
    parts = path.split("/")[2:]
    match parts:
        case ["tracking"]:
            return "track"
        case ["labels"]:
            return "list_labels"
        case ["labels", _, "track"]:
            return "track_label"
        case ["labels", _]:
            return "get_label"
        case ["shipments"]:
            return "list_shipments"
        case ["carriers"]:
            return "list_carriers"
    return "get_shipment"


async def run_every_lookup(api: str, answer: dict[str, tuple[int, bytes]]) -> list[str]:
    def handler(request: httpx.Request) -> httpx.Response:
        status, body = answer[endpoint_of(request.url.path)]
        headers = {"content-type": "application/json"}
        if status == 429:
            headers["Retry-After"] = "0"
        return httpx.Response(status, content=b"" if status == 204 else body, headers=headers)

    settings = Settings(api_key=CANARY_KEY, api=api, max_retries=1, rate_limit=100_000)  # type: ignore[arg-type]

    async def instant(_: float) -> None:
        return None

    lookups = {
        "track_label": lambda c: tracking.track_label(c, "se-1", now=NOW),
        "track_package": lambda c: tracking.track_package(c, "1Z999AA10000000001", now=NOW),
        "track_package_unknown_carrier": lambda c: tracking.track_package(c, "ABC123", now=NOW),
        "get_shipment": lambda c: shipments.get_shipment(c, "se-1"),
        "find_by_external_id": lambda c: shipments.find_by_external_id(c, "ORDER-1"),
        "find_by_tracking_number": lambda c: shipments.find_by_tracking_number(c, "1Z999AA10000000001"),
        "list_shipments": lambda c: shipments.list_shipments(c),
        "track_packages": lambda c: bulk.track_packages(c, ["1Z999AA10000000001", "ABC123"], now=NOW),
        "needing_attention": lambda c: attention.shipments_needing_attention(c, now=NOW),
    }
    outcomes = []
    async with ShipStationClient(settings, transport=httpx.MockTransport(handler), sleep=instant) as client:
        for name, lookup in lookups.items():
            try:
                result = await lookup(client)
            except EXPLAINED as exc:
                message = str(exc)
                assert message.strip(), f"{name}: {type(exc).__name__} without a message"
                assert CANARY_KEY not in message
                outcomes.append(f"{name}: {type(exc).__name__}")
                continue
            rendered = json.dumps(compact_json(result))
            assert CANARY_KEY not in rendered
            outcomes.append(f"{name}: ok")
        try:
            await client.list_carriers()
            await client.list_webhooks()
        except EXPLAINED:
            pass
    return outcomes


@pytest.mark.parametrize("api", ["v2", "shipengine"])
@given(answer=answers())
def test_any_answer_is_parsed_or_explained(api: str, answer: dict[str, tuple[int, bytes]]) -> None:
    anyio.run(run_every_lookup, api, answer)


def test_the_spec_payloads_themselves_parse() -> None:
    ok = {endpoint: (200, json.dumps(samples(endpoint)[0]).encode()) for endpoint in ENDPOINTS}
    outcomes = anyio.run(run_every_lookup, "shipengine", ok)
    assert "track_label: ok" in outcomes and "get_shipment: ok" in outcomes and "list_shipments: ok" in outcomes
