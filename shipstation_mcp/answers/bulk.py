"""Answers about many packages at once: `track_packages`' roll-up and per-package results, and the support queue
of `shipments_needing_attention`. No I/O.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from pydantic import Field

from .base import AnswerPart, CacheAge, CachedAnswer
from .format import format_time
from .quoting import quote
from .tracking import TrackingSummary

__all__ = [
    "FLAGGED_OUTCOMES",
    "OUTCOMES",
    "PROBLEMS",
    "AttentionItem",
    "AttentionReport",
    "BulkTrackingResult",
    "Coverage",
    "PackageRef",
    "PackageResult",
    "attention_headline",
    "attention_text",
    "bulk_text",
    "clip_query",
    "duplicate_result",
    "outcome_of",
    "reason_of",
    "rollup",
    "status_words",
]

MAX_QUERY_CHARS = 64


class PackageRef(AnswerPart):
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
    "awaiting_pickup": ("waiting for pickup", "waiting for pickup"),
    "in_transit": ("in transit", "in transit"),
    "delivery_attempt": ("delivery attempt", "delivery attempts"),
    "exception": ("exception", "exceptions"),
    "not_yet_scanned": ("not yet scanned", "not yet scanned"),
    "voided": ("voided label", "voided labels"),
    "unknown": ("status unknown", "status unknown"),
    "not_found": ("not found", "not found"),
    "invalid": ("invalid", "invalid"),
    "failed": ("failed", "failed"),
    "duplicate": ("duplicate", "duplicates"),
}
FLAGGED_OUTCOMES = frozenset({"exception", "delivery_attempt", "awaiting_pickup"})
"""Outcomes that need someone to act whatever the reasons list says."""
PICKUP_DETAIL_CODES = frozenset(
    {
        "AWAITING_COLLECTION_FROM_PICKUP_POINT",
        "COLLECT_AT_LOCAL_PO",
        "CUSTOMER_TO_COLLECT_FROM_CARRIER",
        "DELIVERED_TO_LOCKER_COLLECTION_POINT",
        "DELIVERED_TO_PICKUP_POINT",
    }
)
"""Detail codes of a package waiting at a collection point (post office, locker, shop) for its recipient."""


class PackageResult(CacheAge):
    index: int = Field(description="Position in the request, from 0")
    query: str = Field(description="What was asked: the tracking number or label id as sent")
    outcome: str = Field(description=", ".join(OUTCOMES))
    headline: str | None = Field(None, description="One line to say aloud (absent on error)")
    duplicate_of: int | None = Field(
        None, description="For a package asked for twice: the index of the item that answers it (counted once)"
    )
    tracking_number: str | None = None
    carrier_code: str | None = None
    label_id: str | None = None
    shipment_id: str | None = None
    order_number: str | None = Field(None, description="The order this package belongs to, when known")
    customer: str | None = Field(None, description="Who it is for, when known")
    status_code: str | None = None
    attention: list[str] | None = Field(None, description="Reasons this package needs a look")
    estimated_delivery: datetime | None = None
    actual_delivery: datetime | None = None
    tracking_url: str | None = None
    error: str | None = Field(None, description="Why this item has no tracking, and what to do")


class BulkTrackingResult(CachedAnswer):
    headline: str = Field(description="Roll-up, e.g. '80 packages: 61 delivered, 12 in transit, 4 exceptions'")
    counts: dict[str, int] = Field(default_factory=dict, description="Packages per outcome")
    needs_attention: list[int] = Field(
        default_factory=list, description="Indexes of tracked packages with an exception or another problem"
    )
    results: list[PackageResult] = Field(default_factory=list, description="One per package, in request order")

    def text(self) -> str:
        return bulk_text(self)


def outcome_of(summary: TrackingSummary) -> str:
    code = summary.status_code
    if summary.voided:
        return "voided"
    if code == "SP" or (summary.detail_code or "") in PICKUP_DETAIL_CODES:
        return "awaiting_pickup"
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


def clip_query(text: str) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text.strip())
    return text if len(text) <= MAX_QUERY_CHARS else text[: MAX_QUERY_CHARS - 1] + "…"


def rollup(counts: dict[str, int], total: int, flagged: int) -> str:
    """'5 packages: 3 delivered, 1 in transit, 1 exception — 1 needs attention (1 duplicate answered once)':
    a package asked for twice is one package."""
    repeats = counts.get("duplicate", 0)
    parts = [f"{n} {OUTCOMES[outcome][0 if n == 1 else 1]}" for outcome, n in counts.items() if outcome != "duplicate"]
    total -= repeats
    noun = "package" if total == 1 else "packages"
    text = f"{total} {noun}: " + ", ".join(parts)
    if flagged:
        text += f" — {flagged} need{'s' if flagged == 1 else ''} attention"
    if repeats:
        text += f" ({repeats} duplicate{'s' if repeats != 1 else ''} answered once)"
    return text


def duplicate_result(index: int, query: str, first: "PackageResult") -> "PackageResult":
    """The answer to an item that repeats an earlier one (after normalising): named, pointed at, not counted."""
    return PackageResult(
        index=index,
        query=query,
        outcome="duplicate",
        headline=f"Duplicate of item [{first.index}] ({first.query}): answered there",
        duplicate_of=first.index,
        tracking_number=first.tracking_number,
        label_id=first.label_id,
    )


def status_words(result: PackageResult) -> str:
    """The result's outcome as said in a table's status column."""
    return OUTCOMES.get(result.outcome, (result.outcome, ""))[0]


def reason_of(result: PackageResult) -> str | None:
    """Why the result needs a look (or has no answer), in one line for a table's reason column."""
    if result.attention:
        return "; ".join(reason.rstrip(".") for reason in result.attention)
    return result.error


def bulk_text(result: BulkTrackingResult) -> str:
    lines = [result.headline]
    for r in result.results:
        order = (
            f" (order {r.order_number}" + (f", {quote(r.customer)})" if r.customer else ")") if r.order_number else ""
        )
        line = f"[{r.index}] {r.query}{order}: {r.headline or r.error}"
        if r.attention:
            line += " — needs attention: " + "; ".join(reason.rstrip(".") for reason in r.attention)
        lines.append(line)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- the support queue

PROBLEMS: dict[str, str] = {
    "exception": "carrier exception",
    "returned_to_sender": "returned to sender",
    "delivery_attempt": "delivery attempt",
    "awaiting_pickup": "waiting for pickup",
    "action_needed": "action needed",
    "never_scanned": "never scanned",
    "no_recent_scan": "no recent scan",
    "past_estimated_delivery": "past estimated delivery",
}
RETURN_CODES = frozenset({"RETURN_TO_SENDER", "UNDELIVERABLE_RETURNED_TO_SENDER", "RETURNED_TO_SENDER"})


class AttentionItem(AnswerPart):
    rank: int = Field(description="1 is the most urgent")
    problem: str = Field(description="The most urgent problem: " + ", ".join(PROBLEMS))
    reasons: list[str] = Field(description="Every reason this package needs a look")
    headline: str
    status: str | None = Field(None, description="Where the package stands: " + ", ".join(OUTCOMES))
    label_id: str | None = None
    shipment_id: str | None = None
    order_number: str | None = Field(None, description="The order this package belongs to, when known")
    customer: str | None = Field(None, description="Who it is for, when known")
    tracking_number: str | None = None
    carrier_code: str | None = None
    status_code: str | None = None
    label_created_at: datetime | None = None
    hours_since_last_scan: float | None = None
    estimated_delivery: datetime | None = None
    tracking_url: str | None = None


class AttentionReport(CachedAnswer):
    headline: str
    since: datetime
    until: datetime
    labels_checked: int = Field(description="Labels created in the period (of the store, if one was given)")
    delivered: int = Field(0, description="Labels already delivered per the labels list: not tracked again")
    voided: int = Field(0, description="Voided labels: skipped")
    tracked: int = Field(0, description="Labels tracked to look for problems")
    not_tracked: int = Field(0, description="Candidates left untracked (max_tracked, or the rate budget: see note)")
    complete: bool = Field(
        True,
        description="False when only part of the period was judged: the headline names the part read and tracked",
    )
    items: list[AttentionItem] = Field(default_factory=list, description="Most urgent first")
    could_not_check: list[str] = Field(default_factory=list, description="Labels whose tracking failed, and why")
    note: str | None = Field(None, description="Limits that applied (pages, max_tracked)")

    def text(self) -> str:
        return attention_text(self)


PLURAL_PROBLEMS = {
    "exception": "carrier exceptions",
    "delivery_attempt": "delivery attempts",
    "no_recent_scan": "with no recent scan",
    "past_estimated_delivery": "past the estimated delivery day",
}


def _counted(kind: str, count: int) -> str:
    if kind == "past_estimated_delivery":
        return PLURAL_PROBLEMS[kind]
    return PLURAL_PROBLEMS.get(kind, PROBLEMS[kind]) if count != 1 else PROBLEMS[kind]


@dataclass(frozen=True)
class Coverage:
    """What part of the period a support queue judged."""

    since: datetime
    until: datetime
    shipped: int
    """Labels read (not voided) in the period."""
    labels_read: int
    labels_in_period: int | None
    """All labels the listing counted in the period (None when it did not say)."""
    read_through: datetime | None
    """Set when only the oldest labels were read: when the newest of them was created."""
    tracked: int
    undelivered: int
    """Labels read that were not yet delivered (the candidates to track)."""
    from_pushes: int | None = None
    """With the account index: packages judged from a fresh pushed update (None without the index)."""

    @property
    def judged(self) -> int:
        return self.tracked + (self.from_pushes or 0)

    @property
    def complete(self) -> bool:
        return self.read_through is None and self.judged >= self.undelivered

    def part(self) -> str:
        """The part judged, in words, when it is not the whole period."""
        day = lambda t: format_time(t, with_time=False)  # noqa: E731
        labels = f"labels created {day(self.since)} – {day(self.until)}"
        if self.read_through is not None:
            of = f"{self.labels_in_period:,}" if self.labels_in_period else "more"
            labels = (
                f"the oldest {self.labels_read:,} of {of} {labels} (created up to {format_time(self.read_through)})"
            )
        if self.from_pushes is not None:
            judged = f"judged {self.judged:,} of {self.undelivered:,} not yet delivered"
            return f"{judged} ({self.from_pushes:,} from fresh pushes, {self.tracked:,} tracked) among {labels}"
        return f"tracked {self.tracked:,} of {self.undelivered:,} not yet delivered among {labels}"


def attention_headline(needing: int, problems: Counter[str], coverage: Coverage) -> str:
    """`needing`: how many packages need attention (the answer may list fewer)."""
    period = f"{format_time(coverage.since, with_time=False)} – {format_time(coverage.until, with_time=False)}"
    parts = ", ".join(f"{problems[kind]} {_counted(kind, problems[kind])}" for kind in PROBLEMS if problems[kind])
    if coverage.complete:
        judged = f" ({coverage.part()})" if coverage.from_pushes is not None else ""
        if not needing:
            return f"No package of the {coverage.shipped:,} shipped {period} needs attention{judged}."
        return f"{needing:,} of {coverage.shipped:,} packages shipped {period} need attention: {parts}{judged}"
    how = "judged" if coverage.from_pushes is not None else "tracked"
    if not needing:
        return f"None of the {coverage.judged:,} packages {how} needs attention ({coverage.part()})."
    return f"{needing:,} of the {coverage.judged:,} packages {how} need attention: {parts} ({coverage.part()})."


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
        if item.order_number:
            where = (
                f"order {item.order_number}" + (f" for {quote(item.customer)}" if item.customer else "") + f", {where}"
            )
        lines.append(f"{item.rank}. [{PROBLEMS[item.problem]}] {ident} — {where}: {item.headline}")
        lines.extend(f"   - {reason}" for reason in item.reasons)
    if report.could_not_check:
        lines.append("Could not check: " + "; ".join(report.could_not_check))
    if report.note:
        lines.append(report.note)
    return "\n".join(lines)
