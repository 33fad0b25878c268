"""The API families ShipStation offers, one object each: everything that differs between them is decided here.

A family says where its API lives (host and path prefix, from `config.API_ADDRESSES`), how a request proves who
sends it, how many requests a minute it allows and how its rate-limit headers read, what its error bodies look
like, what its ids look like, which webhook deliveries carry tracking and how a delivery is proved genuine, which
endpoint adapter answers its questions, and what it can do at all (`capabilities`).

Code above `api/` asks a family what it can do (`client.family.can("watch")`), never what it is called: the
architecture test forbids comparing family names outside `api/` and `config.py`.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from pydantic import ValidationError

from ..config import API_ADDRESSES, FamilyAddress, Settings
from .adapters import Endpoints, LabelApiEndpoints, Requests
from .ids import SHIPSTATION_ID
from .models import ErrorBody
from .v1 import V1Endpoints, basic_auth, v1_credentials, v1_error_body

__all__ = [
    "CAPABILITIES",
    "FAMILIES",
    "SHIPENGINE",
    "V1",
    "V1_WEBHOOK_EVENTS",
    "V2",
    "ApiFamily",
    "Capability",
    "RateHeaders",
    "family_of",
    "parse_retry_after",
]

Capability = Literal[
    "track_by_number",
    "track_by_label",
    "watch",
    "shipments_by_order_number",
    "orders",
    "labels",
    "webhooks",
    "fulfillments",
]
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)
"""What a family may be able to do:

- `track_by_number`: tracks any tracking number straight from its carrier (the first thing to try for a number);
- `track_by_label`: tracks one of the account's labels by its id;
- `watch`: starts and stops pushed tracking updates for any number;
- `shipments_by_order_number`: the shipment listing filters by order number and recipient name on the server;
- `orders`: has orders with their own status (awaiting payment, on hold, …), apart from shipments;
- `labels`: has labels with their own ids, listed and fetched apart from shipments;
- `webhooks`: pushes events to a webhook the account registers through the API;
- `fulfillments`: lists shipments marked shipped outside its own label flow.
"""


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date. None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds or seconds == float("inf"):  # NaN or infinite
        return None
    return max(0.0, seconds)


@dataclass(frozen=True)
class RateHeaders:
    """The names a family gives its rate-limit headers; `read` hands them to the limiter under the names it reads
    (`x-rate-limit-limit`, `-remaining`, `-reset`: reset in seconds from now, or an epoch timestamp)."""

    limit: str = "x-rate-limit-limit"
    remaining: str = "x-rate-limit-remaining"
    reset: str = "x-rate-limit-reset"

    def read(self, headers: Mapping[str, str]) -> Mapping[str, str]:
        names = {"x-rate-limit-limit": self.limit, "x-rate-limit-remaining": self.remaining}
        names["x-rate-limit-reset"] = self.reset
        return {ours: headers[theirs] for ours, theirs in names.items() if theirs in headers}


def api_key_header(settings: Settings) -> dict[str, str]:
    """V2 and ShipEngine: the key alone, in the `API-Key` header."""
    return {"API-Key": settings.api_key}


def the_key(settings: Settings) -> tuple[str, ...]:
    return (settings.api_key,)


def error_list_body(data: Any) -> ErrorBody:
    """V2 and ShipEngine: `{"request_id": …, "errors": [{"message", "error_code", …}]}`."""
    if not isinstance(data, dict):
        return ErrorBody()
    try:
        return ErrorBody.model_validate(data)
    except ValidationError:
        return ErrorBody()


def retry_after_header(headers: Mapping[str, str]) -> float | None:
    return parse_retry_after(headers.get("Retry-After"))


def retry_after_or_reset(headers: Mapping[str, str]) -> float | None:
    """V1 documents no `Retry-After` on its 429: `X-Rate-Limit-Reset` (seconds until the window resets) says it."""
    wait = parse_retry_after(headers.get("Retry-After"))
    return wait if wait is not None else parse_retry_after(headers.get("X-Rate-Limit-Reset"))


V1_WEBHOOK_EVENTS = (
    "ORDER_NOTIFY",
    "ITEM_ORDER_NOTIFY",
    "SHIP_NOTIFY",
    "ITEM_SHIP_NOTIFY",
    "FULFILLMENT_SHIPPED",
    "FULFILLMENT_REJECTED",
)


@dataclass(frozen=True, eq=False)
class ApiFamily:
    """One ShipStation API family. Instances are module constants; compare them by identity, not by name."""

    name: str
    """The `SHIPSTATION_API` value that selects it."""
    title: str
    """How a person calls it, in messages."""
    capabilities: frozenset[Capability]
    endpoints: Callable[[Requests], Endpoints]
    """Builds the family's endpoint adapter over a request engine."""
    auth_headers: Callable[[Settings], dict[str, str]] = api_key_header
    """The headers that prove who sends a request."""
    credentials: Callable[[Settings], tuple[str, ...]] = the_key
    """Every secret a request carries: redacted from whatever ShipStation's answers echo."""
    rate_headers: RateHeaders = RateHeaders()
    retry_after: Callable[[Mapping[str, str]], float | None] = retry_after_header
    """Seconds a 429 (or 503) asks us to wait, from its headers."""
    error_body: Callable[[Any], ErrorBody] = error_list_body
    """An error answer's decoded JSON (None if it had none) as the shared `ErrorBody`."""
    id_shape: re.Pattern[str] = SHIPSTATION_ID
    id_example: str = "se-123456"
    tracking_resource_types: frozenset[str] = frozenset()
    """`resource_type`s of webhook deliveries that carry a tracking update."""
    webhooks_path: tuple[str, ...] = ("environment", "webhooks")
    """Where the account's webhooks are listed: the cheap request that tells whether the family takes a key."""
    lists_fulfillments_apart: bool = False
    """`GET /fulfillments` is asked on its own (V2); a family that folds fulfillments into its labels (V1) is not."""
    track_webhook_events: tuple[str, ...] = ("track",)
    """Webhook events that deliver tracking updates, preferred first: setting one up tries them in order."""
    may_lack_tracking_calls: bool = False
    """`GET /tracking` and `POST /tracking/start` may answer 404 where the host does not offer them yet, and 403 on
    plans without tracking: then a lookup falls back to the account's labels."""
    labels_first: bool = False
    """A number is looked up among the account's labels first (its label's facts: voided, return, which box), and
    a label's tracking is read by its carrier and number (`GET /tracking`, richer than the label's own `/track`),
    the label's `/track` serving only where that is refused."""
    pushes_label_updates: bool = False
    """Updates for every label of the account reach its tracking webhook without starting anything."""
    webhook_events: tuple[str, ...] = ()
    """Events a V1-style webhook (`resource_url` to fetch) announces; the receiver fetches what they point at."""
    delivery_proof: Literal["signature", "url_secret"] = "signature"
    """How a webhook delivery is proved genuine: an RSA signature checked against the JWKS, or (for a family whose
    deliveries are unsigned) the install's secret in the target URL."""

    @property
    def address(self) -> FamilyAddress:
        return API_ADDRESSES[self.name]

    @property
    def host(self) -> str:
        return self.address.host

    @property
    def prefix(self) -> str:
        return self.address.prefix

    @property
    def default_root(self) -> str:
        """Host and prefix, without any `SHIPSTATION_BASE_URL` override."""
        return self.host + self.prefix

    @property
    def requests_per_minute(self) -> int:
        return self.address.requests_per_minute

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def __repr__(self) -> str:
        return f"ApiFamily({self.name!r})"


V2 = ApiFamily(
    name="v2",
    title="ShipStation API V2",
    capabilities=frozenset(
        {
            "track_by_number",
            "track_by_label",
            "watch",
            "shipments_by_order_number",
            "labels",
            "webhooks",
            "fulfillments",
        }
    ),
    endpoints=LabelApiEndpoints,
    tracking_resource_types=frozenset({"TRACK_EVENT_V2"}),
    track_webhook_events=("track_event_v2", "track"),
    may_lack_tracking_calls=True,
    lists_fulfillments_apart=True,
    labels_first=True,
    pushes_label_updates=True,
)
SHIPENGINE = ApiFamily(
    name="shipengine",
    title="ShipStation API (formerly ShipEngine)",
    capabilities=frozenset({"track_by_number", "track_by_label", "watch", "labels", "webhooks"}),
    endpoints=LabelApiEndpoints,
    tracking_resource_types=frozenset({"API_TRACK"}),
)
V1 = ApiFamily(
    name="v1",
    title="ShipStation's classic API (V1)",
    capabilities=frozenset({"orders", "fulfillments", "shipments_by_order_number", "webhooks"}),
    endpoints=V1Endpoints,
    auth_headers=basic_auth,
    credentials=v1_credentials,
    retry_after=retry_after_or_reset,
    error_body=v1_error_body,
    id_shape=re.compile(r"^\d{1,12}$"),
    id_example="123456789",
    webhook_events=V1_WEBHOOK_EVENTS,
    webhooks_path=("webhooks",),
    delivery_proof="url_secret",
)
FAMILIES: dict[str, ApiFamily] = {family.name: family for family in (V2, SHIPENGINE, V1)}
assert set(FAMILIES) == set(API_ADDRESSES), "every family configurable in config.py has its object here"


def family_of(settings: Settings) -> ApiFamily:
    """The family `settings` speak to (`SHIPSTATION_API`)."""
    return FAMILIES[settings.api]
