"""How `negotiate solve` scales with the number of agreements. Run by hand; prints figures.

    .venv/bin/python benchmarks/bench_scale.py              # everything (about two minutes)
    .venv/bin/python benchmarks/bench_scale.py --repeats 1  # one run of each

Random scenarios (2 to 5 levers a side of 3 options, and 3 levers a side of 10 options: 1,000,000
agreements) are written to a temporary directory and solved by `negotiate solve FILE` in a fresh
process each time. Whole-process time and peak resident memory (the child's ru_maxrss, read by a
small wrapper process so that each run is measured alone) are medians within this one run. The
slope of log time against log agreements is fitted over the random scenarios.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "us-china-kl-2025.yaml"
NEGOTIATE = shutil.which("negotiate", path=str(Path(sys.executable).parent)) or "negotiate"

# Runs one command and prints its wall time and peak RSS (a fresh process per measurement).
WRAPPER = """
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def random_scenario(levers: int, options: int, seed: int = 0, interactions: int = 4) -> str:
    """A valid scenario: two parties, ``levers`` levers each of ``options`` options, uncertain payoffs."""
    rng = np.random.default_rng(seed)
    lines = ["schema: 1", f"id: random-{levers}x{options}", "title: Random scenario", "question: Deal?",
             "as_of: 2026-01-01", "deadline: 2026-06-30", "parties:",
             "  R: {name: Row, patience: 0.7, power: 1.0}", "  C: {name: Column, patience: 0.6, power: 1.0}",
             "levers:"]
    names: dict[str, list[str]] = {"R": [], "C": []}
    for party in ("R", "C"):
        for j in range(levers):
            name = f"{party.lower()}{j}"
            names[party].append(name)
            lines += [f"  {name}:", f"    owner: {party}", "    status_quo: o0", "    options:"]
            for k in range(options):
                a, b = rng.normal(0, 1, 2)
                sa, sb = rng.uniform(0.1, 0.5, 2)
                lines.append(f"      o{k}: {{R: {{mean: {a:.3f}, sd: {sa:.3f}}}, C: {{mean: {b:.3f}, sd: {sb:.3f}}}}}")
    lines.append("interactions:")
    for _ in range(interactions):
        r, c = rng.choice(names["R"]), rng.choice(names["C"])
        a, b = rng.normal(0, 1, 2)
        lines += [f"  - when: {{{r}: o{rng.integers(options)}, {c}: o{rng.integers(options)}}}",
                  f"    payoffs: {{R: {a:.3f}, C: {b:.3f}}}"]
    lines.append("threat: equilibrium")
    return "\n".join(lines) + "\n"


def measure(args: list[str], repeats: int) -> tuple[float, float]:
    """Median wall seconds and median peak RSS (MB) of ``negotiate ARGS``, each run in a fresh process."""
    times, peaks = [], []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", WRAPPER, NEGOTIATE, *args], check=True,
                             capture_output=True, text=True).stdout.split()
        times.append(float(out[0]))
        peaks.append(int(out[1]) / 1024)  # ru_maxrss is in KB on Linux
    return statistics.median(times), statistics.median(peaks)


def reduced_shape(path: Path) -> list[int]:
    out = subprocess.run([NEGOTIATE, "solve", str(path), "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["game"]["reduced_shape"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median); default 3")
    parser.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws on the 5-lever scenario")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cases = [(levers, 3) for levers in (2, 3, 4, 5)] + [(3, 10)]
        rows = []
        print(f"{'levers/side':>11} {'options':>7} {'strategies':>10} {'agreements':>11} {'reduced':>8} "
              f"{'time s':>7} {'peak MB':>8}")
        for levers, options in cases:
            path = Path(tmp) / f"random-{levers}x{options}.yaml"
            path.write_text(random_scenario(levers, options), encoding="utf-8")
            strategies = options ** levers
            seconds, peak = measure(["solve", str(path)], args.repeats)
            reduced = "x".join(map(str, reduced_shape(path)))
            rows.append((strategies ** 2, seconds))
            print(f"{levers:>11} {options:>7} {strategies:>10,} {strategies ** 2:>11,} {reduced:>8} "
                  f"{seconds:>7.2f} {peak:>8.0f}", flush=True)
        agreements, seconds = np.array(rows).T
        slope = np.polyfit(np.log(agreements), np.log(seconds), 1)[0]
        print(f"slope of log time against log agreements: {slope:.2f} "
              "(whole process, so start-up flattens the small cases)")
        big = [(a, s) for a, s in rows if a >= 59_049]
        if len(big) >= 2:
            (a0, s0), (a1, s1) = big[0], big[-1]
            print(f"  between {a0:,.0f} and {a1:,.0f} agreements: {np.log(s1 / s0) / np.log(a1 / a0):.2f}")

        five = Path(tmp) / "random-5x3.yaml"
        seconds, peak = measure(["solve", str(five), "--draws", str(args.draws)], args.repeats)
        print(f"solve random-5x3 --draws {args.draws}: {seconds:.2f} s, peak {peak:.0f} MB")
    seconds, peak = measure(["solve", str(FLAGSHIP)], max(args.repeats, 5))
    print(f"solve {FLAGSHIP.relative_to(ROOT)}: {seconds:.2f} s, peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
