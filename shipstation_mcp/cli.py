"""Command line: parse flags, load settings, then serve MCP or run one lookup. No logic beyond that.

`shipstation-mcp [flags]` (or `shipstation-mcp serve [flags]`) runs the MCP server. The lookup commands
(`track`, `track-label`, `shipment`, `find`, `find-tracking`, `shipments`, `carriers`) call the server's own tools
in memory and print what an assistant would get: the same text, or with `--json` the same structured result. So a
terminal answer can never drift from the tool's.

To add a command, write a `run(args, settings) -> int` function and a `Command` entry in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import __version__
from .config import DEMO_API_KEY, ConfigError, Settings, load_live_settings, load_log_level, load_settings, url_password
from .logs import LEVELS, RedactingFormatter, configure_logging, redact_everywhere
from .state.backends import report_unreachable, store_location

logger = logging.getLogger("shipstation_mcp")

SETTINGS_HELP = """\
settings (environment variables, or a .env file in the working directory; the real environment wins):
  SHIPSTATION_API_KEY      API key (required unless --demo). ShipStation: Settings > Account > API Settings
  SHIPSTATION_API          v2 (api.shipstation.com/v2), shipengine (api.shipengine.com/v1) or v1
                           (ShipStation's classic API, ssapi.shipstation.com, key + secret)    [default: v2]
  SHIPSTATION_API_SECRET   with SHIPSTATION_API=v1: the secret of the V1 key pair
  SHIPSTATION_TRACKING_API, SHIPSTATION_TRACKING_API_KEY
                           with SHIPSTATION_API=v1 (no tracking status of its own): a v2 or shipengine key
                           of the same account that tracks its packages (docs/v1.md)           [default: v2, none]
  SHIPSTATION_BASE_URL     override the host (a proxy, a mock); the path prefix follows SHIPSTATION_API
  SHIPSTATION_TIMEOUT      seconds per HTTP request, up to 600                                 [default: 30]
  SHIPSTATION_MAX_RETRIES  retries of a failed idempotent request (0-10)                       [default: 3]
  SHIPSTATION_DEMO         1 to serve the offline demo account, same as --demo                 [default: 0]
  SHIPSTATION_RATE_LIMIT   requests per minute for this process       [default: 200; 20 for TEST_ keys; 40 for v1]
  SHIPSTATION_CACHE_TTL    seconds to reuse tracking not yet delivered; 0 = no cache           [default: 300]
  SHIPSTATION_CACHE_MAX_MB megabytes of answers the in-process cache keeps                      [default: 4]
  SHIPSTATION_INDEX_SHARE  percent of the budget a support queue may spend filling the account index [default: 0]
  SHIPSTATION_RATE_HEADROOM  percent of the minute's allowance left for other users of the key  [default: 5]
  SHIPSTATION_CONCURRENCY  most requests a bulk call has in flight at once (1-100)  [default: what the budget admits]
  SHIPSTATION_TOOLSETS     tools to offer: orders, tracking, bulk, live, comma-separated, same as --toolsets [all]
  SHIPSTATION_READ_ONLY    1 hides every tool that changes the account, same as --read-only     [default: 0]
  SHIPSTATION_LOG_LEVEL    DEBUG, INFO, WARNING, ERROR                                          [default: INFO]
  SHIPSTATION_MCP_TOKEN    bearer token MCP clients must send over HTTP  [default: a new random one, shown at start]
  SHIPSTATION_OAUTH_ISSUER, SHIPSTATION_OAUTH_AUDIENCE, SHIPSTATION_OAUTH_JWKS_URL
                           also accept OAuth 2.1 JWT access tokens from this issuer for this audience (/mcp URL)
  SHIPSTATION_HTTP_TIMEOUT seconds a client gets to send a request's headers, and again its body  [default: 10]
  SHIPSTATION_HTTP_MAX_CONNECTIONS  open connections before the oldest idle one is closed          [default: 1000]
  SHIPSTATION_RETENTION_DAYS  days received updates (and stopped packages) are kept                [default: 90]
  SHIPSTATION_MCP_ALLOWED_HOSTS  host names clients use to reach /mcp (DNS-rebinding check)  [default: loopback]
  SHIPSTATION_DATA_DIR     where received tracking updates are kept  [default: user data folder; memory in demo]
  SHIPSTATION_WEBHOOK_PATH      path of the webhook receiver                     [default: /webhooks/shipstation]
  SHIPSTATION_WEBHOOK_JWKS_URL  signing keys of webhook deliveries          [default: https://api.shipengine.com/jwks]
  SHIPSTATION_WEBHOOK_SECRET    also require this X-Webhook-Secret header on deliveries               [default: none]
  SHIPSTATION_WEBHOOK_VERIFY    false skips signature checks (logs a warning)                         [default: true]
  SHIPSTATION_WEBHOOK_URL       the receiver's public https URL: the only one the secret is registered on,
                                no challenge needed                  [default: none; the URL must answer one]
  SHIPSTATION_REDIS_URL     redis:// or rediss:// (Valkey too): one rate budget and cache for every instance
                            on this key                                       [default: none; in-process]
  SHIPSTATION_DATABASE_URL  postgresql://…: keep tracking updates in PostgreSQL, shared by every instance
                            (notifies clients on all of them)                 [default: none; SQLite file]
  SHIPSTATION_MCP_STATELESS true: no MCP sessions for pre-2026-07-28 clients, so any instance behind a load
                            balancer can answer them (they get no change notifications)   [default: false]

examples:
  shipstation-mcp --demo                          stdio server on the offline demo account
  shipstation-mcp --transport http --port 8000    streamable HTTP at http://127.0.0.1:8000/mcp
                                                  and the webhook receiver at /webhooks/shipstation
  shipstation-mcp webhooks --port 8001            the webhook receiver alone (beside a stdio server)
  shipstation-mcp track 1ZA4R8E20293229421 --demo where is this package? (same answer as track_package)
  shipstation-mcp shipment se-4000445 --json      one shipment, as the structured result
  shipstation-mcp attention --demo                the support queue as a table (--csv, --json)
  shipstation-mcp track-many numbers.txt --csv    one tracking number or label id a line (- for stdin)
"""

EXIT_OK = 0
EXIT_LOOKUP_FAILED = 1
EXIT_USAGE = 2

# ---------------------------------------------------------------------------------------------- serving


def _add_serve_arguments(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Serve flags: on the top-level parser (bare `shipstation-mcp`) and again on `serve`."""
    parser.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default=argparse.SUPPRESS if suppress else "stdio",
        help="stdio (for Claude Desktop and other local clients) or http (streamable HTTP at /mcp) [default: stdio]",
    )
    parser.add_argument(
        "--host",
        default=argparse.SUPPRESS if suppress else "127.0.0.1",
        help="address to bind with --transport http [default: 127.0.0.1]",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=argparse.SUPPRESS if suppress else 8000,
        help="port to bind with --transport http; 0 picks a free one and prints it [default: 8000]",
    )
    parser.add_argument(
        "--no-auth",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="with --transport http on 127.0.0.1: serve /mcp without a token (anything that can reach the port, "
        "a tunnel or proxy included, can use the account)",
    )


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    if not 0 <= args.port < 65536:
        raise UsageError("--port must be between 1 and 65535, or 0 for a free port")
    if args.transport == "http":
        from .web import require_safe_exposure

        try:
            require_safe_exposure(settings.live, args.host, no_auth=args.no_auth)
        except ConfigError as exc:
            print(f"shipstation-mcp: {exc}", file=sys.stderr)
            return EXIT_USAGE
    elif args.no_auth:
        raise UsageError("--no-auth only applies to --transport http")
    if not report_unreachable(settings):
        return EXIT_USAGE
    with contextlib.suppress(KeyboardInterrupt):
        serve(settings, transport=args.transport, host=args.host, port=args.port, no_auth=args.no_auth)
    return EXIT_OK


def _announce_token(token: str, host: str, port: int) -> None:
    """Show a generated token once, on stderr (stdout may be a protocol), and keep it out of every later log line."""
    redact_everywhere(token)
    print(
        f"shipstation-mcp: MCP clients connect to {_http_url(host, port)}/mcp with the header\n"
        f"    Authorization: Bearer {token}\n"
        "This token is new at every start; set SHIPSTATION_MCP_TOKEN to keep one.",
        file=sys.stderr,
        flush=True,
    )


def serve(settings: Settings, *, transport: str, host: str, port: int, no_auth: bool = False) -> None:
    from .tools.server import create_server

    server = create_server(settings)
    where = "the offline demo account" if settings.demo else settings.display_root
    if transport == "stdio":
        logger.info("shipstation-mcp %s: stdio server on %s", __version__, where)
        if sys.stdin.isatty():
            print(
                "shipstation-mcp is running and waiting for an MCP client on stdin (Ctrl-C to quit). "
                "Point Claude Desktop or another MCP client at this command; see the README.",
                file=sys.stderr,
            )
        server.run()
    else:
        from .http_app import build_http_app
        from .web import run_uvicorn

        sock, port = _bound(host, port)
        logger.info("shipstation-mcp %s: streamable HTTP on http://%s:%d/mcp for %s", __version__, host, port, where)
        app = build_http_app(server, settings, host=host, no_auth=no_auth)
        if app.state.mcp_token:
            _announce_token(app.state.mcp_token, host, port)
        elif sock is not None:
            print(f"shipstation-mcp: serving MCP at {_http_url(host, port)}/mcp", file=sys.stderr, flush=True)
        run_uvicorn(app, host=host, port=port, settings=settings.live, sock=sock)


def _http_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _bound(host: str, port: int) -> tuple[Any, int]:
    """`--port 0`: bind a free port now, so the address printed is the one served. Other ports: uvicorn binds."""
    if port != 0:
        return None, port
    from .web import listening_socket

    try:
        sock = listening_socket(host, 0)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}: {exc.strerror or exc}") from None
    return sock, sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------- lookups

Runner = Callable[[argparse.Namespace, Settings], int]


@dataclass(frozen=True)
class ToolAnswer:
    text: str
    structured: dict[str, Any] | None
    is_error: bool


Progress = Callable[[float, float | None, str | None], Any]


def call_tool(
    settings: Settings, tool: str, arguments: dict[str, Any], *, progress: Progress | None = None
) -> ToolAnswer:
    """Call one of the server's tools in memory, exactly as an MCP client would, and return its answer.

    `progress(done, total, message)` (a coroutine function) receives the tool's progress notifications."""
    from mcp import Client

    from .tools.server import create_server

    async def ask() -> ToolAnswer:
        async with Client(create_server(settings)) as client:
            result = await client.call_tool(tool, arguments, progress_callback=progress)
        text = "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")
        return ToolAnswer(text=text, structured=result.structured_content, is_error=bool(result.is_error))

    return asyncio.run(ask())


def _print_answer(answer: ToolAnswer, *, as_json: bool, speak: Callable[[str], str] = str) -> int:
    if answer.is_error:
        print(f"shipstation-mcp: {speak(answer.text)}", file=sys.stderr)
        # A value the tool's schema refuses is a bad flag value: a usage error, like argparse's own.
        return EXIT_USAGE if answer.text.startswith("Invalid arguments for ") else EXIT_LOOKUP_FAILED
    if as_json:
        print(json.dumps(answer.structured, indent=2, ensure_ascii=False))
    else:
        print(answer.text)
    return EXIT_OK


# How tools and their arguments are called on the command line, so errors name what a terminal user types. The
# command of each tool is in its row of the tool table (tools/registry.py), read when a message needs it.
FLAG_FOR_ARGUMENT = {
    "carrier_code": "--carrier",
    "max_events": "--events",
    "shipment_number": "--number",
    "ship_to_name": "--name",
    "created_after": "--after",
    "created_before": "--before",
    "page_size": "--page-size",
    "page": "--page",
    "status": "--status",
    "store_id": "--store",
    "stalled_after_hours": "--stalled-hours",
    "unscanned_after_days": "--unscanned-days",
    "max_tracked": "--max",
}


@functools.cache
def command_for_tool() -> dict[str, str]:
    """Each tool that has a terminal command, with that command (from the tool table)."""
    from .tools.registry import TOOLS

    return {spec.name: spec.command for spec in TOOLS if spec.command}


@functools.cache
def _vocabulary() -> tuple[re.Pattern[str], re.Pattern[str]]:
    commands = command_for_tool()
    call = re.compile(r"\b(" + "|".join(commands) + r")\((?:\w+=)?'([^']*)'\)")
    name = re.compile(r"\b(" + "|".join(sorted({*commands, *FLAG_FOR_ARGUMENT}, key=len, reverse=True)) + r")\b")
    return call, name


def terminal_words(text: str) -> str:
    """A tool's message as a terminal user needs it: `find_order(query='10443')` becomes `shipstation-mcp order
    10443`, tool names become commands and argument names flags."""
    commands = command_for_tool()
    call, name = _vocabulary()
    text = text.replace("its input schema says what each argument takes", "--help says what each flag takes")
    text = call.sub(lambda m: f"`shipstation-mcp {commands[m.group(1)]} {m.group(2)}`", text)
    return name.sub(
        lambda m: (
            f"`shipstation-mcp {commands[m.group(1)]}`" if m.group(1) in commands else FLAG_FOR_ARGUMENT[m.group(1)]
        ),
        text,
    )


def _lookup(tool: str, arguments: Callable[[argparse.Namespace], dict[str, Any]]) -> Runner:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        given = {key: value for key, value in arguments(args).items() if value is not None}
        return _print_answer(call_tool(settings, tool, given), as_json=args.json, speak=terminal_words)

    return run


def _add_events(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, metavar="N", help="how many scan events to show, newest first")


def _track_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tracking_number", help="the carrier's tracking number (spaces and dashes are ignored)")
    parser.add_argument(
        "--carrier", metavar="CODE", help="carrier code (ups, fedex, usps, stamps_com, dhl_express, …) if unclear"
    )
    _add_events(parser)


def _order_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query", help="order number (10443 or #10443), the store's order id, a se-… id or a tracking number"
    )
    _add_events(parser)


def _track_label_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("label_id", help="ShipStation label id, e.g. se-5000012")
    _add_events(parser)


def _shipments_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--status", choices=("pending", "processing", "label_purchased", "cancelled"))
    parser.add_argument("--number", metavar="ORDER", help="order number shown to customers (shipment_number)")
    parser.add_argument("--name", metavar="NAME", help="recipient name")
    parser.add_argument("--after", metavar="DATE", help="created on or after (ISO date or date-time, UTC)")
    parser.add_argument("--before", metavar="DATE", help="created on or before (ISO date or date-time, UTC)")
    parser.add_argument("--page", type=int, help="page number [default: 1]")
    parser.add_argument("--page-size", type=int, help="shipments per page, 1-100 [default: 25]")


# ---------------------------------------------------------------------------------- the support queue, in bulk
# `attention` and `track-many` call the same tools as an assistant (shipments_needing_attention, track_packages),
# show their progress notifications as a bar on stderr, and print a table (or --csv, --json) on stdout.

BULK_BATCH = 100
"""track_packages takes up to 100 packages a call; `track-many` sends longer lists in batches of this size."""
MAX_BULK_INPUT = 10_000


class ProgressBar:
    """The tool's progress notifications as one redrawn line on a terminal's stderr, or a line per quarter when
    stderr is a file or a pipe (so a log shows the work went on without filling with redraws)."""

    def __init__(self, label: str, *, stream: Any = None, width: int = 28) -> None:
        self.label, self.width = label, width
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.offset, self.grand_total = 0, None
        self._quarter, self._drawn, self._total = -1, False, 0.0

    async def __call__(self, done: float, total: float | None, message: str | None) -> None:
        total = self.grand_total or total
        done += self.offset
        if not total:
            return
        if total != self._total:  # a new phase (listing labels, then tracking them) starts its own bar
            self._total, self._quarter = total, -1
        share = min(max(done / total, 0.0), 1.0)
        filled = round(share * self.width)
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done:g}/{total:g}"
        if message:
            line += f"  {message[:60]}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + line)
            self._drawn = True
        elif int(share * 4) > self._quarter:
            self._quarter = int(share * 4)
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()


def _cell(value: Any, limit: int = 60) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = f"{value:g}"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, output_format: str) -> None:
    """Rows as aligned columns, CSV or nothing else: `output_format` is table or csv (JSON is printed whole)."""
    if output_format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([["" if v is None else v for v in row] for row in rows])
        return
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    for row in [list(headers), ["-" * w for w in widths], *cells]:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def _output_format(args: argparse.Namespace) -> str:
    return "json" if args.json else "csv" if args.csv else "table"


def _table_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")


def _attention_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="DATE", help="labels created from this ISO date [default: 14 days ago]")
    parser.add_argument("--until", metavar="DATE", help="labels created up to this ISO date [default: now]")
    parser.add_argument("--store", metavar="ID", help="only shipments of this ShipStation store (store_id)")
    parser.add_argument("--stalled-hours", type=float, metavar="H", help="no carrier scan for longer than this")
    parser.add_argument("--unscanned-days", type=float, metavar="D", help="labels not scanned this many days later")
    parser.add_argument("--max", type=int, metavar="N", help="track at most this many in-transit labels (1-200)")
    _table_arguments(parser)


ATTENTION_COLUMNS = (
    "rank",
    "status",
    "attention",
    "reason",
    "tracking_number",
    "carrier_code",
    "order_number",
    "customer",
    "label_id",
    "shipment_id",
)


def attention_row(item: dict[str, Any]) -> list[Any]:
    """One row of the support queue: where the package stands, the problem to act on and every reason for it."""
    from .answers.bulk import OUTCOMES, PROBLEMS  # here, not at start-up: most commands never print a table

    cells = {
        **item,
        "status": OUTCOMES.get(item.get("status") or "", (item.get("status"),))[0],
        "attention": PROBLEMS.get(item.get("problem") or "", item.get("problem")),
        "reason": "; ".join(reason.rstrip(".") for reason in item.get("reasons", [])) or item.get("headline"),
    }
    return [cells.get(key) for key in ATTENTION_COLUMNS]


def run_attention(args: argparse.Namespace, settings: Settings) -> int:
    arguments = {
        "since": args.since,
        "until": args.until,
        "store_id": args.store,
        "stalled_after_hours": args.stalled_hours,
        "unscanned_after_days": args.unscanned_days,
        "max_tracked": args.max,
    }
    bar = ProgressBar("checking")
    try:
        answer = call_tool(
            settings, "shipments_needing_attention", {k: v for k, v in arguments.items() if v is not None}, progress=bar
        )
    finally:
        bar.finish()
    output_format = _output_format(args)
    if answer.is_error or output_format == "json":
        return _print_answer(answer, as_json=True, speak=terminal_words)
    report = answer.structured or {}
    if output_format == "table":
        print(report.get("headline", ""))
    rows = [attention_row(item) for item in report.get("items", [])]
    print_table(ATTENTION_COLUMNS, rows, output_format=output_format)
    return EXIT_OK


def read_packages(source: Any) -> list[str | dict[str, str]]:
    """One package a line: a tracking number (optionally `,carrier_code` or a space and the code) or a label id
    (se-…). Blank lines, `#` comments and a header line (tracking_number, label_id, …) are skipped."""
    from .api.ids import split_pasted  # here, not at start-up: most commands never read a list

    items: list[str | dict[str, str]] = []
    for number, line in enumerate(source, start=1):
        bare, named = split_pasted(line)  # 'UPS 1Z…', 'tracking: …', 'FedEx tracking # …'
        fields = [part for part in re.split(r"[,;\t ]+", bare.split("#", 1)[0].strip()) if part]
        if named and len(fields) == 1:
            fields.append(named)
        if not fields or (number == 1 and fields[0].lower() in {"tracking_number", "tracking", "label_id", "id"}):
            continue
        if len(fields) > 2:
            raise UsageError(f"line {number}: expected a tracking number or label id, and an optional carrier code")
        if fields[0].lower().startswith("se-"):
            items.append({"label_id": fields[0]})
        elif len(fields) == 2:
            items.append({"tracking_number": fields[0], "carrier_code": fields[1].lower()})
        else:
            items.append(fields[0])
        if len(items) > MAX_BULK_INPUT:
            raise UsageError(f"more than {MAX_BULK_INPUT} packages: split the list")
    return items


def _packages_from(args: argparse.Namespace) -> list[str | dict[str, str]]:
    if args.file in (None, "-"):
        if args.file is None and sys.stdin.isatty():
            raise UsageError("give a file of tracking numbers or label ids, or pipe them in (`… | track-many -`)")
        items = read_packages(sys.stdin)
    else:
        try:
            with open(args.file, encoding="utf-8-sig") as source:
                items = read_packages(source)
        except OSError as exc:
            raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    if not items:
        raise UsageError("no tracking numbers or label ids in the input")
    return items


def _track_many_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        nargs="?",
        help="file with one tracking number (optionally followed by its carrier code) or label id a line; "
        "- or nothing reads standard input",
    )
    _table_arguments(parser)


BULK_COLUMNS = (
    "index",
    "query",
    "status",
    "attention",
    "reason",
    "tracking_number",
    "carrier_code",
    "order_number",
    "customer",
    "headline",
)


def bulk_row(result: dict[str, Any], flagged: set[int]) -> list[Any]:
    """One row of `track-many`: where the package stands, whether it needs a look and why (a duplicate names the
    row that answers it)."""
    from .answers.bulk import OUTCOMES  # here, not at start-up: most commands never print a table

    outcome = result.get("outcome") or ""
    reasons = [reason.rstrip(".") for reason in result.get("attention") or []]
    duplicate = result.get("duplicate_of")
    cells = {
        **result,
        "status": OUTCOMES.get(outcome, (outcome,))[0],
        "attention": "yes" if result.get("index") in flagged else "",
        "reason": "; ".join(reasons)
        or result.get("error")
        or (f"same package as row {duplicate}" if duplicate is not None else None),
        "headline": result.get("headline") or result.get("error"),
    }
    return [cells.get(key) for key in BULK_COLUMNS]


def _merge_batches(answers: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """The answers of several batches as one: indexes made global, and a package answered in an earlier batch
    named a duplicate in a later one (each batch only knows its own), so the roll-up counts every package once."""
    if len(answers) == 1:
        return answers[0]
    from .answers.bulk import FLAGGED_OUTCOMES, OUTCOMES, rollup  # here: most commands never print a table

    results: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    canonical: dict[int, int] = {}  # a batch's original that an earlier batch answered -> that earlier row
    for batch, answer in enumerate(answers):
        for result in answer.get("results", []):
            merged = {**result, "index": batch * BULK_BATCH + result["index"]}
            if "duplicate_of" in result:
                original = batch * BULK_BATCH + result["duplicate_of"]
                merged["duplicate_of"] = canonical.get(original, original)
            key = result.get("label_id") or result.get("tracking_number")
            if key and "duplicate_of" not in result and not result.get("error"):
                if key in first:
                    canonical[merged["index"]] = first[key]
                    merged = {"index": merged["index"], "query": merged["query"], "outcome": "duplicate"}
                    merged.update(duplicate_of=first[key], tracking_number=result.get("tracking_number"))
                    merged["headline"] = f"Duplicate of item [{first[key]}]: answered there"
                else:
                    first[key] = merged["index"]
            results.append(merged)
    attention = [r["index"] for r in results if r.get("attention") or r["outcome"] in FLAGGED_OUTCOMES]
    tally: dict[str, int] = {}
    for r in results:
        tally[r["outcome"]] = tally.get(r["outcome"], 0) + 1
    counts = {outcome: tally[outcome] for outcome in OUTCOMES if outcome in tally}
    headline = rollup(counts, total, len(attention))
    return {"headline": headline, "counts": counts, "needs_attention": attention, "results": results}


def run_track_many(args: argparse.Namespace, settings: Settings) -> int:
    items = _packages_from(args)
    bar = ProgressBar("tracking")
    bar.grand_total = len(items)
    answers: list[dict[str, Any]] = []
    try:
        for start in range(0, len(items), BULK_BATCH):
            bar.offset = start
            answer = call_tool(
                settings, "track_packages", {"packages": items[start : start + BULK_BATCH]}, progress=bar
            )
            if answer.is_error:
                bar.finish()
                return _print_answer(answer, as_json=False, speak=terminal_words)
            answers.append(answer.structured or {})
    finally:
        bar.finish()
    merged = _merge_batches(answers, len(items))
    output_format = _output_format(args)
    if output_format == "json":
        print(json.dumps(merged, indent=2, ensure_ascii=False))
        return EXIT_OK
    if output_format == "table":
        print(merged.get("headline", ""))
    flagged = set(merged.get("needs_attention", []))
    rows = [bulk_row(result, flagged) for result in merged.get("results", [])]
    print_table(BULK_COLUMNS, rows, output_format=output_format)
    return EXIT_OK


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Runner
    json_output: bool = True
    """Lookups print text by default and take `--json` for the structured result."""


COMMANDS: tuple[Command, ...] = (
    Command(
        "serve",
        "run the MCP server (the default when no command is given)",
        lambda parser: _add_serve_arguments(parser, suppress=True),
        run_serve,
        json_output=False,
    ),
    Command(
        "order",
        "an order and its packages' tracking, from any identifier (as find_order)",
        _order_arguments,
        _lookup("find_order", lambda a: {"query": a.query, "max_events": a.events}),
    ),
    Command(
        "track",
        "track a package by tracking number (as the track_package tool)",
        _track_arguments,
        _lookup(
            "track_package",
            lambda a: {"tracking_number": a.tracking_number, "carrier_code": a.carrier, "max_events": a.events},
        ),
    ),
    Command(
        "track-label",
        "track the package of one of the account's labels (as track_label)",
        _track_label_arguments,
        _lookup("track_label", lambda a: {"label_id": a.label_id, "max_events": a.events}),
    ),
    Command(
        "shipment",
        "one shipment with its labels and tracking numbers (as get_shipment)",
        lambda parser: parser.add_argument("shipment_id", help="ShipStation shipment id, e.g. se-4000443"),
        _lookup("get_shipment", lambda a: {"shipment_id": a.shipment_id}),
    ),
    Command(
        "find",
        "find a shipment by the merchant's own id (as find_by_external_id)",
        lambda parser: parser.add_argument("external_shipment_id", help="the store's or integration's own id"),
        _lookup("find_by_external_id", lambda a: {"external_shipment_id": a.external_shipment_id}),
    ),
    Command(
        "find-tracking",
        "which shipment a tracking number belongs to (as find_by_tracking_number)",
        lambda parser: parser.add_argument("tracking_number", help="the carrier's tracking number"),
        _lookup("find_by_tracking_number", lambda a: {"tracking_number": a.tracking_number}),
    ),
    Command(
        "shipments",
        "list or search shipments, newest first (as list_shipments)",
        _shipments_arguments,
        _lookup(
            "list_shipments",
            lambda a: {
                "status": a.status,
                "shipment_number": a.number,
                "ship_to_name": a.name,
                "created_after": a.after,
                "created_before": a.before,
                "page": a.page,
                "page_size": a.page_size,
            },
        ),
    ),
    Command(
        "carriers",
        "the account's carriers and their carrier codes (as list_carriers)",
        lambda parser: None,
        _lookup("list_carriers", lambda a: {}),
    ),
    Command(
        "attention",
        "the support queue: packages that need someone to act, most urgent first (as shipments_needing_attention)",
        _attention_arguments,
        run_attention,
    ),
    Command(
        "track-many",
        "track a list of packages from a file or standard input, with progress (as track_packages)",
        _track_many_arguments,
        run_track_many,
    ),
)


# ---------------------------------------------------------------------------------------------- parsing


def _add_tool_choice(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--toolsets",
        metavar="LIST",
        default=default,
        help="offer only these toolsets: orders, tracking, bulk, live, comma-separated [default: SHIPSTATION_TOOLSETS "
        "or all]",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=default,
        help="hide every tool that changes the account (subscribe/unsubscribe, webhook set-up)",
    )


class UsageError(Exception):
    """A flag combination argparse cannot check; reported like an argparse error (exit 2)."""


WEBHOOKS_SUMMARY = "run the webhook receiver alone (beside a stdio server)"


def build_parser() -> argparse.ArgumentParser:
    """The command line. It imports nothing heavy: each command imports what it runs (the HTTP app, the sandbox,
    the store) only when it runs."""
    parser = argparse.ArgumentParser(
        prog="shipstation-mcp",
        description=(
            "MCP server that finds ShipStation shipments and tracks packages, answering in plain words. "
            "Without a command it serves MCP; the lookup commands print the same answers in a terminal."
        ),
        epilog=SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"shipstation-mcp {__version__}")
    _add_serve_arguments(parser, suppress=False)
    parser.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="use a built-in offline sandbox account: no API key, no network",
    )
    parser.add_argument(
        "--log-level",
        choices=LEVELS,
        type=str.upper,
        default=None,
        help="logging detail on stderr [default: SHIPSTATION_LOG_LEVEL, else INFO when serving, WARNING otherwise]",
    )
    _add_tool_choice(parser, default=None)

    # Flags every command also accepts after its name; SUPPRESS keeps the top-level value when they are absent.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--demo", action="store_true", default=argparse.SUPPRESS, help="use the offline demo account")
    common.add_argument("--log-level", choices=LEVELS, type=str.upper, default=argparse.SUPPRESS)
    _add_tool_choice(common, default=argparse.SUPPRESS)
    lookup = argparse.ArgumentParser(add_help=False)
    lookup.add_argument("--json", action="store_true", help="print the structured result as JSON instead of text")

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in COMMANDS:
        parents = [common, lookup] if command.json_output else [common]
        sub = commands.add_parser(command.name, help=command.help, description=command.help, parents=parents)
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    _add_webhooks_command(commands)  # needs no API key: main() hands it over before settings are read
    parser.set_defaults(run=run_serve)
    return parser


WEBHOOKS_HELP = """\
Run the webhook receiver alone: for people who run the MCP server over stdio (Claude Desktop) and still want
ShipStation's tracking updates. It needs no API key. It stores updates in SHIPSTATION_DATA_DIR, where the stdio
server reads them (get_tracking_updates, list_tracked_packages, shipstation://tracking/{number}).
Expose it with a reverse proxy or a tunnel, then call setup_tracking_webhook with its public URL (docs/webhooks.md).
"""


def _add_webhooks_command(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        "webhooks",
        help=WEBHOOKS_SUMMARY,
        description=WEBHOOKS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind [default: 127.0.0.1]")
    parser.add_argument("--port", type=int, default=8001, help="port to bind; 0 picks a free one [default: 8001]")
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        type=str.upper,
        default=argparse.SUPPRESS,
        help="logging detail on stderr [default: SHIPSTATION_LOG_LEVEL or INFO]",
    )


def _webhooks_command(args: argparse.Namespace, formatter: RedactingFormatter) -> None:
    """Load the live settings (no API key needed) and serve the receiver until interrupted."""
    from .web import build_receiver_app, run_uvicorn

    try:
        settings = load_live_settings()
    except ConfigError as exc:
        print(f"shipstation-mcp: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    for secret in settings.secrets:
        formatter.add_secret(secret)
    if not report_unreachable(settings):
        raise SystemExit(EXIT_USAGE)
    try:
        sock, port = _bound(args.host, args.port)
    except UsageError as exc:
        print(f"shipstation-mcp: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    logger.info(
        "shipstation-mcp %s: webhook receiver on %s%s, storing updates in %s",
        __version__,
        _http_url(args.host, port),
        settings.webhook_path,
        store_location(settings),
    )
    if sock is not None:
        where = f"{_http_url(args.host, port)}{settings.webhook_path}"
        print(f"shipstation-mcp: webhook receiver at {where}", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        run_uvicorn(build_receiver_app(settings), host=args.host, port=port, settings=settings, sock=sock)


def _settings_or_exit(args: argparse.Namespace, argv: Sequence[str]) -> Settings:
    try:
        return load_settings(demo=args.demo, toolsets=args.toolsets, read_only=args.read_only)
    except ConfigError as exc:
        print(f"shipstation-mcp: {as_typed(str(exc), argv)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def as_typed(message: str, argv: Sequence[str]) -> str:
    """A settings message's suggestion `shipstation-mcp --demo` as the command the user typed, plus --demo: after
    `shipstation-mcp order 10443` it suggests `shipstation-mcp order 10443 --demo`."""
    import shlex

    typed = shlex.join(["shipstation-mcp", *argv, "--demo"])
    return message.replace("`shipstation-mcp --demo`", f"`{typed}`")


def main(argv: Sequence[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    serving = args.run is run_serve
    default_level = "INFO" if serving else "WARNING"
    try:
        level = args.log_level or load_log_level(default_level)
    except ConfigError as exc:
        print(f"shipstation-mcp: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    formatter = configure_logging(level)
    if args.command == "webhooks":
        _webhooks_command(args, formatter)
        return
    settings = _settings_or_exit(args, argv)
    for credential in settings.credentials:  # the key, a V1 secret, a tracking key
        if not (settings.demo and credential == DEMO_API_KEY):
            # The demo's stand-in key is no secret, and scrubbing the word "demo" would garble log lines.
            formatter.add_secret(credential)
    for secret in (*settings.live.secrets, url_password(settings.redis_url)):
        if secret:
            formatter.add_secret(secret)
    try:
        code = args.run(args, settings)
    except UsageError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:  # e.g. `shipstation-mcp shipments | head`: the reader left, which is fine
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_OK
    if code:
        raise SystemExit(code)
