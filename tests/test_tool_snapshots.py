"""Tool contracts are checked in: a changed name, title, description, annotation or schema is a reviewed change.

Each registered tool has `tests/snapshots/tools/<name>.json`. After changing a tool on purpose, regenerate with

    UPDATE_SNAPSHOTS=1 python -m pytest tests/test_tool_snapshots.py

and review the diff of the snapshot files like any other code. The same command rewrites the output schemas the
package ships ready (`shipstation_mcp/tools/output_schemas.json`), which must match the answer models.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from shipstation_mcp.config import Settings
from shipstation_mcp.tools.registry import OUTPUT_SCHEMAS, output_schemas_from_models, write_output_schemas
from shipstation_mcp.tools.server import create_server

pytestmark = pytest.mark.anyio

SNAPSHOTS = Path(__file__).parent / "snapshots" / "tools"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS", "").strip().lower() in {"1", "true", "yes"}
REGENERATE = "UPDATE_SNAPSHOTS=1 python -m pytest tests/test_tool_snapshots.py"


def render(contract: dict[str, Any]) -> str:
    return json.dumps(contract, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


async def registered_contracts() -> dict[str, dict[str, Any]]:
    server = create_server(Settings(api_key="demo", demo=True))
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    contracts = {}
    for tool in tools:
        contracts[tool.name] = {
            "name": tool.name,
            "title": tool.title,
            "description": tool.description,
            "annotations": tool.annotations.model_dump(mode="json", by_alias=True, exclude_none=True)
            if tool.annotations
            else None,
            "inputSchema": tool.input_schema,
            "outputSchema": tool.output_schema,
        }
    return contracts


async def test_tool_contracts_match_their_snapshots() -> None:
    contracts = await registered_contracts()
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    on_disk = {path.stem: path for path in SNAPSHOTS.glob("*.json")}
    if UPDATE:
        for name, contract in contracts.items():
            (SNAPSHOTS / f"{name}.json").write_text(render(contract), encoding="utf-8")
        for name, path in on_disk.items():
            if name not in contracts:
                path.unlink()
        return

    problems = []
    for name, contract in contracts.items():
        path = SNAPSHOTS / f"{name}.json"
        if not path.exists():
            problems.append(f"{name}: no snapshot yet")
        elif path.read_text(encoding="utf-8") != render(contract):
            recorded = json.loads(path.read_text(encoding="utf-8"))
            changed = sorted(key for key in {**recorded, **contract} if recorded.get(key) != contract.get(key))
            problems.append(f"{name}: changed {', '.join(changed)}")
    problems += [
        f"{name}: snapshot of a tool that is no longer registered" for name in on_disk if name not in contracts
    ]
    assert not problems, (
        "Tool contracts differ from tests/snapshots/tools/ ("
        + "; ".join(problems)
        + "). "
        + (f"If the change is intended, run `{REGENERATE}` and review the diff.")
    )


async def test_every_tool_contract_is_complete() -> None:
    for name, contract in (await registered_contracts()).items():
        assert contract["title"], name
        assert contract["description"] and len(contract["description"]) > 40, name
        assert contract["annotations"] and "readOnlyHint" in contract["annotations"], name
        assert contract["inputSchema"]["type"] == "object", name
        assert contract["outputSchema"] and contract["outputSchema"]["type"] == "object", name


def test_the_shipped_output_schemas_are_those_of_the_answer_models() -> None:
    if UPDATE:
        write_output_schemas()
    shipped = json.loads(OUTPUT_SCHEMAS.read_text(encoding="utf-8"))
    generated = output_schemas_from_models()
    stale = sorted(name for name in {**shipped, **generated} if shipped.get(name) != generated.get(name))
    assert not stale, f"output_schemas.json is stale for {', '.join(stale)}: run `{REGENERATE}` and review the diff"
