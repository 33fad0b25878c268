"""Settings: the one place that reads the environment.

Values come from the process environment, then from a `.env` file in the working directory for anything the
environment does not set (a `.env` never overrides a real variable).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

ApiFlavour = Literal["v2", "shipengine", "v1"]
TRACKING_FAMILIES = ("v2", "shipengine")
"""The families `SHIPSTATION_TRACKING_API` may name: those that give tracking status."""


@dataclass(frozen=True)
class FamilyAddress:
    """Where an API family lives and what it allows, as settings need it (host for the limiter's key, the default
    rate for its budget). Everything else about a family is in `api/families.py`; this part sits here because
    settings are below the API layer."""

    host: str
    prefix: str
    requests_per_minute: int
    sandbox_requests_per_minute: int | None = None
    """The rate for sandbox (`TEST_`) keys, where the family has them."""


# Rate limit: ShipStation allows 200 requests/minute per key, 20 for ShipEngine sandbox keys.
DEFAULT_RATE_LIMIT = 200
SANDBOX_RATE_LIMIT = 20
V1_RATE_LIMIT = 40
API_ADDRESSES: dict[str, FamilyAddress] = {
    "v2": FamilyAddress("https://api.shipstation.com", "/v2", DEFAULT_RATE_LIMIT, SANDBOX_RATE_LIMIT),
    "shipengine": FamilyAddress("https://api.shipengine.com", "/v1", DEFAULT_RATE_LIMIT, SANDBOX_RATE_LIMIT),
    # ShipStation's classic API: no version prefix, 40 requests a minute per key + secret pair.
    "v1": FamilyAddress("https://ssapi.shipstation.com", "", V1_RATE_LIMIT),
}

DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 600.0
"""Ten minutes: ShipStation answers in seconds; a larger value (1e9) only hides a hung connection."""
DEFAULT_MAX_RETRIES = 3
MAX_RETRIES_LIMIT = 10
DEMO_API_KEY = "demo"
"""The stand-in `api_key` in demo mode when no key is set; the sandbox accepts any key."""
MAX_RATE_LIMIT = 100_000
DEFAULT_RATE_HEADROOM = 5.0
"""Percent of the per-minute allowance left for other users of the same key."""
MAX_RATE_HEADROOM = 90.0
DEFAULT_CONCURRENCY = None
"""Requests in flight at once in a bulk call: by default as many as the rate budget admits (190 at 200 a minute);
`SHIPSTATION_CONCURRENCY` caps it."""
MAX_CONCURRENCY = 100
DEFAULT_CACHE_TTL = 300.0
MAX_CACHE_TTL = 86_400.0
DEFAULT_CACHE_MAX_MB = 4.0
"""Megabytes of API answers (as JSON) the in-process response cache keeps (`state/cache.py` says why 4)."""
MAX_CACHE_MAX_MB = 4096.0
TOOLSET_NAMES: tuple[str, ...] = ("orders", "tracking", "bulk", "live")
"""Groups of tools a deployment can choose (`SHIPSTATION_TOOLSETS`); tools/toolsets.py says which tool is where."""


class ConfigError(ValueError):
    """A setting is missing or invalid. The message names the variable and says how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Validated settings. `api_key` is kept out of `repr` so it never lands in a log or traceback."""

    api_key: str = field(repr=False)
    api: ApiFlavour = "v2"
    api_secret: str | None = field(default=None, repr=False)
    """The secret of a V1 key pair (`SHIPSTATION_API_SECRET`); V2 and ShipEngine keys have none."""
    tracking: Settings | None = field(default=None, repr=False)
    """For V1, which gives no tracking status: the V2 or ShipEngine key that tracks its packages
    (`SHIPSTATION_TRACKING_API`, `SHIPSTATION_TRACKING_API_KEY`)."""
    base_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    demo: bool = False
    live: LiveSettings = field(default_factory=lambda: LiveSettings())
    rate_limit: int | None = None
    """Requests per minute for this process; None means 200, or 20 for a `TEST_` sandbox key."""
    cache_ttl: float = DEFAULT_CACHE_TTL
    """Seconds a not-yet-delivered tracking result is reused; 0 turns the response cache off."""
    cache_max_mb: float = DEFAULT_CACHE_MAX_MB
    """Megabytes of answers the in-process response cache keeps (`SHIPSTATION_CACHE_MAX_MB`)."""
    index_share: float = 0.0
    """SHIPSTATION_INDEX_SHARE: percent of the rate budget one support-queue call may spend filling the account
    index in the event store; 0 (the default) keeps no index."""
    rate_headroom: float = DEFAULT_RATE_HEADROOM
    """Percent of the per-minute allowance this process leaves unused, for other users of the same key."""
    concurrency: int | None = DEFAULT_CONCURRENCY
    """Most requests a bulk call has in flight at once; None: as many as the rate budget admits."""
    redis_url: str | None = field(default=None, repr=False)
    """SHIPSTATION_REDIS_URL: rate budget and response cache shared by every process on this key; None = in-process."""
    toolsets: tuple[str, ...] = TOOLSET_NAMES
    """The toolsets whose tools are listed (`SHIPSTATION_TOOLSETS`, `--toolsets`)."""
    read_only: bool = False
    """Hide every tool that changes the account (`SHIPSTATION_READ_ONLY`, `--read-only`)."""

    @property
    def address(self) -> FamilyAddress:
        return API_ADDRESSES[self.api]

    @property
    def host(self) -> str:
        """Scheme and host (and optional port/path of a proxy) without a trailing slash."""
        return (self.base_url or self.address.host).rstrip("/")

    @property
    def prefix(self) -> str:
        """The API's path prefix: `/v2` for ShipStation V2, `/v1` for ShipEngine."""
        return self.address.prefix

    @property
    def api_root(self) -> str:
        return self.host + self.prefix

    @property
    def display_root(self) -> str:
        """`api_root` without any user:password a proxy URL may carry, for logs and messages."""
        parts = urlsplit(self.api_root)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return parts._replace(netloc=netloc).geturl()

    @property
    def credentials(self) -> tuple[str, ...]:
        """Every secret these settings hold for ShipStation: redacted from logs, errors and answers."""
        own = tuple(secret for secret in (self.api_key, self.api_secret) if secret)
        return own + (self.tracking.credentials if self.tracking is not None else ())

    @property
    def is_sandbox_key(self) -> bool:
        return self.api_key.startswith("TEST_")

    @property
    def requests_per_minute(self) -> int:
        if self.rate_limit is not None:
            return self.rate_limit
        sandbox_rate = self.address.sandbox_requests_per_minute
        if sandbox_rate is not None and self.is_sandbox_key:
            return sandbox_rate
        return self.address.requests_per_minute


class Environment(dict[str, str]):
    """The merged settings, remembering which came from the `.env` file (for error messages)."""

    dotenv_file: Path | None = None
    from_dotenv: frozenset[str] = frozenset()


def _environment(environ: Mapping[str, str] | None, dotenv_path: Path | None) -> Environment:
    merged = Environment()
    path = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
    if path.is_file():
        from dotenv import dotenv_values  # loaded only when there is a file to read: most starts have none

        merged.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        merged.dotenv_file = path.absolute()
    real = os.environ if environ is None else environ
    merged.from_dotenv = frozenset(name for name in merged if name not in real)
    merged.update(real)
    return merged


_VARIABLE = re.compile(r"\bSHIPSTATION_[A-Z0-9_]+\b")


def _say_where(error: ConfigError, env: Environment) -> ConfigError:
    """A newcomer edits the environment and the `.env` keeps winning, or the reverse: name the file that set it."""
    named = _VARIABLE.search(str(error))
    if named and named.group(0) in env.from_dotenv:
        return ConfigError(f"{error} (this value comes from {env.dotenv_file})")
    return error


def _float_setting(
    env: Mapping[str, str],
    name: str,
    default: float,
    *,
    minimum: float,
    maximum: float = math.inf,
    unit: str = "seconds",
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of {unit} (e.g. {name}=30), not {raw[:40]!r}") from None
    if not math.isfinite(value) or value < minimum:
        raise ConfigError(f"{name} must be a number of {unit} of at least {minimum:g}, not {raw[:40]!r}")
    if value > maximum:
        raise ConfigError(f"{name} must be a number of {unit} of at most {maximum:g}, not {raw[:40]!r}")
    return value


def _int_setting(env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number from {minimum} to {maximum}, not {raw[:40]!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be a whole number from {minimum} to {maximum}, not {value}")
    return value


def _percent_setting(env: Mapping[str, str], name: str, default: float, *, maximum: float) -> float:
    raw = env.get(name, "").strip().removesuffix("%").strip()
    if not raw:
        return default
    problem = f"{name} must be a percentage from 0 to {maximum:g} (e.g. {name}=5), not {raw[:40]!r}"
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(problem) from None
    if not math.isfinite(value) or not 0 <= value <= maximum:
        raise ConfigError(problem)
    return value


def _bool_setting(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no), not {raw[:40]!r}")


REDIS_SCHEMES = ("redis", "rediss")
DATABASE_SCHEMES = ("postgresql", "postgres")


def _service_url_setting(env: Mapping[str, str], name: str, schemes: tuple[str, ...], example: str) -> str | None:
    """A Redis or PostgreSQL URL: its scheme and host are checked here; whether it answers, at start."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise ConfigError(f"{name} has an invalid host or port; give a URL such as {example}") from None
    if parts.scheme not in schemes or not parts.hostname or any(ch.isspace() for ch in raw):
        raise ConfigError(
            f"{name} must be a {' or '.join(s + '://' for s in schemes)} URL such as {example}, "
            f"not {display_url(raw)[:80]!r}"
        )
    return raw


def display_url(url: str) -> str:
    """`url` without its password (for messages and logs): scheme://user@host:port/path."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url.split("://", 1)[0] + "://…"
    netloc = (f"{parts.username}@" if parts.username else "") + (f"[{host}]" if ":" in host else host)
    if port:
        netloc += f":{port}"
    return parts._replace(netloc=netloc, query="", fragment="").geturl()


def _base_url_setting(env: Mapping[str, str]) -> str | None:
    raw = env.get("SHIPSTATION_BASE_URL", "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"SHIPSTATION_BASE_URL must be an http(s) URL such as https://api.shipstation.com, not {raw[:80]!r}"
        )
    if parts.query or parts.fragment:
        raise ConfigError("SHIPSTATION_BASE_URL must not carry a query or fragment; give scheme, host and port")
    last = parts.path.rstrip("/").rsplit("/", 1)[-1].lower()
    if last in {"v1", "v2"}:
        # https://api.shipstation.com/v2 would become /v2/v2/shipments, and every lookup would then blame the id.
        origin = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')[: -len(last) - 1]}"
        raise ConfigError(
            f"SHIPSTATION_BASE_URL must not end in /{last}: the server adds the API's path itself "
            f"(/v2, or /v1 with SHIPSTATION_API=shipengine); use {origin}"
        )
    return raw.rstrip("/")


def _toolsets_setting(env: Mapping[str, str], given: str | None) -> tuple[str, ...]:
    raw = (given if given is not None else env.get("SHIPSTATION_TOOLSETS", "")).strip().lower()
    chosen = [part.strip() for part in raw.split(",") if part.strip()]
    if not chosen or "all" in chosen:
        return TOOLSET_NAMES
    unknown = [name for name in chosen if name not in TOOLSET_NAMES]
    if unknown:
        raise ConfigError(
            f"SHIPSTATION_TOOLSETS{' (--toolsets)' if given is not None else ''} must be a comma-separated list of "
            f"{', '.join(TOOLSET_NAMES)} (or all), "
            f"not {raw[:80]!r}"
        )
    return tuple(name for name in TOOLSET_NAMES if name in chosen)


MISSING_KEY_MESSAGE = (
    "SHIPSTATION_API_KEY is not set. Set it in the environment or in a .env file in the working directory "
    "(SHIPSTATION_API_KEY=your-key; ShipStation: Settings > Account > API Settings), "
    "or run `shipstation-mcp --demo` to try the offline sandbox account, which needs no key "
    "(in Claude Desktop: fill in the extension's API key setting, or turn on its Demo mode)."
)


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    demo: bool | None = None,
    dotenv_path: Path | None = None,
    toolsets: str | None = None,
    read_only: bool | None = None,
) -> Settings:
    """Read and validate settings; raise `ConfigError` with a one-line, actionable message.

    `demo`, `toolsets` and `read_only` are the command line's flags; given, they win over the environment."""
    env = _environment(environ, dotenv_path)
    try:
        return _settings_from(env, demo=demo, toolsets=toolsets, read_only=read_only)
    except ConfigError as exc:
        raise _say_where(exc, env) from None


def _settings_from(env: Environment, *, demo: bool | None, toolsets: str | None, read_only: bool | None) -> Settings:
    api_raw = env.get("SHIPSTATION_API", "").strip().lower() or "v2"
    if api_raw not in API_ADDRESSES:
        raise ConfigError(
            f"SHIPSTATION_API must be 'v2' (ShipStation API V2, api.shipstation.com), 'shipengine' "
            f"(ShipStation API formerly ShipEngine, api.shipengine.com) or 'v1' (ShipStation's classic API, "
            f"ssapi.shipstation.com, key + secret), not {api_raw[:40]!r}"
        )
    demo_mode = _bool_setting(env, "SHIPSTATION_DEMO", False) if demo is None else demo
    timeout = _float_setting(env, "SHIPSTATION_TIMEOUT", DEFAULT_TIMEOUT, minimum=0.1, maximum=MAX_TIMEOUT)
    max_retries = _int_setting(
        env, "SHIPSTATION_MAX_RETRIES", DEFAULT_MAX_RETRIES, minimum=0, maximum=MAX_RETRIES_LIMIT
    )
    base_url = _base_url_setting(env)
    rate_limit = (
        _int_setting(env, "SHIPSTATION_RATE_LIMIT", 0, minimum=1, maximum=MAX_RATE_LIMIT)
        if env.get("SHIPSTATION_RATE_LIMIT", "").strip()
        else None
    )
    cache_ttl = _float_setting(env, "SHIPSTATION_CACHE_TTL", DEFAULT_CACHE_TTL, minimum=0, maximum=MAX_CACHE_TTL)
    cache_max_mb = _float_setting(
        env, "SHIPSTATION_CACHE_MAX_MB", DEFAULT_CACHE_MAX_MB, minimum=0.1, maximum=MAX_CACHE_MAX_MB, unit="megabytes"
    )
    rate_headroom = _percent_setting(env, "SHIPSTATION_RATE_HEADROOM", DEFAULT_RATE_HEADROOM, maximum=MAX_RATE_HEADROOM)
    concurrency = (
        _int_setting(env, "SHIPSTATION_CONCURRENCY", 0, minimum=1, maximum=MAX_CONCURRENCY)
        if env.get("SHIPSTATION_CONCURRENCY", "").strip()
        else None
    )
    index_share = _percent_setting(env, "SHIPSTATION_INDEX_SHARE", 0.0, maximum=100.0)
    redis_url = _service_url_setting(env, "SHIPSTATION_REDIS_URL", REDIS_SCHEMES, "redis://redis.internal:6379/0")

    api_key = env.get("SHIPSTATION_API_KEY", "").strip()
    if api_key.startswith("${user_config."):
        api_key = ""  # a bundle setting left empty, passed through unexpanded by an older client
    if demo_mode:
        api_key = api_key or DEMO_API_KEY
    elif not api_key:
        raise ConfigError(MISSING_KEY_MESSAGE)
    _check_key_text("SHIPSTATION_API_KEY", api_key)
    api_secret = _v1_secret(env, api_raw, api_key, demo=demo_mode)

    live = live_settings_from(env)
    if demo_mode and not env.get("SHIPSTATION_DATA_DIR", "").strip():
        # The demo account is fictional: its watched packages and updates must not mix with a real account's.
        live = replace(live, data_dir=None)
    settings = Settings(
        api_key=api_key,
        api=api_raw,  # type: ignore[arg-type]
        api_secret=api_secret,
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        demo=demo_mode,
        live=live,
        rate_limit=rate_limit,
        cache_ttl=cache_ttl,
        cache_max_mb=cache_max_mb,
        index_share=index_share,
        rate_headroom=rate_headroom,
        concurrency=concurrency,
        redis_url=redis_url,
        toolsets=_toolsets_setting(env, toolsets),
        read_only=_bool_setting(env, "SHIPSTATION_READ_ONLY", False) if read_only is None else read_only,
    )
    tracking = _tracking_settings(env, settings)
    return replace(settings, tracking=tracking) if tracking is not None else settings


def _check_key_text(name: str, value: str) -> None:
    if any(ch in value for ch in "\r\n\0"):
        raise ConfigError(f"{name} contains a line break or NUL; paste the key again on one line")
    if not value.isascii() or not value.isprintable():
        # An HTTP header can only carry ASCII: such a key would fail on the first request with a traceback.
        raise ConfigError(
            f"{name} contains a character that is not printable ASCII (often a curly quote or a "
            "non-breaking space from copying); paste the key again exactly as ShipStation shows it"
        )


_KEY_AND_SECRET = re.compile(r"^[^:\s]+:[^:\s]+$")
V1_KEY_HELP = "ShipStation: Settings > Account > API Settings, V1 API"


def _bundle_value(env: Mapping[str, str], name: str) -> str:
    """A setting's value; empty when a bundle setting was left empty and an older client passed it through
    unexpanded (`${user_config.…}`)."""
    value = env.get(name, "").strip()
    return "" if value.startswith("${user_config.") else value


def _v1_secret(env: Mapping[str, str], api: str, api_key: str, *, demo: bool) -> str | None:
    """The secret of a V1 key pair; a V1 pair put where a V2 key goes (or a secret without SHIPSTATION_API=v1) is
    explained in one line rather than failing later as a rejected key."""
    secret = _bundle_value(env, "SHIPSTATION_API_SECRET")
    joined = bool(_KEY_AND_SECRET.match(api_key))
    if api != "v1":
        if joined:
            raise ConfigError(
                "SHIPSTATION_API_KEY looks like a V1 key and secret joined by ':'; for ShipStation's classic API set "
                "SHIPSTATION_API=v1, the key alone in SHIPSTATION_API_KEY and the secret in SHIPSTATION_API_SECRET"
            )
        if secret:
            raise ConfigError(
                "SHIPSTATION_API_SECRET is set, but only V1 keys (ShipStation's classic API) come with a secret: "
                "for a V1 key pair set SHIPSTATION_API=v1; for a V2 or ShipEngine key remove SHIPSTATION_API_SECRET"
            )
        return None
    if joined:
        raise ConfigError(
            "SHIPSTATION_API_KEY holds 'key:secret'; put the key alone in SHIPSTATION_API_KEY and the secret in "
            "SHIPSTATION_API_SECRET"
        )
    if not secret:
        if demo:
            return DEMO_API_KEY
        raise ConfigError(
            "SHIPSTATION_API=v1 needs the key's secret too: set SHIPSTATION_API_SECRET (a V1 key always comes as a "
            f"key and a secret; {V1_KEY_HELP})"
        )
    _check_key_text("SHIPSTATION_API_SECRET", secret)
    return secret


def _tracking_settings(env: Mapping[str, str], settings: Settings) -> Settings | None:
    """The second key V1 needs for tracking status: a V2 or ShipEngine key (`SHIPSTATION_TRACKING_API`, default v2,
    and `SHIPSTATION_TRACKING_API_KEY`). The demo needs only the family."""
    key = _bundle_value(env, "SHIPSTATION_TRACKING_API_KEY")
    family = _bundle_value(env, "SHIPSTATION_TRACKING_API").lower()
    if not key and not family:
        return None
    if settings.api != "v1":
        raise ConfigError(
            f"SHIPSTATION_TRACKING_API and SHIPSTATION_TRACKING_API_KEY are only for SHIPSTATION_API=v1, whose API "
            f"gives no tracking status; with SHIPSTATION_API={settings.api} tracking uses SHIPSTATION_API_KEY: "
            "remove them"
        )
    family = family or "v2"
    if family not in TRACKING_FAMILIES:
        raise ConfigError(
            "SHIPSTATION_TRACKING_API must be 'v2' (a ShipStation API V2 key) or 'shipengine' (a ShipEngine key), "
            f"not {family[:40]!r}: V1 itself gives no tracking status"
        )
    if not key:
        if not settings.demo:
            raise ConfigError(
                f"SHIPSTATION_TRACKING_API={family} is set but SHIPSTATION_TRACKING_API_KEY is not: set the "
                f"{family} key that tracks this account's packages, or remove SHIPSTATION_TRACKING_API"
            )
        key = DEMO_API_KEY
    _check_key_text("SHIPSTATION_TRACKING_API_KEY", key)
    if _KEY_AND_SECRET.match(key):
        raise ConfigError("SHIPSTATION_TRACKING_API_KEY must be a V2 or ShipEngine key (one key, no ':secret')")
    return replace(
        settings,
        api=family,
        api_key=key,
        api_secret=None,
        base_url=None,
        rate_limit=None,  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------------------- live tracking
# HTTP transport security, webhook receiver and event store. The receiver does not talk to ShipStation,
# so these settings load on their own (`load_live_settings`) without an API key, for `shipstation-mcp webhooks`.

DEFAULT_WEBHOOK_PATH = "/webhooks/shipstation"
DEFAULT_JWKS_URL = "https://api.shipengine.com/jwks"
MIN_SECRET_LENGTH = 16
DEFAULT_RETENTION_DAYS = 90
DEFAULT_HTTP_TIMEOUT = 10.0
DEFAULT_HTTP_MAX_CONNECTIONS = 1000
MAX_RETENTION_DAYS = 3650
APP_DIR_NAME = "shipstation-mcp"


@dataclass(frozen=True)
class LiveSettings:
    """Settings of the live-tracking parts. Secrets are kept out of `repr`.

    `data_dir=None` (a `Settings` built in code, as tests do) keeps received events in memory only;
    `load_settings`/`load_live_settings` always resolve a folder (`SHIPSTATION_DATA_DIR` or the platform default).
    """

    mcp_token: str | None = field(default=None, repr=False)
    webhook_path: str = DEFAULT_WEBHOOK_PATH
    webhook_jwks_url: str = DEFAULT_JWKS_URL
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_verify: bool = True
    webhook_url: str | None = None
    """SHIPSTATION_WEBHOOK_URL: the public URL of this install's receiver, pinned by the operator. The only URL
    `setup_tracking_webhook` registers the webhook secret on (without it, a URL must answer a challenge first)."""
    data_dir: Path | None = None
    allowed_hosts: tuple[str, ...] = ()
    oauth_issuer: str | None = None
    """OAuth 2.1 authorization server whose JWT access tokens /mcp accepts (besides the static token)."""
    oauth_audience: str | None = None
    """This server's resource URL (e.g. https://mcp.example.com/mcp): tokens must name it in `aud`."""
    oauth_jwks_url: str | None = None
    retention_days: int = DEFAULT_RETENTION_DAYS
    """Received updates older than this, and packages stopped longer ago, are deleted."""
    http_timeout: float = DEFAULT_HTTP_TIMEOUT
    """Seconds an HTTP client of ours (MCP or webhook) gets to send a request's headers, and again its body."""
    http_max_connections: int = DEFAULT_HTTP_MAX_CONNECTIONS

    @property
    def oauth(self) -> bool:
        return bool(self.oauth_issuer and self.oauth_audience)

    database_url: str | None = field(default=None, repr=False)
    """SHIPSTATION_DATABASE_URL: keep the event store on PostgreSQL (shared by every instance) instead of SQLite."""
    mcp_stateless: bool = False
    """SHIPSTATION_MCP_STATELESS: serve clients on protocols before 2026-07-28 without sessions (the SDK's stateless
    mode), so a load balancer may send each of their requests to any instance; they then get no change
    notifications. Clients on 2026-07-28 are stateless anyway."""

    @property
    def database_path(self) -> Path | None:
        return self.data_dir / "events.sqlite3" if self.data_dir is not None else None

    @property
    def webhook_secret_path(self) -> Path | None:
        """Where `setup_tracking_webhook` keeps the per-install webhook secret (unless SHIPSTATION_WEBHOOK_SECRET)."""
        return self.data_dir / WEBHOOK_SECRET_FILE if self.data_dir is not None else None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in a log line (for the redacting formatter)."""
        return tuple(s for s in (self.mcp_token, self.webhook_secret, url_password(self.database_url)) if s)


def url_password(url: str | None) -> str | None:
    try:
        return urlsplit(url).password if url else None
    except ValueError:
        return None


def default_data_dir(environ: Mapping[str, str] | None = None, *, platform: str | None = None) -> Path:
    """The platform's per-user data folder for this app.

    Linux and other Unix: `$XDG_DATA_HOME/shipstation-mcp` (default `~/.local/share/shipstation-mcp`);
    macOS: `~/Library/Application Support/shipstation-mcp`; Windows: `%LOCALAPPDATA%\\shipstation-mcp`.
    """
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    home = Path(env.get("HOME") or env.get("USERPROFILE") or Path.home())
    if platform.startswith("win"):
        base = env.get("LOCALAPPDATA") or env.get("APPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / APP_DIR_NAME
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_DIR_NAME
    xdg = env.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / APP_DIR_NAME


WEBHOOK_SECRET_FILE = "webhook-secret"  # noqa: S105 - a file name, not a secret


def stored_webhook_secret(settings: LiveSettings) -> str | None:
    """The per-install webhook secret kept in the data folder, or None if there is none (or it is unusable)."""
    path = settings.webhook_secret_path
    if path is None:
        return None
    try:
        value = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    ok = len(value) >= MIN_SECRET_LENGTH and all(ch.isprintable() and not ch.isspace() for ch in value)
    return value if ok else None


def ensure_webhook_secret(settings: LiveSettings) -> str | None:
    """SHIPSTATION_WEBHOOK_SECRET, else the stored per-install secret, made now (random, mode 0600) if missing.

    None only without a data folder (a `Settings` built in code keeps everything in memory)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    existing = stored_webhook_secret(settings)
    path = settings.webhook_secret_path
    if existing or path is None:
        return existing
    import secrets as random_source

    value = random_source.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value + "\n")
    try:
        # link, not rename: whole or not at all (a receiver never reads half a secret), and if another process
        # made one meanwhile, its secret wins and is the one used.
        os.link(temporary, path)
    except FileExistsError:
        value = stored_webhook_secret(settings) or value
    finally:
        os.unlink(temporary)
    return value


CHALLENGE_HEADER = "x-shipstation-mcp-challenge"
"""The header carrying `setup_tracking_webhook`'s one-time challenge to the receiver."""


def challenge_answer(secret: str, nonce: str) -> str:
    """What the receiver answers to a challenge: HMAC-SHA256 of the nonce under the install's webhook secret.

    `setup_tracking_webhook` sends a fresh nonce through the URL it is asked to register (without the secret) and
    registers the secret there only if this comes back: only a URL that leads to this install's receiver (the one
    process, or the other process reading the same data folder, that holds the secret) can answer it."""
    message = b"shipstation-mcp webhook url challenge\n" + nonce.encode("ascii")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


RANDOM_VALUE_HINT = 'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'


def _secret_setting(env: Mapping[str, str], name: str, *, purpose: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if len(raw) < MIN_SECRET_LENGTH or any(ch.isspace() or not ch.isprintable() or not ch.isascii() for ch in raw):
        raise ConfigError(
            f"{name} must be at least {MIN_SECRET_LENGTH} printable ASCII characters without spaces ({purpose}); "
            + RANDOM_VALUE_HINT
        )
    return raw


def _webhook_path_setting(env: Mapping[str, str]) -> str:
    raw = env.get("SHIPSTATION_WEBHOOK_PATH", "").strip()
    if not raw:
        return DEFAULT_WEBHOOK_PATH
    if (
        not raw.startswith("/")
        or raw == "/"
        or any(ch in raw for ch in "?#%")
        or any(ch.isspace() or not ch.isprintable() for ch in raw)
    ):
        raise ConfigError(
            f"SHIPSTATION_WEBHOOK_PATH must be a URL path such as {DEFAULT_WEBHOOK_PATH} "
            f"(starting with /, no query or spaces), not {raw[:80]!r}"
        )
    path = raw.rstrip("/")
    if path == "/mcp" or path.startswith("/mcp/"):
        raise ConfigError("SHIPSTATION_WEBHOOK_PATH must not be /mcp or below it: that is where MCP clients connect")
    return path


def _webhook_url_setting(env: Mapping[str, str]) -> str | None:
    raw = env.get("SHIPSTATION_WEBHOOK_URL", "").strip()
    if not raw:
        return None
    try:
        parts = urlsplit(raw)
        ok = parts.scheme == "https" and bool(parts.hostname) and not parts.username and not parts.password
    except ValueError:
        ok = False
    if not ok or any(ch.isspace() or not ch.isprintable() for ch in raw) or len(raw) > 2000:
        raise ConfigError(
            "SHIPSTATION_WEBHOOK_URL must be the https URL ShipStation delivers to, such as "
            f"https://hooks.example.com{DEFAULT_WEBHOOK_PATH} (no user name or password), not {raw[:80]!r}"
        )
    return raw


def is_loopback_host(host: str) -> bool:
    """True for names and addresses that only this machine can reach (localhost, 127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _jwks_url_setting(env: Mapping[str, str]) -> str:
    raw = env.get("SHIPSTATION_WEBHOOK_JWKS_URL", "").strip()
    if not raw:
        return DEFAULT_JWKS_URL
    parts = urlsplit(raw)
    secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.hostname or ""))
    if not parts.hostname or not secure or parts.fragment:
        raise ConfigError(
            f"SHIPSTATION_WEBHOOK_JWKS_URL must be an https URL such as {DEFAULT_JWKS_URL} "
            f"(http only for 127.0.0.1/localhost), not {raw[:80]!r}"
        )
    return raw


def _https_url_setting(env: Mapping[str, str], name: str, example: str) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback_host(parts.hostname or ""))
    if not parts.hostname or not secure or parts.fragment or parts.query:
        raise ConfigError(
            f"{name} must be an https URL such as {example} (http only for 127.0.0.1/localhost), not {raw[:80]!r}"
        )
    return raw.rstrip("/")


def _oauth_settings(env: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    issuer = _https_url_setting(env, "SHIPSTATION_OAUTH_ISSUER", "https://login.example.com")
    audience = _https_url_setting(env, "SHIPSTATION_OAUTH_AUDIENCE", "https://mcp.example.com/mcp")
    jwks = _https_url_setting(env, "SHIPSTATION_OAUTH_JWKS_URL", "https://login.example.com/.well-known/jwks.json")
    if bool(issuer) != bool(audience):
        raise ConfigError(
            "SHIPSTATION_OAUTH_ISSUER and SHIPSTATION_OAUTH_AUDIENCE go together: set both (the authorization server, "
            "and this server's public /mcp URL that its tokens name as audience), or neither"
        )
    if jwks and not issuer:
        raise ConfigError("SHIPSTATION_OAUTH_JWKS_URL needs SHIPSTATION_OAUTH_ISSUER and SHIPSTATION_OAUTH_AUDIENCE")
    if issuer and not jwks:
        jwks = issuer + "/.well-known/jwks.json"
    return issuer, audience, jwks


def _data_dir_setting(env: Mapping[str, str]) -> Path:
    raw = env.get("SHIPSTATION_DATA_DIR", "").strip()
    if not raw:
        return default_data_dir(env)
    if "\0" in raw:
        raise ConfigError("SHIPSTATION_DATA_DIR contains a NUL character; give a folder path")
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"SHIPSTATION_DATA_DIR must be a folder, but {raw[:120]!r} is a file")
    return path.absolute()


def _allowed_hosts_setting(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("SHIPSTATION_MCP_ALLOWED_HOSTS", "").strip()
    hosts = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if any(ch in item for ch in "/?#@ ") or item.startswith(":"):
            raise ConfigError(
                "SHIPSTATION_MCP_ALLOWED_HOSTS must be a comma-separated list of host names as clients type them, "
                f"with an optional :port or :* (e.g. mcp.example.com,mcp.example.com:8443), not {item[:80]!r}"
            )
        hosts.append(item.lower())
    return tuple(hosts)


def live_settings_from(env: Mapping[str, str]) -> LiveSettings:
    """Validate the live-tracking settings found in an already merged environment."""
    issuer, audience, jwks_url = _oauth_settings(env)
    return LiveSettings(
        mcp_token=_secret_setting(env, "SHIPSTATION_MCP_TOKEN", purpose="the bearer token MCP clients send"),
        webhook_path=_webhook_path_setting(env),
        webhook_jwks_url=_jwks_url_setting(env),
        webhook_secret=_secret_setting(
            env, "SHIPSTATION_WEBHOOK_SECRET", purpose="the X-Webhook-Secret header ShipStation sends"
        ),
        webhook_verify=_bool_setting(env, "SHIPSTATION_WEBHOOK_VERIFY", True),
        webhook_url=_webhook_url_setting(env),
        data_dir=_data_dir_setting(env),
        allowed_hosts=_allowed_hosts_setting(env),
        oauth_issuer=issuer,
        oauth_audience=audience,
        oauth_jwks_url=jwks_url,
        http_timeout=_float_setting(env, "SHIPSTATION_HTTP_TIMEOUT", DEFAULT_HTTP_TIMEOUT, minimum=0.1, maximum=600),
        http_max_connections=_int_setting(
            env, "SHIPSTATION_HTTP_MAX_CONNECTIONS", DEFAULT_HTTP_MAX_CONNECTIONS, minimum=10, maximum=100_000
        ),
        retention_days=_int_setting(
            env, "SHIPSTATION_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, minimum=1, maximum=MAX_RETENTION_DAYS
        ),
        mcp_stateless=_bool_setting(env, "SHIPSTATION_MCP_STATELESS", False),
        database_url=_service_url_setting(
            env, "SHIPSTATION_DATABASE_URL", DATABASE_SCHEMES, "postgresql://user:password@db.internal:5432/shipstation"
        ),
    )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def load_log_level(default: str, environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None) -> str:
    """SHIPSTATION_LOG_LEVEL, upper-cased, or `default` when unset. Raises `ConfigError` naming the variable."""
    env = _environment(environ, dotenv_path)
    level = env.get("SHIPSTATION_LOG_LEVEL", "").strip().upper() or default
    if level not in LOG_LEVELS:
        raise _say_where(ConfigError(f"SHIPSTATION_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}"), env)
    return level


def load_live_settings(environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None) -> LiveSettings:
    """Read the live-tracking settings alone (no API key needed); raise `ConfigError` like `load_settings`."""
    env = _environment(environ, dotenv_path)
    try:
        return live_settings_from(env)
    except ConfigError as exc:
        raise _say_where(exc, env) from None
