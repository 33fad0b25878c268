"""One cheap request per API family, to tell whether a key works there: its webhooks listing
(`GET /environment/webhooks`; V1 `GET /webhooks`).

Used by `shipstation-mcp check` and by the stdio server's start-up check. It is a single try with a short timeout
(no retries, no rate limiter, no cache): the answer is what the API says right now, or why it could not be asked.
The webhooks listing comes back too (where the tracking webhook points), and the rate-limit headers (the budget
left). A third request, `GET /tracking` for a made-up number, tells whether the plan tracks by number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from ..config import Settings
from ..redact import Redactor
from .engine import USER_AGENT
from .error_body import read_error_body
from .families import ApiFamily
from .models import Webhook

__all__ = ["PROBE_TIMEOUT", "KeyProbe", "TrackingProbe", "probe_key", "probe_tracking"]

PROBE_TIMEOUT = 8.0
SAMPLE_NUMBER = "1Z999AA10123456784"
"""UPS's published example number: a tracking request for it costs nothing real and names no customer."""

Verdict = Literal["works", "refused", "plan", "unreachable", "odd"]


@dataclass
class KeyProbe:
    family: ApiFamily
    root: str
    verdict: Verdict
    """works (2xx), refused (401), plan (403: the key is known, the plan or subscription lacks something),
    unreachable (no answer), odd (another status)."""
    status: int | None = None
    reason: str = ""
    """Why it could not be asked, or what the API said."""
    webhooks: list[Webhook] = field(default_factory=list)
    rate: dict[str, str] = field(default_factory=dict)
    """The family's rate-limit headers, under the names the limiter reads (`x-rate-limit-remaining`, …)."""


@dataclass
class TrackingProbe:
    verdict: Literal["works", "plan", "missing", "unreachable", "odd"]
    status: int | None = None
    reason: str = ""


def _client(settings: Settings, family: ApiFamily, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(min(PROBE_TIMEOUT, settings.timeout)),
        headers={**family.auth_headers(settings), "User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


def root_of(settings: Settings, family: ApiFamily) -> str:
    return (settings.base_url or family.host).rstrip("/") + family.prefix


def _said(response: httpx.Response, settings: Settings, family: ApiFamily) -> str:
    """What the API said, without any credential it may echo."""
    report = read_error_body(response.content[:65536], response.headers)
    redact = Redactor(family.credentials(settings))
    return redact("; ".join(report.messages))[:300]


def _webhooks(response: httpx.Response) -> list[Webhook]:
    try:
        data: Any = json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    if isinstance(data, dict):
        data = data.get("webhooks", [])
    return [Webhook.model_validate(item) for item in data if isinstance(item, dict)] if isinstance(data, list) else []


async def probe_key(
    settings: Settings, family: ApiFamily, *, transport: httpx.AsyncBaseTransport | None = None
) -> KeyProbe:
    """Ask `family` (at `SHIPSTATION_BASE_URL` when set, else its own host) whether it takes the key."""
    root = root_of(settings, family)
    try:
        async with _client(settings, family, transport) as client:
            response = await client.get(root + "".join("/" + part for part in family.webhooks_path))
    except httpx.HTTPError as exc:
        return KeyProbe(family, root, "unreachable", reason=_network_reason(exc))
    rate = dict(family.rate_headers.read(response.headers))
    status = response.status_code
    if response.is_success:
        return KeyProbe(family, root, "works", status, webhooks=_webhooks(response), rate=rate)
    verdict: Verdict = "refused" if status == 401 else "plan" if status == 403 else "odd"
    return KeyProbe(family, root, verdict, status, reason=_said(response, settings, family), rate=rate)


async def probe_tracking(
    settings: Settings, family: ApiFamily, *, transport: httpx.AsyncBaseTransport | None = None
) -> TrackingProbe:
    """Whether `GET /tracking` answers for this key's plan (any answer but 403/404 means it does)."""
    params = {"carrier_code": "ups", "tracking_number": SAMPLE_NUMBER}
    try:
        async with _client(settings, family, transport) as client:
            response = await client.get(root_of(settings, family) + "/tracking", params=params)
    except httpx.HTTPError as exc:
        return TrackingProbe("unreachable", reason=_network_reason(exc))
    status = response.status_code
    if response.is_success or status in (400, 422):
        return TrackingProbe("works", status)
    verdict = "plan" if status == 403 else "missing" if status == 404 else "odd"
    return TrackingProbe(verdict, status, _said(response, settings, family))  # type: ignore[arg-type]


def _network_reason(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {PROBE_TIMEOUT:g} s"
    if isinstance(exc, httpx.ConnectError):
        return "the connection was refused or the host could not be resolved"
    return f"a network error ({type(exc).__name__})"
