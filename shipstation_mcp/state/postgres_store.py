"""The event store on PostgreSQL (`SHIPSTATION_DATABASE_URL`), for several instances sharing one account.

Same semantics as `SQLiteEventStore` (one conformance suite runs against both, tests/state/test_store_conformance.py):

- **de-duplication** by the unique `dedupe_key` (`INSERT … ON CONFLICT DO NOTHING`), so two receivers given the same
  delivery store it once;
- **status only moves forward** (`store.moves_forward`, the rule both stores share);
- **several writers**: every `add_event` takes one transaction-scoped advisory lock, so events are folded into their
  subscription one at a time and their ids become visible in commit order (the change notifier reads "ids after the
  last one I saw"; with concurrent inserts a lower id could otherwise commit after a higher one and be missed);
- **durable**: the receiver acknowledges after `COMMIT`, and PostgreSQL's defaults (`fsync`, `synchronous_commit=on`)
  flush the WAL before a commit returns;
- **change notifications**: each stored event sends `NOTIFY shipstation_mcp_events` in its transaction (delivered
  only on commit); `changes()` yields once per notification on a dedicated listening connection, so every instance
  learns at once of an event stored by any of them;
- **paging** by keyset cursors in the format `SQLiteEventStore` uses (`store.encode_cursor`; times as
  `store.sortable_time`), so a cursor either store did not hand out is `BadCursor`, never a database error;
- **no input can poison it**: `store.check_storable` refuses a value before the transaction starts, and every
  connection reads times in UTC (so years 1 and 9999 read back without overflowing a local zone);
- **bounded growth**: updates for numbers nobody watches (`IncomingEvent.watch_if_new=False`) are kept apart (not in
  unfiltered listings) and trimmed to the newest `MAX_UNWATCHED_EVENTS` every `UNWATCHED_SLACK` such updates;
  `retention_days` deletes old updates and long-stopped packages at open and every `PRUNE_EVERY` stored updates;
- **versioned migrations**: table `shipstation_mcp_schema` holds the version; steps run in one transaction under an
  advisory lock, so instances starting together do not migrate twice.

Connections come from a `psycopg_pool.AsyncConnectionPool`, which replaces broken connections by itself: when the
database goes away, calls fail with `StoreError` (retryable; the receiver answers 503 so ShipStation resends) and
work again once it is back, without a restart.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import psycopg
from psycopg.rows import tuple_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ..config import display_url
from ..errors import SharedStateUnavailable, StoreError, full_stop
from ..times import to_utc
from .store import (
    KEYSET_AFTER,
    MAX_UNWATCHED_EVENTS,
    PRUNE_EVERY,
    UNWATCHED_SLACK,
    EventFacts,
    EventPage,
    IncomingEvent,
    StoredEvent,
    Subscription,
    SubscriptionPage,
    check_storable,
    cursor_time,
    event_from_row,
    first_subscription_values,
    keyset_slice,
    read_page_cursor,
    sortable_time,
    status_update_values,
    subscription_from_row,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 3
CHANNEL = "shipstation_mcp_events"
LOCK_MIGRATE = 0x5353_4D43_0001  # advisory lock ids ("SSMC" + n)
LOCK_WRITE = 0x5353_4D43_0002
CONNECT_TIMEOUT = 5.0

MIGRATIONS: dict[int, Sequence[str]] = {
    1: (
        """
        CREATE TABLE subscriptions (
            tracking_number    TEXT PRIMARY KEY,
            carrier_code       TEXT,
            since              TIMESTAMPTZ NOT NULL,
            source             TEXT NOT NULL,
            status_code        TEXT,
            status_detail_code TEXT,
            status_description TEXT,
            status_changed_at  TIMESTAMPTZ,
            last_event_at      TIMESTAMPTZ,
            last_received_at   TIMESTAMPTZ,
            stopped_at         TIMESTAMPTZ,
            stop_reason        TEXT CHECK (stop_reason IN ('delivered', 'exception', 'unsubscribed'))
        )
        """,
        """
        CREATE TABLE events (
            id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            dedupe_key         TEXT NOT NULL UNIQUE,
            tracking_number    TEXT NOT NULL,
            carrier_code       TEXT,
            resource_type      TEXT,
            status_code        TEXT,
            status_detail_code TEXT,
            status_description TEXT,
            occurred_at        TIMESTAMPTZ,
            received_at        TIMESTAMPTZ NOT NULL,
            payload            TEXT NOT NULL
        )
        """,
        "CREATE INDEX events_by_number ON events (tracking_number, received_at)",
        "CREATE INDEX events_by_received ON events (received_at)",
    ),
    2: (
        # Keyset paging walks (received_at, id) newest first, with or without a number; subscriptions by activity.
        "DROP INDEX events_by_number",
        "DROP INDEX events_by_received",
        "CREATE INDEX events_by_number ON events (tracking_number, received_at, id)",
        "CREATE INDEX events_by_received ON events (received_at, id)",
        "CREATE INDEX subscriptions_by_activity ON subscriptions ((COALESCE(last_received_at, since)),"
        ' tracking_number COLLATE "C")',
    ),
    3: (
        # The account index (state/account_index.py): the account's labels, filled by an incremental sync.
        """
        CREATE TABLE IF NOT EXISTS account_labels (
            label_id        TEXT PRIMARY KEY,
            shipment_id     TEXT,
            external_id     TEXT,
            tracking_number TEXT,
            created_at      TIMESTAMPTZ NOT NULL,
            label           TEXT NOT NULL,
            synced_at       TIMESTAMPTZ NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS account_labels_by_created ON account_labels (created_at)",
        "CREATE INDEX IF NOT EXISTS account_labels_by_number ON account_labels (tracking_number)",
        "CREATE INDEX IF NOT EXISTS account_labels_by_shipment ON account_labels (shipment_id)",
        "CREATE TABLE IF NOT EXISTS account_index_state (name TEXT PRIMARY KEY, value TIMESTAMPTZ NOT NULL)",
    ),
}
"""Schema steps: `MIGRATIONS[n]` takes a database from version n-1 to n. Append; never edit a released step."""

_EVENT_COLUMNS = (
    "id, tracking_number, received_at, payload, carrier_code, resource_type, status_code, status_detail_code,"
    " status_description, occurred_at"
)


def _utc(value: datetime | None) -> datetime | None:
    # Microseconds are what both stores keep; PostgreSQL's timestamptz has the same resolution.
    return to_utc(value) if value is not None else None


def _out(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


_SUBSCRIPTION_QUERY = (
    "SELECT s.tracking_number, s.since, s.source, s.carrier_code, s.status_code, s.status_detail_code,"
    " s.status_description, s.status_changed_at, s.last_event_at, s.last_received_at,"
    " (SELECT COUNT(*) FROM events e WHERE e.tracking_number = s.tracking_number),"
    " s.stopped_at, s.stop_reason, COALESCE(s.last_received_at, s.since) FROM subscriptions s"
)
_SUBSCRIPTION_ORDER = ' ORDER BY COALESCE(s.last_received_at, s.since) DESC, s.tracking_number COLLATE "C"'
_WATCHED = "tracking_number IN (SELECT tracking_number FROM subscriptions)"


class PostgresEventStore:
    """`EventStore` on PostgreSQL. Open with `await PostgresEventStore.open(url)`."""

    def __init__(self, pool: AsyncConnectionPool, url: str, *, retention_days: int | None = None) -> None:
        self._pool = pool
        self.url = url
        self.where = display_url(url)
        self.retention_days = retention_days
        self._since_prune = 0
        self._unwatched_added = 0

    def __repr__(self) -> str:
        return f"PostgresEventStore({self.where})"

    @classmethod
    async def open(cls, url: str, *, max_size: int = 10, retention_days: int | None = None) -> PostgresEventStore:
        """Connect, migrate, and apply retention. Raises `StoreError` naming the server (never the password)."""
        pool = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            open=False,
            timeout=CONNECT_TIMEOUT,
            kwargs={
                "autocommit": True,
                "connect_timeout": int(CONNECT_TIMEOUT),
                "row_factory": tuple_row,
                "options": "-c TimeZone=UTC",
            },
            name="shipstation-mcp-events",
        )
        store = cls(pool, url, retention_days=retention_days)
        try:
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT)
            await store._migrate()
            await store._prune()
        except (psycopg.Error, PoolTimeout) as exc:
            await pool.close()
            raise store._unavailable(exc) from None
        except BaseException:
            await pool.close()
            raise
        return store

    def _unavailable(self, exc: BaseException) -> SharedStateUnavailable:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, PoolTimeout):
            reason = "no connection could be made in time"
        return SharedStateUnavailable(
            f"The event store (PostgreSQL at {self.where}) cannot be reached: {full_stop(reason[:200])} "
            "Try again in a few seconds; check SHIPSTATION_DATABASE_URL if it persists."
        )

    async def _migrate(self) -> None:
        async with self._pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_MIGRATE,))
            await conn.execute("CREATE TABLE IF NOT EXISTS shipstation_mcp_schema (version INTEGER NOT NULL)")
            row = await (await conn.execute("SELECT max(version) FROM shipstation_mcp_schema")).fetchone()
            version = int(row[0] or 0) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"The event store at {self.where} was written by a newer shipstation-mcp (schema {version}; "
                    f"this one knows up to {SCHEMA_VERSION}). Upgrade shipstation-mcp."
                )
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    await conn.execute(statement)
                await conn.execute("INSERT INTO shipstation_mcp_schema (version) VALUES (%s)", (step,))
                logger.info("Event store %s migrated to schema %d", self.where, step)

    async def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(sql, args)  # type: ignore[arg-type]
                return await cursor.fetchall() if cursor.description else []
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise self._unavailable(exc) from None

    # ------------------------------------------------------------------ EventStore

    async def add_event(self, event: IncomingEvent) -> StoredEvent | None:
        check_storable(event)  # refused before the transaction: nothing is half-stored
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_WRITE,))
                cursor = await conn.execute(
                    "INSERT INTO events (dedupe_key, tracking_number, carrier_code, resource_type, status_code,"
                    " status_detail_code, status_description, occurred_at, received_at, payload)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (dedupe_key) DO NOTHING"
                    " RETURNING id",
                    (
                        event.dedupe_key,
                        event.tracking_number,
                        event.carrier_code,
                        event.resource_type,
                        event.status_code,
                        event.status_detail_code,
                        event.status_description,
                        _utc(event.occurred_at),
                        _utc(event.received_at),
                        event.payload,
                    ),
                )
                row = await cursor.fetchone()
                if row is None:
                    return None
                event_id = int(row[0])
                await self._keep(conn, event)
                await conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(event_id)))
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise self._unavailable(exc) from None
        self._since_prune += 1
        if self.retention_days and self._since_prune >= PRUNE_EVERY:
            try:
                await self._prune()
            except SharedStateUnavailable as exc:  # the event is committed: report it stored, prune next time
                logger.warning("Retention skipped this time: %s", exc)
        facts = {f.name: getattr(event, f.name) for f in fields(EventFacts)}
        return StoredEvent(
            **{**facts, "received_at": _utc(event.received_at), "occurred_at": _utc(event.occurred_at)}, id=event_id
        )

    async def _keep(self, conn: psycopg.AsyncConnection[Any], event: IncomingEvent) -> None:
        """Fold the stored event into its subscription, or (nobody watches it, and it may not start a watch) keep
        it apart, trimming those to the newest `MAX_UNWATCHED_EVENTS` every `UNWATCHED_SLACK` of them."""
        if not event.watch_if_new:
            watched = await (
                await conn.execute("SELECT 1 FROM subscriptions WHERE tracking_number = %s", (event.tracking_number,))
            ).fetchone()
            if watched is None:
                self._unwatched_added += 1
                if self._unwatched_added >= UNWATCHED_SLACK:
                    self._unwatched_added = 0
                    await conn.execute(
                        "DELETE FROM events WHERE id IN (SELECT id FROM events e WHERE NOT EXISTS"
                        " (SELECT 1 FROM subscriptions s WHERE s.tracking_number = e.tracking_number)"
                        " ORDER BY id DESC OFFSET %s)",
                        (MAX_UNWATCHED_EVENTS,),
                    )
                return
        await self._fold_into_subscription(conn, event)

    async def _prune(self) -> None:
        """Retention: delete updates received, and packages stopped, more than `retention_days` ago."""
        self._since_prune = 0
        if not self.retention_days:
            return
        cutoff = datetime.now(UTC) - timedelta(days=self.retention_days)
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_WRITE,))
                events = (await conn.execute("DELETE FROM events WHERE received_at < %s", (cutoff,))).rowcount
                packages = (
                    await conn.execute(
                        "DELETE FROM subscriptions WHERE stop_reason IS NOT NULL AND COALESCE(stopped_at, since) < %s"
                        " AND COALESCE(last_received_at, since) < %s",
                        (cutoff, cutoff),
                    )
                ).rowcount
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise self._unavailable(exc) from None
        if events or packages:
            logger.info(
                "Retention: %d update(s) and %d stopped package(s) older than %d days deleted",
                events,
                packages,
                self.retention_days,
            )

    @staticmethod
    async def _fold_into_subscription(conn: psycopg.AsyncConnection[Any], event: IncomingEvent) -> None:
        received, occurred = _utc(event.received_at), _utc(event.occurred_at)
        row = await (
            await conn.execute(
                "SELECT status_code, status_detail_code, last_event_at, stop_reason FROM subscriptions"
                " WHERE tracking_number = %s FOR UPDATE",
                (event.tracking_number,),
            )
        ).fetchone()
        if row is None:
            await conn.execute(
                "INSERT INTO subscriptions (tracking_number, carrier_code, since, source, status_code,"
                " status_detail_code, status_description, status_changed_at, last_event_at, last_received_at,"
                " stopped_at, stop_reason) VALUES (%s, %s, %s, 'webhook', %s, %s, %s, %s, %s, %s, %s, %s)",
                first_subscription_values(event, received, occurred),
            )
            return
        await conn.execute(
            "UPDATE subscriptions SET last_received_at = GREATEST(last_received_at, %s),"
            " carrier_code = COALESCE(carrier_code, %s) WHERE tracking_number = %s",
            (received, event.carrier_code, event.tracking_number),
        )
        values = status_update_values(event, row, received, occurred)
        if values is not None:
            await conn.execute(
                "UPDATE subscriptions SET status_code = %s, status_detail_code = %s, status_description = %s,"
                " last_event_at = %s, status_changed_at = CASE WHEN %s THEN %s ELSE status_changed_at END,"
                " stop_reason = %s,"
                " stopped_at = CASE WHEN %s::text IS NULL THEN NULL ELSE COALESCE(%s, stopped_at) END"
                " WHERE tracking_number = %s",
                values,
            )

    async def watch(self, tracking_number: str, carrier_code: str | None, *, at: datetime) -> Subscription:
        await self._query(
            "INSERT INTO subscriptions AS s (tracking_number, carrier_code, since, source)"
            " VALUES (%s, %s, %s, 'subscribe_tracking')"
            " ON CONFLICT (tracking_number) DO UPDATE SET"
            " carrier_code = COALESCE(excluded.carrier_code, s.carrier_code),"
            " since = CASE WHEN s.stop_reason IS NULL THEN s.since ELSE excluded.since END,"
            " source = 'subscribe_tracking', stop_reason = NULL, stopped_at = NULL",
            (tracking_number, carrier_code, _utc(at)),
        )
        return (await self._subscriptions(tracking_number))[0]

    async def unwatch(self, tracking_number: str, carrier_code: str | None, *, at: datetime) -> Subscription | None:
        await self._query(
            "UPDATE subscriptions SET stop_reason = 'unsubscribed', stopped_at = %s,"
            " carrier_code = COALESCE(%s, carrier_code) WHERE tracking_number = %s",
            (_utc(at), carrier_code, tracking_number),
        )
        found = await self._subscriptions(tracking_number)
        return found[0] if found else None

    async def subscriptions(self) -> list[Subscription]:
        return await self._subscriptions(None)

    async def subscription(self, tracking_number: str) -> Subscription | None:
        found = await self._subscriptions(tracking_number)
        return found[0] if found else None

    async def _subscriptions(self, tracking_number: str | None) -> list[Subscription]:
        query = _SUBSCRIPTION_QUERY
        args: tuple[Any, ...] = ()
        if tracking_number is not None:
            query += " WHERE s.tracking_number = %s"
            args = (tracking_number,)
        return [self._subscription(row) for row in await self._query(query + _SUBSCRIPTION_ORDER, args)]

    async def subscription_page(
        self, *, limit: int = 50, cursor: str | None = None, include_stopped: bool = True
    ) -> SubscriptionPage:
        where: list[str] = [] if include_stopped else ["s.stop_reason IS NULL"]
        args: list[Any] = []
        after = read_page_cursor(cursor, str) if cursor is not None else None
        total = after.total if after else None
        if total is None:
            count = "SELECT COUNT(*) FROM subscriptions s" + "".join(f" WHERE {w}" for w in where)  # noqa: S608
            total = (await self._query(count))[0][0]
        if after is not None:
            where.append(
                KEYSET_AFTER.format(
                    key="COALESCE(s.last_received_at, s.since)", tie='s.tracking_number COLLATE "C"', op=">", p="%s"
                )
            )
            when = _utc(cursor_time(after.key))
            args += [when, when, after.tie]
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        rows = await self._query(
            _SUBSCRIPTION_QUERY + clause + _SUBSCRIPTION_ORDER + " LIMIT %s", [*args, max(0, limit) + 1]
        )
        page = keyset_slice(rows, limit, after, total, lambda row: (sortable_time(row[13]), row[0]))
        return SubscriptionPage([self._subscription(r) for r in page.rows], **page.paging)

    @staticmethod
    def _subscription(row: Sequence[Any]) -> Subscription:
        return subscription_from_row(row, _out)

    @staticmethod
    def _event(row: Sequence[Any]) -> StoredEvent:
        return event_from_row(row, _out)

    async def events(
        self,
        *,
        tracking_number: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> EventPage:
        where: list[str] = []
        args: list[Any] = []
        if tracking_number is not None:
            where.append("tracking_number = %s")
            args.append(tracking_number)
        else:
            where.append(_WATCHED)  # updates held apart for numbers nobody watches: only when asked for by number
        if since is not None:
            where.append("received_at >= %s")
            args.append(_utc(since))
        after = read_page_cursor(cursor, int) if cursor is not None else None
        total = after.total if after else None
        if total is None:
            count = "SELECT COUNT(*) FROM events WHERE " + " AND ".join(where)  # noqa: S608
            total = (await self._query(count, args))[0][0]
        if after is not None:
            when = _utc(cursor_time(after.key))
            where.append(KEYSET_AFTER.format(key="received_at", tie="id", op="<", p="%s"))
            args += [when, when, after.tie]
        rows = await self._query(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE {' AND '.join(where)}"  # noqa: S608
            " ORDER BY received_at DESC, id DESC LIMIT %s",
            [*args, max(0, limit) + 1],
        )
        page = keyset_slice(rows, limit, after, total, lambda row: (sortable_time(row[2]), int(row[0])))
        return EventPage(events=[self._event(row) for row in page.rows], **page.paging)

    async def latest_event(self, tracking_number: str) -> StoredEvent | None:
        rows = await self._query(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE tracking_number = %s"  # noqa: S608
            " ORDER BY occurred_at IS NULL, occurred_at DESC, id DESC LIMIT 1",
            (tracking_number,),
        )
        return self._event(rows[0]) if rows else None

    async def events_after(self, event_id: int, *, limit: int = 500) -> list[tuple[int, str]]:
        rows = await self._query(
            "SELECT id, tracking_number FROM events WHERE id > %s ORDER BY id LIMIT %s", (event_id, limit)
        )
        return [(int(row[0]), row[1]) for row in rows]

    async def last_event_id(self, *, received_before: datetime | None = None) -> int:
        if received_before is None:
            return int((await self._query("SELECT COALESCE(MAX(id), 0) FROM events"))[0][0])
        rows = await self._query("SELECT COALESCE(MAX(id), 0) FROM events WHERE received_at < %s", (received_before,))
        return int(rows[0][0])

    async def aclose(self) -> None:
        await self._pool.close()

    # ------------------------------------------------------------------ cross-instance change notifications

    async def changes(self, *, retry_every: float = 1.0) -> AsyncIterator[None]:
        """Yield whenever any instance stored an event (and once after every reconnect, in case one was missed).

        Runs until cancelled; a lost connection is re-opened every `retry_every` seconds."""
        failing = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT)
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    if failing:
                        logger.warning("Change feed of %s is back", self.where)
                    failing = False
                    yield
                    async for _ in conn.notifies():
                        yield
            except (psycopg.Error, OSError) as exc:
                level = logging.DEBUG if failing else logging.WARNING
                logger.log(level, "Lost the change feed of %s (%s); reconnecting", self.where, type(exc).__name__)
                failing = True
            await anyio.sleep(retry_every)
