"""CPU of reading one package's tracking (parse the API answer, then `summarize_tracking` with its text), per
package, on every real tracking payload in ../shared/real-payloads/ and the repository's tracking seeds.

    python bench/bench_local_times.py            # this checkout
    BENCH_ROOT=/path/to/other/checkout python bench/bench_local_times.py   # the same on another commit

Each package is read REPEAT times after one warm-up read (the zone lookups are cached, as they are in a running
server); the one-off cost of loading the coordinate finder (tzfpy) at the first lookup is measured apart, in a
fresh process. Figures are CPU time (time.process_time), in microseconds per package.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))
# The real payloads beside this checkout (../shared), or wherever BENCH_PAYLOADS says when BENCH_ROOT is elsewhere.
REAL = Path(
    os.environ.get("BENCH_PAYLOADS") or Path(__file__).resolve().parents[2] / "shared" / "real-payloads" / "payloads"
)
REPEAT = 300
NOW = datetime(2026, 9, 4, 12, 0, tzinfo=UTC)


def bodies() -> list[tuple[str, dict]]:
    found = []
    paths = sorted(REAL.glob("tracking/*.json")) + sorted(REAL.glob("webhook/*.json"))
    paths += sorted((ROOT / "tests" / "fixtures" / "seeds").glob("track_*.json"))
    for path in paths:
        body = json.loads(path.read_text(encoding="utf-8"))
        body = body["data"] if isinstance(body.get("data"), dict) else body
        if "events" in body or "status_code" in body:
            found.append((path.stem, body))
    return found


def main() -> None:
    from shipstation_mcp.answers.tracking import summarize_tracking
    from shipstation_mcp.api.models import TrackingInfo

    parse_us, read_us, events = [], [], []
    for _name, body in bodies():
        summarize_tracking(TrackingInfo.model_validate(body), now=NOW).text()  # warm-up
        start = time.process_time()
        for _ in range(REPEAT):
            info = TrackingInfo.model_validate(body)
        parse_us.append((time.process_time() - start) / REPEAT * 1e6)
        start = time.process_time()
        for _ in range(REPEAT):
            summarize_tracking(info, now=NOW).text()
        read_us.append((time.process_time() - start) / REPEAT * 1e6)
        events.append(len(info.events))
    print(f"Machine: {platform.platform()}; {os.cpu_count()} CPU(s); Python {platform.python_version()}")
    print(f"checkout: {ROOT}; {len(read_us)} packages, {sum(events)} events (max {max(events)} in one)")
    print("| per package, CPU µs | median | mean | max |")
    print("| --- | --- | --- | --- |")
    for label, values in (("parse the API answer", parse_us), ("summarize + text", read_us)):
        print(f"| {label} | {statistics.median(values):.0f} | {statistics.mean(values):.0f} | {max(values):.0f} |")
    both = [a + b for a, b in zip(parse_us, read_us, strict=True)]
    print(f"| both | {statistics.median(both):.0f} | {statistics.mean(both):.0f} | {max(both):.0f} |")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run([sys.executable, "-c", FIRST_LOOKUP], capture_output=True, text=True, env=env).stdout.strip()
    print(f"first coordinate lookup in a fresh process (one-off): {first or 'n/a (no zones module here)'}")


FIRST_LOOKUP = """
import os, time
try:
    from shipstation_mcp import zones
except ImportError:
    raise SystemExit(0)
if not zones.__file__.startswith(os.environ["PYTHONPATH"]):
    raise SystemExit(0)  # that checkout has no zones module (an editable install found another one)
coordinates_zone = zones.coordinates_zone
start = time.process_time()
coordinates_zone(34.05, -118.44)
print(f"{(time.process_time() - start) * 1e3:.0f} ms CPU")
"""

if __name__ == "__main__":
    main()
