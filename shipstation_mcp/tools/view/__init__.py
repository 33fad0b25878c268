"""The tracking view (MCP Apps): one self-contained HTML page that hosts with Apps render beside the text answer.

`track_package`, `track_label` and `find_order` carry `_meta.ui.resourceUri` (`VIEW_META`, stamped in the tool
table); the `Apps` extension from `tracking_view()` serves the page at that `ui://` URI as
`text/html;profile=mcp-app` and advertises the extension. The tool results do not change: hosts without Apps show
the same text as before, and hosts with Apps hand the same `structuredContent` to the page.

The page ships as package data (`tracking.html`). Its Content-Security-Policy allows no network at all, and only its
own inline script and style, pinned by their SHA-256 (filled in here when the page is loaded, so the file stays
editable).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources
from typing import Any

from mcp.server.apps import APP_MIME_TYPE, Apps, ResourceCsp

__all__ = ["APP_MIME_TYPE", "TRACKING_VIEW_URI", "VIEW_META", "tracking_view", "tracking_view_html"]

TRACKING_VIEW_URI = "ui://shipstation-mcp/tracking.html"

VIEW_META: dict[str, Any] = {
    "ui": {"resourceUri": TRACKING_VIEW_URI},
    # The flat key of the Apps drafts, still read by hosts that predate the 2026-01-26 spec.
    "ui/resourceUri": TRACKING_VIEW_URI,
}
"""`_meta` of the tools whose answers the view renders."""

_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def tracking_view_html() -> str:
    """The page, its CSP pinned to the one inline script and the one inline style it carries."""
    html = resources.files(__package__).joinpath("tracking.html").read_text(encoding="utf-8")
    [script] = _SCRIPT.findall(html)
    [style] = _STYLE.findall(html)
    return html.replace("'sha256-SCRIPT'", _digest(script)).replace("'sha256-STYLE'", _digest(style))


def tracking_view() -> Apps:
    """The Apps extension serving the tracking view; pass it to the server's `extensions`."""
    apps = Apps()
    apps.add_html_resource(
        TRACKING_VIEW_URI,
        tracking_view_html(),
        name="tracking-view",
        title="Tracking view",
        description="Status badge, journey, scan timeline and what to do, for track_package, track_label, find_order",
        csp=ResourceCsp(),  # no connect, resource, frame or base-uri domains: the page needs nothing from outside
        prefers_border=True,
    )
    return apps
