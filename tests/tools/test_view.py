"""The tracking view's wiring, without a browser (tests/e2e/test_tracking_view.py renders it in Chromium): the three
tracking tools bind the `ui://` page, the server serves it as an MCP App with a strict CSP and nothing from outside,
the package ships it, and the tool results are the same whether or not the client speaks Apps."""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import re
import tomllib
from pathlib import Path

import pytest
from mcp import Client
from mcp.client import advertise
from mcp.server.apps import EXTENSION_ID

from shipstation_mcp.answers.orders import OrderAnswer
from shipstation_mcp.answers.tracking import TrackingSummary
from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server
from shipstation_mcp.tools.view import APP_MIME_TYPE, TRACKING_VIEW_URI, tracking_view_html

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
BOUND = {"track_package", "track_label", "find_order"}
APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


def demo() -> Client:
    return Client(create_server(Settings(api_key="demo", demo=True)))


async def test_the_tracking_tools_bind_the_view_and_no_other_tool_does() -> None:
    async with demo() as client:
        tools = (await client.list_tools()).tools
        assert EXTENSION_ID in (client.server_capabilities.extensions or {})
    bound = {tool.name for tool in tools if (tool.meta or {}).get("ui")}
    assert bound == BOUND
    for tool in tools:
        if tool.name in BOUND:
            assert tool.meta == {"ui": {"resourceUri": TRACKING_VIEW_URI}, "ui/resourceUri": TRACKING_VIEW_URI}


async def test_resources_read_serves_the_page_as_an_mcp_app() -> None:
    async with demo() as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        [content] = (await client.read_resource(TRACKING_VIEW_URI)).contents
    assert listed[TRACKING_VIEW_URI].mime_type == APP_MIME_TYPE == "text/html;profile=mcp-app"
    assert content.mime_type == APP_MIME_TYPE
    assert content.text == tracking_view_html()
    assert content.meta == {"ui": {"csp": {}, "prefersBorder": True}}  # no outside domain of any kind


def _csp(html: str) -> dict[str, list[str]]:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert match, "no CSP meta"
    return {part.split()[0]: part.split()[1:] for part in match[1].split(";") if part.strip()}


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_page_has_a_strict_csp_pinned_to_its_own_script_and_style() -> None:
    html = tracking_view_html()
    csp = _csp(html)
    [script] = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    [style] = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == [_sha256(script)]
    assert csp["style-src"] == [_sha256(style)]
    for directive in ("connect-src", "img-src", "font-src", "frame-src", "object-src", "base-uri", "form-action"):
        assert csp[directive] == ["'none'"], directive
    assert not [source for sources in csp.values() for source in sources if "unsafe" in source]


def test_the_page_loads_nothing_from_outside_and_stays_small() -> None:
    html = tracking_view_html()
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)
    assert not re.search(r"\b(src|href)\s*=|<link\b|@import", html, re.IGNORECASE)
    assert not re.search(r"\burl\(", html)  # CSS url(): nothing to fetch, not even data: images
    assert len(html.encode()) < 32_000
    assert html.count("<script") == 1 and html.count("<style") == 1
    assert '<html lang="en">' in html and ':root[data-theme="dark"]' in html and "color-scheme: light dark" in html


def test_the_package_ships_the_page() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = project["tool"]["setuptools"]["package-data"]["shipstation_mcp"]
    page = Path("tools/view/tracking.html")
    assert any(fnmatch.fnmatch(str(page), pattern) for pattern in shipped)
    assert (ROOT / "shipstation_mcp" / page).is_file()
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".mcpbignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path("shipstation_mcp", page).parts
    dropped = [p for p in ignored if any(fnmatch.fnmatch(part, p) for part in parts)]
    assert dropped == [], f".mcpbignore would leave the view out of the bundle: {dropped}"


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("track_package", {"tracking_number": "821213868357"}),
        ("track_label", {"label_id": "se-5000016"}),
        ("find_order", {"query": "10449"}),
    ],
)
async def test_hosts_without_apps_get_the_same_text_answer_as_hosts_with_it(tool: str, arguments: dict) -> None:
    async with demo() as plain:
        without = await plain.call_tool(tool, arguments)
    async with Client(create_server(Settings(api_key="demo", demo=True)), extensions=[APPS]) as apps:
        with_apps = await apps.call_tool(tool, arguments)
    assert without.model_dump() == with_apps.model_dump()
    assert not without.is_error and set(without.meta or {}) <= {"io.modelcontextprotocol/serverInfo"}
    [block] = without.content
    model = OrderAnswer if tool == "find_order" else TrackingSummary
    assert block.type == "text" and block.text == model.model_validate(without.structured_content).text_with_age()


def _palette(html: str, selector: str) -> dict[str, str]:
    """A theme's colours: each custom property's own value, or its fallback when a host may override it."""
    block = re.search(re.escape(selector) + r" \{(.*?)\}", html, re.DOTALL)
    assert block, selector
    colours = {}
    for name, value in re.findall(r"--([a-z0-9-]+):\s*([^;]+);", block[1]):
        hexes = re.findall(r"#[0-9a-fA-F]{6}\b", value)
        if hexes:
            colours[name] = hexes[-1]
    return colours


def _contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", [":root", ':root[data-theme="dark"]'])
def test_every_text_colour_meets_wcag_aa_contrast_in_light_and_dark(theme: str) -> None:
    colours = _palette(tracking_view_html(), theme)
    pairs = [("fg", "bg"), ("fg2", "bg"), ("fg", "bg2"), ("link", "bg")]
    for tone in ("ok", "info", "warn", "bad", "mute"):
        pairs += [(f"{tone}-fg", f"{tone}-bg"), ("fg2", f"{tone}-bg"), ("fg", f"{tone}-bg")]
    low = {f"{a} on {b}": round(_contrast(colours[a], colours[b]), 2) for a, b in pairs}
    assert {pair: ratio for pair, ratio in low.items() if ratio < 4.5} == {}
    assert _contrast(colours["ring"], colours["bg"]) >= 3  # the keyboard focus ring


def test_the_readme_shows_the_browser_tests_screenshot() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"!\[[^\]]+\]\(docs/tracking-view\.png\)", readme)
    image = (ROOT / "docs" / "tracking-view.png").read_bytes()
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and len(image) < 200_000
