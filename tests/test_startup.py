"""Start-up imports only what the chosen mode needs (each case in a fresh interpreter, as a user starts it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.processes import ROOT

RECEIVER_ONLY = """
import json, sys
from shipstation_mcp.config import LiveSettings
from shipstation_mcp.web import build_receiver_app
build_receiver_app(LiveSettings(data_dir=sys.argv[1]))
print(json.dumps(sorted(sys.modules)))
"""

STDIO_SERVER = """
import json, os, sys
from shipstation_mcp.config import load_settings
from shipstation_mcp.tools.server import create_server
os.chdir(sys.argv[1])
create_server(load_settings({"SHIPSTATION_API_KEY": "k" * 24}))
print(json.dumps(sorted(sys.modules)))
"""


def loaded(script: str, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout))


def test_the_receiver_alone_starts_without_the_mcp_sdk(tmp_path: Path) -> None:
    modules = loaded(RECEIVER_ONLY, str(tmp_path))
    assert "shipstation_mcp.live.receiver" in modules
    assert not {m for m in modules if m == "mcp" or m.startswith(("mcp.", "mcp_types"))}
    assert "shipstation_mcp.tools" not in modules


def test_the_stdio_server_loads_neither_the_http_app_nor_the_demo_account(tmp_path: Path) -> None:
    modules = loaded(STDIO_SERVER, str(tmp_path))
    assert "shipstation_mcp.tools.server" in modules
    ours = ("shipstation_mcp.sandbox", "shipstation_mcp.http_app", "shipstation_mcp.web")  # (the SDK loads uvicorn)
    assert not {m for m in modules if m.startswith(ours)}
    assert "dotenv" not in modules  # no .env file in the folder: nothing to read it with
    # The event store loads (and opens) at the first live-tracking use, not at every start.
    assert "shipstation_mcp.state.store" not in modules and "sqlite3" not in modules


def test_the_coordinate_finder_loads_at_the_first_lookup_not_at_start(tmp_path: Path) -> None:
    """tzfpy costs ~100 ms of CPU to load its polygons: only a package with coordinates pays it, once."""
    assert "tzfpy" not in loaded(STDIO_SERVER, str(tmp_path))
