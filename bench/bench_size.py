"""Size: bytes of tools/list, and of each tool's answer vs the raw API JSON it was made from.

    python bench/bench_size.py

Each tool is called once against the mock with refresh=true (so its API answers really cross the wire; the mock
counts the bytes it sends). "structured" is the JSON of `structuredContent`, "text" the text rendering, "result" the
whole tool result as sent (both, plus framing); "raw" is every API answer the call needed, as ShipStation sends them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from common import BENCH_KEY, machine, mock_server, stats, table
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.tools.server import create_server

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
    ("shipengine", "track_packages", {"packages": NUMBERS}),
    ("v2", "shipments_needing_attention", {}),
]


def compact(data: Any) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())


async def main() -> None:
    rows = []
    with mock_server(latency=0, rate_limit=0) as url:
        clients = {
            api: create_server(Settings(api_key=BENCH_KEY, api=api, base_url=url, rate_limit=100_000))  # type: ignore[arg-type]
            for api in ("v2", "shipengine")
        }
        async with Client(clients["v2"]) as v2, Client(clients["shipengine"]) as shipengine:
            listing = await v2.list_tools()
            tools_bytes = len(listing.model_dump_json(by_alias=True, exclude_none=True).encode())
            for api, tool, args in CALLS:
                client = v2 if api == "v2" else shipengine
                before = stats(url)
                result = await client.call_tool(tool, {**args, "refresh": True})
                after = stats(url)
                assert not result.is_error, result.content
                raw = after.get("bytes_out", 0) - before.get("bytes_out", 0)
                requests = after.get("requests", 0) - before.get("requests", 0)
                structured = compact(result.structured_content)
                text = len(result.content[0].text.encode())
                whole = len(result.model_dump_json(by_alias=True, exclude_none=True).encode())
                share = f"{structured / raw:.2f}" if raw else "–"
                rows.append([f"{tool} ({api})", requests, raw, structured, text, whole, share])
    print("### Size of answers\n")
    print(f"Machine: {machine()}\n")
    print(f"tools/list: **{tools_bytes} bytes** for {len(listing.tools)} tools.\n")
    headers = ["tool call", "API requests", "raw API bytes", "structured bytes", "text bytes", "result bytes"]
    print(table([*headers, "structured / raw"], rows))


if __name__ == "__main__":
    asyncio.run(main())
