"""The demo account as ShipStation's classic API (V1) shows it: `/orders`, `/shipments`, `/fulfillments`,
`/carriers`, `/webhooks`, shaped like the real V1 payloads (`../shared/real-payloads/v1/`).

- a request without HTTP Basic credentials gets 401 `{"message": …}`;
- every answer carries `X-Rate-Limit-Limit: 40`, `-Remaining`, `-Reset` (seconds until the window resets);
- times are Pacific wall-clock without an offset and with seven fractional digits (`2026-04-30T09:12:00.0000000`);
  `shipDate` is a bare date on orders and shipments and a midnight time on fulfillments;
- `orderNumber` is a starts-with search, as V1's is; lists are wrapped `{"orders": […], "total", "page", "pages"}`;
- each label is a `/shipments` row per package (`shipmentId` = the label id's digits, so the V2 label is
  `se-<shipmentId>`), except order 10450's, which was marked shipped elsewhere and is a `/fulfillments` row
  with the carrier in free text;
- order statuses are V1's: shipped, awaiting_shipment, on_hold (with `holdUntilDate`), awaiting_payment, cancelled.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from typing import Any

from ..api.v1 import PACIFIC
from .account import CARRIERS, SHIPMENTS, STORES, WAREHOUSE_ID, LabelSpec, ShipmentSpec
from .payloads import Clockface, shipment_modified_hours_ago

__all__ = ["RATE_HEADERS", "V1_RESOURCES", "ClassicAccount", "has_basic_credentials"]

V1_RESOURCES = frozenset({"orders", "shipments", "fulfillments", "carriers", "webhooks"})
MARKED_SHIPPED = frozenset({"10450"})
"""Orders whose package was marked shipped outside ShipStation's labels: a fulfillment, not a shipment."""
AWAITING_PAYMENT = frozenset({"10457"})
FREE_TEXT_CARRIERS = {"ups": "UPS", "fedex": "FedEx", "stamps_com": "USPS", "dhl_express": "DHL"}


def has_basic_credentials(authorization: str) -> bool:
    """An `Authorization: Basic` header carrying a non-empty key and secret."""
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        key, colon, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return bool(key and colon and secret)


def pacific(clock: Clockface, hours_ago: float) -> str:
    """V1's wall-clock time: Pacific, no offset, seven fractional digits."""
    return clock.at(hours_ago).astimezone(PACIFIC).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def pacific_day(clock: Clockface, hours_ago: float) -> str:
    return clock.at(hours_ago).astimezone(PACIFIC).strftime("%Y-%m-%d")


def order_status(spec: ShipmentSpec) -> str:
    if spec.status == "label_purchased":
        return "shipped"
    if spec.status == "cancelled":
        return "cancelled"
    if spec.hold_until_hours_ago is not None:
        return "on_hold"
    return "awaiting_payment" if spec.number in AWAITING_PAYMENT else "awaiting_shipment"


def _digits(se_id: str) -> int:
    return int(se_id.removeprefix("se-"))


def _address(spec: ShipmentSpec) -> dict[str, Any]:
    customer, place = spec.customer, spec.customer.place
    return {
        "name": customer.name,
        "company": customer.company,
        "street1": customer.street.upper(),
        "street2": customer.street2,
        "street3": None,
        "city": place.city.upper(),
        "state": place.state,
        "postalCode": place.postal_code,
        "country": place.country,
        "phone": customer.phone,
        "residential": customer.residential,
        "addressVerified": "Address validated successfully",
    }


def order(spec: ShipmentSpec, clock: Clockface) -> dict[str, Any]:
    live = [label for label in spec.labels if label.voided_hours_ago is None]
    store = STORES[spec.store]
    items = [
        {
            "orderItemId": 90000 + index,
            "lineItemKey": f"{spec.number}-{index}",
            "sku": item.sku,
            "name": item.name,
            "imageUrl": None,
            "weight": {"value": item.weight_oz, "units": "ounces", "WeightUnits": 1},
            "quantity": item.quantity,
            "unitPrice": item.unit_price,
            "adjustment": False,
            "createDate": pacific(clock, spec.created_hours_ago)[:23],
        }
        for index, item in enumerate(spec.items, 1)
    ]
    return {
        "orderId": _digits(spec.shipment_id),
        "orderNumber": spec.number,
        "orderKey": spec.external_id,
        "orderDate": pacific(clock, spec.created_hours_ago),
        "createDate": pacific(clock, spec.created_hours_ago),
        "modifyDate": pacific(clock, shipment_modified_hours_ago(spec)),
        "paymentDate": None if spec.number in AWAITING_PAYMENT else pacific(clock, spec.created_hours_ago),
        "shipByDate": pacific(clock, spec.ship_by_hours_ago) if spec.ship_by_hours_ago is not None else None,
        "orderStatus": order_status(spec),
        "customerId": None,
        "customerUsername": None,
        "customerEmail": None,
        "billTo": {"name": spec.customer.name, "company": None, "street1": None, "city": None, "country": None},
        "shipTo": _address(spec),
        "items": items,
        "orderTotal": round(sum(i.unit_price * i.quantity for i in spec.items), 2),
        "customerNotes": spec.notes_from_buyer,
        "gift": spec.gift,
        "requestedShippingService": spec.service_code.replace("_", " ").title(),
        "carrierCode": live[0].carrier if live else None,
        "serviceCode": spec.service_code,
        "shipDate": pacific_day(clock, live[0].created_hours_ago) if live else None,
        "holdUntilDate": None if spec.hold_until_hours_ago is None else pacific_day(clock, spec.hold_until_hours_ago),
        "weight": {"value": sum(i.weight_oz * i.quantity for i in spec.items), "units": "ounces", "WeightUnits": 1},
        "advancedOptions": {
            "warehouseId": WAREHOUSE_ID,
            "storeId": _digits(store.store_id),
            "mergedOrSplit": False,
            "mergedIds": [],
            "parentId": None,
            "source": store.order_source_code,
        },
        "tagIds": None,
        "externallyFulfilled": False,
        "externallyFulfilledBy": None,
    }


def shipment_rows(spec: ShipmentSpec, label: LabelSpec, clock: Clockface) -> list[dict[str, Any]]:
    """One `/shipments` row per package: V1 has no multi-package label."""
    voided = label.voided_hours_ago is not None
    return [
        {
            "shipmentId": _digits(label.label_id) * (100 if index else 1) + index,
            "orderId": _digits(spec.shipment_id),
            "orderKey": spec.external_id,
            "userId": None,
            "customerEmail": None,
            "orderNumber": spec.number,
            "createDate": pacific(clock, label.created_hours_ago),
            "shipDate": pacific_day(clock, label.created_hours_ago),
            "shipmentCost": label.cost if index == 0 else 0.0,
            "insuranceCost": 0.0,
            "trackingNumber": package.tracking_number,
            "isReturnLabel": False,
            "batchNumber": None,
            "carrierCode": label.carrier,
            "serviceCode": label.service_code,
            "packageCode": "package",
            "confirmation": "none",
            "warehouseId": WAREHOUSE_ID,
            "voided": voided,
            "voidDate": pacific(clock, label.voided_hours_ago) if label.voided_hours_ago is not None else None,
            "marketplaceNotified": True,
            "notifyErrorMessage": None,
            "shipTo": _address(spec),
            "weight": {"value": package.weight_oz, "units": "ounces", "WeightUnits": 1},
            "dimensions": None,
            "insuranceOptions": {"provider": None, "insureShipment": False, "insuredValue": 0.0},
            "advancedOptions": None,
            "shipmentItems": None,
            "labelData": None,
            "formData": None,
        }
        for index, package in enumerate(label.packages)
    ]


def fulfillment_row(spec: ShipmentSpec, label: LabelSpec, clock: Clockface) -> dict[str, Any]:
    return {
        "fulfillmentId": _digits(label.label_id),
        "orderId": _digits(spec.shipment_id),
        "orderNumber": spec.number,
        "userId": None,
        "customerEmail": None,
        "trackingNumber": label.tracking_number,
        "createDate": pacific(clock, label.created_hours_ago),
        "shipDate": pacific_day(clock, label.created_hours_ago) + "T00:00:00.0000000",
        "voidDate": None,
        "deliveryDate": None,
        "carrierCode": FREE_TEXT_CARRIERS.get(label.carrier, label.carrier),
        "fulfillmentProviderCode": None,
        "fulfillmentServiceCode": None,
        "fulfillmentFee": 0.0,
        "voidRequested": False,
        "voided": False,
        "marketplaceNotified": False,
        "notifyErrorMessage": None,
        "shipTo": _address(spec),
    }


def _paged(resource: str, rows: list[dict[str, Any]], params: Mapping[str, str]) -> dict[str, Any]:
    page = _int(params.get("page"), 1)
    size = min(_int(params.get("pageSize"), 100), 500)
    chunk = rows[(page - 1) * size : page * size]
    return {resource: chunk, "total": len(rows), "page": page, "pages": math.ceil(len(rows) / size)}


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() and int(value) > 0 else default


class ClassicAccount:
    """Answers V1 requests for the demo account; keeps its webhooks in memory."""

    def __init__(self) -> None:
        self.webhooks: list[dict[str, Any]] = []

    def answer(
        self, method: str, segments: list[str], params: Mapping[str, str], body: dict[str, Any], clock: Clockface
    ) -> tuple[int, Any]:
        match segments:
            case ["orders"] if method == "GET":
                return 200, _paged("orders", self._orders(params, clock), params)
            case ["orders", order_id] if method == "GET":
                found = next((s for s in SHIPMENTS if str(_digits(s.shipment_id)) == order_id), None)
                if found is None:
                    return 404, {"message": f"Order {order_id[:40]} was not found."}
                return 200, order(found, clock)
            case ["shipments"] if method == "GET":
                return 200, _paged("shipments", self._labels(params, clock, fulfillments=False), params)
            case ["fulfillments"] if method == "GET":
                return 200, _paged("fulfillments", self._labels(params, clock, fulfillments=True), params)
            case ["carriers"] if method == "GET":
                return 200, [_carrier(c) for c in CARRIERS]
            case ["webhooks"] if method == "GET":
                return 200, {"webhooks": list(self.webhooks)}
            case ["webhooks", "subscribe"] if method == "POST":
                return self._subscribe(body)
            case ["webhooks", webhook_id] if method == "DELETE":
                self.webhooks = [w for w in self.webhooks if str(w["WebHookID"]) != webhook_id]
                return 200, None
        return 404, {"message": "No HTTP resource was found that matches the request URI."}

    def _orders(self, params: Mapping[str, str], clock: Clockface) -> list[dict[str, Any]]:
        number = (params.get("orderNumber") or "").casefold()
        name = (params.get("customerName") or "").casefold()
        status = params.get("orderStatus")
        rows = [order(spec, clock) for spec in SHIPMENTS if spec.number.casefold().startswith(number)]
        rows = [row for row in rows if name in row["shipTo"]["name"].casefold()]
        rows = [row for row in rows if not status or row["orderStatus"] == status]
        newest_first = (params.get("sortDir") or "").upper() == "DESC"
        return sorted(rows, key=lambda row: row["createDate"], reverse=newest_first)

    def _labels(self, params: Mapping[str, str], clock: Clockface, *, fulfillments: bool) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for spec in SHIPMENTS:
            if (spec.number in MARKED_SHIPPED) != fulfillments:
                continue
            for label in spec.labels:
                rows += [fulfillment_row(spec, label, clock)] if fulfillments else shipment_rows(spec, label, clock)
        wanted = {
            "orderId": params.get("orderId"),
            "orderNumber": params.get("orderNumber"),
            "trackingNumber": params.get("trackingNumber"),
        }
        rows = [row for row in rows if all(not v or str(row.get(k)) == v for k, v in wanted.items())]
        return sorted(rows, key=lambda row: row["createDate"], reverse=(params.get("sortDir") or "").upper() == "DESC")

    def _subscribe(self, body: Mapping[str, Any]) -> tuple[int, Any]:
        url, event = body.get("target_url"), body.get("event")
        if not isinstance(url, str) or not isinstance(event, str) or not url or not event:
            return 400, {"message": "target_url and event are required."}
        hook_id = 8000 + len(self.webhooks) + 1
        self.webhooks.append(
            {
                "IsLabelAPIHook": False,
                "WebHookID": hook_id,
                "SellerID": 1001,
                "StoreID": body.get("store_id"),
                "HookType": event,
                "MessageFormat": "Json",
                "Url": url,
                "Name": body.get("friendly_name") or event,
                "BulkCopyBatchID": None,
                "BulkCopyRecordID": None,
                "Active": True,
                "WebhookLogs": [],
                "Seller": None,
                "Store": None,
            }
        )
        return 201, {"id": hook_id}


def _carrier(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.friendly_name,
        "code": spec.carrier_code,
        "accountNumber": spec.account_number,
        "requiresFundedAccount": spec.carrier_code == "stamps_com",
        "balance": 100.0 if spec.carrier_code == "stamps_com" else 0.0,
        "nickname": spec.nickname,
        "shippingProviderId": spec.numeric_id,
        "primary": spec.primary,
    }


RATE_HEADERS = {"X-Rate-Limit-Limit": "40", "X-Rate-Limit-Remaining": "39", "X-Rate-Limit-Reset": "59"}
"""V1's rate-limit headers, as every live capture carries them (the demo itself never runs out)."""
