"""Answers about the account's webhooks: where the tracking webhook points, and what setting it up did."""

from typing import Literal

from pydantic import Field

from .base import Answer, AnswerPart
from .quoting import quote

__all__ = ["TRACK_EVENTS", "TrackEvent", "WebhookListing", "WebhookRow", "WebhookSetup"]

TRACK_EVENTS = ("track", "track_event_v2")
TrackEvent = Literal["track", "track_event_v2"]


class WebhookRow(AnswerPart):
    webhook_id: str | None = None
    event: str | None = None
    url: str | None = None
    name: str | None = None
    delivers_tracking: bool = Field(description="A track webhook: tracking updates go to its url")
    path_matches_receiver: bool | None = Field(
        None, description="The url's path is the one this server's receiver listens on"
    )


class WebhookListing(Answer):
    headline: str
    receiver_path: str
    webhooks: list[WebhookRow] = Field(default_factory=list)

    def text(self) -> str:
        rows = [
            f"- {r.event}: {quote(r.url)} ({r.webhook_id})" + (f", named {quote(r.name)}" if r.name else "")
            for r in self.webhooks
        ]
        return "\n".join([self.headline, *rows])


class WebhookSetup(Answer):
    headline: str
    action: Literal["created", "updated"]
    webhook_id: str | None = None
    event: str
    url: str
    sends_secret_header: bool = Field(description="ShipStation will send X-Webhook-Secret with each delivery")
    notes: list[str] = Field(default_factory=list)

    def text(self) -> str:
        return "\n".join([self.headline, *self.notes])
