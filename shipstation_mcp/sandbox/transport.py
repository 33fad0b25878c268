"""`SandboxTransport`: the demo account served as an `httpx` transport, below `ShipStationClient`.

It answers the API paths the product uses, for every family at once: `/v2/…` with ShipStation API V2 payloads,
`/v1/…` with ShipEngine payloads (see `payloads.py` for the quirks each reproduces), and the classic API's
unprefixed `/orders`, `/shipments`, `/fulfillments`, … (`classic.py`). The host is ignored, so
`SHIPSTATION_BASE_URL` may point anywhere. Behaviour follows the API:

- a request without an `API-Key` header gets 401; an unknown id gets 404 with a ShipStation error body;
- `GET /shipments` honours the filters the flavour's spec documents (V2 adds `shipment_number`, `ship_to_name`,
  `item_keyword`, `store_id` and `external_shipment_id`; ShipEngine has `tag` instead); any other query parameter
  is ignored, as the real API ignores it. Both honour `sort_by`, `sort_dir`, `page` and `page_size`;
- `GET /labels` filters by `shipment_id`, `tracking_number` (a label's own number or one of its packages'),
  `label_status`, `carrier_id`, `service_code` and creation dates, sorted and paged the same way;
- `GET /tracking` answers on both flavours (V2's live spec has it as `get_tracking_log`), for the account's label
  packages and for the packages of orders marked shipped elsewhere. A number the sandbox does not know gets a 200
  answer with status `UN` and no events. `SandboxTransport(v2_tracking=403)` (or 404) plays a V2 plan without
  tracking (or a host where it is not deployed): then `GET /v2/tracking` and `POST /v2/tracking/start` refuse;
- `POST /tracking/start` and `/tracking/stop` answer 204 (both flavours; V2 needs a `track` or `track_event_v2`
  webhook first, as the real API does, and says so with a 400);
- `GET /fulfillments` (V2 only) lists orders marked shipped outside ShipStation, filtered by `tracking_number`,
  `shipment_number`, `shipment_id` and `fulfillment_id`, shaped like the real answer (a carrier name, no code);
- `GET/POST /environment/webhooks` and `GET/PUT/DELETE /environment/webhooks/{id}` keep webhooks in memory (the
  account starts with none); a second webhook for the same event is a 409.

Times are computed from `clock()` on every request, so a long-running demo never ages.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import httpx

from . import payloads
from .account import CARRIERS, FULFILLMENTS, SHIPMENTS, LabelSpec, ShipmentSpec
from .classic import RATE_HEADERS, V1_RESOURCES, ClassicAccount, has_basic_credentials
from .payloads import FLAVOUR_OF_FAMILY, V2_FLAVOUR, Clockface, Flavour

Clock = Callable[[], datetime]

FLAVOURS: dict[str, Flavour] = {flavour.family.prefix.strip("/"): flavour for flavour in FLAVOUR_OF_FAMILY.values()}
"""The flavour each path's first segment selects (`/v2/…`, `/v1/…`)."""

SHIPMENT_STATUSES = ("pending", "processing", "label_purchased", "cancelled")
LABEL_STATUSES = ("processing", "completed", "error", "voided")
TRACKING_CARRIER_CODES = frozenset(
    {
        "usps",
        "stamps_com",
        "ups",
        "fedex",
        "dhl_express",
        "dhl_global_mail",
        "dhl_ecommerce_au",
        "canada_post",
        "australia_post",
        "purolator_ca",
        "ontrac",
        "sendle",
        "asendia",
        "landmark_global",
        "newgistics",
    }
)
# Which carrier codes can track which account carrier's numbers (USPS labels bought through Stamps.com).
CARRIER_FAMILIES: dict[str, frozenset[str]] = {
    "stamps_com": frozenset({"stamps_com", "usps"}),
    "ups": frozenset({"ups"}),
    "fedex": frozenset({"fedex"}),
    "dhl_express": frozenset({"dhl_express"}),
}
WEBHOOK_EVENTS = frozenset(
    {
        "batch",
        "carrier_connected",
        "order_source_refresh_complete",
        "rate",
        "report_complete",
        "sales_orders_imported",
        "track",
        "track_event_v2",
        "fulfillment_rejected_v2",
        "fulfillment_shipped_v2",
    }
)

TRACK_EVENTS = frozenset({"track", "track_event_v2"})

REQUEST_LOG_SIZE = 1000
"""How many recent requests `SandboxTransport.requests` keeps (a demo server may run for days)."""

_REQUEST_ID_NAMESPACE = uuid.UUID("8f3c1c7e-6a52-4c1e-9a0e-5d6b1f0c2a44")


class SandboxError(Exception):
    """An API error answer: status, error_type, error_code, message (and the field it is about)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "validation",
        error_code: str = "invalid_field_value",
        field_name: str | None = None,
        field_value: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.error_code = error_code
        self.field_name = field_name
        self.field_value = field_value


def not_found(what: str, value: str) -> SandboxError:
    return SandboxError(
        404,
        f"{what} {value} was not found.",
        error_code="invalid_identifier",
        field_name=what,
        field_value=value,
    )


@dataclass
class Request:
    method: str
    flavour: Flavour
    segments: list[str]
    params: Mapping[str, str]
    body: bytes


class SandboxTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """The demo account as an httpx transport (async and sync).

    `clock` gives "now" (timezone-aware); the account's dates are relative to it. Pass a fixed clock in tests.
    """

    def __init__(self, *, clock: Clock | None = None, v2_tracking: int | None = None) -> None:
        self._clock: Clock = clock or (lambda: datetime.now(UTC))
        self.v2_tracking = v2_tracking
        """None: V2 tracks by number; 403: the plan has no tracking; 404: not deployed on this host."""
        self._requests = 0
        self.webhooks: list[dict[str, Any]] = []
        self.classic = ClassicAccount()
        """The account as ShipStation's classic API (V1) shows it."""
        self.watched: set[tuple[str, str]] = set()
        """(carrier_code, tracking_number) pairs with tracking updates started."""
        self.requests: deque[tuple[str, str]] = deque(maxlen=REQUEST_LOG_SIZE)
        """(method, path with query) of the latest requests answered, for tests and benchmarks."""

    # ------------------------------------------------------------------ transport interface

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.answer(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self.answer(request)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self._requests += 1
        request_id = str(uuid.uuid5(_REQUEST_ID_NAMESPACE, str(self._requests)))
        raw_path = request.url.raw_path.split(b"?", 1)[0].decode("ascii")
        segments = [unquote(part) for part in raw_path.split("/") if part != ""]
        self.requests.append((request.method, request.url.raw_path.decode("ascii")))
        version = segments[0] if segments else ""
        if version in V1_RESOURCES:  # ShipStation's classic API has no version prefix
            return self._answer_classic(request, segments)
        flavour = FLAVOURS.get(version)
        if flavour is None:
            return _json_response(404, _error_body(V2_FLAVOUR, request_id, _no_route(raw_path)), request)
        if not request.headers.get("api-key", "").strip():
            error = SandboxError(
                401,
                "The API key is missing or invalid. Send it in the API-Key header.",
                error_type="security",
                error_code="unauthorized",
            )
            return _json_response(401, _error_body(flavour, request_id, error), request)
        call = Request(
            method=request.method.upper(),
            flavour=flavour,
            segments=segments[1:],
            params=request.url.params,
            body=request.content,
        )
        try:
            status, body = self._route(call, Clockface(self._clock()), raw_path)
        except SandboxError as error:
            return _json_response(error.status, _error_body(flavour, request_id, error), request)
        if status == 204:
            return httpx.Response(204, headers={"x-request-id": request_id}, request=request)
        if isinstance(body, dict) and "request_id" in body:
            body["request_id"] = request_id
        return _json_response(status, body, request, request_id=request_id)

    def _answer_classic(self, request: httpx.Request, segments: list[str]) -> httpx.Response:
        if not has_basic_credentials(request.headers.get("authorization", "")):
            body: Any = {"message": "Invalid API credentials"}
            return httpx.Response(401, headers=RATE_HEADERS, json=body, request=request)
        try:
            sent = json.loads(request.content) if request.content else {}
        except ValueError:
            sent = None
        if not isinstance(sent, dict):
            return httpx.Response(400, headers=RATE_HEADERS, json={"message": "Bad JSON"}, request=request)
        clock = Clockface(self._clock())
        status, body = self.classic.answer(request.method.upper(), segments, request.url.params, sent, clock)
        if body is None:
            return httpx.Response(status, headers=RATE_HEADERS, request=request)
        return httpx.Response(status, headers=RATE_HEADERS, json=body, request=request)

    # ------------------------------------------------------------------ routing

    def _route(self, call: Request, clock: Clockface, raw_path: str) -> tuple[int, Any]:
        seg = call.segments
        method = call.method
        match seg:
            case ["shipments"] if method == "GET":
                return 200, self._list_shipments(call, clock)
            case ["shipments", "external_shipment_id", external_id] if method == "GET":
                spec = _shipment_by_external_id(external_id)
                return 200, payloads.shipment(spec, call.flavour, clock)
            case ["shipments", shipment_id] if method == "GET":
                return 200, payloads.shipment(_shipment(shipment_id), call.flavour, clock)
            case ["labels"] if method == "GET":
                return 200, self._list_labels(call, clock)
            case ["labels", label_id] if method == "GET":
                spec, label = _label(label_id)
                return 200, payloads.label(spec, label, call.flavour, clock)
            case ["labels", label_id, "track"] if method == "GET":
                _spec, label = _label(label_id)
                return 200, payloads.tracking(label, call.flavour, clock, by_label=True)
            case ["tracking"] if method == "GET" and call.flavour.tracks_by_number:
                self._tracking_allowed(call, raw_path)
                return 200, self._track(call, clock)
            case ["tracking", ("start" | "stop") as action] if method == "POST":
                if action == "start":
                    self._tracking_allowed(call, raw_path)
                self._watch(call, start=action == "start")
                return 204, None
            case ["fulfillments"] if method == "GET" and call.flavour.has_fulfillments:
                return 200, self._list_fulfillments(call, clock)
            case ["carriers"] if method == "GET":
                body = {"carriers": [payloads.carrier(c, call.flavour) for c in CARRIERS]}
                return 200, {**body, "request_id": "", "errors": []}
            case ["carriers", carrier_id] if method == "GET":
                found = next((c for c in CARRIERS if c.carrier_id == carrier_id), None)
                if found is None:
                    raise not_found("carrier_id", carrier_id)
                return 200, payloads.carrier(found, call.flavour)
            case ["environment", "webhooks"]:
                return self._webhooks(call)
            case ["environment", "webhooks", webhook_id]:
                return self._webhook(call, webhook_id)
        lacks_it = (not call.flavour.tracks_by_number and seg == ["tracking"]) or (
            not call.flavour.has_fulfillments and seg == ["fulfillments"]
        )
        if _path_exists(seg) and not lacks_it:
            raise SandboxError(405, f"{method} is not allowed on {raw_path}.", error_code="unspecified")
        raise _no_route(raw_path)

    # ------------------------------------------------------------------ shipments

    def _list_shipments(self, call: Request, clock: Clockface) -> dict[str, Any]:
        params = call.params
        status = _choice(params, "shipment_status", SHIPMENT_STATUSES)
        created = _date_range(params, "created_at")
        modified = _date_range(params, "modified_at")
        rows: Iterable[ShipmentSpec] = SHIPMENTS
        if status:
            rows = [s for s in rows if s.status == status]
        rows = [s for s in rows if _within(clock.at(s.created_hours_ago), created)]
        rows = [s for s in rows if _within(clock.at(payloads.shipment_modified_hours_ago(s)), modified)]
        if params.get("batch_id"):
            rows = []  # the demo account has no batches
        if params.get("sales_order_id"):
            rows = [s for s in rows if s.number == params["sales_order_id"]]
        if call.flavour.searches_shipments:
            rows = _v2_shipment_filters(rows, params)
        elif params.get("tag"):
            rows = [s for s in rows if params["tag"] in s.tags]
        sort_by = _choice(params, "sort_by", ("created_at", "modified_at")) or "created_at"

        def key(spec: ShipmentSpec) -> float:
            # Larger "hours ago" is older; sort on negated age so ascending means oldest first.
            hours = spec.created_hours_ago if sort_by == "created_at" else payloads.shipment_modified_hours_ago(spec)
            return -hours

        page_rows, paging = _page(sorted(rows, key=key, reverse=_descending(params)), params, call, "shipments")
        return {"shipments": [payloads.shipment(s, call.flavour, clock) for s in page_rows], **paging}

    # ------------------------------------------------------------------ labels

    def _list_labels(self, call: Request, clock: Clockface) -> dict[str, Any]:
        params = call.params
        status = _choice(params, "label_status", LABEL_STATUSES)
        created = _date_range(params, "created_at")
        rows = [(spec, label) for spec in SHIPMENTS for label in spec.labels]
        if params.get("shipment_id"):
            rows = [(s, lbl) for s, lbl in rows if s.shipment_id == params["shipment_id"]]
        if params.get("tracking_number"):
            wanted = params["tracking_number"].strip().upper()
            rows = [(s, lbl) for s, lbl in rows if wanted in {p.tracking_number for p in lbl.packages}]
        if status:
            rows = [(s, lbl) for s, lbl in rows if _label_status(lbl) == status]
        if params.get("carrier_id"):
            codes = {c.carrier_code for c in CARRIERS if c.carrier_id == params["carrier_id"]}
            rows = [(s, lbl) for s, lbl in rows if lbl.carrier in codes]
        if params.get("service_code"):
            rows = [(s, lbl) for s, lbl in rows if lbl.service_code == params["service_code"]]
        for unsupported in ("batch_id", "rate_id", "warehouse_id"):
            if params.get(unsupported) and not (unsupported == "warehouse_id" and params[unsupported] == "se-61"):
                rows = []
        rows = [(s, lbl) for s, lbl in rows if _within(clock.at(lbl.created_hours_ago), created)]
        sort_fields = ("created_at", "modified_at") + (("voided_at",) if call.flavour.sorts_labels_by_voided else ())
        sort_by = _choice(params, "sort_by", sort_fields) or "created_at"

        def key(pair: tuple[ShipmentSpec, LabelSpec]) -> float:
            lbl = pair[1]
            if sort_by == "voided_at":
                return -(lbl.voided_hours_ago if lbl.voided_hours_ago is not None else math.inf)
            if sort_by == "modified_at" and lbl.voided_hours_ago is not None:
                return -lbl.voided_hours_ago
            return -lbl.created_hours_ago

        page_rows, paging = _page(sorted(rows, key=key, reverse=_descending(params)), params, call, "labels")
        return {"labels": [payloads.label(s, lbl, call.flavour, clock) for s, lbl in page_rows], **paging}

    # ------------------------------------------------------------------ tracking

    def _tracking_allowed(self, call: Request, raw_path: str) -> None:
        if not call.flavour.plan_may_refuse_tracking or self.v2_tracking is None:
            return
        if self.v2_tracking == 404:
            raise _no_route(raw_path)
        raise SandboxError(
            403,
            "Your ShipStation plan does not include tracking by number.",
            error_type="account_status",
            error_code="tracking_not_supported",
        )

    def _track(self, call: Request, clock: Clockface) -> dict[str, Any]:
        carrier_code, number = _tracking_params(call.params)
        packages = [label for spec in SHIPMENTS for label in spec.labels] + [f.package for f in FULFILLMENTS]
        for label in packages:
            for package in label.packages:
                if package.tracking_number == number and carrier_code in CARRIER_FAMILIES[label.carrier]:
                    return payloads.tracking(
                        label,
                        call.flavour,
                        clock,
                        number=number,
                        by_label=False,
                        carrier_code=carrier_code,
                    )
        return payloads.unknown_tracking(number, carrier_code)

    def _watch(self, call: Request, *, start: bool) -> None:
        carrier_code, number = _tracking_params(call.params)
        if start and call.flavour.watch_needs_webhook and not any(h["event"] in TRACK_EVENTS for h in self.webhooks):
            raise SandboxError(
                400,
                "A tracking webhook (track or track_event_v2) is required before tracking can be started.",
                error_type="business_rules",
                error_code="webhook_required",
            )
        if start:
            self.watched.add((carrier_code, number))
        else:
            self.watched.discard((carrier_code, number))

    # ------------------------------------------------------------------ fulfillments

    def _list_fulfillments(self, call: Request, clock: Clockface) -> dict[str, Any]:
        params = call.params
        shipments = {spec.shipment_id: spec for spec in SHIPMENTS}
        rows = list(FULFILLMENTS)
        if params.get("tracking_number"):
            wanted = params["tracking_number"].strip().upper()
            rows = [f for f in rows if f.package.tracking_number == wanted]
        if params.get("shipment_number"):
            rows = [f for f in rows if shipments[f.shipment_id].number == params["shipment_number"].strip()]
        for name, attribute in (("shipment_id", "shipment_id"), ("fulfillment_id", "fulfillment_id")):
            if params.get(name):
                rows = [f for f in rows if getattr(f, attribute) == params[name]]
        rows.sort(key=lambda f: f.shipped_hours_ago, reverse=not _descending(params))
        page_rows, paging = _page(rows, params, call, "fulfillments")
        return {
            "fulfillments": [payloads.fulfillment(f, shipments[f.shipment_id], clock) for f in page_rows],
            **paging,
        }

    # ------------------------------------------------------------------ webhooks

    def _webhooks(self, call: Request) -> tuple[int, Any]:
        if call.method == "GET":
            return 200, [dict(hook) for hook in self.webhooks]
        if call.method != "POST":
            raise SandboxError(405, f"{call.method} is not supported here.", error_code="unspecified")
        body = _json_object(call.body)
        event = _webhook_event(body)
        url = _webhook_url(body)
        if any(hook["event"] == event for hook in self.webhooks):
            raise SandboxError(
                409,
                f"A webhook for the '{event}' event already exists.",
                error_type="business_rules",
                error_code="webhook_event_type_conflict",
            )
        hook: dict[str, Any] = {
            "webhook_id": f"se-{7000 + len(self.webhooks) + 1}",
            "url": url,
            "event": event,
            "headers": _webhook_headers(body),
        }
        if call.flavour.webhook_name_and_store:
            hook["name"] = str(body.get("name") or "")
            hook["store_id"] = None
        self.webhooks.append(hook)
        return 201, dict(hook)

    def _webhook(self, call: Request, webhook_id: str) -> tuple[int, Any]:
        hook = next((h for h in self.webhooks if h["webhook_id"] == webhook_id), None)
        if hook is None:
            raise not_found("webhook_id", webhook_id)
        if call.method == "GET":
            return 200, dict(hook)
        if call.method == "DELETE":
            self.webhooks.remove(hook)
            return 204, None
        if call.method == "PUT":
            body = _json_object(call.body)
            if "url" in body:
                hook["url"] = _webhook_url(body)
            if "headers" in body:
                hook["headers"] = _webhook_headers(body)
            return 204, None
        raise SandboxError(405, f"{call.method} is not supported here.", error_code="unspecified")


# ---------------------------------------------------------------------------------------------- lookups


def _shipment(shipment_id: str) -> ShipmentSpec:
    for spec in SHIPMENTS:
        if spec.shipment_id == shipment_id:
            return spec
    raise not_found("shipment_id", shipment_id)


def _shipment_by_external_id(external_id: str) -> ShipmentSpec:
    for spec in SHIPMENTS:
        if spec.external_id == external_id:
            return spec
    raise not_found("external_shipment_id", external_id)


def _label(label_id: str) -> tuple[ShipmentSpec, LabelSpec]:
    for spec in SHIPMENTS:
        for label in spec.labels:
            if label.label_id == label_id:
                return spec, label
    raise not_found("label_id", label_id)


def _label_status(label: LabelSpec) -> str:
    return "voided" if label.voided_hours_ago is not None else "completed"


def _v2_shipment_filters(rows: Iterable[ShipmentSpec], params: Mapping[str, str]) -> list[ShipmentSpec]:
    result = list(rows)
    if params.get("shipment_number"):
        result = [s for s in result if s.number == params["shipment_number"].strip()]
    if params.get("ship_to_name"):
        name = params["ship_to_name"].strip().casefold()
        result = [s for s in result if name in s.customer.name.casefold()]
    if params.get("item_keyword"):
        word = params["item_keyword"].strip().casefold()
        result = [s for s in result if any(word in f"{i.name} {i.sku}".casefold() for i in s.items)]
    if params.get("store_id"):
        stores = {key for key, store in payloads.STORES.items() if store.store_id == params["store_id"]}
        result = [s for s in result if s.store in stores]
    if params.get("external_shipment_id"):
        result = [s for s in result if s.external_id == params["external_shipment_id"]]
    return result


# ---------------------------------------------------------------------------------------------- parameters


def _choice(params: Mapping[str, str], name: str, allowed: Iterable[str]) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    allowed = tuple(allowed)
    if value not in allowed:
        raise SandboxError(
            400,
            f"{name} must be one of {', '.join(allowed)}; got '{value[:60]}'.",
            field_name=name,
            field_value=value[:60],
        )
    return value


def _timestamp(params: Mapping[str, str], name: str) -> datetime | None:
    value = params.get(name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise SandboxError(400, f"{name} must be an ISO 8601 date-time; got '{value[:60]}'.", field_name=name) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date_range(params: Mapping[str, str], prefix: str) -> tuple[datetime | None, datetime | None]:
    return _timestamp(params, f"{prefix}_start"), _timestamp(params, f"{prefix}_end")


def _within(moment: datetime, bounds: tuple[datetime | None, datetime | None]) -> bool:
    start, end = bounds
    return (start is None or moment >= start) and (end is None or moment <= end)


def _positive_int(params: Mapping[str, str], name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise SandboxError(400, f"{name} must be a whole number of at least 1; got '{value[:60]}'.", field_name=name)
    return number


def _descending(params: Mapping[str, str]) -> bool:
    return (_choice(params, "sort_dir", ("asc", "desc")) or "desc") == "desc"


def _page(rows: list[Any], params: Mapping[str, str], call: Request, resource: str) -> tuple[list[Any], dict]:
    page = _positive_int(params, "page", 1)
    size = _positive_int(params, "page_size", 25)
    total = len(rows)
    pages = math.ceil(total / size)
    chunk = rows[(page - 1) * size : page * size]
    base = f"{call.flavour.root}/{resource}"

    def link(number: int) -> dict[str, str]:
        query = "&".join(f"{k}={v}" for k, v in {**params, "page": str(number), "page_size": str(size)}.items())
        return {"href": f"{base}?{query}"}

    return chunk, {
        "total": total,
        "page": page,
        "pages": pages,
        "links": {
            "first": link(1),
            "last": link(max(pages, 1)),
            "prev": link(page - 1) if page > 1 else {},
            "next": link(page + 1) if page < pages else {},
        },
    }


def _tracking_params(params: Mapping[str, str]) -> tuple[str, str]:
    carrier_code = (params.get("carrier_code") or "").strip()
    number = (params.get("tracking_number") or "").strip().upper()
    if not carrier_code:
        raise SandboxError(
            400, "carrier_code is required.", error_code="field_value_required", field_name="carrier_code"
        )
    if not number:
        raise SandboxError(
            400, "tracking_number is required.", error_code="field_value_required", field_name="tracking_number"
        )
    if carrier_code not in TRACKING_CARRIER_CODES:
        raise SandboxError(
            400,
            f"carrier_code '{carrier_code[:40]}' is not a supported carrier.",
            error_code="carrier_not_supported",
            field_name="carrier_code",
            field_value=carrier_code[:40],
        )
    return carrier_code, number


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise SandboxError(400, "The request body must be a JSON object.", error_code="request_body_required")
    return data


def _webhook_event(body: Mapping[str, Any]) -> str:
    event = body.get("event")
    if not isinstance(event, str) or event not in WEBHOOK_EVENTS:
        raise SandboxError(
            400,
            f"event must be one of {', '.join(sorted(WEBHOOK_EVENTS))}.",
            field_name="event",
        )
    return event


def _webhook_url(body: Mapping[str, Any]) -> str:
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise SandboxError(400, "url must be an http(s) URL.", field_name="url")
    return url


def _webhook_headers(body: Mapping[str, Any]) -> list[dict[str, str]]:
    headers = body.get("headers") or []
    if not isinstance(headers, list):
        raise SandboxError(400, "headers must be a list of {key, value} objects.", field_name="headers")
    return [{"key": str(h.get("key", "")), "value": str(h.get("value", ""))} for h in headers if isinstance(h, dict)]


# ---------------------------------------------------------------------------------------------- responses


def _path_exists(segments: list[str]) -> bool:
    shapes = {
        ("shipments",),
        ("shipments", "*"),
        ("shipments", "external_shipment_id", "*"),
        ("labels",),
        ("labels", "*"),
        ("labels", "*", "track"),
        ("tracking",),
        ("tracking", "start"),
        ("tracking", "stop"),
        ("carriers",),
        ("carriers", "*"),
        ("fulfillments",),
    }
    for shape in shapes:
        if len(shape) == len(segments) and all(a in ("*", b) for a, b in zip(shape, segments, strict=True)):
            return True
    return False


def _no_route(raw_path: str) -> SandboxError:
    return SandboxError(404, f"No resource at {raw_path}.", error_type="system", error_code="unspecified")


def _error_body(flavour: Flavour, request_id: str, error: SandboxError) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "error_source": flavour.error_source,
        "error_type": error.error_type,
        "error_code": error.error_code,
        "message": error.message,
    }
    if error.field_name:
        detail["field_name"] = error.field_name
    if error.field_value is not None:
        detail["field_value"] = error.field_value
    return {"request_id": request_id, "errors": [detail]}


def _json_response(status: int, body: Any, request: httpx.Request, *, request_id: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if request_id or (isinstance(body, dict) and body.get("request_id")):
        headers["x-request-id"] = request_id or body["request_id"]
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return httpx.Response(status, headers=headers, content=content, request=request)
