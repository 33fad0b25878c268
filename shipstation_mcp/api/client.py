"""ShipStationClient: the one place lookups go to for anything from ShipStation.

It is the request engine (`engine.py`: limiter, cache, retries, deadlines, bounded reads, redaction) for the
configured API family (`families.py`), with that family's endpoint adapter (`adapters.py`) answering each question
in the shared models. Lookups ask `client.family.can(...)` what the family can do before asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..config import Settings
from .engine import (
    MAX_RESPONSE_BYTES,
    MAX_RETRY_AFTER,
    MAX_TOTAL_WAIT,
    SEQUENCE_BUDGET,
    SHIPMENT_TTL,
    TERMINAL_TTL,
    RequestEngine,
)
from .models import Carrier, FulfillmentList, Label, LabelList, Shipment, ShipmentList, TrackingInfo, Webhook

__all__ = [
    "MAX_RESPONSE_BYTES",
    "MAX_RETRY_AFTER",
    "MAX_TOTAL_WAIT",
    "SEQUENCE_BUDGET",
    "SHIPMENT_TTL",
    "TERMINAL_TTL",
    "ShipStationClient",
]


class ShipStationClient(RequestEngine):
    """Async client for the configured ShipStation API family.

    Use as an async context manager, or call `aclose()`::

        async with ShipStationClient(settings) as client:
            info = await client.track_label("se-324658")
    """

    def __init__(self, settings: Settings, **options: Any) -> None:
        """`options` as for `RequestEngine`: transport, sleep, rng, limiter, cache."""
        super().__init__(settings, **options)
        self.endpoints = self.family.endpoints(self)
        self.tracker: ShipStationClient | None = None
        """For a family without tracking status (V1): the client of the second key that tracks its packages
        (`settings.tracking`), sharing transport, clock and cache; None when there is none."""
        if settings.tracking is not None:
            shared = {k: v for k, v in options.items() if k in {"transport", "sleep", "rng"}}
            self.tracker = ShipStationClient(settings.tracking, cache=self.cache, **shared)

    async def aclose(self) -> None:
        if self.tracker is not None:
            await self.tracker.aclose()
        await super().aclose()

    async def get_shipment(self, shipment_id: str) -> Shipment:
        return await self.endpoints.get_shipment(shipment_id)

    async def get_shipment_by_external_id(self, external_shipment_id: str) -> Shipment:
        return await self.endpoints.get_shipment_by_external_id(external_shipment_id)

    async def list_shipments(self, **filters: Any) -> ShipmentList:
        return await self.endpoints.list_shipments(**filters)

    async def list_labels(self, **filters: Any) -> LabelList:
        return await self.endpoints.list_labels(**filters)

    async def get_label(self, label_id: str) -> Label:
        return await self.endpoints.get_label(label_id)

    async def track_label(self, label_id: str) -> TrackingInfo:
        return await self.endpoints.track_label(label_id)

    async def track(self, carrier_code: str, tracking_number: str) -> TrackingInfo:
        return await self.endpoints.track(carrier_code, tracking_number)

    async def start_tracking(self, carrier_code: str, tracking_number: str) -> None:
        await self.endpoints.start_tracking(carrier_code, tracking_number)

    async def stop_tracking(self, carrier_code: str, tracking_number: str) -> None:
        await self.endpoints.stop_tracking(carrier_code, tracking_number)

    async def list_fulfillments(self, **filters: Any) -> FulfillmentList:
        """Orders marked shipped outside the label flow (`GET /v2/fulfillments`); ask `family.can("fulfillments")`."""
        return await self.endpoints.list_fulfillments(**filters)

    async def list_carriers(self) -> list[Carrier]:
        return await self.endpoints.list_carriers()

    async def list_webhooks(self) -> list[Webhook]:
        return await self.endpoints.list_webhooks()

    async def create_webhook(self, event: str, url: str, *, headers: Sequence[tuple[str, str]] = ()) -> Webhook:
        """A 409 (`RequestRejectedError`) means one for `event` exists already."""
        return await self.endpoints.create_webhook(event, url, headers=headers)

    async def update_webhook(self, webhook_id: str, url: str, *, headers: Sequence[tuple[str, str]] = ()) -> None:
        await self.endpoints.update_webhook(webhook_id, url, headers=headers)

    async def fetch_resource(self, url: str) -> list[Label]:
        return await self.endpoints.fetch_resource(url)
