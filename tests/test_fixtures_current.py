"""The shared fixture set: spec payloads still match the specs, seed payloads still match the seeds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import FIXTURES, load_json, load_text, spec_examples
from tests.fixtures.build_spec_examples import DEFAULT_CONTRACTS_DIR, SPECS, stale_files

SEEDS_DIR = DEFAULT_CONTRACTS_DIR.parent / "seeds"

TRACKING_NUMBER_FORMATS = {
    "ups": re.compile(r"^1Z[0-9A-Z]{16}$"),
    "usps": re.compile(r"^9[234]\d{20}$"),
    "stamps_com": re.compile(r"^9[234]\d{20}$"),
    "fedex": re.compile(r"^\d{12}$"),
    "dhl_express": re.compile(r"^\d{10}$"),
}


def test_spec_fixtures_match_the_specs() -> None:
    pytest.importorskip("yaml")
    missing = [name for name, _prefix in SPECS.values() if not (DEFAULT_CONTRACTS_DIR / name).is_file()]
    if missing:
        pytest.skip(f"specs not found in {DEFAULT_CONTRACTS_DIR} ({', '.join(missing)}); freshness not checked")
    problems = stale_files(DEFAULT_CONTRACTS_DIR)
    assert problems == [], "run `python tests/fixtures/build_spec_examples.py`: " + "; ".join(problems)


def test_every_spec_fixture_is_non_empty_json() -> None:
    examples = spec_examples()
    assert {api for api, _name, _payload in examples} == set(SPECS)
    names = {(api, name) for api, name, _payload in examples}
    assert ("v2", "track_label") in names
    assert ("shipengine", "track") in names
    assert ("v2", "track") in names  # the V2 spec gained GET /v2/tracking (marked x-added-here)
    for api, name, payload in examples:
        assert payload, f"spec/{api}/{name}.json is empty"
        assert isinstance(payload, dict | list), f"spec/{api}/{name}.json is not an object or array"


def test_ups_seed_payload() -> None:
    tracking = load_json("seeds/track_label_ups_delivered.json")
    assert tracking["tracking_number"] == "1Z932R800390810600"
    assert tracking["status_code"] == "DE"
    assert tracking["shipped_date"] == "2024-10-25T11:59:03.289Z"
    assert "ship_date" not in tracking  # the seed really says shipped_date
    assert tracking["exception_description"] is None
    [event] = tracking["events"]
    assert event["event_code"] == "U1"
    assert event["carrier_occurred_at"] == "2024-10-25T05:32:00"


def test_usps_seed_payload() -> None:
    tracking = load_json("seeds/track_usps_delivered.json")
    assert tracking["tracking_number"] == "9405511899223197428490"
    assert tracking["carrier_code"] == "usps"
    assert tracking["carrier_id"] == 1
    assert len(tracking["events"]) == 6
    assert [e["event_code"] for e in tracking["events"]] == ["01", "OF", "07", "NT", "10", "03"]
    assert tracking["events"][-1]["longitude"] == -115.1987


def _json_after(text: str, marker: str) -> Any:
    start = text.index("{", text.index(marker))
    value, _end = json.JSONDecoder().raw_decode(text, start)
    return value


@pytest.mark.parametrize(
    ("seed_glob", "marker", "fixture"),
    [
        ("001_*.txt", "Sample Response\n", "seeds/track_label_ups_delivered.json"),
        ("003_*.txt", "**Example Response**", "seeds/track_usps_delivered.json"),
    ],
)
def test_seed_fixtures_equal_the_seed_documents(seed_glob: str, marker: str, fixture: str) -> None:
    seeds = sorted(SEEDS_DIR.glob(seed_glob))
    if not seeds:
        pytest.skip(f"seed {seed_glob} not found in {SEEDS_DIR}")
    assert load_json(fixture) == _json_after(seeds[0].read_text(encoding="utf-8"), marker)


def test_quirk_fixtures_parse_as_intended() -> None:
    quirks = FIXTURES / "quirks"
    for path in sorted(quirks.glob("*.json")):
        if path.name == "error_truncated.json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(path.read_text(encoding="utf-8"))
        else:
            assert json.loads(path.read_text(encoding="utf-8")), path.name
    assert "502 Bad Gateway" in load_text("quirks/error_html_502.html")


def _tracking_numbers(payload: Any, carrier: str | None = None) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    if isinstance(payload, dict):
        carrier = payload.get("carrier_code", carrier)
        if isinstance(payload.get("tracking_number"), str):
            found.append((carrier, payload["tracking_number"]))
        for value in payload.values():
            found += _tracking_numbers(value, carrier)
    elif isinstance(payload, list):
        for value in payload:
            found += _tracking_numbers(value, carrier)
    return found


QUIRK_JSON = sorted(p for p in (FIXTURES / "quirks").glob("*.json") if p.name != "error_truncated.json")


@pytest.mark.parametrize("path", QUIRK_JSON, ids=lambda p: Path(p).name)
def test_quirk_tracking_numbers_use_the_carrier_format(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    for carrier, number in _tracking_numbers(payload):
        patterns = [TRACKING_NUMBER_FORMATS[carrier]] if carrier else TRACKING_NUMBER_FORMATS.values()
        assert any(p.match(number) for p in patterns), f"{path.name}: {carrier} {number}"
