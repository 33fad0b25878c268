"""Run every benchmark and write bench/RESULTS.md from their output.

    python bench/run_all.py [--baseline DIR --baseline-python PATH --baseline-label NAME]

About 6 minutes; needs this checkout installed with its `bench` extra (the mock runs locally, on 127.0.0.1). Every
figure comes from real `python -m shipstation_mcp` processes over stdio. `--baseline` adds the same measurements
for another checkout (e.g. `git archive <commit> | tar -x -C DIR`), run by `--baseline-python` (an environment
installed as that version was), so a before/after pair comes from one run on one machine.
"""

from __future__ import annotations

import argparse
import datetime
import subprocess
import sys

from common import BENCH, ROOT, machine

SCRIPTS = [
    "bench_bulk.py",
    "bench_overhead.py",
    "profile_call.py",
    "bench_coldstart.py",
    "bench_size.py",
    "bench_toolsets.py",
]
WITH_BASELINE = {"bench_bulk.py", "bench_overhead.py"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", metavar="DIR")
    parser.add_argument("--baseline-python", metavar="PATH")
    parser.add_argument("--baseline-label", default="baseline")
    args = parser.parse_args()
    extra = []
    if args.baseline:
        extra = ["--baseline", args.baseline, "--baseline-label", args.baseline_label]
        extra += ["--baseline-python", args.baseline_python] if args.baseline_python else []
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    parts = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run_all.py` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC "
        f"at commit {commit.strip() or 'unknown'}.",
        f"Machine: {machine()}.",
        "",
        "Every figure is from real server processes over stdio (`python -m shipstation_mcp`, SHIPSTATION_BASE_URL at "
        "the local mock on 127.0.0.1); floors are the API's own (round trips, its rate limit), and the one-tool "
        "server in bench/minimal_server.py is the floor of the MCP SDK itself.",
        "",
    ]
    for script in SCRIPTS:
        print(f"running {script} …", file=sys.stderr)
        command = [sys.executable, str(BENCH / script)]
        command += extra if script in WITH_BASELINE else []
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            raise SystemExit(f"{script} failed")
        body = "\n".join(line for line in done.stdout.splitlines() if not line.startswith("Machine: "))
        parts += [body.strip(), ""]
    text = "\n".join(parts)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    (BENCH / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
