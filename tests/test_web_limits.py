"""Descriptor limits of the web server (issue 21): the connection cap fits the open-file limit, and the event
loop's reports of running out come once a minute, not once per failed accept."""

from __future__ import annotations

import asyncio
import errno
import logging

import pytest

from shipstation_mcp.web import ACCEPTS_IN_FLIGHT, RESERVED_FILES, LoopReports, connection_cap


def test_the_connection_cap_leaves_room_under_a_1024_limit_and_is_kept_where_descriptors_abound() -> None:
    cap = connection_cap(1000, 1024, 20)
    assert cap + ACCEPTS_IN_FLIGHT + RESERVED_FILES + 20 <= 1024
    assert cap >= 500
    assert connection_cap(1000, 1 << 20, 20) == 1000


def test_running_out_of_descriptors_is_one_line_a_minute_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    clock = [100.0]
    reports = LoopReports(monotonic=lambda: clock[0])
    loop = asyncio.new_event_loop()
    error = OSError(errno.EMFILE, "Too many open files")
    context = {"message": "socket.accept() out of system resource", "exception": error}
    with caplog.at_level(logging.INFO, logger="shipstation_mcp.web"):
        for _ in range(5000):
            reports(loop, context)
        clock[0] += 61
        reports(loop, context)
        reports(loop, {"message": "something else", "exception": ValueError("x")})
    loop.close()
    lines = [r for r in caplog.records if r.name == "shipstation_mcp.web"]
    assert len(lines) == 3
    assert "ulimit -n" in lines[0].getMessage() and lines[0].exc_info is None
    assert "4999 more like it" in lines[1].getMessage()
    assert lines[2].exc_info is not None  # an unknown condition keeps its traceback, once a minute
