"""The support queue in a terminal: `attention` and `track-many` give a person without an
assistant the same answers as the tools, with a progress bar on stderr and a table, CSV or JSON on stdout."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from shipstation_mcp.cli import BULK_COLUMNS, ProgressBar, read_packages
from shipstation_mcp.config import Settings
from tests.support.cli import run_cli

NUMBERS = (
    "tracking_number\n1ZA4R8E20293229421\nse-5000012  # a label id\n\n9405511836264172139766, stamps_com\nXYZ123\n"
)


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("SHIPSTATION_API_KEY", "SHIPSTATION_TOOLSETS", "SHIPSTATION_READ_ONLY", "SHIPSTATION_DEMO"):
        monkeypatch.delenv(name, raising=False)


def tool_answer(tool: str, arguments: dict) -> dict:
    from shipstation_mcp.cli import call_tool

    return call_tool(Settings(api_key="demo", demo=True), tool, arguments).structured or {}


def test_read_packages_takes_numbers_label_ids_and_carriers() -> None:
    assert read_packages(io.StringIO(NUMBERS)) == [
        "1ZA4R8E20293229421",
        {"label_id": "se-5000012"},
        {"tracking_number": "9405511836264172139766", "carrier_code": "stamps_com"},
        "XYZ123",
    ]


def test_track_many_from_a_file_prints_a_table_and_a_progress_bar(tmp_path: Path, capsys) -> None:
    listing = tmp_path / "numbers.txt"
    listing.write_text(NUMBERS)
    assert run_cli(["track-many", str(listing), "--demo"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("4 packages:")
    assert lines[1].split() == list(BULK_COLUMNS)
    assert "delivery attempt" in lines[3] and "1ZA4R8E20361199987" in lines[4] and "not found" in lines[6]
    assert "tracking [" in err and "4/4" in err and "tracking [" not in out


def test_track_many_reads_standard_input_and_answers_as_the_tool_does(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(NUMBERS))
    assert run_cli(["track-many", "-", "--demo", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = tool_answer("track_packages", {"packages": read_packages(io.StringIO(NUMBERS))})
    assert [r["outcome"] for r in printed["results"]] == [r["outcome"] for r in expected["results"]]
    assert printed["headline"] == expected["headline"]


def test_track_many_batches_long_lists_with_one_progress_bar(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("1ZA4R8E20293229421\n" * 130))
    assert run_cli(["track-many", "--demo", "--csv"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 130 and rows[-1]["index"] == "129"
    # One package pasted 130 times over two batches: answered once, every other row named a duplicate of row 0.
    assert [r["status"] for r in rows if r["status"] != "duplicate"] == ["delivery attempt"]
    assert {r["reason"] for r in rows if r["status"] == "duplicate"} == {"same package as row 0"}
    assert "130/130" in err


def test_attention_prints_the_queue_as_a_table_csv_or_json(capsys) -> None:
    assert run_cli(["attention", "--demo"]) == 0
    out, err = capsys.readouterr()
    expected = tool_answer("shipments_needing_attention", {})
    assert out.splitlines()[0] == expected["headline"]
    assert out.splitlines()[1].split()[:4] == ["rank", "status", "attention", "reason"]
    assert len(out.splitlines()) == 3 + len(expected["items"])
    assert "checking [" in err
    assert run_cli(["attention", "--demo", "--csv", "--max", "50"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["tracking_number"] for r in rows] == [i["tracking_number"] for i in expected["items"]]
    assert run_cli(["attention", "--demo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["items"] == expected["items"]


def test_bad_input_is_a_usage_error(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    assert run_cli(["track-many", str(empty), "--demo"]) == 2
    assert "no tracking numbers" in capsys.readouterr().err
    assert run_cli(["track-many", str(tmp_path / "missing.txt"), "--demo"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert run_cli(["attention", "--demo", "--max", "500"]) == 2
    assert "--max" in capsys.readouterr().err


@pytest.mark.anyio
async def test_the_progress_bar_redraws_one_line_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar("tracking", stream=screen, width=10)
    for done in (1, 2, 3, 4):
        await bar(done, 4, f"item {done}")
    bar.finish()
    assert screen.getvalue().count("\r") == 4 and screen.getvalue().endswith("4/4  item 4\n")
    assert "[##########]" in screen.getvalue()
