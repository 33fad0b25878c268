"""The Claude Desktop bundle works for a demo user who types no key.

`.ci/run` packs the bundle, unpacks it and starts it with its manifest's command (`.ci/bundle_check.py`); these
tests check, without packing, what that run depends on.
"""

from __future__ import annotations

import json
import re
import struct
import tomllib
from pathlib import Path
from typing import Any

import pytest

from shipstation_mcp.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
NO_DOTENV = ROOT / "no-such.env"


def manifest() -> dict[str, Any]:
    return json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))


def rendered_env(**choices: object) -> dict[str, str]:
    """The server's environment as Claude Desktop renders it: the user's choices, else each setting's default."""
    data = manifest()
    config = data["user_config"]

    def value(match: re.Match[str]) -> str:
        chosen = choices.get(match.group(1), config[match.group(1)].get("default", ""))
        return str(chosen).lower() if isinstance(chosen, bool) else str(chosen)

    return {k: re.sub(r"\$\{user_config\.(\w+)\}", value, v) for k, v in data["server"]["mcp_config"]["env"].items()}


def test_demo_mode_needs_no_key() -> None:
    assert manifest()["user_config"]["api_key"]["required"] is False
    settings = load_settings(rendered_env(demo=True), dotenv_path=NO_DOTENV)
    assert settings.demo and settings.toolsets == ("orders", "tracking", "bulk", "live") and not settings.read_only


def test_neither_key_nor_demo_names_the_settings() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(rendered_env(), dotenv_path=NO_DOTENV)
    message = str(caught.value)
    assert "\n" not in message and "SHIPSTATION_API_KEY" in message and "Demo mode" in message


def test_toolsets_and_read_only_are_bundle_settings() -> None:
    settings = load_settings(rendered_env(demo=True, toolsets="orders,bulk", read_only=True), dotenv_path=NO_DOTENV)
    assert settings.toolsets == ("orders", "bulk") and settings.read_only


def test_the_icon_is_a_512_pixel_png_in_the_bundle() -> None:
    icon = ROOT / manifest()["icon"]
    head = icon.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    assert struct.unpack(">II", head[16:24]) == (512, 512)


def test_privacy_policies_are_https_urls() -> None:
    policies = manifest()["privacy_policies"]
    assert policies and all(url.startswith("https://") for url in policies)


def test_the_bundle_starts_from_its_locked_dependencies() -> None:
    data = manifest()
    args = data["server"]["mcp_config"]["args"]
    assert data["server"]["mcp_config"]["command"] == "uv" and args[0] == "run" and "--frozen" in args
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked = {package["name"] for package in lock["package"]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower() for requirement in project["dependencies"]}
    assert wanted <= locked, f"uv.lock lacks {sorted(wanted - locked)}: run `uv lock` (pip install uv) and commit it"
    ignored = (ROOT / ".mcpbignore").read_text(encoding="utf-8").splitlines()
    assert not {"uv.lock", "icon.png", "*.lock", "*.png"} & set(ignored)
