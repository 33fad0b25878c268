"""Shipment lookups: by id, by the merchant's own id, by tracking number, and search.

Plain async functions over a `ShipStationClient`. A shipment has no tracking number of its own; its labels do, so
every shipment answer fetches the shipment's labels too (concurrently).
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

from ..answers.shipments import (
    ShipmentPage,
    ShipmentSummary,
    TrackingNumberMatches,
    summarize_label,
    summarize_shipment,
    summarize_shipment_list,
)
from ..api.client import ShipStationClient
from ..api.ids import api_id, clean_id, clean_shipstation_id, normalize_tracking_number
from ..api.models import Label, Shipment, ShipmentList
from ..errors import InvalidInput, LookupFailed, NotFoundError
from ..times import parse_timestamp
from .tracking import find_labels

SHIPMENT_STATUSES = ("pending", "processing", "label_purchased", "cancelled")
SEARCH_PAGES = 5
CANNOT_FILTER = "ShipEngine cannot filter by order number or name"
AGAIN = "ShipStation found no name written exactly so; names were compared without accents or case"
SEARCH_PAGE_SIZE = 100
LABELS_PER_SHIPMENT = 100


async def labels_of(client: ShipStationClient, shipment_id: str) -> list[Label]:
    result = await client.list_labels(shipment_id=shipment_id, page_size=LABELS_PER_SHIPMENT)
    return result.labels


def summarized(
    client: ShipStationClient, shipment: Shipment, labels: Sequence[Label], *, now: datetime | None
) -> ShipmentSummary:
    """The shipment's summary; where the family has no label tracking (V1), its next step says what does track."""
    summary = summarize_shipment(shipment, labels, now=now or datetime.now(UTC))
    if summary.next_step and not client.family.can("track_by_label") and any(label.label_id for label in labels):
        number = shipment.shipment_number or shipment.shipment_id
        summary.next_step = (
            f"Call find_order with {number!r}: it gives each package's tracking as far as this account's API allows."
        )
    return summary


async def _with_labels(client: ShipStationClient, shipment: Shipment, *, now: datetime | None) -> ShipmentSummary:
    shipment_id = api_id(shipment.shipment_id, what="shipment id") if shipment.shipment_id else None
    labels = await labels_of(client, shipment_id) if shipment_id else []
    return summarized(client, shipment, labels, now=now)


async def get_shipment(client: ShipStationClient, shipment_id: str, *, now: datetime | None = None) -> ShipmentSummary:
    shipment_id = clean_shipstation_id(shipment_id, what="shipment id", example="se-123456")
    try:
        shipment, labels = await asyncio.gather(client.get_shipment(shipment_id), labels_of(client, shipment_id))
    except NotFoundError as exc:
        raise LookupFailed(
            f"ShipStation has no shipment {shipment_id!r} (HTTP 404){exc.reference}. Shipment ids look like "
            f"se-123456. Call find_order(query={shipment_id!r}): it also tries the value as an order number, the "
            "store's own id, a label id and a tracking number."
        ) from None
    return summarized(client, shipment, labels, now=now)


async def find_by_external_id(
    client: ShipStationClient, external_shipment_id: str, *, now: datetime | None = None
) -> ShipmentSummary:
    external_id = clean_id(external_shipment_id, what="external shipment id", example="ORDER-10443")
    try:
        shipment = await client.get_shipment_by_external_id(external_id)
    except NotFoundError as exc:
        raise LookupFailed(
            f"No shipment has external id {external_id!r} (HTTP 404){exc.reference}. The external id is the one "
            "your store or integration assigned; if this is the order number shown to customers, call "
            f"find_order(query={external_id!r}) instead."
        ) from None
    return await _with_labels(client, shipment, now=now)


async def find_by_tracking_number(
    client: ShipStationClient, tracking_number: str, *, now: datetime | None = None
) -> TrackingNumberMatches:
    number = normalize_tracking_number(tracking_number)
    labels = await find_labels(client, number)
    if not labels:
        raise LookupFailed(
            f"No label in this ShipStation account has tracking number {' '.join(tracking_number.split())}. "
            "Check the number; if the package "
            "was shipped outside this account, track_package can still track it with its carrier_code."
        )
    shipment_ids = list(dict.fromkeys(label.shipment_id for label in labels if label.shipment_id))
    orphans = [summarize_label(label) for label in labels if not label.shipment_id]
    checked = [api_id(sid, what="shipment id") for sid in shipment_ids]
    shipments = await asyncio.gather(*(get_shipment(client, sid, now=now) for sid in checked))
    count = len(shipments)
    where = f"{count} shipment(s)" if count else "no shipment"
    first = shipments[0].headline if shipments else ""
    headline = f"{number} belongs to {where}" + (f": {first}" if count == 1 else "")
    return TrackingNumberMatches(
        headline=headline, tracking_number=number, shipments=list(shipments), labels_without_shipment=orphans
    )


async def list_shipments(
    client: ShipStationClient,
    *,
    status: str | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    shipment_number: str | None = None,
    ship_to_name: str | None = None,
    page: int = 1,
    page_size: int = 25,
    now: datetime | None = None,
) -> ShipmentPage:
    if status is not None and status not in SHIPMENT_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(SHIPMENT_STATUSES)}, not {status[:40]!r}.")
    created_after = parse_timestamp(created_after)  # a date or zone-less time means UTC
    created_before = parse_timestamp(created_before)
    if created_after and created_before and created_after > created_before:
        raise InvalidInput("created_after is later than created_before; swap them or widen the range.")
    number = clean_id(shipment_number, what="order number", example="10443") if shipment_number else None
    name = (ship_to_name or "").strip() or None
    filters = {
        "shipment_status": status,
        "created_at_start": created_after,
        "created_at_end": created_before,
        "sort_by": "created_at",
        "sort_dir": "desc",
    }
    if not client.family.can("shipments_by_order_number") and (number or name):
        return await _search_locally(client, filters, number=number, name=name, page=page, page_size=page_size, now=now)
    result = await client.list_shipments(
        **filters, shipment_number=number, ship_to_name=name, page=page, page_size=page_size
    )
    if name and not result.shipments and page == 1:
        # The API compares names as typed: "Jose Muller" may not find "José Müller". Look again here, without
        # accents or case, over the newest shipments (requests are spent only when the API found nothing).
        return await _search_locally(
            client, filters, number=number, name=name, page=page, page_size=page_size, now=now, why=AGAIN
        )
    labels = await labels_of_page(client, result.shipments)
    return summarize_shipment_list(result, page=page, labels=labels, now=now or datetime.now(UTC))


async def labels_of_page(client: ShipStationClient, shipments: Sequence[Shipment]) -> dict[str, list[Label]]:
    """The labels of a page of shipments, by shipment id, from one labels listing (not one request per row): every
    label made since the oldest of them with a label was created. A row the listing missed gets its own request."""
    bought = [s for s in shipments if s.shipment_id and (s.shipment_status or "").lower() == "label_purchased"]
    if not bought:
        return {}
    oldest = min((s.created_at for s in bought if s.created_at), default=None)
    listing = await client.list_labels(created_at_start=oldest, sort_by="created_at", sort_dir="asc", page_size=100)
    found: dict[str, list[Label]] = {}
    for label in listing.labels:
        if label.shipment_id:
            found.setdefault(label.shipment_id, []).append(label)
    missing = [s.shipment_id for s in bought if s.shipment_id and s.shipment_id not in found]
    if missing and listing.pages and listing.pages > 1:
        extra = await asyncio.gather(*(labels_of(client, api_id(sid, what="shipment id")) for sid in missing))
        found.update({sid: labels for sid, labels in zip(missing, extra, strict=True) if labels})
    return found


async def _search_locally(
    client: ShipStationClient,
    filters: dict[str, object],
    *,
    number: str | None,
    name: str | None,
    page: int,
    page_size: int,
    now: datetime | None,
    why: str = CANNOT_FILTER,
) -> ShipmentPage:
    """ShipEngine's `GET /shipments` cannot filter by order number or recipient: read the newest pages and filter
    here, up to SEARCH_PAGES pages, and say how far the search went."""
    matches, scanned, complete = await _scan_newest(client, filters, number=number, name=name)
    start = (page - 1) * page_size
    found = ShipmentList(
        shipments=matches[start : start + page_size],
        total=len(matches),
        page=page,
        pages=-(-len(matches) // page_size),
    )
    labels = await labels_of_page(client, found.shipments)
    summary = summarize_shipment_list(found, page=page, labels=labels, now=now or datetime.now(UTC))
    reach = f"all {scanned}" if complete else f"the {scanned} newest"
    summary.headline += f" ({why}, so {reach} shipments were searched.)"
    return summary


async def _scan_newest(
    client: ShipStationClient, filters: dict[str, object], *, number: str | None, name: str | None
) -> tuple[list[Shipment], int, bool]:
    """(matches, shipments read, whether that was all of them) over the newest SEARCH_PAGES pages: the first, then
    the others it says exist together (2 round trips)."""
    first = await client.list_shipments(**filters, page=1, page_size=SEARCH_PAGE_SIZE)
    pages = [first]
    last = min(SEARCH_PAGES, first.pages or 1) if first.shipments else 1
    pages += await asyncio.gather(
        *(client.list_shipments(**filters, page=p, page_size=SEARCH_PAGE_SIZE) for p in range(2, last + 1))
    )
    shipments = [s for page in pages for s in page.shipments]
    matches = [s for s in shipments if _matches(s, number=number, name=name)]
    return matches, len(shipments), last >= (first.pages or 1) or not first.shipments


async def shipments_with_number(client: ShipStationClient, number: str) -> list[Shipment]:
    """The shipments whose order number is exactly `number` (any case), newest first."""
    filters: dict[str, object] = {"sort_by": "created_at", "sort_dir": "desc"}
    if not client.family.can("shipments_by_order_number"):
        return (await _scan_newest(client, filters, number=number, name=None))[0]
    result = await client.list_shipments(**filters, shipment_number=number, page_size=SEARCH_PAGE_SIZE)
    return [s for s in result.shipments if _matches(s, number=number, name=None)]


# Letters NFKD does not take apart into a base letter and an accent.
_BASE_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def fold(text: str) -> str:
    """`text` as a name is compared: without accents, case or repeated blanks ('José  Müller' → 'jose muller')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_BASE_LETTERS))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.split())


def _matches(shipment: Shipment, *, number: str | None, name: str | None) -> bool:
    if number and fold(shipment.shipment_number or "") != fold(number):
        return False
    if name:
        address = shipment.ship_to
        recipient = " ".join(part for part in (address.name, address.company_name) if part) if address else ""
        if fold(name) not in fold(recipient):
            return False
    return True
