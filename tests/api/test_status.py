"""Tests for shipstation_mcp.api.status: tracking status codes explained in plain English."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from shipstation_mcp.api.status import (
    ACTION_DETAIL_CODES,
    DETAIL_CODES,
    STATUS_CODES,
    TRACKING_STATUS_MEANINGS,
    StatusInfo,
    detail_description,
    detail_needs_action,
    glossary_markdown,
    package_status,
    status_info,
    tracking_status_meaning,
)
from tests.fixtures.build_spec_examples import load_spec

CONTRACTS = Path(__file__).resolve().parents[3] / "shared" / "contracts"
V2_SPEC = CONTRACTS / "shipstation-v2-openapi.yaml"
SHIPENGINE_SPEC = CONTRACTS / "shipengine-openapi.yaml"

# The status_code table of the API facts page (docs/shipstation-api.md): code -> label tracking_status.
FACTS_LABEL_STATUS = {
    "AC": None,
    "IT": "in_transit",
    "DE": "delivered",
    "EX": "error",
    "UN": "unknown",
    "AT": None,
    "NY": "in_transit",
    "SP": "delivered_to_service_point",
}

ODD_INPUTS: list[Any] = [
    None,
    "",
    "   ",
    42,
    3.5,
    True,
    "zz",
    "X" * 10_000,
    object(),
    b"DE",
    ["DE"],
    {"a": 1},
    "\x00\n",
]


def _spec(spec: Path) -> dict[str, Any]:
    """A spec, parsed once for the whole suite (they are large) and shared with the fixture freshness check."""
    pytest.importorskip("yaml")
    if not spec.exists():
        pytest.skip(f"{spec} not available")
    return load_spec(spec)


def _schema(spec: Path, name: str) -> dict[str, Any]:
    return copy.deepcopy(_spec(spec)["components"]["schemas"][name])


def _table(schema: dict[str, Any]) -> dict[str, str]:
    """The `| `CODE` | description` rows of a schema's markdown description."""
    rows: dict[str, str] = {}
    for line in schema["description"].splitlines():
        m = re.match(r"^\|\s*`([^`]+)`\s*\|(.*)$", line)
        if m:
            rows[m.group(1).strip()] = m.group(2).strip().rstrip("|").strip()
    return rows


@pytest.fixture(scope="module")
def v2_detail() -> dict[str, Any]:
    return _schema(V2_SPEC, "tracking_status_detail_code")


@pytest.fixture(scope="module")
def se_detail() -> dict[str, Any]:
    return _schema(SHIPENGINE_SPEC, "status_detail_code")


@pytest.fixture(scope="module")
def se_status() -> dict[str, Any]:
    return _schema(SHIPENGINE_SPEC, "status_code")


# --- the spec tables ---------------------------------------------------------------------------------------


def test_every_spec_detail_code_has_a_description(v2_detail: dict[str, Any], se_detail: dict[str, Any]) -> None:
    enum = set(v2_detail["enum"]) | set(se_detail["enum"])
    assert len(enum) > 80
    missing = sorted(enum - set(DETAIL_CODES))
    assert missing == []
    for code in enum:
        text = detail_description(code)
        assert text
        assert not text.startswith("Unknown status")


def test_no_detail_codes_invented(v2_detail: dict[str, Any], se_detail: dict[str, Any]) -> None:
    enum = set(v2_detail["enum"]) | set(se_detail["enum"])
    assert set(DETAIL_CODES) == enum


def test_detail_descriptions_match_the_spec_tables(v2_detail: dict[str, Any], se_detail: dict[str, Any]) -> None:
    v2, se = _table(v2_detail), _table(se_detail)
    assert len(v2) == len(v2_detail["enum"])
    assert len(se) == len(se_detail["enum"])
    for code, text in DETAIL_CODES.items():
        # ShipEngine wording wins when a code is in both specs; V2-only codes use the V2 wording.
        expected = se[code] if code in se else v2[code]
        assert text == expected, code


def test_status_code_descriptions_match_the_spec(se_status: dict[str, Any]) -> None:
    table = _table(se_status)
    assert set(table) == set(STATUS_CODES)
    for code, text in table.items():
        assert STATUS_CODES[code].description == text


# --- the eight status codes --------------------------------------------------------------------------------


def test_the_eight_codes_exist_and_map_to_label_tracking_status() -> None:
    assert set(STATUS_CODES) == set(FACTS_LABEL_STATUS)
    for code, label in FACTS_LABEL_STATUS.items():
        info = STATUS_CODES[code]
        assert info.code == code
        assert info.label_tracking_status == label, code
        assert status_info(code) is info
        if label is not None:
            assert label in TRACKING_STATUS_MEANINGS


def test_every_status_code_has_a_short_plain_meaning() -> None:
    for info in STATUS_CODES.values():
        assert info.meaning.strip()
        assert info.meaning != info.description
        assert len(info.meaning) < 300


def test_delivery_attempt_and_exception_need_action() -> None:
    at, ex = status_info("AT"), status_info("EX")
    assert at.action_needed and not at.delivered and not at.exception
    assert at.description == "Delivery Attempt"
    assert ex.action_needed and ex.exception and not ex.delivered


def test_delivered_needs_no_action() -> None:
    de = status_info("DE")
    assert de.delivered
    assert not de.action_needed
    assert not de.exception


def test_collection_location_counts_as_delivered() -> None:
    sp = status_info("SP")
    assert sp.delivered
    assert not sp.exception
    assert "collect" in sp.meaning.lower()


def test_only_de_and_sp_are_delivered_and_only_ex_is_an_exception() -> None:
    assert {c for c, i in STATUS_CODES.items() if i.delivered} == {"DE", "SP"}
    assert {c for c, i in STATUS_CODES.items() if i.exception} == {"EX"}


def test_in_transit_codes_need_no_action() -> None:
    for code in ("AC", "IT", "NY", "UN"):
        assert not status_info(code).action_needed, code


def test_codes_are_normalised() -> None:
    assert status_info("de") is STATUS_CODES["DE"]
    assert status_info("  sp\n") is STATUS_CODES["SP"]
    assert detail_description(" out_for_delivery ") == DETAIL_CODES["OUT_FOR_DELIVERY"]
    assert detail_needs_action("held_by_customs")


def test_status_info_is_immutable() -> None:
    info = status_info("DE")
    with pytest.raises(AttributeError):
        info.delivered = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        STATUS_CODES["ZZ"] = info  # type: ignore[index]
    with pytest.raises(TypeError):
        DETAIL_CODES["ZZ"] = "x"  # type: ignore[index]


# --- missing, unknown and odd input ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_status_reads_as_unknown(value: object) -> None:
    info = status_info(value)
    assert info.description == "Unknown"
    assert "no" in info.meaning.lower()
    assert "reported" in info.meaning.lower()
    assert not info.action_needed and not info.delivered and not info.exception


def test_unknown_code_is_echoed() -> None:
    info = status_info("zz")
    assert info.description == "Unknown status (ZZ)"
    assert "ZZ" in info.meaning
    assert "not" in info.meaning.lower()
    assert not info.action_needed and not info.delivered and not info.exception
    assert status_info(42).description == "Unknown status (42)"


def test_huge_code_is_capped() -> None:
    info = status_info("x" * 10_000)
    assert info.description == f"Unknown status ({'X' * 40})"
    assert len(info.code) <= 40
    assert len(info.meaning) < 500
    assert detail_description("q" * 10_000) == f"Unknown status ({'Q' * 40})"
    assert tracking_status_meaning("w" * 10_000) == f"Unknown tracking status ({'w' * 40})"


@pytest.mark.parametrize("value", ODD_INPUTS, ids=lambda v: type(v).__name__)
def test_never_raises(value: object) -> None:
    assert isinstance(status_info(value), StatusInfo)
    text = detail_description(value)
    assert text is None or isinstance(text, str)
    assert isinstance(detail_needs_action(value), bool)
    assert isinstance(tracking_status_meaning(value), str)


def test_never_raises_when_str_itself_fails() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert isinstance(status_info(Hostile()), StatusInfo)
    assert detail_description(Hostile()) is None
    assert detail_needs_action(Hostile()) is False
    assert isinstance(tracking_status_meaning(Hostile()), str)


# --- detail codes in the status_code field -----------------------------------------------------------------


def test_the_detail_field_decides_when_the_status_field_holds_another_detail_code() -> None:
    # The V2 spec's own track example: status_code COLLECTION_FAILED, status_detail_code DELIVERED.
    assert package_status("COLLECTION_FAILED", "DELIVERED").delivered
    assert not package_status("COLLECTION_FAILED", None).delivered  # nothing else to go by
    assert package_status("IT", "DELIVERED").code == "IT"  # a real status code is never overruled
    assert package_status("DE", "delivered").code == "DE"


def test_detail_code_in_status_field_is_understood() -> None:
    info = status_info("COLLECTION_FAILED")
    assert info.code == "COLLECTION_FAILED"
    assert info.description == DETAIL_CODES["COLLECTION_FAILED"]
    assert "pickup failed" in info.meaning.lower()
    assert not info.description.startswith("Unknown")
    assert not info.delivered


def test_detail_code_in_status_field_carries_flags() -> None:
    lost = status_info("parcel_lost")
    assert lost.exception and lost.action_needed and not lost.delivered
    delivered = status_info("DELIVERED_TO_NEIGHBOUR")
    assert delivered.delivered and not delivered.exception and not delivered.action_needed
    collected = status_info("PARCEL_COLLECTED_FROM_PICKUP_POINT")
    assert collected.delivered and not collected.action_needed
    customs = status_info("HELD_BY_IMPORT_CUSTOMS")
    assert customs.action_needed and not customs.delivered
    moving = status_info("OUT_FOR_DELIVERY")
    assert not (moving.action_needed or moving.delivered or moving.exception)


def test_for_any_detail_code_status_info_agrees_with_the_tables() -> None:
    for code, text in DETAIL_CODES.items():
        info = status_info(code)
        assert info.description == text
        assert info.action_needed == (code in ACTION_DETAIL_CODES)


# --- detail helpers ----------------------------------------------------------------------------------------


def test_detail_description() -> None:
    assert detail_description("OUT_FOR_DELIVERY") == DETAIL_CODES["OUT_FOR_DELIVERY"]
    assert detail_description(None) is None
    assert detail_description("") is None
    assert detail_description("NOPE_NOT_A_CODE") == "Unknown status (NOPE_NOT_A_CODE)"


@pytest.mark.parametrize(
    "code",
    [
        "ADDRESS_QUERY",
        "HELD_BY_CUSTOMS",
        "HELD_BY_IMPORT_CUSTOMS",
        "ATTEMPTED_DELIVERY",
        "ATTEMPTED_DELIVERY_2ND",
        "ATTEMPTED_DELIVERY_3RD",
        "ATTEMPTED_DELIVERY_FINAL",
        "CUSTOMER_CARDED",
        "RETURN_TO_SENDER",
        "PARCEL_LOST",
        "PARCEL_DAMAGED",
        "REFUSED_BY_CUSTOMER",
        "COD_AMOUNT_NOT_PAID",
        "INCORRECT_DECLARATION",
        "NOT_COLLECTED_FROM_PICKUP_POINT",
        "AWAITING_COLLECTION_FROM_PICKUP_POINT",
        "CUSTOMER_TO_COLLECT_FROM_CARRIER",
        "COLLECT_AT_LOCAL_PO",
        "NO_ACCESS_TO_RECIPIENTS_ADDRESS",
        "CUSTOMER_MOVED",
        "DUTY_NOT_PAID",
    ],
)
def test_problem_detail_codes_need_action(code: str) -> None:
    assert detail_needs_action(code)
    assert detail_needs_action(code.lower())


@pytest.mark.parametrize(
    "code",
    [
        "IN_TRANSIT",
        "OUT_FOR_DELIVERY",
        "DELIVERED",
        "DELIVERED_TO_NEIGHBOUR",
        "CUSTOMS_CLEARED",
        "RECEIVED_BY_CARRIER",
        "COD_AMOUNT_PAID",
        "PARCEL_COLLECTED_FROM_PICKUP_POINT",
        "CARRIER_DELAYS",
    ],
)
def test_routine_detail_codes_need_no_action(code: str) -> None:
    assert not detail_needs_action(code)


def test_unknown_detail_code_needs_no_action() -> None:
    assert not detail_needs_action("SOMETHING_NEW")
    assert not detail_needs_action(None)


def test_action_codes_are_all_real_detail_codes() -> None:
    assert set(DETAIL_CODES) >= ACTION_DETAIL_CODES
    assert isinstance(ACTION_DETAIL_CODES, frozenset)


# --- label tracking_status ---------------------------------------------------------------------------------


def test_tracking_status_meanings() -> None:
    assert set(TRACKING_STATUS_MEANINGS) == {
        "unknown",
        "in_transit",
        "error",
        "delivered",
        "delivered_to_service_point",
    }
    for value, meaning in TRACKING_STATUS_MEANINGS.items():
        assert tracking_status_meaning(value) == meaning
        assert meaning.strip()
    assert tracking_status_meaning("DELIVERED") == TRACKING_STATUS_MEANINGS["delivered"]
    assert tracking_status_meaning("bogus") == "Unknown tracking status (bogus)"


def test_label_tracking_status_values_in_specs_are_covered() -> None:
    for spec in (V2_SPEC, SHIPENGINE_SPEC):
        schema = _schema(spec, "tracking_status")
        assert set(schema["enum"]) <= set(TRACKING_STATUS_MEANINGS)


# --- glossary ----------------------------------------------------------------------------------------------


def test_glossary_lists_every_code() -> None:
    text = glossary_markdown()
    rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")}
    assert set(STATUS_CODES) <= rows
    assert set(DETAIL_CODES) <= rows
    assert set(TRACKING_STATUS_MEANINGS) <= rows
    for info in STATUS_CODES.values():
        assert info.meaning in text
    for description in DETAIL_CODES.values():
        assert description in text


def test_glossary_marks_action_and_label_status() -> None:
    lines = glossary_markdown().splitlines()
    at_row = next(line for line in lines if line.startswith("| AT |"))
    de_row = next(line for line in lines if line.startswith("| DE |"))
    ex_row = next(line for line in lines if line.startswith("| EX |"))
    assert "| yes |" in at_row
    assert "| no |" in de_row and de_row.rstrip().endswith("| delivered |")
    assert ex_row.rstrip().endswith("| error |")
    lost_row = next(line for line in lines if line.startswith("| PARCEL_LOST |"))
    assert lost_row.rstrip().endswith("| yes |")
    moving_row = next(line for line in lines if line.startswith("| IN_TRANSIT |"))
    assert moving_row.rstrip().endswith("| no |")


def test_glossary_is_deterministic_markdown() -> None:
    text = glossary_markdown()
    assert text == glossary_markdown()
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert all(line.endswith("|") for line in table_lines)
    first_cells = [line.split("|")[1].strip() for line in table_lines]
    assert [cell for cell in first_cells if cell in STATUS_CODES] == ["AC", "IT", "DE", "EX", "UN", "AT", "NY", "SP"]
    assert [cell for cell in first_cells if cell in DETAIL_CODES] == sorted(DETAIL_CODES)
