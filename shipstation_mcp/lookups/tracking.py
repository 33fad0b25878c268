"""Tracking lookups: by label, by tracking number (with or without a carrier), and update subscriptions.

Plain async functions over a `ShipStationClient`; they return summaries and raise `ShipStationError`,
`InvalidInput` or `LookupFailed`, whose messages tell the assistant what to try next.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from datetime import datetime

from ..answers.live import WatchChange
from ..answers.tracking import DEFAULT_MAX_EVENTS, STALLED_AFTER_HOURS, LabelFacts, TrackingSummary, summarize_tracking
from ..api.client import ShipStationClient
from ..api.ids import SHIPSTATION_ID, api_id, infer_carrier, normalize_carrier_code, normalize_tracking_number
from ..api.models import Label, TrackingInfo
from ..errors import LookupFailed, NotFoundError, RequestRejectedError, ShipStationError

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
) -> TrackingSummary:
    """Track the package of one of the account's labels (`label`, when the caller has it, saves a request).

    One request: the track answer carries the carrier, the number and the carrier's tracking page. Only when it
    lacks one of them (some carriers leave them out) does the label supply it, at one more request.
    """
    try:
        info = await client.track_label(label_id)
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
    facts = LabelFacts(label_id=label_id)
    if label is not None:
        voided = is_voided(label)
        facts = LabelFacts(
            label_id=label_id,
            created_at=label.created_at,
            voided=voided,
            replaced_by=await replacement_of(client, label) if voided and replaced_by is None else replaced_by,
            return_label=bool(label.is_return_label),
        )
    return summarize_tracking(
        info, label=facts, max_events=max_events, now=now, stalled_after_hours=stalled_after_hours
    )


def voided_summary(label: Label, *, replaced_by: str | None, now: datetime | None = None) -> TrackingSummary:
    """A voided label's answer without asking the carrier: nothing was sent with it."""
    info = TrackingInfo(
        tracking_number=label.tracking_number, carrier_code=label.carrier_code, tracking_url=label.tracking_url
    )
    facts = LabelFacts(
        label_id=label.label_id,
        created_at=label.created_at,
        voided=True,
        replaced_by=replaced_by,
        return_label=bool(label.is_return_label),
    )
    return summarize_tracking(info, label=facts, max_events=0, now=now)


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
    numbers (so the listing never costs more than the searches it saves) and `MAX_LISTING_PAGES`; the numbers it
    leaves unmatched (older labels, or none at all) are for `find_labels`.
    """
    wanted = set(numbers)
    found: dict[str, Label] = {}
    last = min(MAX_LISTING_PAGES, len(wanted) // 2)
    page = 1
    while wanted and page <= last:
        result = await client.list_labels(page=page, page_size=LISTING_PAGE_SIZE, sort_by="created_at", sort_dir="desc")
        for label in result.labels:
            if not label.label_id:
                continue
            for number in {n.upper() for n in label.tracking_numbers} & wanted:
                found[number] = label
                wanted.discard(number)
        if page >= (result.pages or 1) or not result.labels:
            break
        page += 1
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
    """
    text = tracking_number.strip()
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
    carrier = given or infer_carrier(number)

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
            return await track_found_label(client, labels[0], number, max_events=max_events, now=now)
        raise await _unknown_carrier(client, number, carrier)

    labels = await find_labels(client, number)
    if labels:
        return await track_found_label(client, labels[0], number, max_events=max_events, now=now)
    if carrier:
        try:
            info = await client.track(carrier, number)
        except (NotFoundError, RequestRejectedError) as exc:
            raise LookupFailed(
                f"No label in this ShipStation account has tracking number {number}, and ShipStation API V2 "
                f"could not track it with carrier {carrier!r} either (HTTP {exc.status}). If the package was "
                "shipped outside ShipStation, a ShipEngine key (SHIPSTATION_API=shipengine) can track it by "
                "carrier; otherwise check the number."
            ) from None
        return summarize_tracking(info, max_events=max_events, now=now)
    raise await _unknown_carrier(client, number, None)


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
    said = f" ShipStation said: {exc.detail}." if exc.detail else ""
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
