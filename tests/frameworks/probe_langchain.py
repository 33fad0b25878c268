"""Run inside langchain-mcp-adapters' own virtual environment by test_frameworks.py (not collected by pytest); its
pins want the MCP SDK 1.x, so this is also the older-client check.

For each connection given as JSON on stdin (stdio: the command; HTTP: the URL and the bearer token), it loads the
server's tools as LangChain tools, converts each to an OpenAI tool the way LangChain binds tools to a chat model
(strict mode included), and invokes find_order for order 10443. Prints one JSON report on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_mcp_adapters.client import MultiServerMCPClient


def connection_of(given: dict[str, Any]) -> dict[str, Any]:
    if given["transport"] == "stdio":
        return {"transport": "stdio", "command": given["command"], "args": given["args"], "env": given.get("env")}
    return {
        "transport": "streamable_http",
        "url": given["url"],
        "headers": {"Authorization": f"Bearer {given['token']}"},
    }


async def probe(given: dict[str, Any]) -> dict[str, Any]:
    client = MultiServerMCPClient({"shipstation": connection_of(given)})
    tools = await client.get_tools()
    strict = {}
    for tool in tools:
        function = convert_to_openai_tool(tool, strict=True)["function"]
        strict[tool.name] = function.get("strict") is True and function["parameters"].get("type") == "object"
    find_order = next(tool for tool in tools if tool.name == "find_order")
    answer = await find_order.ainvoke({"query": "10443"})
    text = answer if isinstance(answer, str) else json.dumps(answer, default=str, ensure_ascii=False)
    return {"tools": [tool.name for tool in tools], "strict": strict, "answer": text}


async def main() -> None:
    connections = json.load(sys.stdin)
    print(json.dumps({name: await probe(connection) for name, connection in connections.items()}))


if __name__ == "__main__":
    asyncio.run(main())
