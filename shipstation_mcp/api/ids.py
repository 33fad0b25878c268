"""Tracking-number formats: normalise what people paste, and tell the carrier where the format says so.

Only unambiguous formats are inferred. A 20-digit number starting with 9, for example, can be USPS or FedEx
SmartPost, so it is left to the account's labels (or the caller's `carrier_code`) to decide.
"""

from __future__ import annotations

import re

from ..errors import InvalidInput, MalformedResponse

MAX_TRACKING_NUMBER = 64
SHIPSTATION_ID = re.compile(r"^se-[0-9a-z]+$", re.IGNORECASE)
"""ShipStation's own shipment and label ids: never a carrier's tracking number."""
_SEPARATORS = re.compile(r"[\s\-]+")
_VALID = re.compile(r"^[A-Z0-9]+$")
_CARRIER_CODE = re.compile(r"^[a-z0-9][a-z0-9_]{1,49}$")

# (pattern, carrier_code), first match wins.
_FORMATS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^1Z[0-9A-Z]{16}$"), "ups"),
    # USPS Intelligent Mail package barcodes: 22 digits with a 91-95 prefix, optionally behind a
    # "420" + ZIP (or ZIP+4) routing code as scanned from the label.
    (re.compile(r"^(?:420\d{5}(?:\d{4})?)?9[1-5]\d{20}$"), "usps"),
    # USPS international (S10): two letters, nine digits, "US".
    (re.compile(r"^[A-Z]{2}\d{9}US$"), "usps"),
    # USPS 21 digits starting with 9 (older IMpb).
    (re.compile(r"^9\d{20}$"), "usps"),
    # FedEx Ground "96" barcode (22 digits), Express (12), Ground (15), SmartPost/Ground 20 not starting with 9.
    (re.compile(r"^96\d{20}$"), "fedex"),
    (re.compile(r"^\d{12}$"), "fedex"),
    (re.compile(r"^\d{15}$"), "fedex"),
    (re.compile(r"^[0-8]\d{19}$"), "fedex"),
    # DHL Express air waybill.
    (re.compile(r"^\d{10}$"), "dhl_express"),
)


# What people paste in front of an identifier: the carrier's name (with the carrier code it names) and words such as
# "tracking:", "tracking number", "label". Longest first, so "dhl express" wins over "dhl".
CARRIER_NAMES: dict[str, str] = {
    "ups": "ups",
    "fedex": "fedex",
    "fed ex": "fedex",
    "federal express": "fedex",
    "usps": "usps",
    "us postal service": "usps",
    "u.s. postal service": "usps",
    "postal service": "usps",
    "dhl express": "dhl_express",
    "dhl": "dhl_express",
    "canada post": "canada_post",
    "ontrac": "ontrac",
    "purolator": "purolator_ca",
    "royal mail": "royal_mail",
    "australia post": "australia_post",
}
_LEAD_WORDS = (
    "tracking number",
    "tracking no",
    "tracking num",
    "tracking id",
    "tracking code",
    "tracking",
    "track",
    "trk",
    "awb",
    "waybill",
    "number",
    "no",
    "label",
    "package",
    "parcel",
    "shipment",
)
_LEADS = sorted([*CARRIER_NAMES, *_LEAD_WORDS], key=len, reverse=True)
_LEAD = re.compile(
    r"^(?P<lead>" + "|".join(re.escape(lead).replace(r"\ ", r"\s+") for lead in _LEADS) + r")\.?(?:[\s:#\-]+)",
    re.IGNORECASE,
)


def split_pasted(raw: str) -> tuple[str, str | None]:
    """(the identifier, the carrier code a carrier name in front of it names) from what a person pasted:
    'UPS 1Z…' → ('1Z…', 'ups'); 'tracking: 9400…' → ('9400…', None); 'FedEx tracking # 3831…' → ('3831…', 'fedex').
    A leading word is taken off only when a separator follows it and something is left after it."""
    text = raw.strip()
    carrier: str | None = None
    for _ in range(4):
        match = _LEAD.match(text)
        if match is None or not text[match.end() :].strip():
            break
        lead = " ".join(match["lead"].lower().split())
        carrier = carrier or CARRIER_NAMES.get(lead)
        text = text[match.end() :].strip()
    return text, carrier


def normalize_tracking_number(raw: str) -> str:
    """Upper-case, without the spaces and dashes people paste from labels and e-mails, nor a carrier name or a word
    such as 'tracking:' in front."""
    raw = split_pasted(raw)[0]
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw.replace("\t", "")):
        raise InvalidInput("The tracking number contains control characters; send only letters and digits.")
    number = _SEPARATORS.sub("", raw).upper()
    if not number:
        raise InvalidInput("The tracking number is empty; send the number printed on the label.")
    if len(number) > MAX_TRACKING_NUMBER:
        raise InvalidInput(
            f"That is {len(number)} characters long; tracking numbers are at most {MAX_TRACKING_NUMBER}. "
            "Send just the number printed on the label."
        )
    if not _VALID.match(number):
        raise InvalidInput(
            "A tracking number has only letters and digits (spaces and dashes are ignored); "
            f"{_shown(raw)} has other characters. Send just the number printed on the label."
        )
    return number


def normalize_carrier_code(raw: str) -> str:
    code = raw.strip().lower()
    if not _CARRIER_CODE.match(code):
        raise InvalidInput(
            f"{_shown(raw)} is not a carrier code. Carrier codes look like ups, fedex, usps, stamps_com or "
            "dhl_express; call list_carriers for the account's own."
        )
    return code


def normalized_or_none(raw: str) -> str | None:
    """`normalize_tracking_number`, or None where it would refuse the value (for callers that only look it up)."""
    try:
        return normalize_tracking_number(raw)
    except InvalidInput:
        return None


def infer_carrier(tracking_number: str) -> str | None:
    """The carrier code the number's format points to, or None when the format is unknown or ambiguous."""
    for pattern, carrier in _FORMATS:
        if pattern.match(tracking_number):
            return carrier
    return None


def _shown(raw: str, limit: int = 40) -> str:
    text = raw if len(raw) <= limit else raw[: limit - 1] + "…"
    return repr(text)


MAX_ID_LENGTH = 200


def clean_id(value: str, *, what: str, example: str) -> str:
    """Strip blanks; refuse empty, over-long or control-character ids with a message that shows the right shape."""
    text = value.strip()
    if not text:
        raise InvalidInput(f"The {what} is empty; send one like {example}.")
    if len(text) > MAX_ID_LENGTH:
        raise InvalidInput(
            f"The {what} is {len(text)} characters long (at most {MAX_ID_LENGTH}); send one like {example}."
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput(f"The {what} contains control characters; send one like {example}.")
    return text


def api_id(value: str, *, what: str) -> str:
    """An id ShipStation handed back, checked before it goes into another request: an answer with a broken id is a
    broken answer, not a mistake of the person asking."""
    try:
        return clean_id(value, what=what, example="se-123456")
    except InvalidInput:
        shown = value[:40] + ("…" if len(value) > 40 else "")
        raise MalformedResponse(
            f"ShipStation's answer carried a {what} that cannot be right ({len(value)} characters, {shown!r}), so "
            "it was not used in a further request."
        ) from None


def clean_shipstation_id(value: str, *, what: str, example: str) -> str:
    """`clean_id` for a se-… id, also as pasted with a word in front ('label se-324658', 'Shipment: se-123')."""
    bare = split_pasted(value)[0]
    return clean_id(bare if SHIPSTATION_ID.match(bare) else value, what=what, example=example)
