"""Filling the account index (`state/account_index.py`) from the API, a share of the rate budget at a time.

`sync_labels` reads the labels created since the index's last sync (an hour of overlap, for labels the API listed
late), oldest first, a page of 100 per request: the first page, then as many more as the share admits, together.
It never spends more than `share` percent of the budget (and never more than the budget admits at that moment), so
a first fill of a big account takes several calls; each says how far the index reaches. Labels voided after they
were indexed are only seen again when their period is read with `refresh`.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..api.client import ShipStationClient
from ..api.models import Label
from ..state.account_index import Index
from ..state.limiter import admits_now

__all__ = ["INDEX_PAGE_SIZE", "IndexSync", "sync_labels"]

INDEX_PAGE_SIZE = 100
OVERLAP = timedelta(hours=1)


@dataclass(frozen=True)
class IndexSync:
    """What one sync did and how far the index reaches after it."""

    requests: int
    labels: int
    labels_from: datetime | None
    labels_through: datetime | None
    caught_up: bool
    """True when every page since the last sync was read (the index is current up to the sync's start)."""


def sync_budget(client: ShipStationClient, share: float) -> int:
    """Requests one sync may send: `share` percent of the rate budget (at least 1)."""
    budget = getattr(client.limiter, "budget", None) or 200
    return max(1, math.floor(budget * share / 100))


async def sync_labels(
    client: ShipStationClient,
    index: Index,
    *,
    since: datetime,
    now: datetime,
    share: float,
    refresh: bool = False,
) -> IndexSync:
    """Bring the index up to `now` for labels created from `since`, within `share` percent of the budget."""
    labels_from, through = await index.coverage()
    extends = labels_from is None or since < labels_from or refresh
    start = since if extends or through is None else max(since, through - OVERLAP)
    room = await admits_now(client.limiter)
    allowed = sync_budget(client, share) if room is None else min(sync_budget(client, share), room)
    if allowed < 1:
        return IndexSync(0, 0, labels_from, through, False)
    filters: dict[str, Any] = {
        "created_at_start": start,
        "sort_by": "created_at",
        "sort_dir": "asc",
        "page_size": INDEX_PAGE_SIZE,
    }
    first = await client.list_labels(page=1, **filters)
    pages = max(1, first.pages or 1)
    last = min(pages, allowed)
    rest = await asyncio.gather(*(client.list_labels(page=p, **filters) for p in range(2, last + 1)))
    labels: list[Label] = [*first.labels, *(label for page in rest for label in page.labels)]
    kept = await index.add_labels([label.model_dump(mode="json", exclude_none=True) for label in labels], at=now)
    caught_up = last >= pages
    newest = max((label.created_at for label in labels if label.created_at), default=None)
    reached = now if caught_up else (newest or start)
    if extends or labels_from is None or through is None:
        # Read from `start` on: the coverage is [start, reached], joined to the old one when they meet.
        new_from = start if labels_from is None or reached < labels_from else min(start, labels_from)
        new_through = max(reached, through) if through is not None and reached >= (labels_from or reached) else reached
    else:
        new_from, new_through = labels_from, max(through, reached)
    await index.set_coverage(new_from, new_through)
    return IndexSync(last, kept, new_from, new_through, caught_up)
