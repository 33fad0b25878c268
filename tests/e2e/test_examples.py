"""examples/support_replies.py against a real demo server over HTTP: order numbers in, one
reply line per customer out, with the bearer token the server requires.

The batch of questions runs the script as its README says, in its own process with only PATH and HOME (so it needs
nothing but the MCP SDK). The two refusals run the same script in this process, as `python` would run it (runpy,
`__main__`, the exit status the interpreter gives a `SystemExit`): they exercise its token check and its error
message, not its start-up, and this process has the SDK loaded already.
"""

from __future__ import annotations

import io
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.hardening_kit import free_port, server_process
from tests.support.processes import ROOT, finished

TOKEN = "examples-token-0123456789abcdef"
SCRIPT = ROOT / "examples" / "support_replies.py"
QUESTIONS = ROOT / "examples" / "questions.csv"


def start_example(url: str, token: str, questions: Path) -> subprocess.Popen[str]:
    """`python examples/support_replies.py --url URL < questions`, started."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "SHIPSTATION_MCP_TOKEN": token}
    with questions.open() as stdin:
        return subprocess.Popen(
            [sys.executable, str(SCRIPT), "--url", url],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )


def run_example_here(
    url: str, token: str | None, stdin: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> subprocess.CompletedProcess[str]:
    """`python examples/support_replies.py --url URL < stdin`, run in this process."""
    argv = [str(SCRIPT), "--url", url]
    with monkeypatch.context() as patch:
        patch.setattr(sys, "argv", argv)
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        if token:
            patch.setenv("SHIPSTATION_MCP_TOKEN", token)
        else:
            patch.delenv("SHIPSTATION_MCP_TOKEN", raising=False)
        capsys.readouterr()
        code = 0
        try:
            runpy.run_path(str(SCRIPT), run_name="__main__")
        except SystemExit as exc:
            if isinstance(exc.code, str):  # what the interpreter does with a message as the exit code
                print(exc.code, file=sys.stderr)
                code = 1
            else:
                code = int(exc.code or 0)
        out, err = capsys.readouterr()
    return subprocess.CompletedProcess(argv, code, out, err)


def test_the_support_example_answers_every_customer_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "SHIPSTATION_MCP_TOKEN": TOKEN,
    }
    with server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=tmp_path / "err.log") as srv:
        batch = start_example(srv.base + "/mcp", TOKEN, QUESTIONS)
        try:
            refused = run_example_here(
                srv.base + "/mcp", "not-the-token-0123456789", "Priya,10443\n", monkeypatch, capsys
            )
            missing = run_example_here(srv.base + "/mcp", None, "Priya,10443\n", monkeypatch, capsys)
        finally:
            (done,) = finished(batch)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    customers = [line.split(",")[0] for line in QUESTIONS.read_text().splitlines()[1:] if line.strip()]
    assert [line.split(": ", 1)[0] for line in lines] == customers
    priya, javier, sam, dana = lines
    assert "Order 10443 for “Priya Natarajan”" in priya and "Out for delivery in SEATTLE" in priya
    assert "Delivery attempted" in javier and "What to do:" in javier
    assert "could not find order 99999" in sam
    assert "order number" in dana
    assert refused.returncode != 0 and not refused.stdout
    assert "refused the token (HTTP 401): set SHIPSTATION_MCP_TOKEN" in refused.stderr
    assert missing.returncode != 0 and "SHIPSTATION_MCP_TOKEN" in missing.stderr


def test_the_support_example_tells_a_server_that_is_not_there_from_a_wrong_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    absent = run_example_here(f"http://127.0.0.1:{port}/mcp", TOKEN, "Priya,10443\n", monkeypatch, capsys)
    assert absent.returncode != 0 and "nothing answers at" in absent.stderr and "connection refused" in absent.stderr
    assert "token" not in absent.stderr
