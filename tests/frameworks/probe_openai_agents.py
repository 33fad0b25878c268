"""Run inside openai-agents' own virtual environment by test_frameworks.py (not collected by pytest).

For each connection given as JSON on stdin (stdio: the command; HTTP: the URL and the bearer token), it connects the
Agents SDK's MCP server class, lists the tools, converts each the way the SDK does for an agent (a FunctionTool with
OpenAI's strict JSON schema; `ensure_strict_json_schema` is called directly too, so a failure is an error here, not
the SDK's quiet fallback to a non-strict schema), and calls find_order for order 10443. Prints one JSON report.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from agents.mcp import MCPServerStdio, MCPServerStreamableHttp, MCPUtil
from agents.strict_schema import ensure_strict_json_schema


def server(connection: dict[str, Any]) -> Any:
    if connection["transport"] == "stdio":
        params = {"command": connection["command"], "args": connection["args"], "env": connection.get("env")}
        return MCPServerStdio(params, name="shipstation", client_session_timeout_seconds=60)
    params = {"url": connection["url"], "headers": {"Authorization": f"Bearer {connection['token']}"}, "timeout": 60}
    return MCPServerStreamableHttp(params, name="shipstation", client_session_timeout_seconds=60)


async def probe(connection: dict[str, Any]) -> dict[str, Any]:
    async with server(connection) as mcp:
        tools = await mcp.list_tools()
        strict = {}
        for tool in tools:
            ensure_strict_json_schema(json.loads(json.dumps(tool.input_schema)))
            strict[tool.name] = MCPUtil.to_function_tool(tool, mcp, convert_schemas_to_strict=True).strict_json_schema
        result = await mcp.call_tool("find_order", {"query": "10443"})
    structured = result.structured_content or {}
    return {"tools": [tool.name for tool in tools], "strict": strict, "answer": structured.get("headline", "")}


async def main() -> None:
    connections = json.load(sys.stdin)
    print(json.dumps({name: await probe(connection) for name, connection in connections.items()}))


if __name__ == "__main__":
    asyncio.run(main())
