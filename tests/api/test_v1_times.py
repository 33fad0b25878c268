"""V1 times are Pacific wall-clock without an offset: read in America/Los_Angeles, daylight saving included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shipstation_mcp.api.v1 import pacific_text, pacific_time


@pytest.mark.parametrize(
    ("v1", "utc"),
    [
        ("2021-01-23T09:19:48.6130000", "2021-01-23T17:19:48.613000Z"),  # PST: UTC-8
        ("2015-07-16T14:00:34.823", "2015-07-16T21:00:34.823000Z"),  # PDT: UTC-7
        ("2020-06-23T07:12:31.95", "2020-06-23T14:12:31.950000Z"),  # two fractional digits
        ("2026-03-08T01:59:59", "2026-03-08T09:59:59Z"),  # the last second of PST
        ("2026-03-08T03:00:00", "2026-03-08T10:00:00Z"),  # the first of PDT
        ("2026-11-01T01:30:00", "2026-11-01T08:30:00Z"),  # the repeated hour: its first (PDT) reading
        ("2019-08-24T14:15:22Z", "2019-08-24T14:15:22Z"),  # a zone of its own is kept (the OpenAPI examples)
        ("2015-07-02", "2015-07-02"),  # a bare ship date stays a date
    ],
)
def test_v1_times_read_in_los_angeles(v1: str, utc: str) -> None:
    assert pacific_time(v1) == utc


@pytest.mark.parametrize("bad", ["", "yesterday", "2021-13-40T00:00:00", None, 20210123, "9" * 80])
def test_unreadable_v1_times_are_absent(bad: object) -> None:
    assert pacific_time(bad) is None


def test_filters_are_sent_as_pacific_wall_clock_without_an_offset() -> None:
    assert pacific_text(datetime(2026, 1, 15, 8, 0, tzinfo=UTC)) == "2026-01-15 00:00:00"
    assert pacific_text(datetime(2026, 7, 15, 8, 0, tzinfo=UTC)) == "2026-07-15 01:00:00"
