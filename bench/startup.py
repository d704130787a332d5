"""Start-up cost of each entry point: wall time and peak memory of importing ``shuttle``, the ``starform``
CLI, the Starbase API and Stardeck, each in a fresh interpreter, against a bare interpreter (baseline)
measured in the same run. Shuttle must stay light: it runs in every cluster.

    .venv/bin/python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = "import resource, sys; {stmt}; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
SUBJECTS = {
    "baseline (bare python)": "pass",
    "shuttle": "import shuttle.__main__",
    "starform CLI": "import starbase.cli",
    "starbase API": "import starbase.http",
    "stardeck (Reflex app)": "import stardeck.stardeck",
}


def measure(stmt: str, runs: int) -> tuple[float, float]:
    times, rss = [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(stmt=stmt)], cwd=ROOT, capture_output=True, text=True, check=True
        )
        times.append(time.perf_counter() - start)
        rss.append(int(out.stdout.strip().splitlines()[-1]) / 1024)
    return statistics.median(times) * 1000, statistics.median(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results = {name: measure(stmt, args.runs) for name, stmt in SUBJECTS.items()}
    base_ms, base_mb = results["baseline (bare python)"]
    print(f"{'entry point':<26}{'import ms':>11}{'x baseline':>12}{'peak RSS MB':>13}{'x baseline':>12}")
    for name, (ms, mb) in results.items():
        print(f"{name:<26}{ms:>11.0f}{ms / base_ms:>12.1f}{mb:>13.1f}{mb / base_mb:>12.1f}")
    print(f"(median of {args.runs} fresh interpreters each)")


if __name__ == "__main__":
    main()
