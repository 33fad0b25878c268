"""The account index: a compact copy of the account's labels in the event store, so big-account questions read the
store instead of paging through the API (issue 23, Build 3).

What is kept: one row per label (its id, shipment, external id, first tracking number, when it was created, and
the label as ShipStation described it, as compact JSON), filled by an incremental sync (`lookups/index.py`) within a
share of the rate budget the operator sets (`SHIPSTATION_INDEX_SHARE`). The latest tracking status of each label
comes from what webhooks pushed: the event store's packages (`subscriptions`) and updates (`events`), joined by
tracking number, so nothing is copied twice.

Off unless `SHIPSTATION_INDEX_SHARE` is set. On both stores: `AccountIndex` over SQLite, `PostgresAccountIndex`
over PostgreSQL (the same tables and queries in each dialect).

Sync state (`account_index_state`): `labels_from` (the earliest creation time the index covers) and
`labels_through` (the latest creation time it has read up to).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import StoreError
from .store import SQLiteEventStore, StoredEvent, event_from_row
from .store import sortable_time as _iso
from .store import stored_time as _time

__all__ = ["AccountIndex", "Index", "IndexedLabel", "PostgresAccountIndex", "account_index"]


@dataclass(frozen=True)
class IndexedLabel:
    """One label of the index, with what webhooks last pushed about its package (None when nothing was)."""

    label: dict[str, Any]
    """The label as ShipStation described it (API field names)."""
    pushed_status: str | None = None
    pushed_at: datetime | None = None
    """When the newest push about this package was received."""
    latest: StoredEvent | None = None
    """The pushed update with the newest scan (when asked for)."""


class AccountIndex:
    """The account index over a `SQLiteEventStore`'s database (same connection, same lock)."""

    def __init__(self, store: SQLiteEventStore) -> None:
        self._store = store

    async def add_labels(self, labels: Sequence[dict[str, Any]], *, at: datetime) -> int:
        """Insert or refresh labels (API dicts with at least `label_id` and `created_at`); how many were kept."""
        return await self._store._run(self._add_labels, list(labels), at)

    async def labels_created(self, since: datetime, until: datetime, *, with_latest: bool = True) -> list[IndexedLabel]:
        """Every indexed label created in the period, oldest first, with the newest pushed update of each."""
        return await self._store._run(self._labels_created, since, until, with_latest)

    async def coverage(self) -> tuple[datetime | None, datetime | None]:
        """(labels_from, labels_through): the creation times the index covers, None before the first sync."""
        return await self._store._run(self._coverage)

    async def set_coverage(self, labels_from: datetime, labels_through: datetime) -> None:
        await self._store._run(self._set_coverage, labels_from, labels_through)

    async def count(self) -> int:
        return await self._store._run(
            lambda: int(self._store._conn.execute("SELECT COUNT(*) FROM account_labels").fetchone()[0])
        )

    # ------------------------------------------------------------------ synchronous (in the store's worker thread)

    def _add_labels(self, labels: list[dict[str, Any]], at: datetime) -> int:
        rows = _rows(labels, at, _iso)
        conn = self._store._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "INSERT INTO account_labels (label_id, shipment_id, external_id, tracking_number, created_at, label,"
                " synced_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (label_id) DO UPDATE SET"
                " shipment_id = excluded.shipment_id, external_id = excluded.external_id,"
                " tracking_number = excluded.tracking_number, created_at = excluded.created_at,"
                " label = excluded.label, synced_at = excluded.synced_at",
                rows,
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return len(rows)

    _LATEST = (
        "SELECT id, tracking_number, received_at, payload, carrier_code, resource_type, status_code,"
        " status_detail_code, status_description, occurred_at FROM (SELECT e.*, ROW_NUMBER() OVER (PARTITION BY"
        " e.tracking_number ORDER BY e.occurred_at IS NULL, e.occurred_at DESC, e.id DESC) AS newest FROM events e"
        " WHERE e.tracking_number IN (SELECT tracking_number FROM account_labels WHERE created_at BETWEEN ? AND ?))"
        " WHERE newest = 1"
    )

    def _labels_created(self, since: datetime, until: datetime, with_latest: bool) -> list[IndexedLabel]:
        conn = self._store._conn
        span = (_iso(since), _iso(until))
        rows = conn.execute(
            "SELECT l.label, s.status_code, s.last_received_at FROM account_labels l LEFT JOIN subscriptions s"
            " ON s.tracking_number = l.tracking_number WHERE l.created_at BETWEEN ? AND ? ORDER BY l.created_at",
            span,
        ).fetchall()
        latest: dict[str, StoredEvent] = {}
        if with_latest:
            for row in conn.execute(self._LATEST, span):
                event = event_from_row(row, _time)
                latest[event.tracking_number] = event
        return [_indexed(text, status, received, latest) for text, status, received in rows]

    def _coverage(self) -> tuple[datetime | None, datetime | None]:
        values = dict(self._store._conn.execute("SELECT name, value FROM account_index_state").fetchall())
        return _time(values.get("labels_from")), _time(values.get("labels_through"))

    def _set_coverage(self, labels_from: datetime, labels_through: datetime) -> None:
        conn = self._store._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for name, value in (("labels_from", labels_from), ("labels_through", labels_through)):
                conn.execute(
                    "INSERT INTO account_index_state (name, value) VALUES (?, ?)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (name, _iso(value)),
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


class PostgresAccountIndex:
    """`AccountIndex` over a `PostgresEventStore` (its pool)."""

    def __init__(self, store: Any) -> None:
        self._store = store

    async def add_labels(self, labels: Sequence[dict[str, Any]], *, at: datetime) -> int:
        rows = _rows(labels, at, lambda t: t)
        async with self._store._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            await cursor.executemany(
                "INSERT INTO account_labels (label_id, shipment_id, external_id, tracking_number, created_at, label,"
                " synced_at) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (label_id) DO UPDATE SET"
                " shipment_id = excluded.shipment_id, external_id = excluded.external_id,"
                " tracking_number = excluded.tracking_number, created_at = excluded.created_at,"
                " label = excluded.label, synced_at = excluded.synced_at",
                rows,
            )
        return len(rows)

    async def labels_created(self, since: datetime, until: datetime, *, with_latest: bool = True) -> list[IndexedLabel]:
        query = self._store._query
        rows = await query(
            "SELECT l.label, s.status_code, s.last_received_at FROM account_labels l LEFT JOIN subscriptions s"
            " ON s.tracking_number = l.tracking_number WHERE l.created_at BETWEEN %s AND %s ORDER BY l.created_at",
            (since, until),
        )
        latest: dict[str, StoredEvent] = {}
        if with_latest:
            for row in await query(
                "SELECT DISTINCT ON (tracking_number) id, tracking_number, received_at, payload, carrier_code,"
                " resource_type, status_code, status_detail_code, status_description, occurred_at FROM events"
                " WHERE tracking_number IN (SELECT tracking_number FROM account_labels WHERE created_at BETWEEN %s"
                " AND %s) ORDER BY tracking_number, occurred_at IS NULL, occurred_at DESC, id DESC",
                (since, until),
            ):
                event = self._store._event(row)
                latest[event.tracking_number] = event
        return [_indexed(text, status, received, latest) for text, status, received in rows]

    async def coverage(self) -> tuple[datetime | None, datetime | None]:
        values = dict(await self._store._query("SELECT name, value FROM account_index_state"))
        return _utc(values.get("labels_from")), _utc(values.get("labels_through"))

    async def set_coverage(self, labels_from: datetime, labels_through: datetime) -> None:
        async with self._store._pool.connection() as conn, conn.transaction():
            for name, value in (("labels_from", labels_from), ("labels_through", labels_through)):
                await conn.execute(
                    "INSERT INTO account_index_state (name, value) VALUES (%s, %s)"
                    " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )

    async def count(self) -> int:
        return int((await self._store._query("SELECT COUNT(*) FROM account_labels"))[0][0])


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _number(label: dict[str, Any]) -> str | None:
    number = label.get("tracking_number")
    return str(number).replace(" ", "").upper() if number else None


def _rows(labels: Sequence[dict[str, Any]], at: datetime, when: Any) -> list[tuple[Any, ...]]:
    """The `account_labels` rows of `labels` (those with an id and a creation time), times through `when`."""
    rows = []
    for label in labels:
        created = _parse(label.get("created_at"))
        if not label.get("label_id") or created is None:
            continue
        text = json.dumps(label, separators=(",", ":"), ensure_ascii=False, default=str)
        rows.append(
            (
                str(label["label_id"]),
                label.get("shipment_id"),
                label.get("external_shipment_id"),
                _number(label),
                when(created),
                text,
                when(at),
            )
        )
    return rows


def _indexed(text: str, status: str | None, received: Any, latest: dict[str, StoredEvent]) -> IndexedLabel:
    label = json.loads(text)
    pushed_at = received if isinstance(received, datetime) else _time(received)
    return IndexedLabel(label, status, _utc(pushed_at), latest.get(_number(label) or ""))


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


Index = AccountIndex | PostgresAccountIndex
"""Either store's account index: the same methods."""


def account_index(store: object) -> Index:
    """The index over `store`; `StoreError` with what to do when the store cannot hold one."""
    if isinstance(store, SQLiteEventStore):
        return AccountIndex(store)
    if type(store).__name__ == "PostgresEventStore":
        return PostgresAccountIndex(store)
    raise StoreError(f"The account index cannot be kept in {store!r}; unset SHIPSTATION_INDEX_SHARE.")
