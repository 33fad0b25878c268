"""Run every benchmark and write bench/RESULTS.md from their output.

python bench/run_all.py            # about 2 minutes; needs nothing but this checkout (the mock runs locally)
"""

from __future__ import annotations

import datetime
import subprocess
import sys

from common import BENCH, ROOT, machine

SCRIPTS = ["bench_bulk.py", "bench_overhead.py", "bench_coldstart.py", "bench_size.py"]


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    parts = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run_all.py` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC "
        f"at commit {commit.strip() or 'unknown'}.",
        f"Machine: {machine()}.",
        "",
    ]
    for script in SCRIPTS:
        print(f"running {script} …", file=sys.stderr)
        done = subprocess.run([sys.executable, str(BENCH / script)], cwd=ROOT, capture_output=True, text=True)
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
