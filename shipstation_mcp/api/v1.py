"""ShipStation's classic API (V1, `ssapi.shipstation.com`, key + secret): its endpoint adapter and its ways.

V1 has orders (with their own status), labels made in ShipStation (`/shipments`) and shipments marked shipped
elsewhere (`/fulfillments`), but no tracking status at all. The adapter turns its answers into the shared models,
as ShipStation's own migration guide pairs them: an order becomes a `Shipment` (orderId → shipment_id, orderNumber
→ shipment_number, orderKey → external_shipment_id), each label or fulfillment a `Label` (its tracking number, the
carrier as a code, the carrier's public tracking page).

Its quirks, each handled here:
- times are Pacific wall-clock without an offset (`2021-01-23T09:19:48.6130000`): read in America/Los_Angeles,
  daylight saving included, and sent back in the same form (`2021-01-23 09:19:48`);
- `orderNumber` is a fuzzy (starts-with) search and order numbers are not unique: matched exactly here, every
  page read;
- fulfillments carry the carrier as free text ("UPS", "FedEx");
- paging metadata can lie (`pages: 0` with rows): a page shorter than asked for is the last.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from ..config import Settings
from ..errors import InvalidInput, NotFoundError, RequestRejectedError
from ..times import to_utc
from .adapters import Endpoints
from .models import Carrier, ErrorBody, Label, LabelList, Shipment, ShipmentList, Webhook

__all__ = [
    "PACIFIC",
    "V1_RESOURCE_HOST",
    "V1Endpoints",
    "allowed_resource_url",
    "basic_auth",
    "carrier_code_of",
    "carrier_from_v1",
    "label_from_fulfillment",
    "label_from_shipment",
    "pacific_text",
    "pacific_time",
    "shipment_from_order",
    "tracking_link",
    "v1_credentials",
    "v1_error_body",
    "webhook_from_v1",
]

PACIFIC = ZoneInfo("America/Los_Angeles")
V1_RESOURCE_HOST = re.compile(r"^ssapi\d*\.shipstation\.com$")
"""Hosts a V1 webhook's `resource_url` may name (`ssapi.shipstation.com`, `ssapi13.shipstation.com`, …)."""
MAX_RESOURCE_URL = 2000
RESOURCES = frozenset({"orders", "shipments", "fulfillments"})
"""What a V1 webhook's `resource_url` may name."""
MAX_PAGE_SIZE = 500
MAX_PAGES = 20
"""Most pages read for one order-number search (10,000 orders sharing a prefix)."""
FULFILLMENT_PREFIX = "f"
"""A fulfillment's label id is `f<fulfillmentId>`, so it never collides with a label's `<shipmentId>`."""

# The carrier's public page for a tracking number, by carrier code (V1's own codes and its resellers included).
TRACKING_PAGES: dict[str, str] = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction.action?tLabels={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "fedex": "https://www.fedex.com/fedextrack/?action=track&trackingnumber={number}",
    "dhl_express": "https://www.dhl.com/us-en/home/tracking/tracking-express.html?tracking-id={number}",
    "canada_post": "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor={number}",
    "ontrac": "https://www.ontrac.com/tracking/?number={number}",
}
CARRIER_ALIASES: dict[str, str] = {
    "stamps_com": "usps",
    "endicia": "usps",
    "express_1": "usps",
    "usps": "usps",
    "ups": "ups",
    "ups_walleted": "ups",
    "fedex": "fedex",
    "dhl": "dhl_express",
    "dhl_express": "dhl_express",
    "dhl_express_worldwide": "dhl_express",
    "canada_post": "canada_post",
    "ontrac": "ontrac",
}
"""V1 carrier codes and fulfillments' free-text carriers (lower-cased, spaces as `_`) → the code tracking uses."""


def basic_auth(settings: Settings) -> dict[str, str]:
    """HTTP Basic: the key as user name, the secret as password."""
    pair = f"{settings.api_key}:{settings.api_secret or ''}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def v1_credentials(settings: Settings) -> tuple[str, ...]:
    """The key, the secret, and the Basic header made of them: an echo of any of them is redacted."""
    header = basic_auth(settings)["Authorization"].removeprefix("Basic ")
    return tuple(secret for secret in (settings.api_key, settings.api_secret, header) if secret)


def v1_error_body(data: Any) -> ErrorBody:
    """V1 errors are `{"message": …}` (or ASP.NET's `Message`, `ExceptionMessage`), an HTML page, or nothing."""
    if not isinstance(data, dict):
        return ErrorBody()
    texts = [data.get(key) for key in ("message", "Message", "ExceptionMessage")]
    messages = list(dict.fromkeys(text.strip() for text in texts if isinstance(text, str) and text.strip()))
    try:
        return ErrorBody.model_validate({"errors": [{"message": message} for message in messages]})
    except ValidationError:
        return ErrorBody()


def pacific_time(value: Any) -> str | None:
    """A V1 time (Pacific wall clock, no offset, 0-7 fractional digits) as ISO 8601 in UTC; a bare date stays a
    date; a time that carries its own zone keeps it. None when unreadable."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(.*)", text)
    if match is None:
        return None
    day, clock, fraction, zone = match.groups()
    micro = (fraction or "")[:6].ljust(6, "0")
    try:
        moment = datetime.fromisoformat(f"{day}T{clock}.{micro}{zone.replace('z', 'Z')}")
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PACIFIC)
    return to_utc(moment).isoformat().replace("+00:00", "Z")


def pacific_text(value: datetime) -> str:
    """A moment as V1 wants it in a filter: Pacific wall clock, `yyyy-mm-dd hh:mm:ss`, no offset."""
    return to_utc(value).astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")


def carrier_code_of(raw: Any) -> str | None:
    """The tracking carrier code for a V1 carrier code or a fulfillment's free-text carrier; None when unknown."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    key = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    return CARRIER_ALIASES.get(key, key if re.fullmatch(r"[a-z0-9_]{2,50}", key) else None)


def tracking_link(carrier_code: str | None, tracking_number: str | None) -> str | None:
    """The carrier's public tracking page for the number, when the carrier is one we know the page of."""
    if not carrier_code or not tracking_number:
        return None
    page = TRACKING_PAGES.get(CARRIER_ALIASES.get(carrier_code, carrier_code))
    return page.format(number=tracking_number) if page else None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


def _address(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    return {
        "name": raw.get("name"),
        "company_name": raw.get("company"),
        "address_line1": raw.get("street1"),
        "city_locality": raw.get("city"),
        "state_province": raw.get("state"),
        "postal_code": raw.get("postalCode"),
        "country_code": raw.get("country"),
    }


def _items(raw: Any) -> list[dict[str, Any]]:
    rows = raw if isinstance(raw, list) else []
    return [
        {"name": item.get("name"), "sku": item.get("sku"), "quantity": item.get("quantity")}
        for item in rows
        if isinstance(item, dict) and not item.get("adjustment")
    ]


def shipment_from_order(order: Mapping[str, Any]) -> dict[str, Any]:
    """A V1 order in the shape of a V2 shipment (ShipStation's migration guide pairs the fields so)."""
    advanced = order.get("advancedOptions") if isinstance(order.get("advancedOptions"), dict) else {}
    weight = order.get("weight") if isinstance(order.get("weight"), dict) else None
    return {
        "shipment_id": _text(order.get("orderId")),
        "shipment_number": _text(order.get("orderNumber")),
        "external_shipment_id": _text(order.get("orderKey")),
        "shipment_status": _text(order.get("orderStatus")),
        "service_code": _text(order.get("serviceCode")),
        "carrier_id": _text(order.get("carrierCode")),
        "requested_shipment_service": _text(order.get("requestedShippingService")),
        "store_id": _text(advanced.get("storeId")),
        "created_at": pacific_time(order.get("createDate")),
        "modified_at": pacific_time(order.get("modifyDate")),
        "ship_by_date": pacific_time(order.get("shipByDate")),
        "ship_date": pacific_time(order.get("shipDate")),
        "hold_until_date": pacific_time(order.get("holdUntilDate")),
        "ship_to": _address(order.get("shipTo")),
        "items": _items(order.get("items")),
        "order_source_code": _text(advanced.get("source")),
        "total_weight": {"value": weight.get("value"), "unit": weight.get("units")} if weight else None,
        "confirmation": _text(order.get("confirmation")),
        "advanced_options": {
            "saturday_delivery": advanced.get("saturdayDelivery"),
            "contains_alcohol": advanced.get("containsAlcohol"),
        },
        "amount_paid": _money(order.get("amountPaid")),
        "shipping_paid": _money(order.get("shippingAmount")),
        "tax_paid": _money(order.get("taxAmount")),
        "notes_from_buyer": _text(order.get("customerNotes")),
        "notes_for_gift": _text(order.get("giftMessage")),
        "is_gift": order.get("gift") if isinstance(order.get("gift"), bool) else None,
    }


def _money(amount: Any) -> dict[str, Any] | None:
    """V1 amounts are bare numbers in the account's currency, which V1 does not name: the amount alone."""
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return {"amount": amount}


def _label(row: Mapping[str, Any], label_id: str | None, service: Any) -> dict[str, Any]:
    carrier = carrier_code_of(row.get("carrierCode"))
    number = _text(row.get("trackingNumber"))
    voided = row.get("voided") is True
    return {
        "label_id": label_id,
        "status": "voided" if voided else "completed",
        "shipment_id": _text(row.get("orderId")),
        "ship_date": pacific_time(row.get("shipDate")),
        "created_at": pacific_time(row.get("createDate")),
        "tracking_number": number,
        "tracking_url": tracking_link(carrier, number),
        "carrier_code": carrier,
        "service_code": _text(service),
        "voided": voided,
        "voided_at": pacific_time(row.get("voidDate")),
    }


def label_from_shipment(row: Mapping[str, Any]) -> dict[str, Any]:
    """A V1 shipment (a label made in ShipStation) in the shape of a V2 label."""
    label = _label(row, _text(row.get("shipmentId")), row.get("serviceCode"))
    return {
        **label,
        "external_shipment_id": _text(row.get("orderKey")),
        "is_return_label": row.get("isReturnLabel") is True,
    }


def label_from_fulfillment(row: Mapping[str, Any]) -> dict[str, Any]:
    """A V1 fulfillment (marked shipped outside ShipStation's labels) in the shape of a V2 label; its id is
    `f<fulfillmentId>`, so it never collides with a label's."""
    fulfillment_id = _text(row.get("fulfillmentId"))
    return _label(
        row, FULFILLMENT_PREFIX + fulfillment_id if fulfillment_id else None, row.get("fulfillmentServiceCode")
    )


def carrier_from_v1(row: Mapping[str, Any]) -> dict[str, Any]:
    """A V1 carrier (`GET /carriers` row, `GET /carriers/getcarrier`) as a shared carrier."""
    return {"carrier_code": row.get("code"), "friendly_name": row.get("name"), "nickname": row.get("nickname")}


def webhook_from_v1(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row of `GET /webhooks` (PascalCase) or the answer to a subscription (`{"id": …}`) as a shared webhook."""
    return {
        "webhook_id": _text(row.get("WebHookID", row.get("id"))),
        "url": _text(row.get("Url")),
        "event": _text(row.get("HookType")),
        "name": _text(row.get("Name")),
    }


def _rows(data: Any, key: str) -> list[dict[str, Any]]:
    rows = data.get(key) if isinstance(data, dict) else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _is_last_page(data: Any, page: int, size: int, key: str) -> bool:
    """V1's `pages` (and, defensively, `total`) can say 0 beside rows: a short page, or `page * size >= total`
    with a total above 0, ends the listing."""
    rows = _rows(data, key)
    total = data.get("total") if isinstance(data, dict) else None
    return len(rows) < size or (isinstance(total, int) and total > 0 and page * size >= total)


class V1Endpoints(Endpoints):
    """V1's paths answering the shared questions (see the module docstring for the mapping)."""

    family_title = "ShipStation's classic API (V1)"

    async def _list(self, resource: str, params: Mapping[str, Any]) -> Any:
        return await self.api.get_json([resource], params=_v1_params(params), ttl=self.api.shipment_ttl)

    async def get_shipment(self, shipment_id: str) -> Shipment:
        if not shipment_id.isdigit():
            raise NotFoundError(f"V1 order ids are numbers, not {shipment_id[:40]!r}", status=404)
        try:
            data = await self.api.get_json(["orders", shipment_id], ttl=self.api.shipment_ttl)
        except RequestRejectedError as exc:  # what V1 answers for an unknown id is undocumented: 404 or 400
            raise NotFoundError(str(exc), status=exc.status, request_id=exc.request_id, messages=exc.messages) from None
        if not isinstance(data, dict):
            raise self.api.unexpected("GET", "orders/{orderId}", "an order")
        return self.api.parse(Shipment, shipment_from_order(data))

    async def get_shipment_by_external_id(self, external_shipment_id: str) -> Shipment:
        # V1 cannot search by orderKey; the order number and the order id are what people have.
        raise NotFoundError("V1 finds orders by number or id only", status=404)

    async def list_shipments(self, **filters: Any) -> ShipmentList:
        """`GET /orders`. With an order number: every page of V1's starts-with search, matched exactly here."""
        number = filters.get("shipment_number")
        params = {
            "orderNumber": number,
            "customerName": filters.get("ship_to_name"),
            "orderStatus": _order_status(filters.get("shipment_status")),
            "createDateStart": filters.get("created_at_start"),
            "createDateEnd": filters.get("created_at_end"),
            "sortBy": "CreateDate",
            "sortDir": str(filters.get("sort_dir") or "desc").upper(),
        }
        if number:
            orders = await self._every_page("orders", params)
            exact = [o for o in orders if str(o.get("orderNumber") or "").casefold() == str(number).casefold()]
            shipments = [shipment_from_order(o) for o in exact]
            return self.api.parse(ShipmentList, {"shipments": shipments, "total": len(shipments), "pages": 1})
        page, size = int(filters.get("page") or 1), min(int(filters.get("page_size") or 25), MAX_PAGE_SIZE)
        data = await self._list("orders", {**params, "page": page, "pageSize": size})
        shipments = [shipment_from_order(o) for o in _rows(data, "orders")]
        paging = {k: data.get(k) for k in ("total", "page", "pages")} if isinstance(data, dict) else {}
        return self.api.parse(ShipmentList, {"shipments": shipments, **paging})

    async def _every_page(self, resource: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            data = await self._list(resource, {**params, "page": page, "pageSize": MAX_PAGE_SIZE})
            rows += _rows(data, resource)
            if _is_last_page(data, page, MAX_PAGE_SIZE, resource):
                break
        return rows

    async def list_labels(self, **filters: Any) -> LabelList:
        """An order's labels (`shipment_id` = orderId) or a tracking number's: `/shipments` and `/fulfillments`."""
        order, number = filters.get("shipment_id"), filters.get("tracking_number")
        query: dict[str, Any] = {"orderId": order, "trackingNumber": number}
        query |= {"sortBy": "CreateDate", "sortDir": "DESC"}
        if query["orderId"] or query["trackingNumber"]:  # a handful of rows: all of them
            shipments, fulfillments = await asyncio.gather(
                self._every_page("shipments", query), self._every_page("fulfillments", query)
            )
            paging: dict[str, Any] = {"page": 1, "pages": 1}
        else:  # a listing: the page asked for, of both
            page, size = int(filters.get("page") or 1), min(int(filters.get("page_size") or 25), MAX_PAGE_SIZE)
            dates = {"createDateStart": filters.get("created_at_start"), "createDateEnd": filters.get("created_at_end")}
            ask = {**query, **dates, "page": page, "pageSize": size}
            shipment_page, fulfillment_page = await self._list("shipments", ask), await self._list("fulfillments", ask)
            shipments, fulfillments = _rows(shipment_page, "shipments"), _rows(fulfillment_page, "fulfillments")
            last = _is_last_page(shipment_page, page, size, "shipments") and _is_last_page(
                fulfillment_page, page, size, "fulfillments"
            )
            paging = {"page": page, "pages": page if last else page + 1}
        labels = [label_from_shipment(s) for s in shipments] + [label_from_fulfillment(f) for f in fulfillments]
        labels.sort(key=lambda label: label.get("created_at") or "", reverse=True)
        return self.api.parse(LabelList, {"labels": labels, "total": len(labels), **paging})

    async def list_carriers(self) -> list[Carrier]:
        data = await self.api.get_json(["carriers"], ttl=self.api.tracking_ttl)
        rows = [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []
        return [self.api.parse(Carrier, carrier_from_v1(row)) for row in rows]

    async def list_webhooks(self) -> list[Webhook]:
        rows = _rows(await self.api.get_json(["webhooks"]), "webhooks")
        return [self.api.parse(Webhook, webhook_from_v1(row)) for row in rows]

    async def create_webhook(self, event: str, url: str, *, headers: Sequence[tuple[str, str]] = ()) -> Webhook:
        """`POST /webhooks/subscribe`; V1 sends no custom headers, so the secret travels in `url`."""
        body = {"target_url": url, "event": event, "friendly_name": "shipstation-mcp"}
        data = await self.api.request("POST", ["webhooks", "subscribe"], json_body=body)
        found = webhook_from_v1(data) if isinstance(data, dict) else {}
        return self.api.parse(Webhook, {**found, "url": url, "event": event})

    async def fetch_resource(self, url: str) -> list[Label]:
        """A webhook's `resource_url` (checked against the allow-list first): the labels or fulfillments it lists;
        orders carry no tracking number, so an order notice gives none."""
        if not allowed_resource_url(url):
            raise InvalidInput("The webhook's resource_url is not a ShipStation V1 address; it was not fetched.")
        data = await self.api.request("GET", [], absolute_url=url)
        rows = [label_from_shipment(row) for row in _rows(data, "shipments")]
        rows += [label_from_fulfillment(row) for row in _rows(data, "fulfillments")]
        return [self.api.parse(Label, row) for row in rows]


SHARED_STATUSES = {
    "pending": "awaiting_shipment",
    "processing": "awaiting_shipment",
    "label_purchased": "shipped",
    "cancelled": "cancelled",
}
"""The shared shipment statuses a search may ask for, as V1 names the orders in that state."""


def allowed_resource_url(url: str) -> bool:
    """Whether a V1 webhook's `resource_url` may be fetched with the account's credentials: https, a ShipStation
    V1 host (`ssapi<N>.shipstation.com`), no user name, password or port, a resource we read."""
    if not isinstance(url, str) or len(url) > MAX_RESOURCE_URL:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    resource = parts.path.strip("/")
    plain = parts.username is None and parts.password is None and port in (None, 443)
    return parts.scheme == "https" and plain and bool(V1_RESOURCE_HOST.match(host)) and resource in RESOURCES


def _order_status(status: Any) -> str | None:
    return SHARED_STATUSES.get(str(status), str(status)) if status else None


def _v1_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Times in V1's Pacific wall-clock form; everything else as given."""
    return {key: pacific_text(value) if isinstance(value, datetime) else value for key, value in params.items()}
