"""The webhook receiver, end to end over real HTTP on 127.0.0.1: signed deliveries with a key made here, its JWKS
served by a local server, and the event store on disk. Every rejection is checked to have stored nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import httpx
import pytest

from shipstation_mcp.config import LiveSettings
from shipstation_mcp.live.receiver import (
    KEY_ID_HEADER,
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    JwksCache,
)
from shipstation_mcp.state.store import SQLiteEventStore
from shipstation_mcp.web import build_receiver_app
from tests.support.webhook_kit import JwksServer, SigningKey, body_of, eventually, jwks_server, payload, serving

pytestmark = pytest.mark.anyio

PATH = "/webhooks/shipstation"
KEY = SigningKey("kid-2026-a")


def stored(data_dir: Path) -> tuple[int, int]:
    """(events, subscriptions) in the store under `data_dir`, read through a separate connection."""
    store = SQLiteEventStore.open_sync(data_dir / "events.sqlite3")
    try:
        return (
            store._conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
            store._conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0],
        )
    finally:
        store._conn.close()


class Receiver:
    def __init__(self, base: str, data_dir: Path, jwks: JwksServer) -> None:
        self.url = base + PATH
        self.data_dir = data_dir
        self.jwks = jwks
        self.http = httpx.AsyncClient(timeout=10)

    async def post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        # The account's webhook secret: ShipStation sends it with every delivery of the account's webhook.
        return await self.http.post(self.url, content=body, headers={"X-Webhook-Secret": ACCOUNT_SECRET, **headers})

    async def deliver(self, obj: object, *, at: datetime | None = None, key: SigningKey = KEY) -> httpx.Response:
        body = body_of(obj)
        return await self.post(body, key.headers(body, at=at))

    def stored(self) -> tuple[int, int]:
        return stored(self.data_dir)


ACCOUNT_SECRET = "account-webhook-secret-0123456789"


@pytest.fixture
async def receiver(tmp_path: Path) -> AsyncIterator[Receiver]:
    with jwks_server(KEY) as keys:
        settings = LiveSettings(webhook_jwks_url=keys.url, data_dir=tmp_path, webhook_secret=ACCOUNT_SECRET)
        async with serving(build_receiver_app(settings)) as base:
            r = Receiver(base, tmp_path, keys)
            async with r.http:
                yield r


# ----------------------------------------------------------------------------- accepted


async def test_valid_v2_delivery_is_stored_and_acknowledged(receiver: Receiver) -> None:
    response = await receiver.deliver(payload("webhook_track_event_v2.json"))
    assert response.status_code == 200
    assert response.json() == {"status": "stored"}
    assert receiver.stored() == (1, 1)


async def test_valid_shipengine_api_track_delivery_is_stored(receiver: Receiver) -> None:
    response = await receiver.deliver(payload("webhook_api_track.json"))
    assert response.status_code == 200
    assert receiver.stored() == (1, 1)


async def test_repeated_delivery_is_stored_once_even_reformatted(receiver: Receiver) -> None:
    obj = payload()
    first = await receiver.deliver(obj)
    pretty = json.dumps(obj, indent=2, sort_keys=True).encode()  # same update, other bytes: signed anew
    second = await receiver.post(pretty, KEY.headers(pretty))
    assert (first.json(), second.json()) == ({"status": "stored"}, {"status": "duplicate"})
    assert second.status_code == 200
    assert receiver.stored() == (1, 1)


async def test_timestamp_within_five_minutes_either_way_is_accepted(receiver: Receiver) -> None:
    now = datetime.now(UTC)
    early = await receiver.deliver(payload(status_code="AC"), at=now - timedelta(minutes=4, seconds=30))
    late = await receiver.deliver(payload(status_code="DE"), at=now + timedelta(minutes=4, seconds=30))
    assert (early.status_code, late.status_code) == (200, 200)
    assert receiver.stored()[0] == 2


async def test_other_webhook_events_are_acknowledged_but_not_stored(receiver: Receiver) -> None:
    response = await receiver.deliver({"resource_url": "https://x", "resource_type": "API_BATCH", "data": {}})
    assert response.status_code == 202
    assert receiver.stored() == (0, 0)


REAL_NOTIFICATIONS = (
    Path(__file__).resolve().parents[3] / "shared" / "real-payloads" / "payloads" / "webhook_notification"
)
# Each real V2 pointer webhook (a `resource_url` and a `resource_type`, nothing else) with what it is: none carries a
# tracking update, so each is acknowledged (202, ShipStation does not resend it) and nothing is stored or watched.
POINTER_WEBHOOKS = {
    "pmcgee_fedex_fulfillment_shipped_v2.json": "FULFILLMENT_SHIPPED_V2",
    "pmcgee_fedex_label_created_v2.json": "LABEL_CREATED_V2",
    "pmcgee_fedex_new_order_created_v2.json": "SHIPMENT_CREATED_V2",  # a new order arrives as a shipment
}


@pytest.mark.parametrize("name", sorted(POINTER_WEBHOOKS))
async def test_real_v2_pointer_webhooks_are_acknowledged_and_nothing_is_stored(receiver: Receiver, name: str) -> None:
    if not REAL_NOTIFICATIONS.is_dir():
        pytest.skip(f"real payloads not found in {REAL_NOTIFICATIONS}")
    notice = json.loads((REAL_NOTIFICATIONS / name).read_text())
    assert notice["resource_type"] == POINTER_WEBHOOKS[name]  # the expectation above was written from this file
    assert set(notice) - {"_captured_at"} == {"resource_url", "resource_type"}
    response = await receiver.deliver(notice)
    assert response.status_code == 202 and response.json() == {"status": "ignored"}
    assert receiver.stored() == (0, 0)


def test_every_real_pointer_webhook_has_an_expectation() -> None:
    if not REAL_NOTIFICATIONS.is_dir():
        pytest.skip(f"real payloads not found in {REAL_NOTIFICATIONS}")
    assert {p.name for p in REAL_NOTIFICATIONS.glob("*.json")} == set(POINTER_WEBHOOKS)


# ----------------------------------------------------------------------------- rejected, nothing stored


async def test_tampered_body_is_rejected(receiver: Receiver) -> None:
    body = body_of(payload())
    headers = KEY.headers(body)
    tampered = body.replace(b"OUT_FOR_DELIVERY", b"DELIVERED_XXXXXX")
    response = await receiver.post(tampered, headers)
    assert response.status_code == 401
    assert response.text == "Unauthorized"
    assert receiver.stored() == (0, 0)


async def test_signature_by_another_key_under_our_key_id_is_rejected(receiver: Receiver) -> None:
    impostor = SigningKey(KEY.kid, slot=1)
    response = await receiver.deliver(payload(), key=impostor)
    assert response.status_code == 401
    assert receiver.stored() == (0, 0)


async def test_timestamp_is_part_of_what_is_signed(receiver: Receiver) -> None:
    body = body_of(payload())
    headers = KEY.headers(body)
    headers[TIMESTAMP_HEADER] = (datetime.now(UTC) - timedelta(seconds=5)).isoformat()
    assert (await receiver.post(body, headers)).status_code == 401
    assert receiver.stored() == (0, 0)


async def test_wrong_key_id_is_rejected_after_one_refetch(receiver: Receiver) -> None:
    await eventually(lambda: receiver.jwks.requests > 0)  # the start-up fetch
    body = body_of(payload())
    response = await receiver.post(body, KEY.headers(body, kid="kid-nobody-knows"))
    assert response.status_code == 401
    assert receiver.jwks.requests == 2  # start-up + one refetch for the unknown id
    # Random key ids cannot make the receiver hammer the JWKS URL: within the cooldown no further fetches. Each
    # might be a key ShipStation just started using, so it is deferred (retried), not refused (a 401 is final).
    for n in range(5):
        again = await receiver.post(body, KEY.headers(body, kid=f"random-{n}"))
        assert again.status_code == 503
        assert again.headers["retry-after"] == "60"
    assert receiver.jwks.requests == 2
    assert receiver.stored() == (0, 0)


@pytest.mark.parametrize("minutes_off", [-6, 6, -60 * 24])
async def test_expired_or_future_timestamp_is_rejected(receiver: Receiver, minutes_off: int) -> None:
    response = await receiver.deliver(payload(), at=datetime.now(UTC) + timedelta(minutes=minutes_off))
    assert response.status_code == 400
    assert receiver.stored() == (0, 0)


@pytest.mark.parametrize("missing", [KEY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER])
async def test_missing_signature_header_is_rejected_as_not_found(receiver: Receiver, missing: str) -> None:
    body = body_of(payload())
    headers = KEY.headers(body)
    del headers[missing]
    response = await receiver.post(body, headers)
    assert response.status_code == 404
    assert receiver.stored() == (0, 0)


async def test_garbled_signature_is_rejected(receiver: Receiver) -> None:
    body = body_of(payload())
    headers = KEY.headers(body)
    headers[SIGNATURE_HEADER] = "not base64 at all!"
    assert (await receiver.post(body, headers)).status_code == 401
    assert receiver.stored() == (0, 0)


async def test_unreadable_timestamp_is_rejected(receiver: Receiver) -> None:
    body = body_of(payload())
    headers = KEY.headers(body)
    headers[TIMESTAMP_HEADER] = "yesterday"
    assert (await receiver.post(body, headers)).status_code == 400
    assert receiver.stored() == (0, 0)


async def test_oversized_body_is_rejected_by_its_declared_length(receiver: Receiver) -> None:
    obj = payload()
    obj["padding"] = "x" * MAX_BODY_BYTES
    response = await receiver.deliver(obj)  # correctly signed, but too big
    assert response.status_code == 413
    assert receiver.stored() == (0, 0)


async def test_oversized_chunked_body_is_cut_off_while_reading(receiver: Receiver) -> None:
    body = body_of({**payload(), "padding": "x" * (MAX_BODY_BYTES + 10)})
    headers = {**KEY.headers(body), "X-Webhook-Secret": ACCOUNT_SECRET}
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the receiver must count
        nonlocal sent
        for start in range(0, len(body), 64 * 1024):
            sent += 1
            yield body[start : start + 64 * 1024]

    try:
        response = await receiver.http.post(receiver.url, content=chunks(), headers=headers)
        assert response.status_code == 413
    except httpx.HTTPError:
        pass  # the server may close the connection before the client finished sending: also a rejection
    assert receiver.stored() == (0, 0)


async def test_signed_body_that_is_not_json_is_rejected(receiver: Receiver) -> None:
    body = b"{not json"
    assert (await receiver.post(body, KEY.headers(body))).status_code == 400
    assert receiver.stored() == (0, 0)


async def test_only_post_is_served(receiver: Receiver) -> None:
    response = await receiver.http.get(receiver.url)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


# ----------------------------------------------------------------------------- shared secret, verification off


async def test_shared_secret_is_required_when_set(tmp_path: Path) -> None:
    secret = "s3cret-value-for-tests-0123456789"
    with jwks_server(KEY) as keys:
        settings = LiveSettings(webhook_jwks_url=keys.url, data_dir=tmp_path, webhook_secret=secret)
        async with serving(build_receiver_app(settings)) as base, httpx.AsyncClient() as http:
            body = body_of(payload())
            signed = KEY.headers(body)
            missing = await http.post(base + PATH, content=body, headers=signed)
            wrong = await http.post(base + PATH, content=body, headers={**signed, "X-Webhook-Secret": "nope" * 5})
            assert (missing.status_code, wrong.status_code) == (404, 401)
            assert stored(tmp_path) == (0, 0)
            right = await http.post(base + PATH, content=body, headers={**signed, "X-Webhook-Secret": secret})
            assert right.status_code == 200
    assert stored(tmp_path) == (1, 1)


async def test_verification_off_accepts_unsigned_deliveries_with_the_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "another-long-test-secret-0123456789"
    settings = LiveSettings(data_dir=tmp_path, webhook_verify=False, webhook_secret=secret)
    with caplog.at_level("WARNING"):
        async with serving(build_receiver_app(settings)) as base, httpx.AsyncClient() as http:
            body = body_of(payload())
            without = await http.post(base + PATH, content=body)
            with_secret = await http.post(base + PATH, content=body, headers={"X-Webhook-Secret": secret})
    assert (without.status_code, with_secret.status_code) == (404, 200)
    assert "SHIPSTATION_WEBHOOK_VERIFY=false" in caplog.text
    assert secret not in caplog.text
    assert stored(tmp_path) == (1, 1)


async def test_verification_off_without_secret_warns_that_anyone_can_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = LiveSettings(data_dir=tmp_path, webhook_verify=False)
    with caplog.at_level("WARNING"):
        async with serving(build_receiver_app(settings)) as base, httpx.AsyncClient() as http:
            response = await http.post(base + PATH, content=body_of(payload()))
    assert response.status_code == 200
    assert "anyone who can reach /webhooks/shipstation" in caplog.text


# ----------------------------------------------------------------------------- many at once


async def test_200_concurrent_deliveries_with_duplicates_store_exactly_the_distinct_updates(
    receiver: Receiver,
) -> None:
    distinct = [
        payload(tracking_number=f"1Z7W93X9037814{n:04d}", status_code=code) for n in range(40) for code in ("IT", "DE")
    ]  # 80 distinct updates for 40 packages
    deliveries = [distinct[i % len(distinct)] for i in range(200)]  # each sent 2 or 3 times
    statuses: list[int] = []

    async def send(obj: object) -> None:
        statuses.append((await receiver.deliver(obj)).status_code)

    async with anyio.create_task_group() as tasks:
        for obj in deliveries:
            tasks.start_soon(send, obj)
    assert statuses == [200] * 200
    assert receiver.stored() == (80, 40)


# ----------------------------------------------------------------------------- keys


async def test_rotated_key_is_picked_up_by_one_refetch(tmp_path: Path) -> None:
    new_key = SigningKey("kid-2026-b", slot=1)
    with jwks_server(KEY) as keys:
        settings = LiveSettings(webhook_jwks_url=keys.url, data_dir=tmp_path)
        app = build_receiver_app(settings)
        async with serving(app) as base, httpx.AsyncClient() as http:
            body = body_of(payload())
            assert (await http.post(base + PATH, content=body, headers=KEY.headers(body))).status_code == 200
            keys.keys = [new_key]  # ShipStation rotates its signing key
            body = body_of(payload(status_code="DE"))
            response = await http.post(base + PATH, content=body, headers=new_key.headers(body))
            assert response.status_code == 200
            assert keys.requests == 2
    assert stored(tmp_path)[0] == 2


async def test_a_probe_with_a_made_up_key_id_cannot_make_a_rotated_key_fail(tmp_path: Path) -> None:
    """Without a webhook secret nothing proves a delivery is ShipStation's before its key is known. A probe naming
    a made-up key id may use the one refetch allowed per minute, but a genuine delivery signed with ShipStation's
    new key then gets 503 (retried), never 401, and is stored when it comes again after the cooldown."""
    new_key = SigningKey("kid-2026-b", slot=1)
    clock = [1000.0]
    with jwks_server(KEY) as keys:
        settings = LiveSettings(webhook_jwks_url=keys.url, data_dir=tmp_path)
        jwks = JwksCache(keys.url, monotonic=lambda: clock[0])
        async with serving(build_receiver_app(settings, jwks=jwks)) as base, httpx.AsyncClient() as http:
            await eventually(lambda: jwks.key_ids)
            probe = body_of({"resource_type": "API_TRACK"})
            headers = {**KEY.headers(probe, kid="kid-made-up"), SIGNATURE_HEADER: "AAAA"}
            assert (await http.post(base + PATH, content=probe, headers=headers)).status_code == 401
            keys.keys = [KEY, new_key]  # a moment later ShipStation starts signing with a new key
            body = body_of(payload(status_code="DE"))
            deferred = await http.post(base + PATH, content=body, headers=new_key.headers(body))
            assert (deferred.status_code, deferred.headers.get("retry-after")) == (503, "60")
            clock[0] += 61  # ShipStation delivers again later
            retried = await http.post(base + PATH, content=body, headers=new_key.headers(body))
            assert retried.status_code == 200
    assert stored(tmp_path)[0] == 1


async def test_unproven_lookups_leave_the_refetch_of_deliveries_with_the_secret_alone(tmp_path: Path) -> None:
    """With the account's secret, deliveries without it are turned away before any key is looked up, and a probe
    that could reach the key lookup unproven uses a refetch budget of its own: the proven delivery's refetch is
    still there."""
    new_key = SigningKey("kid-2026-b", slot=1)
    clock = [1000.0]
    with jwks_server(KEY) as keys:
        jwks = JwksCache(keys.url, monotonic=lambda: clock[0])
        async with jwks.running():
            await eventually(lambda: jwks.key_ids)
            assert await jwks.lookup("kid-made-up", proven=False) == "unknown"  # spends the unproven refetch
            assert await jwks.lookup("kid-made-up-2", proven=False) == "unchecked"
            keys.keys = [KEY, new_key]
            assert await jwks.lookup(new_key.kid, proven=True) is not None
            assert keys.requests == 3


async def test_jwks_unreachable_at_start_does_not_stop_the_receiver(tmp_path: Path) -> None:
    settings = LiveSettings(webhook_jwks_url="http://127.0.0.1:9/jwks", data_dir=tmp_path)  # nothing listens
    async with serving(build_receiver_app(settings)) as base, httpx.AsyncClient() as http:
        body = body_of(payload())
        response = await http.post(base + PATH, content=body, headers=KEY.headers(body))
    assert response.status_code == 503  # our problem, not the sender's: ShipStation delivers it again
    assert response.headers["retry-after"] == "30"
    assert stored(tmp_path) == (0, 0)
