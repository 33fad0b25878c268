"""Tracking-number normalisation and carrier inference from the number's format."""

from __future__ import annotations

import pytest

from shipstation_mcp.api.ids import infer_carrier, normalize_carrier_code, normalize_tracking_number
from shipstation_mcp.errors import InvalidInput


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("1Z999AA10123456784", "ups"),
        ("1Z932R800390810600", "ups"),
        ("9405511899223197428490", "usps"),  # 22 digits, 94 prefix
        ("9361269903502070406152", "usps"),
        ("420921569405511899223197428490", "usps"),  # with the 420+ZIP routing prefix a scanner reads
        ("LZ123456789US", "usps"),
        ("9612019950078569458154", "fedex"),  # FedEx Ground 96 barcode, 22 digits
        ("782758401696", "fedex"),  # 12 digits
        ("012345678901234", "fedex"),  # 15 digits
        ("61299995669352455464", "fedex"),  # 20 digits not starting with 9
        ("4829301750", "dhl_express"),  # 10 digits
        ("92612999897543581234", None),  # 20 digits starting with 9: USPS or FedEx SmartPost
        ("RR123456789DE", None),  # a foreign post's S10 number
        ("ABC123", None),
    ],
)
def test_carrier_is_inferred_only_when_the_format_is_unambiguous(number: str, carrier: str | None) -> None:
    assert infer_carrier(number) == carrier


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("1z999aa10123456784", "1Z999AA10123456784"),
        (" 1Z 999 AA1 01 2345 678 4 ", "1Z999AA10123456784"),
        ("9405-5118-9922-3197-4284-90\n", "9405511899223197428490"),
    ],
)
def test_pasted_numbers_are_normalised(raw: str, clean: str) -> None:
    assert normalize_tracking_number(raw) == clean


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("12\x0034", "control characters"),
        ("1Z/../labels", "only letters and digits"),
        ("x" * 65, "at most 64"),
    ],
)
def test_impossible_numbers_are_refused_with_a_reason(raw: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        normalize_tracking_number(raw)


def test_carrier_codes_are_lower_cased_and_checked() -> None:
    assert normalize_carrier_code(" UPS ") == "ups"
    assert normalize_carrier_code("stamps_com") == "stamps_com"
    with pytest.raises(InvalidInput, match="list_carriers"):
        normalize_carrier_code("ups&tracking_number=1")
