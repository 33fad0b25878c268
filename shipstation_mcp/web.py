"""The web server both HTTP modes run on, and the webhook receiver's own app (`shipstation-mcp webhooks`).

- `require_safe_exposure` refuses to serve MCP beyond loopback without authentication (checked before anything
  heavy is loaded, so a mistaken command line is told at once);
- `run_uvicorn` serves an app with `GuardedH11Protocol`, which bounds idle, dripping and stalled connections;
- `build_receiver_app` is the receiver alone, for people who run the MCP server over stdio: it imports nothing of
  the MCP SDK, so the process starts in a fraction of an MCP server's time;
- `build_receiver` and `receiving` are shared with the full HTTP app (http_app.py), which mounts the same receiver
  beside the MCP endpoint.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import resource
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import ClassVar

from starlette.applications import Starlette
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import (
    DEFAULT_HTTP_MAX_CONNECTIONS,
    DEFAULT_HTTP_TIMEOUT,
    RANDOM_VALUE_HINT,
    ConfigError,
    LiveSettings,
    is_loopback_host,
)
from .live.classic_hooks import Fetch
from .live.notifier import LiveTracking
from .live.receiver import JwksCache, WebhookReceiver

__all__ = [
    "GuardedH11Protocol",
    "build_receiver",
    "build_receiver_app",
    "guarded_protocol",
    "listening_socket",
    "receiving",
    "require_safe_exposure",
    "run_uvicorn",
]

logger = logging.getLogger(__name__)

GRACEFUL_SHUTDOWN_SECONDS = 5
KEEP_ALIVE_SECONDS = 5
BACKLOG = 64
"""How many connections asyncio accepts in one turn of the loop, before any of them can be closed (it passes this
to listen() too): kept small, so a flood of connections cannot take descriptors faster than the cap frees them."""
LISTEN_QUEUE = 2048
"""The kernel's queue of connections not yet accepted, set after start: they hold no descriptor of ours, and a long
queue keeps a genuine delivery's connection from being dropped (and retried a second later) during a flood."""
RESERVED_FILES = 64
"""Descriptors kept free for everything but inbound connections: the event store, log files, the JWKS fetch, the
connections to ShipStation, Redis or PostgreSQL."""
ACCEPTS_IN_FLIGHT = 4 * BACKLOG
"""Connections accepted but not yet counted by the cap (asyncio hands them to the protocol a few loop turns later)."""
MIN_CONNECTIONS = 10
LOOP_REPORT_INTERVAL = 60.0
RESOURCE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


def require_safe_exposure(settings: LiveSettings, host: str, *, no_auth: bool = False) -> None:
    """Refuse to serve MCP beyond this machine without a token. Raises `ConfigError` with the fix."""
    if no_auth and not is_loopback_host(host):
        raise ConfigError(
            f"--no-auth serves MCP without any authentication, so it only works with a loopback --host "
            f"(127.0.0.1), not {host}. Drop --no-auth, or bind --host 127.0.0.1."
        )
    if not is_loopback_host(host) and not settings.mcp_token and not settings.oauth:
        raise ConfigError(
            f"--host {host} would let other machines use this MCP server (and the ShipStation account behind it). "
            "Set SHIPSTATION_MCP_TOKEN to a long random secret that clients send as 'Authorization: Bearer <token>' "
            f"({RANDOM_VALUE_HINT}), or SHIPSTATION_OAUTH_ISSUER and SHIPSTATION_OAUTH_AUDIENCE, or bind "
            "--host 127.0.0.1."
        )


def build_receiver(
    live: LiveTracking,
    *,
    jwks: JwksCache | None = None,
    clock: Callable[[], datetime] | None = None,
    offline: bool = False,
    fetch_resource: Fetch | None = None,
) -> WebhookReceiver:
    """The webhook receiver; `offline` (the demo) never fetches signing keys, so nothing dials out.
    `fetch_resource` fetches what a V1 notice names (`live.classic_hooks.resource_fetcher`)."""
    settings = live.settings
    if jwks is None and settings.webhook_verify:
        jwks = JwksCache(settings.webhook_jwks_url, offline=offline)
    return WebhookReceiver(
        settings,
        live.durable_store,
        jwks=jwks,
        on_stored=lambda _stored: live.event_stored(),
        clock=clock,
        fetch_resource=fetch_resource,
    )


def _announce(receiver: WebhookReceiver) -> None:
    settings = receiver.settings
    for warning in receiver.startup_warnings():
        logger.warning(warning)
    if receiver.jwks is not None and receiver.jwks.offline:
        return  # JwksCache said it: the offline demo fetches no keys and refuses signed deliveries
    if settings.webhook_verify:
        logger.info(
            "Webhook receiver at %s verifies RSA-SHA256 signatures with keys from %s%s",
            settings.webhook_path,
            settings.webhook_jwks_url,
            " and requires the X-Webhook-Secret header" if settings.webhook_secret else "",
        )


@asynccontextmanager
async def receiving(live: LiveTracking, receiver: WebhookReceiver) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(live.running())
        if receiver.jwks is not None:
            await stack.enter_async_context(receiver.jwks.running())
        _announce(receiver)
        yield


def build_receiver_app(
    settings: LiveSettings,
    *,
    jwks: JwksCache | None = None,
    clock: Callable[[], datetime] | None = None,
    poll_interval: float = 3600.0,
) -> Starlette:
    """The webhook receiver alone (`shipstation-mcp webhooks`), for people who run the MCP server over stdio.

    It writes to the same store the stdio server reads; that server notices new rows by itself.
    """
    live = LiveTracking(settings, clock=clock, poll_interval=poll_interval)  # nobody to notify here
    receiver = build_receiver(live, jwks=jwks, clock=clock)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with receiving(live, receiver):
            yield

    return Starlette(routes=[Route(settings.webhook_path, endpoint=receiver)], lifespan=lifespan)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with the deadlines it lacks, so idle or slow clients cannot pile up.

    uvicorn closes a kept-alive connection after `timeout_keep_alive`, but a fresh connection that sends nothing, or
    drips its headers or body a byte at a time, stays open forever (each byte resets nothing it tracks). Here:

    - from connecting (or the end of the previous response) the request's headers must be complete within
      `timeout` seconds, however slowly they trickle in;
    - from the headers on, the body must be complete within another `timeout` seconds;
    - past `max_connections` open connections, the oldest connection waiting for a request is closed to make room
      (503-ing everyone, uvicorn's `limit_concurrency`, would let idle sockets lock genuine deliveries out).
    """

    timeout: float = DEFAULT_HTTP_TIMEOUT
    max_connections: int = DEFAULT_HTTP_MAX_CONNECTIONS
    _waiting: ClassVar[dict[GuardedH11Protocol, None]] = {}
    """Connections without a request in progress, oldest first (insertion order)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._body_pending = False
        self._wait_for_request()
        if len(self.connections) > self.max_connections:
            # The oldest connection still waiting for a request makes room; when every one is busy, this one goes.
            next(iter(self._waiting))._expire()

    def _wait_for_request(self) -> None:
        self._waiting[self] = None
        self._arm()

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(self.timeout, self._expire)

    def _expire(self) -> None:
        self._waiting.pop(self, None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            return
        if self in self._waiting:  # the headers are complete: now the body's deadline
            del self._waiting[self]
            self._body_pending = True
            self._arm()
        if self._body_pending and not cycle.more_body:
            self._body_pending = False
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._body_pending = False
            self._wait_for_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._waiting.pop(self, None)
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)


def guarded_protocol(timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"timeout": timeout, "max_connections": max_connections, "_waiting": {}},
    )


def open_file_limit() -> tuple[int, int]:
    """The open-file limit after raising the soft limit to the hard one where allowed, and descriptors in use."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            logger.debug("Could not raise the open-file limit from %d to %d", soft, wanted)
    try:
        in_use = len(os.listdir("/proc/self/fd"))
    except OSError:
        in_use = 32  # not Linux: a typical start-up's count
    return (soft if soft != resource.RLIM_INFINITY else 1 << 20), in_use


def connection_cap(configured: int, limit: int, in_use: int) -> int:
    """`configured`, lowered so inbound connections (and those accepted but not yet counted) can never take the
    descriptors the rest of the server needs: past the limit asyncio can accept nothing, not even a delivery."""
    room = limit - in_use - RESERVED_FILES - ACCEPTS_IN_FLIGHT
    return max(MIN_CONNECTIONS, min(configured, room))


class LoopReports:
    """The event loop's exception handler: one line per condition per minute, without a traceback for running out
    of descriptors or memory (asyncio would otherwise log one traceback per failed accept, thousands a second)."""

    def __init__(self, interval: float = LOOP_REPORT_INTERVAL, monotonic: Callable[[], float] = time.monotonic):
        self._interval = interval
        self._monotonic = monotonic
        self._last: dict[tuple[str, str], float] = {}
        self._quiet: dict[tuple[str, str], int] = {}

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        exc = context.get("exception")
        message = str(context.get("message") or "event loop error")
        key = (message, type(exc).__name__ if exc is not None else "")
        now = self._monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self._interval:
            self._quiet[key] = self._quiet.get(key, 0) + 1
            return
        self._last[key] = now
        again = self._quiet.pop(key, 0)
        repeated = f" ({again} more like it in the last minute)" if again else ""
        if isinstance(exc, OSError) and exc.errno in RESOURCE_ERRNOS:
            logger.error(
                "%s: %s%s. Raise the open-file limit (ulimit -n) or lower SHIPSTATION_HTTP_MAX_CONNECTIONS",
                message,
                os.strerror(exc.errno or 0),
                repeated,
            )
            return
        error = exc if isinstance(exc, BaseException) else None
        logger.error("%s%s", message, repeated, exc_info=error)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host` and `port` (0: a free port the system picks; `getsockname()` tells which), for
    `run_uvicorn(sock=…)` when the port must be known before serving starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def lengthen_listen_queue(fd: int, queue: int = LISTEN_QUEUE) -> None:
    """listen() again on a listening socket with a longer queue (asyncio's accept batch stays `BACKLOG`)."""
    raw = socket.socket(fileno=fd)
    try:
        raw.listen(queue)
    except OSError:
        logger.debug("Could not lengthen the listen queue to %d", queue)
    finally:
        raw.detach()  # the descriptor stays the server's


def run_uvicorn(
    app: Starlette, *, host: str, port: int, settings: LiveSettings | None = None, sock: socket.socket | None = None
) -> None:
    """Serve `app` on `host:port`, or on `sock` (already bound, see `listening_socket`)."""
    import uvicorn

    live = settings or LiveSettings()
    limit, in_use = open_file_limit()
    cap = connection_cap(live.http_max_connections, limit, in_use)
    if cap < live.http_max_connections:
        logger.warning(
            "The open-file limit is %d (%d in use): at most %d connections are kept open at once, not %d. "
            "Raise the limit (ulimit -n, or LimitNOFILE= in a systemd unit) to allow more",
            limit,
            in_use,
            cap,
            live.http_max_connections,
        )

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            asyncio.get_running_loop().set_exception_handler(LoopReports())
            await super().startup(sockets)
            for server in getattr(self, "servers", []):
                for listening in server.sockets:
                    lengthen_listen_queue(listening.fileno())

    # log_config=None: uvicorn logs through our stderr handler (and its redacting formatter).
    # Open subscription streams would otherwise hold a shutdown until every client hung up.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        http=guarded_protocol(live.http_timeout, cap),
        ws="none",
        backlog=BACKLOG,
    )
    Server(config).run(sockets=[sock] if sock is not None else None)
