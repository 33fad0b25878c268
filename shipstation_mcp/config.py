"""Settings: the one place that reads the environment.

Values come from the process environment, then from a `.env` file in the working directory for anything the
environment does not set (a `.env` never overrides a real variable).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values

ApiFlavour = Literal["v2", "shipengine"]

API_HOSTS: dict[str, str] = {
    "v2": "https://api.shipstation.com",
    "shipengine": "https://api.shipengine.com",
}
API_PREFIXES: dict[str, str] = {"v2": "/v2", "shipengine": "/v1"}

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
MAX_RETRIES_LIMIT = 10
# Rate limit and cache (issue 5): ShipStation allows 200 requests/minute per key, 20 for ShipEngine sandbox keys.
DEFAULT_RATE_LIMIT = 200
SANDBOX_RATE_LIMIT = 20
MAX_RATE_LIMIT = 100_000
DEFAULT_CACHE_TTL = 300.0
MAX_CACHE_TTL = 86_400.0


class ConfigError(ValueError):
    """A setting is missing or invalid. The message names the variable and says how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Validated settings. `api_key` is kept out of `repr` so it never lands in a log or traceback."""

    api_key: str = field(repr=False)
    api: ApiFlavour = "v2"
    base_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    demo: bool = False
    rate_limit: int | None = None
    """Requests per minute for this process; None means 200, or 20 for a `TEST_` sandbox key."""
    cache_ttl: float = DEFAULT_CACHE_TTL
    """Seconds a not-yet-delivered tracking result is reused; 0 turns the response cache off."""

    @property
    def host(self) -> str:
        """Scheme and host (and optional port/path of a proxy) without a trailing slash."""
        return (self.base_url or API_HOSTS[self.api]).rstrip("/")

    @property
    def prefix(self) -> str:
        """The API's path prefix: `/v2` for ShipStation V2, `/v1` for ShipEngine."""
        return API_PREFIXES[self.api]

    @property
    def api_root(self) -> str:
        return self.host + self.prefix

    @property
    def is_sandbox_key(self) -> bool:
        return self.api_key.startswith("TEST_")

    @property
    def requests_per_minute(self) -> int:
        if self.rate_limit is not None:
            return self.rate_limit
        return SANDBOX_RATE_LIMIT if self.is_sandbox_key else DEFAULT_RATE_LIMIT


def _environment(environ: Mapping[str, str] | None, dotenv_path: Path | None) -> dict[str, str]:
    merged: dict[str, str] = {}
    path = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
    if path.is_file():
        merged.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    merged.update(os.environ if environ is None else environ)
    return merged


def _float_setting(
    env: Mapping[str, str], name: str, default: float, *, minimum: float, maximum: float = math.inf
) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds (e.g. {name}=30), not {raw[:40]!r}") from None
    if not math.isfinite(value) or value < minimum:
        raise ConfigError(f"{name} must be a number of seconds of at least {minimum:g}, not {raw[:40]!r}")
    if value > maximum:
        raise ConfigError(f"{name} must be a number of seconds of at most {maximum:g}, not {raw[:40]!r}")
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


def _bool_setting(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no), not {raw[:40]!r}")


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
    return raw.rstrip("/")


MISSING_KEY_MESSAGE = (
    "SHIPSTATION_API_KEY is not set. Set it in the environment or in a .env file in the working directory "
    "(SHIPSTATION_API_KEY=your-key; ShipStation: Settings > Account > API Settings), "
    "or run `shipstation-mcp --demo` to try the offline sandbox account, which needs no key."
)


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    demo: bool | None = None,
    dotenv_path: Path | None = None,
) -> Settings:
    """Read and validate settings; raise `ConfigError` with a one-line, actionable message."""
    env = _environment(environ, dotenv_path)

    api_raw = env.get("SHIPSTATION_API", "").strip().lower() or "v2"
    if api_raw not in API_HOSTS:
        raise ConfigError(
            f"SHIPSTATION_API must be 'v2' (ShipStation API V2, api.shipstation.com) or 'shipengine' "
            f"(ShipStation API formerly ShipEngine, api.shipengine.com), not {api_raw[:40]!r}"
        )
    demo_mode = _bool_setting(env, "SHIPSTATION_DEMO", False) if demo is None else demo
    timeout = _float_setting(env, "SHIPSTATION_TIMEOUT", DEFAULT_TIMEOUT, minimum=0.1)
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

    api_key = env.get("SHIPSTATION_API_KEY", "").strip()
    if demo_mode:
        api_key = api_key or "demo"
    elif not api_key:
        raise ConfigError(MISSING_KEY_MESSAGE)
    if any(ch in api_key for ch in "\r\n\0"):
        raise ConfigError("SHIPSTATION_API_KEY contains a line break or NUL; paste the key again on one line")

    return Settings(
        api_key=api_key,
        api=api_raw,  # type: ignore[arg-type]
        base_url=base_url,
        timeout=timeout,
        max_retries=max_retries,
        demo=demo_mode,
        rate_limit=rate_limit,
        cache_ttl=cache_ttl,
    )
