"""One conformance suite for every `EventStore`: SQLite (always) and PostgreSQL (when it is installed).

What a store must do, whatever it runs on: keep each update once (by its dedupe key), list and page events and
subscriptions (keyset cursors, totals, `BadCursor` for any cursor it did not hand out), keep any time of years
1-9999 in order, refuse an unstorable value before committing anything, keep updates for numbers nobody watches
apart and bounded, apply retention, fold updates into their package's subscription with the status only ever moving
forward, honour watch/unwatch, and stay correct with several writers at once.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import psycopg
import pytest

from shipstation_mcp.state import store as store_module
from shipstation_mcp.state.store import (
    BadCursor,
    EventStore,
    IncomingEvent,
    SQLiteEventStore,
    UnstorableValue,
    encode_cursor,
)

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
    watch_if_new: bool = True,
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
        watch_if_new=watch_if_new,
    )


def reset_postgres(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "DROP TABLE IF EXISTS events, subscriptions, shipstation_mcp_schema, account_labels, account_index_state"
        )


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

    async def open(self, *, retention_days: int | None = None) -> EventStore:
        if self.kind == "sqlite":
            store: EventStore = await SQLiteEventStore.open(self.path, retention_days=retention_days)
        else:
            from shipstation_mcp.state.postgres_store import PostgresEventStore

            store = await PostgresEventStore.open(self.url, retention_days=retention_days)
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


async def test_last_event_id_before_a_moment_leaves_out_later_arrivals(store: EventStore) -> None:
    a = await store.add_event(event("a", received=T0))
    b = await store.add_event(event("b", received=T0 + timedelta(minutes=5)))
    assert a and b
    assert await store.last_event_id(received_before=T0) == 0
    assert await store.last_event_id(received_before=T0 + timedelta(minutes=1)) == a.id
    assert await store.last_event_id(received_before=T0 + timedelta(hours=1)) == b.id


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


# ----------------------------------------------------------------------------- paging


async def test_events_page_by_cursor_newest_first_with_a_total_and_no_repeats(store: EventStore) -> None:
    # Pairs received at the same instant: the id breaks the tie, so no page repeats or skips one.
    for i in range(7):
        await store.add_event(event(f"k{i}", received=T0 + timedelta(minutes=i // 2)))
    await store.add_event(event("other", number="OTHER", received=T0 + timedelta(hours=1)))
    seen, cursor, pages = [], None, 0
    while True:
        page = await store.events(tracking_number=NUMBER, limit=3, cursor=cursor)
        assert page.total == 7 and len(page.events) <= 3
        seen += page.events
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3 and len({e.id for e in seen}) == 7
    assert [(e.received_at, e.id) for e in seen] == sorted(((e.received_at, e.id) for e in seen), reverse=True)
    everything = await store.events(limit=8)
    assert everything.total == 8 and everything.next_cursor is None
    assert (await store.events(limit=7)).next_cursor is not None


async def test_events_since_and_cursor_together(store: EventStore) -> None:
    for i in range(6):
        await store.add_event(event(f"k{i}", received=T0 + timedelta(minutes=i)))
    first = await store.events(since=T0 + timedelta(minutes=2), limit=2)
    second = await store.events(since=T0 + timedelta(minutes=2), limit=2, cursor=first.next_cursor)
    assert first.total == second.total == 4 and second.next_cursor is None
    received = [e.received_at for e in first.events + second.events]
    assert received == [T0 + timedelta(minutes=m) for m in (5, 4, 3, 2)]


async def test_subscriptions_page_by_cursor_most_recently_active_first(store: EventStore) -> None:
    for i in range(5):
        await store.watch(f"W{i}", None, at=T0 + timedelta(minutes=i % 2))  # ties broken by the number
    await store.add_event(event("de", number="D", status="DE", terminal="delivered", received=T0 + timedelta(hours=1)))
    listed = [s.tracking_number for s in await store.subscriptions()]
    seen, cursor = [], None
    while True:
        page = await store.subscription_page(limit=2, cursor=cursor)
        assert page.total == 6
        seen += [s.tracking_number for s in page.subscriptions]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == listed == ["D", "W1", "W3", "W0", "W2", "W4"]
    watching = await store.subscription_page(limit=10, include_stopped=False)
    assert watching.total == 5 and "D" not in [s.tracking_number for s in watching.subscriptions]
    assert watching.next_cursor is None


def _raw(parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


FOREIGN_CURSORS = [
    "not-a-cursor",
    "!!!",
    "",
    _raw({"received": "x"}),
    _raw(["2026-05-01T12:00:00.000000Z"]),
    _raw(["2026-05-01T12:00:00.000000Z", "7"]),
    _raw(["2026-05-01T12:00:00.000000Z", True]),
    _raw(["2026-05-01T12:00:00.000000Z", 10**30]),
    _raw(["yesterday", 7]),
    _raw(["\ud800", 7]),
    _raw(["2026-05-01T12:00:00.000000Z\u0000", 7]),
    _raw([None, 7]),
]


@pytest.mark.parametrize("cursor", FOREIGN_CURSORS)
async def test_a_cursor_the_store_did_not_hand_out_is_bad_cursor(store: EventStore, cursor: str) -> None:
    await store.add_event(event("a"))
    with pytest.raises(BadCursor):
        await store.events(limit=1, cursor=cursor)
    with pytest.raises(BadCursor):
        await store.events(tracking_number=NUMBER, limit=1, cursor=cursor)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        _raw(["2026-05-01T12:00:00.000000Z", 7]),  # an events cursor
        _raw(["never", NUMBER]),
        _raw(["2026-05-01T12:00:00.000000Z", "A\u0000"]),
        _raw(["2026-05-01T12:00:00.000000Z", "\udfff"]),
    ],
)
async def test_a_foreign_cursor_for_subscriptions_is_bad_cursor(store: EventStore, cursor: str) -> None:
    await store.watch(NUMBER, None, at=T0)
    with pytest.raises(BadCursor):
        await store.subscription_page(limit=1, cursor=cursor)


async def test_a_well_formed_cursor_past_the_end_is_an_empty_last_page(store: EventStore) -> None:
    await store.add_event(event("a"))
    page = await store.events(cursor=encode_cursor("0001-01-01T00:00:00.000000Z", 1))
    assert page.events == [] and page.total == 1 and page.next_cursor is None


# ----------------------------------------------------------------------------- hostile values


async def test_any_time_of_years_1_to_9999_reads_back_and_sorts(store: EventStore) -> None:
    times = [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        T0,
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    for i, when in enumerate(times):
        await store.add_event(event(f"t{i}", occurred=when, received=when, number=f"Y{i}"))
    await store.add_event(event("late", occurred=times[0], received=T0, number="Y3"))
    page = await store.events(limit=2)
    rest = await store.events(limit=10, cursor=page.next_cursor)
    assert [e.received_at for e in page.events + rest.events] == [times[3], times[2], T0, times[1], times[0]]
    assert (await store.latest_event("Y3")).occurred_at == times[3]
    assert (await store.subscription("Y3")).last_event_at == times[3]  # the year-1 scan did not roll it back
    assert (await store.subscription("Y0")).since == times[0]
    subs = (await store.subscription_page(limit=2)).subscriptions
    assert [s.tracking_number for s in subs] == ["Y3", "Y2"]


@pytest.mark.parametrize(
    "bad",
    [
        {"status_description": "lone \ud800 surrogate"},
        {"status_description": "a NUL \x00 character"},
        {"payload": "x" * (store_module.MAX_TEXT_CHARS + 1)},
        {"tracking_number": "1Z\udcff"},
    ],
)
async def test_an_unstorable_value_is_refused_before_anything_is_stored(store: EventStore, bad: dict) -> None:
    await store.watch(NUMBER, None, at=T0)
    base = event("bad")
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    with pytest.raises(UnstorableValue):
        await store.add_event(IncomingEvent(**{**fields, **bad}))
    assert await store.last_event_id() == 0
    assert (await store.subscription(NUMBER)).status_code is None
    assert await store.add_event(event("fine")) is not None  # the store is unharmed


# ----------------------------------------------------------------------------- growth


async def test_updates_for_numbers_nobody_watches_are_kept_apart(store: EventStore) -> None:
    await store.watch(NUMBER, None, at=T0)
    await store.add_event(event("mine", watch_if_new=False))  # watched: folds in as usual
    await store.add_event(event("stray", number="STRAY", watch_if_new=False, received=T0 + timedelta(hours=1)))
    assert [s.tracking_number for s in await store.subscriptions()] == [NUMBER]
    assert (await store.subscription_page()).total == 1 and await store.subscription("STRAY") is None
    assert (await store.subscription(NUMBER)).status_code == "IT"
    unfiltered = await store.events()
    assert unfiltered.total == 1
    assert [e.tracking_number for e in unfiltered.events] == [NUMBER]
    stray = await store.events(tracking_number="STRAY")
    assert stray.total == 1 and (await store.latest_event("STRAY")) is not None
    await store.watch("STRAY", None, at=T0 + timedelta(hours=2))  # watching it later shows what was kept
    assert (await store.events()).total == 2


async def test_updates_for_numbers_nobody_watches_are_bounded(
    store: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shipstation_mcp.state import postgres_store

    for module in (store_module, postgres_store):
        monkeypatch.setattr(module, "MAX_UNWATCHED_EVENTS", 20)
        monkeypatch.setattr(module, "UNWATCHED_SLACK", 5)
    await store.watch(NUMBER, None, at=T0)
    await store.add_event(event("mine"))
    for i in range(63):
        await store.add_event(event(f"s{i}", number=f"STRAY{i}", watch_if_new=False, received=T0 + timedelta(i)))
        kept = sum([(await store.events(tracking_number=f"STRAY{n}")).total for n in range(i + 1)])
        assert kept <= 20 + 5
    assert 20 <= kept <= 25
    assert (await store.events(tracking_number="STRAY62")).total == 1  # the newest are the ones kept
    assert (await store.events(tracking_number="STRAY0")).total == 0
    assert (await store.events(tracking_number=NUMBER)).total == 1  # watched updates are never trimmed
    assert [s.tracking_number for s in await store.subscriptions()] == [NUMBER]


async def test_retention_deletes_old_updates_and_long_stopped_packages(opener: Opener) -> None:
    now = datetime.now(UTC)
    old = now - timedelta(days=200)
    first = await opener.open()
    await first.add_event(event("old", number="1ZOLD", received=old, occurred=old, terminal="delivered"))
    await first.add_event(event("new", number="1ZNEW", received=now, occurred=now))
    await first.add_event(event("old-of-new", number="1ZNEW", received=old, occurred=old))
    await first.watch("1ZWATCHED", None, at=old)  # still watched: kept however old
    await first.unwatch("1ZRECENT", None, at=now)
    await first.watch("1ZSTOPPED", None, at=old)
    await first.unwatch("1ZSTOPPED", None, at=old + timedelta(days=1))
    again = await opener.open(retention_days=90)
    numbers = sorted(s.tracking_number for s in await again.subscriptions())
    assert numbers == ["1ZNEW", "1ZWATCHED"]
    page = await again.events()
    assert page.total == 1 and page.events[0].received_at == now
    assert (await first.events(limit=10)).total == 1  # one shared database: every instance sees it


async def test_retention_also_runs_while_storing(opener: Opener, monkeypatch: pytest.MonkeyPatch) -> None:
    from shipstation_mcp.state import postgres_store

    for module in (store_module, postgres_store):
        monkeypatch.setattr(module, "PRUNE_EVERY", 3)
    store = await opener.open(retention_days=30)
    old = datetime.now(UTC) - timedelta(days=31)
    for i in range(3):
        await store.add_event(event(f"old{i}", received=old, occurred=old))
    assert (await store.events(tracking_number=NUMBER)).total == 0


# ----------------------------------------------------------------------------- PostgreSQL's schema steps


async def test_a_postgres_database_at_schema_1_is_migrated_keeping_its_data(request: pytest.FixtureRequest) -> None:
    from shipstation_mcp.state import postgres_store

    url = request.getfixturevalue("postgres_server").url
    reset_postgres(url)
    with psycopg.connect(url, autocommit=True) as conn:  # as the first PostgreSQL release left it
        conn.execute("CREATE TABLE shipstation_mcp_schema (version INTEGER NOT NULL)")
        for statement in postgres_store.MIGRATIONS[1]:
            conn.execute(statement)
        conn.execute("INSERT INTO shipstation_mcp_schema (version) VALUES (1)")
        conn.execute(
            "INSERT INTO events (dedupe_key, tracking_number, received_at, payload) VALUES ('old', %s, %s, '{}')",
            (NUMBER, T0),
        )
        conn.execute(
            "INSERT INTO subscriptions (tracking_number, since, source) VALUES (%s, %s, 'webhook')", (NUMBER, T0)
        )
    store = await postgres_store.PostgresEventStore.open(url)
    try:
        page = await store.events(limit=1)
        assert page.total == 1 and page.events[0].received_at == T0
    finally:
        await store.aclose()
    again = await postgres_store.PostgresEventStore.open(url)  # a second open has nothing left to do
    await again.aclose()
    with psycopg.connect(url) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM shipstation_mcp_schema ORDER BY version")]
        indexes = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    assert versions == list(range(1, postgres_store.SCHEMA_VERSION + 1))
    assert {"events_by_number", "events_by_received", "subscriptions_by_activity"} <= indexes
