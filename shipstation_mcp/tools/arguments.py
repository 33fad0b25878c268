"""Argument types and annotation presets the tool declarations share, so each is described once."""

from typing import Annotated, Any

from mcp.types import ToolAnnotations
from pydantic import BeforeValidator, Field, ValidationInfo

from ..answers.webhooks import TrackEvent
from ..config import DEFAULT_WEBHOOK_PATH

__all__ = [
    "AS_TEXT",
    "CONFIGURE",
    "LOCAL_ONLY",
    "READ_ONLY",
    "WATCH",
    "CarrierCode",
    "Identifier",
    "LabelId",
    "MaxEvents",
    "Refresh",
    "ShipmentId",
    "TrackingNumber",
    "WebhookEvent",
    "WebhookUrl",
]

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
"""Asks ShipStation, changes nothing."""
LOCAL_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
"""Answers from this server's own store."""
WATCH = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
"""Starts or stops ShipStation's tracking updates: a change, but a harmless and repeatable one."""
CONFIGURE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)
"""Changes the account's configuration (where its webhook points)."""

EXACT_INTEGERS = 2**53
"""A JSON number past this may already have lost digits in the client (JavaScript keeps doubles)."""


def _number_as_text(value: Any, info: ValidationInfo) -> Any:
    """Order and tracking numbers are text, but clients that guess types from what was typed (the MCP Inspector's
    `--tool-arg query=10443`) send all-digit ones as JSON numbers: take a whole number as its digits, and refuse
    one too long to have arrived intact."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not value.is_integer():
        return value  # not an identifier; the string type refuses it
    if abs(value) >= EXACT_INTEGERS:
        raise ValueError(
            "a number this long loses digits when sent as a JSON number; send it as a string "
            f'(with the MCP Inspector: --tool-args-json \'{{"{info.field_name or "query"}": "…"}}\')'
        )
    return str(int(value))


AS_TEXT = BeforeValidator(_number_as_text)
"""Accept a bare whole number where an identifier string is expected."""
Identifier = Annotated[str, AS_TEXT]
"""An identifier string (order number, tracking number, store id) that a client may send as a bare number."""

ShipmentId = Annotated[str, Field(min_length=1, max_length=200, description="ShipStation shipment id, e.g. se-123456")]
LabelId = Annotated[str, Field(min_length=1, max_length=200, description="ShipStation label id, e.g. se-324658")]
TrackingNumber = Annotated[
    str,
    AS_TEXT,
    Field(min_length=1, max_length=200, description="Carrier tracking number; spaces and dashes are ignored"),
]
CarrierCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=50,
        description="Carrier code: ups, fedex, usps, stamps_com, dhl_express, … (list_carriers)",
    ),
]
MaxEvents = Annotated[int, Field(ge=0, le=100, description="How many scan events to include, newest first")]
Refresh = Annotated[bool, Field(description="true: ask ShipStation again, not a recent answer")]
WebhookUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=2000,
        description=f"Public https URL that reaches the receiver, e.g. https://tracking.example.com{DEFAULT_WEBHOOK_PATH}",
    ),
]
WebhookEvent = Annotated[
    TrackEvent,
    Field(
        description="Leave out: the API's preferred tracking event is used (V2: track_event_v2, falling back to "
        "track) and an existing tracking webhook is repointed"
    ),
]
