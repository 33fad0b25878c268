"""The support queue: which of the period's labels need someone to act, most urgent first, and why.

Reads the labels created in the period (a page of 100 per request, at most `MAX_LABEL_PAGES`, the oldest first),
skips delivered and voided ones without tracking them, tracks the rest concurrently (`bulk.run_concurrently`) and
ranks what needs attention. The headline names exactly the part it covered when that is not the whole period.

Round trips: the first label page, then the other pages together, then every tracked label together: 3 (the
floor), when the rate budget admits them at once. It never waits for the budget inside one call unless the caller
asked for more than the default `max_tracked` and more than the budget admits; it says so before waiting.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..answers.bulk import (
    PROBLEMS,
    RETURN_CODES,
    AttentionItem,
    AttentionReport,
    Coverage,
    attention_headline,
    outcome_of,
)
from ..answers.format import format_time
from ..answers.tracking import STALLED_AFTER_HOURS, TrackingSummary
from ..api.client import ShipStationClient
from ..api.ids import api_id, clean_id
from ..api.models import Label
from ..api.status import status_info
from ..errors import EXPLAINED, AuthenticationError, InvalidInput, ShipStationError, explain
from ..state.account_index import Index
from ..state.cache import reading
from ..state.limiter import admits_now
from ..times import to_utc
from . import tracking
from .bulk import (
    MAX_ORDER_LOOKUPS,
    Progress,
    customer_of,
    in_flight_limit,
    orders_of,
    report_progress,
    run_concurrently,
)
from .index import sync_labels
from .updates import summarize_event

__all__ = ["DEFAULT_MAX_TRACKED", "UNSCANNED_AFTER_DAYS", "problems_of", "shipments_needing_attention"]

LABEL_PAGE_SIZE = 100
MAX_LABEL_PAGES = 10
DEFAULT_LOOKBACK_DAYS = 14
UNSCANNED_AFTER_DAYS = 2.0
DEFAULT_MAX_TRACKED = 100
MAX_LISTED = 200
"""Most packages an answer lists (most urgent first); the headline counts them all."""
MAX_TRACKED_LIMIT = 200
"""The most `max_tracked` the tool accepts."""
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


def _urgency(hours_since_last_scan: float | None, kinds: list[str], label: Label) -> tuple[Any, ...]:
    order = list(PROBLEMS)
    staleness = hours_since_last_scan or 0.0
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
    index: Index | None = None,
    index_share: float = 0.0,
) -> AttentionReport:
    """`index`: read the period's labels from the account index (synced first, within `index_share` percent of the
    budget) and judge packages with a fresh push from the store; the API tracks only the rest."""
    limits = _Thresholds(now or datetime.now(UTC), stalled_after_hours, unscanned_after_days)
    end = to_utc(until) if until else None
    # The default period starts on the hour, so the same question asked again reads the same (cached) pages.
    since = to_utc(since) if since else _on_the_hour(_days_before(end or limits.now, DEFAULT_LOOKBACK_DAYS))
    if since > (end or limits.now):
        raise InvalidInput("since is later than until; swap them or widen the period.")
    store = clean_id(store_id, what="store id", example="se-12345") if store_id is not None else None

    with reading(refresh) as freshness:
        indexed = None
        if index is not None:
            indexed = await _from_index(client, index, since, end, limits, index_share, refresh=refresh)
        read = indexed.read if indexed and indexed.read else await _labels_created(client, since, end, progress)
        labels = read.labels
        if store is not None:
            shipment_ids = await _store_shipment_ids(client, store, since)
            labels = [label for label in labels if label.shipment_id in shipment_ids]

        voided = [lbl for lbl in labels if tracking.is_voided(lbl)]
        live = [lbl for lbl in labels if not tracking.is_voided(lbl)]
        pushed = indexed.pushed if indexed and indexed.read else {}
        delivered = [lbl for lbl in live if _is_done(lbl) or pushed.get(lbl.label_id or "") == "delivered"]
        done = {id(lbl) for lbl in delivered}
        candidates = [lbl for lbl in live if id(lbl) not in done and lbl.label_id]
        # Labels the carrier already flagged first, then the oldest: those are likeliest to be in trouble.
        far_future = datetime.max.replace(tzinfo=UTC)
        candidates.sort(key=lambda lbl: ((lbl.tracking_status or "") != "error", lbl.created_at or far_future))
        judged, unjudged = _split_by_pushes(candidates, indexed.fresh if indexed else {})
        plan = await _plan_tracking(client, unjudged, max_tracked, progress)
        chosen = [_Candidate(lbl) for lbl in plan.chosen]
        checked = [*judged, *await _track_candidates(client, chosen, limits, progress)]

        items, needing, problems = _ranked_items(checked, limits)
        named = await _name_orders(client, items, since)
    coverage = Coverage(
        since=since,
        until=end or limits.now,
        shipped=len(live),
        labels_read=len(read.labels),
        labels_in_period=read.in_period,
        read_through=read.read_through if read.capped else None,
        tracked=len(chosen),
        undelivered=len(candidates),
        from_pushes=len(judged) if indexed and indexed.read else None,
    )
    notes = ([indexed.note] if indexed and indexed.note else []) + _notes(read, plan, len(unjudged), max_tracked)
    notes += _listing_notes(named, needing)
    report = AttentionReport(
        headline=attention_headline(needing, problems, coverage),
        since=since,
        until=end or limits.now,
        labels_checked=len(labels),
        delivered=len(delivered),
        voided=len(voided),
        tracked=len(chosen),
        not_tracked=len(unjudged) - len(chosen),
        complete=coverage.complete,
        items=items,
        could_not_check=[f"{c.label.label_id}: {c.error}" for c in checked if c.error],
        note=" ".join(notes) or None,
    )
    return freshness.stamp(report)


def _indexed_label(raw: dict[str, Any]) -> Label:
    """A label of the index. The index keeps what a validated `Label` dumped, so one delivered or voided per its own
    fields (counted, never judged) is rebuilt from those fields alone, without validating the rest: on a big account
    most labels are delivered, and validating 10,000 labels cost a second."""
    voided = raw.get("voided") is True or str(raw.get("status") or "").lower() == "voided"
    if voided or str(raw.get("tracking_status") or "").lower() in DONE_TRACKING_STATUSES:
        fields = ("label_id", "shipment_id", "status", "voided", "tracking_status", "tracking_number", "carrier_code")
        return Label.model_construct(**{name: raw.get(name) for name in fields})
    return Label.model_validate(raw)


def _split_by_pushes(
    candidates: list[Label], fresh: dict[str, TrackingSummary]
) -> tuple[list[_Candidate], list[Label]]:
    """(judged from a fresh push, left for the API), both in the candidates' order."""
    judged = [_Candidate(lbl, summary=fresh[lbl.label_id or ""]) for lbl in candidates if lbl.label_id in fresh]
    return judged, [lbl for lbl in candidates if lbl.label_id not in fresh]


FRESH_PUSH = timedelta(hours=24)
"""A package whose newest pushed update arrived within this long is judged from it, without asking the API."""


@dataclass
class _Indexed:
    read: _LabelsRead | None
    """The period's labels from the index; None when it does not cover the period (the API is read instead)."""
    fresh: dict[str, TrackingSummary]
    """Label id -> the summary of its package's fresh pushed update."""
    pushed: dict[str, str]
    """Label id -> 'delivered' for packages a push said were delivered."""
    note: str | None = None


async def _from_index(
    client: ShipStationClient,
    index: Index,
    since: datetime,
    until: datetime | None,
    limits: _Thresholds,
    share: float,
    *,
    refresh: bool,
) -> _Indexed:
    sync = await sync_labels(client, index, since=since, now=limits.now, share=share, refresh=refresh)
    covered = sync.labels_from is not None and sync.labels_from <= since
    covered = covered and sync.labels_through is not None and sync.labels_through >= (until or limits.now)
    reach = f"{format_time(sync.labels_from)} – {format_time(sync.labels_through)}" if sync.labels_from else "nothing"
    if not covered:
        note = (
            f"The account index covers labels created {reach} so far ({sync.labels} read now, {sync.requests} "
            "request(s)); it fills a share of the rate budget per call (SHIPSTATION_INDEX_SHARE). This answer read "
            "the API instead."
        )
        return _Indexed(None, {}, {}, note)
    rows = await index.labels_created(since, until or limits.now)
    labels, fresh, pushed = [], {}, {}
    for row in rows:
        label = _indexed_label(row.label)
        labels.append(label)
        if not label.label_id or row.latest is None or row.pushed_at is None:
            continue
        if status_info(row.pushed_status).delivered and row.pushed_status != "SP":
            pushed[label.label_id] = "delivered"
        elif _is_done(label) or tracking.is_voided(label):
            continue
        elif limits.now - row.pushed_at <= FRESH_PUSH:
            fresh[label.label_id] = summarize_event(
                row.latest, now=limits.now, max_events=0, carrier=label.carrier_code
            )
    read = _LabelsRead(labels, False, len(labels), None)
    return _Indexed(read, fresh, pushed, None)


def _notes(read: _LabelsRead, plan: _TrackingPlan, candidates: int, max_tracked: int) -> list[str]:
    notes = []
    if read.capped:
        notes.append(
            f"Only the first {len(read.labels)} labels of the period were read (the oldest); narrow since/until "
            "to see the rest."
        )
    if plan.waited_note:
        notes.append(plan.waited_note)
    left_by_budget = plan.left_by_budget
    left_by_cap = candidates - len(plan.chosen) - left_by_budget
    if left_by_cap > 0:
        notes.append(
            f"{left_by_cap} in-transit label(s) were not tracked (max_tracked={max_tracked}); narrow the period"
            + (" or raise max_tracked." if max_tracked < MAX_TRACKED_LIMIT else ".")
        )
    if left_by_budget > 0:
        notes.append(
            f"{left_by_budget} more in-transit label(s) were not tracked: earlier calls used the rate budget of this "
            f"minute (it admitted {plan.room} more requests). Ask again in a minute: what was tracked now is cached."
        )
    return notes


def _listing_notes(named: bool, items: int) -> list[str]:
    notes = [] if named else ["Order numbers and customers were left out: the rate budget of this minute is spent."]
    if items > MAX_LISTED:
        notes.append(f"Listed the {MAX_LISTED} most urgent of {items:,}; narrow since/until for the rest.")
    return notes


@dataclass
class _TrackingPlan:
    chosen: list[Label]
    room: int | None = None
    """Requests the rate budget admitted at once when the plan was made (None: no limit)."""
    left_by_budget: int = 0
    waited_note: str | None = None


async def _plan_tracking(
    client: ShipStationClient, candidates: list[Label], max_tracked: int, progress: Progress | None
) -> _TrackingPlan:
    """Which candidates to track now: at most `max_tracked`, and no more than the rate budget admits at once
    unless the caller asked for more than the default (then they are told, before waiting, that it takes a while).
    Labels whose tracking is cached cost nothing and are always kept."""
    wanted = candidates[: max(0, max_tracked)]
    room = await admits_now(client.limiter)
    if room is None:
        return _TrackingPlan(wanted)
    uncached = [lbl for lbl in wanted if not client.cached(["labels", lbl.label_id or "", "track"])]
    if len(uncached) <= room:
        return _TrackingPlan(wanted, room)
    if max_tracked > DEFAULT_MAX_TRACKED:
        over = len(uncached) - room
        message = (
            f"Tracking {len(uncached)} labels needs {len(uncached)} requests and the rate budget admits {room} now: "
            f"the other {over} wait for the budget, up to a minute."
        )
        await report_progress(progress, 0, None, message)  # said before waiting
        return _TrackingPlan(wanted, room, waited_note=message)
    skipped = {id(lbl) for lbl in uncached[room:]}
    return _TrackingPlan([lbl for lbl in wanted if id(lbl) not in skipped], room, left_by_budget=len(skipped))


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
        concurrency=in_flight_limit(client),
    )


def _ranked_items(checked: list[_Candidate], limits: _Thresholds) -> tuple[list[AttentionItem], int, Counter[str]]:
    """The tracked labels that need attention, most urgent first (the first MAX_LISTED of them, built as answer
    items), how many need attention in all, and how many have each first problem."""
    ranked: list[tuple[tuple[Any, ...], _Candidate, list[str]]] = []
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
        problems[kinds[0]] += 1
        ranked.append((_urgency(s.hours_since_last_scan, kinds, label), candidate, reasons))
    ranked.sort(key=lambda entry: entry[0])
    items = [_item(n, candidate, key, reasons) for n, (key, candidate, reasons) in enumerate(ranked[:MAX_LISTED], 1)]
    return items, len(ranked), problems


def _item(rank: int, candidate: _Candidate, key: tuple[Any, ...], reasons: list[str]) -> AttentionItem:
    s, label = candidate.summary, candidate.label
    assert s is not None
    return AttentionItem(
        rank=rank,
        problem=list(PROBLEMS)[key[0]],
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


async def _name_orders(client: ShipStationClient, items: list[AttentionItem], since: datetime) -> bool:
    """The order number and customer of each item, from its shipment: the shipments modified since the period
    began (buying a label modifies its shipment) in one listing, the rest one by one up to a limit. Left out
    (False) when the rate budget does not admit those requests now: the queue never waits for a courtesy."""
    wanted = {item.shipment_id for item in items if item.shipment_id}
    room = await admits_now(client.limiter)
    if room is not None and wanted and room < 1 + min(len(wanted), MAX_ORDER_LOOKUPS):
        return False
    shipments = await orders_of(client, [item.shipment_id for item in items if item.shipment_id], since=since)
    for item in items:
        shipment = shipments.get(item.shipment_id or "")
        if shipment is not None:
            item.order_number = shipment.shipment_number
            item.customer = customer_of(shipment) or item.customer
    return True


def _is_done(label: Label) -> bool:
    return (label.tracking_status or "").lower() in DONE_TRACKING_STATUSES


def _on_the_hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _days_before(moment: datetime, days: float) -> datetime:
    try:
        return moment - timedelta(days=days)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _LabelsRead:
    labels: list[Label]
    capped: bool
    """True when the period holds more labels than were read (only the oldest pages were)."""
    in_period: int | None
    """How many labels the period holds, as the listing counted them (None when it did not say)."""
    read_through: datetime | None
    """When the newest label read was created."""


async def _labels_created(
    client: ShipStationClient, since: datetime, until: datetime | None, progress: Progress | None
) -> _LabelsRead:
    """Every completed label created in the period (up to MAX_LABEL_PAGES pages, the oldest first). Without
    `until` the listing is asked for labels up to now without an end time, so equal questions share cached pages."""
    filters: dict[str, Any] = {
        "created_at_start": since,
        "label_status": "completed",
        "page_size": LABEL_PAGE_SIZE,
        "sort_by": "created_at",
        "sort_dir": "asc",
    }
    if until is not None:
        filters["created_at_end"] = until
    first = await client.list_labels(page=1, **filters)
    pages = max(1, first.pages or 1)
    last = min(pages, MAX_LABEL_PAGES)
    rest = await asyncio.gather(*(client.list_labels(page=p, **filters) for p in range(2, last + 1)))
    labels = [*first.labels, *(label for page in rest for label in page.labels)]
    await report_progress(progress, 1, 1, f"read {len(labels)} label(s) in {last} page(s)")
    unique = list({label.label_id or id(label): label for label in labels}.values())
    created = [label.created_at for label in unique if label.created_at is not None]
    return _LabelsRead(unique, pages > last, first.total, max(created, default=None))


async def _store_shipment_ids(client: ShipStationClient, store_id: str, since: datetime) -> set[str]:
    """Shipments of the store touched since `since`: buying a label modifies the shipment, so this covers every
    label created in the period."""
    filters: dict[str, Any] = {"store_id": store_id, "modified_at_start": since, "page_size": LABEL_PAGE_SIZE}
    first = await client.list_shipments(page=1, **filters)
    last = min(max(1, first.pages or 1), MAX_LABEL_PAGES)
    rest = await asyncio.gather(*(client.list_shipments(page=p, **filters) for p in range(2, last + 1)))
    shipments = [*first.shipments, *(s for page in rest for s in page.shipments)]
    return {s.shipment_id for s in shipments if s.shipment_id}
