"""Time to build the flagship's HTML report with a stored fit (whole process), without and with --sensitivity.

    .venv/bin/python benchmarks/bench_report.py [--repeats 7]

The first run fits the model if no stored fit exists yet (not counted); the timed runs reuse it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "us-china-kl-2025.yaml"
NEGOTIATE = shutil.which("negotiate", path=str(Path(sys.executable).parent)) or "negotiate"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        base = [NEGOTIATE, "report", str(FLAGSHIP), "-o", str(out), "--no-record"]
        subprocess.run(base, check=True, capture_output=True)  # makes sure a stored fit exists
        for extra, label in (([], ""), (["--sensitivity"], " --sensitivity")):
            times = []
            for _ in range(args.repeats):
                t = time.perf_counter()
                subprocess.run(base + extra, check=True, capture_output=True)
                times.append(time.perf_counter() - t)
            size = out.stat().st_size / 1024
            print(f"negotiate report flagship -o report.html{label} (stored fit, 2000 payoff draws): median "
                  f"{statistics.median(times):.2f} s over {args.repeats} runs (min {min(times):.2f}, max {max(times):.2f}); "
                  f"{size:.0f} KiB self-contained", flush=True)

if __name__ == "__main__":
    main()
