"""Plain async functions from a `ShipStationClient` (or the event store) to an answer: shipments, tracking, bulk,
the support queue, carriers, webhooks, received updates.
"""

__all__ = ["attention", "bulk", "carriers", "shipments", "tracking", "updates", "webhooks"]
