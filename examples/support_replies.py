"""Answer a batch of "where is my order?" questions through a running shipstation-mcp HTTP server.

    SHIPSTATION_MCP_TOKEN=... python examples/support_replies.py [--url http://127.0.0.1:8000/mcp] < questions.csv

Each input line is `customer,order` (the order number, with or without #, or anything find_order takes: a
tracking number, a se-… id); a header line and blank lines are skipped. Each customer gets one reply line,
`customer: reply`, in input order. The script needs only the MCP SDK (`pip install mcp`, which brings httpx); it is
what a support-agent workflow embeds: one MCP session over streamable HTTP, the bearer token in a header, a few
questions in flight at once.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
from typing import Any

import httpx
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

IN_FLIGHT = 5


def questions(lines: list[str]) -> list[tuple[str, str]]:
    rows = [row for row in csv.reader(lines) if row and any(cell.strip() for cell in row)]
    if rows and [cell.strip().lower() for cell in rows[0][:2]] == ["customer", "order"]:
        rows = rows[1:]
    return [(row[0].strip(), row[1].strip() if len(row) > 1 else "") for row in rows]


def reply(order: str, result: Any) -> str:
    """One line for the customer, from find_order's answer: its headline, and what to do if anything."""
    if not order:
        return "Could you send us your order number? It is in your confirmation email."
    if result.is_error:
        return f"We could not find order {order}; could you check the number in your confirmation email?"
    answer = result.structured_content or {}
    line = answer.get("headline", "").strip()
    todo = next((item for package in answer.get("packages", []) for item in package.get("attention", [])), None)
    if todo:
        line += ("" if line.endswith((".", "!", "?")) else ".") + f" What to do: {todo}"
    return line


class Refused(Exception):
    """The server answered, with an HTTP error status (the MCP SDK reports only "an error response")."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


async def answer_all(url: str, token: str, asked: list[tuple[str, str]]) -> list[str]:
    async def refused(response: httpx.Response) -> None:
        if response.status_code in (401, 403, 404):
            raise Refused(response.status_code)

    http = httpx.AsyncClient(
        headers={"Authorization": f"Bearer {token}"},
        timeout=httpx.Timeout(30, read=300),
        event_hooks={"response": [refused]},
    )
    async with Client(streamable_http_client(url, http_client=http)) as client:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(customer: str, order: str) -> str:
            if not order:
                return f"{customer}: {reply(order, None)}"
            async with gate:
                result = await client.call_tool("find_order", {"query": order})
            return f"{customer}: {reply(order, result)}"

        return list(await asyncio.gather(*(one(customer, order) for customer, order in asked)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/mcp", help="the server's /mcp address")
    args = parser.parse_args()
    token = os.environ.get("SHIPSTATION_MCP_TOKEN", "").strip()
    if not token:
        raise SystemExit("support_replies: set SHIPSTATION_MCP_TOKEN to the token the server prints (or was given)")
    asked = questions(sys.stdin.read().splitlines())
    try:
        replies = asyncio.run(answer_all(args.url, token, asked))
    except Exception as exc:  # one line a support person can act on, not a traceback
        raise SystemExit(f"support_replies: {problem(exc, args.url)}") from None
    for line in replies:
        print(line)


def problem(error: BaseException, url: str) -> str:
    """What went wrong connecting to the server, from the innermost error of the SDK's task groups."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, httpx.ConnectError):
        return f"nothing answers at {url} (connection refused): is `shipstation-mcp --transport http` running there?"
    if isinstance(error, httpx.TimeoutException):
        return f"{url} did not answer in time: is the server there busy or stuck?"
    if isinstance(error, Refused) and error.status == 401:
        return (
            f"{url} refused the token (HTTP 401): set SHIPSTATION_MCP_TOKEN to the token the server printed at start "
            "(or was given in its SHIPSTATION_MCP_TOKEN)"
        )
    if isinstance(error, Refused):
        return f"{url} answered HTTP {error.status}: is that the server's /mcp address?"
    return f"{type(error).__name__}: {error}"


if __name__ == "__main__":
    main()
