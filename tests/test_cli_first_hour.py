"""What a new user meets in the terminal: suggestions name the command they typed, a flag is never silently
ignored, what they typed is echoed as typed, every message ends in one full stop, and `--port 0` works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shipstation_mcp.errors import NotFoundError, describe_for_assistant
from tests.support.cli import run_cli as run
from tests.support.processes import THIS_TREE


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("SHIPSTATION_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_without_a_key_the_suggestion_is_the_command_typed_with_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["order", "#10443"]) == 2
    err = capsys.readouterr().err
    assert "`shipstation-mcp order '#10443' --demo`" in err
    assert run(["track", "1ZA4R8E20293229421", "--events", "3"]) == 2
    assert "`shipstation-mcp track 1ZA4R8E20293229421 --events 3 --demo`" in capsys.readouterr().err


def test_a_carrier_that_contradicts_the_accounts_label_is_refused_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["track", "9400111170578732091134", "--carrier", "fedex", "--demo"]) == 1
    err = capsys.readouterr().err
    assert "9400111170578732091134 is this account's stamps_com label se-5000011, not a fedex package" in err
    assert "Leave --carrier out" in err
    # a carrier that agrees with the label (USPS bought through Stamps.com) is honoured
    assert run(["track", "9400111170578732091134", "--carrier", "usps", "--demo"]) == 0


def test_what_the_user_typed_is_echoed_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["track", "zz99 ab", "--demo"]) == 1
    assert "Could not track zz99 ab:" in capsys.readouterr().err
    assert run(["find-tracking", "abcdef", "--demo"]) == 1
    assert "tracking number abcdef." in capsys.readouterr().err


def test_messages_end_in_one_full_stop() -> None:
    error = NotFoundError("not found", status=404, messages=["Shipment not found."])
    text = describe_for_assistant(error, what="shipment 'se-1'")
    assert "ShipStation said: “Shipment not found.” Check" in text and ".." not in text and ".”." not in text


def test_port_0_picks_a_free_port_prints_it_and_the_start_log_agrees_with_itself(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **THIS_TREE}
    log = tmp_path / "stderr.log"
    with log.open("wb") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "shipstation_mcp", "--transport", "http", "--demo", "--port", "0"],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline and child.poll() is None:
            found = re.search(r"connect to (http://127\.0\.0\.1:(\d+)/mcp)", log.read_text())
            url = found.group(1) if found and int(found.group(2)) > 0 else None
            time.sleep(0.05)
        assert url, log.read_text()[-2000:]
        while time.monotonic() < deadline:
            try:
                refused = httpx.post(url, json={}, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert refused.status_code == 401
        assert "SHIPSTATION_MCP_TOKEN" in refused.text and "printed on stderr" in refused.text
        time.sleep(0.2)  # the lifespan's last lines
    finally:
        child.terminate()
        child.wait(timeout=10)
    text = log.read_text()
    assert "Webhook signing keys are not fetched (offline demo)" in text
    assert "with keys from" not in text  # it does not also claim to verify with keys from the public JWKS URL


def test_the_port_must_be_a_port_or_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--transport", "http", "--demo", "--port", "70000"]) == 2
    assert "or 0 for a free port" in capsys.readouterr().err
