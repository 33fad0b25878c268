"""Start an unpacked Claude Desktop bundle the way its manifest says, and list its tools through an MCP client.

    python .ci/bundle_check.py <unpacked-bundle-folder>

Renders `server.mcp_config` as Claude Desktop does for a demo user who types no key (every `user_config` default,
Demo mode on), starts `uv run …` over stdio, and checks that tools/list names exactly the manifest's tools and that
a lookup answers. Exits non-zero (with the server's stderr) on any difference.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

CHOICES = {"demo": True}  # everything else: the manifest's defaults (the API key stays empty)


def render(value: str, folder: Path, config: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "__dirname":
            return str(folder)
        key = name.removeprefix("user_config.")
        chosen = CHOICES.get(key, config[key].get("default", ""))
        return str(chosen).lower() if isinstance(chosen, bool) else str(chosen)

    return re.sub(r"\$\{([\w.]+)\}", one, value)


async def check(folder: Path) -> None:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    config, launch = manifest["user_config"], manifest["server"]["mcp_config"]
    env = {name: render(value, folder, config) for name, value in launch["env"].items()}
    assert env["SHIPSTATION_API_KEY"] == "" and env["SHIPSTATION_DEMO"] == "true", env
    # What a desktop app passes on besides the manifest's env: the PATH to find uv, a home for uv's cache, and the
    # machine's network set-up (proxy, certificate authorities) for uv's first download.
    passed = ("PATH", "HOME", "UV_CACHE_DIR", "UV_PYTHON", "UV_NATIVE_TLS", "SSL_CERT_FILE", "SYSTEMROOT", "APPDATA")
    proxies = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "LOCALAPPDATA")
    for name in passed + proxies:
        if name in os.environ:
            env[name] = os.environ[name]
    params = StdioServerParameters(
        command=launch["command"],
        args=[render(arg, folder, config) for arg in launch["args"]],
        env=env,
        cwd=str(folder),
    )
    print("starting:", params.command, " ".join(params.args), file=sys.stderr)
    with anyio.fail_after(600):  # the first start installs the locked dependencies
        async with Client(stdio_client(params)) as client:
            names = [tool.name for tool in (await client.list_tools()).tools]
            tracked = await client.call_tool("track_package", {"tracking_number": "1ZA4R8E20293229421"})
    expected = [tool["name"] for tool in manifest["tools"]]
    assert sorted(names) == sorted(expected), f"tools/list {names} != manifest {expected}"
    text = " ".join(block.text for block in tracked.content if getattr(block, "type", "") == "text")
    assert not tracked.is_error and "Delivery attempted" in text, text[:500]
    print(f"bundle: started from {folder} with `{params.command} {params.args[0]} …`, {len(names)} tools listed")


def main() -> None:
    folder = Path(sys.argv[1]).resolve()
    anyio.run(check, folder)


if __name__ == "__main__":
    main()
