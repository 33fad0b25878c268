"""Live tracking: the event store's lifetime, change notifications, and the tools and resource that read the store.

`LiveTracking` is created once per MCP server. It opens the event store when the first user enters `running()` (the
MCP lifespan, and in HTTP mode the web app around it) and tells subscribed MCP clients when a new update for a
package was stored:

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
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import anyio

from ..config import LiveSettings
from ..state.backends import ChangeFeed, open_event_store, store_location
from ..state.store import EventStore, SQLiteEventStore, StoreError

if TYPE_CHECKING:  # the MCP SDK is imported only where MCP is served: a receiver-only process starts without it
    import mcp.types as mcp_types
    from mcp.server.context import ServerRequestContext
    from mcp.server.subscriptions import SubscriptionBus

logger = logging.getLogger(__name__)

TRACKING_URI_PREFIX = "shipstation://tracking/"
POLL_INTERVAL = 2.0


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
    ) -> None:
        self.settings = settings
        self.bus = bus
        self.legacy = LegacyResourceSubscribers()
        self._clock = clock
        self._poll_interval = poll_interval
        self._fallback_to_memory = fallback_to_memory
        self.problem: str | None = None
        """Why the store on disk could not be used (the server then keeps updates in memory), or None."""
        self._store: EventStore | None = None
        self._users = 0
        self._open_lock = anyio.Lock()
        self._wake = anyio.Event()
        self._last_notified = 0

    def now(self) -> datetime:
        return self._clock() if self._clock else datetime.now(UTC)

    @property
    def store(self) -> EventStore:
        if self._store is None:
            raise StoreError("The event store is not open (the server is starting or stopping); try again.")
        return self._store

    @property
    def where(self) -> str:
        return store_location(self.settings)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[LiveTracking]:
        """Open the store and run the notifier while any user is inside. Users nest: the first one in owns both."""
        async with self._open_lock:
            self._users += 1
            owner = self._users == 1
            if owner:
                try:
                    self._store = await self._open_store()
                except BaseException:
                    self._users -= 1
                    raise
        if not owner:
            try:
                yield self
            finally:
                self._users -= 1
            return
        try:
            self._last_notified = await self.store.last_event_id()
            self._wake = anyio.Event()  # a fresh one: the server may run again under another event loop
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._notifier)
                if isinstance(self._store, ChangeFeed):  # PostgreSQL: events stored by any instance wake us at once
                    tasks.start_soon(self._follow, self._store)
                try:
                    yield self
                finally:
                    tasks.cancel_scope.cancel()
        finally:
            async with self._open_lock:
                self._users -= 1
                store, self._store = self._store, None
            if store is not None:
                with anyio.CancelScope(shield=True):
                    await store.aclose()

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
