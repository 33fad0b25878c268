"""The few checks that need a real process: `python -m shipstation_mcp` as a console command, and logging on the
real file descriptors. Everything else about the command line runs in-process (tests/test_cli.py, test_config.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from subprocess import PIPE

from shipstation_mcp.logs import REDACTED
from tests.support.processes import THIS_TREE, finished

SECRET = "CANARY-k3y-5f3c9e1d7a2b4c6e"


def test_console_entry_point_in_a_real_process(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SHIPSTATION_")} | THIS_TREE

    def module(*args: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "shipstation_mcp", *args]
        return subprocess.Popen(command, stdout=PIPE, stderr=PIPE, text=True, cwd=tmp_path, env=env)

    # Independent commands (the demo keeps no data folder, nothing is shared): they run at the same time.
    ok, failed = finished(module("track", "1ZA4R8E20361199987", "--demo"), module("track-label", "se-0", "--demo"))
    assert ok.returncode == 0, ok.stderr
    assert "Out for delivery in SEATTLE" in ok.stdout.splitlines()[0]
    assert ok.stderr == ""
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert failed.stderr.startswith("shipstation-mcp: ShipStation has no label 'se-0'")


def test_logs_go_to_stderr_in_a_real_process() -> None:
    """The same, on the real file descriptors: nothing at all may reach stdout."""
    code = (
        "import logging; from shipstation_mcp.logs import configure_logging; "
        f"configure_logging('DEBUG', secrets=[{SECRET!r}]); "
        f"logging.getLogger('shipstation_mcp').debug('key is %s', {SECRET!r}); "
        "logging.getLogger('httpx').debug('request sent')"
    )
    command = [sys.executable, "-c", code]
    env = os.environ | THIS_TREE
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"key is {REDACTED}" in result.stderr
    assert "request sent" in result.stderr
    assert SECRET not in result.stderr
