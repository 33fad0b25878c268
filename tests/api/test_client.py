"""ShipStationClient against a mocked ShipStation (pytest-httpx): what goes on the wire, and what comes back.

Every test builds a client with a recording fake `sleep`, so retries and back-off are checked without waiting.
"""

from __future__ import annotations

import email.utils
import logging
import random
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from pytest_httpx import HTTPXMock

from shipstation_mcp import __version__
from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.api.models import Carrier, Label, LabelList, Shipment, ShipmentList, TrackingInfo, Webhook
from shipstation_mcp.config import Settings
from shipstation_mcp.errors import (
    AuthenticationError,
    InvalidInput,
    MalformedResponse,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RequestRejectedError,
    RequestTimeout,
    ServerError,
    ShipStationError,
    describe_for_assistant,
)
from tests.fixtures import load_json, load_text

pytestmark = pytest.mark.anyio

CANARY_KEY = "CANARY-k3y-5f3c9e1d7a2b4c6e"
"""A key distinctive enough that finding it anywhere in output can only mean it leaked."""

ROOTS = {
    "v2": "https://api.shipstation.com/v2",
    "shipengine": "https://api.shipengine.com/v1",
}
PREFIXES = {"v2": "/v2", "shipengine": "/v1"}
APIS = sorted(ROOTS)


class RecordingSleep:
    """Stands in for `asyncio.sleep`: records each requested delay and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


def make_client(
    sleep: RecordingSleep,
    *,
    api: str = "v2",
    rng: random.Random | None = None,
    probe_other_api: bool = False,
    **overrides: Any,
) -> ShipStationClient:
    settings = Settings(api_key=CANARY_KEY, api=api, **overrides)  # type: ignore[arg-type]
    return ShipStationClient(settings, sleep=sleep, rng=rng or random.Random(1234), probe_other_api=probe_other_api)


def backoff_bounds(retry: int) -> tuple[float, float]:
    """Where the n-th back-off delay must fall: between half and all of min(8, 0.5 * 2**(n-1)) seconds."""
    ceiling = min(8.0, 0.5 * 2 ** (retry - 1))
    return ceiling / 2, ceiling


def url_without_query(request: httpx.Request) -> str:
    return str(request.url.copy_with(query=None))


# --------------------------------------------------------------------------------------------------- endpoints


@dataclass(frozen=True)
class Endpoint:
    """One client method as the tools call it, and what it must send and return."""

    name: str
    call: Callable[[ShipStationClient], Awaitable[Any]]
    method: str
    path: str  # below the API prefix, exactly as it must appear on the wire
    query: dict[str, str]
    fixture: Callable[[str], str | None]  # api -> fixture file (None: no body, 204)
    check: Callable[[Any, Any], None]  # (result, fixture payload) -> asserts


def _spec(name: str) -> Callable[[str], str]:
    return lambda api: f"spec/{api}/{name}.json"


def _check_shipment(result: Any, payload: Any) -> None:
    assert isinstance(result, Shipment)
    assert result.shipment_id == payload["shipment_id"]
    assert result.service_code == payload["service_code"]
    assert len(result.items) == len(payload["items"])


def _check_shipment_list(result: Any, payload: Any) -> None:
    assert isinstance(result, ShipmentList)
    assert [s.shipment_id for s in result.shipments] == [s["shipment_id"] for s in payload["shipments"]]


def _check_label_list(result: Any, payload: Any) -> None:
    assert isinstance(result, LabelList)
    assert [lb.label_id for lb in result.labels] == [lb["label_id"] for lb in payload["labels"]]
    assert result.labels[0].tracking_number == payload["labels"][0]["tracking_number"]


def _check_label(result: Any, payload: Any) -> None:
    assert isinstance(result, Label)
    assert result.label_id == payload["label_id"]
    assert result.tracking_number == payload["tracking_number"]


def _check_tracking(result: Any, payload: Any) -> None:
    assert isinstance(result, TrackingInfo)
    assert result.tracking_number == payload["tracking_number"]
    assert len(result.events) == len(payload["events"])
    assert result.events[0].description == (payload["events"][0].get("description") or None)


def _check_nothing(result: Any, payload: Any) -> None:
    assert result is None


def _check_carriers(result: Any, payload: Any) -> None:
    assert isinstance(result, list)
    assert all(isinstance(c, Carrier) for c in result)
    assert [c.carrier_code for c in result] == [c["carrier_code"] for c in payload["carriers"]]
    assert [c.carrier_id for c in result] == [c["carrier_id"] for c in payload["carriers"]]


def _check_webhooks(result: Any, payload: Any) -> None:
    assert isinstance(result, list)
    assert all(isinstance(w, Webhook) for w in result)
    assert [(w.webhook_id, w.event, w.url) for w in result] == [
        (w["webhook_id"], w["event"], w["url"]) for w in payload
    ]


SHIPMENT_FILTERS: dict[str, Any] = {
    "shipment_status": "label_purchased",
    "created_at_start": datetime(2026, 4, 1, tzinfo=UTC),
    # Not UTC: must be converted, not just relabelled.
    "created_at_end": datetime(2026, 4, 30, 23, 59, 59, tzinfo=timezone(timedelta(hours=-7))),
    # Zone-less: taken as UTC.
    "modified_at_start": datetime(2026, 3, 15, 8, 30),
    "ship_to_name": None,  # unset: must not be sent at all
    "shipment_number": "",  # blank: must not be sent at all
    "batch_id": None,
    "page": 2,
    "page_size": 25,
    "sort_by": "created_at",
    "sort_dir": "desc",
    "include_voided": False,
    "is_return": True,
}
SHIPMENT_QUERY = {
    "shipment_status": "label_purchased",
    "created_at_start": "2026-04-01T00:00:00Z",
    "created_at_end": "2026-05-01T06:59:59Z",
    "modified_at_start": "2026-03-15T08:30:00Z",
    "page": "2",
    "page_size": "25",
    "sort_by": "created_at",
    "sort_dir": "desc",
    "include_voided": "false",
    "is_return": "true",
}

ENDPOINTS = [
    Endpoint(
        "get_shipment",
        lambda c: c.get_shipment("se-28529731"),
        "GET",
        "/shipments/se-28529731",
        {},
        _spec("get_shipment"),
        _check_shipment,
    ),
    Endpoint(
        "get_shipment_by_external_id",
        lambda c: c.get_shipment_by_external_id("ORDER-10443"),
        "GET",
        "/shipments/external_shipment_id/ORDER-10443",
        {},
        _spec("get_shipment_by_external_id"),
        _check_shipment,
    ),
    Endpoint(
        "list_shipments",
        lambda c: c.list_shipments(**SHIPMENT_FILTERS),
        "GET",
        "/shipments",
        SHIPMENT_QUERY,
        _spec("list_shipments"),
        _check_shipment_list,
    ),
    Endpoint(
        "list_labels_by_tracking_number",
        lambda c: c.list_labels(tracking_number="1Z932R800390810600", sort_dir="desc", page_size=25),
        "GET",
        "/labels",
        {"tracking_number": "1Z932R800390810600", "sort_dir": "desc", "page_size": "25"},
        _spec("list_labels"),
        _check_label_list,
    ),
    Endpoint(
        "list_labels_by_shipment_id",
        lambda c: c.list_labels(shipment_id="se-1234567", page_size=100),
        "GET",
        "/labels",
        {"shipment_id": "se-1234567", "page_size": "100"},
        _spec("list_labels"),
        _check_label_list,
    ),
    Endpoint(
        "get_label",
        lambda c: c.get_label("se-123456"),
        "GET",
        "/labels/se-123456",
        {},
        _spec("get_label"),
        _check_label,
    ),
    Endpoint(
        "track_label",
        lambda c: c.track_label("se-123456"),
        "GET",
        "/labels/se-123456/track",
        {},
        _spec("track_label"),
        _check_tracking,
    ),
    Endpoint(
        "track_label_seed",
        lambda c: c.track_label("se-324658"),
        "GET",
        "/labels/se-324658/track",
        {},
        lambda api: "seeds/track_label_ups_delivered.json",
        _check_tracking,
    ),
    Endpoint(
        "track",
        lambda c: c.track("usps", "9405511899223197428490"),
        "GET",
        "/tracking",
        {"carrier_code": "usps", "tracking_number": "9405511899223197428490"},
        # The V2 spec has no GET /tracking example; the ShipEngine docs' USPS answer stands in for it.
        lambda api: "spec/shipengine/track.json" if api == "shipengine" else "seeds/track_usps_delivered.json",
        _check_tracking,
    ),
    Endpoint(
        "start_tracking",
        lambda c: c.start_tracking("ups", "1Z932R800390810600"),
        "POST",
        "/tracking/start",
        {"carrier_code": "ups", "tracking_number": "1Z932R800390810600"},
        lambda api: None,
        _check_nothing,
    ),
    Endpoint(
        "stop_tracking",
        lambda c: c.stop_tracking("ups", "1Z932R800390810600"),
        "POST",
        "/tracking/stop",
        {"carrier_code": "ups", "tracking_number": "1Z932R800390810600"},
        lambda api: None,
        _check_nothing,
    ),
    Endpoint(
        "list_carriers",
        lambda c: c.list_carriers(),
        "GET",
        "/carriers",
        {},
        _spec("list_carriers"),
        _check_carriers,
    ),
    Endpoint(
        "list_webhooks",
        lambda c: c.list_webhooks(),
        "GET",
        "/environment/webhooks",
        {},
        _spec("list_webhooks"),
        _check_webhooks,
    ),
]
ENDPOINT_IDS = [e.name for e in ENDPOINTS]


def _respond(httpx_mock: HTTPXMock, endpoint: Endpoint, api: str) -> Any:
    fixture = endpoint.fixture(api)
    if fixture is None:
        httpx_mock.add_response(status_code=204)
        return None
    payload = load_json(fixture)
    httpx_mock.add_response(json=payload)
    return payload


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=ENDPOINT_IDS)
async def test_endpoint_sends_exact_request_and_parses_answer(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, endpoint: Endpoint, api: str
) -> None:
    payload = _respond(httpx_mock, endpoint, api)

    async with make_client(sleep, api=api, timeout=7.5) as client:
        result = await endpoint.call(client)

    request = httpx_mock.get_request()
    assert request is not None
    assert request.method == endpoint.method
    assert url_without_query(request) == ROOTS[api] + endpoint.path
    assert request.url.raw_path.split(b"?")[0] == (PREFIXES[api] + endpoint.path).encode()
    # Each parameter exactly once, with exactly the expected value; nothing else.
    assert sorted(request.url.params.multi_items()) == sorted(endpoint.query.items())
    assert request.headers["API-Key"] == CANARY_KEY
    assert request.headers["User-Agent"] == f"shipstation-mcp/{__version__}"
    assert request.headers["Accept"] == "application/json"
    assert request.extensions["timeout"] == {"connect": 7.5, "read": 7.5, "write": 7.5, "pool": 7.5}
    if endpoint.method == "POST":
        assert request.content == b"", "tracking start/stop carry their arguments in the query, not a body"
    endpoint.check(result, payload)
    assert sleep.calls == []


async def test_track_keeps_query_order_carrier_then_number(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(json=load_json("spec/shipengine/track.json"))
    async with make_client(sleep, api="shipengine") as client:
        await client.track("fedex", "794953555571")
    assert str(httpx_mock.get_request().url) == (
        "https://api.shipengine.com/v1/tracking?carrier_code=fedex&tracking_number=794953555571"
    )


async def test_list_webhooks_accepts_a_wrapped_list(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(json={"webhooks": load_json("spec/v2/list_webhooks.json")})
    async with make_client(sleep) as client:
        hooks = await client.list_webhooks()
    assert [w.webhook_id for w in hooks] == ["se-28529731"]


@pytest.mark.parametrize(
    ("base_url", "api", "expected"),
    [
        ("http://127.0.0.1:9999", "v2", "http://127.0.0.1:9999/v2/shipments/se-1"),
        ("http://127.0.0.1:9999", "shipengine", "http://127.0.0.1:9999/v1/shipments/se-1"),
        ("http://127.0.0.1:9999/", "v2", "http://127.0.0.1:9999/v2/shipments/se-1"),
        (
            "https://proxy.example.test:8443/shipstation",
            "shipengine",
            "https://proxy.example.test:8443/shipstation/v1/shipments/se-1",
        ),
    ],
)
async def test_base_url_override_keeps_the_flavours_prefix(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, base_url: str, api: str, expected: str
) -> None:
    httpx_mock.add_response(json=load_json(f"spec/{api}/get_shipment.json"))
    async with make_client(sleep, api=api, base_url=base_url) as client:
        await client.get_shipment("se-1")
    request = httpx_mock.get_request()
    assert str(request.url) == expected
    assert request.headers["API-Key"] == CANARY_KEY


# --------------------------------------------------------------------------------------------------- retries

RETRIED_STATUSES = [429, 500, 502, 503, 504]


@pytest.mark.parametrize("status", RETRIED_STATUSES)
async def test_retryable_status_then_success(httpx_mock: HTTPXMock, sleep: RecordingSleep, status: int) -> None:
    httpx_mock.add_response(status_code=status)
    httpx_mock.add_response(json=load_json("seeds/track_label_ups_delivered.json"))

    async with make_client(sleep) as client:
        info = await client.track_label("se-324658")

    assert info.status_code == "DE"
    assert len(httpx_mock.get_requests()) == 2
    assert len(sleep.calls) == 1
    low, high = backoff_bounds(1)
    assert low <= sleep.calls[0] <= high


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_seconds_is_honoured(httpx_mock: HTTPXMock, sleep: RecordingSleep, status: int) -> None:
    httpx_mock.add_response(status_code=status, headers={"Retry-After": "2"})
    httpx_mock.add_response(json=load_json("spec/v2/get_shipment.json"))

    async with make_client(sleep) as client:
        shipment = await client.get_shipment("se-28529731")

    assert shipment.shipment_id == "se-28529731"
    assert sleep.calls == [2]
    assert len(httpx_mock.get_requests()) == 2


async def test_retry_after_http_date_is_honoured(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    httpx_mock.add_response(status_code=429, headers={"Retry-After": email.utils.format_datetime(when, usegmt=True)})
    httpx_mock.add_response(json=load_json("spec/v2/get_shipment.json"))

    async with make_client(sleep) as client:
        await client.get_shipment("se-28529731")

    assert len(sleep.calls) == 1
    # The header has whole seconds and some time passes before it is read.
    assert 25 <= sleep.calls[0] <= 30


async def test_retry_after_of_exactly_the_cap_is_still_waited_out(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(status_code=429, headers={"Retry-After": "60"})
    httpx_mock.add_response(json=load_json("spec/v2/get_shipment.json"))
    async with make_client(sleep) as client:
        await client.get_shipment("se-28529731")
    assert sleep.calls == [60]


@pytest.mark.parametrize("header", ["soon", "", "-5x", "nan", "inf"])
async def test_unreadable_retry_after_falls_back_to_backoff(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, header: str
) -> None:
    httpx_mock.add_response(status_code=429, headers={"Retry-After": header})
    httpx_mock.add_response(json=load_json("spec/v2/get_shipment.json"))
    async with make_client(sleep) as client:
        await client.get_shipment("se-28529731")
    low, high = backoff_bounds(1)
    assert len(sleep.calls) == 1
    assert low <= sleep.calls[0] <= high


async def test_backoff_grows_and_is_jittered_within_bounds(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    retries = 6
    for _ in range(retries):
        httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(json=load_json("spec/v2/get_label.json"))

    async with make_client(sleep, rng=random.Random(7), max_retries=retries) as client:
        label = await client.get_label("se-123456")

    assert label.label_id == "se-123456"
    assert len(sleep.calls) == retries
    for n, delay in enumerate(sleep.calls, start=1):
        low, high = backoff_bounds(n)
        assert low <= delay <= high, f"retry {n}: {delay} not within [{low}, {high}]"
    # Below the cap each window starts where the previous one ends, so the delays grow; from retry 5 on they
    # stay within [4, 8] seconds.
    assert sleep.calls[:4] == sorted(sleep.calls[:4])
    assert max(sleep.calls) <= 8.0


async def test_backoff_jitter_depends_on_the_random_source(httpx_mock: HTTPXMock) -> None:
    """Two clients with different random sources must not wait identical times (that would be no jitter)."""
    delays = []
    for seed in (1, 2):
        httpx_mock.add_response(status_code=503)
        httpx_mock.add_response(json=load_json("spec/v2/get_label.json"))
        recorder = RecordingSleep()
        async with make_client(recorder, rng=random.Random(seed)) as client:
            await client.get_label("se-123456")
        delays.append(recorder.calls[0])
    assert delays[0] != delays[1]


TRANSPORT_FAILURES = [
    httpx.ReadTimeout("read timed out"),
    httpx.ConnectTimeout("connect timed out"),
    httpx.PoolTimeout("pool timed out"),
    httpx.ConnectError("connection refused"),
    httpx.ReadError("connection reset by peer"),
    httpx.RemoteProtocolError("server disconnected without sending a response"),
]


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES, ids=lambda e: type(e).__name__)
async def test_transport_failure_then_success(httpx_mock: HTTPXMock, sleep: RecordingSleep, failure: Exception) -> None:
    httpx_mock.add_exception(failure)
    httpx_mock.add_response(json=load_json("spec/shipengine/track.json"))

    async with make_client(sleep, api="shipengine") as client:
        info = await client.track("dhl_express", "1Z932R800392060079")

    assert info.tracking_number == "1Z932R800392060079"
    assert len(httpx_mock.get_requests()) == 2
    assert len(sleep.calls) == 1


@dataclass(frozen=True)
class GiveUp:
    """A failure that persists through every attempt, and the error it must end in."""

    name: str
    add: Callable[[HTTPXMock], None]
    error: type[ShipStationError]
    status: int | None
    request_id: str | None
    says: tuple[str, ...]  # phrases describe_for_assistant must contain


GIVE_UPS = [
    GiveUp(
        "429",
        lambda m: m.add_response(status_code=429, headers={"Retry-After": "2", "x-request-id": "req-429"}),
        RateLimitedError,
        429,
        "req-429",
        ("rate limit", "4 attempt(s)", "Try again in 2 seconds", "req-429"),
    ),
    GiveUp(
        "503-json",
        lambda m: m.add_response(status_code=503, json=load_json("spec/v2/error.json")),
        ServerError,
        503,
        "aa3d8e8e-462b-4476-9618-72db7f7b7009",
        ("HTTP 503", "4 attempt(s)", "Body of request cannot be null.", "try again in a minute"),
    ),
    GiveUp(
        "502-html",
        lambda m: m.add_response(
            status_code=502, html=load_text("quirks/error_html_502.html"), headers={"x-request-id": "req-502"}
        ),
        ServerError,
        502,
        "req-502",
        ("HTTP 502", "4 attempt(s)", "try again in a minute", "req-502"),
    ),
    GiveUp(
        "500-empty",
        lambda m: m.add_response(status_code=500),
        ServerError,
        500,
        None,
        ("HTTP 500", "4 attempt(s)", "try again in a minute"),
    ),
    GiveUp(
        "read-timeout",
        lambda m: m.add_exception(httpx.ReadTimeout("read timed out")),
        RequestTimeout,
        None,
        None,
        ("did not answer in time", "4 attempt(s)", "SHIPSTATION_TIMEOUT"),
    ),
    GiveUp(
        "connect-timeout",
        lambda m: m.add_exception(httpx.ConnectTimeout("connect timed out")),
        RequestTimeout,
        None,
        None,
        ("did not answer in time", "4 attempt(s)"),
    ),
    GiveUp(
        "connect-error",
        lambda m: m.add_exception(httpx.ConnectError("[Errno 111] Connection refused")),
        NetworkError,
        None,
        None,
        ("Could not reach ShipStation", "4 attempt(s)", "connection was refused", "SHIPSTATION_BASE_URL"),
    ),
    GiveUp(
        "200-truncated-json",
        lambda m: m.add_response(status_code=200, text=load_text("quirks/error_truncated.json")),
        MalformedResponse,
        200,
        None,
        ("not valid JSON", "cut off", "try again in a minute"),
    ),
]


@pytest.mark.parametrize("case", GIVE_UPS, ids=[g.name for g in GIVE_UPS])
async def test_gives_up_after_max_retries_with_an_actionable_error(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, case: GiveUp
) -> None:
    for _ in range(4):  # 1 + SHIPSTATION_MAX_RETRIES (3)
        case.add(httpx_mock)

    async with make_client(sleep, max_retries=3) as client:
        with pytest.raises(case.error) as caught:
            await client.track_label("se-324658")

    error = caught.value
    assert len(httpx_mock.get_requests()) == 4
    assert len(sleep.calls) == 3
    assert error.attempts == 4
    assert error.status == case.status
    assert error.request_id == case.request_id
    assert error.method == "GET"
    text = describe_for_assistant(error, what="label se-324658")
    for phrase in case.says:
        assert phrase.lower() in text.lower(), f"{phrase!r} missing from {text!r}"
    assert "<html" not in text.lower() and "<html" not in str(error).lower()


@pytest.mark.parametrize("max_retries", [0, 1, 5])
async def test_total_attempts_are_one_plus_max_retries(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, max_retries: int
) -> None:
    for _ in range(1 + max_retries):
        httpx_mock.add_response(status_code=503)
    async with make_client(sleep, max_retries=max_retries) as client:
        with pytest.raises(ServerError) as caught:
            await client.list_carriers()
    assert len(httpx_mock.get_requests()) == 1 + max_retries
    assert len(sleep.calls) == max_retries
    assert caught.value.attempts == 1 + max_retries


async def test_max_retries_zero_makes_a_single_attempt_on_timeout(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("read timed out"))
    async with make_client(sleep, max_retries=0) as client:
        with pytest.raises(RequestTimeout) as caught:
            await client.get_label("se-123456")
    assert len(httpx_mock.get_requests()) == 1
    assert sleep.calls == []
    assert "1 attempt(s)" in describe_for_assistant(caught.value)


NOT_RETRIED = [
    (400, RequestRejectedError),
    (401, AuthenticationError),
    (403, AuthenticationError),
    (404, NotFoundError),
    (409, RequestRejectedError),
    (422, RequestRejectedError),
]


@pytest.mark.parametrize(("status", "error_type"), NOT_RETRIED)
@pytest.mark.parametrize("method", ["GET", "POST start_tracking"])
async def test_client_errors_are_not_retried(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, status: int, error_type: type[ShipStationError], method: str
) -> None:
    httpx_mock.add_response(status_code=status, json=load_json("quirks/error_404.json"))

    async with make_client(sleep, max_retries=5) as client:
        with pytest.raises(error_type) as caught:
            if method == "GET":
                await client.get_shipment("se-999999999")
            else:
                await client.start_tracking("ups", "1Z932R800390810600")

    assert len(httpx_mock.get_requests()) == 1
    assert sleep.calls == []
    assert caught.value.status == status
    assert caught.value.attempts == 1


@pytest.mark.parametrize("call", ["start_tracking", "stop_tracking"])
async def test_tracking_start_and_stop_are_retried_as_idempotent(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, call: str
) -> None:
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_exception(httpx.ConnectTimeout("connect timed out"))
    httpx_mock.add_response(status_code=204)

    async with make_client(sleep, api="shipengine") as client:
        assert await getattr(client, call)("ups", "1Z932R800390810600") is None

    requests = httpx_mock.get_requests()
    assert [r.method for r in requests] == ["POST"] * 3
    assert {url_without_query(r) for r in requests} == {f"https://api.shipengine.com/v1/tracking/{call[:-9]}"}
    assert len(sleep.calls) == 2


async def test_other_posts_are_not_retried_by_default(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(status_code=503)
    async with make_client(sleep) as client:
        with pytest.raises(ServerError):
            await client.request("POST", ["labels"], json_body={"shipment_id": "se-1"})
    assert len(httpx_mock.get_requests()) == 1
    assert sleep.calls == []


@pytest.mark.parametrize(
    ("status", "retry_after", "when"),
    [
        (429, "120", "in about 2 minutes"),
        (429, "61", "in 61 seconds"),
        (429, "3600", "in about 60 minutes"),
    ],
)
async def test_retry_after_beyond_the_cap_gives_up_at_once(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, status: int, retry_after: str, when: str
) -> None:
    httpx_mock.add_response(status_code=status, headers={"Retry-After": retry_after})

    async with make_client(sleep, max_retries=3) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.list_shipments(page=1)

    assert len(httpx_mock.get_requests()) == 1
    assert sleep.calls == []
    assert caught.value.retry_after == float(retry_after)
    assert caught.value.attempts == 1
    assert when in describe_for_assistant(caught.value)


async def test_long_retry_after_on_503_gives_up_at_once(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(status_code=503, headers={"Retry-After": "900"})
    async with make_client(sleep) as client:
        with pytest.raises(ServerError):
            await client.list_carriers()
    assert len(httpx_mock.get_requests()) == 1
    assert sleep.calls == []


async def test_200_with_truncated_json_is_retried(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    payload = load_json("spec/v2/get_shipment.json")
    httpx_mock.add_response(status_code=200, text='{"shipment_id": "se-285')
    httpx_mock.add_response(json=payload)

    async with make_client(sleep) as client:
        shipment = await client.get_shipment("se-28529731")

    assert shipment.shipment_id == payload["shipment_id"]
    assert len(httpx_mock.get_requests()) == 2
    assert len(sleep.calls) == 1


# --------------------------------------------------------------------------------------------------- error bodies


@pytest.mark.parametrize(
    ("status", "fixture", "error_type", "messages", "error_code", "request_id"),
    [
        (
            404,
            "quirks/error_404.json",
            NotFoundError,
            ("shipment_id se-999999999 was not found.",),
            "invalid_identifier",
            "0e6b3f4a-9c21-4d7e-8b5a-1f2e3d4c5b6a",
        ),
        (
            400,
            "spec/v2/error.json",
            RequestRejectedError,
            ("Body of request cannot be null.",),
            "auto_fund_not_supported",
            "aa3d8e8e-462b-4476-9618-72db7f7b7009",
        ),
        (
            422,
            "spec/shipengine/error.json",
            RequestRejectedError,
            ("Body of request cannot be null.",),
            "auto_fund_not_supported",
            "aa3d8e8e-462b-4476-9618-72db7f7b7009",
        ),
        (
            401,
            "spec/shipengine/error.json",
            AuthenticationError,
            ("Body of request cannot be null.",),
            "auto_fund_not_supported",
            "aa3d8e8e-462b-4476-9618-72db7f7b7009",
        ),
    ],
)
async def test_shipstation_error_body_is_read(
    httpx_mock: HTTPXMock,
    sleep: RecordingSleep,
    status: int,
    fixture: str,
    error_type: type[ShipStationError],
    messages: tuple[str, ...],
    error_code: str,
    request_id: str,
) -> None:
    httpx_mock.add_response(status_code=status, json=load_json(fixture))

    async with make_client(sleep) as client:
        with pytest.raises(error_type) as caught:
            await client.get_shipment("se-999999999")

    error = caught.value
    assert error.status == status
    assert error.messages == messages
    assert error.error_code == error_code
    assert error.request_id == request_id
    assert error.path == "/shipments/se-999999999"
    assert f"HTTP {status}" in str(error)
    assert messages[0] in str(error)
    text = describe_for_assistant(error, what="shipment 'se-999999999'")
    assert messages[0] in text
    assert request_id in text


async def test_not_found_names_what_was_asked_for(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(status_code=404, json=load_json("quirks/error_404.json"))
    async with make_client(sleep) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get_shipment("se-999999999")
    text = describe_for_assistant(caught.value, what="shipment 'se-999999999'")
    assert "no record of shipment 'se-999999999'" in text
    assert "Check the value" in text


async def test_authentication_error_points_at_key_and_api_flavour(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(status_code=401, json={"errors": [{"message": "The API key is invalid."}]})
    async with make_client(sleep) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_carriers()
    text = describe_for_assistant(caught.value)
    assert "SHIPSTATION_API_KEY" in text
    assert "SHIPSTATION_API" in text
    assert "The API key is invalid." in text


async def test_request_id_falls_back_to_the_header(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(
        status_code=404, json={"errors": [{"message": "not found"}]}, headers={"x-request-id": "hdr-123"}
    )
    async with make_client(sleep) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get_label("se-1")
    assert caught.value.request_id == "hdr-123"


HUGE = "x" * 100_000


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("html", load_text("quirks/error_html_502.html").encode()),
        ("empty", b""),
        ("truncated", load_text("quirks/error_truncated.json").encode()),
        ("json-list", b'[{"message": "a list, not an object"}]'),
        ("json-string", b'"Bad Request"'),
        ("json-number", b"42"),
        ("json-null", b"null"),
        ("errors-not-a-list", b'{"errors": "broken", "request_id": 7}'),
        ("error-items-not-objects", b'{"errors": ["one", 2, null]}'),
        ("message-not-a-string", b'{"errors": [{"message": {"nested": true}, "error_code": 5}]}'),
        ("not-utf8", b"\xff\xfe\xfa garbage"),
        ("binary", bytes(range(256))),
    ],
)
@pytest.mark.parametrize("status", [400, 404, 500])
async def test_malformed_error_bodies_give_clean_errors(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, name: str, body: bytes, status: int
) -> None:
    httpx_mock.add_response(status_code=status, content=body)

    async with make_client(sleep, max_retries=0) as client:
        with pytest.raises(ShipStationError) as caught:
            await client.get_shipment("se-1")

    error = caught.value
    assert error.status == status
    assert f"HTTP {status}" in str(error)
    assert len(str(error)) < 500
    assert "<html" not in str(error).lower()
    text = describe_for_assistant(error, what="shipment 'se-1'")
    assert text and len(text) < 1000
    assert all(isinstance(m, str) for m in error.messages)


async def test_error_body_with_integer_request_id_is_kept_as_text(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(
        status_code=400, json={"request_id": 12345, "errors": [{"message": "bad", "error_code": 7}]}
    )
    async with make_client(sleep) as client:
        with pytest.raises(RequestRejectedError) as caught:
            await client.get_shipment("se-1")
    assert caught.value.request_id == "12345"
    assert caught.value.error_code == "7"
    assert caught.value.messages == ("bad",)


async def test_huge_and_many_messages_are_clipped(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    body = {"errors": [{"message": f"problem {i}: {HUGE}"} for i in range(50)]}
    httpx_mock.add_response(status_code=400, json=body)

    async with make_client(sleep) as client:
        with pytest.raises(RequestRejectedError) as caught:
            await client.get_shipment("se-1")

    error = caught.value
    assert 1 <= len(error.messages) <= 5
    assert all(len(m) <= 300 for m in error.messages)
    assert error.messages[0].startswith("problem 0: xxx")
    assert error.messages[0].endswith("…")
    assert len(str(error)) < 2000
    assert len(describe_for_assistant(error)) < 2500


async def test_message_whitespace_is_collapsed(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(status_code=400, json={"errors": [{"message": "line one\n\n\tline   two\r\n"}]})
    async with make_client(sleep) as client:
        with pytest.raises(RequestRejectedError) as caught:
            await client.get_shipment("se-1")
    assert caught.value.messages == ("line one line two",)


@pytest.mark.parametrize(
    ("call", "body"),
    [
        ("get_shipment", b"[]"),
        ("get_shipment", b'[{"shipment_id": "se-1"}]'),
        ("get_shipment", b'"se-1"'),
        ("get_shipment", b""),
        ("track_label", b"null"),
        ("list_shipments", b"[1, 2, 3]"),
        ("list_webhooks", b'"no webhooks"'),
        ("list_carriers", b"true"),
    ],
)
async def test_200_that_is_not_the_expected_json_gives_a_clear_error(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, call: str, body: bytes
) -> None:
    httpx_mock.add_response(status_code=200, content=body)

    async with make_client(sleep) as client:
        method = getattr(client, call)
        with pytest.raises(ServerError) as caught:
            await (method("se-1") if call in {"get_shipment", "track_label"} else method())

    assert len(httpx_mock.get_requests()) == 1, "a well-formed but unexpected answer is not worth retrying"
    assert "the API may have changed" in str(caught.value)
    text = describe_for_assistant(caught.value)
    assert "HTTP None" not in text
    assert "the API may have changed" in text


# --------------------------------------------------------------------------------------------------- path encoding

HOSTILE_IDS = [
    # (id, exactly how it must appear as one path segment)
    ("A/B?x=1#y", "A%2FB%3Fx%3D1%23y"),
    ("../labels", "..%2Flabels"),
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("%2F", "%252F"),
    ("se-1 2", "se-1%202"),
    ("café/☃", "caf%C3%A9%2F%E2%98%83"),
    ("?", "%3F"),
    ("#", "%23"),
    ("a&b=c", "a%26b%3Dc"),
    ("se-1;x", "se-1%3Bx"),
    ("\\..\\", "%5C..%5C"),
    ("se-1+2", "se-1%2B2"),
]

PATH_CALLS = [
    ("get_shipment", "/shipments/{}"),
    ("get_shipment_by_external_id", "/shipments/external_shipment_id/{}"),
    ("get_label", "/labels/{}"),
    ("track_label", "/labels/{}/track"),
]


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(("call", "template"), PATH_CALLS, ids=[c[0] for c in PATH_CALLS])
@pytest.mark.parametrize(("hostile", "encoded"), HOSTILE_IDS, ids=[h[1] for h in HOSTILE_IDS])
async def test_hostile_ids_travel_as_one_encoded_segment(
    httpx_mock: HTTPXMock,
    sleep: RecordingSleep,
    api: str,
    call: str,
    template: str,
    hostile: str,
    encoded: str,
) -> None:
    httpx_mock.add_response(json={})

    async with make_client(sleep, api=api) as client:
        await getattr(client, call)(hostile)

    request = httpx_mock.get_request()
    expected_path = PREFIXES[api] + template.format(encoded)
    assert request.url.raw_path == expected_path.encode("ascii")
    assert request.url.query == b""
    assert request.url.fragment == ""
    assert request.url.host == httpx.URL(ROOTS[api]).host
    # The id decodes back to exactly what was asked for, in exactly one segment. Splitting "/v2/labels/ID" and
    # "/labels/{}" on "/" lines the two up: the prefix sits where the template has its leading empty part.
    segments = request.url.raw_path.decode("ascii").split("/")[1:]
    template_parts = template.split("/")
    assert len(segments) == len(template_parts)
    id_index = template_parts.index("{}")
    assert unquote(segments[id_index]) == hostile


@pytest.mark.parametrize(
    "hostile",
    ["1Z&carrier_code=fedex", "1Z#frag", "1Z?x=1", "1Z 2", "☃/../x", "%26"],
)
async def test_hostile_values_in_the_query_stay_one_value(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, hostile: str
) -> None:
    httpx_mock.add_response(json=load_json("spec/shipengine/track.json"))
    async with make_client(sleep, api="shipengine") as client:
        await client.track("ups", hostile)
    request = httpx_mock.get_request()
    assert request.url.raw_path.split(b"?")[0] == b"/v1/tracking"
    assert request.url.params.multi_items() == [("carrier_code", "ups"), ("tracking_number", hostile)]
    assert request.url.fragment == ""


@pytest.mark.parametrize("blank", [""])
async def test_blank_id_is_refused_before_any_request(httpx_mock: HTTPXMock, sleep: RecordingSleep, blank: str) -> None:
    """An empty id would turn GET /shipments/{id} into GET /shipments/ (the list) and answer the wrong question."""
    async with make_client(sleep) as client:
        for call in (client.get_shipment, client.get_label, client.track_label, client.get_shipment_by_external_id):
            with pytest.raises(InvalidInput, match="empty"):
                await call(blank)
    assert httpx_mock.get_requests() == []


# --------------------------------------------------------------------------------------------------- the API key


@dataclass(frozen=True)
class Failure:
    name: str
    add: Callable[[HTTPXMock], None]
    attempts: int


def _each_attempt(add: Callable[[HTTPXMock], None], attempts: int = 4) -> Callable[[HTTPXMock], None]:
    def register(mock: HTTPXMock) -> None:
        for _ in range(attempts):
            add(mock)

    return register


FAILURES = [
    Failure("400", lambda m: m.add_response(status_code=400, json=load_json("spec/v2/error.json")), 1),
    Failure("401", lambda m: m.add_response(status_code=401, json={"errors": [{"message": "invalid key"}]}), 1),
    Failure("403", lambda m: m.add_response(status_code=403), 1),
    Failure("404", lambda m: m.add_response(status_code=404, json=load_json("quirks/error_404.json")), 1),
    Failure("422", lambda m: m.add_response(status_code=422, text="not json"), 1),
    Failure(
        "401-echoing-the-key",
        lambda m: m.add_response(
            status_code=401,
            json={
                "request_id": "r-1",
                "errors": [{"message": f"API key {CANARY_KEY} is not valid", "error_code": "unauthorized"}],
            },
        ),
        1,
    ),
    Failure(
        "429-echoing-the-key",
        _each_attempt(
            lambda m: m.add_response(
                status_code=429, headers={"Retry-After": "1"}, json={"errors": [{"message": f"slow down {CANARY_KEY}"}]}
            )
        ),
        4,
    ),
    Failure("429-long-retry-after", lambda m: m.add_response(status_code=429, headers={"Retry-After": "999"}), 1),
    Failure(
        "502-html",
        _each_attempt(lambda m: m.add_response(status_code=502, html=load_text("quirks/error_html_502.html"))),
        4,
    ),
    Failure("503-empty", _each_attempt(lambda m: m.add_response(status_code=503)), 4),
    Failure(
        "500-truncated",
        _each_attempt(lambda m: m.add_response(status_code=500, text=load_text("quirks/error_truncated.json"))),
        4,
    ),
    Failure(
        "200-truncated",
        _each_attempt(lambda m: m.add_response(status_code=200, text=load_text("quirks/error_truncated.json"))),
        4,
    ),
    Failure("200-list", lambda m: m.add_response(json=[1, 2]), 1),
    Failure("read-timeout", _each_attempt(lambda m: m.add_exception(httpx.ReadTimeout("timed out"))), 4),
    Failure("connect-timeout", _each_attempt(lambda m: m.add_exception(httpx.ConnectTimeout("timed out"))), 4),
    Failure("connect-error", _each_attempt(lambda m: m.add_exception(httpx.ConnectError("refused"))), 4),
    Failure("protocol-error", _each_attempt(lambda m: m.add_exception(httpx.RemoteProtocolError("closed"))), 4),
]


def _everything_said_about(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    texts += [repr(value) for value in vars(error).values()]
    if isinstance(error, ShipStationError):
        texts.append(describe_for_assistant(error, what="shipment 'se-1'"))
    return texts


@pytest.mark.parametrize("failure", FAILURES, ids=[f.name for f in FAILURES])
async def test_api_key_never_appears_in_errors_or_logs(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, caplog: pytest.LogCaptureFixture, failure: Failure
) -> None:
    failure.add(httpx_mock)
    caplog.set_level(logging.DEBUG)

    async with make_client(sleep, max_retries=3) as client:
        with pytest.raises(ShipStationError) as caught:
            await client.get_shipment("se-1")
        texts = [repr(client), str(client), repr(client.settings), str(client.settings)]

    assert len(httpx_mock.get_requests()) == failure.attempts
    assert all(r.headers["API-Key"] == CANARY_KEY for r in httpx_mock.get_requests())  # it was sent
    texts += _everything_said_about(caught.value)
    texts += [caplog.text, *(r.getMessage() for r in caplog.records)]
    assert caplog.records, "the client should have logged something to check"
    for text in texts:
        assert CANARY_KEY not in text


async def test_echoed_key_is_redacted_and_the_rest_of_the_message_kept(
    httpx_mock: HTTPXMock, sleep: RecordingSleep
) -> None:
    httpx_mock.add_response(
        status_code=401, json={"errors": [{"message": f"API key {CANARY_KEY} is not valid for this account"}]}
    )
    async with make_client(sleep) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_carriers()
    assert caught.value.messages == ("API key [redacted] is not valid for this account",)


async def test_demo_placeholder_key_does_not_mangle_messages(httpx_mock: HTTPXMock, sleep: RecordingSleep) -> None:
    httpx_mock.add_response(status_code=404, json={"errors": [{"message": "demo label se-1 was not found"}]})
    client = ShipStationClient(Settings(api_key="demo", demo=True), sleep=sleep)
    async with client:
        with pytest.raises(NotFoundError) as caught:
            await client.get_label("se-1")
    assert caught.value.messages == ("demo label se-1 was not found",)


async def test_api_key_is_not_in_retry_log_lines(
    httpx_mock: HTTPXMock, sleep: RecordingSleep, caplog: pytest.LogCaptureFixture
) -> None:
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(json=load_json("spec/v2/get_shipment.json"))
    caplog.set_level(logging.DEBUG)
    async with make_client(sleep) as client:
        await client.get_shipment("se-28529731")
    retry_lines = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    assert retry_lines, "a retry should be logged"
    assert "/shipments/se-28529731" in retry_lines[0]
    assert CANARY_KEY not in caplog.text


def test_settings_and_client_reprs_hide_the_key() -> None:
    settings = Settings(api_key=CANARY_KEY)
    client = ShipStationClient(settings)
    for text in (repr(settings), str(settings), repr(client), str(client), f"{settings!r} {client!r}"):
        assert CANARY_KEY not in text
    assert "v2" in repr(client)


async def test_retries_stop_at_the_total_wait_budget(httpx_mock: HTTPXMock) -> None:
    from shipstation_mcp.api.client import MAX_TOTAL_WAIT

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    for _ in range(3):
        httpx_mock.add_response(status_code=429, headers={"Retry-After": "50"}, is_optional=True)
    client = ShipStationClient(Settings(api_key="k", max_retries=5), sleep=sleep)
    async with client:
        with pytest.raises(RateLimitedError) as caught:
            await client.get_shipment("se-1")
    assert slept == [50.0]  # a second 50 s wait would pass the budget
    assert sum(slept) <= MAX_TOTAL_WAIT
    assert caught.value.attempts == 2


async def test_a_redirect_points_at_the_base_url_setting(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=301, headers={"Location": "https://elsewhere.example/"})
    async with ShipStationClient(Settings(api_key="k", base_url="http://proxy.local:8080")) as client:
        with pytest.raises(ShipStationError) as caught:
            await client.get_shipment("se-1")
    message = describe_for_assistant(caught.value)
    assert "redirect (HTTP 301)" in message and "SHIPSTATION_BASE_URL" in message


def test_proxy_credentials_stay_out_of_the_displayed_root() -> None:
    settings = Settings(api_key="k", base_url="http://user:s3cret@proxy.local:8080")
    assert settings.display_root == "http://proxy.local:8080/v2"
    assert "s3cret" not in repr(ShipStationClient(settings))
