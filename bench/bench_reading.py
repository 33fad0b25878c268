"""CPU of reading one package's tracking (`summarize_tracking` and its text, the API answer already parsed), per
package, on every real tracking payload in ../shared/real-payloads/ and the repository's tracking seeds: the
figure issue 18 bounds (the new reading adds at most 0.3 ms per tracked package).

    python bench/bench_reading.py                                   # this checkout
    BENCH_ROOT=/path/to/other/checkout python bench/bench_reading.py  # the same on another commit

The machine is shared and loaded, so each package's figure is the minimum over ROUNDS rounds of the mean of REPEAT
reads (process time): the least-disturbed round, which is what the code costs rather than what the neighbours
cost. Each checkout runs in its own process; run them back to back. Figures in microseconds.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

from bench_local_times import NOW, ROOT, bodies  # one reading of the payloads for both benchmarks

REPEAT = int(os.environ.get("BENCH_REPEAT", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))


def main() -> None:
    from shipstation_mcp.answers.tracking import summarize_tracking
    from shipstation_mcp.api.models import TrackingInfo

    assert Path(sys.modules["shipstation_mcp"].__file__ or "").is_relative_to(ROOT), "imported another checkout"
    infos = [(name, TrackingInfo.model_validate(body)) for name, body in bodies()]
    for _, info in infos:
        summarize_tracking(info, now=NOW).text()  # warm-up: caches filled as in a running server
    best = {name: float("inf") for name, _ in infos}
    for _ in range(ROUNDS):
        for name, info in infos:
            start = time.process_time()
            for _ in range(REPEAT):
                summarize_tracking(info, now=NOW).text()
            best[name] = min(best[name], (time.process_time() - start) / REPEAT * 1e6)
    values = list(best.values())
    events = {name: len(info.events) for name, info in infos}
    largest = max(events, key=events.__getitem__)
    print(f"Machine: {platform.platform()}; {os.cpu_count()} CPU(s); Python {platform.python_version()}")
    print(f"checkout: {ROOT}; {len(values)} packages; min of {ROUNDS} rounds of {REPEAT} reads each")
    print(
        f"summarize + text, CPU µs per package: median {statistics.median(values):.0f}, "
        f"mean {statistics.mean(values):.0f}, max {max(values):.0f}; "
        f"largest ({largest}, {events[largest]} events) {best[largest]:.0f}"
    )
    if os.environ.get("BENCH_EACH"):
        for name, value in best.items():
            print(f"  {name}: {value:.0f}")


if __name__ == "__main__":
    main()
