"""The README gets a new user to a first answer: short, its tools table generated from the tool table, every
command in it run somewhere (here, by another test, or by `.ci/run`), no placeholder, every link alive."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from shipstation_mcp.tools.registry import tools_table
from tests.e2e.test_inspector import README_COMMAND as INSPECTOR_COMMAND
from tests.frameworks.test_frameworks import EXAMPLES, QUESTION
from tests.support.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BUDGET = 250
TABLE = re.compile(r"(<!-- tools-table:[^\n]*-->\n)(.*?)(<!-- /tools-table -->)", flags=re.S)

CI_LINES = {
    # README command: the line of .ci/run that runs it
    "pip install -e '.[test]' && python -m pytest": "pip install -e '.[test]' && python -m pytest",
    "pip install -e . && shipstation-mcp --demo": "pip install -e . && shipstation-mcp --demo </dev/null",
    "npx -y @anthropic-ai/mcpb@2.1.2 pack . shipstation-mcp.mcpb": (
        'npx -y @anthropic-ai/mcpb@2.1.2 pack . "$work/shipstation-mcp.mcpb" >/dev/null'
    ),
}
"""Commands `.ci/run` runs (the bundle into its temporary folder rather than the working tree)."""


def readme() -> str:
    return README.read_text(encoding="utf-8")


def commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", readme(), flags=re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_fits_its_budget_and_leads_with_the_first_answer() -> None:
    text = readme()
    assert len(text.splitlines()) < BUDGET
    sections = re.findall(r"^## (.+)$", text, flags=re.M)
    assert sections[:3] == ["Quick start", "Your first answer", "Tools"]


def test_the_tools_table_is_the_generated_one() -> None:
    text = readme()
    found = TABLE.search(text)
    assert found, "the README has no tools-table markers"
    if os.environ.get("UPDATE_SNAPSHOTS") and found.group(2) != tools_table():
        README.write_text(text[: found.start(2)] + tools_table() + text[found.end(2) :], encoding="utf-8")
        pytest.skip("README tools table rewritten")
    assert found.group(2) == tools_table(), "run UPDATE_SNAPSHOTS=1 python -m pytest tests/test_readme.py"


def test_every_command_in_the_readme_is_run_by_a_test_or_by_ci(capsys: pytest.CaptureFixture[str]) -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    examples = {f'python examples/{script} "{QUESTION}"' for script in EXAMPLES.values()}
    unrun = []
    for command in commands():
        if command in CI_LINES:
            assert CI_LINES[command] in ci, command
        elif command == INSPECTOR_COMMAND or command in examples:
            pass  # tests/e2e/test_inspector.py and tests/frameworks/ run these as written
        elif command.startswith("shipstation-mcp ") and "--demo" in command.split():
            assert run_cli(shlex.split(command)[1:]) == 0, command  # a terminal lookup on the demo: run it here
            assert "Order 10443 for “Priya Natarajan”" in capsys.readouterr().out
        else:
            unrun.append(command)
    assert unrun == []


def test_no_placeholder_and_every_link_leads_somewhere() -> None:
    text = readme()
    body = text.replace("<!-- mcp-name: io.github.OWNER/shipstation-mcp -->", "")  # the registry's own line
    assert "OWNER" not in body
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
    for page in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not target.startswith("http"):
                assert (page.parent / target).exists(), (page.name, target)
