"""Several real instances sharing one PostgreSQL event store.

- a signed delivery received by instance A notifies a client listening on instance B within 2 s (PostgreSQL
  LISTEN/NOTIFY wakes B's notifier, which publishes on B's own subscription bus), a legacy `resources/subscribe`
  client on C is told too, and `get_tracking_updates` on C returns the update;
- SIGKILL one of two receivers during 200 concurrent signed deliveries spread over both (a delivery that fails is
  sent again to the other, as ShipStation retries): every acknowledged delivery is in PostgreSQL exactly once.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from pathlib import Path

import anyio
import httpx
import mcp.types as mcp_types
import psycopg
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.client.subscriptions import ResourceUpdated
from mcp.shared._httpx_utils import create_mcp_http_client

from shipstation_mcp.live.receiver import dedupe_key
from tests.e2e.instances import TOKEN, Instance, instances
from tests.state.servers import PostgresServer
from tests.state.test_store_conformance import reset_postgres
from tests.support.webhook_kit import SigningKey, body_of, jwks_server, payload

pytestmark = [pytest.mark.anyio, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]

KEY = SigningKey("kid-e2e")
NUMBER = "1Z7W93X90378146521"  # the tracking number in webhook_track_event_v2.json
URI = f"shipstation://tracking/{NUMBER}"


def client(instance: Instance, **kwargs: object) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
    return Client(streamable_http_client(instance.mcp_url, http_client=http), **kwargs)  # type: ignore[arg-type]


async def test_a_delivery_to_one_instance_notifies_clients_on_the_others(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    reset_postgres(postgres_server.url)
    legacy_told = anyio.Event()

    async def on_message(message: object) -> None:
        if isinstance(message, mcp_types.ResourceUpdatedNotification) and str(message.params.uri) == URI:
            legacy_told.set()

    with jwks_server(KEY) as keys:
        env = {"SHIPSTATION_DATABASE_URL": postgres_server.url, "SHIPSTATION_WEBHOOK_JWKS_URL": keys.url}
        with instances(3, tmp_path, env) as (a, b, c):
            async with (
                client(b) as on_b,
                client(c, mode="legacy", message_handler=on_message) as legacy_on_c,
                httpx.AsyncClient(timeout=10) as http,
            ):
                assert on_b.protocol_version >= "2026-07-28"
                await legacy_on_c.subscribe_resource(URI)
                async with on_b.listen(resource_subscriptions=[URI]) as subscription:
                    body = body_of(payload())
                    started = time.monotonic()
                    response = await http.post(a.webhook_url, content=body, headers=KEY.headers(body))
                    assert response.status_code == 200, a.tail()
                    with anyio.fail_after(2):
                        event = await anext(aiter(subscription))
                    notified_after = time.monotonic() - started
                assert event == ResourceUpdated(uri=URI)
                with anyio.fail_after(2):
                    await legacy_told.wait()
            async with client(c) as on_c:
                result = await on_c.call_tool("get_tracking_updates", {"tracking_number": NUMBER})
    assert not result.is_error, result.content
    assert len(result.structured_content["updates"]) == 1
    assert notified_after < 2


async def test_sigkill_during_deliveries_over_two_receivers_keeps_each_acknowledged_one_exactly_once(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    reset_postgres(postgres_server.url)
    acknowledged: list[str] = []
    with jwks_server(KEY) as keys:
        env = {"SHIPSTATION_DATABASE_URL": postgres_server.url, "SHIPSTATION_WEBHOOK_JWKS_URL": keys.url}
        with instances(2, tmp_path, env, command="webhooks") as (doomed, survivor):
            # At most 100 requests in flight; each delivery has its own connections, as ShipStation's do. (One
            # client's pool of 100 shared by all would cost this process seconds of CPU: httpcore scans every pooled
            # connection, for each one, at every request's start and end.)
            in_flight = anyio.CapacityLimiter(100)

            async def deliver(n: int) -> None:
                obj = payload(tracking_number=f"1Z7W93X9{n:010d}")
                body = body_of(obj)
                targets = [doomed, survivor] if n % 2 else [survivor, doomed]
                async with httpx.AsyncClient(timeout=10) as http:

                    async def post(target: Instance) -> httpx.Response:
                        async with in_flight:
                            return await http.post(target.webhook_url, content=body, headers=KEY.headers(body))

                    for attempt in range(6):  # like ShipStation: a failed delivery is sent again
                        target = targets[attempt % 2]
                        try:
                            response = await post(target)
                        except httpx.TransportError:
                            continue
                        if response.status_code == 200:
                            acknowledged.append(dedupe_key(obj))
                            if n % 10 == 0:  # a retry that lands on the other replica: stored once
                                with contextlib.suppress(httpx.TransportError):
                                    await post(targets[(attempt + 1) % 2])
                            return

            async def kill_mid_flight() -> None:
                while len(acknowledged) < 60:  # noqa: ASYNC110 - counted by other tasks
                    await anyio.sleep(0.005)
                doomed.process.send_signal(signal.SIGKILL)

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(kill_mid_flight)
                for n in range(200):
                    tasks.start_soon(deliver, n)
            assert doomed.process.wait(5) == -signal.SIGKILL

    assert len(acknowledged) == 200  # every delivery got through to one receiver or the other
    with psycopg.connect(postgres_server.url) as conn:
        rows = conn.execute("SELECT dedupe_key, count(*) FROM events GROUP BY dedupe_key").fetchall()
        subscriptions = conn.execute("SELECT count(*) FROM subscriptions").fetchone()[0]
    kept = dict(rows)
    assert set(acknowledged) <= kept.keys()
    assert all(count == 1 for count in kept.values())
    # Signed but sent without this install's webhook secret: kept apart (200 < MAX_UNWATCHED_EVENTS, so all of
    # them), starting no watch, exactly as the SQLite store does.
    assert len(kept) == 200 and subscriptions == 0
