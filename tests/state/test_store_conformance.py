"""One conformance suite for every `EventStore`: SQLite (always) and PostgreSQL (when it is installed).

What a store must do, whatever it runs on: keep each update once (by its dedupe key), list and page events, fold
updates into their package's subscription with the status only ever moving forward, honour watch/unwatch, and
stay correct with several writers at once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import psycopg
import pytest

from shipstation_mcp.state.store import EventStore, IncomingEvent, SQLiteEventStore

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
NUMBER = "1Z7W93X90378146521"


def event(
    key: str,
    *,
    status: str = "IT",
    occurred: datetime | None = T0,
    received: datetime = T0,
    number: str = NUMBER,
    terminal: str | None = None,
    carrier: str | None = "ups",
) -> IncomingEvent:
    return IncomingEvent(
        tracking_number=number,
        dedupe_key=key,
        payload=json.dumps({"resource_type": "TRACK_EVENT_V2", "data": {"status_code": status}}),
        received_at=received,
        carrier_code=carrier,
        resource_type="TRACK_EVENT_V2",
        status_code=status,
        status_description={"IT": "In Transit", "DE": "Delivered", "EX": "Exception"}.get(status),
        occurred_at=occurred,
        terminal=terminal,  # type: ignore[arg-type]
    )


def reset_postgres(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS events, subscriptions, shipstation_mcp_schema")


class Opener:
    """Opens stores of one kind on one shared database (a second `open` is a second instance)."""

    def __init__(self, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.kind = kind
        self.path = tmp_path / "events.sqlite3"
        self.url = ""
        if kind == "postgresql":
            self.url = request.getfixturevalue("postgres_server").url
            reset_postgres(self.url)
        self.opened: list[EventStore] = []

    async def open(self) -> EventStore:
        if self.kind == "sqlite":
            store: EventStore = await SQLiteEventStore.open(self.path)
        else:
            from shipstation_mcp.state.postgres_store import PostgresEventStore

            store = await PostgresEventStore.open(self.url)
        self.opened.append(store)
        return store


@pytest.fixture(params=["sqlite", "postgresql"])
async def opener(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    opener = Opener(request.param, tmp_path, request)
    yield opener
    for store in opener.opened:
        await store.aclose()


@pytest.fixture
async def store(opener: Opener) -> EventStore:
    return await opener.open()


# ----------------------------------------------------------------------------- storing and reading


async def test_same_key_is_stored_once(store: EventStore) -> None:
    first = await store.add_event(event("same"))
    second = await store.add_event(event("same", status="DE"))
    assert first is not None and first.id > 0 and second is None
    assert (await store.events()).total == 1
    assert (await store.subscription(NUMBER)).status_code == "IT"  # the duplicate changed nothing


async def test_stored_event_reads_back_as_written(store: EventStore) -> None:
    stored = await store.add_event(event("a", occurred=T0 + timedelta(microseconds=123456)))
    page = await store.events()
    assert page.events == [stored]
    assert page.events[0].occurred_at == T0 + timedelta(microseconds=123456)
    assert page.events[0].occurred_at.tzinfo is not None and page.events[0].data() == {"status_code": "IT"}


async def test_events_newest_received_first_filtered_and_limited(store: EventStore) -> None:
    for i in range(5):
        await store.add_event(event(f"k{i}", received=T0 + timedelta(minutes=i)))
    await store.add_event(event("other", number="OTHER", received=T0 + timedelta(minutes=10)))
    page = await store.events(tracking_number=NUMBER, limit=2)
    newest = [T0 + timedelta(minutes=4), T0 + timedelta(minutes=3)]
    assert page.total == 5 and [e.received_at for e in page.events] == newest
    assert (await store.events(since=T0 + timedelta(minutes=3))).total == 3
    assert (await store.events()).events[0].tracking_number == "OTHER"


async def test_latest_event_is_the_newest_scan_not_the_latest_delivery(store: EventStore) -> None:
    await store.add_event(event("new-scan", status="DE", occurred=T0 + timedelta(days=1), received=T0))
    await store.add_event(event("old-scan", status="IT", occurred=T0, received=T0 + timedelta(hours=2)))
    latest = await store.latest_event(NUMBER)
    assert latest is not None and latest.status_code == "DE"
    assert await store.latest_event("nobody") is None


async def test_events_after_lists_new_rows_in_order(store: EventStore) -> None:
    assert await store.last_event_id() == 0
    a = await store.add_event(event("a"))
    b = await store.add_event(event("b", number="B"))
    assert a and b and a.id < b.id
    assert await store.events_after(0) == [(a.id, NUMBER), (b.id, "B")]
    assert await store.events_after(a.id) == [(b.id, "B")]
    assert await store.last_event_id() == b.id


# ----------------------------------------------------------------------------- subscriptions


async def test_watch_then_updates_then_delivery_stops_the_watch(store: EventStore) -> None:
    watched = await store.watch(NUMBER, "ups", at=T0)
    assert watched.watching and watched.source == "subscribe_tracking" and watched.since == T0
    assert watched.status_code is None and watched.event_count == 0
    await store.add_event(event("it1", occurred=T0 + timedelta(hours=1), received=T0 + timedelta(hours=1)))
    await store.add_event(event("it2", occurred=T0 + timedelta(hours=2), received=T0 + timedelta(hours=2)))
    sub = await store.subscription(NUMBER)
    assert sub.status_code == "IT" and sub.status_changed_at == T0 + timedelta(hours=1) and sub.event_count == 2
    delivered_at = T0 + timedelta(hours=3)
    await store.add_event(event("de", status="DE", occurred=delivered_at, received=delivered_at, terminal="delivered"))
    sub = await store.subscription(NUMBER)
    assert (sub.status_code, sub.stop_reason, sub.stopped_at, sub.watching) == ("DE", "delivered", delivered_at, False)
    assert sub.last_event_at == delivered_at and sub.last_received_at == delivered_at


async def test_late_delivery_of_an_older_update_does_not_roll_the_status_back(store: EventStore) -> None:
    await store.add_event(event("de", status="DE", occurred=T0 + timedelta(days=1), terminal="delivered"))
    await store.add_event(event("it", status="IT", occurred=T0, received=T0 + timedelta(days=2)))
    sub = await store.subscription(NUMBER)
    assert sub.status_code == "DE" and sub.stop_reason == "delivered" and sub.event_count == 2
    assert sub.last_received_at == T0 + timedelta(days=2)


@pytest.mark.parametrize(
    ("delivered_scan", "late_scan"),
    [
        (T0, T0),  # the same scan time
        (T0, None),  # an update without a scan time
        (None, T0 + timedelta(days=1)),  # the delivery had no scan time: nothing proves the update is newer
        (None, None),
    ],
)
async def test_delivered_never_goes_back_to_in_transit(
    store: EventStore, delivered_scan: datetime | None, late_scan: datetime | None
) -> None:
    await store.add_event(event("de", status="DE", occurred=delivered_scan, terminal="delivered"))
    await store.add_event(event("it", status="IT", occurred=late_scan, received=T0 + timedelta(hours=5)))
    sub = await store.subscription(NUMBER)
    assert (sub.status_code, sub.stop_reason) == ("DE", "delivered")


async def test_a_strictly_newer_scan_after_delivery_is_the_current_status(store: EventStore) -> None:
    await store.add_event(event("de", status="DE", occurred=T0, terminal="delivered"))
    await store.add_event(event("ex", status="EX", occurred=T0 + timedelta(days=1), terminal="exception"))
    assert (await store.subscription(NUMBER)).status_code == "EX"


async def test_first_update_for_an_unwatched_number_creates_its_subscription(store: EventStore) -> None:
    await store.add_event(event("ex", status="EX", terminal="exception", carrier=None))
    sub = await store.subscription(NUMBER)
    assert sub.source == "webhook" and sub.status_code == "EX" and sub.stop_reason == "exception"
    assert sub.carrier_code is None and sub.since == T0


async def test_unwatch_sticks_through_later_updates_and_watch_again_restarts(store: EventStore) -> None:
    await store.watch(NUMBER, "ups", at=T0)
    await store.unwatch(NUMBER, None, at=T0 + timedelta(hours=1))
    await store.add_event(event("it", occurred=T0 + timedelta(hours=2), received=T0 + timedelta(hours=2)))
    sub = await store.subscription(NUMBER)
    assert sub.stop_reason == "unsubscribed" and sub.status_code == "IT"
    again = await store.watch(NUMBER, None, at=T0 + timedelta(hours=3))
    assert again.watching and again.since == T0 + timedelta(hours=3) and again.carrier_code == "ups"


async def test_unwatch_of_an_unknown_number_records_nothing(store: EventStore) -> None:
    assert await store.unwatch("nobody", None, at=T0) is None
    assert await store.subscriptions() == []


async def test_subscriptions_most_recently_active_first(store: EventStore) -> None:
    await store.watch("A", None, at=T0)
    await store.watch("B", None, at=T0 + timedelta(minutes=1))
    await store.add_event(event("a1", number="A", received=T0 + timedelta(minutes=5)))
    assert [s.tracking_number for s in await store.subscriptions()] == ["A", "B"]


# ----------------------------------------------------------------------------- several instances


async def test_two_instances_writing_at_once_store_each_update_exactly_once(opener: Opener) -> None:
    first, second = await opener.open(), await opener.open()
    stored: list[int] = []

    async def deliver(store: EventStore, i: int) -> None:
        # Both instances get every delivery (a retry landing on the other replica): each is kept once.
        got = await store.add_event(
            event(f"k{i}", number=f"N{i % 7}", occurred=T0 + timedelta(minutes=i), received=T0 + timedelta(minutes=i))
        )
        if got is not None:
            stored.append(got.id)

    async with anyio.create_task_group() as tasks:
        for i in range(40):
            tasks.start_soon(deliver, first, i)
            tasks.start_soon(deliver, second, i)
    assert len(stored) == 40 and len(set(stored)) == 40
    assert (await second.events(limit=100)).total == 40
    assert sum(s.event_count for s in await first.subscriptions()) == 40
    ids = [i for i, _ in await first.events_after(0)]
    assert ids == sorted(stored)
    for sub in await second.subscriptions():
        n = int(sub.tracking_number[1:])
        assert sub.last_event_at == T0 + timedelta(minutes=max(i for i in range(40) if i % 7 == n))


async def test_reopening_keeps_the_data_and_does_not_migrate_again(opener: Opener) -> None:
    first = await opener.open()
    await first.add_event(event("a"))
    second = await opener.open()
    assert (await second.events()).total == 1
