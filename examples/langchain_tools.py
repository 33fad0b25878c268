"""shipstation-mcp's tools in LangChain, through langchain-mcp-adapters.

    pip install langchain-mcp-adapters
    python examples/langchain_tools.py "Where is order 10443?"

It starts `shipstation-mcp --demo` over stdio (drop --demo and set SHIPSTATION_API_KEY for a real account), loads
the tools as LangChain tools and asks find_order. With a chat model, hand the same tools to your agent, e.g.
`langchain.agents.create_agent(model, tools)`. Over HTTP instead: {"transport": "streamable_http", "url":
"http://127.0.0.1:8000/mcp", "headers": {"Authorization": "Bearer <token>"}}.
"""

import asyncio
import re
import sys

from langchain_mcp_adapters.client import MultiServerMCPClient


async def main(question: str) -> None:
    client = MultiServerMCPClient(
        {"shipstation": {"transport": "stdio", "command": "shipstation-mcp", "args": ["--demo"]}}
    )
    tools = {tool.name: tool for tool in await client.get_tools()}
    print(f"{len(tools)} tools: {', '.join(tools)}")
    order = re.search(r"\d+", question)
    answer = await tools["find_order"].ainvoke({"query": order.group() if order else question})
    blocks = answer if isinstance(answer, list) else [answer]
    print(next((b["text"] for b in blocks if isinstance(b, dict) and "text" in b), str(answer)).split("\n\n")[0])


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "Where is order 10443?"))
