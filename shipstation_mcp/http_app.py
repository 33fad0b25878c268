"""The HTTP face: the MCP endpoint (bearer token, Host/Origin checks) and the webhook receiver on one web app.

Exposure rules:

- bound to a loopback address (the default, 127.0.0.1) the MCP endpoint needs no token, though it checks one if
  `SHIPSTATION_MCP_TOKEN` is set; without a token it refuses requests relayed by a reverse proxy or tunnel (they
  arrive from loopback too);
- bound to any other address it refuses to start without `SHIPSTATION_MCP_TOKEN`; clients then send
  `Authorization: Bearer <token>`, compared in constant time. A missing or wrong token gets a bare 401;
- the SDK's DNS-rebinding protection checks `Host` and `Origin` on every MCP request: loopback names, the bound
  address and `SHIPSTATION_MCP_ALLOWED_HOSTS`;
- the webhook route authenticates deliveries by signature (and the optional shared secret), not by the token, and
  accepts any `Host` (it sits behind a reverse proxy or tunnel).

The MCP app's lifespan (its session manager, which enters the server's lifespan once) runs inside ours, after the
event store is open, so tools and the receiver share one store and one change notifier.
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime

from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import __version__
from .config import RANDOM_VALUE_HINT, ConfigError, LiveSettings, Settings, is_loopback_host, load_live_settings
from .live.notifier import LiveTracking
from .live.receiver import JwksCache, WebhookReceiver
from .logs import RedactingFormatter
from .state.backends import report_unreachable, store_location
from .tools.server import ShipStationMCP

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
GRACEFUL_SHUTDOWN_SECONDS = 5
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def require_safe_exposure(settings: LiveSettings, host: str) -> None:
    """Refuse to serve MCP beyond this machine without a token. Raises `ConfigError` with the fix."""
    if not is_loopback_host(host) and not settings.mcp_token:
        raise ConfigError(
            f"--host {host} would let other machines use this MCP server (and the ShipStation account behind it). "
            "Set SHIPSTATION_MCP_TOKEN to a long random secret that clients send as 'Authorization: Bearer <token>' "
            f"({RANDOM_VALUE_HINT}), or bind --host 127.0.0.1."
        )


def _has_port(name: str) -> bool:
    return "]:" in name if name.startswith("[") else ":" in name


def allowed_hosts(settings: LiveSettings, host: str) -> list[str]:
    """`Host` values the MCP endpoint accepts, in the SDK's notation (`name`, `name:port`, `name:*`)."""
    names = list(LOOPBACK_HOSTS)
    bound = (f"[{host}]" if ":" in host and not host.startswith("[") else host).lower()
    if bound not in names and bound not in {"0.0.0.0", "[::]"}:  # noqa: S104 - comparing, not binding
        names.append(bound)
    names += [h for h in settings.allowed_hosts if h not in names]
    patterns: list[str] = []
    for name in names:
        patterns += [name] if _has_port(name) else [name, f"{name}:*"]
    return patterns


def transport_security(settings: LiveSettings, host: str) -> TransportSecuritySettings:
    hosts = allowed_hosts(settings, host)
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "cf-connecting-ip", "true-client-ip")


class McpGuard:
    """ASGI wrapper in front of the MCP endpoint; refused requests get a bare 401 (the log says why).

    With a token, only requests carrying `Authorization: Bearer <token>` pass. Without one (loopback binding), requests
    relayed by a reverse proxy or tunnel are refused: they come from loopback too, and would otherwise put the
    account in the hands of anyone on the internet.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self._token = token.encode("utf-8") if token else None
        self._warned = False

    def authorized(self, headers: Headers) -> bool:
        if self._token is None:
            if any(name in headers for name in PROXY_HEADERS):
                if not self._warned:
                    self._warned = True
                    logger.warning(
                        "Refused an MCP request relayed by a proxy or tunnel: set SHIPSTATION_MCP_TOKEN to serve "
                        "MCP clients through one (or forward only the webhook path)"
                    )
                return False
            return True
        scheme, _, given = headers.get("authorization", "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        # compare_digest takes the same time wherever the first difference is.
        return hmac.compare_digest(given.strip().encode("utf-8", "replace"), self._token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.authorized(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        body = b"Unauthorized"
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"www-authenticate", b"Bearer"),
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def build_receiver(
    live: LiveTracking,
    *,
    jwks: JwksCache | None = None,
    clock: Callable[[], datetime] | None = None,
) -> WebhookReceiver:
    settings = live.settings
    if jwks is None and settings.webhook_verify:
        jwks = JwksCache(settings.webhook_jwks_url)
    return WebhookReceiver(
        settings, live.durable_store, jwks=jwks, on_stored=lambda _stored: live.event_stored(), clock=clock
    )


def _announce(receiver: WebhookReceiver) -> None:
    settings = receiver.settings
    for warning in receiver.startup_warnings():
        logger.warning(warning)
    if settings.webhook_verify:
        logger.info(
            "Webhook receiver at %s verifies RSA-SHA256 signatures with keys from %s%s",
            settings.webhook_path,
            settings.webhook_jwks_url,
            " and requires the X-Webhook-Secret header" if settings.webhook_secret else "",
        )


@asynccontextmanager
async def _receiving(live: LiveTracking, receiver: WebhookReceiver) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(live.running())
        if receiver.jwks is not None:
            await stack.enter_async_context(receiver.jwks.running())
        _announce(receiver)
        yield


def build_http_app(
    server: ShipStationMCP,
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    jwks: JwksCache | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    """The web app for `--transport http`: MCP at /mcp and the webhook receiver, sharing the server's store."""
    live_settings = settings.live
    require_safe_exposure(live_settings, host)
    live = server.live
    receiver = build_receiver(live, jwks=jwks, clock=clock)
    mcp_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=transport_security(live_settings, host),
        host=host,
        stateless_http=live_settings.mcp_stateless,
    )
    guarded = McpGuard(mcp_app, live_settings.mcp_token)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with _receiving(live, receiver), mcp_app.router.lifespan_context(mcp_app):
            logger.info(
                "MCP clients: Host/Origin limited to %s%s",
                ", ".join(h for h in allowed_hosts(live_settings, host) if not h.endswith(":*")),
                "; bearer token required" if live_settings.mcp_token else "",
            )
            if not is_loopback_host(host) and not live_settings.allowed_hosts:
                logger.warning(
                    "Bound to %s, but MCP requests are only served when their Host header is one of the names above: "
                    "set SHIPSTATION_MCP_ALLOWED_HOSTS to the name(s) clients use to reach this server",
                    host,
                )
            yield

    return Starlette(
        routes=[Route(live_settings.webhook_path, endpoint=receiver), Mount("/", app=guarded)],
        lifespan=lifespan,
    )


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
        async with _receiving(live, receiver):
            yield

    return Starlette(routes=[Route(settings.webhook_path, endpoint=receiver)], lifespan=lifespan)


def run_uvicorn(app: Starlette, *, host: str, port: int) -> None:
    import uvicorn

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
    )
    uvicorn.Server(config).run()


# ----------------------------------------------------------------------------- `shipstation-mcp webhooks`

WEBHOOKS_HELP = """\
Run the webhook receiver alone: for people who run the MCP server over stdio (Claude Desktop) and still want
ShipStation's tracking updates. It needs no API key. It stores updates in SHIPSTATION_DATA_DIR, where the stdio
server reads them (get_tracking_updates, list_tracked_packages, shipstation://tracking/{number}).
Expose it with a reverse proxy or a tunnel, then call setup_tracking_webhook with its public URL (see the README).
"""


def add_webhooks_command(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "webhooks",
        help="run the webhook receiver alone (beside a stdio server)",
        description=WEBHOOKS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind [default: 127.0.0.1]")
    parser.add_argument("--port", type=int, default=8001, help="port to bind [default: 8001]")
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        type=str.upper,
        default=argparse.SUPPRESS,
        help="logging detail on stderr [default: SHIPSTATION_LOG_LEVEL or INFO]",
    )


def webhooks_command(args: argparse.Namespace, formatter: RedactingFormatter) -> None:
    """Load the live settings (no API key needed) and serve the receiver until interrupted."""
    try:
        settings = load_live_settings()
    except ConfigError as exc:
        print(f"shipstation-mcp: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    for secret in settings.secrets:
        formatter.add_secret(secret)
    if not report_unreachable(settings):
        raise SystemExit(2)
    logger.info(
        "shipstation-mcp %s: webhook receiver on http://%s:%d%s, storing updates in %s",
        __version__,
        args.host,
        args.port,
        settings.webhook_path,
        store_location(settings),
    )
    with contextlib.suppress(KeyboardInterrupt):
        run_uvicorn(build_receiver_app(settings), host=args.host, port=args.port)
