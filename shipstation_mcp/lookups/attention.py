"""The support queue: which of the period's labels need someone to act, most urgent first, and why.

Reads the labels created in the period (a page of 100 per request), skips delivered and voided ones without
tracking them, tracks the rest concurrently (`bulk.run_concurrently`) and ranks what needs attention.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..answers.bulk import PROBLEMS, RETURN_CODES, AttentionItem, AttentionReport, attention_headline, outcome_of
from ..answers.tracking import STALLED_AFTER_HOURS, TrackingSummary
from ..api.client import ShipStationClient
from ..api.ids import api_id, clean_id
from ..api.models import Label
from ..errors import EXPLAINED, AuthenticationError, InvalidInput, ShipStationError, explain
from ..state.cache import reading
from ..times import to_utc
from . import tracking
from .bulk import Progress, customer_of, orders_of, report_progress, run_concurrently

__all__ = ["DEFAULT_MAX_TRACKED", "UNSCANNED_AFTER_DAYS", "problems_of", "shipments_needing_attention"]

LABEL_PAGE_SIZE = 100
MAX_LABEL_PAGES = 10
DEFAULT_LOOKBACK_DAYS = 14
UNSCANNED_AFTER_DAYS = 2.0
DEFAULT_MAX_TRACKED = 100
# A package waiting at a collection point still needs its recipient to act: it is tracked like one in transit.
DONE_TRACKING_STATUSES = frozenset({"delivered"})


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
    if summary.delivered and summary.status_code != "SP":
        return [], []
    kinds: list[str] = []
    if summary.status_code == "SP":
        kinds.append("awaiting_pickup")
    codes = {summary.status_code, summary.detail_code or ""}
    if codes & RETURN_CODES or summary.situation == "returning":  # a return scan deep in the history too
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
    if summary.late:
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


@dataclass(frozen=True)
class _Thresholds:
    now: datetime
    stalled_after_hours: float
    unscanned_after_days: float


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
    limits = _Thresholds(now or datetime.now(UTC), stalled_after_hours, unscanned_after_days)
    until = to_utc(until) if until else limits.now
    since = to_utc(since) if since else _days_before(until, DEFAULT_LOOKBACK_DAYS)
    if since > until:
        raise InvalidInput("since is later than until; swap them or widen the period.")
    store = clean_id(store_id, what="store id", example="se-12345") if store_id is not None else None

    with reading(refresh) as freshness:
        labels, capped = await _labels_created(client, since, until, progress)
        if store is not None:
            shipment_ids = await _store_shipment_ids(client, store, since)
            labels = [label for label in labels if label.shipment_id in shipment_ids]

        voided = [lbl for lbl in labels if tracking.is_voided(lbl)]
        live = [lbl for lbl in labels if not tracking.is_voided(lbl)]
        delivered = [lbl for lbl in live if _is_done(lbl)]
        candidates = [lbl for lbl in live if not _is_done(lbl) and lbl.label_id]
        # Labels the carrier already flagged first, then the oldest: those are likeliest to be in trouble.
        far_future = datetime.max.replace(tzinfo=UTC)
        candidates.sort(key=lambda lbl: ((lbl.tracking_status or "") != "error", lbl.created_at or far_future))
        chosen = [_Candidate(lbl) for lbl in candidates[: max(0, max_tracked)]]
        checked = await _track_candidates(client, chosen, limits, progress)

        items, problems = _ranked_items(checked, limits)
        await _name_orders(client, items, since)
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
        headline=attention_headline(items, problems, len(live), since, until),
        since=since,
        until=until,
        labels_checked=len(labels),
        delivered=len(delivered),
        voided=len(voided),
        tracked=len(chosen),
        not_tracked=len(candidates) - len(chosen),
        items=items,
        could_not_check=[f"{c.label.label_id}: {c.error}" for c in checked if c.error],
        note=" ".join(notes) or None,
    )
    return freshness.stamp(report)


async def _track_candidates(
    client: ShipStationClient, chosen: list[_Candidate], limits: _Thresholds, progress: Progress | None
) -> list[_Candidate]:
    """Track every chosen label concurrently; a label that cannot be tracked keeps the reason instead."""

    async def check(candidate: _Candidate) -> _Candidate:
        label = candidate.label
        try:
            candidate.summary = await tracking.track_label(
                client,
                api_id(label.label_id or "", what="label id"),
                label=label,
                max_events=0,
                now=limits.now,
                stalled_after_hours=limits.stalled_after_hours,
            )
        except AuthenticationError:
            raise
        except (*EXPLAINED, ShipStationError) as exc:
            candidate.error = explain(exc, what=f"label {label.label_id!r}")
        return candidate

    return await run_concurrently(
        chosen,
        check,
        progress=progress,
        describe=lambda c: f"tracked {c.label.label_id}",
        offset=1,
        total=1 + len(chosen),
        concurrency=client.settings.concurrency,
    )


def _ranked_items(checked: list[_Candidate], limits: _Thresholds) -> tuple[list[AttentionItem], Counter[str]]:
    """The tracked labels that need attention, most urgent first, and how many have each first problem."""
    ranked: list[tuple[tuple[Any, ...], AttentionItem]] = []
    problems: Counter[str] = Counter()
    for candidate in checked:
        s, label = candidate.summary, candidate.label
        if s is None:
            continue
        kinds, reasons = problems_of(
            s,
            label,
            now=limits.now,
            stalled_after_hours=limits.stalled_after_hours,
            unscanned_after_days=limits.unscanned_after_days,
        )
        if not kinds:
            continue
        item = AttentionItem(
            rank=0,
            problem=kinds[0],
            reasons=reasons,
            headline=s.headline,
            status=outcome_of(s),
            label_id=label.label_id,
            customer=customer_of(None, label),
            shipment_id=label.shipment_id,
            tracking_number=s.tracking_number or label.tracking_number,
            carrier_code=s.carrier_code,
            status_code=s.status_code,
            label_created_at=label.created_at,
            hours_since_last_scan=s.hours_since_last_scan,
            estimated_delivery=s.estimated_delivery,
            tracking_url=s.tracking_url,
        )
        problems[kinds[0]] += 1
        ranked.append((_urgency(item, kinds, label), item))
    ranked.sort(key=lambda pair: pair[0])
    return [item.model_copy(update={"rank": n}) for n, (_, item) in enumerate(ranked, start=1)], problems


async def _name_orders(client: ShipStationClient, items: list[AttentionItem], since: datetime) -> None:
    """The order number and customer of each item, from its shipment: the shipments modified since the period
    began (buying a label modifies its shipment) in one listing, the rest one by one up to a limit."""
    shipments = await orders_of(client, [item.shipment_id for item in items if item.shipment_id], since=since)
    for item in items:
        shipment = shipments.get(item.shipment_id or "")
        if shipment is not None:
            item.order_number = shipment.shipment_number
            item.customer = customer_of(shipment) or item.customer


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
    await report_progress(progress, 1, 1, f"read {len(labels)} label(s) in {last} page(s)")
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
