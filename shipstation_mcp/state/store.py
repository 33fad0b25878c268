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
starting together cannot both migrate; a "database is locked" while opening is such a race and is retried.

No input can poison it: times are written zero-padded and fixed-width (any year 1-9999 reads back and sorts), a
value it could not keep is refused (`UnstorableValue`) before the transaction starts, and a time it cannot read
back reads as unknown instead of failing every query. Growth is bounded: updates for numbers nobody watches, when
not allowed to start a watch, are capped (`MAX_UNWATCHED_EVENTS`); retention deletes old updates and long-stopped
packages; lists are read a page at a time (keyset cursors, newest first).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import anyio
import anyio.to_thread

from ..errors import InvalidInput, StoreError
from ..times import to_utc

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 10_000
MAX_UNWATCHED_EVENTS = 1000
"""Most updates kept for numbers nobody watches (see `IncomingEvent.watch_if_new`), plus at most `UNWATCHED_SLACK`
between two clean-ups; the oldest go first."""
UNWATCHED_SLACK = 100
MAX_TEXT_CHARS = 1024 * 1024
OPEN_ATTEMPTS = 5
PRUNE_EVERY = 100
"""Retention runs at open and then after every this many stored updates."""
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
    watch_if_new: bool = True
    """False: if nobody watches this number, keep the update apart (bounded, see `MAX_UNWATCHED_EVENTS`) instead of
    starting to watch it. The receiver sets it for deliveries that did not prove they come from this account."""


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
    """How many events match the query in all (the page holds at most `limit`). Counted when the first page is
    read; later pages carry that count in their cursor instead of counting every row again (`total_recounted`)."""
    next_cursor: str | None = None
    """Pass back as `cursor` for the next (older) page; None on the last page."""
    before: int = 0
    """How many matching events the earlier pages held (0 on the first page)."""
    total_recounted: bool = True
    """False when `total` is the count made at the first page (updates received since are not in it)."""


@dataclass(frozen=True)
class SubscriptionPage:
    subscriptions: list[Subscription]
    total: int
    next_cursor: str | None = None
    before: int = 0
    total_recounted: bool = True


class UnstorableValue(ValueError):
    """An update holds a value the store cannot keep (e.g. text that is not valid Unicode). Nothing is stored."""


class BadCursor(InvalidInput):
    """A paging cursor that this store did not hand out."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            "That cursor was not given out by this server (or the list it paged has changed shape). Call again "
            "without `cursor` to start from the newest."
        )


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
        self,
        *,
        tracking_number: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> EventPage:
        """Stored events, newest received first; `since` compares with when they were received. Without a
        `tracking_number`, only events of watched (or once watched) packages. `BadCursor` for a foreign cursor."""
        ...

    async def subscription_page(
        self, *, limit: int = 50, cursor: str | None = None, include_stopped: bool = True
    ) -> SubscriptionPage:
        """Like `subscriptions`, one page at a time."""
        ...

    async def latest_event(self, tracking_number: str) -> StoredEvent | None:
        """The update with the newest scan for this package (the receive order breaks ties)."""
        ...

    async def events_after(self, event_id: int, *, limit: int = 500) -> list[tuple[int, str]]:
        """`(id, tracking_number)` of events stored after `event_id`, oldest first (for change notifications)."""
        ...

    async def last_event_id(self, *, received_before: datetime | None = None) -> int:
        """The newest event's id (0 when there is none); with `received_before`, of those received before then."""
        ...

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
    2: tuple(
        # Version 1 wrote years before 1000 unpadded ("1-01-01T…"), which sorted wrongly; pad them to 4 digits.
        f"UPDATE {table} SET {column} = substr('000', 1, 27 - length({column})) || {column}"  # noqa: S608
        f" WHERE length({column}) BETWEEN 24 AND 26"
        for table, columns in (
            ("events", ("occurred_at", "received_at")),
            (
                "subscriptions",
                ("since", "status_changed_at", "last_event_at", "last_received_at", "stopped_at"),
            ),
        )
        for column in columns
    ),
    3: (
        # Keyset paging of packages by activity walks this index instead of sorting every row (events page on
        # events_by_received and events_by_number, whose entries end with the rowid, i.e. the id).
        "CREATE INDEX IF NOT EXISTS subscriptions_by_activity ON subscriptions (COALESCE(last_received_at, since) DESC,"
        " tracking_number)",
    ),
    4: (
        # The account index (state/account_index.py): the account's labels, filled by an incremental sync.
        """
        CREATE TABLE IF NOT EXISTS account_labels (
            label_id        TEXT PRIMARY KEY,
            shipment_id     TEXT,
            external_id     TEXT,
            tracking_number TEXT,
            created_at      TEXT NOT NULL,
            label           TEXT NOT NULL,
            synced_at       TEXT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS account_labels_by_created ON account_labels (created_at)",
        "CREATE INDEX IF NOT EXISTS account_labels_by_number ON account_labels (tracking_number)",
        "CREATE INDEX IF NOT EXISTS account_labels_by_shipment ON account_labels (shipment_id)",
        "CREATE TABLE IF NOT EXISTS account_index_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
}
"""Schema steps: `MIGRATIONS[n]` takes a database from version n-1 to n. Append; never edit a released step."""


def _iso(value: datetime | None) -> str | None:
    """Fixed-width UTC text (the year always four digits, so 0001 sorts before 1970), so SQL string order is time
    order. Not `strftime("%Y")`: it leaves years before 1000 unpadded on Linux."""
    if value is None:
        return None
    t = to_utc(value)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}Z"


_STORED_TIME = re.compile(r"(\d{1,4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z")


def _time(value: str | None) -> datetime | None:
    """Read `_iso` text back, for any year 1-9999; also rows an older version wrote with an unpadded year.
    Unreadable text reads as None (logged) rather than failing every query that meets it."""
    if not value:
        return None
    found = _STORED_TIME.fullmatch(value)
    try:
        if found is None:
            raise ValueError(value[:40])
        return datetime(*(int(part) for part in found.groups()), tzinfo=UTC)  # type: ignore[misc]
    except ValueError:
        logger.warning("Unreadable time %r in the event store; treated as unknown", value[:40])
        return None


sortable_time = _iso
"""Public name of `_iso`: fixed-width UTC text (cursors of every store carry times in it)."""
stored_time = _time
"""Public name of `_time`: a time `sortable_time` wrote, read back (None when unreadable)."""


def check_storable(event: IncomingEvent) -> None:
    """Raise `UnstorableValue` for anything `add_event` could not store, so it is refused before any commit."""
    for f in fields(IncomingEvent):
        value = getattr(event, f.name)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise UnstorableValue(f"{f.name} is not valid Unicode text") from None
            if len(value) > MAX_TEXT_CHARS:
                raise UnstorableValue(f"{f.name} is longer than {MAX_TEXT_CHARS} characters")
            if "\x00" in value:  # PostgreSQL's text cannot hold it; refused by every store alike
                raise UnstorableValue(f"{f.name} holds a NUL character")
        elif isinstance(value, datetime) and _time(_iso(value)) is None:
            raise UnstorableValue(f"{f.name} is not a time that can be stored")


def encode_cursor(*parts: object) -> str:
    """A paging cursor holding `parts` (JSON, URL-safe base64); every store uses this one format."""
    return base64.urlsafe_b64encode(json.dumps(parts, separators=(",", ":")).encode()).decode().rstrip("=")


_INT64 = 2**63


def _cursor_part_ok(part: object, kind: type) -> bool:
    if isinstance(part, bool) or not isinstance(part, kind):
        return False
    if isinstance(part, int):
        return -_INT64 <= part < _INT64  # what a database integer can hold
    if isinstance(part, str):
        try:
            part.encode("utf-8")  # JSON can spell lone surrogates, which no database takes
        except UnicodeEncodeError:
            return False
        return "\x00" not in part and len(part) <= 4096
    return True


def decode_cursor(cursor: str, types: tuple[type, ...]) -> list[Any]:
    """The parts of a cursor `encode_cursor` made, each of the given type; `BadCursor` for anything else."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        raise BadCursor("the cursor was not made by this server") from None
    if not isinstance(parts, list) or len(parts) != len(types) or not all(map(_cursor_part_ok, parts, types)):
        raise BadCursor("the cursor was not made by this server")
    return parts


@dataclass(frozen=True)
class PageCursor:
    """Where a keyset page starts: after the row (`key`, `tie`), with the total counted at the first page."""

    key: str
    tie: Any
    total: int | None
    before: int


def page_cursor(key: str, tie: object, total: int, before: int) -> str:
    """The cursor of the page after a row whose sort key is `key` (`sortable_time` text) and tiebreak `tie`."""
    return encode_cursor(key, tie, total, before)


@dataclass(frozen=True)
class KeysetSlice:
    """One keyset page cut from the `limit + 1` rows a query read (the extra row only says another page follows)."""

    rows: list[Any]
    paging: dict[str, Any]
    """`total`, `next_cursor`, `before` and `total_recounted`, as `EventPage` and `SubscriptionPage` take them."""


def keyset_slice(
    rows: Sequence[Any],
    limit: int,
    after: PageCursor | None,
    total: int,
    sort_key: Callable[[Any], tuple[str, object]],
) -> KeysetSlice:
    """The page's rows and where the next page starts: after the last row shown (`sort_key` gives its sort key, in
    `sortable_time` text, and its tiebreak), carrying the total counted at the first page and how many came before."""
    shown = list(rows[: max(0, limit)])
    before = after.before if after else 0
    more = len(rows) > limit and shown
    next_cursor = page_cursor(*sort_key(shown[-1]), total, before + len(shown)) if more else None
    paging = {
        "total": int(total),
        "next_cursor": next_cursor,
        "before": before,
        "total_recounted": after is None or after.total is None,
    }
    return KeysetSlice(shown, paging)


def read_page_cursor(cursor: str, tie_type: type) -> PageCursor:
    """A cursor `page_cursor` made (or the two-part form earlier versions handed out, whose total is recounted);
    `BadCursor` for anything else. Its time is checked (`cursor_time`) and returned in `sortable_time` text."""
    try:
        key, tie, total, before = decode_cursor(cursor, (str, tie_type, int, int))
    except BadCursor:
        key, tie = decode_cursor(cursor, (str, tie_type))
        total, before = None, 0
    if (total is not None and total < 0) or before < 0:
        raise BadCursor("the cursor's counts are not ones this server writes")
    return PageCursor(_iso(cursor_time(key)) or "", tie, total, before)


KEYSET_AFTER = "{key} <= {p} AND ({key} < {p} OR {tie} {op} {p})"
"""The keyset condition of the page after a row, newest first: the first term is a plain range on the sort key, so
the database walks its index from that row on (`tests/state/test_store_scale.py` checks both stores do)."""


def cursor_time(text: str) -> datetime:
    """The time a cursor carries (`sortable_time` text); `BadCursor` when it is not one this server writes."""
    when = _time(text) if _STORED_TIME.fullmatch(text) else None
    if when is None:
        raise BadCursor("the cursor's time is not one this server writes")
    return when


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


def _stop(event: IncomingEvent, received: ScanT, occurred: ScanT | None) -> tuple[ScanT | None, str | None]:
    """(stopped_at, stop_reason) an update gives its package: a final status stops the watch at its scan time."""
    stop_reason = event.terminal
    return ((occurred or received) if stop_reason else None), stop_reason


def first_subscription_values(event: IncomingEvent, received: ScanT, occurred: ScanT | None) -> tuple[Any, ...]:
    """The row of a package first seen in a delivered update (`tracking_number, carrier_code, since, source,
    status_code, status_detail_code, status_description, status_changed_at, last_event_at, last_received_at,
    stopped_at, stop_reason`, source being 'webhook'), its times in the store's own form."""
    stopped_at, stop_reason = _stop(event, received, occurred)
    return (
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
    )


def status_update_values(
    event: IncomingEvent, row: Sequence[Any], received: ScanT, occurred: ScanT | None
) -> tuple[Any, ...] | None:
    """How an update changes a watched package's status, from its row (`status_code, status_detail_code,
    last_event_at, stop_reason`): the values `status_code, status_detail_code, status_description, last_event_at,
    changed, status_changed_at, stop_reason, stop_reason, stopped_at, tracking_number` of both stores' UPDATE, or
    None when the update is history (`moves_forward`). An unsubscribed package stays unsubscribed."""
    old_status, old_detail, last_event_at, old_stop = row
    if not moves_forward(old_status, last_event_at, event.status_code, occurred):
        return None
    stopped_at, stop_reason = _stop(event, received, occurred)
    if old_stop == "unsubscribed":
        stop_reason, stopped_at = "unsubscribed", None
    newest = max((t for t in (last_event_at, occurred) if t), default=None)
    changed = (event.status_code, event.status_detail_code) != (old_status, old_detail)
    return (
        event.status_code,
        event.status_detail_code,
        event.status_description,
        newest,
        changed,
        occurred or received,
        stop_reason,
        stop_reason,
        stopped_at,
        event.tracking_number,
    )


class _Locked(Exception):
    pass


def subscription_from_row(row: Sequence[Any], read_time: Callable[[Any], datetime | None]) -> Subscription:
    """A `subscriptions` row in the column order both stores select, its times read by the store's own rule."""
    return Subscription(
        tracking_number=row[0],
        since=read_time(row[1]) or datetime.now(UTC),
        source=row[2],
        carrier_code=row[3],
        status_code=row[4],
        status_detail_code=row[5],
        status_description=row[6],
        status_changed_at=read_time(row[7]),
        last_event_at=read_time(row[8]),
        last_received_at=read_time(row[9]),
        event_count=int(row[10]),
        stopped_at=read_time(row[11]),
        stop_reason=row[12],
    )


def event_from_row(row: Sequence[Any], read_time: Callable[[Any], datetime | None]) -> StoredEvent:
    """An `events` row in the column order both stores select, its times read by the store's own rule."""
    return StoredEvent(
        id=int(row[0]),
        tracking_number=row[1],
        received_at=read_time(row[2]) or datetime.now(UTC),
        payload=row[3],
        carrier_code=row[4],
        resource_type=row[5],
        status_code=row[6],
        status_detail_code=row[7],
        status_description=row[8],
        occurred_at=read_time(row[9]),
    )


class SQLiteEventStore:
    """`EventStore` over one SQLite file (or memory, with `path=None`). Open with `await SQLiteEventStore.open(…)`."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None, *, retention_days: int | None = None) -> None:
        self._conn = connection
        self._lock = threading.Lock()
        self.path = path
        self.retention_days = retention_days
        self._since_prune = 0
        self._unwatched_added = 0

    def __repr__(self) -> str:
        return f"SQLiteEventStore({str(self.path) if self.path else ':memory:'})"

    @classmethod
    async def open(cls, path: Path | None, *, retention_days: int | None = None) -> SQLiteEventStore:
        return await anyio.to_thread.run_sync(lambda: cls.open_sync(path, retention_days=retention_days))

    @classmethod
    def open_sync(cls, path: Path | None, *, retention_days: int | None = None) -> SQLiteEventStore:
        """Open (creating the folder and file if needed) and migrate. Raises `StoreError` with a fix.

        Two processes opening a fresh file at once can meet "database is locked" (switching to WAL takes an
        exclusive lock that the busy timeout does not cover): that is a race, not a broken file, so it is retried."""
        for attempt in range(1, OPEN_ATTEMPTS + 1):
            try:
                store = cls._open_once(path)
            except _Locked:
                if attempt == OPEN_ATTEMPTS:
                    raise StoreError(
                        f"The event store at {path} stayed locked by another process. Stop other shipstation-mcp "
                        "processes using this SHIPSTATION_DATA_DIR, or give this one its own folder."
                    ) from None
                time.sleep(0.05 * 2**attempt)
                continue
            store.retention_days = retention_days
            if retention_days:
                store._prune()
            return store
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def _open_once(cls, path: Path | None) -> SQLiteEventStore:
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
        except sqlite3.OperationalError as exc:
            conn.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise _Locked from None
            raise StoreError(
                f"The event store at {path} cannot be used ({exc}). Check the folder's permissions and free disk "
                "space, or point SHIPSTATION_DATA_DIR at another folder."
            ) from None
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
        self,
        *,
        tracking_number: str | None = None,
        since: datetime | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> EventPage:
        return await self._run(self._events, tracking_number, since, limit, cursor)

    async def subscription_page(
        self, *, limit: int = 50, cursor: str | None = None, include_stopped: bool = True
    ) -> SubscriptionPage:
        return await self._run(self._subscription_page, limit, cursor, include_stopped)

    async def latest_event(self, tracking_number: str) -> StoredEvent | None:
        return await self._run(self._latest_event, tracking_number)

    async def events_after(self, event_id: int, *, limit: int = 500) -> list[tuple[int, str]]:
        return await self._run(self._events_after, event_id, limit)

    async def last_event_id(self, *, received_before: datetime | None = None) -> int:
        return await self._run(self._last_event_id, received_before)

    async def aclose(self) -> None:
        await self._run(self._conn.close)

    # ------------------------------------------------------------------ synchronous implementation

    def _add_event(self, event: IncomingEvent) -> StoredEvent | None:
        check_storable(event)
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
            watched = conn.execute(
                "SELECT 1 FROM subscriptions WHERE tracking_number = ?", (event.tracking_number,)
            ).fetchone()
            if watched or event.watch_if_new:
                self._fold_into_subscription(event, received, occurred)
            else:
                self._unwatched_added += 1
                if self._unwatched_added >= UNWATCHED_SLACK:
                    self._drop_oldest_unwatched()
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._since_prune += 1
        if self.retention_days and self._since_prune >= PRUNE_EVERY:
            self._prune()
        facts = {f.name: getattr(event, f.name) for f in fields(EventFacts)}
        return StoredEvent(**{**facts, "received_at": _time(received), "occurred_at": _time(occurred)}, id=event_id)

    def _fold_into_subscription(self, event: IncomingEvent, received: str, occurred: str | None) -> None:
        conn = self._conn
        row = conn.execute(
            "SELECT status_code, status_detail_code, last_event_at, stop_reason FROM subscriptions"
            " WHERE tracking_number = ?",
            (event.tracking_number,),
        ).fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO subscriptions (tracking_number, carrier_code, since, source, status_code,"
                " status_detail_code, status_description, status_changed_at, last_event_at, last_received_at,"
                " stopped_at, stop_reason) VALUES (?, ?, ?, 'webhook', ?, ?, ?, ?, ?, ?, ?, ?)",
                first_subscription_values(event, received, occurred),
            )
            return
        conn.execute(
            "UPDATE subscriptions SET last_received_at = MAX(COALESCE(last_received_at, ''), ?),"
            " carrier_code = COALESCE(carrier_code, ?) WHERE tracking_number = ?",
            (received, event.carrier_code, event.tracking_number),
        )
        values = status_update_values(event, row, received, occurred)
        if values is not None:
            conn.execute(
                "UPDATE subscriptions SET status_code = ?, status_detail_code = ?, status_description = ?,"
                " last_event_at = ?, status_changed_at = CASE WHEN ? THEN ? ELSE status_changed_at END,"
                " stop_reason = ?, stopped_at = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(?, stopped_at) END"
                " WHERE tracking_number = ?",
                values,
            )

    def _drop_oldest_unwatched(self) -> None:
        self._unwatched_added = 0
        self._conn.execute(
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE tracking_number NOT IN"
            " (SELECT tracking_number FROM subscriptions) ORDER BY id DESC LIMIT -1 OFFSET ?)",
            (MAX_UNWATCHED_EVENTS,),
        )

    def _prune(self) -> None:
        """Retention: delete updates received, and packages stopped, more than `retention_days` ago."""
        self._since_prune = 0
        if not self.retention_days:
            return
        cutoff = _iso(datetime.now(UTC) - timedelta(days=self.retention_days))
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            events = conn.execute("DELETE FROM events WHERE received_at < ?", (cutoff,)).rowcount
            packages = conn.execute(
                "DELETE FROM subscriptions WHERE stop_reason IS NOT NULL AND COALESCE(stopped_at, since) < ?"
                " AND COALESCE(last_received_at, since) < ?",
                (cutoff, cutoff),
            ).rowcount
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if events or packages:
            logger.info(
                "Retention: %d update(s) and %d stopped package(s) older than %d days deleted",
                events,
                packages,
                self.retention_days,
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

    _SUBSCRIPTION_QUERY = (
        "SELECT s.tracking_number, s.since, s.source, s.carrier_code, s.status_code, s.status_detail_code,"
        " s.status_description, s.status_changed_at, s.last_event_at, s.last_received_at,"
        " (SELECT COUNT(*) FROM events e WHERE e.tracking_number = s.tracking_number),"
        " s.stopped_at, s.stop_reason, COALESCE(s.last_received_at, s.since) FROM subscriptions s"
    )
    _SUBSCRIPTION_ORDER = " ORDER BY COALESCE(s.last_received_at, s.since) DESC, s.tracking_number"

    def _subscriptions(self, tracking_number: str | None) -> list[Subscription]:
        query = self._SUBSCRIPTION_QUERY
        args: tuple[Any, ...] = ()
        if tracking_number is not None:
            query += " WHERE s.tracking_number = ?"
            args = (tracking_number,)
        return [self._subscription(row) for row in self._conn.execute(query + self._SUBSCRIPTION_ORDER, args)]

    def _subscription_page(self, limit: int, cursor: str | None, include_stopped: bool) -> SubscriptionPage:
        where, args = [], []
        if not include_stopped:
            where.append("s.stop_reason IS NULL")
        after = read_page_cursor(cursor, str) if cursor is not None else None
        total = after.total if after else None
        if total is None:
            clause = (" WHERE " + " AND ".join(where)) if where else ""
            total = self._conn.execute(f"SELECT COUNT(*) FROM subscriptions s{clause}", args).fetchone()[0]  # noqa: S608
        if after is not None:
            where.append(
                KEYSET_AFTER.format(key="COALESCE(s.last_received_at, s.since)", tie="s.tracking_number", op=">", p="?")
            )
            args += [after.key, after.key, after.tie]
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        rows = self._conn.execute(
            self._SUBSCRIPTION_QUERY + clause + self._SUBSCRIPTION_ORDER + " LIMIT ?", [*args, max(0, limit) + 1]
        ).fetchall()
        page = keyset_slice(rows, limit, after, total, lambda row: (row[13], row[0]))
        return SubscriptionPage([self._subscription(r) for r in page.rows], **page.paging)

    @staticmethod
    def _subscription(row: Sequence[Any]) -> Subscription:
        return subscription_from_row(row, _time)

    _EVENT_COLUMNS = (
        "id, tracking_number, received_at, payload, carrier_code, resource_type, status_code, status_detail_code,"
        " status_description, occurred_at"
    )

    @staticmethod
    def _event(row: Sequence[Any]) -> StoredEvent:
        return event_from_row(row, _time)

    def _events(
        self, tracking_number: str | None, since: datetime | None, limit: int, cursor: str | None = None
    ) -> EventPage:
        where: list[str] = []
        args: list[Any] = []
        if tracking_number is not None:
            where.append("tracking_number = ?")
            args.append(tracking_number)
        else:
            # Updates held apart for numbers nobody watches are only shown when asked for by number. The unary +
            # keeps SQLite from driving the query by this term (and sorting): it walks events_by_received instead.
            where.append("+tracking_number IN (SELECT tracking_number FROM subscriptions)")
        if since is not None:
            where.append("received_at >= ?")
            args.append(_iso(since))
        after = read_page_cursor(cursor, int) if cursor is not None else None
        total = after.total if after else None
        if total is None:
            clause = " WHERE " + " AND ".join(where)
            total = self._conn.execute(f"SELECT COUNT(*) FROM events{clause}", args).fetchone()[0]  # noqa: S608
        if after is not None:
            where.append(KEYSET_AFTER.format(key="received_at", tie="id", op="<", p="?"))
            args += [after.key, after.key, after.tie]
        clause = " WHERE " + " AND ".join(where)
        rows = self._conn.execute(
            f"SELECT {self._EVENT_COLUMNS} FROM events{clause} ORDER BY received_at DESC, id DESC LIMIT ?",  # noqa: S608
            [*args, max(0, limit) + 1],
        ).fetchall()
        page = keyset_slice(rows, limit, after, total, lambda row: (row[2], int(row[0])))
        return EventPage(events=[self._event(row) for row in page.rows], **page.paging)

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

    def _last_event_id(self, received_before: datetime | None) -> int:
        if received_before is None:
            return int(self._conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])
        query = "SELECT COALESCE(MAX(id), 0) FROM events WHERE received_at < ?"
        return int(self._conn.execute(query, (_iso(received_before),)).fetchone()[0])


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
