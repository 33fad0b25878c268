"""A hostile API on 127.0.0.1 (tests/hostile_api.py) against the real client, in a child process whose memory is
measured: each attack ends within its deadline with a clear tool error, memory stays bounded, and the next call on
the same server goes to the API and answers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 3.0

# Runs in the child: one attack through the MCP server's track_label tool, then a normal call, then the figures.
CHILD = """
import asyncio, json, sys, time
from mcp import Client
from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server

def peak_mib():
    # VmHWM belongs to this process image; ru_maxrss would carry over the forking parent's peak across exec.
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

async def main(url, attack, timeout):
    settings = Settings(api_key="key-0123456789", api="shipengine", base_url=url, timeout=timeout, max_retries=2)
    server = create_server(settings)
    async with Client(server) as client:
        started = time.monotonic()
        failed = await client.call_tool("track_label", {"label_id": attack})
        elapsed = time.monotonic() - started
        started = time.monotonic()
        after = await client.call_tool("track_label", {"label_id": "ok"})
        next_elapsed = time.monotonic() - started
    print(json.dumps({
        "error": bool(failed.is_error), "text": failed.content[0].text, "elapsed": elapsed,
        "next_error": bool(after.is_error), "next_elapsed": next_elapsed,
        "peak_mib": peak_mib(),
    }))

asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
"""


@pytest.fixture(scope="module")
def hostile_api() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.hostile_api"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    port = int(process.stdout.readline())
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=5)


def attack(url: str, name: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, name, str(TIMEOUT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "", "PYTHONPATH": str(ROOT), "HOME": str(ROOT / ".no-home")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("name", "words", "within"),
    [
        # Each attempt is cut at TIMEOUT in all; no retry for a dripped body that timed out beyond what is left.
        ("drip", "did not answer in time", 3 * TIMEOUT + 6),
        ("huge", "larger than 16 MiB", TIMEOUT + 2),
        ("bomb", "larger than 16 MiB", TIMEOUT + 2),
        ("deep", "not valid JSON", TIMEOUT + 2),
    ],
)
def test_a_dripped_huge_or_compressed_answer_fails_in_time_with_bounded_memory(
    hostile_api: str, name: str, words: str, within: float
) -> None:
    result = attack(hostile_api, name)
    assert result["error"] and words in str(result["text"]), result["text"]
    assert "Traceback" not in str(result["text"]) and "key-0123456789" not in str(result["text"])
    assert float(result["elapsed"]) < within  # type: ignore[arg-type]
    assert float(result["peak_mib"]) < 300  # type: ignore[arg-type]
    assert result["next_error"] is False


@pytest.mark.parametrize("name", ["retry99999", "retry9999"])
def test_an_absurd_retry_after_fails_that_call_at_once_and_the_next_call_goes_to_the_api(
    hostile_api: str, name: str
) -> None:
    result = attack(hostile_api, name)
    assert result["error"] and "rate limit" in str(result["text"])
    assert "Try again" in str(result["text"])
    assert float(result["elapsed"]) < 2  # type: ignore[arg-type]
    assert result["next_error"] is False
    assert float(result["next_elapsed"]) < 2  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_retry_sequence_ends_at_its_deadline_however_many_retries_are_allowed(
    hostile_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shipstation_mcp.api import client as client_module
    from shipstation_mcp.api.client import ShipStationClient
    from shipstation_mcp.config import Settings
    from shipstation_mcp.errors import RequestTimeout

    monkeypatch.setattr(client_module, "SEQUENCE_BUDGET", 2.0)
    settings = Settings(
        api_key="key-0123456789", api="shipengine", base_url=hostile_api, timeout=0.5, max_retries=10, rate_limit=10_000
    )
    started = time.monotonic()
    async with ShipStationClient(settings, limiter=None, cache=None) as client:
        with pytest.raises(RequestTimeout) as caught:
            await client.track_label("drip")
    elapsed = time.monotonic() - started
    assert elapsed < 2.0 + 1.0  # not 11 attempts of 0.5 s plus their backoff
    assert 2 <= caught.value.attempts < 11
