"""The SQLite event store: schema versioning, durability settings, dedupe, and how updates fold into subscriptions."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shipstation_mcp.state.store import SCHEMA_VERSION, IncomingEvent, SQLiteEventStore, StoreError

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


@pytest.fixture
async def store(tmp_path: Path):
    s = await SQLiteEventStore.open(tmp_path / "events.sqlite3")
    yield s
    await s.aclose()


# ----------------------------------------------------------------------------- opening, schema, durability


async def test_new_store_is_at_the_current_schema_in_wal_mode_with_full_sync(store: SQLiteEventStore) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
async def test_store_file_and_folder_are_private_to_the_user(tmp_path: Path) -> None:
    path = tmp_path / "new" / "events.sqlite3"
    s = await SQLiteEventStore.open(path)
    await s.aclose()
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o077 == 0


async def test_empty_file_from_before_any_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    sqlite3.connect(path).close()  # version 0: no tables
    s = await SQLiteEventStore.open(path)
    assert await s.add_event(event("a")) is not None
    await s.aclose()


async def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    s = await SQLiteEventStore.open(path)
    await s.add_event(event("a"))
    await s.aclose()
    again = await SQLiteEventStore.open(path)
    assert (await again.events()).total == 1
    await again.aclose()


async def test_store_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer shipstation-mcp"):
        await SQLiteEventStore.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 99
    conn.close()


async def test_unreadable_file_gives_an_actionable_error(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="SHIPSTATION_DATA_DIR"):
        await SQLiteEventStore.open(path)


async def test_unwritable_folder_gives_an_actionable_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="SHIPSTATION_DATA_DIR"):
        await SQLiteEventStore.open(blocker / "sub" / "events.sqlite3")


async def test_two_stores_on_one_file_see_each_others_writes(tmp_path: Path) -> None:
    """The stdio server reads what a separate receiver process writes."""
    path = tmp_path / "events.sqlite3"
    writer, reader = await SQLiteEventStore.open(path), await SQLiteEventStore.open(path)
    try:
        before = await reader.last_event_id()
        stored = await writer.add_event(event("a"))
        assert stored is not None
        assert await reader.events_after(before) == [(stored.id, NUMBER)]
    finally:
        await writer.aclose()
        await reader.aclose()


# ----------------------------------------------------------------------------- events


async def test_same_key_is_stored_once(store: SQLiteEventStore) -> None:
    first = await store.add_event(event("same"))
    second = await store.add_event(event("same", status="DE"))
    assert first is not None and second is None
    assert (await store.events()).total == 1
    assert (await store.subscription(NUMBER)).status_code == "IT"  # the duplicate changed nothing


async def test_events_newest_received_first_filtered_and_limited(store: SQLiteEventStore) -> None:
    for n in range(5):
        await store.add_event(event(f"k{n}", received=T0 + timedelta(hours=n)))
    await store.add_event(event("other", number="9400100000000000000000", received=T0 + timedelta(hours=9)))
    page = await store.events(tracking_number=NUMBER, limit=2)
    assert page.total == 5
    assert [e.received_at for e in page.events] == [T0 + timedelta(hours=4), T0 + timedelta(hours=3)]
    since = await store.events(since=T0 + timedelta(hours=3))
    assert since.total == 3
    assert {e.tracking_number for e in since.events} == {NUMBER, "9400100000000000000000"}


async def test_latest_event_is_the_newest_scan_not_the_latest_delivery(store: SQLiteEventStore) -> None:
    await store.add_event(event("new-scan", status="DE", occurred=T0 + timedelta(days=1), received=T0))
    await store.add_event(event("old-scan", status="IT", occurred=T0, received=T0 + timedelta(hours=2)))
    latest = await store.latest_event(NUMBER)
    assert latest is not None and latest.status_code == "DE"
    assert await store.latest_event("NOPE") is None


async def test_events_after_lists_new_rows_in_order(store: SQLiteEventStore) -> None:
    a = await store.add_event(event("a"))
    b = await store.add_event(event("b", number="1ZOTHER"))
    assert a is not None and b is not None
    assert await store.events_after(0) == [(a.id, NUMBER), (b.id, "1ZOTHER")]
    assert await store.events_after(a.id) == [(b.id, "1ZOTHER")]
    assert await store.last_event_id() == b.id


# ----------------------------------------------------------------------------- subscriptions


async def test_watch_then_updates_then_delivery_stops_the_watch(store: SQLiteEventStore) -> None:
    watched = await store.watch(NUMBER, "ups", at=T0)
    assert watched.watching and watched.source == "subscribe_tracking" and watched.since == T0
    assert watched.status_code is None and watched.event_count == 0

    await store.add_event(event("it", occurred=T0 + timedelta(hours=1), received=T0 + timedelta(hours=1)))
    sub = await store.subscription(NUMBER)
    assert sub.status_code == "IT" and sub.status_changed_at == T0 + timedelta(hours=1) and sub.watching

    await store.add_event(event("it-2", occurred=T0 + timedelta(hours=5), received=T0 + timedelta(hours=5)))
    sub = await store.subscription(NUMBER)
    assert sub.status_changed_at == T0 + timedelta(hours=1)  # same status: it began at the first IT
    assert sub.last_event_at == T0 + timedelta(hours=5)

    delivered_at = T0 + timedelta(days=1)
    await store.add_event(event("de", status="DE", occurred=delivered_at, received=delivered_at, terminal="delivered"))
    sub = await store.subscription(NUMBER)
    assert (sub.status_code, sub.stop_reason, sub.stopped_at, sub.watching) == ("DE", "delivered", delivered_at, False)
    assert sub.event_count == 3
    assert sub.since == T0


async def test_late_delivery_of_an_older_update_does_not_roll_the_status_back(store: SQLiteEventStore) -> None:
    await store.add_event(event("de", status="DE", occurred=T0 + timedelta(days=1), terminal="delivered"))
    await store.add_event(event("it", status="IT", occurred=T0, received=T0 + timedelta(days=2)))
    sub = await store.subscription(NUMBER)
    assert sub.status_code == "DE" and sub.stop_reason == "delivered"
    assert sub.event_count == 2  # the late one is still kept as history
    assert sub.last_received_at == T0 + timedelta(days=2)


async def test_first_update_for_an_unwatched_number_creates_its_subscription(store: SQLiteEventStore) -> None:
    await store.add_event(event("ex", status="EX", terminal="exception", carrier=None))
    sub = await store.subscription(NUMBER)
    assert sub.source == "webhook" and sub.stop_reason == "exception" and sub.carrier_code is None


async def test_unwatch_sticks_through_later_updates_and_watch_again_restarts(store: SQLiteEventStore) -> None:
    await store.watch(NUMBER, "ups", at=T0)
    stopped = await store.unwatch(NUMBER, "ups", at=T0 + timedelta(hours=1))
    assert stopped is not None and stopped.stop_reason == "unsubscribed"
    await store.add_event(event("late", occurred=T0 + timedelta(hours=2)))
    sub = await store.subscription(NUMBER)
    assert sub.stop_reason == "unsubscribed" and sub.status_code == "IT"
    again = await store.watch(NUMBER, None, at=T0 + timedelta(days=1))
    assert again.watching and again.since == T0 + timedelta(days=1) and again.carrier_code == "ups"


async def test_unwatch_of_an_unknown_number_records_nothing(store: SQLiteEventStore) -> None:
    assert await store.unwatch("1ZNEVERSEEN", "ups", at=T0) is None
    assert await store.subscriptions() == []


async def test_subscriptions_most_recently_active_first(store: SQLiteEventStore) -> None:
    await store.watch("A1", "ups", at=T0)
    await store.watch("B2", "ups", at=T0 + timedelta(hours=1))
    await store.add_event(event("a", number="A1", received=T0 + timedelta(hours=2)))
    assert [s.tracking_number for s in await store.subscriptions()] == ["A1", "B2"]


async def test_memory_store_works_without_a_file() -> None:
    s = await SQLiteEventStore.open(None)
    assert await s.add_event(event("m")) is not None
    assert (await s.events()).total == 1
    await s.aclose()
