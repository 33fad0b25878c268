"""Logging goes to stderr only (stdout is the MCP protocol's), and secrets never survive formatting."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from shipstation_mcp.logs import HANDLER_NAME, REDACTED, RedactingFormatter, configure_logging

SECRET = "CANARY-k3y-5f3c9e1d7a2b4c6e"
QUIETED = ("httpx", "httpcore", "uvicorn.access")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging rewires the root logger; put pytest's handlers and every level back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in (*QUIETED, "shipstation_mcp")}
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def record(msg: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("shipstation_mcp.test", logging.ERROR, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------- where logs go


@pytest.mark.usefixtures("restore_logging")
def test_logs_go_to_stderr_not_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    logging.getLogger("shipstation_mcp.api.client").warning("carrier %s is slow", "ups")

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "WARNING shipstation_mcp.api.client: carrier ups is slow" in captured.err


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize(
    ("level", "shown", "hidden"),
    [
        ("DEBUG", ["debug line", "info line", "warning line"], []),
        ("info", ["info line", "warning line"], ["debug line"]),
        ("WARNING", ["warning line"], ["debug line", "info line"]),
        ("ERROR", [], ["debug line", "info line", "warning line"]),
    ],
)
def test_level_is_applied(capsys: pytest.CaptureFixture[str], level: str, shown: list[str], hidden: list[str]) -> None:
    configure_logging(level)
    log = logging.getLogger("shipstation_mcp.tools")
    log.debug("debug line")
    log.info("info line")
    log.warning("warning line")
    err = capsys.readouterr().err
    for text in shown:
        assert text in err
    for text in hidden:
        assert text not in err


@pytest.mark.usefixtures("restore_logging")
def test_httpx_request_lines_are_quiet_unless_debugging(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    logging.getLogger("httpx").info('HTTP Request: GET https://api.shipstation.com/v2/carriers "HTTP/1.1 200 OK"')
    assert "HTTP Request" not in capsys.readouterr().err

    configure_logging("DEBUG")
    logging.getLogger("httpx").info("HTTP Request: GET https://api.shipstation.com/v2/carriers")
    assert "HTTP Request" in capsys.readouterr().err


@pytest.mark.usefixtures("restore_logging")
def test_configuring_twice_leaves_one_handler(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")
    configure_logging("INFO", secrets=[SECRET])
    logging.getLogger("shipstation_mcp").warning("once %s", SECRET)
    err = capsys.readouterr().err
    assert err.count("once") == 1
    assert SECRET not in err
    ours = [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]
    assert len(ours) == 1


# --------------------------------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    ("msg", "args"),
    [
        (f"key={SECRET}", ()),
        ("key=%s", (SECRET,)),
        ("headers %r", ({"API-Key": SECRET, "User-Agent": "shipstation-mcp/0.1.0"},)),
        ("%s and again %s", (SECRET, SECRET)),
        ("embedded: xx%syy", (SECRET,)),
    ],
)
def test_secret_is_scrubbed_from_message_and_args(msg: str, args: tuple[object, ...]) -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s", secrets=[SECRET])
    text = formatter.format(record(msg, *args))
    assert SECRET not in text
    assert REDACTED in text
    assert text.startswith("ERROR ")


def test_secret_is_scrubbed_from_exception_tracebacks() -> None:
    formatter = RedactingFormatter("%(message)s", secrets=[SECRET])
    try:
        try:
            raise KeyError(f"lookup with {SECRET}")
        except KeyError as inner:
            raise RuntimeError(f"request failed for key {SECRET}") from inner
    except RuntimeError:
        exc_info = sys.exc_info()

    text = formatter.format(record("request failed", exc_info=exc_info))

    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: request failed for key [redacted]" in text
    assert "KeyError" in text
    assert SECRET not in text


def test_secret_is_scrubbed_from_logger_exception_output(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging("INFO", secrets=[SECRET])
    try:
        raise ValueError(f"bad header API-Key: {SECRET}")
    except ValueError:
        logging.getLogger("shipstation_mcp.tools.server").exception("tool failed")
    err = capsys.readouterr().err
    assert "tool failed" in err
    assert "ValueError: bad header API-Key: [redacted]" in err
    assert SECRET not in err


def test_secret_added_later_is_scrubbed(capsys: pytest.CaptureFixture[str], restore_logging: None) -> None:
    """The CLI learns the key only after logging is set up (settings may fail to load and need logging first)."""
    formatter = configure_logging("INFO")
    formatter.add_secret(SECRET)
    logging.getLogger("shipstation_mcp").info("using %s", SECRET)
    err = capsys.readouterr().err
    assert f"using {REDACTED}" in err
    assert SECRET not in err


def test_several_secrets_are_all_scrubbed() -> None:
    other = "second-secret-value"
    formatter = RedactingFormatter("%(message)s", secrets=[SECRET])
    formatter.add_secret(other)
    formatter.add_secret(other)  # adding twice is harmless
    text = formatter.format(record("%s / %s", SECRET, other))
    assert text == f"{REDACTED} / {REDACTED}"


@pytest.mark.parametrize("tiny", ["", "a", "abc"])
def test_tiny_secrets_are_ignored_so_ordinary_text_survives(tiny: str) -> None:
    formatter = RedactingFormatter("%(message)s", secrets=[tiny])
    formatter.add_secret(tiny)
    assert formatter.format(record("a cabbage and abc")) == "a cabbage and abc"


def test_lines_without_secrets_are_unchanged() -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s", secrets=[SECRET])
    assert formatter.format(record("GET /v2/labels/se-1/track -> 200 in %d ms", 42)) == (
        "ERROR GET /v2/labels/se-1/track -> 200 in 42 ms"
    )


# --------------------------------------------------------------------------------------------------- log injection

HOSTILE = "\r\n1999-01-01 00:00:00,000 ERROR shipstation_mcp: FORGED \x1b[2J\x1b]0;owned\x07 \u2028 \x9b31m"


@pytest.mark.usefixtures("restore_logging")
def test_outside_values_cannot_forge_lines_or_send_escape_sequences(capsys: pytest.CaptureFixture[str]) -> None:
    """A resource URI, a delivery's status text or an API message holding CR/LF or terminal escapes stays on its
    own line, escaped; so does the text of an exception in a traceback."""
    configure_logging("INFO")
    log = logging.getLogger("shipstation_mcp.test")
    log.info("Resource read: %s", "shipstation://tracking/1Z" + HOSTILE)
    log.warning("Tracking update stored for 1Z: " + HOSTILE)
    try:
        raise ValueError("API said: " + HOSTILE)
    except ValueError:
        log.exception("ShipStation answered oddly")
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err and "\x07" not in err and "\u2028" not in err and "\x9b" not in err
    assert not [line for line in err.splitlines() if "FORGED" in line and not line.startswith(("20", "ValueError"))]
    assert [line for line in err.splitlines() if line.startswith("1999-01-01")] == []
    assert "\\r\\n1999-01-01" in err and "\\x1b[2J" in err
    assert err.count("FORGED") == 3


def test_quoted_values_are_one_clipped_line() -> None:
    from shipstation_mcp.logs import quoted

    assert quoted("a\r\nb\x1b[31m", 50) == '"a\\r\\nb\\x1b[31m"'
    assert quoted("x" * 500, 10) == '"' + "x" * 9 + '…"'
