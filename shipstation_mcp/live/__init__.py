"""What ShipStation pushes: the signed-webhook receiver, the notifier that tells subscribed MCP clients, and the
record of watched packages ("watch" is ShipStation pushing updates for a package).
"""

__all__ = ["notifier", "receiver", "watchlist"]
