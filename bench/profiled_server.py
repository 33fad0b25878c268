"""Run a server with a profiler that only counts between two signals, so a profile holds tool calls and nothing else.

    python bench/profiled_server.py OUT.prof -m shipstation_mcp      # or: OUT.prof bench/minimal_server.py

SIGUSR1 starts profiling the main thread (where the event loop runs), SIGUSR2 stops and writes OUT.prof.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys

profiler = cProfile.Profile()


def start(*_: object) -> None:
    profiler.enable()


def stop(*_: object) -> None:
    profiler.disable()
    profiler.dump_stats(OUT)


if __name__ == "__main__":
    OUT, *target = sys.argv[1:]
    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    if target[0] == "-m":
        sys.argv = [target[1], *target[2:]]
        runpy.run_module(target[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = target
        runpy.run_path(target[0], run_name="__main__")
