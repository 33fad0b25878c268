"""The MCP Inspector's CLI, a client we did not write, against the demo server over stdio.

`--tool-arg query=10443` sends the all-digit order number as a JSON number (the Inspector guesses types from what
was typed); the server takes it as the order number. Needs Node 20+ and npx, which fetches the pinned Inspector
from the npm registry: without them the test skips, unless CI is set (`.ci/run` has both).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import THIS_TREE

README_COMMAND = (
    "npx -y @modelcontextprotocol/inspector@2.12.0 --cli shipstation-mcp --demo -- "
    "--method tools/call --tool-name find_order --tool-arg query=10443"
)
"""The README's Inspector command, run here as written (`shipstation-mcp` is this environment's, on this tree)."""


def inspector(tmp_path: Path, command: str) -> subprocess.CompletedProcess[str]:
    npx = shutil.which("npx")
    if npx is None:
        if os.environ.get("CI"):
            pytest.fail("npx is not installed (Node 20+ is needed for the Inspector CLI)")
        pytest.skip("npx is not installed: the Inspector CLI test needs Node 20+")
    scripts = str(Path(sys.executable).parent)  # where this environment's `shipstation-mcp` is
    env = {**os.environ, **THIS_TREE, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}"}
    argv = shlex.split(command)
    done = subprocess.run(
        [npx, *argv[1:], "--format", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
    )
    if done.returncode != 0 and not done.stdout.strip() and "npm" in done.stderr and not os.environ.get("CI"):
        pytest.skip(f"npx could not fetch the Inspector (offline?): {done.stderr.strip()[-300:]}")
    return done


def test_a_bare_order_number_from_the_inspector_finds_the_order(tmp_path: Path) -> None:
    done = inspector(tmp_path, README_COMMAND)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)["result"]
    assert not result.get("isError"), result
    assert result["structuredContent"]["shipment"]["shipment_number"] == "10443"
    assert "Priya Natarajan" in result["structuredContent"]["headline"]
