"""The account's carriers."""

from __future__ import annotations

from ..answers.carriers import CarrierListing, summarize_carriers
from ..api.client import ShipStationClient

__all__ = ["list_carriers"]


async def list_carriers(client: ShipStationClient) -> CarrierListing:
    return summarize_carriers(await client.list_carriers())
