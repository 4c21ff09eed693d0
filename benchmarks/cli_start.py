"""How long the `tracker` command takes to start: `tracker --help`, and `tracker parse`
of the founding directive (aim: under 0.5 s each), median and longest of --runs, wall
time of the whole process.

    .venv/bin/python benchmarks/cli_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / ".venv" / "bin" / "tracker"
COMMANDS = {
    "tracker --help": ["--help"],
    "tracker parse (1661/UBND-VX)": ["parse", "directives/lai-chau/1661-UBND-VX.txt"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'command':32} {'median s':>9} {'longest s':>10}")
    for name, arguments in COMMANDS.items():
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([str(TRACKER), *arguments], cwd=ROOT, check=True, capture_output=True)  # noqa: S603 (our own command)
            times.append(time.perf_counter() - started)
        print(f"{name:32} {statistics.median(times):9.2f} {max(times):10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
