"""The event store: watched packages (subscriptions) and the tracking updates ShipStation's webhooks delivered.

`EventStore` is the one API the tools, the resource and the webhook receiver use. `SQLiteEventStore` implements it
with the standard library's `sqlite3`; a server-grade database can replace it by implementing the same protocol.

Durability: the database runs in WAL mode with `synchronous=FULL`, so a commit returns only after the write-ahead
log is flushed to disk. The receiver answers 2xx only after that commit, which is why everything it acknowledged
survives a killed process (NORMAL would already survive a killed process, but not a power cut or an OS crash, and
an acknowledged webhook is not sent again; tracking updates are a few per package, so the flush costs nothing that
matters).

Concurrency: every call runs in a worker thread (`anyio.to_thread`), never on the event loop; one connection per
store, serialised by a lock. Several processes may share one database file (the stdio server reads what a separate
`shipstation-mcp webhooks` receiver writes): WAL lets readers run beside the one writer, and writers wait up to
`BUSY_TIMEOUT_MS` for each other.

Schema: versioned with `PRAGMA user_version` and migrated on open, inside one write transaction, so two processes
starting together cannot both migrate.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import anyio
import anyio.to_thread

from ..errors import StoreError
from ..times import to_utc

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 10_000
StopReason = Literal["delivered", "exception", "unsubscribed"]
Terminal = Literal["delivered", "exception"]
T = TypeVar("T")


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True, kw_only=True)
class EventFacts:
    """What is kept of one tracking update."""

    tracking_number: str
    received_at: datetime
    payload: str
    """The request body exactly as received (UTF-8 text)."""
    carrier_code: str | None = None
    resource_type: str | None = None
    status_code: str | None = None
    status_detail_code: str | None = None
    status_description: str | None = None
    occurred_at: datetime | None = None
    """When the newest scan in the update happened (UTC), if it has one."""


@dataclass(frozen=True, kw_only=True)
class IncomingEvent(EventFacts):
    """One verified tracking update, ready to store. Built by the webhook receiver."""

    dedupe_key: str
    terminal: Terminal | None = None
    """Set when the status ends ShipStation's watch: it stops by itself at delivery or exception."""


@dataclass(frozen=True, kw_only=True)
class StoredEvent(EventFacts):
    id: int

    def data(self) -> dict[str, Any]:
        """The webhook's `data` object (the tracking information), or {} if the payload has none."""
        try:
            body = json.loads(self.payload)
        except ValueError:
            return {}
        data = body.get("data") if isinstance(body, dict) else None
        return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class Subscription:
    """A package being (or once) watched, with the latest status its updates reported."""

    tracking_number: str
    since: datetime
    source: str
    """`subscribe_tracking` when started from a tool, `webhook` when first seen in a delivered update."""
    carrier_code: str | None = None
    status_code: str | None = None
    status_detail_code: str | None = None
    status_description: str | None = None
    status_changed_at: datetime | None = None
    last_event_at: datetime | None = None
    last_received_at: datetime | None = None
    event_count: int = 0
    stopped_at: datetime | None = None
    stop_reason: StopReason | None = None

    @property
    def watching(self) -> bool:
        return self.stop_reason is None


@dataclass(frozen=True)
class EventPage:
    events: list[StoredEvent]
    total: int
    """How many events match the query in all (the page holds at most `limit`)."""


class EventStore(Protocol):
    """What the tools, the resource and the receiver need from a store. Every method is safe to call concurrently."""

    async def add_event(self, event: IncomingEvent) -> StoredEvent | None:
        """Store `event` and fold it into its package's subscription; None if an event with its key exists."""
        ...

    async def watch(self, tracking_number: str, carrier_code: str | None, *, at: datetime) -> Subscription: ...

    async def unwatch(self, tracking_number: str, carrier_code: str | None, *, at: datetime) -> Subscription | None: ...

    async def subscriptions(self) -> list[Subscription]:
        """Every subscription, the most recently changed first."""
        ...

    async def subscription(self, tracking_number: str) -> Subscription | None: ...

    async def events(
        self, *, tracking_number: str | None = None, since: datetime | None = None, limit: int = 20
    ) -> EventPage:
        """Stored events, newest received first; `since` compares with when they were received."""
        ...

    async def latest_event(self, tracking_number: str) -> StoredEvent | None:
        """The update with the newest scan for this package (the receive order breaks ties)."""
        ...

    async def events_after(self, event_id: int, *, limit: int = 500) -> list[tuple[int, str]]:
        """`(id, tracking_number)` of events stored after `event_id`, oldest first (for change notifications)."""
        ...

    async def last_event_id(self) -> int: ...

    async def aclose(self) -> None: ...


# ----------------------------------------------------------------------------- SQLite

MIGRATIONS: dict[int, Sequence[str]] = {
    1: (
        """
        CREATE TABLE subscriptions (
            tracking_number    TEXT PRIMARY KEY,
            carrier_code       TEXT,
            since              TEXT NOT NULL,
            source             TEXT NOT NULL,
            status_code        TEXT,
            status_detail_code TEXT,
            status_description TEXT,
            status_changed_at  TEXT,
            last_event_at      TEXT,
            last_received_at   TEXT,
            stopped_at         TEXT,
            stop_reason        TEXT CHECK (stop_reason IN ('delivered', 'exception', 'unsubscribed'))
        )
        """,
        """
        CREATE TABLE events (
            id                 INTEGER PRIMARY KEY AUTOINCREMENT,
            dedupe_key         TEXT NOT NULL UNIQUE,
            tracking_number    TEXT NOT NULL,
            carrier_code       TEXT,
            resource_type      TEXT,
            status_code        TEXT,
            status_detail_code TEXT,
            status_description TEXT,
            occurred_at        TEXT,
            received_at        TEXT NOT NULL,
            payload            TEXT NOT NULL
        )
        """,
        "CREATE INDEX events_by_number ON events (tracking_number, received_at)",
        "CREATE INDEX events_by_received ON events (received_at)",
    ),
}
"""Schema steps: `MIGRATIONS[n]` takes a database from version n-1 to n. Append; never edit a released step."""


def _iso(value: datetime | None) -> str | None:
    """Fixed-width UTC text, so that SQL string order is time order."""
    if value is None:
        return None
    return to_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time(value: str | None) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) if value else None


DELIVERED_STATUS_CODES = frozenset({"DE", "SP"})
"""ShipStation's delivered statuses (delivered; delivered to a service point)."""


ScanT = TypeVar("ScanT", str, datetime)


def moves_forward(
    old_status: str | None, old_scan: ScanT | None, new_status: str | None, new_scan: ScanT | None
) -> bool:
    """Whether an update becomes the package's current status; every store applies this one rule.

    Deliveries arrive out of order, so an update whose newest scan is older than what we know (or that has no scan
    time, when we know one) is history, not the package's current state. And a delivered package is never turned
    back into one in transit by an update that is not strictly newer than the delivery. Scan times are aware
    datetimes or fixed-width UTC text (see `_iso`), both in time order.
    """
    if old_scan and (new_scan is None or new_scan < old_scan):
        return False
    if old_status in DELIVERED_STATUS_CODES and new_status not in DELIVERED_STATUS_CODES:
        return bool(old_scan and new_scan and new_scan > old_scan)
    return True


def _later(a: str | None, b: str | None) -> str | None:
    return max((x for x in (a, b) if x), default=None)


class SQLiteEventStore:
    """`EventStore` over one SQLite file (or memory, with `path=None`). Open with `await SQLiteEventStore.open(…)`."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._conn = connection
        self._lock = threading.Lock()
        self.path = path

    def __repr__(self) -> str:
        return f"SQLiteEventStore({str(self.path) if self.path else ':memory:'})"

    @classmethod
    async def open(cls, path: Path | None) -> SQLiteEventStore:
        return await anyio.to_thread.run_sync(cls.open_sync, path)

    @classmethod
    def open_sync(cls, path: Path | None) -> SQLiteEventStore:
        """Open (creating the folder and file if needed) and migrate. Raises `StoreError` with a fix."""
        try:
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                if not path.exists():
                    # Tracking data names recipients' towns: readable by this user only.
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(
                str(path) if path else ":memory:",
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # used from worker threads, one at a time (see the lock)
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"Cannot open the event store at {path}: {exc}. Set SHIPSTATION_DATA_DIR to a folder this user "
                "can write to."
            ) from None
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if path is not None:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    logger.warning("The event store could not switch to WAL mode (got %s); continuing", mode)
            conn.execute("PRAGMA synchronous = FULL")
            _migrate(conn, path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"The event store at {path} is unreadable ({exc}). Move the file away (events received so far "
                "are in it) or point SHIPSTATION_DATA_DIR at another folder."
            ) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    # ------------------------------------------------------------------ async API (EventStore)

    async def _run(self, func: Callable[..., T], *args: Any) -> T:
        return await anyio.to_thread.run_sync(self._locked, func, *args)

    def _locked(self, func: Callable[..., T], *args: Any) -> T:
        with self._lock:
            return func(*args)

    async def add_event(self, event: IncomingEvent) -> StoredEvent | None:
        return await self._run(self._add_event, event)

    async def watch(self, tracking_number: str, carrier_code: str | None, *, at: datetime) -> Subscription:
        return await self._run(self._watch, tracking_number, carrier_code, at)

    async def unwatch(self, tracking_number: str, carrier_code: str | None, *, at: datetime) -> Subscription | None:
        return await self._run(self._unwatch, tracking_number, carrier_code, at)

    async def subscriptions(self) -> list[Subscription]:
        return await self._run(self._subscriptions, None)

    async def subscription(self, tracking_number: str) -> Subscription | None:
        found = await self._run(self._subscriptions, tracking_number)
        return found[0] if found else None

    async def events(
        self, *, tracking_number: str | None = None, since: datetime | None = None, limit: int = 20
    ) -> EventPage:
        return await self._run(self._events, tracking_number, since, limit)

    async def latest_event(self, tracking_number: str) -> StoredEvent | None:
        return await self._run(self._latest_event, tracking_number)

    async def events_after(self, event_id: int, *, limit: int = 500) -> list[tuple[int, str]]:
        return await self._run(self._events_after, event_id, limit)

    async def last_event_id(self) -> int:
        return await self._run(self._last_event_id)

    async def aclose(self) -> None:
        await self._run(self._conn.close)

    # ------------------------------------------------------------------ synchronous implementation

    def _add_event(self, event: IncomingEvent) -> StoredEvent | None:
        conn = self._conn
        received = _iso(event.received_at)
        occurred = _iso(event.occurred_at)
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO events (dedupe_key, tracking_number, carrier_code, resource_type, status_code,"
                " status_detail_code, status_description, occurred_at, received_at, payload)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event.dedupe_key,
                    event.tracking_number,
                    event.carrier_code,
                    event.resource_type,
                    event.status_code,
                    event.status_detail_code,
                    event.status_description,
                    occurred,
                    received,
                    event.payload,
                ),
            )
            if cursor.rowcount != 1:
                conn.execute("ROLLBACK")
                return None
            event_id = int(cursor.lastrowid or 0)
            self._fold_into_subscription(event, received, occurred)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        facts = {f.name: getattr(event, f.name) for f in fields(EventFacts)}
        return StoredEvent(**{**facts, "received_at": _time(received), "occurred_at": _time(occurred)}, id=event_id)

    def _fold_into_subscription(self, event: IncomingEvent, received: str | None, occurred: str | None) -> None:
        conn = self._conn
        row = conn.execute(
            "SELECT status_code, status_detail_code, last_event_at, stop_reason FROM subscriptions"
            " WHERE tracking_number = ?",
            (event.tracking_number,),
        ).fetchone()
        stop_reason = event.terminal
        stopped_at = (occurred or received) if stop_reason else None
        if row is None:
            conn.execute(
                "INSERT INTO subscriptions (tracking_number, carrier_code, since, source, status_code,"
                " status_detail_code, status_description, status_changed_at, last_event_at, last_received_at,"
                " stopped_at, stop_reason) VALUES (?, ?, ?, 'webhook', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event.tracking_number,
                    event.carrier_code,
                    received,
                    event.status_code,
                    event.status_detail_code,
                    event.status_description,
                    occurred or received,
                    occurred,
                    received,
                    stopped_at,
                    stop_reason,
                ),
            )
            return
        old_status, old_detail, last_event_at, old_stop = row
        conn.execute(
            "UPDATE subscriptions SET last_received_at = MAX(COALESCE(last_received_at, ''), ?),"
            " carrier_code = COALESCE(carrier_code, ?) WHERE tracking_number = ?",
            (received, event.carrier_code, event.tracking_number),
        )
        if not moves_forward(old_status, last_event_at, event.status_code, occurred):
            return
        changed = (event.status_code, event.status_detail_code) != (old_status, old_detail)
        if old_stop == "unsubscribed":
            stop_reason, stopped_at = "unsubscribed", None
        conn.execute(
            "UPDATE subscriptions SET status_code = ?, status_detail_code = ?, status_description = ?,"
            " last_event_at = ?, status_changed_at = CASE WHEN ? THEN ? ELSE status_changed_at END,"
            " stop_reason = ?, stopped_at = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(?, stopped_at) END"
            " WHERE tracking_number = ?",
            (
                event.status_code,
                event.status_detail_code,
                event.status_description,
                _later(last_event_at, occurred),
                changed,
                occurred or received,
                stop_reason,
                stop_reason,
                stopped_at,
                event.tracking_number,
            ),
        )

    def _watch(self, tracking_number: str, carrier_code: str | None, at: datetime) -> Subscription:
        conn = self._conn
        when = _iso(at)
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Watching again after a stop starts a new watch: `since` moves to now.
            conn.execute(
                "INSERT INTO subscriptions (tracking_number, carrier_code, since, source)"
                " VALUES (?, ?, ?, 'subscribe_tracking')"
                " ON CONFLICT (tracking_number) DO UPDATE SET"
                " carrier_code = COALESCE(excluded.carrier_code, carrier_code),"
                " since = CASE WHEN stop_reason IS NULL THEN since ELSE excluded.since END,"
                " source = 'subscribe_tracking', stop_reason = NULL, stopped_at = NULL",
                (tracking_number, carrier_code, when),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return self._subscriptions(tracking_number)[0]

    def _unwatch(self, tracking_number: str, carrier_code: str | None, at: datetime) -> Subscription | None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "UPDATE subscriptions SET stop_reason = 'unsubscribed', stopped_at = ?,"
                " carrier_code = COALESCE(?, carrier_code) WHERE tracking_number = ?",
                (_iso(at), carrier_code, tracking_number),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        found = self._subscriptions(tracking_number)
        return found[0] if found else None

    def _subscriptions(self, tracking_number: str | None) -> list[Subscription]:
        query = (
            "SELECT s.tracking_number, s.since, s.source, s.carrier_code, s.status_code, s.status_detail_code,"
            " s.status_description, s.status_changed_at, s.last_event_at, s.last_received_at,"
            " (SELECT COUNT(*) FROM events e WHERE e.tracking_number = s.tracking_number),"
            " s.stopped_at, s.stop_reason FROM subscriptions s"
        )
        args: tuple[Any, ...] = ()
        if tracking_number is not None:
            query += " WHERE s.tracking_number = ?"
            args = (tracking_number,)
        query += " ORDER BY COALESCE(s.last_received_at, s.since) DESC, s.tracking_number"
        return [
            Subscription(
                tracking_number=row[0],
                since=_time(row[1]) or datetime.now(UTC),
                source=row[2],
                carrier_code=row[3],
                status_code=row[4],
                status_detail_code=row[5],
                status_description=row[6],
                status_changed_at=_time(row[7]),
                last_event_at=_time(row[8]),
                last_received_at=_time(row[9]),
                event_count=int(row[10]),
                stopped_at=_time(row[11]),
                stop_reason=row[12],
            )
            for row in self._conn.execute(query, args)
        ]

    _EVENT_COLUMNS = (
        "id, tracking_number, received_at, payload, carrier_code, resource_type, status_code, status_detail_code,"
        " status_description, occurred_at"
    )

    @staticmethod
    def _event(row: Sequence[Any]) -> StoredEvent:
        return StoredEvent(
            id=int(row[0]),
            tracking_number=row[1],
            received_at=_time(row[2]) or datetime.now(UTC),
            payload=row[3],
            carrier_code=row[4],
            resource_type=row[5],
            status_code=row[6],
            status_detail_code=row[7],
            status_description=row[8],
            occurred_at=_time(row[9]),
        )

    def _events(self, tracking_number: str | None, since: datetime | None, limit: int) -> EventPage:
        where, args = [], []
        if tracking_number is not None:
            where.append("tracking_number = ?")
            args.append(tracking_number)
        if since is not None:
            where.append("received_at >= ?")
            args.append(_iso(since))
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        total = self._conn.execute(f"SELECT COUNT(*) FROM events{clause}", args).fetchone()[0]  # noqa: S608
        rows = self._conn.execute(
            f"SELECT {self._EVENT_COLUMNS} FROM events{clause} ORDER BY received_at DESC, id DESC LIMIT ?",  # noqa: S608
            [*args, max(0, limit)],
        ).fetchall()
        return EventPage(events=[self._event(row) for row in rows], total=int(total))

    def _latest_event(self, tracking_number: str) -> StoredEvent | None:
        row = self._conn.execute(
            f"SELECT {self._EVENT_COLUMNS} FROM events WHERE tracking_number = ?"  # noqa: S608
            " ORDER BY occurred_at IS NULL, occurred_at DESC, id DESC LIMIT 1",
            (tracking_number,),
        ).fetchone()
        return self._event(row) if row else None

    def _events_after(self, event_id: int, limit: int) -> list[tuple[int, str]]:
        rows = self._conn.execute(
            "SELECT id, tracking_number FROM events WHERE id > ? ORDER BY id LIMIT ?", (event_id, limit)
        ).fetchall()
        return [(int(row[0]), row[1]) for row in rows]

    def _last_event_id(self) -> int:
        return int(self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])


def _migrate(conn: sqlite3.Connection, path: Path | None) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The event store at {path} was written by a newer shipstation-mcp (schema {version}; this one "
                f"knows up to {SCHEMA_VERSION}). Upgrade shipstation-mcp, or point SHIPSTATION_DATA_DIR elsewhere."
            )
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step}")
            logger.info("Event store %s migrated to schema %d", path or ":memory:", step)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
