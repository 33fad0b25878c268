"""The Claude Desktop bundle's manifest.json agrees with the server it starts.

Its `tools` list is generated from the registered tools (name, and the first sentence of the description);
`UPDATE_SNAPSHOTS=1 python -m pytest tests/test_manifest.py tests/test_tool_snapshots.py` rewrites it together
with the tool snapshots. `.ci/run` also runs `npx -y @anthropic-ai/mcpb@2.1.2 validate manifest.json`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from shipstation_mcp import __version__
from shipstation_mcp.config import Settings, load_settings
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "manifest.json"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS", "").strip().lower() in {"1", "true", "yes"}
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!e\.g\.)(?<!i\.e\.)\s+")


def load_manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def first_sentence(description: str) -> str:
    return _SENTENCE_END.split(description.strip(), maxsplit=1)[0]


async def registered_tools() -> list[dict[str, str]]:
    async with Client(create_server(Settings(api_key="demo", demo=True))) as client:
        tools = (await client.list_tools()).tools
    return [{"name": tool.name, "description": first_sentence(tool.description or "")} for tool in tools]


async def test_manifest_lists_exactly_the_registered_tools() -> None:
    manifest = load_manifest()
    expected = await registered_tools()
    if UPDATE:
        manifest["tools"] = expected
        MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    listed = [tool["name"] for tool in manifest["tools"]]
    assert sorted(listed) == sorted(t["name"] for t in expected), (
        "manifest.json tools differ from the server's; run "
        "`UPDATE_SNAPSHOTS=1 python -m pytest tests/test_manifest.py` and review the diff"
    )
    assert manifest["tools"] == expected, "a tool description changed; regenerate with UPDATE_SNAPSHOTS=1"
    assert manifest.get("tools_generated") is False


def test_manifest_version_and_runtime_match_the_package() -> None:
    manifest = load_manifest()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert manifest["version"] == __version__
    assert manifest["name"] == project["name"]
    assert manifest["compatibility"]["runtimes"]["python"] == project["requires-python"]
    assert manifest["license"] == project["license"]
    assert (ROOT / manifest["server"]["entry_point"]).is_file()
    assert manifest["server"]["type"] == "uv" and manifest["manifest_version"] == "0.4"


def test_user_config_reaches_the_settings_the_server_reads() -> None:
    manifest = load_manifest()
    config = manifest["user_config"]
    env = manifest["server"]["mcp_config"]["env"]
    assert config["api_key"]["sensitive"] is True and config["api_key"]["required"] is False  # optional in demo mode
    for name, option in config.items():
        assert option["title"] and option["description"], name
        if not option.get("required"):
            # An unset optional value without a default reaches the server as the literal "${user_config.x}".
            assert "default" in option, f"{name} needs a default"
    referenced = {m for value in env.values() for m in re.findall(r"\$\{user_config\.(\w+)\}", value)}
    assert referenced == set(config)

    # What Claude Desktop passes when the user keeps every default, loaded by the real settings code.
    defaults = {key: config[key].get("default", "") for key in config}
    defaults["api_key"] = "sk-from-claude-desktop"
    rendered = {
        name: re.sub(
            r"\$\{user_config\.(\w+)\}",
            lambda m: (
                str(defaults[m.group(1)]).lower()
                if isinstance(defaults[m.group(1)], bool)
                else str(defaults[m.group(1)])
            ),
            value,
        )
        for name, value in env.items()
    }
    settings = load_settings(rendered, dotenv_path=ROOT / "no-such.env")
    assert (settings.api, settings.base_url, settings.demo) == ("v2", None, False)
    assert settings.api_key == "sk-from-claude-desktop"
    demo = load_settings({**rendered, "SHIPSTATION_DEMO": "true"}, dotenv_path=ROOT / "no-such.env")
    assert demo.demo is True


def test_the_bundle_leaves_out_tests_caches_and_environments() -> None:
    patterns = {
        line.strip()
        for line in (ROOT / ".mcpbignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {"tests/", ".venv/", "__pycache__/", ".pytest_cache/", ".ruff_cache/", "*.egg-info/"} <= patterns
    assert not {"shipstation_mcp/", "pyproject.toml", "manifest.json", "README.md"} & patterns
