"""The project's promises about itself: the README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST_COMMAND = "pip install -e '.[test]' && python -m pytest"
RUN_COMMAND = "pip install -e . && shipstation-mcp --demo"


def _quick_start() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Quick start\n(.*?)^## ", readme, flags=re.S | re.M)
    assert match, "README has no Quick start section"
    return match.group(1)


def test_quick_start_has_exactly_two_setup_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", _quick_start(), flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert commands == [RUN_COMMAND, TEST_COMMAND]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in ci.splitlines()


def test_ci_script_is_executable() -> None:
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111
