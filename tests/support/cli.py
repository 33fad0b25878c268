"""Run the command line in this process: `cli.main(argv)` as `python -m shipstation_mcp ARGV` would, returning the
exit code, with the logging it rewires put back afterwards."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from shipstation_mcp import cli

QUIETED = ("httpx", "httpcore", "httpx2", "uvicorn.access")


@contextmanager
def logging_restored() -> Iterator[None]:
    """configure_logging rewires the root logger; put pytest's handlers and every level back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in (*QUIETED, "shipstation_mcp")}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)


def run_cli(argv: Sequence[str]) -> int:
    """The exit code of `shipstation-mcp ARGV`, run in-process (capture its output with capsys)."""
    with logging_restored():
        # The suite runs the package's logger at DEBUG (tests/conftest.py); the CLI's own level must decide here.
        logging.getLogger("shipstation_mcp").setLevel(logging.NOTSET)
        try:
            cli.main(list(argv))
        except SystemExit as exc:
            if isinstance(exc.code, str):  # what the interpreter does with a message as the exit code
                print(exc.code, file=sys.stderr)
                return 1
            return int(exc.code or 0)
    return 0
