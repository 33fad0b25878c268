"""Many packages at once: `track_packages` and the support queue, `shipments_needing_attention`.

Both run their lookups concurrently (at most `SHIPSTATION_CONCURRENCY` in flight) under the client's process-wide
rate limiter, so a bulk call goes as fast as ShipStation admits instead of collecting 429s, and both report
progress as items finish. One item's failure is that item's answer, never the whole call's — except a rejected
API key, which would fail every item the same way and is reported once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from . import tracking
from .cache import reading
from .carriers import normalize_tracking_number
from .client import ShipStationClient
from .config import DEFAULT_CONCURRENCY
from .errors import (
    AuthenticationError,
    InvalidInput,
    LookupFailed,
    NotFoundError,
    ShipStationError,
    describe_for_assistant,
)
from .models import Label, to_utc
from .shipments import clean_id
from .summaries import DATA_AGE_DESCRIPTION, STALLED_AFTER_HOURS, TrackingSummary, format_time

logger = logging.getLogger(__name__)

MAX_PACKAGES = 100
CONCURRENCY = DEFAULT_CONCURRENCY
"""Lookups in flight at once unless a caller says otherwise (`Settings.concurrency`); the limiter decides the pace."""
LABEL_PAGE_SIZE = 100
MAX_LABEL_PAGES = 10
DEFAULT_LOOKBACK_DAYS = 14
UNSCANNED_AFTER_DAYS = 2.0
DEFAULT_MAX_TRACKED = 100
MAX_QUERY_CHARS = 64

Progress = Callable[[float, float | None, str | None], Awaitable[None]]
ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


async def _report(progress: Progress | None, done: int, total: int, message: str) -> None:
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
            await _report(progress, offset + done, overall, describe(result))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results


# ----------------------------------------------------------------------------- track_packages


class PackageRef(BaseModel):
    """One package to track: a tracking number (carrier optional) or one of the account's label ids."""

    tracking_number: str | None = Field(
        None, max_length=200, description="Carrier tracking number; spaces and dashes are ignored"
    )
    carrier_code: str | None = Field(
        None, max_length=50, description="Optional carrier code (ups, fedex, usps, …); inferred when left out"
    )
    label_id: str | None = Field(None, max_length=200, description="Instead of a number: a label id such as se-324658")


OUTCOMES: dict[str, tuple[str, str]] = {
    # outcome: (singular, plural) as said in the roll-up, in roll-up order
    "delivered": ("delivered", "delivered"),
    "in_transit": ("in transit", "in transit"),
    "delivery_attempt": ("delivery attempt", "delivery attempts"),
    "exception": ("exception", "exceptions"),
    "not_yet_scanned": ("not yet scanned", "not yet scanned"),
    "unknown": ("status unknown", "status unknown"),
    "not_found": ("not found", "not found"),
    "invalid": ("invalid", "invalid"),
    "failed": ("failed", "failed"),
}


class PackageResult(BaseModel):
    index: int = Field(description="Position in the request, from 0")
    query: str = Field(description="What was asked: the tracking number or label id as sent")
    outcome: str = Field(description=", ".join(OUTCOMES))
    headline: str | None = Field(None, description="One line to say aloud (absent on error)")
    tracking_number: str | None = None
    carrier_code: str | None = None
    label_id: str | None = None
    status_code: str | None = None
    attention: list[str] | None = Field(None, description="Reasons this package needs a look")
    estimated_delivery: datetime | None = None
    actual_delivery: datetime | None = None
    tracking_url: str | None = None
    error: str | None = Field(None, description="Why this item has no tracking, and what to do")
    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)


class BulkTrackingResult(BaseModel):
    headline: str = Field(description="Roll-up, e.g. '80 packages: 61 delivered, 12 in transit, 4 exceptions'")
    counts: dict[str, int] = Field(default_factory=dict, description="Packages per outcome")
    needs_attention: list[int] = Field(
        default_factory=list, description="Indexes of tracked packages with an exception or another problem"
    )
    results: list[PackageResult] = Field(default_factory=list, description="One per package, in request order")
    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)


def outcome_of(summary: TrackingSummary) -> str:
    code = summary.status_code
    if summary.delivered:
        return "delivered"
    if summary.exception:
        return "exception"
    if code == "AT" or code.startswith("ATTEMPTED_DELIVERY") or (summary.detail_code or "").startswith("ATTEMPTED"):
        return "delivery_attempt"
    if code == "NY":
        return "not_yet_scanned"
    if code in {"AC", "IT"}:
        return "in_transit"
    return "unknown"


def _clip_query(text: str) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text.strip())
    return text if len(text) <= MAX_QUERY_CHARS else text[: MAX_QUERY_CHARS - 1] + "…"


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


def rollup(counts: dict[str, int], total: int, flagged: int) -> str:
    parts = [f"{n} {OUTCOMES[outcome][0 if n == 1 else 1]}" for outcome, n in counts.items()]
    noun = "package" if total == 1 else "packages"
    text = f"{total} {noun}: " + ", ".join(parts)
    if flagged:
        text += f" — {flagged} need{'s' if flagged == 1 else ''} attention"
    return text


async def _labels_for_numbers(client: ShipStationClient, jobs: Sequence[_Job]) -> dict[str, Label]:
    """On V2, where a tracking number is tracked through its label: the labels of the jobs' numbers, from the
    label listing (one request per hundred labels) rather than one search per number. Empty on ShipEngine, which
    tracks a number by its carrier directly."""
    if client.settings.api != "v2":
        return {}
    numbers = set()
    for job in jobs:
        if job.ref.tracking_number is not None and job.ref.label_id is None:
            with contextlib.suppress(InvalidInput):  # reported by the item's own lookup
                numbers.add(normalize_tracking_number(job.ref.tracking_number))
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
    result = PackageResult(index=job.index, query=_clip_query(raw or ""), outcome="invalid")
    with reading(refresh) as freshness:
        try:
            summary = await _lookup(client, ref, known, now=now)
        except AuthenticationError:
            raise  # every item would fail the same way: say it once
        except InvalidInput as exc:
            result.error = str(exc)
            return result
        except (LookupFailed, NotFoundError) as exc:
            result.outcome = "not_found"
            result.error = str(exc) if isinstance(exc, LookupFailed) else describe_for_assistant(exc)
            return result
        except ShipStationError as exc:
            result.outcome = "failed"
            result.error = describe_for_assistant(exc, what=f"package {result.query!r}")
            return result
        except Exception as exc:
            logger.exception("track_packages: item %d failed unexpectedly", job.index)
            result.outcome = "failed"
            result.error = f"shipstation-mcp hit an internal error ({type(exc).__name__}) on this item; try it alone."
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
    number = normalize_tracking_number(ref.tracking_number)
    label = known.get(number)
    if label is not None:
        return await tracking.track_found_label(client, label, number, max_events=0, now=now)
    return await tracking.track_package(client, ref.tracking_number, ref.carrier_code, max_events=0, now=now)


def bulk_text(result: BulkTrackingResult) -> str:
    lines = [result.headline]
    for r in result.results:
        line = f"[{r.index}] {r.query}: {r.headline or r.error}"
        if r.attention:
            line += " — needs attention: " + "; ".join(reason.rstrip(".") for reason in r.attention)
        lines.append(line)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- shipments_needing_attention

# Problems, most urgent first. The reasons shown come from `summarize_tracking`'s `attention` list; these kinds
# only decide the order.
PROBLEMS: dict[str, str] = {
    "exception": "carrier exception",
    "returned_to_sender": "returned to sender",
    "delivery_attempt": "delivery attempt",
    "action_needed": "action needed",
    "never_scanned": "never scanned",
    "no_recent_scan": "no recent scan",
    "past_estimated_delivery": "past estimated delivery",
}
RETURN_CODES = frozenset({"RETURN_TO_SENDER", "UNDELIVERABLE_RETURNED_TO_SENDER", "RETURNED_TO_SENDER"})
DONE_TRACKING_STATUSES = frozenset({"delivered", "delivered_to_service_point"})


class AttentionItem(BaseModel):
    rank: int = Field(description="1 is the most urgent")
    problem: str = Field(description="The most urgent problem: " + ", ".join(PROBLEMS))
    reasons: list[str] = Field(description="Every reason this package needs a look")
    headline: str
    label_id: str | None = None
    shipment_id: str | None = None
    tracking_number: str | None = None
    carrier_code: str | None = None
    status_code: str | None = None
    label_created_at: datetime | None = None
    hours_since_last_scan: float | None = None
    estimated_delivery: datetime | None = None
    tracking_url: str | None = None


class AttentionReport(BaseModel):
    headline: str
    since: datetime
    until: datetime
    labels_checked: int = Field(description="Labels created in the period (of the store, if one was given)")
    delivered: int = Field(0, description="Labels already delivered per the labels list: not tracked again")
    voided: int = Field(0, description="Voided labels: skipped")
    tracked: int = Field(0, description="Labels tracked to look for problems")
    not_tracked: int = Field(0, description="Candidates left untracked because of max_tracked")
    items: list[AttentionItem] = Field(default_factory=list, description="Most urgent first")
    could_not_check: list[str] = Field(default_factory=list, description="Labels whose tracking failed, and why")
    note: str | None = Field(None, description="Limits that applied (pages, max_tracked)")
    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)


@dataclass
class _Candidate:
    label: Label
    summary: TrackingSummary | None = None
    error: str | None = None


def problems_of(
    summary: TrackingSummary,
    label: Label | None,
    *,
    now: datetime,
    stalled_after_hours: float,
    unscanned_after_days: float,
) -> tuple[list[str], list[str]]:
    """(problem kinds, reasons) for one tracked package; both empty when it needs nothing."""
    if summary.delivered:
        return [], []
    kinds: list[str] = []
    codes = {summary.status_code, summary.detail_code or ""}
    if codes & RETURN_CODES:
        kinds.append("returned_to_sender")
    elif summary.exception:
        kinds.append("exception")
    if outcome_of(summary) == "delivery_attempt":
        kinds.append("delivery_attempt")
    elif summary.action_needed and not kinds:
        kinds.append("action_needed")
    reasons = list(summary.attention)
    never_scanned = summary.status_code == "NY" or summary.latest_event is None
    created = label.created_at if label else None
    if never_scanned and created is not None:
        days = (now - created).total_seconds() / 86400
        if days > unscanned_after_days:
            kinds.append("never_scanned")
            reasons.append(f"Label created {days:.0f} days ago and the carrier has not scanned the package yet")
    if summary.hours_since_last_scan is not None and summary.hours_since_last_scan > stalled_after_hours:
        kinds.append("no_recent_scan")
    if summary.estimated_delivery is not None and summary.estimated_delivery < now:
        kinds.append("past_estimated_delivery")
    if not kinds:
        return [], []
    order = list(PROBLEMS)
    return sorted(kinds, key=order.index), reasons


def _urgency(item: AttentionItem, kinds: list[str], label: Label) -> tuple[Any, ...]:
    order = list(PROBLEMS)
    staleness = item.hours_since_last_scan or 0.0
    created = label.created_at or datetime.max.replace(tzinfo=UTC)
    return (order.index(kinds[0]), -len(kinds), -staleness, created)


async def shipments_needing_attention(
    client: ShipStationClient,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    store_id: str | None = None,
    stalled_after_hours: float = STALLED_AFTER_HOURS,
    unscanned_after_days: float = UNSCANNED_AFTER_DAYS,
    max_tracked: int = DEFAULT_MAX_TRACKED,
    refresh: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> AttentionReport:
    now = now or datetime.now(UTC)
    until = to_utc(until) if until else now
    since = to_utc(since) if since else _days_before(until, DEFAULT_LOOKBACK_DAYS)
    if since > until:
        raise InvalidInput("since is later than until; swap them or widen the period.")
    store = clean_id(store_id, what="store id", example="se-12345") if store_id is not None else None

    with reading(refresh) as freshness:
        labels, capped = await _labels_created(client, since, until, progress)
        if store is not None:
            shipment_ids = await _store_shipment_ids(client, store, since)
            labels = [label for label in labels if label.shipment_id in shipment_ids]

        voided = [lbl for lbl in labels if _is_voided(lbl)]
        live = [lbl for lbl in labels if not _is_voided(lbl)]
        delivered = [lbl for lbl in live if _is_done(lbl)]
        candidates = [lbl for lbl in live if not _is_done(lbl) and lbl.label_id]
        # Labels the carrier already flagged first, then the oldest: those are likeliest to be in trouble.
        far_future = datetime.max.replace(tzinfo=UTC)
        candidates.sort(key=lambda lbl: ((lbl.tracking_status or "") != "error", lbl.created_at or far_future))
        chosen = [_Candidate(lbl) for lbl in candidates[: max(0, max_tracked)]]

        async def check(candidate: _Candidate) -> _Candidate:
            label = candidate.label
            try:
                candidate.summary = await tracking.track_label(
                    client,
                    label.label_id or "",
                    label=label,
                    max_events=0,
                    now=now,
                    stalled_after_hours=stalled_after_hours,
                )
            except AuthenticationError:
                raise
            except (LookupFailed, InvalidInput) as exc:
                candidate.error = str(exc)
            except ShipStationError as exc:
                candidate.error = describe_for_assistant(exc, what=f"label {label.label_id!r}")
            return candidate

        checked = await run_concurrently(
            chosen,
            check,
            progress=progress,
            describe=lambda c: f"tracked {c.label.label_id}",
            offset=1,
            total=1 + len(chosen),
            concurrency=client.settings.concurrency,
        )

    ranked: list[tuple[tuple[Any, ...], AttentionItem]] = []
    problems: Counter[str] = Counter()
    for candidate in checked:
        if candidate.summary is None:
            continue
        kinds, reasons = problems_of(
            candidate.summary,
            candidate.label,
            now=now,
            stalled_after_hours=stalled_after_hours,
            unscanned_after_days=unscanned_after_days,
        )
        if not kinds:
            continue
        s = candidate.summary
        item = AttentionItem(
            rank=0,
            problem=kinds[0],
            reasons=reasons,
            headline=s.headline,
            label_id=candidate.label.label_id,
            shipment_id=candidate.label.shipment_id,
            tracking_number=s.tracking_number or candidate.label.tracking_number,
            carrier_code=s.carrier_code,
            status_code=s.status_code,
            label_created_at=candidate.label.created_at,
            hours_since_last_scan=s.hours_since_last_scan,
            estimated_delivery=s.estimated_delivery,
            tracking_url=s.tracking_url,
        )
        problems[kinds[0]] += 1
        ranked.append((_urgency(item, kinds, candidate.label), item))
    ranked.sort(key=lambda pair: pair[0])
    items = [item.model_copy(update={"rank": n}) for n, (_, item) in enumerate(ranked, start=1)]
    failures = [f"{c.label.label_id}: {c.error}" for c in checked if c.error]

    notes = []
    if capped:
        notes.append(
            f"Only the first {MAX_LABEL_PAGES * LABEL_PAGE_SIZE} labels of the period were read; narrow since/until."
        )
    if len(candidates) > len(chosen):
        notes.append(
            f"{len(candidates) - len(chosen)} in-transit label(s) were not tracked (max_tracked={max_tracked}); "
            "narrow the period or raise max_tracked."
        )
    report = AttentionReport(
        headline=_attention_headline(items, problems, len(live), since, until),
        since=since,
        until=until,
        labels_checked=len(labels),
        delivered=len(delivered),
        voided=len(voided),
        tracked=len(chosen),
        not_tracked=len(candidates) - len(chosen),
        items=items,
        could_not_check=failures,
        note=" ".join(notes) or None,
    )
    return freshness.stamp(report)


def _is_voided(label: Label) -> bool:
    return bool(label.voided) or (label.status or "").lower() == "voided"


def _is_done(label: Label) -> bool:
    return (label.tracking_status or "").lower() in DONE_TRACKING_STATUSES


def _days_before(moment: datetime, days: float) -> datetime:
    try:
        return moment - timedelta(days=days)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


async def _labels_created(
    client: ShipStationClient, since: datetime, until: datetime, progress: Progress | None
) -> tuple[list[Label], bool]:
    """Every completed label created in the period (up to MAX_LABEL_PAGES pages), and whether pages were left."""
    filters: dict[str, Any] = {
        "created_at_start": since,
        "created_at_end": until,
        "label_status": "completed",
        "page_size": LABEL_PAGE_SIZE,
        "sort_by": "created_at",
        "sort_dir": "asc",
    }
    first = await client.list_labels(page=1, **filters)
    pages = max(1, first.pages or 1)
    last = min(pages, MAX_LABEL_PAGES)
    rest = await asyncio.gather(*(client.list_labels(page=p, **filters) for p in range(2, last + 1)))
    labels = [*first.labels, *(label for page in rest for label in page.labels)]
    await _report(progress, 1, 1, f"read {len(labels)} label(s) in {last} page(s)")
    unique = {label.label_id or id(label): label for label in labels}
    return list(unique.values()), pages > last


async def _store_shipment_ids(client: ShipStationClient, store_id: str, since: datetime) -> set[str]:
    """Shipments of the store touched since `since`: buying a label modifies the shipment, so this covers every
    label created in the period."""
    filters: dict[str, Any] = {"store_id": store_id, "modified_at_start": since, "page_size": LABEL_PAGE_SIZE}
    first = await client.list_shipments(page=1, **filters)
    last = min(max(1, first.pages or 1), MAX_LABEL_PAGES)
    rest = await asyncio.gather(*(client.list_shipments(page=p, **filters) for p in range(2, last + 1)))
    shipments = [*first.shipments, *(s for page in rest for s in page.shipments)]
    return {s.shipment_id for s in shipments if s.shipment_id}


def _attention_headline(
    items: list[AttentionItem], problems: Counter[str], shipped: int, since: datetime, until: datetime
) -> str:
    period = f"{format_time(since, with_time=False)} – {format_time(until, with_time=False)}"
    if not items:
        return f"No package of the {shipped} shipped {period} needs attention."
    parts = [f"{problems[kind]} {PROBLEMS[kind]}" for kind in PROBLEMS if problems[kind]]
    return f"{len(items)} of {shipped} packages shipped {period} need attention: " + ", ".join(parts)


def attention_text(report: AttentionReport) -> str:
    lines = [report.headline]
    counts = f"{report.labels_checked} label(s): {report.delivered} delivered, {report.voided} voided, "
    counts += f"{report.tracked} tracked"
    if report.not_tracked:
        counts += f", {report.not_tracked} not tracked"
    lines.append(counts)
    for item in report.items:
        ident = " ".join(p for p in (item.tracking_number, f"({item.carrier_code})" if item.carrier_code else "") if p)
        where = f"label {item.label_id}" + (f", shipment {item.shipment_id}" if item.shipment_id else "")
        lines.append(f"{item.rank}. [{PROBLEMS[item.problem]}] {ident} — {where}: {item.headline}")
        lines.extend(f"   - {reason}" for reason in item.reasons)
    if report.could_not_check:
        lines.append("Could not check: " + "; ".join(report.could_not_check))
    if report.note:
        lines.append(report.note)
    return "\n".join(lines)
