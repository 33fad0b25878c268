"""Logging to stderr (stdout belongs to the MCP protocol in stdio mode), with secrets scrubbed from every line."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from .config import LOG_LEVELS

REDACTED = "[redacted]"
HANDLER_NAME = "shipstation-mcp-stderr"
LEVELS = LOG_LEVELS


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces every secret (and its traceback copies) with `[redacted]`."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s and len(s) >= 4]

    def add_secret(self, secret: str) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.append(secret)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def redact_everywhere(secret: str) -> None:
    """Scrub `secret` from every later line of our stderr handler (a token or secret made while running)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingFormatter):
            handler.formatter.add_secret(secret)


def configure_logging(level: str = "INFO", *, secrets: Iterable[str] = ()) -> RedactingFormatter:
    """Send all logging to stderr through a redacting formatter. Safe to call more than once."""
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name(HANDLER_NAME)
    handler.setLevel(level.upper())  # holds even where a logger was set lower than the root
    root = logging.getLogger()
    for old in list(root.handlers):
        # Replace our own earlier handler and the SDK's default one; leave handlers others attached alone.
        if old.get_name() == HANDLER_NAME or type(old).__name__ == "RichHandler":
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; ours are logged at DEBUG already.
    quiet = logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    for name in ("httpx", "httpcore", "httpx2", "uvicorn.access"):
        logging.getLogger(name).setLevel(quiet)
    return formatter
