"""Many packages at once: `track_packages`, and the concurrent runner the support queue shares.

Lookups run concurrently (at most `SHIPSTATION_CONCURRENCY` in flight) under the client's process-wide rate
limiter, so a bulk call goes as fast as ShipStation admits instead of collecting 429s, and progress is reported as
items finish.
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

from ..answers.bulk import OUTCOMES, BulkTrackingResult, PackageRef, PackageResult, clip_query, outcome_of, rollup
from ..answers.tracking import TrackingSummary
from ..api.client import ShipStationClient
from ..api.ids import clean_id, normalized_or_none
from ..api.models import Label
from ..config import DEFAULT_CONCURRENCY
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
    "CONCURRENCY",
    "MAX_PACKAGES",
    "Progress",
    "failure_outcome",
    "report_progress",
    "run_concurrently",
    "track_packages",
]

logger = logging.getLogger(__name__)

MAX_PACKAGES = 100
CONCURRENCY = DEFAULT_CONCURRENCY
"""Lookups in flight at once unless a caller says otherwise (`Settings.concurrency`); the limiter decides the pace."""

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
    concurrency: int = CONCURRENCY,
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


def as_package_ref(item: PackageRef | str) -> PackageRef:
    return PackageRef(tracking_number=item) if isinstance(item, str) else item


@dataclass
class _Job:
    index: int
    ref: PackageRef


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

        async def one(job: _Job) -> PackageResult:
            return await _track_one(client, job, known, refresh=refresh, now=now)

        results = await run_concurrently(
            jobs, one, progress=progress, describe=describe, concurrency=client.settings.concurrency
        )
    counts = Counter(r.outcome for r in results)
    ordered = {outcome: counts[outcome] for outcome in OUTCOMES if counts[outcome]}
    flagged = [r.index for r in results if r.attention or r.outcome in {"exception", "delivery_attempt"}]
    return freshness.stamp(
        BulkTrackingResult(
            headline=rollup(ordered, len(results), len(flagged)),
            counts=ordered,
            needs_attention=flagged,
            results=results,
        )
    )


async def _labels_for_numbers(client: ShipStationClient, jobs: Sequence[_Job]) -> dict[str, Label]:
    """Where a tracking number is tracked through its label (V2): the labels of the jobs' numbers, from the
    label listing (one request per hundred labels) rather than one search per number. Empty where the family tracks
    a number by its carrier directly (ShipEngine)."""
    if tracking.by_number_available(client) and not client.family.labels_first:
        return {}
    # A number that cannot be right is left out here and reported by the item's own lookup.
    refs = [job.ref for job in jobs]
    wanted = (
        normalized_or_none(r.tracking_number) for r in refs if r.tracking_number is not None and r.label_id is None
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
            summary = await _lookup(client, ref, known, now=now)
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
) -> TrackingSummary:
    if ref.label_id is not None and ref.tracking_number is not None:
        raise InvalidInput("This item has both tracking_number and label_id; send one of them per item.")
    if ref.label_id is not None:
        label_id = clean_id(ref.label_id, what="label id", example="se-324658")
        return await tracking.track_label(client, label_id, max_events=0, now=now)
    if ref.tracking_number is None:
        raise InvalidInput("This item has neither tracking_number nor label_id; send one of them.")
    number = normalized_or_none(ref.tracking_number)
    if number and (label := known.get(number)) is not None:
        return await tracking.track_found_label(client, label, number, max_events=0, now=now)
    return await tracking.track_package(client, ref.tracking_number, ref.carrier_code, max_events=0, now=now)
