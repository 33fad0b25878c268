"""Error answers in every shape ShipStation (or a gateway before it) sends them, down to what the assistant reads.

The real error payloads others recorded (`../shared/real-payloads/payloads/error/`) each go through the client's
error path; the expected sentences below were written from the raw payloads."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.api.error_body import read_error_body
from shipstation_mcp.config import Settings, key_problem
from shipstation_mcp.errors import (
    AccessDenied,
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    ShipStationError,
    describe_for_assistant,
)
from tests.support.real_payloads import real_kind

pytestmark = pytest.mark.anyio

KEY = "k3y-CANARY-9f8e7d6c5b4a"


async def _no_sleep(_: float) -> None:
    return None


def _client(handler: Callable[[httpx.Request], httpx.Response], *, api: str = "v2", key: str = KEY, probe=True):
    settings = Settings(api_key=key, api=api, max_retries=0)  # type: ignore[arg-type]
    return ShipStationClient(
        settings, transport=httpx.MockTransport(handler), sleep=_no_sleep, limiter=None, probe_other_api=probe
    )


async def _failure(status: int, content: bytes, *, headers=None, api: str = "v2", probe=False) -> ShipStationError:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers or {})

    async with _client(handler, api=api, probe=probe) as client:
        with pytest.raises(ShipStationError) as caught:
            await client.get_label("se-1")
    return caught.value


# ------------------------------------------------------------------------------------------------ shapes


@pytest.mark.parametrize(
    ("content", "headers", "said", "request_id"),
    [
        pytest.param(
            b'{"request_id": "r-1", "errors": [{"error_code": "x", "message": "Carrier is down."}]}',
            {},
            "ShipStation said: \u201cCarrier is down",
            "r-1",
            id="errors-list",
        ),
        pytest.param(
            b'{"request_id": "r-2", "error": {"message": "Something broke upstream"}}',
            {},
            "ShipStation said: \u201cSomething broke upstream",
            "r-2",
            id="error-object",
        ),
        pytest.param(
            b'{"error": "gateway fault"}', {"x-request-id": "h-3"}, "said: \u201cgateway fault", "h-3", id="str"
        ),
        pytest.param(
            b'{"message": "Internal failure"}', {}, "ShipStation said: \u201cInternal failure", None, id="message"
        ),
        pytest.param(
            b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad</h1></body></html>",
            {"content-type": "text/html", "x-request-id": "h-4"},
            "ShipStation said: \u201c502 Bad Gateway",
            "h-4",
            id="html",
        ),
        pytest.param(b"", {"x-request-id": "h-5"}, None, "h-5", id="empty"),
        pytest.param(
            b"upstream connect error\n", {}, "ShipStation said: \u201cupstream connect error", None, id="text"
        ),
    ],
)
async def test_a_500_keeps_shipstations_message_and_request_id_whatever_the_shape(
    content: bytes, headers: dict[str, str], said: str | None, request_id: str | None
) -> None:
    error = await _failure(500, content, headers=headers)
    text = describe_for_assistant(error)
    assert isinstance(error, ServerError)
    assert text.startswith("ShipStation failed with HTTP 500 after 1 attempt(s).")
    if said:
        assert said in text
    else:
        assert "said" not in text
    if request_id:
        assert text.endswith(f"(ShipStation request id {request_id})")
    assert "try again in a minute or two" in text


@pytest.mark.parametrize(
    "template",
    [
        '{{"errors": [{{"message": "bad key {key}"}}], "request_id": "{key}"}}',
        '{{"error": {{"message": "bad key {key}"}}}}',
        '{{"message": "bad key {key}"}}',
        "<html><title>bad key {key}</title></html>",
        "bad key {key}",
    ],
)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
async def test_an_echoed_key_never_reaches_the_message(template: str, status: int) -> None:
    error = await _failure(status, template.format(key=KEY).encode())
    for text in (describe_for_assistant(error), str(error), repr(error)):
        assert KEY not in text
        assert KEY[:12] not in text
    assert "bad key [redacted]" in describe_for_assistant(error)


def test_the_reader_never_raises_on_odd_bodies() -> None:
    for content in (b"[1, 2]", b"null", b"42", b'{"errors": "no"}', b"\xff\xfe\x00", b"<", b"{" * 5000):
        report = read_error_body(content)
        assert len(report.messages) <= 1
    assert read_error_body(b'[{"message": "in a list"}]').messages == ("in a list",)
    assert read_error_body(b"", {"x-request-id": "only-header"}).request_id == "only-header"


# ------------------------------------------------------------------------------------------------ 401 / 403


async def test_403_blames_the_plan_not_the_key_and_does_not_probe() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        body = {"errors": [{"error_type": "account_status", "error_code": "subscription_inactive",
                            "message": "Subscription is inactive"}]}  # fmt: skip
        return httpx.Response(403, json=body)

    async with _client(handler) as client:
        with pytest.raises(AccessDenied) as caught:
            await client.track("ups", "1Z999AA10123456784")
    text = describe_for_assistant(caught.value, what="tracking for 1Z999AA10123456784")
    assert "accepted the API key but refused tracking for 1Z999AA10123456784 (HTTP 403)" in text
    assert "plan or subscription" in text
    assert "ShipStation said: \u201cSubscription is inactive" in text
    assert "changing it will not help" in text
    assert seen == ["api.shipstation.com"]


@pytest.mark.parametrize(
    ("api", "other_status", "expected"),
    [
        ("v2", 200, "The same key works with ShipEngine: set SHIPSTATION_API=shipengine"),
        ("shipengine", 200, "The same key works with ShipStation API V2: set SHIPSTATION_API=v2"),
        ("v2", 401, "ShipEngine refuses it too, so the key is wrong, revoked or not a key at all"),
        ("v2", 503, "SHIPSTATION_API matches where the key was made"),
    ],
)
async def test_401_says_whether_the_key_works_on_the_other_api(api: str, other_status: int, expected: str) -> None:
    asked: list[str] = []
    own_host = "api.shipstation.com" if api == "v2" else "api.shipengine.com"

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.url.host}{request.url.path}")
        if request.url.host == own_host:
            return httpx.Response(401, json={"errors": [{"message": "The API key is invalid."}]})
        return httpx.Response(other_status, json=[])

    async with _client(handler, api=api) as client:
        for _ in range(2):
            with pytest.raises(AuthenticationError) as caught:
                await client.list_carriers()
    text = describe_for_assistant(caught.value)
    assert text.startswith(
        "ShipStation rejected the API key (HTTP 401). ShipStation said: \u201cThe API key is invalid.\u201d"
    )
    assert expected in text
    assert "shipstation-mcp check" in text
    probes = [a for a in asked if not a.startswith(own_host)]
    # One probe, remembered; an answer that is neither yes nor no is asked again next time.
    assert len(probes) == (2 if other_status == 503 else 1)
    assert probes[0].endswith(("/v1/environment/webhooks", "/v2/environment/webhooks"))


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("your-api-key", "holds a placeholder, not a key"),
        ("<YOUR_API_KEY>", "holds a placeholder, not a key"),
        ("0123456789abcdef0123456789abcdef", "looks like a ShipStation V1 key"),
        ("0123456789abcdef:fedcba9876543210", "looks like a ShipStation V1 'key:secret' pair"),
    ],
)
async def test_a_refused_key_of_a_telling_shape_is_named_without_quoting_it(key: str, says: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"errors": [{"message": "unauthorized"}]})

    async with _client(handler, key=key) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_carriers()
    text = describe_for_assistant(caught.value)
    assert says in text
    assert key not in text


def test_ordinary_keys_have_no_shape_problem() -> None:
    for key in ("TEST_abcDEF123456ghiJKL789", "Xy3kq9ZpL2mN8vB4cR7tW1sD6fG0hJ5e", "pk_live_4f2a"):
        assert key_problem(key) is None


# ------------------------------------------------------------------------------------------------ real payloads

# name -> (kind of failure, what ShipStation said as the assistant reads it, or None, and the request id).
REAL_ERRORS: dict[str, tuple[type[ShipStationError], str | None, str]] = {
    "dotnet_BadRequest400Response": (
        RequestRejectedError,
        "Request body cannot be empty.",
        "22467317-a130-4927-95a6-76124b716e58",
    ),
    "dotnet_RateLimited429Response": (RateLimitedError, None, "204c855f-dcc0-4270-ba12-c585fc5ef4bf"),
    "js_mockTrackByCarrierCodeAndTrackingNumber400_500": (
        ServerError,
        "Something bad happened.",
        "123456789132456789123465789",
    ),
    "js_mockTrackByLabelId404_404": (
        NotFoundError,
        "GET /v1/labels/se-1234/track is not a valid API endpoint.",
        "594a0d7d-5905-48ef-bb89-93acea737b3a",
    ),
    "sentio_get_v1_carriers_bad_carrier_id_400_262846": (
        RequestRejectedError,
        "id parameter is in the wrong format.",
        "278a06ce-132a-4057-b5a3-68d5936dbb58",
    ),
    "sentio_get_v1_labels_bad_label_id_400_f2cf11": (
        RequestRejectedError,
        "id parameter is in the wrong format.",
        "79e8dd8b-e9fe-42b8-a4b2-76417aad5f10",
    ),
    "sentio_get_v1_labels_bad_label_id_track_400_eac1ab": (
        RequestRejectedError,
        "id parameter is in the wrong format.",
        "52c54c9b-e614-43bb-a688-afdcb4b70c6b",
    ),
    "sentio_get_v1_shipments_bad_shipment_id_400_45d245": (
        RequestRejectedError,
        "id parameter is in the wrong format.",
        "b5045931-8f79-4bfc-bae3-d5f60e3d705e",
    ),
    "sentio_get_v1_shipments_external_shipment_id_some_non_existing_external_id_404_ae6567": (
        NotFoundError,
        "Invalid external_shipment_id.",
        "ac7503be-91fd-461a-a99c-b547dd16fcd6",
    ),
    "sentio_get_v1_tracking_400_ea874e": (
        RequestRejectedError,
        "trackingNumber.String: A value is required but was not present in the request.",
        "095fadf9-9e3e-43ef-acc5-cb568eb7602d",
    ),
    "sentio_post_v1_tracking_start_400_1a4ec4": (
        RequestRejectedError,
        "trackingNumber.String: A value is required but was not present in the request.",
        "f96d0aaf-ab16-4203-9dd7-7b620bbe2eb2",
    ),
    "shipengine-ruby_get_v1_labels_se_324658_track_401_a04552": (
        AuthenticationError,
        "The API key is invalid. Please see https://www.shipengine.com/docs/auth.",
        "cdc19c7b-eec7-4730-8814-462623a62ddb",
    ),
    "shipengine-ruby_get_v1_tracking_401_ccaab9": (
        AuthenticationError,
        "The API key is invalid. Please see https://www.shipengine.com/docs/auth.",
        "cdc19c7b-eec7-4730-8814-462623a62ddb",
    ),
    "warmly_get_v1_labels_401_e782c9": (AuthenticationError, "Invalid API key.", "req_401"),
    "warmly_get_v1_labels_403_27183a": (AccessDenied, "Subscription is inactive.", "req_403"),
    "warmly_get_v1_labels_500_31615f": (ServerError, None, "req_x"),
    "warmly_get_v1_labels_500_db3ad0": (ServerError, "Internal server error.", "req_500"),
    "warmly_get_v1_labels_bad_id_400_fe9bae": (RequestRejectedError, "Invalid label ID.", "req_abc"),
    "warmly_get_v1_labels_se_nonexistent_404_25fa0b": (NotFoundError, "Label not found.", "req_404"),
}

OPENINGS: dict[type[ShipStationError], str] = {
    RequestRejectedError: "ShipStation refused the request (HTTP 400).",
    RateLimitedError: "ShipStation's rate limit (200 requests per minute; 40 on the classic V1 API) was reached",
    ServerError: "ShipStation failed with HTTP 500 after 1 attempt(s).",
    NotFoundError: "ShipStation has no record of the request (HTTP 404).",
    AuthenticationError: "ShipStation rejected the API key (HTTP 401).",
    AccessDenied: "ShipStation accepted the API key but refused the request (HTTP 403): the account's plan",
}


async def test_every_real_error_payload_reads_as_an_instruction() -> None:
    folder = real_kind("error")
    names = sorted(p.stem for p in folder.glob("*.json"))
    assert names, "the error folder is empty"
    unknown = sorted(set(names) - set(REAL_ERRORS))
    assert not unknown, f"new real error payloads need an expected message here: {unknown}"
    for name in names:
        body = (folder / f"{name}.json").read_bytes()
        status = json.loads((folder / f"{name}.meta").read_text())["http_status"]
        kind, said, request_id = REAL_ERRORS[name]

        def handler(request: httpx.Request, body: bytes = body, status: int = status) -> httpx.Response:
            if request.url.host == "api.shipstation.com":  # the probe of the other API: it refuses the key too
                return httpx.Response(401, json={"errors": [{"message": "unauthorized"}]})
            return httpx.Response(status, content=body, headers={"content-type": "application/json"})

        async with _client(handler, api="shipengine") as client:
            with pytest.raises(ShipStationError) as caught:
                await client.get_label("se-1")
        error = caught.value
        text = describe_for_assistant(error)
        assert type(error) is kind, name
        assert text.startswith(OPENINGS[kind]), (name, text)
        if said:
            assert f"ShipStation said: \u201c{said.rstrip('.')}" in text, (name, text)  # quoted: data, not ours
        else:
            assert "ShipStation said" not in text, (name, text)
        assert text.endswith(f"(ShipStation request id {request_id})"), (name, text)
        if kind is AuthenticationError:
            assert "ShipStation API V2 refuses it too" in text
        assert KEY not in text


async def test_with_a_base_url_a_401_asks_no_other_host() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(401, json={"errors": [{"message": "The API key is invalid."}]})

    settings = Settings(api_key=KEY, max_retries=0, base_url="http://127.0.0.1:9")
    async with ShipStationClient(settings, transport=httpx.MockTransport(handler), limiter=None) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_carriers()
    assert asked == ["http://127.0.0.1:9/v2/carriers"]  # SHIPSTATION_BASE_URL stands for the configured API only
    assert caught.value.other_api is None
    assert "SHIPSTATION_API matches where the key was made" in describe_for_assistant(caught.value)


def test_a_remembered_refusal_holds_ten_minutes_then_is_asked_again() -> None:
    client = ShipStationClient(Settings(api_key=KEY), limiter=None)
    moment = [1000.0]
    client.monotonic = lambda: moment[0]
    refusal = AccessDenied("GET /tracking answered HTTP 403", status=403)
    client.remember_refusal("track_by_number", refusal)
    moment[0] += 599
    assert client.refused("track_by_number") is refusal
    assert client.refused("watch") is None  # each capability on its own
    moment[0] += 2
    assert client.refused("track_by_number") is None
