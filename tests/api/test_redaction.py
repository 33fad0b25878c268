"""Secrets echoed back by ShipStation (issue 21): the API key, and any other secret the client holds, never pass
through, whether echoed whole, split, in another case, in part, or inside a successful answer."""

from __future__ import annotations

import logging
import random

import pytest
from pytest_httpx import HTTPXMock

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import Settings
from shipstation_mcp.errors import AuthenticationError
from shipstation_mcp.logs import RedactingFormatter
from shipstation_mcp.redact import MIN_FRAGMENT, Redactor

pytestmark = pytest.mark.anyio

KEY = "CANARY-k3y-5f3c9e1d7a2b4c6e"
V1_SECRET = "v1SecretQ8w7e6r5t4y3u2i1"


async def _nosleep(_: float) -> None:
    return None


def client() -> ShipStationClient:
    # probe_other_api=False: the 401s here are about echoes, not about asking the other API about the key.
    return ShipStationClient(Settings(api_key=KEY), sleep=_nosleep, rng=random.Random(1), probe_other_api=False)


def leaks(text: str, secret: str) -> list[str]:
    """Every run of MIN_FRAGMENT of the secret's letters and digits found in `text`, case and separators ignored."""
    letters = "".join(ch for ch in secret.lower() if ch.isalnum())
    plain = "".join(ch for ch in text.lower() if ch.isalnum())
    return [
        letters[i : i + MIN_FRAGMENT]
        for i in range(len(letters) - MIN_FRAGMENT + 1)
        if letters[i : i + MIN_FRAGMENT] in plain
    ]


ECHOES = {
    "whole": f"API key {KEY} is not valid",
    "lower-cased": f"API key {KEY.lower()} is not valid",
    "upper-cased": f"API KEY {KEY.upper()} IS NOT VALID",
    "split by spaces": "API key " + " ".join(KEY[i : i + 4] for i in range(0, len(KEY), 4)) + " is not valid",
    "split by quotes": "key parts '" + KEY[:10] + "', '" + KEY[10:] + "' rejected",
    "in part": f"key ending in ...{KEY[-12:]} is not valid",
    "without dashes": f"API key {KEY.replace('-', '')} is not valid",
}


@pytest.mark.parametrize("echo", ECHOES.values(), ids=ECHOES.keys())
async def test_an_error_echoing_the_key_in_any_form_keeps_none_of_it(httpx_mock: HTTPXMock, echo: str) -> None:
    httpx_mock.add_response(status_code=401, json={"errors": [{"message": echo, "error_code": echo[:60]}]})
    async with client() as api:
        with pytest.raises(AuthenticationError) as caught:
            await api.list_carriers()
    said = " ".join([str(caught.value), *caught.value.messages, caught.value.error_code or ""])
    assert leaks(said, KEY) == []
    assert "[redacted]" in said
    assert "not valid" in said.lower() or "rejected" in said  # the rest of the message is kept


async def test_a_successful_answer_echoing_the_key_is_redacted(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        json={"carriers": [{"carrier_id": "se-1", "carrier_code": "ups", "nickname": f"ups {KEY.lower()} main"}]}
    )
    async with client() as api:
        carriers = await api.list_carriers()
    assert carriers[0].nickname == "ups [redacted] main"


def test_every_secret_given_is_redacted_and_ordinary_text_is_left_alone() -> None:
    redact = Redactor([KEY, V1_SECRET, None, "abc"])
    text = f"key {KEY.swapcase()} and secret {V1_SECRET[:6]} {V1_SECRET[6:]} for order 1234-5678-ABCD"
    cleaned = redact(text)
    assert leaks(cleaned, KEY) == [] and leaks(cleaned, V1_SECRET) == []
    assert cleaned.endswith("for order 1234-5678-ABCD")
    assert redact("Priya N., 12 Canary Wharf, abc street") == "Priya N., 12 Canary Wharf, abc street"
    assert redact.json({"a": [f"x{KEY}y", 3], KEY: None}) == {"a": ["x[redacted]y", 3], "[redacted]": None}


def test_log_lines_redact_both_secrets_in_any_form() -> None:
    formatter = RedactingFormatter("%(message)s", [KEY])
    formatter.add_secret(V1_SECRET)
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "got %s / %s", (KEY.lower(), V1_SECRET.upper()), None)
    line = formatter.format(record)
    assert leaks(line, KEY) == [] and leaks(line, V1_SECRET) == []
    assert line == "got [redacted] / [redacted]"


def test_the_ordinary_words_of_a_hand_made_secret_stay_readable_elsewhere() -> None:
    redact = Redactor(["webhook-secret-for-tests-0123456789"])
    assert redact("POST /webhooks/shipstation answered 401; tests passed") == (
        "POST /webhooks/shipstation answered 401; tests passed"
    )
    assert redact("header WEBHOOK SECRET FOR TESTS 0123456789 refused") == "header [redacted] refused"
