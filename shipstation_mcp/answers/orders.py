"""The whole story of one order in one answer: the shipment, every label, every package's tracking. No I/O."""

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field

from ..times import to_utc
from .base import CachedAnswer
from .bulk import OUTCOMES, outcome_of
from .quoting import quote
from .shipments import ShipmentSummary, shipment_text
from .tracking import TrackingSummary, tracking_text
from .untracked import NO_STATUS

__all__ = ["MatchedAs", "OrderAnswer", "order_headline", "with_tracking"]

MatchedAs = Literal["order number", "external id", "shipment id", "label id", "tracking number"]


class OrderAnswer(CachedAnswer):
    headline: str = Field(description="One line to say aloud: the order and the most important fact about it")
    query: str = Field(description="What was asked, as sent")
    matched_as: MatchedAs = Field(description="How the query was recognised")
    tried: list[str] = Field(default_factory=list, description="Interpretations tried, in order, and what each found")
    shipment: ShipmentSummary
    packages: list[TrackingSummary] = Field(
        default_factory=list, description="Live tracking of each label, voided ones marked with their replacement"
    )
    other_shipments: list[str] = Field(
        default_factory=list, description="Other shipment ids that matched too (ask which one is meant)"
    )

    def text(self) -> str:
        blocks = [self.headline]
        if self.tried and len(self.tried) > 1:
            blocks.append("Recognised as " + self.matched_as + " (tried: " + "; ".join(self.tried) + ").")
        if self.other_shipments:
            blocks.append("Also matched: " + ", ".join(self.other_shipments) + " (find_order with one of them).")
        blocks.append(shipment_text(self.shipment))
        blocks += [tracking_text(p) for p in self.packages]
        return "\n\n".join(blocks)


def order_headline(shipment: ShipmentSummary, packages: list[TrackingSummary]) -> str:
    """The order, then what matters most: one package's own headline, or the roll-up with the urgent ones first."""
    name = f"Order {shipment.shipment_number}" if shipment.shipment_number else f"Shipment {shipment.shipment_id}"
    to = ""
    if shipment.ship_to:
        person = quote(shipment.ship_to.name or shipment.ship_to.company)
        to = " for " + ", ".join(part for part in (person, shipment.ship_to.place) if part)
    live = [p for p in packages if not p.voided]
    if not live:
        status = shipment.not_shipped or shipment.status_meaning or "status unknown"
        voided = f"; its only label{'s were' if len(packages) > 1 else ' was'} voided" if packages else ""
        return f"{name}{to}: {status}{voided}"
    if all(p.status_description == NO_STATUS for p in live):  # an API without tracking (V1): the order's own status
        pages = [p.tracking_url for p in live if p.tracking_url]
        where = f"; the carrier's page: {pages[0]}" if len(pages) == 1 else "; each package's carrier page is below"
        return f"{shipment.headline} — this account's API gives no tracking status" + (where if pages else "")
    if len(live) == 1:
        return f"{name}{to}: {live[0].headline}"
    counts = Counter(outcome_of(p) for p in live)
    parts = [f"{n} {OUTCOMES[o][0 if n == 1 else 1]}" for o, n in counts.items()]
    urgent = [p for p in live if p.action_needed or p.exception]
    first = f" — needs attention: {urgent[0].tracking_number}: {urgent[0].headline}" if urgent else ""
    return f"{name}{to}: {len(live)} packages, " + ", ".join(parts) + first


def with_tracking(
    shipment: ShipmentSummary, packages: list[TrackingSummary], *, now: datetime | None = None
) -> ShipmentSummary:
    """The shipment as shown beside its packages' live tracking: a label's own tracking status (ShipStation's older
    copy) gives way to the package's fresh one, and the next step never suggests tracking what is already tracked."""
    tracked = {p.label_id for p in packages if p.label_id and not p.voided}
    for label in shipment.labels:
        if label.label_id in tracked:
            label.tracking_status = label.tracking_meaning = None
    live = [lbl.label_id for lbl in shipment.labels if lbl.label_id and not lbl.voided]
    untracked = [label_id for label_id in live if label_id not in tracked]
    if untracked:
        shipment.next_step = f"Call track_label with {', '.join(untracked)} for the latest carrier scans."
    elif tracked:
        shipment.next_step = None
    live = [p for p in packages if not p.voided]
    if live:
        days = [_local_day(p.actual_delivery, p.utc_offset) for p in live if p.delivered and p.actual_delivery]
        shipment._delivered_days = days
        shipment._undelivered = sum(1 for p in live if not p.delivered)
        if now is not None:
            shipment._judged_at = now
    return shipment


def _local_day(moment: datetime, offset: str | None) -> date:
    """The day `moment` (UTC) falls on at the package's UTC offset ('-07:00'), or in UTC when none is known."""
    shift = timedelta(0)
    if offset and len(offset) == 6 and offset[0] in "+-":
        shift = (-1 if offset[0] == "-" else 1) * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    return (to_utc(moment) + shift).date()
