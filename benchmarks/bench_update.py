"""Speed of `negotiate update` on the flagship: with a stored fit, and with --refit. Run by hand.

    .venv/bin/python benchmarks/bench_update.py [--repeats 11] [--refits 3]

Uses a fresh fit cache in a temporary directory; the first --refit also fills PyTensor's compile
cache if it is cold (reported separately).
"""

from __future__ import annotations

import argparse
import json
import os
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


def run(args: list[str], env: dict) -> tuple[float, dict]:
    t = time.perf_counter()
    out = subprocess.run([NEGOTIATE, "update", str(FLAGSHIP), "--json", "--no-record"] + args, env=env, check=True,
                         capture_output=True, text=True).stdout
    return time.perf_counter() - t, json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--refits", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as store:
        env = {**os.environ, "NEGOTIATE_FITS": store}
        first, d = run(["--refit"], env)
        refits = [first] + [run(["--refit"], env)[0] for _ in range(args.refits - 1)]
        stored = [run([], env)[0] for _ in range(args.repeats)]
    diag = d["diagnostics"]
    print(f"update --refit (whole process, {args.refits} runs): first {first:.1f} s, median "
          f"{statistics.median(refits):.1f} s; sampling+compile inside {d['fit']['seconds']:.1f} s")
    print(f"  fit: {d['fit']['draws']} draws on {d['fit']['episodes']} episodes; max R-hat {diag['max_rhat']:.3f}, "
          f"min bulk ESS {diag['min_ess_bulk']:.0f}, divergences {diag['divergences']}")
    print(f"update with the stored fit (median of {args.repeats}): {statistics.median(stored):.3f} s")
    print(f"ratio stored / refit: {statistics.median(stored) / statistics.median(refits):.3f} "
          f"(refit takes {statistics.median(refits) / statistics.median(stored):.0f}x as long)")
    print(f"model {d['model']}: P(deal) {d['p_model']:.3f} from the model alone "
          f"(posterior 5-95% {d['interval'][0]:.3f} to {d['interval'][1]:.3f}); with the scenario's prior {d['p_with_prior']}")


if __name__ == "__main__":
    main()
