"""The webhook receiver's pieces without a server: the signed message, signature checks, timestamps, JWKS parsing
and caching, and the dedupe key."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import anyio
import httpx
import pytest

from shipstation_mcp.live.receiver import (
    JwksCache,
    dedupe_key,
    parse_signature_timestamp,
    public_keys_from_jwks,
    signed_message,
    tracking_event,
    verify_signature,
)
from tests.support.webhook_kit import SigningKey, eventually, payload

pytestmark = pytest.mark.anyio


KEY = SigningKey("kid-2026-a")


async def test_jwks_cache_shares_one_refetch_and_bounds_the_wait() -> None:
    clock = [1000.0]
    calls = 0
    release = anyio.Event()

    async def slow_jwks(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls > 1:
            await release.wait()  # the refetch hangs
        return httpx.Response(200, json={"keys": [KEY.jwk()]})

    cache = JwksCache(
        "https://jwks.test/jwks",
        transport=httpx.MockTransport(slow_jwks),
        unknown_key_wait=0.2,
        refetch_cooldown=60,
        monotonic=lambda: clock[0],
    )
    async with cache.running():
        await eventually(lambda: cache.key_ids)
        assert await cache.key_for(KEY.kid) is not None
        started = anyio.current_time()
        results = []

        async def ask(kid: str) -> None:
            results.append(await cache.key_for(kid))

        async with anyio.create_task_group() as tasks:
            for n in range(20):
                tasks.start_soon(ask, f"unknown-{n}")
        waited = anyio.current_time() - started
        assert results == [None] * 20
        assert calls == 2  # twenty unknown ids, one refetch
        assert waited < 1.0  # bounded by unknown_key_wait, although the fetch still hangs
        clock[0] += 61  # after the cooldown an unknown id may refetch again (joining the one in flight)
        release.set()


def test_signed_message_layout() -> None:
    assert signed_message("2026-05-01T12:00:00.000Z", b'{"a":1}') == b'2026-05-01T12:00:00.000Z.{"a":1}'


def test_verify_signature_checks_body_timestamp_and_encoding() -> None:
    public = KEY.private.public_key()
    body, stamp = b'{"x":1}', "1777636800"
    good = KEY.sign(body, stamp)
    assert verify_signature(public, stamp, body, good)
    assert not verify_signature(public, stamp, body + b" ", good)
    assert not verify_signature(public, "1777636801", body, good)
    assert not verify_signature(public, stamp, body, good[:-4] + "AAAA")
    assert not verify_signature(public, stamp, body, "%%%")
    assert not verify_signature(public, stamp, body, base64.b64encode(b"short").decode())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T12:00:00Z", datetime(2026, 5, 1, 12, tzinfo=UTC)),
        ("2026-05-01T12:00:00.250Z", datetime(2026, 5, 1, 12, 0, 0, 250000, tzinfo=UTC)),
        ("2026-05-01T14:00:00+02:00", datetime(2026, 5, 1, 12, tzinfo=UTC)),
        ("2026-05-01T12:00:00", datetime(2026, 5, 1, 12, tzinfo=UTC)),
        ("1777636800", datetime(2026, 5, 1, 12, tzinfo=UTC)),
        ("1777636800000", datetime(2026, 5, 1, 12, tzinfo=UTC)),
        ("soon", None),
        ("nan", None),
        ("", None),
    ],
)
def test_signature_timestamps_in_iso_or_unix_form(text: str, expected: datetime | None) -> None:
    assert parse_signature_timestamp(text) == expected


def test_jwks_parsing_keeps_only_usable_rsa_signing_keys() -> None:
    weak = SigningKey("weak")
    document = {
        "keys": [
            KEY.jwk(),
            {**KEY.jwk(), "kid": "enc", "use": "enc"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            {"kty": "RSA", "kid": "tiny", "n": "AQAB", "e": "AQAB"},
            {**weak.jwk(), "kid": ""},
            "junk",
        ]
    }
    assert sorted(public_keys_from_jwks(document)) == [KEY.kid]
    assert public_keys_from_jwks({"keys": "nope"}) == {}
    assert public_keys_from_jwks([]) == {}


def test_dedupe_key_ignores_formatting_but_not_content() -> None:
    obj = payload()
    same = json.loads(json.dumps(obj, indent=4))
    assert dedupe_key(obj) == dedupe_key(same)
    assert dedupe_key(obj) != dedupe_key(payload(status_code="DE"))


async def test_jwks_redirect_to_plain_http_is_not_followed_into_trust() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "https":
            return httpx.Response(302, headers={"location": "http://jwks.example.com/keys"})
        return httpx.Response(200, json={"keys": [KEY.jwk()]})

    cache = JwksCache("https://jwks.example.com/jwks", transport=httpx.MockTransport(handler))
    async with cache.running():
        await eventually(lambda: cache.fetches > 0 and cache._in_flight is None)  # the first fetch is over
        assert cache.key_ids == []


async def test_jwks_redirect_within_https_is_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/jwks":
            return httpx.Response(301, headers={"location": "https://keys.example.com/v2/jwks"})
        return httpx.Response(200, json={"keys": [KEY.jwk()]})

    cache = JwksCache("https://jwks.example.com/jwks", transport=httpx.MockTransport(handler))
    async with cache.running():
        await eventually(lambda: cache.key_ids)
    assert cache.key_ids == [KEY.kid]


def test_a_stored_update_carries_the_reading_not_a_lagging_status() -> None:
    """An update whose status still says IT over a mailbox delivery is stored (and listed) as delivered; what ends
    ShipStation's own watch is still its own status (IT: not terminal)."""
    body = {
        "resource_url": "https://api.shipstation.com/v2/labels/se-1/track",
        "resource_type": "TRACK_EVENT_V2",
        "data": {
            "tracking_number": "9400100000000000000001",
            "carrier_code": "stamps_com",
            "status_code": "IT",
            "status_description": "In Transit",
            "events": [
                {
                    "occurred_at": "2026-03-12T14:00:00Z",
                    "description": "Delivered, In/At Mailbox",
                    "status_code": "DE",
                    "city_locality": "COLUMBUS",
                    "state_province": "OH",
                    "postal_code": "43215",
                    "country_code": "US",
                },
                {"occurred_at": "2026-03-12T11:00:00Z", "description": "Out for Delivery", "status_code": "IT"},
            ],
        },
    }
    raw = json.dumps(body).encode()
    event = tracking_event(body, raw, received_at=datetime(2026, 3, 12, 18, tzinfo=UTC))
    assert (event.status_code, event.status_description) == ("DE", "Delivered")
    assert event.occurred_at == datetime(2026, 3, 12, 14, tzinfo=UTC) and event.terminal is None
