"""Time and peak memory of the complete equilibrium enumeration on dense random games. Run by hand.

    .venv/bin/python benchmarks/bench_equilibria.py                 # 12..20 per side, 5 games each
    .venv/bin/python benchmarks/bench_equilibria.py --sizes 12 16 --games 3

Each game is solved in a subprocess of its own (``solve_bimatrix``, payoffs standard normal, seeded),
which reports its solve time and its peak resident memory, so one game's memory does not hide
another's. Figures are medians within this one run: compare like with like on a noisy machine.
The last lines time the Lemke-Howson fallback (from every label, incomplete) at sizes beyond the
enumeration's reach.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
import numpy as np
from negotiate.game.equilibria import solve_bimatrix
size, seed, max_bases = (int(a) for a in sys.argv[1:4])
rng = np.random.default_rng(seed)
A, B = rng.standard_normal((size, size)), rng.standard_normal((size, size))
kwargs = {"max_bases": max_bases} if max_bases >= 0 else {}
start = time.perf_counter()
res = solve_bimatrix(A, B, warn=False, **kwargs)
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "equilibria": len(res.equilibria), "complete": res.complete, "method": res.method,
                  "notes": res.notes, "kept": [len(res.kept_rows), len(res.kept_cols)]}))
"""


def solve_in_child(size: int, seed: int, max_bases: int = -1) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(size), str(seed), str(max_bases)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[12, 14, 16, 18, 20])
    parser.add_argument("--games", type=int, default=5, help="games per size (seeds 0..games-1)")
    parser.add_argument("--fallback-sizes", type=int, nargs="+", default=[20, 40])
    args = parser.parse_args()

    print(f"dense random games (standard-normal payoffs), {args.games} a size, one subprocess a game; medians")
    print(f"{'size':>7} {'time s':>8} {'max s':>8} {'peak RSS MB':>12} {'max MB':>8} {'equilibria':>11}  complete  after dominance")
    for size in args.sizes:
        runs = [solve_in_child(size, seed) for seed in range(args.games)]
        print(
            f"{size:>3}x{size:<3} {statistics.median(r['seconds'] for r in runs):>8.2f} "
            f"{max(r['seconds'] for r in runs):>8.2f} {statistics.median(r['rss_mb'] for r in runs):>12.0f} "
            f"{max(r['rss_mb'] for r in runs):>8.0f} {statistics.median(r['equilibria'] for r in runs):>11.0f}  "
            f"{sum(r['complete'] for r in runs)}/{len(runs)}       "
            + " ".join("x".join(map(str, r["kept"])) for r in runs),
            flush=True,
        )

    print("\nLemke-Howson from every label (the fallback beyond the size limit; forced by max_bases=0 below 62 labels)")
    print(f"{'size':>7} {'time s':>8} {'peak RSS MB':>12} {'equilibria':>11}  note")
    for size in args.fallback_sizes:
        runs = [solve_in_child(size, seed, max_bases=0) for seed in range(args.games)]
        print(
            f"{size:>3}x{size:<3} {statistics.median(r['seconds'] for r in runs):>8.2f} "
            f"{statistics.median(r['rss_mb'] for r in runs):>12.0f} "
            f"{statistics.median(r['equilibria'] for r in runs):>11.0f}  {runs[0]['notes'][0]}",
            flush=True,
        )


if __name__ == "__main__":
    main()
