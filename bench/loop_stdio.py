"""MCP over stdin/stdout watched by the event loop: a measuring stick for the SDK's own stdio transport.

The SDK's transport (`mcp.server.stdio.stdio_server`) reads and writes the pipes through worker threads, so every
tool call hands work to a thread three times (read the request line, write the answer, flush it). This one gives
the pipes to asyncio instead and is otherwise the same: one JSON-RPC message per line, parsed and written by the
SDK's own types. bench/minimal_server.py serves over it with `--loop-stdio`, so bench_overhead.py can show how much
of the floor's CPU is those thread hand-offs.

Benchmark code, not shipstation-mcp's: it drives the SDK through names the SDK keeps private (`_lowlevel_server`,
`mcp.shared._context_streams`), because MCPServer has no public way to run on other streams. It serves pipes only
(an MCP client's), without the SDK's diversion of fd 0 and 1.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from mcp.shared._context_streams import create_context_streams
from mcp.shared.message import SessionMessage

MAX_LINE = 1 << 24  # far above any request of the benchmark


@asynccontextmanager
async def loop_stdio() -> AsyncIterator[tuple[Any, Any]]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_LINE)
    stdin = os.fdopen(os.dup(0), "rb", buffering=0)
    stdout = os.fdopen(os.dup(1), "wb", buffering=0)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, stdout)
    writer = asyncio.StreamWriter(transport, protocol, None, loop)
    incoming_writer, incoming = create_context_streams[SessionMessage | Exception](0)
    outgoing, outgoing_reader = create_context_streams[SessionMessage](0)

    async def read() -> None:
        async with incoming_writer:
            while line := await reader.readline():
                try:
                    message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                except Exception as exc:  # the SDK's transport hands a bad line to the session the same way
                    await incoming_writer.send(exc)
                    continue
                await incoming_writer.send(SessionMessage(message))

    async def write() -> None:
        async with outgoing_reader:
            async for session_message in outgoing_reader:
                line = session_message.message.model_dump_json(by_alias=True, exclude_unset=True)
                writer.write(line.encode() + b"\n")
                await writer.drain()

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(read)
            tasks.start_soon(write)
            yield incoming, outgoing
    finally:
        transport.close()


async def serve(server: Any) -> None:
    """Run an `MCPServer` over `loop_stdio()` until the client closes stdin."""
    lowlevel = server._lowlevel_server
    async with loop_stdio() as (incoming, outgoing):
        await lowlevel.run(incoming, outgoing, lowlevel.create_initialization_options())
