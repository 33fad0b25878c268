"""Store pages stay cheap however many updates the store holds (issue 23, Build 5).

Work is measured, not timed: on SQLite by the virtual-machine instructions a query runs (the connection's progress
handler, called at every instruction), on PostgreSQL by the rows its plan reads (`EXPLAIN ANALYZE`). Both are the
same on a loaded machine as on an idle one, so these tests cannot fail by chance.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from shipstation_mcp.state.store import SQLiteEventStore, sortable_time
from tests.state.test_store_conformance import reset_postgres

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 5, 1, tzinfo=UTC)
BIG = 200_000


def _fill_sqlite(updates: int) -> SQLiteEventStore:
    """An in-memory store with `updates` updates, spread over a tenth as many watched packages."""
    store = SQLiteEventStore.open_sync(None)
    packages = max(1, updates // 10)
    conn = store._conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO subscriptions (tracking_number, since, source, last_received_at) VALUES (?, ?, 'webhook', ?)",
        ((f"N{i}", sortable_time(T0), sortable_time(T0 + timedelta(seconds=i))) for i in range(packages)),
    )
    conn.executemany(
        "INSERT INTO events (dedupe_key, tracking_number, received_at, payload) VALUES (?, ?, ?, '{}')",
        ((f"k{i}", f"N{i % packages}", sortable_time(T0 + timedelta(seconds=i))) for i in range(updates)),
    )
    conn.execute("COMMIT")
    return store


def _instructions(store: SQLiteEventStore, read: Callable[[], Any]) -> tuple[int, Any]:
    """How many SQLite VM instructions `read` runs, and what it returned."""
    count = [0]

    def tick() -> int:
        count[0] += 1
        return 0

    store._conn.set_progress_handler(tick, 1)
    try:
        result = read()
    finally:
        store._conn.set_progress_handler(None, 1)
    return count[0], result


@pytest.fixture(scope="module")
def small() -> SQLiteEventStore:
    return _fill_sqlite(100)


@pytest.fixture(scope="module")
def big() -> SQLiteEventStore:
    return _fill_sqlite(BIG)


def test_sqlite_page_two_at_200k_updates_costs_no_more_than_page_one_at_100(
    small: SQLiteEventStore, big: SQLiteEventStore
) -> None:
    first_small, _ = _instructions(small, lambda: small._events(None, None, 20, None))
    first_big = big._events(None, None, 20, None)
    second_big, page = _instructions(big, lambda: big._events(None, None, 20, first_big.next_cursor))
    assert second_big <= 2 * first_small, (second_big, first_small)
    # ...and it is the right page: the next 20 newest, after the first 20, with the total counted at page one.
    assert [e.id for e in page.events] == list(range(BIG - 20, BIG - 40, -1))
    assert page.total == BIG and page.before == 20 and not page.total_recounted


def test_sqlite_page_by_number_and_packages_page_cost_the_same_at_200k(
    small: SQLiteEventStore, big: SQLiteEventStore
) -> None:
    costs = []
    for store in (small, big):
        first = store._events("N1", None, 3, None)
        cost, page = _instructions(store, lambda s=store, c=first.next_cursor: s._events("N1", None, 3, c))
        assert page.events and all(e.tracking_number == "N1" for e in page.events)
        costs.append(cost)
    assert costs[1] <= 2 * costs[0], costs
    # Packages: pages of 4 (the small store holds 10 packages, so both pages are full).
    first_small, _ = _instructions(small, lambda: small._subscription_page(4, None, True))
    first_big = big._subscription_page(4, None, True)
    second_big, page = _instructions(big, lambda: big._subscription_page(4, first_big.next_cursor, True))
    assert second_big <= 2 * first_small, (second_big, first_small)
    newest = BIG // 10 - 1
    assert [s.tracking_number for s in page.subscriptions] == [f"N{i}" for i in range(newest - 4, newest - 8, -1)]


def test_sqlite_page_queries_walk_an_index_without_sorting(big: SQLiteEventStore) -> None:
    first = big._events(None, None, 20, None)
    statements: list[str] = []
    big._conn.set_trace_callback(statements.append)
    try:
        big._events(None, None, 20, first.next_cursor)
        big._subscription_page(20, big._subscription_page(20, None, True).next_cursor, True)
    finally:
        big._conn.set_trace_callback(None)
    pages = [s for s in statements if "LIMIT" in s]
    assert len(pages) == 3
    for statement in pages:
        plan = " / ".join(row[3] for row in big._conn.execute("EXPLAIN QUERY PLAN " + statement))
        assert "TEMP B-TREE" not in plan and "USING" in plan and "SCAN events" not in plan, plan


def test_old_two_part_cursors_still_page_and_recount(small: SQLiteEventStore) -> None:
    from shipstation_mcp.state.store import decode_cursor, encode_cursor

    first = small._events(None, None, 10, None)
    key, tie, _total, _before = decode_cursor(first.next_cursor, (str, int, int, int))
    page = small._events(None, None, 10, encode_cursor(key, tie))
    assert [e.id for e in page.events] == list(range(90, 80, -1)) and page.total == 100 and page.total_recounted


# ----------------------------------------------------------------------------- PostgreSQL


def _plan_rows(node: dict[str, Any]) -> int:
    """Rows every scan node of a plan read from its relation, summed (what the query examined)."""
    own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1) if "Scan" in node.get("Node Type", "") else 0
    return own + sum(_plan_rows(child) for child in node.get("Plans", []))


def _node_types(node: dict[str, Any]) -> list[str]:
    return [node["Node Type"], *(t for child in node.get("Plans", []) for t in _node_types(child))]


async def test_postgres_page_two_at_200k_reads_a_page_of_rows_not_the_table(postgres_server: Any) -> None:
    from shipstation_mcp.state.postgres_store import PostgresEventStore

    reset_postgres(postgres_server.url)
    store = await PostgresEventStore.open(postgres_server.url)
    try:
        with psycopg.connect(postgres_server.url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO subscriptions (tracking_number, since, source, last_received_at)"
                " SELECT 'N' || i, %s, 'webhook', %s + i * interval '1 second' FROM generate_series(0, %s) i",
                (T0, T0, BIG // 10 - 1),
            )
            conn.execute(
                "INSERT INTO events (dedupe_key, tracking_number, received_at, payload)"
                " SELECT 'k' || i, 'N' || (i %% %s), %s + i * interval '1 second', '{}' FROM generate_series(0, %s) i",
                (BIG // 10, T0, BIG - 1),
            )
            conn.execute("ANALYZE events")
            conn.execute("ANALYZE subscriptions")
        first = await store.events(limit=20)
        packages = await store.subscription_page(limit=20)
        seen: list[tuple[str, list[Any]]] = []
        query = store._query

        async def recording(sql: str, args: Any = ()) -> Any:
            seen.append((sql, list(args)))
            return await query(sql, args)

        store._query = recording  # type: ignore[method-assign]
        second = await store.events(limit=20, cursor=first.next_cursor)
        more = await store.subscription_page(limit=20, cursor=packages.next_cursor)
        store._query = query  # type: ignore[method-assign]
        assert len(seen) == 2, "a later page runs one query: its total comes from the cursor, not a new COUNT"
        assert second.total == BIG and not second.total_recounted and len(second.events) == 20
        assert more.total == BIG // 10 and len(more.subscriptions) == 20
        with psycopg.connect(postgres_server.url, autocommit=True) as conn:
            for sql, args in seen:
                plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, args).fetchone()[0][0]["Plan"]
                types = _node_types(plan)
                assert "Sort" not in types and _plan_rows(plan) <= 500, json.dumps(plan)[:2000]
    finally:
        await store.aclose()


async def test_a_later_page_says_its_total_was_counted_at_the_first_page(small: SQLiteEventStore) -> None:
    from shipstation_mcp.lookups.updates import tracked_packages, tracking_updates

    ask = {"now": T0, "tracking_number": None, "since": None, "max_events": 1, "no_updates_hint": "-"}
    first = await tracking_updates(small, limit=30, **ask)
    second = await tracking_updates(small, limit=30, cursor=first.next_cursor, **ask)
    last = await tracking_updates(small, limit=30, cursor=second.next_cursor, **ask)
    assert first.more_updates == 70 and second.more_updates == 40 and last.more_updates == 10
    assert (
        "as counted" not in first.headline and "100 update(s) received (as counted at the first page)" in last.headline
    )
    packages = await tracked_packages(small, include_stopped=True, limit=4)
    more = await tracked_packages(small, include_stopped=True, limit=4, cursor=packages.next_cursor)
    assert more.headline.startswith("10 package(s) tracked (as counted at the first page)")
