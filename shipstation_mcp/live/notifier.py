"""Live tracking: the event store's lifetime, change notifications, and the tools and resource that read the store.

`LiveTracking` is created once per MCP server. Its users enter `running()`: the web app of HTTP mode and the receiver
alone open the event store at once (deliveries may arrive any moment); the MCP lifespan opens it at its first use
(`ready()`: a live tool, the tracking resource, or a client subscribing to updates), so a stdio server that only
looks orders up never loads, creates or opens a store. Once open, it tells subscribed MCP clients when a new update
for a package was stored:

- clients on protocol 2026-07-28 listen with `subscriptions/listen`; we publish `ResourceUpdated` on the server's
  subscription bus;
- clients on earlier protocol versions (most desktop clients today) send `resources/subscribe`; we remember their
  sessions and send them `notifications/resources/updated`.

Updates can be stored by this process's receiver (HTTP mode), by a separate `shipstation-mcp webhooks` process that
shares the database (stdio mode), or by any other instance sharing a PostgreSQL store, so the notifier watches the
store itself: it wakes at once when this process stored an event or (PostgreSQL) when the store's LISTEN/NOTIFY
change feed says any instance did, and otherwise looks for new rows every `poll_interval` seconds (one indexed query).
Every instance then publishes on its own subscription bus, so clients subscribed on any instance are told.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import anyio

from ..config import LiveSettings
from ..errors import StoreError
from ..state.backends import ChangeFeed, open_event_store, store_location

if TYPE_CHECKING:  # the MCP SDK is imported only where MCP is served: a receiver-only process starts without it
    import mcp.types as mcp_types
    from anyio.abc import TaskGroup
    from mcp.server.context import ServerRequestContext
    from mcp.server.subscriptions import ServerEvent, SubscriptionBus

    from ..state.store import EventStore

logger = logging.getLogger(__name__)

TRACKING_URI_PREFIX = "shipstation://tracking/"
POLL_INTERVAL = 2.0
NOT_OPEN = "The event store is not open (the server is starting or stopping); try again."
LISTEN_MARGIN = timedelta(seconds=60)
"""A store opened because a client began listening tells of every update received from this long before that
moment on: nothing stored while it opened is missed, even by a writer whose clock runs a little behind. (At worst a
client hears of an update it already had; it reads the resource again.)"""


def tracking_uri(tracking_number: str) -> str:
    return TRACKING_URI_PREFIX + tracking_number


class LegacyResourceSubscribers:
    """`resources/subscribe` bookkeeping for clients on handshake-era protocol versions (before 2026-07-28).

    Sessions are remembered per connection and forgotten when the connection closes or a send fails.
    """

    def __init__(self) -> None:
        self._by_connection: WeakKeyDictionary[Any, tuple[Any, set[str]]] = WeakKeyDictionary()

    @staticmethod
    def _connection(ctx: ServerRequestContext[Any, Any]) -> Any:
        # ServerSession is a per-request proxy; the connection behind it is what lives as long as the client does.
        # The SDK offers no public accessor for it, so fall back to the session itself if the attribute moves.
        return getattr(ctx.session, "_connection", ctx.session)

    async def subscribe(
        self, ctx: ServerRequestContext[Any, Any], params: mcp_types.SubscribeRequestParams
    ) -> mcp_types.EmptyResult:
        from mcp.types import EmptyResult

        connection = self._connection(ctx)
        entry = self._by_connection.get(connection)
        if entry is None:
            entry = (ctx.session, set())
            self._by_connection[connection] = entry
            exit_stack = getattr(connection, "exit_stack", None)
            if exit_stack is not None:
                exit_stack.callback(self._by_connection.pop, connection, None)
        entry[1].add(str(params.uri))
        return EmptyResult()

    async def unsubscribe(
        self, ctx: ServerRequestContext[Any, Any], params: mcp_types.UnsubscribeRequestParams
    ) -> mcp_types.EmptyResult:
        from mcp.types import EmptyResult

        entry = self._by_connection.get(self._connection(ctx))
        if entry is not None:
            entry[1].discard(str(params.uri))
        return EmptyResult()

    async def send(self, uri: str) -> int:
        sent = 0
        for connection, (session, uris) in list(self._by_connection.items()):
            if uri not in uris:
                continue
            try:
                await session.send_resource_updated(uri)
                sent += 1
            except Exception as exc:  # a closed client must not stop the others
                logger.debug("Dropping a resource subscriber that cannot be reached (%s)", type(exc).__name__)
                self._by_connection.pop(connection, None)
        return sent


class LiveTracking:
    """The event store and the change notifier, shared by the tools, the resource and the webhook receiver.

    `bus` is the MCP server's subscription bus; without one (a receiver-only process) nobody listens here."""

    def __init__(
        self,
        settings: LiveSettings,
        *,
        bus: SubscriptionBus | None = None,
        clock: Callable[[], datetime] | None = None,
        poll_interval: float = POLL_INTERVAL,
        fallback_to_memory: bool = False,
        on_open: Callable[[EventStore], Awaitable[None]] | None = None,
    ) -> None:
        self.settings = settings
        self.bus = _OpeningBus(bus, self) if bus is not None else None
        self.legacy = LegacyResourceSubscribers()
        self._clock = clock
        self._poll_interval = poll_interval
        self._fallback_to_memory = fallback_to_memory
        self._on_open = on_open
        self.problem: str | None = None
        """Why the store on disk could not be used (the server then keeps updates in memory), or None."""
        self._store: EventStore | None = None
        self._tasks: TaskGroup | None = None
        self._listening_since: datetime | None = None
        self._users = 0
        self._open_lock = anyio.Lock()
        self._wake = anyio.Event()
        self._last_notified = 0

    def now(self) -> datetime:
        return self._clock() if self._clock else datetime.now(UTC)

    @property
    def store(self) -> EventStore:
        """The open store (`ready()` opens it)."""
        if self._store is None:
            raise StoreError(NOT_OPEN)
        return self._store

    @property
    def where(self) -> str:
        return store_location(self.settings)

    @asynccontextmanager
    async def running(self, *, lazily: bool = False) -> AsyncIterator[LiveTracking]:
        """Keep the store and the notifier while any user is inside; the first one in owns them. The store opens
        now, or with `lazily` at its first use (`ready()`); a user that cannot wait opens it on entering."""
        async with self._open_lock:
            self._users += 1
            owner = self._users == 1
        if not owner:
            try:
                if not lazily:
                    await self.ready()
                yield self
            finally:
                self._users -= 1
            return
        try:
            self._wake = anyio.Event()  # a fresh one: the server may run again under another event loop
            async with anyio.create_task_group() as tasks:
                self._tasks = tasks
                try:
                    if not lazily:
                        await self.ready()
                    yield self
                finally:
                    self._tasks = None
                    tasks.cancel_scope.cancel()
        finally:
            async with self._open_lock:
                self._users -= 1
                store, self._store = self._store, None
                self._listening_since = None
            if store is not None:
                with anyio.CancelScope(shield=True):
                    await store.aclose()

    async def ready(self) -> EventStore:
        """The store, opened (and the notifier started) if this is its first use."""
        if self._store is not None:
            return self._store
        async with self._open_lock:
            if self._store is None:
                if self._tasks is None:
                    raise StoreError(NOT_OPEN)
                # Shielded: a caller cancelled half-way (a client giving up on its call) must not leave a store
                # opened and never closed; the next caller finds it open.
                with anyio.CancelScope(shield=True):
                    store = await self._open_store()
                    try:
                        if self._on_open is not None:
                            await self._on_open(store)
                        since = self._listening_since
                        before = since - LISTEN_MARGIN if since is not None else None
                        self._last_notified = await store.last_event_id(received_before=before)
                    except BaseException:
                        await store.aclose()
                        raise
                tasks = self._tasks
                if tasks is None:  # the server stopped while the store opened
                    with anyio.CancelScope(shield=True):
                        await store.aclose()
                    raise StoreError(NOT_OPEN)
                self._store = store
                tasks.start_soon(self._notifier)
                if isinstance(store, ChangeFeed):  # PostgreSQL: events stored by any instance wake us at once
                    tasks.start_soon(self._follow, store)
        return self.store

    def listener_arrived(self) -> None:
        """A client began listening for updates: open the store in the background, telling of what arrives from now
        on (see `LISTEN_MARGIN`). Never raises."""
        if self._store is None and self._tasks is not None:
            if self._listening_since is None:
                self._listening_since = self.now()
            self._tasks.start_soon(self._open_quietly)

    async def _open_quietly(self) -> None:
        try:
            await self.ready()
        except Exception as exc:  # the next use that needs the store explains it; the server keeps serving
            logger.error("The event store could not be opened for a client listening for updates: %s", exc)

    async def subscribe_resource(
        self, ctx: ServerRequestContext[Any, Any], params: mcp_types.SubscribeRequestParams
    ) -> mcp_types.EmptyResult:
        """`resources/subscribe` (handshake-era clients): remembered, and the store opened so updates are noticed."""
        self.listener_arrived()
        return await self.legacy.subscribe(ctx, params)

    async def _open_store(self) -> EventStore:
        self.problem = None
        try:
            store = await open_event_store(self.settings)
        except StoreError as exc:
            # A shared PostgreSQL store never falls back: a replica keeping updates to itself would answer
            # differently from the others. It fails to start instead (and is restarted by whatever runs it).
            if not self._fallback_to_memory or self.settings.database_url:
                raise
            # The MCP tools must keep working for people who never use webhooks; the receiver refuses to
            # acknowledge anything it could not keep (see `durable_store`).
            self.problem = str(exc)
            logger.error("%s Tracking updates are kept in memory only until this is fixed.", exc)
            from ..state.store import SQLiteEventStore

            return await SQLiteEventStore.open(None)
        logger.info("Tracking updates are kept in %s", self.where)
        return store

    def receiving_hint(self) -> str:
        """What to check when no update has arrived."""
        if self.problem:
            return f"The event store cannot be used: {self.problem}"
        return (
            f"Updates arrive only through the account's `track` webhook: it must point at this server's receiver "
            f"(path {self.settings.webhook_path}, reachable from the internet; see list_webhooks and "
            "setup_tracking_webhook), the receiver must be running (`--transport http`, or "
            "`shipstation-mcp webhooks` beside a stdio server, sharing SHIPSTATION_DATA_DIR), and the package must "
            "be watched (subscribe_tracking)."
        )

    def durable_store(self) -> EventStore:
        """The store, for the receiver: raises `StoreError` if updates could not survive a restart there."""
        if self.problem is not None:
            raise StoreError(self.problem)
        return self.store

    def event_stored(self) -> None:
        """Wake the notifier now (this process stored an event); it finds what is new by itself."""
        self._wake.set()

    async def _follow(self, feed: ChangeFeed) -> None:
        while True:
            try:
                async for _ in feed.changes():
                    self._wake.set()
            except Exception:  # the feed reconnects by itself; anything else must not stop the server
                logger.exception("The event store's change feed failed; polling until it is back")
            await anyio.sleep(self._poll_interval)

    async def _notifier(self) -> None:
        while True:
            with anyio.move_on_after(self._poll_interval):
                await self._wake.wait()
            self._wake = anyio.Event()
            try:
                await self.notify_new_events()
            except Exception:  # keep notifying after a transient store error
                logger.exception("Could not check the event store for new tracking updates")

    async def notify_new_events(self) -> list[str]:
        """Tell subscribers about every package with events stored since the last call. Returns their URIs."""
        fresh = await self.store.events_after(self._last_notified)
        if not fresh:
            return []
        self._last_notified = fresh[-1][0]
        uris = list(dict.fromkeys(tracking_uri(number) for _, number in fresh))
        if self.bus is not None:
            from mcp.server.subscriptions import ResourceUpdated

            for uri in uris:
                await self.bus.publish(ResourceUpdated(uri=uri))
        for uri in uris:
            await self.legacy.send(uri)
        if len(fresh) == 500:  # more are waiting
            self._wake.set()
        return uris


class _OpeningBus:
    """The server's subscription bus, which also opens the store when a client starts listening (2026-07-28
    `subscriptions/listen`), so its updates are noticed though the client has called no tool yet."""

    def __init__(self, bus: SubscriptionBus, live: LiveTracking) -> None:
        self._bus = bus
        self._live = live

    async def publish(self, event: ServerEvent) -> None:
        await self._bus.publish(event)

    def subscribe(self, listener: Callable[[ServerEvent], None]) -> Callable[[], None]:
        self._live.listener_arrived()
        return self._bus.subscribe(listener)
