"""`-s` prints where a test left its screenshots, under pytest-xdist too (tests/conftest.py's terminal summary)."""

from __future__ import annotations

import pytest

from tests.support.processes import ROOT

pytest_plugins = ["pytester"]

A_TEST_WITH_SCREENSHOTS = """
from tests.conftest import SCREENSHOTS

def test_shots(tmp_path, record_property):
    record_property(SCREENSHOTS, str(tmp_path / "view_screenshots"))
"""


def test_the_screenshot_folder_is_printed_with_s_under_xdist(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("from tests.conftest import SCREENSHOTS, pytest_terminal_summary  # noqa: F401\n")
    pytester.makepyfile(test_shots=A_TEST_WITH_SCREENSHOTS)
    shown = pytester.runpytest_subprocess("-n", "2", "-s", "-p", "no:cacheprovider")
    shown.assert_outcomes(passed=1)
    assert "Screenshots of test_shots.py::test_shots: " in shown.stdout.str()
    assert "view_screenshots" in shown.stdout.str()
