"""The HTTP face: the MCP endpoint (bearer token, Host/Origin checks) and the webhook receiver on one web app.

Exposure rules:

- every MCP request authenticates, whatever address it seems to come from (a proxy, tunnel or TCP relay makes a
  remote client look local): `Authorization: Bearer <token>` with `SHIPSTATION_MCP_TOKEN`, compared in constant
  time, or without it a random token made at start and shown once on stderr; and, with `SHIPSTATION_OAUTH_ISSUER`
  and `SHIPSTATION_OAUTH_AUDIENCE`, OAuth 2.1 JWT access tokens (the SDK's bearer backend, `JwtVerifier`, RFC 9728
  metadata). A missing or wrong token gets a 401 whose body says where a token comes from (the same body for
  both, nothing about the token itself). `--no-auth` (loopback only) switches this off;
- bound beyond loopback it refuses to start without `SHIPSTATION_MCP_TOKEN` or OAuth;
- both listeners bound idle, slow and stalled connections (`GuardedH11Protocol`);
- the SDK's DNS-rebinding protection checks `Host` and `Origin` on every MCP request: loopback names, the bound
  address and `SHIPSTATION_MCP_ALLOWED_HOSTS`;
- the webhook route authenticates deliveries by signature (and the optional shared secret), not by the token, and
  accepts any `Host` (it sits behind a reverse proxy or tunnel).

The MCP app's lifespan (its session manager, which enters the server's lifespan once) runs inside ours, after the
event store is open, so tools and the receiver share one store and one change notifier.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .config import (
    LiveSettings,
    Settings,
    is_loopback_host,
)
from .live.classic_hooks import resource_fetcher
from .live.receiver import JwksCache, loads_limited
from .tools.server import ShipStationMCP
from .web import build_receiver, receiving, require_safe_exposure

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


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


UNAUTHORIZED = (
    "Unauthorized: send the header 'Authorization: Bearer <token>'. The token is SHIPSTATION_MCP_TOKEN where the "
    "server runs, or, if that is unset, the one shipstation-mcp printed on stderr at start (new at every start)."
)
"""The 401 body: where a token comes from, for a person reading a client's error; the same for a missing and a
wrong token, and nothing about either."""


class McpGuard:
    """ASGI wrapper in front of the MCP endpoint: every request must authenticate; refused ones get a 401 that says
    where a token comes from (`UNAUTHORIZED`), the same whether the token was missing or wrong.

    A request passes with `Authorization: Bearer <token>` (the static token, compared in constant time) or, when an
    OAuth issuer is configured, a JWT access token that `oauth` (the SDK's bearer backend) accepts. There is no
    "looks local" exemption: a reverse proxy, tunnel or plain TCP relay makes a remote request look local, and no
    header reliably says it was relayed. `no_auth` (loopback only, `--no-auth`) lets everything through.
    """

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        *,
        oauth: BearerAuthBackend | None = None,
        resource_metadata_url: str | None = None,
        no_auth: bool = False,
    ) -> None:
        self.app = app
        self._token = token.encode("utf-8") if token else None
        self._oauth = oauth
        self._no_auth = no_auth
        challenge = f'Bearer resource_metadata="{resource_metadata_url}"' if resource_metadata_url else "Bearer"
        self._challenge = challenge.encode()
        oauth_hint = " Or an OAuth access token for this server (see the www-authenticate header)." if oauth else ""
        self._body = (UNAUTHORIZED + oauth_hint).encode()

    def authorized(self, headers: Headers) -> bool:
        """The static-token check alone (OAuth tokens are checked in `__call__`)."""
        if self._no_auth:
            return True
        given = _bearer(headers)
        # compare_digest takes the same time wherever the first difference is.
        return bool(given and self._token and hmac.compare_digest(given.encode("utf-8", "replace"), self._token))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # MCP has no websocket transport; closing before accepting answers the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.authorized(headers) or await self._oauth_user(scope, headers):
            await self.app(scope, receive, send)
            return
        body = self._body
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"www-authenticate", self._challenge),
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _oauth_user(self, scope: Scope, headers: Headers) -> bool:
        if self._oauth is None or not _bearer(headers):
            return False
        result = await self._oauth.authenticate(HTTPConnection(scope))
        if result is None:
            return False
        scope["auth"], scope["user"] = result
        return True


def _bearer(headers: Headers) -> str | None:
    scheme, _, given = headers.get("authorization", "").strip().partition(" ")
    return (given.strip() or None) if scheme.lower() == "bearer" else None


# ----------------------------------------------------------------------------- OAuth 2.1 resource server

JWT_LEEWAY = 60
JWT_ALGORITHMS = frozenset({"RS256"})
MAX_JWT_CHARS = 16 * 1024
MAX_NUMERIC_DATE = 253402300799  # 9999-12-31T23:59:59Z


def _seconds(claims: dict[str, Any], name: str, default: float | None) -> float | None:
    """A NumericDate claim (`exp`, `nbf`, `iat`) as seconds, `default` when absent, None when no time can be read
    from it: not a number (a bool, string, list), not finite (1e400 parses as infinity), or past any real date."""
    if name not in claims:
        return default
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (0 <= value <= MAX_NUMERIC_DATE):  # NaN fails too
        return None
    return float(value)


def _b64url_json(part: str) -> Any:
    raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return loads_limited(raw)


class JwtVerifier:
    """The SDK's `TokenVerifier` for RS256 JWT access tokens from one issuer, keys from its JWKS.

    The SDK verifies no JWTs itself; this needs only `cryptography` (already used for webhook signatures) and
    reuses the webhook receiver's JWKS cache (background refresh, bounded fetches, refetch on an unknown key id).
    Checks: algorithm RS256 only (never `none` or HMAC), signature, `iss`, `aud` contains the audience, `exp`,
    `nbf` and `iat` (with a minute's leeway for clock skew). A time claim that is not a plain number of seconds
    within real dates (a string, a bool, 1e400, NaN) refuses the token: 401, never an error.
    """

    def __init__(self, issuer: str, audience: str, jwks: JwksCache, *, clock: Callable[[], float] = time.time):
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self._clock = clock

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            return await self._verify(token)
        except (ValueError, TypeError, OverflowError, binascii.Error) as exc:
            logger.info("OAuth access token refused: %s", type(exc).__name__)
            return None

    async def _verify(self, token: str) -> AccessToken | None:
        if len(token) > MAX_JWT_CHARS or token.count(".") != 2:
            return None
        head_b64, claims_b64, signature_b64 = token.split(".")
        header = _b64url_json(head_b64)
        if not isinstance(header, dict) or header.get("alg") not in JWT_ALGORITHMS:
            return None
        kid = header.get("kid")
        key = await self.jwks.key_for(kid) if isinstance(kid, str) and kid else None
        if key is None:
            logger.info("OAuth access token refused: unknown signing key id")
            return None
        signature = base64.urlsafe_b64decode(signature_b64 + "=" * (-len(signature_b64) % 4))
        try:
            key.verify(signature, f"{head_b64}.{claims_b64}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            logger.info("OAuth access token refused: bad signature")
            return None
        claims = _b64url_json(claims_b64)
        if not isinstance(claims, dict):
            return None
        now = self._clock()
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else audiences if isinstance(audiences, list) else []
        exp, nbf, iat = (_seconds(claims, name, 0 if name != "exp" else None) for name in ("exp", "nbf", "iat"))
        problems = [
            claims.get("iss") != self.issuer and "issuer",
            self.audience not in audiences and "audience",
            (exp is None or exp + JWT_LEEWAY < now) and "expiry",
            (nbf is None or nbf - JWT_LEEWAY > now) and "not-before",
            (iat is None or iat - JWT_LEEWAY > now) and "issued-at",
        ]
        if any(problems):
            logger.info("OAuth access token refused: wrong %s", ", ".join(p for p in problems if p))
            return None
        scopes = claims.get("scope") or claims.get("scp") or ""
        scopes = scopes.split() if isinstance(scopes, str) else [str(s) for s in scopes if isinstance(s, str)]
        subject = claims.get("sub") if isinstance(claims.get("sub"), str) else None
        client = claims.get("client_id") or claims.get("azp") or subject or "oauth-client"
        assert exp is not None
        return AccessToken(
            token=token,
            client_id=str(client),
            scopes=scopes,
            expires_at=int(exp),
            resource=self.audience,
            subject=subject,
            claims={"iss": self.issuer},
        )


def _oauth(
    live_settings: LiveSettings, routes: list[Route | Mount], oauth_jwks: JwksCache | None
) -> tuple[BearerAuthBackend | None, str | None, JwksCache | None]:
    """With an OAuth issuer configured: the bearer backend that checks its JWTs, the URL of this resource's
    metadata (added to `routes`), and the issuer's key cache. Without one: nothing."""
    if not live_settings.oauth:
        return None, None, oauth_jwks
    assert live_settings.oauth_issuer and live_settings.oauth_audience and live_settings.oauth_jwks_url
    oauth_jwks = oauth_jwks or JwksCache(live_settings.oauth_jwks_url)
    verifier = JwtVerifier(live_settings.oauth_issuer, live_settings.oauth_audience, oauth_jwks)
    # The SDK's settings model keeps a path-less issuer without a trailing slash: issuers compare exactly.
    auth = AuthSettings(
        issuer_url=live_settings.oauth_issuer,  # type: ignore[arg-type]
        resource_server_url=live_settings.oauth_audience,  # type: ignore[arg-type]
        validate_token_resource=False,  # JwtVerifier checks `aud` itself
    )
    assert auth.resource_server_url is not None
    # RFC 9728 metadata: tells an MCP client which authorization server issues tokens for this server.
    routes += create_protected_resource_routes(auth.resource_server_url, [auth.issuer_url])
    return BearerAuthBackend(verifier), str(build_resource_metadata_url(auth.resource_server_url)), oauth_jwks


def build_http_app(
    server: ShipStationMCP,
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    jwks: JwksCache | None = None,
    clock: Callable[[], datetime] | None = None,
    no_auth: bool = False,
    oauth_jwks: JwksCache | None = None,
) -> Starlette:
    """The web app for `--transport http`: MCP at /mcp and the webhook receiver, sharing the server's store.

    Without `SHIPSTATION_MCP_TOKEN` (and without OAuth) a random token is made here, kept in `app.state.mcp_token`
    for the caller to show once; `no_auth` (loopback only) turns authentication off instead.
    """
    live_settings = settings.live
    require_safe_exposure(live_settings, host, no_auth=no_auth)
    token = live_settings.mcp_token
    generated = None
    if token is None and not live_settings.oauth and not no_auth:
        token = generated = secrets.token_urlsafe(32)
    live = server.live
    # The demo dials nothing but loopback: it takes keys only from a key server on this machine, if one is set.
    local_keys = is_loopback_host(urlsplit(live_settings.webhook_jwks_url).hostname or "")
    fetch = None if settings.demo else resource_fetcher(settings)  # the demo dials nothing
    receiver = build_receiver(
        live, jwks=jwks, clock=clock, offline=settings.demo and not local_keys, fetch_resource=fetch
    )
    mcp_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=transport_security(live_settings, host),
        host=host,
        stateless_http=live_settings.mcp_stateless,
    )
    routes: list[Route | Mount] = [Route(live_settings.webhook_path, endpoint=receiver)]
    backend, metadata_url, oauth_jwks = _oauth(live_settings, routes, oauth_jwks)
    guarded = McpGuard(mcp_app, token, oauth=backend, resource_metadata_url=metadata_url, no_auth=no_auth)
    routes.append(Mount("/", app=guarded))

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(receiving(live, receiver))
            if oauth_jwks is not None:
                await stack.enter_async_context(oauth_jwks.running())
            await stack.enter_async_context(mcp_app.router.lifespan_context(mcp_app))
            oauth = f" or an OAuth token from {live_settings.oauth_issuer}" if backend else ""
            logger.info(
                "MCP clients: Host/Origin limited to %s; %s",
                ", ".join(h for h in allowed_hosts(live_settings, host) if not h.endswith(":*")),
                "NO AUTHENTICATION (--no-auth)" if no_auth else "bearer token required" + oauth,
            )
            if no_auth:
                logger.warning(
                    "--no-auth: any program on this machine, and anything a proxy or tunnel relays here, can use "
                    "the ShipStation account through /mcp"
                )
            if not is_loopback_host(host) and not live_settings.allowed_hosts:
                logger.warning(
                    "Bound to %s, but MCP requests are only served when their Host header is one of the names above: "
                    "set SHIPSTATION_MCP_ALLOWED_HOSTS to the name(s) clients use to reach this server",
                    host,
                )
            yield

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.mcp_token = generated
    return app
