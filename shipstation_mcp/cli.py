"""Command line: parse flags, load settings, run a transport. No logic beyond that."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence

from . import __version__
from .config import ConfigError, Settings, load_settings
from .logs import LEVELS, configure_logging

logger = logging.getLogger("shipstation_mcp")

SETTINGS_HELP = """\
settings (environment variables, or a .env file in the working directory; the real environment wins):
  SHIPSTATION_API_KEY      API key (required unless --demo). ShipStation: Settings > Account > API Settings
  SHIPSTATION_API          v2 (api.shipstation.com/v2) or shipengine (api.shipengine.com/v1)   [default: v2]
  SHIPSTATION_BASE_URL     override the host (a proxy, a mock); the path prefix follows SHIPSTATION_API
  SHIPSTATION_TIMEOUT      seconds per HTTP request                                            [default: 30]
  SHIPSTATION_MAX_RETRIES  retries of a failed idempotent request (0-10)                       [default: 3]
  SHIPSTATION_DEMO         1 to serve the offline demo account, same as --demo                 [default: 0]
  SHIPSTATION_RATE_LIMIT   requests per minute for this process                [default: 200; 20 for TEST_ keys]
  SHIPSTATION_CACHE_TTL    seconds to reuse tracking not yet delivered; 0 = no cache           [default: 300]
  SHIPSTATION_LOG_LEVEL    DEBUG, INFO, WARNING, ERROR                                          [default: INFO]

examples:
  shipstation-mcp --demo                          stdio server on the offline demo account
  shipstation-mcp --transport http --port 8000    streamable HTTP at http://127.0.0.1:8000/mcp
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shipstation-mcp",
        description="MCP server that finds ShipStation shipments and tracks packages, answering in plain words.",
        epilog=SETTINGS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"shipstation-mcp {__version__}")
    parser.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default="stdio",
        help="stdio (for Claude Desktop and other local clients) or http (streamable HTTP at /mcp) [default: stdio]",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind with --transport http [default: 127.0.0.1]"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to bind with --transport http [default: 8000]")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="serve a built-in offline sandbox account: no API key, no network",
    )
    parser.add_argument(
        "--log-level",
        choices=LEVELS,
        type=str.upper,
        default=None,
        help="logging detail on stderr [default: SHIPSTATION_LOG_LEVEL or INFO]",
    )
    return parser


def _settings_or_exit(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(demo=args.demo)
    except ConfigError as exc:
        print(f"shipstation-mcp: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def serve(settings: Settings, *, transport: str, host: str, port: int) -> None:
    from .server import create_server

    server = create_server(settings)
    where = "the offline demo account" if settings.demo else f"{settings.api_root}"
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
        logger.info("shipstation-mcp %s: streamable HTTP on http://%s:%d/mcp for %s", __version__, host, port, where)
        server.run("streamable-http", host=host, port=port)


def main(argv: Sequence[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = args.log_level or os.environ.get("SHIPSTATION_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LEVELS:
        print(f"shipstation-mcp: SHIPSTATION_LOG_LEVEL must be one of {', '.join(LEVELS)}", file=sys.stderr)
        raise SystemExit(2)
    formatter = configure_logging(level)
    settings = _settings_or_exit(args)
    formatter.add_secret(settings.api_key)
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    with contextlib.suppress(KeyboardInterrupt):
        serve(settings, transport=args.transport, host=args.host, port=args.port)
