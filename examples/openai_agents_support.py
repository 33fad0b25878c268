"""shipstation-mcp as an MCP server of an OpenAI Agents SDK agent.

    pip install openai-agents
    python examples/openai_agents_support.py "Where is order 10443?"

It starts `shipstation-mcp --demo` over stdio (drop --demo and set SHIPSTATION_API_KEY for a real account). With
OPENAI_API_KEY set, the agent answers the question with the server's tools (strict function schemas); without it,
the script lists the tools and calls find_order itself, so it runs anywhere. Over HTTP instead: MCPServerStreamableHttp(
{"url": "http://127.0.0.1:8000/mcp", "headers": {"Authorization": "Bearer <token>"}}).
"""

import asyncio
import os
import re
import sys

from agents import Agent, Runner
from agents.mcp import MCPServerStdio

INSTRUCTIONS = "You answer customers' 'where is my order?' questions with the ShipStation tools, in two sentences."


async def main(question: str) -> None:
    params = {"command": "shipstation-mcp", "args": ["--demo"]}
    async with MCPServerStdio(params, name="shipstation", client_session_timeout_seconds=30) as shipstation:
        if os.environ.get("OPENAI_API_KEY"):
            agent = Agent(name="Support", instructions=INSTRUCTIONS, mcp_servers=[shipstation])
            print((await Runner.run(agent, question)).final_output)
            return
        tools = await shipstation.list_tools()
        print(f"{len(tools)} tools: {', '.join(tool.name for tool in tools)}")
        order = re.search(r"\d+", question)
        result = await shipstation.call_tool("find_order", {"query": order.group() if order else question})
        print((result.structured_content or {}).get("headline", ""))


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "Where is order 10443?"))
