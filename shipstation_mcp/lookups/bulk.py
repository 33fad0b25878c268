"""Many packages at once: `track_packages`, and the concurrent runner the support queue shares.

Lookups run concurrently under the client's rate limiter, as many in flight as its budget admits (the process's,
or the account's shared one in Redis; `SHIPSTATION_CONCURRENCY` caps it), so a bulk call goes as fast as ShipStation
admits instead of collecting 429s, and progress is reported as items finish. Floor of `track_packages` of n label
ids or ShipEngine numbers: 1 round trip while n fits the budget; of V2 numbers: the label pages (read together), then
1.
One item's failure is that item's answer, never the whole call's — except a rejected API key, which would fail
every item the same way and is reported once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from ..answers.bulk import (
    FLAGGED_OUTCOMES,
    OUTCOMES,
    BulkTrackingResult,
    PackageRef,
    PackageResult,
    clip_query,
    duplicate_result,
    outcome_of,
    rollup,
)
from ..answers.tracking import TrackingSummary
from ..api.client import ShipStationClient
from ..api.ids import SHIPSTATION_ID, api_id, clean_shipstation_id, normalized_or_none, split_pasted
from ..api.models import Label, Shipment
from ..errors import (
    EXPLAINED,
    AuthenticationError,
    InvalidInput,
    LookupFailed,
    NotFoundError,
    ShipStationError,
    explain,
)
from ..state.cache import reading
from . import tracking

__all__ = [
    "MAX_PACKAGES",
    "UNLIMITED_IN_FLIGHT",
    "Progress",
    "failure_outcome",
    "in_flight_limit",
    "orders_of",
    "report_progress",
    "run_concurrently",
    "track_packages",
]

logger = logging.getLogger(__name__)

MAX_PACKAGES = 100
UNLIMITED_IN_FLIGHT = 100
"""Lookups in flight at once when no rate limit applies (the offline demo account)."""
MAX_ORDER_LOOKUPS = 25
"""Orders read one by one to name the order number and customer of packages that need attention."""
LISTING_PAGE_SIZE = 100

Progress = Callable[[float, float | None, str | None], Awaitable[None]]
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


async def report_progress(progress: Progress | None, done: int, total: int, message: str) -> None:
    if progress is None:
        return
    try:
        await progress(done, total, message)
    except Exception as exc:  # a client that went away must not fail the work
        logger.debug("progress notification failed: %s", type(exc).__name__)


async def run_concurrently(
    items: Sequence[ItemT],
    worker: Callable[[ItemT], Awaitable[ResultT]],
    *,
    progress: Progress | None = None,
    describe: Callable[[ResultT], str] = lambda _: "",
    offset: int = 0,
    total: int | None = None,
    concurrency: int = UNLIMITED_IN_FLIGHT,
) -> list[ResultT]:
    """`worker(item)` for every item, `concurrency` at a time; results in input order; progress as each ends.

    An exception from a worker cancels the rest and propagates (workers turn per-item failures into results).
    """
    gate = asyncio.Semaphore(max(1, concurrency))
    overall = total if total is not None else offset + len(items)

    async def guarded(position: int, item: ItemT) -> tuple[int, ResultT]:
        async with gate:
            return position, await worker(item)

    tasks = [asyncio.ensure_future(guarded(i, item)) for i, item in enumerate(items)]
    results: list[Any] = [None] * len(items)
    try:
        for done, finished in enumerate(asyncio.as_completed(tasks), start=1):
            position, result = await finished
            results[position] = result
            await report_progress(progress, offset + done, overall, describe(result))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results


def in_flight_limit(client: ShipStationClient) -> int:
    """How many lookups a bulk call keeps in flight: `SHIPSTATION_CONCURRENCY` when set, else the rate budget (the
    limiter then lets each request go as its slot frees, so nothing waits that the budget admits)."""
    if client.settings.concurrency is not None:
        return client.settings.concurrency
    budget = getattr(client.limiter, "budget", None)
    return max(1, int(budget)) if budget is not None else UNLIMITED_IN_FLIGHT


def as_package_ref(item: PackageRef | str) -> PackageRef:
    return PackageRef(tracking_number=item) if isinstance(item, str) else item


@dataclass
class _Job:
    index: int
    ref: PackageRef


def package_key(ref: PackageRef, known: dict[str, Label] | None = None) -> str | None:
    """What makes two items the same package: the label id, or the tracking number as normalised (spaces, dashes
    and case aside) — the label's id when the account's label for that number is known; None for an item that
    cannot be looked up (it is answered, and refused, on its own)."""
    if ref.label_id is not None:
        text = split_pasted(ref.label_id)[0].lower()
        return f"label:{text}" if SHIPSTATION_ID.match(text) else None
    if ref.tracking_number is None:
        return None
    text = ref.tracking_number.strip()
    if SHIPSTATION_ID.match(text):
        return f"label:{text.lower()}"
    number = normalized_or_none(text)
    label = (known or {}).get(number or "")
    if label is not None and label.label_id:
        return f"label:{label.label_id.lower()}"
    return f"number:{number}" if number else None


def _split_duplicates(jobs: Sequence[_Job], known: dict[str, Label]) -> tuple[list[_Job], dict[int, int]]:
    """(the jobs to look up, {index of a repeat: index of the first item asking for the same package})."""
    first: dict[str, int] = {}
    unique: list[_Job] = []
    repeats: dict[int, int] = {}
    for job in jobs:
        key = package_key(job.ref, known)
        if key is not None and key in first:
            repeats[job.index] = first[key]
            continue
        if key is not None:
            first[key] = job.index
        unique.append(job)
    return unique, repeats


async def track_packages(
    client: ShipStationClient,
    packages: Sequence[PackageRef | str],
    *,
    refresh: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> BulkTrackingResult:
    if not packages:
        raise InvalidInput("packages is empty; send 1 to 100 tracking numbers or label ids.")
    if len(packages) > MAX_PACKAGES:
        raise InvalidInput(
            f"packages has {len(packages)} items; send at most {MAX_PACKAGES} per call and split the rest."
        )
    jobs = [_Job(i, as_package_ref(item)) for i, item in enumerate(packages)]

    def describe(result: PackageResult) -> str:
        return f"{result.query}: {OUTCOMES[result.outcome][0]}"

    with reading(refresh) as freshness:
        known = await _labels_for_numbers(client, jobs)
        unique, repeats = _split_duplicates(jobs, known)

        async def one(job: _Job) -> PackageResult:
            return await _track_one(client, job, known, refresh=refresh, now=now)

        tracked = await run_concurrently(
            unique, one, progress=progress, describe=describe, total=len(jobs), concurrency=in_flight_limit(client)
        )
        if repeats:
            count = len(repeats)
            await report_progress(progress, len(jobs), len(jobs), f"{count} duplicate(s) answered once")
        created = {label.shipment_id: label.created_at for label in known.values() if label.shipment_id}
        await _name_orders(client, [r for r in tracked if _flagged(r)], created)
    by_index = {r.index: r for r in tracked}
    for index, original in repeats.items():
        by_index[index] = duplicate_result(index, clip_query(_raw(jobs[index].ref) or ""), by_index[original])
    results = [by_index[i] for i in range(len(jobs))]
    counts = Counter(r.outcome for r in results)
    ordered = {outcome: counts[outcome] for outcome in OUTCOMES if counts[outcome]}
    flagged = [r.index for r in results if _flagged(r)]
    return freshness.stamp(
        BulkTrackingResult(
            headline=rollup(ordered, len(results), len(flagged)),
            counts=ordered,
            needs_attention=flagged,
            results=results,
        )
    )


def _flagged(result: PackageResult) -> bool:
    return bool(result.attention) or result.outcome in FLAGGED_OUTCOMES


def _raw(ref: PackageRef) -> str | None:
    return ref.label_id if ref.label_id is not None else ref.tracking_number


async def orders_of(
    client: ShipStationClient, shipment_ids: Sequence[str], *, since: datetime | None = None
) -> dict[str, Shipment]:
    """The shipments (orders) of `shipment_ids`. With `since` (the oldest of their labels' creation: buying a label
    modifies its shipment) one listing of the shipments modified since then answers most of them at once; the rest
    are read one by one, at most MAX_ORDER_LOOKUPS. One that cannot be read is left out: the order number is a
    courtesy beside the package's own answer."""
    wanted = list(dict.fromkeys(shipment_ids))
    found: dict[str, Shipment] = {}
    if since is not None and len(wanted) > 2:
        try:
            listing = await client.list_shipments(modified_at_start=since, page_size=LISTING_PAGE_SIZE)
            found = {s.shipment_id: s for s in listing.shipments if s.shipment_id in wanted and s.shipment_id}
        except AuthenticationError:
            raise
        except ShipStationError as exc:
            logger.info("Could not list shipments for order numbers: %s", type(exc).__name__)
    rest = [i for i in wanted if i not in found][:MAX_ORDER_LOOKUPS]

    async def read(shipment_id: str) -> Shipment | None:
        try:
            return await client.get_shipment(api_id(shipment_id, what="shipment id"))
        except AuthenticationError:
            raise
        except (ShipStationError, *EXPLAINED) as exc:
            logger.info("Could not read shipment %s for its order number: %s", shipment_id, type(exc).__name__)
            return None

    read_one_by_one = await asyncio.gather(*(read(i) for i in rest))
    found.update({i: s for i, s in zip(rest, read_one_by_one, strict=True) if s is not None})
    return found


def customer_of(shipment: Shipment | None, label: Label | None = None) -> str | None:
    for address in (shipment.ship_to if shipment else None, label.ship_to if label else None):
        if address is not None and (address.name or address.company_name):
            return address.name or address.company_name
    return None


async def _name_orders(
    client: ShipStationClient, results: Sequence[PackageResult], created: dict[str, datetime | None]
) -> None:
    """Fill the order number and customer of `results` (those that need a look) from their shipments."""
    ids = [r.shipment_id for r in results if r.shipment_id and not r.order_number]
    since = min((when for i in ids if (when := created.get(i)) is not None), default=None)
    shipments = await orders_of(client, ids, since=since)
    for result in results:
        shipment = shipments.get(result.shipment_id or "")
        if shipment is not None:
            result.order_number = result.order_number or shipment.shipment_number
            result.customer = result.customer or customer_of(shipment)


async def _labels_for_numbers(client: ShipStationClient, jobs: Sequence[_Job]) -> dict[str, Label]:
    """Where a tracking number is tracked through its label (V2): the labels of the jobs' numbers, from the
    label listing (one request per hundred labels) rather than one search per number. Empty where the family tracks
    a number by its carrier directly (ShipEngine)."""
    if client.family.can("track_by_number"):
        return {}
    # A number that cannot be right is left out here and reported by the item's own lookup.
    refs = [job.ref for job in jobs]
    wanted = (
        normalized_or_none(r.tracking_number)
        for r in refs
        # A ShipStation id sent as a number is tracked as the label it is (`track_package`): no listing for it.
        if r.tracking_number is not None and r.label_id is None and not SHIPSTATION_ID.match(r.tracking_number.strip())
    )
    numbers = {number for number in wanted if number}
    try:
        return await tracking.map_labels(client, numbers)
    except AuthenticationError:
        raise
    except ShipStationError as exc:  # each number falls back to its own search
        logger.info("track_packages: the label listing failed (%s); searching number by number", type(exc).__name__)
        return {}


async def _track_one(
    client: ShipStationClient, job: _Job, known: dict[str, Label], *, refresh: bool, now: datetime | None
) -> PackageResult:
    ref = job.ref
    raw = ref.label_id if ref.label_id is not None else ref.tracking_number
    result = PackageResult(index=job.index, query=clip_query(raw or ""), outcome="invalid")
    with reading(refresh) as freshness:
        try:
            summary, label = await _lookup(client, ref, known, now=now)
        except AuthenticationError:
            raise  # every item would fail the same way: say it once
        except Exception as exc:
            result.outcome = failure_outcome(exc)
            if not isinstance(exc, (*EXPLAINED, ShipStationError)):
                logger.exception("track_packages: item %d failed unexpectedly", job.index)
            result.error = explain(exc, what=f"package {result.query!r}", where="this item")
            return result
    result.outcome = outcome_of(summary)
    result.headline = summary.headline
    result.tracking_number = summary.tracking_number
    result.carrier_code = summary.carrier_code
    result.label_id = summary.label_id
    result.shipment_id = label.shipment_id if label else None
    result.customer = customer_of(None, label)
    result.status_code = summary.status_code
    result.attention = summary.attention or None
    result.estimated_delivery = None if summary.delivered else summary.estimated_delivery
    result.actual_delivery = summary.actual_delivery
    result.tracking_url = summary.tracking_url
    return freshness.stamp(result)


def failure_outcome(error: BaseException) -> str:
    """The roll-up outcome of an item that failed: invalid input, nothing found, or a failure to retry."""
    if isinstance(error, InvalidInput):
        return "invalid"
    if isinstance(error, LookupFailed | NotFoundError):
        return "not_found"
    return "failed"


async def _lookup(
    client: ShipStationClient, ref: PackageRef, known: dict[str, Label], *, now: datetime | None
) -> tuple[TrackingSummary, Label | None]:
    """The package's tracking, and its label when the lookup had it at hand (no request is added for it)."""
    if ref.label_id is not None and ref.tracking_number is not None:
        raise InvalidInput("This item has both tracking_number and label_id; send one of them per item.")
    if ref.label_id is not None:
        label_id = clean_shipstation_id(ref.label_id, what="label id", example="se-324658")
        return await tracking.track_label(client, label_id, max_events=0, now=now), None
    if ref.tracking_number is None:
        raise InvalidInput("This item has neither tracking_number nor label_id; send one of them.")
    number = normalized_or_none(ref.tracking_number)
    if number and (label := known.get(number)) is not None:
        return await tracking.track_found_label(client, label, number, max_events=0, now=now), label
    summary = await tracking.track_package(client, ref.tracking_number, ref.carrier_code, max_events=0, now=now)
    return summary, None
