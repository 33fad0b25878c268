"""Faults from a real server process on 127.0.0.1 (tests/support/fault_server.py): each ends in bounded time with a
clear error, and the same server process then answers the next call normally, on the same client."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client

from shipstation_mcp.api.client import ShipStationClient
from shipstation_mcp.config import Settings
from shipstation_mcp.errors import (
    MalformedResponse,
    NetworkError,
    RateLimitedError,
    RequestTimeout,
    ServerError,
    ShipStationError,
    describe_for_assistant,
)
from shipstation_mcp.state.limiter import RateLimiter
from shipstation_mcp.tools.server import create_server
from tests.support.canary import CANARY_KEY
from tests.support.processes import ROOT

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def fault_server() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fault_server"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    yield f"http://127.0.0.1:{port}", process
    process.terminate()
    process.wait(timeout=5)


def settings_for(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "api_key": CANARY_KEY,
        "api": "shipengine",
        "base_url": url,
        "timeout": 0.5,
        "max_retries": 3,
        "rate_limit": 100_000,
    }
    values.update(overrides)
    return Settings(**values)


class Sleeps:
    """Records the waits the client asks for and waits a token amount, so retries run for real but fast."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await anyio.sleep(0.001)


FAULTS = [
    # fault, error type, words the assistant reads, attempts made
    ("storm429", RateLimitedError, "rate limit", 4),
    ("storm429long", RateLimitedError, "in about 2 minutes", 1),
    ("always502", ServerError, "HTTP 502 after 4 attempt(s)", 4),
    ("slow", RequestTimeout, "did not answer in time after 4 attempt(s)", 4),
    ("reset", NetworkError, "Could not reach ShipStation", 4),
    ("truncated", MalformedResponse, "not valid JSON", 4),
    ("short", NetworkError, "closed before a complete answer", 4),
    ("badgzip", NetworkError, "could not be decoded", 4),
]


@pytest.mark.parametrize(("fault", "error_type", "words", "attempts"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_fault_ends_in_bounded_time_with_a_clear_error_then_the_next_call_works(
    fault_server: tuple[str, subprocess.Popen[str]], fault: str, error_type: type, words: str, attempts: int
) -> None:
    url, process = fault_server
    sleeps = Sleeps()
    limiter = RateLimiter(100_000)
    started = time.monotonic()
    async with ShipStationClient(settings_for(url), sleep=sleeps, limiter=limiter, cache=None) as client:
        with anyio.fail_after(10):
            with pytest.raises(ShipStationError) as caught:
                await client.track_label(fault)
            message = describe_for_assistant(caught.value, what=f"label {fault!r}")
            if fault == "storm429long":
                # A pause longer than we wait out fails that call only (saying when); it never holds the process.
                assert "in about 2 minutes" in message
                assert client.limiter is not None and client.limiter.paused_for == 0
            follow_up = await client.track_label("ok")
    elapsed = time.monotonic() - started

    assert type(caught.value) is error_type
    assert words in message
    assert caught.value.attempts == attempts
    assert CANARY_KEY not in message and CANARY_KEY not in repr(caught.value)
    assert follow_up.status_code == "IT"  # the same process, the same client: back to normal
    assert process.poll() is None
    assert elapsed < 4 * 0.5 + 3  # at most every attempt's timeout, plus slack
    assert all(wait <= 60 for wait in sleeps.asked)
    if fault == "storm429":
        assert limiter.penalties == 4  # every 429 fed back into the limiter


async def test_a_503_burst_is_ridden_out_with_backoff(fault_server: tuple[str, subprocess.Popen[str]]) -> None:
    url, _ = fault_server
    sleeps = Sleeps()
    async with ShipStationClient(settings_for(url), sleep=sleeps, limiter=None, cache=None) as client:
        with anyio.fail_after(10):
            info = await client.track_label("burst503-2")
    assert info.status_code == "IT"
    assert len(sleeps.asked) == 2
    assert 0.25 <= sleeps.asked[0] <= 0.5 and 0.5 <= sleeps.asked[1] <= 1.0


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("reset", "Could not reach ShipStation"),
        ("truncated", "not valid JSON"),
        ("badgzip", "could not be decoded"),
        ("slow", "did not answer in time"),
        ("storm429long", "rate limit"),
    ],
)
async def test_through_the_mcp_server_a_fault_is_a_tool_error_and_the_next_call_answers(
    fault_server: tuple[str, subprocess.Popen[str]], fault: str, words: str
) -> None:
    url, _ = fault_server
    server = create_server(settings_for(url, max_retries=0))
    async with Client(server) as client:
        with anyio.fail_after(10):
            failed = await client.call_tool("track_label", {"label_id": fault})
            if fault == "storm429long":
                # The over-long pause failed that call only: the next one goes to the API at once.
                assert "in about 2 minutes" in failed.content[0].text
                at_once = await client.call_tool("track_label", {"label_id": "ok"})
                assert not at_once.is_error
    async with Client(server) as client:
        with anyio.fail_after(10):
            fine = await client.call_tool("track_label", {"label_id": "ok"})
    text = failed.content[0].text
    assert failed.is_error and words in text
    assert "internal error" not in text and CANARY_KEY not in text
    assert not fine.is_error and fine.structured_content["status_code"] == "IT"
