"""Every answer model and its text rendering; one base (`Answer`). No I/O."""

__all__ = ["base", "bulk", "carriers", "format", "live", "quoting", "shipments", "tracking", "untracked", "webhooks"]
