"""`find_order`: whatever identifier a person has, to the whole story of the order in one call.

The query is recognised by its shape: `se-…` is a shipment or a label id; `#10443` an order number; something shaped
like a tracking number is looked up among the account's labels first; anything else is tried as the merchant's own
id, then as an order number. Every interpretation costs one request (two pages for ShipEngine's order search), so
they are asked together; the likeliest that matches wins and the others are cancelled (a cancelled request releases
its rate slot at once; none is retried). Then the order's labels are read and every live label tracked.

Round trips on the critical path (the floor of each kind, with a mock ShipStation's request log as witness in
`tests/lookups/test_round_trips.py`):

- shipment id: 2 (the shipment and its labels together, then the tracking together);
- label id or tracking number: 2 (the label, then its shipment, its siblings and its own tracking together), 3 when
  the shipment has other live labels (their tracking once the siblings are known);
- order number (V2) or external id: 3 (the shipment, its labels, the tracking); ShipEngine's order number: 4 (it
  cannot filter by number: the first page of the newest shipments, the other pages together, then as above);
- nothing matches: 1 (every interpretation at once).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..answers.orders import MatchedAs, OrderAnswer, order_headline, with_tracking
from ..answers.shipments import summarize_shipment
from ..answers.tracking import TrackingSummary
from ..api.client import ShipStationClient
from ..api.families import V2, ApiFamily
from ..api.ids import SHIPSTATION_ID, api_id, clean_id, normalized_or_none, split_pasted
from ..api.models import Address, Label, Shipment, TrackingInfo
from ..errors import LookupFailed, NotFoundError
from ..state.limiter import admits_now
from . import tracking
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
    labels: list[Label] | None = None
    """The shipment's labels, when the lookup read them already."""
    candidates: list[Label] = field(default_factory=list)
    """Labels found by a label id or a tracking number (each with a shipment); `label` is the first."""
    tried: list[str] = field(default_factory=list)


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
    if found.label is not None:
        shipment, labels, known = await _around_label(client, found, max_events=max_events, now=now)
    else:
        shipment = found.shipments[0]
        if found.labels is not None:
            labels = found.labels
        else:
            labels = await labels_of(client, api_id(shipment.shipment_id or "", what="shipment id"))
        known = {}
    packages = await _track_labels(client, labels, known, max_events=max_events, now=now, ship_to=shipment.ship_to)
    moment = now or datetime.now(UTC)
    summary = with_tracking(summarize_shipment(shipment, labels, now=moment), packages, now=moment)
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


async def _around_label(
    client: ShipStationClient, found: _Found, *, max_events: int, now: datetime | None
) -> tuple[Shipment, list[Label], dict[str, TrackingSummary]]:
    """A label was found: its shipment(s), the first shipment's labels and the label's own track answer, together;
    the answer is judged once the shipment's address is known."""
    label = found.label
    assert label is not None and label.shipment_id  # _look_up only returns labels that have a shipment
    first_id = api_id(label.shipment_id, what="shipment id")
    label_id = api_id(label.label_id or "", what="label id") if label.label_id else None
    prefetch = label_id is not None and not tracking.is_voided(label) and client.family.can("track_by_label")
    try:
        shipments, labels, info = await asyncio.gather(
            _shipments_of(found.candidates, client),
            labels_of(client, first_id),
            _track_answer(client, label_id) if prefetch and label_id else _nothing(),
        )
    except NotFoundError:
        raise LookupFailed(
            f"Label {label.label_id} matches {found.tried[-1].split(':')[0]!r}, but ShipStation no longer has its "
            f"shipment {label.shipment_id}. track_label(label_id={label.label_id!r}) still tracks the package."
        ) from None
    found.shipments = shipments or found.shipments
    shipment = found.shipments[0]
    if all(other.label_id != label.label_id for other in labels):
        labels.append(label)
    if info is None or label_id is None:
        return shipment, labels, {}
    summary = await tracking.track_label(
        client, label_id, label=label, max_events=max_events, now=now, ship_to=shipment.ship_to, info=info
    )
    return shipment, labels, {label.label_id or "": summary}


async def _track_answer(client: ShipStationClient, label_id: str) -> TrackingInfo | None:
    """The label's track answer, or None when ShipStation has none (`track_label` then says why)."""
    try:
        return await client.track_label(label_id)
    except NotFoundError:
        return None


async def _nothing() -> None:
    return None


RACE_MIN_BUDGET = 100
"""Interpretations are asked together only where the rate budget is at least this many requests a minute (V2 and
ShipEngine: 190) and admits them all now; on V1's 40 a minute a request is dearer than a round trip."""


async def _recognise(client: ShipStationClient, text: str) -> _Found:
    """The likeliest interpretation that matches; asked together (the rest cancelled) when the budget allows."""
    kinds = interpretations(text, client.family)
    tried: list[str] = []
    if await _can_race(client, len(kinds)):
        asks = [asyncio.ensure_future(_look_up(client, kind, value)) for kind, value in kinds]
    else:
        asks = [_look_up(client, kind, value) for kind, value in kinds]  # one after another, only as needed
    try:
        for (kind, value), ask in zip(kinds, asks, strict=True):
            found = await ask
            count = len(found.shipments) or len(found.candidates)
            tried.append(f"{kind} {value}: " + (f"{count} match{'es' if count != 1 else ''}" if count else "no match"))
            if count:
                found.tried = tried
                return found
    finally:
        for ask in asks:
            if isinstance(ask, asyncio.Future):
                ask.cancel()
            else:
                ask.close()  # a coroutine never awaited: nothing was sent
        await asyncio.gather(*(a for a in asks if isinstance(a, asyncio.Future)), return_exceptions=True)
    raise LookupFailed(
        f"Nothing in this ShipStation account matches {text!r}. Tried it as " + "; ".join(tried) + ". Check the "
        "value with the customer; a tracking number of a package shipped outside this account can still be "
        "tracked with track_package."
    )


async def _can_race(client: ShipStationClient, asks: int) -> bool:
    budget = getattr(client.limiter, "budget", None)
    if budget is not None and budget < RACE_MIN_BUDGET:
        return False
    room = await admits_now(client.limiter)
    return room is None or room >= asks


async def _look_up(client: ShipStationClient, kind: MatchedAs, value: str) -> _Found:
    """One interpretation, at one request (a shipment id also reads its labels, in the same round trip)."""
    try:
        if kind == "order number":
            return _Found(kind, await shipments_with_number(client, value))
        if kind == "external id":
            return _Found(kind, [await client.get_shipment_by_external_id(value)])
        if kind == "shipment id" and not client.family.can("labels"):
            return _Found(kind, [await client.get_shipment(value)])
        if kind == "shipment id":
            shipment, labels = await asyncio.gather(client.get_shipment(value), labels_of(client, value))
            return _Found(kind, [shipment], labels=labels)
        if kind == "label id":
            labels = [await client.get_label(value)]
        else:
            labels = await tracking.find_labels(client, value)
    except NotFoundError:
        return _Found(kind, [])
    with_shipment = [label for label in labels if label.shipment_id]
    return _Found(kind, [], label=with_shipment[0] if with_shipment else None, candidates=with_shipment)


async def _track_labels(
    client: ShipStationClient,
    labels: list[Label],
    known: dict[str, TrackingSummary],
    *,
    max_events: int,
    now: datetime | None,
    ship_to: Address | None = None,
) -> list[TrackingSummary]:
    """Every label's package, live ones first (those in `known` were tracked already); a voided label is not
    tracked, only marked with its replacement."""
    live = [label for label in labels if label.label_id and not tracking.is_voided(label)][:MAX_PACKAGES_TRACKED]
    replacement = live[0].label_id if live else None
    missing = [label for label in live if label.label_id not in known]
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
            for label in missing
        )
    )
    found = {**known, **{label.label_id or "": summary for label, summary in zip(missing, tracked, strict=True)}}
    voided = [tracking.voided_summary(label, replaced_by=replacement) for label in labels if tracking.is_voided(label)]
    return [*(found[label.label_id or ""] for label in live), *voided]


async def _shipments_of(labels: list[Label], client: ShipStationClient) -> list[Shipment]:
    ids = list(dict.fromkeys(label.shipment_id for label in labels if label.shipment_id))
    return list(await asyncio.gather(*(client.get_shipment(api_id(i, what="shipment id")) for i in ids)))
