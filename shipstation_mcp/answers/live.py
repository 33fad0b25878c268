"""Answers about live tracking: starting or stopping ShipStation's updates for a package ("watching" it), the
watched packages, and the updates ShipStation pushed. No I/O.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from .base import Answer, AnswerPart
from .format import format_time
from .quoting import quote
from .tracking import TrackingSummary, tracking_text

__all__ = [
    "LatestTracking",
    "TrackedPackage",
    "TrackedPackages",
    "TrackingUpdate",
    "TrackingUpdates",
    "WatchChange",
    "WatchResult",
]


class WatchChange(Answer):
    # What ShipStation answered to a start or stop of its tracking updates for one package.
    headline: str
    tracking_number: str
    carrier_code: str
    subscribed: bool = Field(description="True after start, False after stop")
    how_updates_arrive: str

    def text(self) -> str:
        return f"{self.headline}\n{self.how_updates_arrive}"


class WatchResult(WatchChange):
    recorded_locally: bool = Field(description="The watch is recorded in this server's event store")


class TrackedPackage(AnswerPart):
    tracking_number: str
    carrier_code: str | None = None
    watching: bool = Field(description="True while ShipStation should still push updates for it")
    stopped_because: Literal["delivered", "exception", "unsubscribed"] | None = None
    stopped_at: datetime | None = None
    since: datetime = Field(description="When watching began (or the first update arrived)")
    started_by: str = Field(description="subscribe_tracking, or webhook when an update arrived unasked")
    status_code: str | None = None
    status: str | None = Field(None, description="Latest known status, in words")
    meaning: str | None = None
    status_changed_at: datetime | None = Field(None, description="When the latest known status began")
    last_update_received_at: datetime | None = None
    updates_received: int = 0

    def line(self) -> str:
        state = "watching" if self.watching else f"stopped ({self.stopped_because})"
        status = quote(self.status) or "no update yet"
        changed = f" since {format_time(self.status_changed_at)}" if self.status_changed_at else ""
        carrier = f" ({self.carrier_code})" if self.carrier_code else ""
        return f"- {self.tracking_number}{carrier}: {status}{changed}; {state}; {self.updates_received} update(s)"


class TrackedPackages(Answer):
    headline: str
    packages: list[TrackedPackage] = Field(default_factory=list)
    total: int = Field(0, description="Packages matching in all (this page holds at most `limit`)")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last page")

    def text(self) -> str:
        return "\n".join([self.headline, *(p.line() for p in self.packages)])


class TrackingUpdate(AnswerPart):
    received_at: datetime = Field(description="When the webhook delivered this update (UTC)")
    resource_type: str | None = Field(None, description="API_TRACK (ShipEngine) or TRACK_EVENT_V2 (V2)")
    summary: TrackingSummary


class TrackingUpdates(Answer):
    headline: str
    tracking_number: str | None = None
    since: datetime | None = None
    updates: list[TrackingUpdate] = Field(default_factory=list, description="Newest received first")
    more_updates: int = Field(0, description="Matching updates left out by `limit`")
    hint: str | None = Field(None, description="What to check when no updates arrive")
    total: int = Field(0, description="Matching updates in all")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next (older) page; null on the last")

    def text(self) -> str:
        blocks = [self.headline]
        for update in self.updates:
            blocks.append(f"Received {format_time(update.received_at)}:\n{tracking_text(update.summary)}")
        if self.hint:
            blocks.append(self.hint)
        return "\n\n".join(blocks)


class LatestTracking(Answer):
    """The resource shipstation://tracking/{tracking_number}: the newest update received for one package."""

    tracking_number: str
    known: bool = Field(description="False until a webhook delivered an update for this number")
    headline: str
    received_at: datetime | None = None
    watching: bool | None = None
    summary: TrackingSummary | None = None

    def text(self) -> str:
        return tracking_text(self.summary) if self.summary else self.headline
