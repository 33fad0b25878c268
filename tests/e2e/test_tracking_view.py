"""The tracking view in a real browser: headless Chromium loads the `ui://` page from the server into a small host
page that speaks the MCP Apps bridge (tests/support/apps_host.html), hands it real tool results from the demo
account, and the test reads what is on screen. Screenshots land in `<tmp_path>/view_screenshots/`.

The browser runs in Asia/Tokyo, far from every package: the times on screen must still be the ones the answers
state (local where the package was), so a view that reconverted them to the browser's zone would fail.

Without /usr/bin/chromium the test is skipped, unless CI is set: `.ci/run` installs Debian's `chromium` package.
The README's image (docs/tracking-view.png) is the exception screenshot; `UPDATE_SNAPSHOTS=1` refreshes it.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client import advertise

from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server
from shipstation_mcp.tools.view import APP_MIME_TYPE
from tests.conftest import SCREENSHOTS
from tests.support.chromium import Browser, Page, chromium_path

HOST_PAGE = Path(__file__).resolve().parents[1] / "support" / "apps_host.html"
README_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "tracking-view.png"
README_SCENARIO = "exception"  # UPDATE_SNAPSHOTS=1 copies its screenshot to README_IMAGE
UPDATE = os.environ.get("UPDATE_SNAPSHOTS", "").strip().lower() in {"1", "true", "yes"}
APPS = advertise("io.modelcontextprotocol/ui", {"mimeTypes": [APP_MIME_TYPE]})
WIDTH = 760
NOW = datetime(2026, 5, 12, 15, 30, tzinfo=UTC)  # the demo's dates follow it: the same screenshots every run

# name, tool, arguments, theme
SCENARIOS = [
    ("delivered", "track_package", {"tracking_number": "1ZA4R8E20385294598"}, "light"),
    ("exception", "track_package", {"tracking_number": "821213868357"}, "light"),
    ("multi-package-order", "find_order", {"query": "10449"}, "light"),
    ("attempt-dark", "track_package", {"tracking_number": "1ZA4R8E20293229421"}, "dark"),
    ("boxes-on-one-label", "find_order", {"query": "10445"}, "dark"),
]

READ_SCREEN = """(() => {
  if (!document.body || document.body.dataset.state !== 'shown') return { state: null };
  const all = (root, s) => Array.from(root.querySelectorAll(s));
  return {
    state: document.body.dataset.state || null,
    text: document.body.innerText,
    theme: document.documentElement.dataset.theme || null,
    background: getComputedStyle(document.body).backgroundColor,
    zoneOffsetMinutes: new Date().getTimezoneOffset(),
    order: document.querySelector('header.order h1') ? document.querySelector('header.order h1').textContent : null,
    cards: all(document, 'article.pkg').map(a => ({
      tracking: a.dataset.tracking,
      badges: all(a, '.badge').map(b => b.textContent),
      steps: all(a, '.journey li').map(li => ({
        name: li.dataset.step, state: li.className.split(' ')[0],
        current: li.getAttribute('aria-current'), spoken: li.textContent })),
      times: all(a, '.timeline time').map(t => t.textContent),
      zones: all(a, '.timeline .tz').map(t => t.textContent),
      banner: a.querySelector('.banner') ? a.querySelector('.banner').innerText : null,
      facts: Object.fromEntries(all(a, 'dl.facts dt').map(dt => [dt.textContent, dt.nextElementSibling.textContent])),
      links: all(a, '.links a').map(l => l.href),
    })),
  };
})()"""


def _require_chromium() -> None:
    if chromium_path():
        return
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail("CI is set but /usr/bin/chromium is missing: .ci/run installs Debian's chromium package")
    pytest.skip("headless Chromium is not installed (/usr/bin/chromium; apt-get install chromium)")


async def _demo_answers() -> tuple[str, dict[str, Any], dict[str, dict[str, Any]]]:
    """The view's HTML as a host reads it, each bound tool's _meta, and each scenario's tools/call result."""
    server = create_server(Settings(api_key="demo", demo=True), clock=lambda: NOW)
    async with Client(server, extensions=[APPS]) as client:
        metas = {tool.name: tool.meta or {} for tool in (await client.list_tools()).tools}
        uri = metas["track_package"]["ui"]["resourceUri"]
        [content] = (await client.read_resource(uri)).contents
        assert content.mime_type == APP_MIME_TYPE
        results = {}
        for name, tool, arguments, _ in SCENARIOS:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content
            results[name] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return content.text, metas, results


def _shown(event: str) -> tuple[str, str]:
    """How the view must show an event line's time: its own local time and offset, untouched."""
    match = re.match(r"(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})([+-]\d{2}:\d{2}): ", event)
    assert match, event
    day = date.fromisoformat(match[1])
    return f"{day:%a} {day.day} {day:%b %Y}, {match[2]}", "UTC" + match[3].replace("-", "\u2212")


class ViewFrame:
    """Runs script in the view's frame. Chromium puts a sandboxed iframe in a process of its own, announced as an
    auto-attached `iframe` target with its own session; a build that keeps it in the page's process gets an isolated
    world in the child frame instead."""

    def __init__(self, browser: Browser, page: Page) -> None:
        self.page = page
        try:
            event = browser.wait_for_event(
                lambda e: (
                    e.get("method") == "Target.attachedToTarget" and e["params"]["targetInfo"]["type"] == "iframe"
                ),
                timeout=5,
            )
            self.session: str | None = event["params"]["sessionId"]
            page.attach_frame(event["params"]["sessionId"])
        except TimeoutError:
            self.session = None

    def accessible_names(self) -> dict[str, list[str]]:
        """What a screen reader is told: the accessibility tree's names, by role."""
        if not self.session:
            return {}
        tree = self.page.browser.send("Accessibility.getFullAXTree", session=self.session)["nodes"]
        names: dict[str, list[str]] = {}
        for node in tree:
            role, name = node.get("role", {}).get("value"), node.get("name", {}).get("value")
            if role and name and not node.get("ignored"):
                names.setdefault(role, []).append(name)
        return names

    def problems(self) -> list[str]:
        return self.page.problems(self.session) if self.session else []

    def evaluate(self, expression: str) -> Any:
        if self.session:
            return self.page.evaluate(expression, session=self.session)
        [child] = self.page.send("Page.getFrameTree")["frameTree"]["childFrames"]
        world = self.page.send("Page.createIsolatedWorld", {"frameId": child["frame"]["id"], "worldName": "test"})
        return self.page.evaluate(expression, context=world["executionContextId"])


def _show(browser: Browser, page: Page, html: str, result: dict[str, Any], arguments: dict[str, Any], theme: str):
    page.evaluate(f"showView({json.dumps(html)}, {json.dumps(result)}, {json.dumps(arguments)}, '{theme}', {WIDTH})")
    view = ViewFrame(browser, page)
    view_height = "Math.ceil(document.documentElement.getBoundingClientRect().height)"
    deadline = time.monotonic() + 15  # generous: a loaded CI machine; it takes about 0.2 s
    while time.monotonic() < deadline:
        screen = view.evaluate(READ_SCREEN)
        # shown, and the host has followed the view's size-changed to its full height
        followed = page.evaluate("viewRect().height") == view.evaluate(view_height)
        if screen["state"] == "shown" and followed:
            page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            return view, screen
        time.sleep(0.05)
    raise AssertionError(f"the view never showed the answer: {screen}")


def _eventually(check: Callable[[], bool], seconds: float = 3) -> None:
    """Wait for what crosses the bridge: postMessage is asynchronous."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _check_times(card: dict[str, Any], package: dict[str, Any]) -> None:
    expected = [_shown(event) for event in package["events"]]
    assert card["times"] == [day for day, _ in expected]
    assert card["zones"] == [zone for _, zone in expected]


def _steps(card: dict[str, Any]) -> dict[str, str]:
    return {step["name"]: step["state"] for step in card["steps"]}


def _current(card: dict[str, Any]) -> dict[str, Any]:
    [step] = [step for step in card["steps"] if step["current"] == "step"]
    return step


def _check_delivered(screen: dict[str, Any], answer: dict[str, Any]) -> None:
    [card] = screen["cards"]
    assert card["badges"] == ["Delivered"]
    assert _current(card)["name"] == "Delivered"
    assert set(_steps(card).values()) == {"done", "now"}
    delivered_at = _shown(answer["events"][0])
    assert card["facts"]["Delivered"] == f"{delivered_at[0]} {delivered_at[1]}"
    assert card["facts"]["Signed by"] == answer["signer"]
    assert card["banner"] is None
    assert card["links"] == [answer["tracking_url"]]
    _check_times(card, answer)


def _check_exception(screen: dict[str, Any], answer: dict[str, Any]) -> None:
    [card] = screen["cards"]
    assert card["badges"] == ["Exception", "Late"]
    step = _current(card)
    assert step["name"] == "In transit" and "current, exception" in step["spoken"]
    assert card["banner"].startswith("Needs attention")
    for reason in answer["attention"]:
        assert reason in card["banner"]
    assert "What to do: " + answer["what_to_do"] in card["banner"]
    assert _steps(card)["Delivered"] == "todo"
    _check_times(card, answer)


def _check_multi(screen: dict[str, Any], answer: dict[str, Any]) -> None:
    assert screen["order"] == "Order 10449 for Wendell Park"
    live, voided = screen["cards"]
    assert [live["tracking"], voided["tracking"]] == [p["tracking_number"] for p in answer["packages"]]
    assert live["badges"] == ["In Transit"] and _current(live)["name"] == "In transit"
    assert voided["badges"] == ["Voided"] and not [s for s in voided["steps"] if s["current"]]
    assert "Track the replacement label se-5000020 instead." in voided["banner"]
    _check_times(live, answer["packages"][0])


def _check_attempt(screen: dict[str, Any], answer: dict[str, Any]) -> None:
    [card] = screen["cards"]
    assert card["badges"] == ["Delivery Attempt"]
    step = _current(card)
    assert step["name"] == "Out for delivery" and "current, attempted" in step["spoken"]
    assert screen["theme"] == "dark"
    red, green, blue = (int(part) for part in re.findall(r"\d+", screen["background"])[:3])
    assert red + green + blue < 3 * 64, screen["background"]
    _check_times(card, answer)


def _check_boxes(screen: dict[str, Any], answer: dict[str, Any]) -> None:
    [card] = screen["cards"]
    [label] = answer["shipment"]["labels"]
    assert card["facts"]["Boxes"] == "3 on this label: " + ", ".join(label["package_tracking_numbers"])


def _check_theme_switch(page: Page, view: ViewFrame) -> None:
    """The host switches to light mode: the view follows."""
    page.evaluate("changeContext({theme: 'light'})")
    _eventually(lambda: view.evaluate("document.documentElement.dataset.theme") == "light")
    background = view.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(255, 255, 255)", background


def _check_screen_reader(view: ViewFrame, answer: dict[str, Any]) -> None:
    names = view.accessible_names()
    if not names:
        return  # no frame session to ask (a Chromium build that keeps the frame in the page's process)
    assert view.evaluate("document.querySelector('[role=status]').textContent") == answer["headline"]  # announced
    assert "Needs attention" in names["note"]
    assert "Journey" in names["list"]
    assert f"Open the FedEx tracking page for {answer['tracking_number']}" in names["link"]
    assert any(name.startswith("Package " + answer["tracking_number"]) for name in names.get("article", []))


def _check_link(page: Page, view: ViewFrame, url: str) -> None:
    """The carrier link goes through the host (ui/open-link): a sandboxed frame cannot open it itself."""
    view.evaluate("document.querySelector('.links a').click()")
    _eventually(lambda: len(page.evaluate("openedLinks")) > 0)
    assert page.evaluate("openedLinks") == [url]


CHECKS = {
    "delivered": _check_delivered,
    "exception": _check_exception,
    "multi-package-order": _check_multi,
    "attempt-dark": _check_attempt,
    "boxes-on-one-label": _check_boxes,
}


def test_the_view_shows_demo_answers_in_headless_chromium(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    _require_chromium()
    html, metas, results = anyio.run(_demo_answers)
    for tool in ("track_package", "track_label", "find_order"):
        assert metas[tool]["ui"]["resourceUri"].startswith("ui://")
    shots = tmp_path / "view_screenshots"
    shots.mkdir()
    with Browser.start(tmp_path / "profile", env={"TZ": "Asia/Tokyo"}) as browser:
        page = browser.new_page(WIDTH + 32, 900)
        page.navigate(HOST_PAGE.as_uri())
        for name, _, arguments, theme in SCENARIOS:
            view, screen = _show(browser, page, html, results[name], arguments, theme)
            assert screen["zoneOffsetMinutes"] == -540, "the browser should be in Tokyo for this test to mean much"
            assert page.evaluate("hostLog")[:2] == ["ui/initialize", "ui/notifications/initialized"]
            CHECKS[name](screen, results[name]["structuredContent"])
            assert view.problems() == [], "the view reported errors (a CSP violation, an exception)"
            page.screenshot(shots / f"{name}.png", page.evaluate("viewRect()"))
            if name == "attempt-dark":
                _check_theme_switch(page, view)
            if name == "exception":
                _check_screen_reader(view, results[name]["structuredContent"])
            if name == "delivered":
                _check_link(page, view, results[name]["structuredContent"]["tracking_url"])
    if UPDATE:
        README_IMAGE.write_bytes((shots / f"{README_SCENARIO}.png").read_bytes())
    # tests/conftest.py prints it at the end of a run with -s, under pytest-xdist too (a worker's own print is lost)
    record_property(SCREENSHOTS, str(shots))
