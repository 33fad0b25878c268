"""Tracking updates "pushed" to the demo account's webhook, so the live-tracking tools have something to show.

The demo has no ShipStation to push anything. At start it stores, as if its receiver had accepted them, the webhook
deliveries a real account would have received for a few of its packages: each package's latest scan, received a
few minutes after the scan. The server stores them through the same parsing as real deliveries.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..api.families import ApiFamily
from . import payloads
from .account import SHIPMENTS, LabelSpec
from .payloads import FLAVOUR_OF_FAMILY, Clockface

# Packages whose latest news the demo's receiver "received": out for delivery, delivered, held at customs,
# a failed delivery attempt. Chosen by tracking number so the account can grow without changing this list.
PUSHED_NUMBERS = ("1ZA4R8E20361199987", "9405511836264172139766", "1ZA4R8E20293229421", "8231297266")
RECEIVED_AFTER = timedelta(minutes=4)


def _labels_by_number() -> dict[str, LabelSpec]:
    return {label.tracking_number: label for spec in SHIPMENTS for label in spec.labels}


@dataclass(frozen=True)
class DemoDelivery:
    """One webhook delivery as the receiver would have accepted it."""

    payload: dict[str, Any]
    body: bytes
    received_at: datetime


def demo_deliveries(family: ApiFamily, clock: Callable[[], datetime] | None = None) -> list[DemoDelivery]:
    """The demo's webhook deliveries in `family`'s shape, oldest first, dated relative to `clock()`."""
    flavour = FLAVOUR_OF_FAMILY.get(family)
    if flavour is None:  # a family without tracking webhooks (V1): nothing was pushed
        return []
    now = (clock or (lambda: datetime.now(UTC)))()
    face = Clockface(now)
    labels = _labels_by_number()
    resource_type = flavour.track_resource_type
    events = []
    for number in PUSHED_NUMBERS:
        label = labels.get(number)
        if label is None or not label.scans:
            continue
        data = payloads.tracking(label, flavour, face, by_label=False)
        payload = {
            "resource_url": f"https://api.example.invalid/{flavour.name}/tracking?tracking_number={number}",
            "resource_type": resource_type,
            "data": data,
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        received_at = min(now, face.at(label.scans[-1].hours_ago) + RECEIVED_AFTER)
        events.append(DemoDelivery(payload, body, received_at))
    return sorted(events, key=lambda event: event.received_at)
