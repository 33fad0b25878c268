"""Run inside pydantic-ai's own virtual environment by test_frameworks.py (not collected by pytest).

For each connection given as JSON on stdin (stdio: the command; HTTP: the URL and the bearer token), it connects
pydantic-ai's MCPToolset, runs an agent whose model is a scripted FunctionModel (no LLM): it calls find_order for
order 10443, then answers with the tool's headline. On the way it converts every tool definition the agent offers the
model with pydantic-ai's OpenAI strict-mode transformer. It prints one JSON report on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from fastmcp.client import Client
from fastmcp.client.transports import StdioTransport, StreamableHttpTransport
from pydantic_ai import Agent
from pydantic_ai.mcp import MCPToolset
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.profiles.openai import OpenAIJsonSchemaTransformer


def transport(connection: dict[str, Any]) -> Any:
    if connection["transport"] == "stdio":
        return StdioTransport(connection["command"], connection["args"], env=connection.get("env"))
    return StreamableHttpTransport(connection["url"], headers={"Authorization": f"Bearer {connection['token']}"})


async def probe(connection: dict[str, Any]) -> dict[str, Any]:
    report: dict[str, Any] = {"tools": [], "strict": {}, "calls": []}

    def scripted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if not report["tools"]:
            report["tools"] = [tool.name for tool in info.function_tools]
            for tool in info.function_tools:
                transformer = OpenAIJsonSchemaTransformer(tool.parameters_json_schema, strict=True)
                strict = transformer.walk()
                report["strict"][tool.name] = transformer.is_strict_compatible and strict.get("type") == "object"
        returned = [p for m in messages for p in getattr(m, "parts", []) if isinstance(p, ToolReturnPart)]
        if not returned:
            return ModelResponse(parts=[ToolCallPart("find_order", {"query": "10443"})])
        report["calls"] = [p.tool_name for p in returned]
        content = returned[-1].content
        headline = content.get("headline") if isinstance(content, dict) else str(content)
        return ModelResponse(parts=[TextPart(f"Here is what I found: {headline}")])

    toolset = MCPToolset(Client(transport(connection)))
    agent = Agent(FunctionModel(scripted), toolsets=[toolset])
    result = await agent.run("Where is order 10443?")
    report["answer"] = result.output
    return report


async def main() -> None:
    connections = json.load(sys.stdin)
    print(json.dumps({name: await probe(connection) for name, connection in connections.items()}))


if __name__ == "__main__":
    asyncio.run(main())
