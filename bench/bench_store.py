"""The event store's pages at 100, 10,000 and 200,000 updates: time and work of the first and the next page.

    python bench/bench_store.py [--sizes 100,10000,200000] [--postgres]

SQLite in memory (as the file store, without the disk), filled directly; each figure is the median of 20 reads of a
page of 20 updates (`events`, newest first, watched packages) and of 20 packages (`subscription_page`). "VM steps"
is SQLite's own count of virtual-machine instructions for the read (the machine's load does not change it).
`--postgres` also runs PostgreSQL (a server started on 127.0.0.1 by tests/state/servers.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from common import ROOT, machine, table

sys.path.insert(0, str(ROOT))

from tests.state.test_store_scale import _fill_sqlite, _instructions

READS = 20


def timed(read: Callable[[], Any]) -> float:
    samples = []
    for _ in range(READS):
        began = time.perf_counter()
        read()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def sqlite_rows(sizes: list[int]) -> list[list[Any]]:
    rows = []
    for size in sizes:
        store = _fill_sqlite(size)
        first = store._events(None, None, 20, None)
        packages = store._subscription_page(20, None, True)
        for what, page_one, page_two in (
            ("updates", lambda s=store: s._events(None, None, 20, None), None),
            ("packages", lambda s=store: s._subscription_page(20, None, True), None),
        ):
            cursor = first.next_cursor if what == "updates" else packages.next_cursor
            if what == "updates":
                page_two = lambda s=store, c=cursor: s._events(None, None, 20, c)  # noqa: E731
            else:
                page_two = lambda s=store, c=cursor: s._subscription_page(20, c, True)  # noqa: E731
            steps_one, _ = _instructions(store, page_one)
            steps_two, _ = _instructions(store, page_two)
            rows.append(
                [
                    "SQLite",
                    f"{size:,}",
                    what,
                    f"{timed(page_one):.3f}",
                    steps_one,
                    f"{timed(page_two):.3f}",
                    steps_two,
                ]
            )
    return rows


async def postgres_rows(sizes: list[int]) -> list[list[Any]]:
    import psycopg

    from shipstation_mcp.state.postgres_store import PostgresEventStore
    from tests.state.servers import postgres_server
    from tests.state.test_store_conformance import reset_postgres

    rows = []
    with postgres_server() as server:
        for size in sizes:
            reset_postgres(server.url)
            store = await PostgresEventStore.open(server.url)
            with psycopg.connect(server.url, autocommit=True) as conn:
                conn.execute(
                    "INSERT INTO subscriptions (tracking_number, since, source, last_received_at) SELECT 'N' || i,"
                    " now(), 'webhook', now() + i * interval '1 second' FROM generate_series(0, %s) i",
                    (max(1, size // 10) - 1,),
                )
                conn.execute(
                    "INSERT INTO events (dedupe_key, tracking_number, received_at, payload) SELECT 'k' || i,"
                    " 'N' || (i %% %s), now() + i * interval '1 second', '{}' FROM generate_series(0, %s) i",
                    (max(1, size // 10), size - 1),
                )
                conn.execute("ANALYZE")
            first = await store.events(limit=20)
            one, two = [], []
            for _ in range(READS):
                began = time.perf_counter()
                await store.events(limit=20)
                one.append(time.perf_counter() - began)
                began = time.perf_counter()
                await store.events(limit=20, cursor=first.next_cursor)
                two.append(time.perf_counter() - began)
            await store.aclose()
            median_one, median_two = statistics.median(one) * 1000, statistics.median(two) * 1000
            rows.append(["PostgreSQL", f"{size:,}", "updates", f"{median_one:.3f}", "–", f"{median_two:.3f}", "–"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,10000,200000")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    rows = sqlite_rows(sizes)
    if args.postgres:
        rows += asyncio.run(postgres_rows(sizes))
    print("### Event store pages (page of 20, median of 20 reads)\n")
    print(f"Machine: {machine()}\n")
    headers = ["store", "updates", "list", "page 1 ms", "page 1 VM steps", "page 2 ms", "page 2 VM steps"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
