"""What a child process of the suite needs to run this tree's code."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Children started with a minimal environment would otherwise import whichever shipstation_mcp is installed (in a
# second work tree of the repository, another tree's); with this they run the code under test.
THIS_TREE = {"PYTHONPATH": str(ROOT)}


def finished(*children: subprocess.Popen[str], timeout: float = 60) -> list[subprocess.CompletedProcess[str]]:
    """What `subprocess.run` gives for each child (started with stdout and stderr piped), once all have exited.

    Children started together run at the same time; each one's pipes are read while it runs, so none blocks on a
    full pipe. One not done within `timeout` seconds fails the test (`TimeoutExpired`); none is left running."""
    try:
        with ThreadPoolExecutor(max_workers=len(children)) as pool:
            outputs = list(pool.map(lambda child: child.communicate(timeout=timeout), children))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    return [
        subprocess.CompletedProcess(child.args, child.returncode, out, err)
        for child, (out, err) in zip(children, outputs, strict=True)
    ]
