"""Speed of `negotiate solve` and of the equilibrium enumerator. Run by hand; prints figures.

    .venv/bin/python benchmarks/bench_solve.py            # everything (nashpy part takes minutes)
    .venv/bin/python benchmarks/bench_solve.py --quick    # skip nashpy's vertex enumeration

Figures are medians within this one run, so ratios compare like with like on a noisy machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "us-china-kl-2025.yaml"
NEGOTIATE = shutil.which("negotiate", path=str(Path(sys.executable).parent)) or "negotiate"


def wall(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def games(count: int, size: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((size, size)), rng.standard_normal((size, size))) for _ in range(count)]


def time_ours(pairs) -> list[float]:
    from negotiate.game.algorithms.vertex_enumeration import vertex_enumeration

    out = []
    for A, B in pairs:
        t = time.perf_counter()
        vertex_enumeration(A, B)
        out.append(time.perf_counter() - t)
    return out


def time_gambit(pairs) -> list[float] | None:
    try:
        import pygambit as gbt
    except ImportError:
        return None
    out = []
    for A, B in pairs:
        g = gbt.Game.from_arrays(A.tolist(), B.tolist())
        t = time.perf_counter()
        gbt.nash.enummixed_solve(g, rational=False)
        out.append(time.perf_counter() - t)
    return out


NASHPY_ONE = """
import sys, time, numpy as np, nashpy
rng = np.random.default_rng(0)
games = [(rng.standard_normal(({n}, {n})), rng.standard_normal(({n}, {n}))) for _ in range({count})]
A, B = games[{k}]
t = time.perf_counter()
list(nashpy.Game(A, B).vertex_enumeration())
print(time.perf_counter() - t)
"""


def time_nashpy(count: int, size: int, k_max: int, timeout: float) -> tuple[list[float], int]:
    """nashpy's vertex enumeration, each game in its own process with a time limit."""
    out, timed_out = [], 0
    for k in range(k_max):
        code = NASHPY_ONE.format(n=size, count=count, k=k)
        try:
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
            out.append(float(proc.stdout.strip()))
        except subprocess.TimeoutExpired:
            timed_out += 1
            out.append(timeout)
    return out, timed_out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip nashpy (minutes per 10x10 game)")
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"\n== whole process, from the shell (median of {args.repeats})")
    print(f"negotiate --help                      {wall([NEGOTIATE, '--help'], args.repeats):.3f} s")
    print(f"negotiate solve flagship              {wall([NEGOTIATE, 'solve', str(FLAGSHIP)], args.repeats):.3f} s")
    print(f"negotiate solve flagship --json       {wall([NEGOTIATE, 'solve', str(FLAGSHIP), '--json'], args.repeats):.3f} s")
    draws = wall([NEGOTIATE, "solve", str(FLAGSHIP), "--draws", "2000", "--seed", "7"], args.repeats)
    print(f"negotiate solve flagship --draws 2000 {draws:.3f} s")

    from negotiate.game.montecarlo import monte_carlo
    from negotiate.game.posture import PostureGame
    from negotiate.scenario.schema import load_scenario

    game = PostureGame(load_scenario(FLAGSHIP))
    mc = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        monte_carlo(game, 2000, 7)
        mc.append(time.perf_counter() - t)
    print(f"monte_carlo(2000 draws) in process    {statistics.median(mc):.3f} s")

    print("\n== complete equilibrium sets of random nondegenerate games (standard-normal payoffs)")
    for size, count in ((5, 25), (8, 25), (10, 25), (12, 10)):
        pairs = games(count, size)
        ours = statistics.median(time_ours(pairs))
        gam = time_gambit(pairs)
        line = f"{size:>2}x{size:<2} ours {ours * 1e3:8.2f} ms"
        if gam:
            g = statistics.median(gam)
            line += f" | Gambit enummixed {g * 1e3:8.2f} ms (Gambit/ours {g / ours:6.1f}x)"
        print(line)

    if not args.quick:
        size, k_max, timeout = 10, 3, 300.0
        pairs = games(25, size)
        ours = statistics.median(time_ours(pairs[:k_max]))
        nash, slow = time_nashpy(25, size, k_max, timeout)
        med = statistics.median(nash)
        bound = " (lower bound: some hit the time limit)" if slow else ""
        print(f"10x10 nashpy vertex_enumeration, {k_max} games: median {med:.1f} s{bound}; "
              f"ours on the same games {ours * 1e3:.2f} ms; nashpy/ours {med / ours:,.0f}x")


if __name__ == "__main__":
    main()
