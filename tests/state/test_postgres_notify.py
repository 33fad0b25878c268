"""PostgreSQL's LISTEN/NOTIFY wakes every instance's notifier at once: an event stored through one store object (as
another instance would) is published on this instance's subscription bus without waiting for the poll."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import anyio
import pytest
from mcp.server.subscriptions import ResourceUpdated

from shipstation_mcp.config import LiveSettings
from shipstation_mcp.live.notifier import LiveTracking, tracking_uri
from shipstation_mcp.state.postgres_store import PostgresEventStore
from shipstation_mcp.state.store import IncomingEvent
from tests.state.servers import PostgresServer
from tests.state.test_store_conformance import reset_postgres

pytestmark = pytest.mark.anyio


class RecordingBus:
    def __init__(self) -> None:
        self.events: list[object] = []
        self.arrived = anyio.Event()

    async def publish(self, event: object) -> None:
        self.events.append(event)
        self.arrived.set()


async def test_an_event_stored_by_another_instance_is_published_here_without_polling(
    postgres_server: PostgresServer,
) -> None:
    reset_postgres(postgres_server.url)
    bus = RecordingBus()
    live = LiveTracking(LiveSettings(database_url=postgres_server.url), bus=bus, poll_interval=3600)  # type: ignore[arg-type]
    other = await PostgresEventStore.open(postgres_server.url)
    try:
        async with live.running():
            assert live.where.startswith(f"PostgreSQL at postgresql://ssmcp@127.0.0.1:{postgres_server.port}/")
            await anyio.sleep(0.3)  # the listening connection is up
            started = time.monotonic()
            await other.add_event(
                IncomingEvent(
                    tracking_number="1ZNOTIFY",
                    dedupe_key="n1",
                    payload=json.dumps({"data": {}}),
                    received_at=datetime.now(UTC),
                )
            )
            with anyio.fail_after(2):
                await bus.arrived.wait()
            assert time.monotonic() - started < 1
    finally:
        await other.aclose()
    assert bus.events == [ResourceUpdated(uri=tracking_uri("1ZNOTIFY"))]
