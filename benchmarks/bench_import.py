"""Speed and memory of `negotiate evidence import gdelt` on a 100,000-row GDELT 2.0 export.

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--repeats 5]

Writes a synthetic file in the published 61-column layout (random countries, codes and dates:
a load test, not data), then times the import in fresh processes and reads their peak memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "us-china-kl-2025.yaml"
COUNTRIES = ["USA", "CHN", "MEX", "JPN", "DEU", "GBR", "", "FRA"]
CODES = ["010", "020", "036", "042", "043", "057", "061", "0874", "100", "111", "130", "163", "172"]

RUN = """
import resource, sys, time
t = time.perf_counter()
from negotiate.evidence.importers import import_file
from negotiate.scenario.schema import load_scenario
r = import_file("gdelt", sys.argv[1], load_scenario(sys.argv[2]))
wall = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{wall} {peak} {r.read} {r.kept} {len(r.events)}")
"""


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(0)
    with open(path, "w") as f:
        for k in range(rows):
            row = [""] * 61
            day = f"2025{rng.randint(5, 10):02d}{rng.randint(1, 28):02d}"
            row[0], row[1] = str(k), day
            row[7], row[17] = rng.choice(COUNTRIES), rng.choice(COUNTRIES)
            row[6], row[16] = row[7] or "UNKNOWN", row[17] or "UNKNOWN"
            code = rng.choice(CODES)
            row[26], row[27], row[28], row[29], row[30] = code, code[:3], code[:2], "1", "2.5"
            row[59], row[60] = day + "000000", f"https://news.example/{k}"
            f.write("\t".join(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.export.CSV"
        write_file(path, args.rows)
        size = path.stat().st_size / 2**20
        walls, peaks = [], []
        for _ in range(args.repeats):
            out = subprocess.run([sys.executable, "-c", RUN, str(path), str(FLAGSHIP)], capture_output=True,
                                 text=True, check=True).stdout.split()
            walls.append(float(out[0]))
            peaks.append(float(out[1]))
            read, kept, events = out[2:]
    print(f"GDELT import of {args.rows:,} rows ({size:.1f} MiB): median {statistics.median(walls):.2f} s "
          f"(imports included), peak memory {max(peaks):.0f} MiB; read {read}, kept {kept}, events {events}")


if __name__ == "__main__":
    main()
