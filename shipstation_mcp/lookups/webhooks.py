"""Pointing the account's tracking webhook at the receiver, and checking where it points.

Plain async functions over a `ShipStationClient`; they return summaries and raise `ShipStationError`,
`InvalidInput` or `LookupFailed`, whose messages tell the assistant what to do next.
"""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from ..answers.webhooks import TRACK_EVENTS, TrackEvent, WebhookListing, WebhookRow, WebhookSetup
from ..api.client import ShipStationClient
from ..api.ids import api_id
from ..config import LiveSettings, is_loopback_host
from ..errors import InvalidInput, LookupFailed, RequestRejectedError

SECRET_HEADER_NAME = "X-Webhook-Secret"  # noqa: S105 - a header name, not a secret


def check_public_url(url: str, settings: LiveSettings) -> list[str]:
    """Notes worth saying about `url`; `InvalidInput` if ShipStation could not deliver to it."""
    parts = urlsplit(url)
    notes: list[str] = []
    problem = None
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if parts.scheme not in {"http", "https"} or not host:
        problem = "it is not an absolute http(s) URL"
    elif parts.username or parts.password:
        problem = "it carries a user name or password; put the secret in SHIPSTATION_WEBHOOK_SECRET instead"
    elif (
        is_loopback_host(host)
        or host.endswith(".local")
        or (address is not None and (address.is_private or address.is_link_local or address.is_unspecified))
    ):
        problem = f"{host} is on this machine or a private network, which ShipStation cannot reach"
    elif parts.scheme == "http" and settings.webhook_secret:
        problem = "it is plain http, so the X-Webhook-Secret header would cross the internet unencrypted"
    if problem:
        raise InvalidInput(
            f"Cannot use {url[:200]!r} as the webhook URL: {problem}. Expose the receiver first (a reverse proxy "
            "with https, or a tunnel such as cloudflared or ngrok, forwarding to "
            f"{settings.webhook_path} on this server; see the README) and pass its public https URL."
        )
    if parts.scheme == "http":
        notes.append("The URL is plain http: prefer https (a reverse proxy or tunnel gives you one).")
    if (parts.path.rstrip("/") or "/") != settings.webhook_path:
        notes.append(
            f"The receiver listens on {settings.webhook_path}; make sure your proxy or tunnel forwards "
            f"{parts.path or '/'} there, or set SHIPSTATION_WEBHOOK_PATH."
        )
    if not settings.webhook_secret:
        notes.append("No SHIPSTATION_WEBHOOK_SECRET is set: deliveries are authenticated by their RSA signature alone.")
    return notes


async def point_tracking_webhook(
    client: ShipStationClient, settings: LiveSettings, url: str, event: TrackEvent = "track"
) -> WebhookSetup:
    """Create the account's webhook for `event` at `url`, or repoint the existing one (ShipStation answers 409)."""
    notes = check_public_url(url, settings)
    secret = settings.webhook_secret
    headers = [(SECRET_HEADER_NAME, secret)] if secret else []
    try:
        hook = await client.create_webhook(event, url, headers=headers)
        action: Literal["created", "updated"] = "created"
        webhook_id = hook.webhook_id
    except RequestRejectedError as exc:
        if exc.status != 409:
            raise
        webhook_id = next(
            (h.webhook_id for h in await client.list_webhooks() if (h.event or "").lower() == event and h.webhook_id),
            None,
        )
        if webhook_id is None:
            raise LookupFailed(
                f"ShipStation says a {event!r} webhook exists (HTTP 409) but does not list it. Check the webhooks "
                "in ShipStation's settings, then try again."
            ) from None
        await client.update_webhook(api_id(webhook_id, what="webhook id"), url, headers=headers)
        action = "updated"
    return WebhookSetup(
        headline=f"The account's {event!r} webhook was {action}: tracking updates now go to {url}.",
        action=action,
        webhook_id=webhook_id,
        event=event,
        url=url,
        sends_secret_header=bool(secret),
        notes=notes,
    )


async def list_webhooks(client: ShipStationClient, settings: LiveSettings) -> WebhookListing:
    """The account's webhooks, and whether tracking updates reach this receiver."""
    rows = [
        WebhookRow(
            webhook_id=h.webhook_id,
            event=h.event,
            url=h.url,
            name=h.name,
            delivers_tracking=(h.event or "").lower() in TRACK_EVENTS,
            path_matches_receiver=(urlsplit(h.url).path.rstrip("/") == settings.webhook_path) if h.url else None,
        )
        for h in await client.list_webhooks()
    ]
    tracking = [r for r in rows if r.delivers_tracking]
    if not tracking:
        headline = (
            f"{len(rows)} webhook(s), none for tracking: no tracking updates are pushed anywhere. "
            "Call setup_tracking_webhook with the receiver's public URL."
        )
    elif any(r.path_matches_receiver for r in tracking):
        headline = f"{len(rows)} webhook(s); tracking updates go to {tracking[0].url}."
    else:
        headline = (
            f"{len(rows)} webhook(s); tracking updates go to {tracking[0].url}, whose path is not this "
            f"receiver's ({settings.webhook_path}) unless a proxy rewrites it."
        )
    return WebhookListing(headline=headline, receiver_path=settings.webhook_path, webhooks=rows)
