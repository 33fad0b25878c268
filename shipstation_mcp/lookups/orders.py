"""`find_order`: whatever identifier a person has, to the whole story of the order in one call.

The query is recognised by its shape and tried as the likely kinds of identifier in a sensible order, stopping at
the first that matches (a few requests at most): `se-…` is a shipment or a label id; `#10443` an order number;
something shaped like a tracking number is looked up among the account's labels first; anything else is tried as
the merchant's own id, then as an order number. Then the order's labels are read and every live label tracked.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..answers.orders import MatchedAs, OrderAnswer, order_headline, with_tracking
from ..answers.shipments import summarize_shipment, with_marked_shipped
from ..answers.tracking import TrackingSummary
from ..api.client import ShipStationClient
from ..api.families import V2, ApiFamily
from ..api.ids import SHIPSTATION_ID, api_id, clean_id, normalized_or_none, split_pasted
from ..api.models import Address, Fulfillment, Label, Shipment
from ..errors import LookupFailed, NotFoundError
from . import tracking
from .fulfillments import fulfillments_of, fulfillments_with_number, track_marked
from .shipments import labels_of, shipments_with_number

__all__ = ["find_order", "interpretations"]

ORDER_MARK = re.compile(r"^(?:order(?:\s*(?:number|num|no\.?|id))?(?:\s*[:#]\s*|\s+)#?\s*|#\s*)(?=\S)", re.IGNORECASE)
"""'#10443', 'order 10443', 'Order number: 10443', 'order no. #10443': an order number said as such."""
SHORT_NUMBER = re.compile(r"^\d{1,9}$")
MAX_PACKAGES_TRACKED = 20


@dataclass
class _Found:
    matched_as: MatchedAs
    shipments: list[Shipment]
    label: Label | None = None
    tried: list[str] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    """Found by tracking number among the orders marked shipped outside ShipStation."""


def _tracking_shaped(text: str) -> str | None:
    """The tracking number a person may have pasted (spaces, dashes, any case), or None if it is not shaped so."""
    number = normalized_or_none(text)
    if number is None:
        return None
    digits = sum(ch.isdigit() for ch in number)
    return number if len(number) >= 10 and digits >= 8 else None


def interpretations(query: str, family: ApiFamily = V2) -> list[tuple[MatchedAs, str]]:
    """The kinds of identifier `query` may be in `family`'s API, likeliest first, each with the value to look up. A
    carrier name or a word pasted in front ('UPS 1Z…', 'tracking: …', 'label se-…') is looked past; the query as
    sent stays the last thing tried, as the store's own id."""
    text = query.strip()
    if not family.can("labels"):
        return _order_interpretations(text, family)
    marked = ORDER_MARK.sub("", text, count=1)
    if marked != text and marked:
        return [("order number", marked), ("external id", marked)]
    bare, carrier = split_pasted(text)
    kinds = _shapes(bare)
    if bare != text:
        if carrier is not None:  # a carrier named in front: what follows is its tracking number
            kinds = [kind for kind in kinds if kind[0] == "tracking number"] or kinds
        kinds.append(("external id", text))
    return kinds


def _shapes(text: str) -> list[tuple[MatchedAs, str]]:
    if SHIPSTATION_ID.match(text):
        return [("shipment id", text.lower()), ("label id", text.lower())]
    number = _tracking_shaped(text)
    if SHORT_NUMBER.match(text):
        return [("order number", text), ("external id", text)]
    if number:
        return [("tracking number", number), ("order number", text), ("external id", text)]
    return [("external id", text), ("order number", text)]


def _order_interpretations(text: str, family: ApiFamily) -> list[tuple[MatchedAs, str]]:
    """An API of orders (V1): an order number first, then (all digits) the order's own id; a tracking number is
    looked up among its labels and fulfillments. It has no label ids and no external ids to look up."""
    marked = ORDER_MARK.sub("", text) or text
    kinds: list[tuple[MatchedAs, str]] = [("order number", marked)]
    if family.id_shape.match(marked):
        kinds.append(("shipment id", marked))
    number = _tracking_shaped(text)
    if number and marked == text:
        kinds.insert(0 if not SHORT_NUMBER.match(text) else 1, ("tracking number", number))
    return kinds


async def find_order(
    client: ShipStationClient, query: str, *, max_events: int = 5, now: datetime | None = None
) -> OrderAnswer:
    text = clean_id(query, what="query", example="10443, #10443, se-123456 or a tracking number")
    found = await _recognise(client, text)
    shipment = found.shipments[0]
    shipment_id = api_id(shipment.shipment_id or "", what="shipment id")
    labels = await labels_of(client, shipment_id)
    if found.label is not None and all(label.label_id != found.label.label_id for label in labels):
        labels.append(found.label)
    packages = await _track_labels(client, labels, max_events=max_events, now=now, ship_to=shipment.ship_to)
    moment = now or datetime.now(UTC)
    summary = summarize_shipment(shipment, labels, now=moment)
    if not any(not tracking.is_voided(label) for label in labels):
        # No live label: the order may have been marked shipped outside ShipStation.
        marks = found.fulfillments or await fulfillments_of(client, shipment)
        summary = with_marked_shipped(summary, marks)
        packages = await track_marked(client, summary.marked_shipped, max_events=max_events, now=now) + packages
    summary = with_tracking(summary, packages, now=moment)
    if not client.family.can("track_by_label"):
        summary.next_step = None  # its packages below are as tracked as this API allows; there is no track_label
    return OrderAnswer(
        headline=order_headline(summary, packages),
        query=query[:200],
        matched_as=found.matched_as,
        tried=found.tried,
        shipment=summary,
        packages=packages,
        other_shipments=[s.shipment_id for s in found.shipments[1:] if s.shipment_id],
    )


async def _recognise(client: ShipStationClient, text: str) -> _Found:
    tried: list[str] = []
    for kind, value in interpretations(text, client.family):
        found = await _look_up(client, kind, value)
        count = len(found.shipments)
        tried.append(f"{kind} {value}: " + (f"{count} match{'es' if count != 1 else ''}" if count else "no match"))
        if found.shipments:
            found.tried = tried
            return found
    raise LookupFailed(
        f"Nothing in this ShipStation account matches {text!r}. Tried it as " + "; ".join(tried) + ". Check the "
        "value with the customer; a tracking number of a package shipped outside this account can still be "
        "tracked with track_package."
    )


async def _look_up(client: ShipStationClient, kind: MatchedAs, value: str) -> _Found:
    try:
        if kind == "order number":
            return _Found(kind, await shipments_with_number(client, value))
        if kind == "external id":
            return _Found(kind, [await client.get_shipment_by_external_id(value)])
        if kind == "shipment id":
            return _Found(kind, [await client.get_shipment(value)])
        if kind == "label id":
            label = await client.get_label(value)
            return _Found(kind, await _shipments_of([label], client), label=label)
        labels = await tracking.find_labels(client, value)
        if labels:
            return _Found(kind, await _shipments_of(labels, client), label=labels[0])
        return await _marked_shipped_with(client, value)
    except NotFoundError:
        return _Found(kind, [])


async def _marked_shipped_with(client: ShipStationClient, number: str) -> _Found:
    """The orders marked shipped outside ShipStation with tracking number `number`."""
    marks = await fulfillments_with_number(client, number)
    ids = list(dict.fromkeys(f.shipment_id for f in marks if f.shipment_id))
    shipments = list(await asyncio.gather(*(client.get_shipment(api_id(i, what="shipment id")) for i in ids)))
    return _Found("tracking number", shipments, fulfillments=marks)


async def _shipments_of(labels: list[Label], client: ShipStationClient) -> list[Shipment]:
    ids = list(dict.fromkeys(label.shipment_id for label in labels if label.shipment_id))
    return list(await asyncio.gather(*(client.get_shipment(api_id(i, what="shipment id")) for i in ids)))


async def _track_labels(
    client: ShipStationClient,
    labels: list[Label],
    *,
    max_events: int,
    now: datetime | None,
    ship_to: Address | None = None,
) -> list[TrackingSummary]:
    """Every label's package, live ones first; a voided label is not tracked, only marked with its replacement."""
    live = [label for label in labels if label.label_id and not tracking.is_voided(label)]
    replacement = live[0].label_id if live else None
    tracked = await asyncio.gather(
        *(
            tracking.track_label(
                client,
                api_id(label.label_id or "", what="label id"),
                label=label,
                max_events=max_events,
                now=now,
                ship_to=ship_to,
            )
            for label in live[:MAX_PACKAGES_TRACKED]
        )
    )
    voided = [tracking.voided_summary(label, replaced_by=replacement) for label in labels if tracking.is_voided(label)]
    return [*tracked, *voided]
