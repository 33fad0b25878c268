"""The canary API key: a value that must never appear in any output, log line or error of the suite.

Tests that want their output checked use `CANARY_KEY` as the API key; `tests/conftest.py` scans every test's
captured stdout, stderr and log records (package loggers at DEBUG) and its failure report for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

CANARY_KEY = "canary-9f27c1e8d4b6-must-never-leak"


def leaked_in(texts: Iterable[str]) -> str | None:
    """Where the canary appears (surrounding text, the canary itself masked), or None."""
    for text in texts:
        at = text.find(CANARY_KEY)
        if at >= 0:
            return text[max(0, at - 60) : at + len(CANARY_KEY) + 60].replace(CANARY_KEY, "<CANARY>")
    return None


class CanaryTrap(logging.Handler):
    """Sees every log record, whatever the capture settings, and keeps the text of those carrying the canary."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self._hits: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format is not ours to judge
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + repr(record.exc_info[1]) + " " + str(record.exc_info[1])
        if CANARY_KEY in text:
            self._hits.append(text)

    def drain(self) -> list[str]:
        hits, self._hits = self._hits, []
        return hits
