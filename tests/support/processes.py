"""What a child process of the suite needs to run this tree's code."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Children started with a minimal environment would otherwise import whichever shipstation_mcp is installed (in a
# second work tree of the repository, another tree's); with this they run the code under test.
THIS_TREE = {"PYTHONPATH": str(ROOT)}
