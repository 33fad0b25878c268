"""shipstation-mcp as a toolset of a Pydantic AI agent.

    pip install 'pydantic-ai-slim[mcp]'
    python examples/pydantic_ai_support.py "Where is order 10443?"

It starts `shipstation-mcp --demo` over stdio (drop --demo and set SHIPSTATION_API_KEY for a real account). Set
PYDANTIC_AI_MODEL (e.g. openai:gpt-5, with that provider's key) to let a model answer; without it a scripted model
(Pydantic AI's FunctionModel, no LLM) calls find_order and repeats its headline, so it runs anywhere. Over HTTP
instead: StreamableHttpTransport("http://127.0.0.1:8000/mcp", headers={"Authorization": "Bearer <token>"}).
"""

import asyncio
import os
import re
import sys

from fastmcp.client import Client
from fastmcp.client.transports import StdioTransport
from pydantic_ai import Agent
from pydantic_ai.mcp import MCPToolset
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel


def scripted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Call find_order with the number in the question, then say the answer's headline."""
    returned = [part for m in messages for part in getattr(m, "parts", []) if isinstance(part, ToolReturnPart)]
    if returned:
        answer = returned[-1].content
        return ModelResponse(parts=[TextPart(answer.get("headline", "") if isinstance(answer, dict) else str(answer))])
    question = str(messages[0].parts[-1].content)
    order = re.search(r"\d+", question)
    return ModelResponse(parts=[ToolCallPart("find_order", {"query": order.group() if order else question})])


async def main(question: str) -> None:
    shipstation = MCPToolset(Client(StdioTransport("shipstation-mcp", ["--demo"])))
    model = os.environ.get("PYDANTIC_AI_MODEL") or FunctionModel(scripted)
    agent = Agent(model, toolsets=[shipstation], instructions="Answer 'where is my order?' with the ShipStation tools.")
    print((await agent.run(question)).output)


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "Where is order 10443?"))
