"""Endpoint adapters: which paths of a family's API answer which question, each returning the shared models.

`Endpoints` lists every question the lookups may ask; a family's adapter answers those its API can (the family's
`capabilities` say which), and the base class refuses the rest with a message naming the family. The adapters send
nothing themselves: they go through the request engine (`Requests`), which owns limiter, cache and retries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from ..errors import LookupFailed, MalformedResponse
from .models import (
    Carrier,
    CarrierList,
    FulfillmentList,
    Label,
    LabelList,
    Shipment,
    ShipmentList,
    TrackingInfo,
    Webhook,
)

__all__ = ["Endpoints", "LabelApiEndpoints", "Requests"]

ModelT = TypeVar("ModelT", bound=BaseModel)
Lifetime = Callable[[Any], float]


class Requests(Protocol):
    """What an adapter needs of the request engine (`engine.RequestEngine`)."""

    async def get_json(
        self, segments: Sequence[str], *, params: Mapping[str, Any] | None = None, ttl: Lifetime | None = None
    ) -> Any: ...

    async def request(
        self,
        method: str,
        segments: Sequence[str],
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
        absolute_url: str | None = None,
    ) -> Any: ...

    def parse(self, model: type[ModelT], data: Any) -> ModelT: ...

    def unexpected(self, method: str, what: str, expected: str) -> MalformedResponse: ...

    def shipment_ttl(self, data: Any) -> float: ...

    def label_ttl(self, data: Any) -> float: ...

    def tracking_ttl(self, data: Any) -> float: ...


class Endpoints:
    """Every question the lookups may ask of an API. This base answers none of them: a family's adapter overrides
    what its API can answer, and a question it cannot is refused in words (lookups ask the family's capabilities
    first, so a refusal here means a lookup forgot to)."""

    family_title = "This API"

    def __init__(self, api: Requests) -> None:
        self.api = api

    def _cannot(self, what: str) -> LookupFailed:
        return LookupFailed(f"{self.family_title} cannot {what}.")

    async def get_shipment(self, shipment_id: str) -> Shipment:
        raise self._cannot("fetch a shipment by id")

    async def get_shipment_by_external_id(self, external_shipment_id: str) -> Shipment:
        raise self._cannot("find a shipment by external id")

    async def list_shipments(self, **filters: Any) -> ShipmentList:
        raise self._cannot("list shipments")

    async def list_labels(self, **filters: Any) -> LabelList:
        raise self._cannot("list labels")

    async def get_label(self, label_id: str) -> Label:
        raise self._cannot("fetch a label by id")

    async def track_label(self, label_id: str) -> TrackingInfo:
        raise self._cannot("track a label")

    async def track(self, carrier_code: str, tracking_number: str) -> TrackingInfo:
        raise self._cannot("track a package by its tracking number")

    async def start_tracking(self, carrier_code: str, tracking_number: str) -> None:
        raise self._cannot("start tracking updates")

    async def stop_tracking(self, carrier_code: str, tracking_number: str) -> None:
        raise self._cannot("stop tracking updates")

    async def list_fulfillments(self, **filters: Any) -> FulfillmentList:
        raise self._cannot("list orders marked shipped outside it")

    async def list_carriers(self) -> list[Carrier]:
        raise self._cannot("list carriers")

    async def list_webhooks(self) -> list[Webhook]:
        raise self._cannot("list webhooks")

    async def create_webhook(self, event: str, url: str, *, headers: Sequence[tuple[str, str]] = ()) -> Webhook:
        raise self._cannot("create a webhook")

    async def update_webhook(self, webhook_id: str, url: str, *, headers: Sequence[tuple[str, str]] = ()) -> None:
        raise self._cannot("change a webhook")

    async def fetch_resource(self, url: str) -> list[Label]:
        """The labels a webhook's `resource_url` names (V1's deliveries carry only that URL)."""
        raise self._cannot("fetch a webhook's resource")


class LabelApiEndpoints(Endpoints):
    """ShipStation API V2 and ShipEngine: the same paths below their prefix (`/v2`, `/v1`), shipments and labels
    with `se-` ids, tracking by label or by carrier and number, webhooks under `/environment/webhooks`."""

    family_title = "ShipStation API V2 / ShipEngine"

    async def get_shipment(self, shipment_id: str) -> Shipment:
        return self.api.parse(Shipment, await self.api.get_json(["shipments", shipment_id], ttl=self.api.shipment_ttl))

    async def get_shipment_by_external_id(self, external_shipment_id: str) -> Shipment:
        segments = ["shipments", "external_shipment_id", external_shipment_id]
        return self.api.parse(Shipment, await self.api.get_json(segments, ttl=self.api.shipment_ttl))

    async def list_shipments(self, **filters: Any) -> ShipmentList:
        data = await self.api.get_json(["shipments"], params=filters, ttl=self.api.shipment_ttl)
        return self.api.parse(ShipmentList, data)

    async def list_labels(self, **filters: Any) -> LabelList:
        return self.api.parse(LabelList, await self.api.get_json(["labels"], params=filters, ttl=self.api.shipment_ttl))

    async def get_label(self, label_id: str) -> Label:
        return self.api.parse(Label, await self.api.get_json(["labels", label_id], ttl=self.api.label_ttl))

    async def track_label(self, label_id: str) -> TrackingInfo:
        data = await self.api.get_json(["labels", label_id, "track"], ttl=self.api.tracking_ttl)
        return self.api.parse(TrackingInfo, data)

    async def track(self, carrier_code: str, tracking_number: str) -> TrackingInfo:
        params = {"carrier_code": carrier_code, "tracking_number": tracking_number}
        data = await self.api.get_json(["tracking"], params=params, ttl=self.api.tracking_ttl)
        return self.api.parse(TrackingInfo, data)

    async def start_tracking(self, carrier_code: str, tracking_number: str) -> None:
        params = {"carrier_code": carrier_code, "tracking_number": tracking_number}
        await self.api.request("POST", ["tracking", "start"], params=params, idempotent=True)

    async def stop_tracking(self, carrier_code: str, tracking_number: str) -> None:
        params = {"carrier_code": carrier_code, "tracking_number": tracking_number}
        await self.api.request("POST", ["tracking", "stop"], params=params, idempotent=True)

    async def list_fulfillments(self, **filters: Any) -> FulfillmentList:
        """`GET /fulfillments` (V2): shape unverified in our spec copy, so a bare list or another object reads as a
        list (empty when nothing in it is a fulfillment)."""
        data = await self.api.get_json(["fulfillments"], params=filters, ttl=self.api.shipment_ttl)
        if isinstance(data, list):
            data = {"fulfillments": data}
        return self.api.parse(FulfillmentList, data if isinstance(data, dict) else {})

    async def list_carriers(self) -> list[Carrier]:
        return self.api.parse(CarrierList, await self.api.get_json(["carriers"], ttl=self.api.tracking_ttl)).carriers

    async def list_webhooks(self) -> list[Webhook]:
        data = await self.api.get_json(["environment", "webhooks"])
        if isinstance(data, dict):  # some answers wrap the list
            data = data.get("webhooks", [])
        if not isinstance(data, list):
            raise self.api.unexpected("GET", "environment/webhooks", "a list of webhooks")
        return [self.api.parse(Webhook, item) for item in data if isinstance(item, dict)]

    async def create_webhook(self, event: str, url: str, *, headers: Sequence[tuple[str, str]] = ()) -> Webhook:
        """`POST /environment/webhooks`. A 409 (`RequestRejectedError`) means one for `event` exists already."""
        body: dict[str, Any] = {"event": event, "url": url}
        if headers:
            body["headers"] = [{"key": key, "value": value} for key, value in headers]
        data = await self.api.request("POST", ["environment", "webhooks"], json_body=body)
        return self.api.parse(Webhook, data) if isinstance(data, dict) else Webhook(event=event, url=url)

    async def update_webhook(self, webhook_id: str, url: str, *, headers: Sequence[tuple[str, str]] = ()) -> None:
        """`PUT /environment/webhooks/{id}`: point an existing webhook at `url` (ShipStation answers 204)."""
        body: dict[str, Any] = {"url": url}
        if headers:
            body["headers"] = [{"key": key, "value": value} for key, value in headers]
        await self.api.request("PUT", ["environment", "webhooks", webhook_id], json_body=body, idempotent=True)
