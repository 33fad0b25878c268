"""server.json, the MCP registry's entry for this server, agrees with the registry's schema and with the package.

The schema is the registry's published 2025-12-11 `server.schema.json`, vendored byte for byte in
`tests/fixtures/registry/` (see the README there). `UPDATE_SNAPSHOTS=1` rewrites server.json's version, settings,
tools and toolsets from the package, like the manifest's tool list (tests/test_manifest.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker
from mcp import Client

from shipstation_mcp import __version__
from shipstation_mcp.cli import SETTINGS_HELP
from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server
from shipstation_mcp.tools.toolsets import TOOLSET_OF

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
SERVER_JSON = ROOT / "server.json"
SCHEMA = ROOT / "tests" / "fixtures" / "registry" / "server.schema.2025-12-11.json"
SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
SCHEMA_SHA256 = "3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS", "").strip().lower() in {"1", "true", "yes"}
META = "io.modelcontextprotocol.registry/publisher-provided"

# The settings a registry client asks for when it installs the PyPI package: what a newcomer needs to start.
REGISTRY_SETTINGS: list[dict[str, Any]] = [
    {
        "name": "SHIPSTATION_API_KEY",
        "description": "ShipStation API key (Settings > Account > API Settings). Not needed with SHIPSTATION_DEMO=1.",
        "isRequired": False,
        "isSecret": True,
    },
    {
        "name": "SHIPSTATION_DEMO",
        "description": "1 answers from the built-in offline demo account: no key, no network.",
        "format": "boolean",
        "default": "false",
    },
    {
        "name": "SHIPSTATION_API",
        "description": (
            "v2 (ShipStation API V2, the default), shipengine (ShipStation API formerly ShipEngine) or v1 "
            "(ShipStation's classic API, key + secret)."
        ),
        "choices": ["v2", "shipengine", "v1"],
        "default": "v2",
    },
    {
        "name": "SHIPSTATION_API_SECRET",
        "description": "With SHIPSTATION_API=v1: the secret of the V1 key pair.",
        "isRequired": False,
        "isSecret": True,
    },
    {
        "name": "SHIPSTATION_TRACKING_API",
        "description": (
            "With SHIPSTATION_API=v1 (no tracking status of its own): v2 or shipengine, the flavour of a second key "
            "that tracks its packages."
        ),
        "choices": ["v2", "shipengine"],
    },
    {
        "name": "SHIPSTATION_TRACKING_API_KEY",
        "description": "With SHIPSTATION_API=v1: a V2 or ShipEngine key of the same account, for tracking status.",
        "isRequired": False,
        "isSecret": True,
    },
    {
        "name": "SHIPSTATION_TOOLSETS",
        "description": "Tools to offer, comma-separated: orders, tracking, bulk, live (or all).",
        "default": "all",
    },
    {
        "name": "SHIPSTATION_READ_ONLY",
        "description": "1 hides every tool that changes the account (subscribe/unsubscribe, webhook set-up).",
        "format": "boolean",
        "default": "false",
    },
]


def load() -> dict[str, Any]:
    return json.loads(SERVER_JSON.read_text(encoding="utf-8"))


async def listed_tools() -> list[str]:
    async with Client(create_server(Settings(api_key="demo", demo=True))) as client:
        return [tool.name for tool in (await client.list_tools()).tools]


async def test_server_json_is_current() -> None:
    entry = load()
    tools = await listed_tools()
    expected = {
        "version": __version__,
        "settings": REGISTRY_SETTINGS,
        "tools": tools,
        "toolsets": {name: [t for t in tools if TOOLSET_OF[t] == name] for name in dict.fromkeys(TOOLSET_OF.values())},
    }
    if UPDATE:
        entry["version"] = __version__
        for package in entry["packages"]:
            package["version"] = __version__
            if package["registryType"] == "mcpb":
                package["identifier"] = re.sub(r"v[^/]+/shipstation-mcp-[^/]+\.mcpb$", "", package["identifier"])
                package["identifier"] += f"v{__version__}/shipstation-mcp-{__version__}.mcpb"
            else:
                package["environmentVariables"] = REGISTRY_SETTINGS
        entry["_meta"][META] = {"tools": expected["tools"], "toolsets": expected["toolsets"]}
        SERVER_JSON.write_text(json.dumps(entry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    assert entry["version"] == __version__, "server.json version differs; run with UPDATE_SNAPSHOTS=1"
    pypi = next(p for p in entry["packages"] if p["registryType"] == "pypi")
    mcpb = next(p for p in entry["packages"] if p["registryType"] == "mcpb")
    assert pypi["version"] == mcpb["version"] == __version__
    assert f"/v{__version__}/shipstation-mcp-{__version__}.mcpb" in mcpb["identifier"]
    assert pypi["environmentVariables"] == REGISTRY_SETTINGS
    assert entry["_meta"][META]["tools"] == expected["tools"], "tools changed; run with UPDATE_SNAPSHOTS=1"
    assert entry["_meta"][META]["toolsets"] == expected["toolsets"]


def test_server_json_validates_against_the_registry_schema() -> None:
    raw = SCHEMA.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "the vendored schema is not the published file"
    schema = json.loads(raw)
    assert schema["$id"] == SCHEMA_URL
    entry = load()
    assert entry["$schema"] == SCHEMA_URL
    errors = sorted(Draft7Validator(schema, format_checker=FormatChecker()).iter_errors(entry), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_the_schema_check_catches_a_broken_entry() -> None:
    schema = json.loads(SCHEMA.read_bytes())
    broken = {**load(), "name": "no slash here", "description": "x" * 101}
    messages = [e.message for e in Draft7Validator(schema).iter_errors(broken)]
    assert any("does not match" in m for m in messages) and any("too long" in m for m in messages)


def test_server_json_agrees_with_the_package_metadata() -> None:
    entry = load()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pypi = next(p for p in entry["packages"] if p["registryType"] == "pypi")
    assert pypi["identifier"] == project["name"]
    # The registry proves a PyPI package is ours by finding this line in its description (the README).
    assert re.search(rf"^<!-- mcp-name: {re.escape(entry['name'])} -->$", readme, flags=re.M)
    assert entry["repository"]["url"] == project["urls"]["Repository"]
    mcpb = next(p for p in entry["packages"] if p["registryType"] == "mcpb")
    assert mcpb["identifier"].startswith(project["urls"]["Repository"] + "/releases/download/")
    assert re.fullmatch(r"[0-9a-f]{64}", mcpb["fileSha256"])
    for setting in pypi["environmentVariables"]:
        assert setting["name"] in SETTINGS_HELP, setting["name"]
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == entry["version"]
