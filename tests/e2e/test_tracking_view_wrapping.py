"""The tracking view keeps shop and carrier text inside its cards (issue 21): a realistic 56-character company
name and a 5,000-character unbroken string wrap, at every width from 320 to 1,280 px, in headless Chromium."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.e2e.test_tracking_view import HOST_PAGE, SCENARIOS, ViewFrame, _demo_answers, _require_chromium
from tests.support.chromium import Browser, Page

WIDTHS = [320, 480, 760, 1024, 1280]
COMPANY = "NorthwesternPacificOutdoorEquipmentDistributionCompanyLLC"[:56]
ENDLESS = "W" * 5000
# Identifiers and machine values the view does not show as prose, or parses (dates, codes, links).
UNTOUCHED = {
    "tracking_number",
    "carrier_code",
    "carrier",
    "status_code",
    "detail_code",
    "label_id",
    "shipment_id",
    "utc_offset",
    "status",
    "tracking_url",
    "proof_of_delivery_url",
    "query",
    "matched_as",
    "sku",
    "shipment_number",
    "external_shipment_id",
    "service_code",
}

OVERFLOW = """(() => {
  const boxes = Array.from(document.querySelectorAll('article.pkg, header.order'));
  const found = [];
  for (const box of boxes) {
    const edge = box.getBoundingClientRect();
    for (const el of box.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (el.closest('.sr') || (r.width === 0 && r.height === 0)) continue;
      const past = Math.max(r.right - edge.right, edge.left - r.left);
      if (past > 0.5) found.push(el.tagName.toLowerCase() + '.' + el.className + ' by ' + Math.round(past) + ' px');
    }
    if (box.scrollWidth > box.clientWidth + 1) found.push('scrolls by ' + (box.scrollWidth - box.clientWidth) + ' px');
  }
  const rects = Array.from(document.querySelectorAll('article.pkg')).map(a => a.getBoundingClientRect());
  rects.forEach((a, i) => rects.slice(i + 1).forEach(b => {
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
      found.push('cards overlap');
  }));
  const page = document.documentElement.scrollWidth - window.innerWidth;
  if (page > 1) found.push('the page scrolls sideways by ' + page + ' px');
  return found;
})()"""


def lengthen(value: Any, word: str, key: str = "") -> Any:
    """Every shop or carrier text in a tool result with `word` added, as a hostile or verbose shop would have it."""
    if isinstance(value, dict):
        return {k: lengthen(v, word, k) for k, v in value.items()}
    if isinstance(value, list):
        return [lengthen(v, word, key) for v in value]
    if isinstance(value, str) and key not in UNTOUCHED and not key.endswith(("_at", "_date", "_day", "_id")):
        return f"{value} {word}"
    return value


def show_at(browser: Browser, page: Page, html: str, result: dict[str, Any], arguments: dict[str, Any], width: int):
    page.evaluate(f"showView({json.dumps(html)}, {json.dumps(result)}, {json.dumps(arguments)}, 'light', {width})")
    view = ViewFrame(browser, page)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if view.evaluate("document.body && document.body.dataset.state") == "shown":
            page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            return view
        time.sleep(0.05)
    raise AssertionError("the view never showed the answer")


@pytest.mark.parametrize("word", [COMPANY, ENDLESS], ids=["56 characters", "5000 characters"])
def test_long_words_wrap_inside_their_card_at_every_width(tmp_path: Path, word: str) -> None:
    _require_chromium()
    html, _, results = anyio.run(_demo_answers)
    overflows = {}
    with Browser.start(tmp_path / "profile") as browser:
        for width in WIDTHS:
            page = browser.new_page(width + 32, 900)
            page.navigate(HOST_PAGE.as_uri())
            for name, _, arguments, _ in SCENARIOS:
                result = copy.deepcopy(results[name])
                result["structuredContent"] = lengthen(result["structuredContent"], word)
                view = show_at(browser, page, html, result, arguments, width)
                found = view.evaluate(OVERFLOW)
                if found:
                    overflows[f"{name} at {width} px"] = found[:3]
                assert view.evaluate("document.body.innerText").count(word[:56]) > 0, "the text was not shown"
    assert overflows == {}
