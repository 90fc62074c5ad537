"""Speed of the what-if commands, whole processes as a person runs them. Run by hand; prints medians.

    .venv/bin/python benchmarks/bench_whatif.py             # 5 runs of each (sweeps: 3)
    .venv/bin/python benchmarks/bench_whatif.py --repeats 3
    .venv/bin/python benchmarks/bench_whatif.py --only solve   # the cases whose name contains "solve"

For each command: the median wall-clock time and the median CPU time (user + system) of the process
and its children; on a busy machine the CPU time is the steadier figure. The Dask sweep's CPU time
does not count its worker processes (they belong to the cluster, not to the command's children).

Targets (issue 13): sensitivity on the flagship under 3 s; a 10,000-point sweep of the flagship under
60 s on 2 cores with the local Dask cluster; solve without the new options under 1.0 s; solve --dynamics
under 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "us-china-kl-2025.yaml"
NEGOTIATE = shutil.which("negotiate", path=str(Path(sys.executable).parent)) or "negotiate"
GRID = ["--grid", "parties.US.power=0.2:3:100", "--grid", "levers.chips.options.ease.US.mean=-3:0:100"]  # 10,000 points


def measure(cmd: list[str], repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``cmd`` over ``repeats`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="", help="Run only the cases whose name contains this text.")
    args = parser.parse_args()
    sweeps = max(1, min(args.repeats, 3))
    cases = [
        ("solve (no options)", [NEGOTIATE, "solve", str(FLAGSHIP)], args.repeats, 1.0),
        ("solve --fix tariffs=impose_100", [NEGOTIATE, "solve", str(FLAGSHIP), "--fix", "tariffs=impose_100"], args.repeats, None),
        ("solve --dynamics (2 starts x 2 dynamics x 10 restarts)", [NEGOTIATE, "solve", str(FLAGSHIP), "--dynamics"],
         args.repeats, 2.0),
        ("solve --equilibrium-rule dynamics --json", [NEGOTIATE, "solve", str(FLAGSHIP), "--equilibrium-rule", "dynamics",
                                                      "--json"], args.repeats, None),
        ("solve --method nashpy-vertex", [NEGOTIATE, "solve", str(FLAGSHIP), "--method", "nashpy-vertex"], args.repeats, None),
        ("sensitivity (512 Sobol' samples)", [NEGOTIATE, "sensitivity", str(FLAGSHIP)], args.repeats, 3.0),
        ("sensitivity --samples 0 (swings only)", [NEGOTIATE, "sensitivity", str(FLAGSHIP), "--samples", "0"], args.repeats, None),
        ("sweep 10,000 points, in-process", [NEGOTIATE, "sweep", str(FLAGSHIP), *GRID, "--json"], sweeps, None),
        ("sweep 10,000 points, local Dask cluster (--jobs 2, 4 tasks)",
         [NEGOTIATE, "sweep", str(FLAGSHIP), *GRID, "--json", "--jobs", "2", "--chunk", "2500"], sweeps, 60.0),
    ]
    print(f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'command':<62} {'wall s':>8} {'CPU s':>8}  target")
    for name, cmd, repeats, target in cases:
        if args.only not in name:
            continue
        wall, cpu = measure(cmd, repeats)
        goal = f"< {target:g} s" if target else ""
        print(f"{name:<62} {wall:8.2f} {cpu:8.2f}  {goal}", flush=True)


if __name__ == "__main__":
    main()
