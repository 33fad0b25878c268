"""A hostile API on 127.0.0.1 (tests/hostile_api.py) against the real client, in child processes whose memory is
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
# The drip sends a byte a second, so httpx's per-read timeout never fires; only the attempt's deadline cuts it.
DRIP_TIMEOUT = 2.0

# Runs in the child: the MCP SDK is imported once, then each attack runs in a process forked from it (no state and
# no memory peak shared between attacks): one attack through a fresh MCP server's track_label tool, then a normal
# call, then the figures. The dripped one waits out its deadlines while the others run, one at a time.
CHILD = """
import asyncio, json, os, sys, time, traceback
from mcp import Client
from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server

def peak_mib():
    # VmHWM: the most this process has had resident, counted from its fork (not the parent's peak).
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
    return {
        "error": bool(failed.is_error), "text": failed.content[0].text, "elapsed": elapsed,
        "next_error": bool(after.is_error), "next_elapsed": next_elapsed,
        "peak_mib": peak_mib(),
    }

def fork(url, attack, timeout):
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        code = 0
        try:
            os.write(writer, json.dumps(asyncio.run(main(url, attack, timeout))).encode())
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stderr.flush()
        os._exit(code)
    os.close(writer)
    return pid, reader

def collect(attack, pid, reader):
    with os.fdopen(reader, "rb") as answer:
        result = answer.read()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code != 0:
        sys.exit(f"the {attack} attack's process ended with {code} (its traceback is above)")
    return json.loads(result)

url, attacks = sys.argv[1], json.loads(sys.argv[2])  # [[name, timeout], ...]: the first runs alongside the rest
waiting = fork(url, *attacks[0])
results = {name: collect(name, *fork(url, name, timeout)) for name, timeout in attacks[1:]}
results[attacks[0][0]] = collect(attacks[0][0], *waiting)
print(json.dumps(results))
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


def attack(url: str, attacks: list[tuple[str, float]]) -> dict[str, dict[str, object]]:
    """Each attack's figures, by name, for (name, timeout) pairs; the first runs alongside the others."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, json.dumps(attacks)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "PYTHONPATH": str(ROOT), "HOME": str(ROOT / ".no-home")},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


ANSWERS = {
    # Each attempt is cut at its timeout in all; no retry for a dripped body that timed out beyond what is left.
    "drip": ("did not answer in time", 3 * DRIP_TIMEOUT + 6),
    "huge": ("larger than 16 MiB", TIMEOUT + 2),
    "bomb": ("larger than 16 MiB", TIMEOUT + 2),
    "deep": ("not valid JSON", TIMEOUT + 2),
}
RETRY_AFTERS = ["retry99999", "retry9999"]


def a_dripped_huge_or_compressed_answer_fails_in_time_with_bounded_memory(
    result: dict[str, object], words: str, within: float
) -> None:
    assert result["error"] and words in str(result["text"]), result["text"]
    assert "Traceback" not in str(result["text"]) and "key-0123456789" not in str(result["text"])
    assert float(result["elapsed"]) < within  # type: ignore[arg-type]
    assert float(result["peak_mib"]) < 300  # type: ignore[arg-type]
    assert result["next_error"] is False


def an_absurd_retry_after_fails_that_call_at_once_and_the_next_call_goes_to_the_api(result: dict[str, object]) -> None:
    assert result["error"] and "rate limit" in str(result["text"])
    assert "Try again" in str(result["text"])
    assert float(result["elapsed"]) < 2  # type: ignore[arg-type]
    assert result["next_error"] is False
    assert float(result["next_elapsed"]) < 2  # type: ignore[arg-type]


def test_each_attack_fails_in_time_with_a_clear_error_and_the_next_call_goes_to_the_api(
    hostile_api: str, subtests: pytest.Subtests
) -> None:
    """A dripped, huge, compressed or deeply nested answer fails within its deadline with bounded memory; an absurd
    Retry-After fails that call at once. One subtest per attack."""
    others = [name for name in [*ANSWERS, *RETRY_AFTERS] if name != "drip"]
    results = attack(hostile_api, [("drip", DRIP_TIMEOUT), *((name, TIMEOUT) for name in others)])
    for name, (words, within) in ANSWERS.items():
        with subtests.test(name):
            a_dripped_huge_or_compressed_answer_fails_in_time_with_bounded_memory(results[name], words, within)
    for name in RETRY_AFTERS:
        with subtests.test(name):
            an_absurd_retry_after_fails_that_call_at_once_and_the_next_call_goes_to_the_api(results[name])


@pytest.mark.anyio
async def test_a_retry_sequence_ends_at_its_deadline_however_many_retries_are_allowed(
    hostile_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shipstation_mcp.api import engine as engine_module
    from shipstation_mcp.api.client import ShipStationClient
    from shipstation_mcp.config import Settings
    from shipstation_mcp.errors import RequestTimeout

    monkeypatch.setattr(engine_module, "SEQUENCE_BUDGET", 2.0)
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
