"""Tracking lookups: by label, by tracking number (with or without a carrier), and update subscriptions.

Plain async functions over a `ShipStationClient`; they return summaries and raise `ShipStationError`,
`InvalidInput` or `LookupFailed`, whose messages tell the assistant what to try next.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Collection
from datetime import datetime

from ..answers.live import WatchChange
from ..answers.tracking import DEFAULT_MAX_EVENTS, STALLED_AFTER_HOURS, LabelFacts, TrackingSummary, summarize_tracking
from ..answers.untracked import untracked_summary
from ..api.client import ShipStationClient
from ..api.ids import (
    SHIPSTATION_ID,
    api_id,
    infer_carrier,
    normalize_carrier_code,
    normalize_tracking_number,
    split_pasted,
)
from ..api.models import Address, Label, LabelList, TrackingInfo
from ..api.v1 import tracking_link
from ..errors import InvalidInput, LookupFailed, NotFoundError, RequestRejectedError, ShipStationError, full_stop

logger = logging.getLogger(__name__)

ORDER_NUMBER = re.compile(r"^(?:#\s*\d{1,12}|\d{1,9})$")
COMMON_CARRIER_CODES = ("ups", "fedex", "usps", "stamps_com", "dhl_express")
LISTING_PAGE_SIZE = 100
MAX_LISTING_PAGES = 10


async def track_label(
    client: ShipStationClient,
    label_id: str,
    *,
    label: Label | None = None,
    replaced_by: str | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
    now: datetime | None = None,
    stalled_after_hours: float = STALLED_AFTER_HOURS,
    ship_to: Address | None = None,
    info: TrackingInfo | None = None,
) -> TrackingSummary:
    """Track the package of one of the account's labels (`label`, when the caller has it, saves a request;
    `ship_to`, the shipment's address where the caller has it, lets a delivery elsewhere be flagged; `info`, the
    label's track answer when the caller fetched it already, alongside other requests).

    One request: the track answer carries the carrier, the number and the carrier's tracking page. Only when it
    lacks one of them (some carriers leave them out) does the label supply it, at one more request.
    """
    if not client.family.can("track_by_label"):
        if label is None:
            raise LookupFailed(
                f"{client.family.title} cannot fetch label {label_id!r} on its own: call find_order with the order "
                "number or the tracking number; it reads the order's labels and tracks each."
            )
        return await track_elsewhere(client, label, replaced_by=replaced_by, max_events=max_events, now=now)
    try:
        info = info or await client.track_label(label_id)
    except NotFoundError as exc:
        raise LookupFailed(
            f"ShipStation has no label {label_id!r} (HTTP 404){exc.reference}. Label ids look like se-123456. "
            f"Call find_order(query={label_id!r}): it also tries the value as a shipment id, an order number and a "
            "tracking number."
        ) from None
    if label is None and not (info.carrier_code and info.tracking_url and info.tracking_number and info.events):
        # The track answer lacks a fact the label has: the carrier, the carrier's page, or (before the first scan)
        # when the label was made and whether it was voided.
        try:
            label = await client.get_label(label_id)
        except NotFoundError:
            label = None
    _fill_from_label(info, label)
    facts = LabelFacts(label_id=label_id, ship_to=ship_to)
    if label is not None:
        voided = is_voided(label)
        facts = LabelFacts(
            label_id=label_id,
            created_at=label.created_at,
            voided=voided,
            replaced_by=await replacement_of(client, label) if voided and replaced_by is None else replaced_by,
            return_label=bool(label.is_return_label),
            ship_to=ship_to,
        )
    return summarize_tracking(
        info, label=facts, max_events=max_events, now=now, stalled_after_hours=stalled_after_hours
    )


async def track_elsewhere(
    client: ShipStationClient,
    label: Label,
    *,
    replaced_by: str | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
    now: datetime | None = None,
) -> TrackingSummary:
    """A label of a family that gives no tracking status (V1): tracked through the second key's API when one is
    configured (`client.tracker`), else answered with what is known and the carrier's page, never a guessed status."""
    facts = label_facts(label, replaced_by=replaced_by)
    tracker = client.tracker
    if tracker is None:
        why = NO_TRACKING.format(api=client.family.title)
        return untracked_summary(label, facts, why=why)
    info, failure = await _tracked_by(tracker, label)
    if info is None:
        return untracked_summary(label, facts, why=failure)
    _fill_from_label(info, label)
    return summarize_tracking(info, label=facts, max_events=max_events, now=now)


NO_TRACKING = (
    "{api} gives no tracking status, only the tracking number and carrier. Set SHIPSTATION_TRACKING_API and "
    "SHIPSTATION_TRACKING_API_KEY (a ShipStation API V2 or ShipEngine key of the same account) to see where "
    "packages are; until then the carrier's own page answers."
)


async def _tracked_by(tracker: ShipStationClient, label: Label) -> tuple[TrackingInfo | None, str]:
    """The tracking answer of the tracking key's API, or None and why not. By number where that API tracks any
    number; else by label (`se-<shipmentId>`, ShipStation's migration guide pairs the ids), for ShipStation labels."""
    number, carrier = label.tracking_number, label.carrier_code
    title = tracker.family.title
    if not number:
        return None, "There is no tracking number to track."
    try:
        if tracker.family.can("track_by_number") and carrier:
            return await tracker.track(carrier, normalize_tracking_number(number)), ""
        if tracker.family.can("track_by_label") and (label.label_id or "").isdigit():
            return await tracker.track_label(f"se-{label.label_id}"), ""
    except (ShipStationError, InvalidInput) as exc:
        status = f" (HTTP {exc.status})" if isinstance(exc, ShipStationError) and exc.status else ""
        logger.info("The tracking key's API could not track %s: %s", number, type(exc).__name__)
        return None, f"{title} (the tracking key) could not track {number}{status}; the carrier's own page answers."
    return None, (
        f"{title} (the tracking key) tracks only its own labels by id, and this package was marked shipped outside "
        "ShipStation's labels; the carrier's own page answers."
    )


def voided_summary(label: Label, *, replaced_by: str | None, now: datetime | None = None) -> TrackingSummary:
    """A voided label's answer without asking the carrier: nothing was sent with it."""
    info = TrackingInfo(
        tracking_number=label.tracking_number, carrier_code=label.carrier_code, tracking_url=label.tracking_url
    )
    return summarize_tracking(info, label=label_facts(label, replaced_by=replaced_by), max_events=0, now=now)


def label_facts(label: Label, *, replaced_by: str | None) -> LabelFacts:
    return LabelFacts(
        label_id=label.label_id,
        created_at=label.created_at,
        voided=is_voided(label),
        replaced_by=replaced_by,
        return_label=bool(label.is_return_label),
    )


def is_voided(label: Label) -> bool:
    return bool(label.voided) or (label.status or "").lower() == "voided"


async def replacement_of(client: ShipStationClient, label: Label) -> str | None:
    """The label that took a voided one's place in the same shipment, if there is one."""
    if not label.shipment_id:
        return None
    try:
        shipment_id = api_id(label.shipment_id, what="shipment id")
        siblings = (await client.list_labels(shipment_id=shipment_id, page_size=100)).labels
    except (ShipStationError, LookupFailed) as exc:  # the replacement is a courtesy; the voided label is the answer
        logger.info("Could not look for the replacement of label %s: %s", label.label_id, type(exc).__name__)
        return None
    return next(
        (s.label_id for s in siblings if s.label_id and s.label_id != label.label_id and not is_voided(s)), None
    )


def _fill_from_label(info: TrackingInfo, label: Label | None) -> None:
    if label is None:
        return
    info.tracking_number = info.tracking_number or label.tracking_number
    info.carrier_code = info.carrier_code or label.carrier_code
    info.tracking_url = info.tracking_url or label.tracking_url
    info.ship_date = info.ship_date or label.ship_date


async def find_labels(client: ShipStationClient, tracking_number: str) -> list[Label]:
    """The account's labels carrying `tracking_number` (on the label or one of its packages), newest first."""
    result = await client.list_labels(tracking_number=tracking_number, sort_dir="desc", page_size=25)
    # Only exact matches: tracking some other package than the one asked about would be worse than nothing.
    return [label for label in result.labels if tracking_number in {n.upper() for n in label.tracking_numbers}]


async def map_labels(client: ShipStationClient, numbers: Collection[str]) -> dict[str, Label]:
    """The newest of the account's labels for each of `numbers` (normalized), from as few requests as possible.

    One page of the label listing (newest first) answers up to a hundred numbers at once, where `find_labels`
    costs a request per number. Pages are read while numbers are unmatched, up to half as many pages as there are
    numbers (so the listing never costs more than the searches it saves) and `MAX_LISTING_PAGES`: the first, then the
    rest together when numbers are still unmatched (2 round trips). The numbers it leaves unmatched (older labels,
    or none at all) are for `find_labels`.
    """
    wanted = set(numbers)
    found: dict[str, Label] = {}
    last = min(MAX_LISTING_PAGES, len(wanted) // 2)
    if not wanted or last < 1:
        return found

    def take(result: LabelList) -> None:
        for label in result.labels:
            if not label.label_id:
                continue
            for number in {n.upper() for n in label.tracking_numbers} & wanted:
                found.setdefault(number, label)  # pages are newest first: the first match is the newest label

    def listing(page: int) -> Awaitable[LabelList]:
        return client.list_labels(page=page, page_size=LISTING_PAGE_SIZE, sort_by="created_at", sort_dir="desc")

    first = await listing(1)
    take(first)
    # The other pages together (one round trip), in page order so the newest label of a number wins.
    more = min(last, first.pages or 1) if first.labels and len(found) < len(wanted) else 1
    for result in await asyncio.gather(*(listing(page) for page in range(2, more + 1))):
        take(result)
    return found


async def track_package(
    client: ShipStationClient,
    tracking_number: str,
    carrier_code: str | None = None,
    *,
    max_events: int = DEFAULT_MAX_EVENTS,
    now: datetime | None = None,
) -> TrackingSummary:
    """Track any package by its number.

    ShipEngine (`/v1`): with a carrier (given, or clear from the number's format) ask `GET /tracking`; if that
    knows nothing, or the carrier is unclear, use the account's label with that number.
    ShipStation V2: use the account's label with that number (the V2 API tracks by label); if there is none and a
    carrier is known, try `GET /v2/tracking`, which V2 has announced.

    Floor in round trips (tests/lookups/test_round_trips.py): 1 by carrier or by label id; 2 through the account's
    label (the label search, then its track answer).
    """
    text = split_pasted(tracking_number)[0]
    if SHIPSTATION_ID.match(text):  # unambiguous: ShipStation's own ids are never tracking numbers
        summary = await track_label(client, text.lower(), max_events=max_events, now=now)
        summary.note = f"{text} is a ShipStation label id, so that label was tracked."
        return summary
    if ORDER_NUMBER.match(text):
        raise LookupFailed(
            f"{text!r} looks like an order number, not a tracking number (those are 10 or more characters). Call "
            f"find_order(query={text!r}): it finds the order and tracks each of its packages."
        )
    number = normalize_tracking_number(tracking_number)
    given = normalize_carrier_code(carrier_code) if carrier_code else None
    carrier = given or split_pasted(tracking_number)[1] or infer_carrier(number)  # 'UPS 1Z…' names its carrier
    typed = " ".join(text.split())  # as the person typed it, for messages

    if client.family.can("track_by_number"):
        if carrier:
            try:
                info = await client.track(carrier, number)
                return summarize_tracking(info, max_events=max_events, now=now)
            except (NotFoundError, RequestRejectedError) as exc:
                if given:
                    raise _carrier_lookup_failed(number, carrier, exc) from None
                logger.info("Tracking by inferred carrier failed (HTTP %s); trying the account's labels", exc.status)
        labels = await find_labels(client, number)
        if labels:
            _same_carrier(given, labels[0], typed)
            return await track_found_label(client, labels[0], number, max_events=max_events, now=now)
        raise await _unknown_carrier(client, typed, carrier)

    labels = await find_labels(client, number)
    if labels:
        _same_carrier(given, labels[0], typed)
        return await track_found_label(client, labels[0], number, max_events=max_events, now=now)
    if carrier and not client.family.can("track_by_label"):  # no label here, and no tracking of its own (V1)
        package = Label(tracking_number=number, carrier_code=carrier, tracking_url=tracking_link(carrier, number))
        return await track_elsewhere(client, package, max_events=max_events, now=now)
    if carrier:
        try:
            info = await client.track(carrier, number)
        except (NotFoundError, RequestRejectedError) as exc:
            raise LookupFailed(
                f"No label in this ShipStation account has tracking number {typed}, and ShipStation API V2 "
                f"could not track it with carrier {carrier!r} either (HTTP {exc.status}). If the package was "
                "shipped outside ShipStation, a ShipEngine key (SHIPSTATION_API=shipengine) can track it by "
                "carrier; otherwise check the number."
            ) from None
        return summarize_tracking(info, max_events=max_events, now=now)
    raise await _unknown_carrier(client, typed, None)


USPS_CODES = frozenset({"usps", "stamps_com", "endicia"})
"""Carrier codes that all mean USPS (ShipStation buys USPS labels through Stamps.com or Endicia)."""


def _same_carrier(given: str | None, label: Label, typed: str) -> None:
    """A carrier_code that contradicts the account's own label for the number is refused, not silently ignored."""
    actual = (label.carrier_code or "").lower()
    if not given or not actual or given == actual or {given, actual} <= USPS_CODES:
        return
    raise LookupFailed(
        f"{typed} is this account's {actual} label{f' {label.label_id}' if label.label_id else ''}, not a {given} "
        f"package, so carrier_code "
        f"{given!r} does not fit. Leave carrier_code out (the label says which carrier), or check the number."
    )


async def track_found_label(
    client: ShipStationClient, label: Label, number: str, *, max_events: int, now: datetime | None
) -> TrackingSummary:
    if not label.label_id:
        raise LookupFailed(f"ShipStation found a label for {number} but gave no label id to track it by.")
    label_id = api_id(label.label_id, what="label id")
    summary = await track_label(client, label_id, label=label, max_events=max_events, now=now)
    if label.tracking_number and number != label.tracking_number.upper():
        boxes = [p for p in label.packages if p.tracking_number]
        which = next((i for i, p in enumerate(boxes, 1) if (p.tracking_number or "").upper() == number), None)
        position = f"package {which} of {len(boxes)}" if which else "a package"
        summary.note = (
            f"{number} is {position} on label {label.label_id}; ShipStation tracks the label as a whole, under "
            f"its first number {label.tracking_number}."
        )
    return summary


def _carrier_lookup_failed(number: str, carrier: str, exc: NotFoundError | RequestRejectedError) -> LookupFailed:
    said = f" ShipStation said: {full_stop(exc.detail)}" if exc.detail else ""
    return LookupFailed(
        f"Carrier {carrier!r} has no tracking for {number} (HTTP {exc.status}).{said} Check the number and the "
        "carrier code (list_carriers shows the account's carriers), or leave carrier_code out to let the number's "
        f"format and the account's labels decide.{exc.reference}"
    )


async def _unknown_carrier(client: ShipStationClient, number: str, tried: str | None) -> LookupFailed:
    try:
        codes = sorted({c.carrier_code for c in await client.list_carriers() if c.carrier_code})
    except Exception as exc:  # the hint is a courtesy; the real answer is the LookupFailed below
        logger.info("Could not list carriers for the hint: %s", type(exc).__name__)
        codes = []
    choices = ", ".join(codes or COMMON_CARRIER_CODES)
    source = "this account's carriers" if codes else "common carrier codes"
    why = f"carrier {tried!r} has no record of it" if tried else "its format does not say which carrier it belongs to"
    return LookupFailed(
        f"Could not track {number}: no label in this account has that number and {why}. "
        f"Call track_package again with carrier_code set to one of {source}: {choices} (see list_carriers)."
    )


async def set_watch(client: ShipStationClient, tracking_number: str, carrier_code: str, *, watch: bool) -> WatchChange:
    """Start (`watch=True`) or stop ShipStation's tracking updates for a package."""
    number = normalize_tracking_number(tracking_number)
    carrier = normalize_carrier_code(carrier_code)
    if watch and not client.family.can("watch"):
        return await _watch_on_v2(client, number, carrier)
    if watch:
        await client.start_tracking(carrier, number)
        headline = f"ShipStation is now watching {number} ({carrier}) for tracking updates."
        how = (
            "Updates are pushed to the account's `track` webhook (set one up in ShipStation, or with "
            "setup_tracking_webhook where available). ShipStation stops watching by itself once the package is "
            "delivered or hits an exception; call unsubscribe_tracking to stop sooner."
        )
    else:
        await client.stop_tracking(carrier, number)
        headline = f"ShipStation stopped watching {number} ({carrier})."
        how = "No more updates will be pushed for this package; track_package still answers on demand."
    return WatchChange(
        headline=headline, tracking_number=number, carrier_code=carrier, subscribed=watch, how_updates_arrive=how
    )


async def _watch_on_v2(client: ShipStationClient, number: str, carrier: str) -> WatchChange:
    """ShipStation API V2 has no call to start updates (its spec has `/v2/tracking/stop` only): it pushes
    `track_event_v2` for every label of the account once a tracking webhook exists. So a number is watched exactly
    when it is one of the account's labels."""
    labels = await find_labels(client, number)
    if not labels:
        raise LookupFailed(
            f"ShipStation API V2 cannot watch {number}: it pushes updates only for this account's own labels (its "
            "API has no call to start watching other numbers), and no label here has that number. A ShipEngine key "
            "(SHIPSTATION_API=shipengine) can watch any number; track_package still answers on demand."
        )
    label = labels[0]
    return WatchChange(
        headline=f"{number} ({carrier}) is label {label.label_id} of this account, so ShipStation pushes its updates.",
        tracking_number=number,
        carrier_code=carrier,
        subscribed=True,
        how_updates_arrive=(
            "On ShipStation API V2 there is nothing to start: ShipStation sends a track_event_v2 update for every "
            "label of the account to its tracking webhook, once one exists (check with list_webhooks; create it "
            "with setup_tracking_webhook, event track_event_v2)."
        ),
    )
