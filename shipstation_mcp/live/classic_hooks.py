"""ShipStation's classic API (V1) webhooks: unsigned notices that name a resource to fetch.

A V1 delivery is only `{"resource_url": …, "resource_type": "SHIP_NOTIFY" | …}`, with no signature and no custom
header. So it is accepted only when its target URL carries this install's webhook secret (`?secret=…`, compared in
constant time), and what it says is never believed: the resource is fetched by us, with the account's own key and
secret, and only from an allow-listed `https://ssapi<N>.shipstation.com/{orders,shipments,fulfillments}` address
(anything else would let a forged notice make us send the credentials elsewhere). The tracking numbers the fetched
labels and fulfillments carry are kept on the watch list; order notices carry none and are acknowledged.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx

from ..api.families import V1_WEBHOOK_EVENTS, family_of
from ..api.ids import normalized_or_none
from ..api.models import Label
from ..api.v1 import allowed_resource_url
from ..config import Settings

__all__ = ["SECRET_PARAMETER", "ClassicNotice", "Fetch", "query_secret", "read_notice", "resource_fetcher"]

logger = logging.getLogger(__name__)

SECRET_PARAMETER = "secret"  # noqa: S105 - the name of the parameter, not a secret
"""The query parameter of the target URL that carries the install's secret: `…/webhooks/shipstation?secret=…`."""
Fetch = Callable[[str], Awaitable[list[Label]]]


@dataclass(frozen=True)
class ClassicNotice:
    resource_url: str
    resource_type: str


def query_secret(query: bytes) -> str | None:
    """The `secret` a delivery's target URL carries, or None when it has none (a signed V2/ShipEngine delivery)."""
    if not query:
        return None
    values = parse_qs(query.decode("latin-1"), keep_blank_values=True).get(SECRET_PARAMETER)
    return values[0] if values else None


def secret_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def read_notice(payload: Any) -> ClassicNotice | str:
    """The notice, or why it is not one we may act on."""
    if not isinstance(payload, dict):
        return "the body is not a JSON object"
    url, kind = payload.get("resource_url"), payload.get("resource_type")
    if not isinstance(kind, str) or kind not in V1_WEBHOOK_EVENTS:
        return f"resource_type {str(kind)[:40]!r} is not a V1 webhook event"
    if not isinstance(url, str) or not allowed_resource_url(url):
        return "resource_url is not an https://ssapi<N>.shipstation.com address of orders, shipments or fulfillments"
    return ClassicNotice(url, kind)


def tracking_numbers(labels: list[Label]) -> list[tuple[str, str | None]]:
    """(number, carrier) of each label that was not voided, without repeats."""
    found: dict[str, str | None] = {}
    for label in labels:
        number = normalized_or_none(label.tracking_number or "")
        if number and not label.voided:
            found.setdefault(number, label.carrier_code)
    return list(found.items())


def resource_fetcher(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> Fetch | None:
    """How the receiver fetches a V1 notice's resource: with the account's own credentials, through the same
    limiter as every other request. None unless the configured family proves deliveries this way (V1)."""
    if family_of(settings).delivery_proof != "url_secret":
        return None

    async def fetch(url: str) -> list[Label]:
        from ..api.client import ShipStationClient  # only a V1 receiver fetches; the others never load the client

        async with ShipStationClient(settings, transport=transport) as client:
            return await client.fetch_resource(url)

    return fetch
