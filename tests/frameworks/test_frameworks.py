"""The agent frameworks support teams embed us in, each from PyPI in its own virtual environment (their pins differ:
langchain-mcp-adapters wants the MCP SDK 1.x, openai-agents and pydantic-ai the 2.x this server runs on).

Each framework's probe (probe_*.py beside this file, run by that environment's Python) connects over stdio and over
HTTP with the bearer token, lists the tools, converts every tool schema as the framework does for a model (OpenAI
strict function schemas included) and asks for order 10443 on the demo; pydantic-ai's runs a whole agent
conversation with its scripted FunctionModel (no LLM). `.ci/run` makes the environments (`.ci/frameworks/*.txt`);
elsewhere these tests skip when an environment is missing, unless CI is set. `SHIPSTATION_FRAMEWORK_VENVS` names the
folder that holds them [default: <temp dir>/shipstation-mcp-frameworks].
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shipstation_mcp.tools.registry import TOOLS
from tests.support.hardening_kit import server_process
from tests.support.processes import ROOT

HERE = Path(__file__).resolve().parent
TOKEN = "frameworks-token-0123456789abcdef"
FRAMEWORKS = ("langchain", "openai-agents", "pydantic-ai")
ORDER = "Order 10443 for “Priya Natarajan”"
QUESTION = "Where is order 10443?"


def venvs() -> Path:
    return Path(
        os.environ.get("SHIPSTATION_FRAMEWORK_VENVS") or Path(tempfile.gettempdir()) / "shipstation-mcp-frameworks"
    )


def python_of(framework: str) -> Path:
    python = venvs() / framework / "bin" / "python"
    if not python.exists():
        message = f"no {framework} environment at {python.parent.parent} (.ci/run makes it from .ci/frameworks/)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return python


@pytest.fixture(scope="module")
def http_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("frameworks-http")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "SHIPSTATION_MCP_TOKEN": TOKEN,
    }
    with server_process(["--demo", "--transport", "http"], env, ready_path="/mcp", log=home / "err.log") as server:
        yield server.base + "/mcp"


def probe(framework: str, http_url: str, home: Path) -> dict[str, Any]:
    stdio = {
        "transport": "stdio",
        "command": sys.executable,
        "args": ["-m", "shipstation_mcp", "--demo"],
        "env": {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PYTHONPATH": str(ROOT)},
    }
    connections = {"stdio": stdio, "http": {"transport": "http", "url": http_url, "token": TOKEN}}
    done = subprocess.run(
        [str(python_of(framework)), str(HERE / f"probe_{framework.replace('-', '_')}.py")],
        input=json.dumps(connections),
        capture_output=True,
        text=True,
        timeout=240,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home)},
        cwd=home,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_framework_lists_converts_and_calls_every_tool_over_stdio_and_http(
    framework: str, http_url: str, tmp_path: Path
) -> None:
    reports = probe(framework, http_url, tmp_path)
    every_tool = [spec.name for spec in TOOLS]
    for transport in ("stdio", "http"):
        report = reports[transport]
        assert sorted(report["tools"]) == sorted(every_tool), transport
        not_strict = [name for name, strict in report["strict"].items() if not strict]
        assert sorted(report["strict"]) == sorted(every_tool) and not_strict == [], (transport, not_strict)
        assert ORDER in report["answer"], (transport, report["answer"][:500])
        if framework == "pydantic-ai":  # a whole conversation: the scripted model called find_order, then answered
            assert report["calls"] == ["find_order"]
            assert report["answer"].startswith(f"Here is what I found: {ORDER}")


EXAMPLES = {
    "langchain": "langchain_tools.py",
    "openai-agents": "openai_agents_support.py",
    "pydantic-ai": "pydantic_ai_support.py",
}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_frameworks_example_runs_as_its_readme_says(framework: str, tmp_path: Path) -> None:
    """`python examples/<example>.py "Where is order 10443?"` with the framework installed and shipstation-mcp on
    the PATH (no model key: each example then answers without an LLM)."""
    scripts = Path(sys.executable).parent  # where this environment's `shipstation-mcp` is
    done = subprocess.run(
        [str(python_of(framework)), str(ROOT / "examples" / EXAMPLES[framework]), QUESTION],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(tmp_path),
            "PYTHONPATH": str(ROOT),
        },
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert ORDER in done.stdout
