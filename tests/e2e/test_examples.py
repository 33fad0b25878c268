"""examples/support_replies.py against a real demo server over HTTP (issue 13, item 8): order numbers in, one
reply line per customer out, with the bearer token the server requires."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.hardening_kit import server_process
from tests.support.processes import ROOT

TOKEN = "examples-token-0123456789abcdef"
SCRIPT = ROOT / "examples" / "support_replies.py"
QUESTIONS = ROOT / "examples" / "questions.csv"


def run_example(url: str, token: str | None, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    if token:
        env["SHIPSTATION_MCP_TOKEN"] = token
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--url", url], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_the_support_example_answers_every_customer_in_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "SHIPSTATION_MCP_TOKEN": TOKEN,
    }
    with server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "err.log") as srv:
        done = run_example(srv.base + "/mcp", TOKEN, QUESTIONS.read_text())
        refused = run_example(srv.base + "/mcp", "not-the-token-0123456789", "Priya,10443\n")
        missing = run_example(srv.base + "/mcp", None, "Priya,10443\n")
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    customers = [line.split(",")[0] for line in QUESTIONS.read_text().splitlines()[1:] if line.strip()]
    assert [line.split(": ", 1)[0] for line in lines] == customers
    priya, javier, sam, dana = lines
    assert "Order 10443 for Priya Natarajan" in priya and "Out For Delivery" in priya
    assert "Delivery attempted" in javier and "What to do:" in javier
    assert "could not find order 99999" in sam
    assert "order number" in dana
    assert refused.returncode != 0 and not refused.stdout and "check SHIPSTATION_MCP_TOKEN" in refused.stderr
    assert missing.returncode != 0 and "SHIPSTATION_MCP_TOKEN" in missing.stderr
