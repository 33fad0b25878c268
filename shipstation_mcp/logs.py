"""Logging to stderr (stdout belongs to the MCP protocol in stdio mode), with secrets scrubbed from every line and
every line one line: control characters, line breaks and terminal escape sequences in a message (a value from
outside: a header, a URI, an API message, a payload's text) are written escaped, `\\r\\n` and `\\x1b`, never raw."""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

from .config import LOG_LEVELS
from .redact import REDACTED, Redactor

__all__ = ["REDACTED", "RedactingFormatter", "configure_logging", "escape", "quoted", "redact_everywhere"]

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def _escaped(match: re.Match[str]) -> str:
    ch = match.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def escape(text: str) -> str:
    """`text` on one line: control characters, line and paragraph separators and bidi overrides escaped."""
    return _UNSAFE.sub(_escaped, text)


def quoted(value: object, limit: int = 200) -> str:
    """An outside value for a log line: escaped, clipped to `limit` characters, in double quotes."""
    text = str(value)
    clipped = text if len(text) <= limit else text[: limit - 1] + "…"
    return '"' + escape(clipped).replace('"', '\\"') + '"'


HANDLER_NAME = "shipstation-mcp-stderr"
LEVELS = LOG_LEVELS


class RedactingFormatter(logging.Formatter):
    """Formats as usual, each message escaped onto one line, then replaces every secret (whole, split, in another
    case, and its traceback copies) with `[redacted]`."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._redact = Redactor(secrets)

    def add_secret(self, secret: str) -> None:
        self._redact.add(secret)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: ExcInfo) -> str:
        """The traceback, with each exception's own text (which may quote outside values) on one line."""
        if ei[1] is None:
            return super().formatException(ei)
        report = traceback.TracebackException(type(ei[1]), ei[1], ei[2], compact=True)
        seen: set[int] = set()
        pending = [report]
        while pending:
            current = pending.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            if isinstance(getattr(current, "_str", None), str):
                current._str = escape(current._str)  # type: ignore[attr-defined]
            pending += [e for e in (current.__cause__, current.__context__) if e is not None]
            pending += list(getattr(current, "exceptions", None) or [])
        return _UNSAFE_BUT_NEWLINE.sub(_escaped, "".join(report.format()).rstrip("\n"))

    def format(self, record: logging.LogRecord) -> str:
        cached = record.exc_text  # another handler's formatter may have cached the traceback unescaped
        record.exc_text = None
        try:
            return self._redact(super().format(record))
        finally:
            record.exc_text = cached


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
