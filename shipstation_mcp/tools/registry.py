"""The one table of tools: each row names the function that serves it, its title and annotations, what it is
asked about (for error messages), and the description an assistant reads to decide when to use it.

The SDK turns each function's signature into the input schema and its return annotation into the output schema;
that work is done once per process (`build_tools`), not once per server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from mcp.server.mcpserver.tools import Tool
from mcp.types import ToolAnnotations

from . import bulk, live, orders, shipments, tracking
from .arguments import CONFIGURE, LOCAL_ONLY, READ_ONLY, WATCH
from .view import VIEW_META

__all__ = ["TOOLS", "ToolSpec", "build_tools", "spec_for"]


@dataclass(frozen=True)
class ToolSpec:
    fn: Callable[..., Any]
    title: str
    annotations: ToolAnnotations
    asked_about: Callable[[Mapping[str, Any]], str]
    """What a call is about, from its arguments: 'shipment 'se-1'' in 'ShipStation has no record of …'."""
    description: str
    meta: Mapping[str, Any] | None = None
    """The tool's `_meta`: VIEW_META binds the tracking view (MCP Apps) to its answers."""

    @property
    def name(self) -> str:
        return self.fn.__name__


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        orders.find_order,
        title="Find an order and track its packages",
        annotations=READ_ONLY,
        asked_about=lambda a: f"{a.get('query')!r}",
        description=(
            "Answer 'where is my order?' in one call from whatever the person has: an order number (10443 or "
            "#10443), the store's own order id, a shipment or label id (se-…), or a tracking number in any "
            "spacing or case. Returns the order, every label (voided ones marked with their replacement) and each "
            "package's live tracking. Use it first; the other tools answer narrower questions."
        ),
        meta=VIEW_META,
    ),
    ToolSpec(
        shipments.get_shipment,
        title="Get a shipment",
        annotations=READ_ONLY,
        asked_about=lambda a: f"shipment {a.get('shipment_id')!r}",
        description=(
            "Look up one shipment by its ShipStation shipment id (se-…) and return its status, ship-to, items, tags "
            "and every label with its tracking number and tracking status. Use when you already have a shipment id; "
            "for anything else the customer gave (an order number, a tracking number) use find_order."
        ),
    ),
    ToolSpec(
        shipments.find_by_external_id,
        title="Find a shipment by external id",
        annotations=READ_ONLY,
        asked_about=lambda a: f"external id {a.get('external_shipment_id')!r}",
        description=(
            "Find a shipment by the id the merchant's store or integration gave it (external_shipment_id, often the "
            "store's order id). Returns the same shipment summary as get_shipment, labels included."
        ),
    ),
    ToolSpec(
        shipments.list_shipments,
        title="List or search shipments",
        annotations=READ_ONLY,
        asked_about=lambda a: "that shipment search",
        description=(
            "List shipments, newest first, optionally filtered by status, creation date range, order number "
            "(shipment_number) or recipient name. Use to find an order by its customer, or to review recent"
            " orders. Each row carries its labels' ids, tracking numbers and tracking status; find_order tells one "
            "order's whole story."
        ),
    ),
    ToolSpec(
        shipments.find_by_tracking_number,
        title="Find the shipment of a tracking number",
        annotations=READ_ONLY,
        asked_about=lambda a: f"tracking number {a.get('tracking_number')!r}",
        description=(
            "Find which of the account's labels carries a tracking number, and the shipment (order) it belongs to. "
            "Use when someone gives a tracking number and asks about the order; to see where the package is, use "
            "track_package."
        ),
    ),
    ToolSpec(
        tracking.track_label,
        title="Track a label",
        annotations=READ_ONLY,
        asked_about=lambda a: f"label {a.get('label_id')!r}",
        description=(
            "Track the package of one of the account's labels by its label id (se-…, from get_shipment). Returns the "
            "status in plain English, the latest scan and place, promised and actual delivery, and what needs action."
        ),
        meta=VIEW_META,
    ),
    ToolSpec(
        tracking.track_package,
        title="Track a package",
        annotations=READ_ONLY,
        asked_about=lambda a: f"tracking number {a.get('tracking_number')!r}",
        description=(
            "Track any package by tracking number: status in plain English, latest scan and place, promised and "
            "actual delivery, and what needs action. carrier_code is optional: the number's format or the account's "
            "label with that number decide; pass it (e.g. ups, fedex, usps) if the answer says so."
        ),
        meta=VIEW_META,
    ),
    ToolSpec(
        tracking.subscribe_tracking,
        title="Watch a package for updates",
        annotations=WATCH,
        asked_about=lambda a: f"tracking updates for {a.get('tracking_number')!r}",
        description=(
            "Ask ShipStation to push tracking updates for a package to the account's `track` webhook. Use when "
            "someone wants to be told when a package moves. ShipStation stops by itself at delivery or exception. "
            "Needs the carrier code (see list_carriers)."
        ),
    ),
    ToolSpec(
        tracking.unsubscribe_tracking,
        title="Stop watching a package",
        annotations=WATCH,
        asked_about=lambda a: f"tracking updates for {a.get('tracking_number')!r}",
        description=("Stop ShipStation's tracking updates for a package started with subscribe_tracking."),
    ),
    ToolSpec(
        tracking.list_carriers,
        title="List connected carriers",
        annotations=READ_ONLY,
        asked_about=lambda a: "the carrier list",
        description=(
            "List the carriers connected to the account with their carrier_code (what track_package and "
            "subscribe_tracking take), carrier_id and name. Use when a tool asks for a carrier code."
        ),
    ),
    ToolSpec(
        bulk.track_packages,
        title="Track many packages at once",
        annotations=READ_ONLY,
        asked_about=lambda a: "those packages",
        description=(
            "Track up to 100 packages in one call instead of calling track_package again and again: each item is a "
            "tracking number (carrier_code optional) or one of the account's label ids. Use when a question covers "
            "several packages or orders. Answers with a one-line roll-up (e.g. '80 packages: 61 delivered, 12 in "
            "transit, 4 exceptions, 3 not found'), which items need attention, and each package's status or its own "
            "error. Paced to ShipStation's rate limit; reports progress as packages finish."
        ),
    ),
    ToolSpec(
        bulk.shipments_needing_attention,
        title="Shipments needing attention",
        annotations=READ_ONLY,
        asked_about=lambda a: "that period's labels",
        description=(
            "The support queue in one call: checks the labels created in a period (default the last 14 days) and "
            "lists the packages that need someone to act, most urgent first, each with its reasons: carrier "
            "exceptions, returns to sender, delivery attempts, no carrier scan for too long, past the estimated "
            "delivery date, labels never scanned days after they were created. Use for 'which orders need attention?'"
            " or a daily check. Delivered and voided labels are skipped without tracking them."
        ),
    ),
    ToolSpec(
        live.setup_tracking_webhook,
        title="Point the tracking webhook at this server",
        annotations=CONFIGURE,
        asked_about=lambda a: "the webhook set-up",
        description=(
            "Create the account's `track` webhook so ShipStation pushes tracking updates to this server's receiver, "
            "or repoint the existing one (an account has one per event). Use once, with the public https URL that "
            "reaches the receiver (a reverse proxy or tunnel to {webhook_path}). Then subscribe_tracking starts "
            "updates for a package."
        ),
    ),
    ToolSpec(
        live.list_webhooks,
        title="List the account's webhooks",
        annotations=READ_ONLY,
        asked_about=lambda a: "the webhook list",
        description=(
            "List the account's webhooks (event and URL). Use to check that a `track` webhook exists and points at "
            "this server's receiver before relying on live tracking updates."
        ),
    ),
    ToolSpec(
        live.list_tracked_packages,
        title="List watched packages",
        annotations=LOCAL_ONLY,
        asked_about=lambda a: "the watched packages",
        description=(
            "List every package watched for tracking updates (subscribe_tracking, or updates the webhook delivered) "
            "with its latest known status and when that status began. Answers from this server's store, without "
            "calling ShipStation; use track_package for a fresh look at one package."
        ),
    ),
    ToolSpec(
        live.get_tracking_updates,
        title="Tracking updates received",
        annotations=LOCAL_ONLY,
        asked_about=lambda a: "the stored tracking updates",
        description=(
            "Tracking updates ShipStation pushed to this server, newest first, each summarised like track_package. "
            "Use for 'what changed since this morning?' (since) or 'any news on this package?' (tracking_number). "
            "Answers from the store without calling ShipStation (no polling cost)."
        ),
    ),
)

_BY_NAME = {spec.name: spec for spec in TOOLS}


def spec_for(name: str) -> ToolSpec | None:
    return _BY_NAME.get(name)


@cache
def build_tools(webhook_path: str) -> tuple[Tool, ...]:
    """Every tool, schemas built; the receiver's path is part of one description."""
    return tuple(
        Tool.from_function(
            spec.fn,
            title=spec.title,
            annotations=spec.annotations,
            description=spec.description.replace("{webhook_path}", webhook_path),
            meta=dict(spec.meta) if spec.meta else None,
        )
        for spec in TOOLS
    )
