#!/usr/bin/env python3
"""Runs a `ctg build --timings` command several times and prints the median of
each stage, of their total, and the share of the stages named on the command
line (the Word documents, say) in that total.

  stages.py RUNS "STAGE[,STAGE…]" COMMAND
"""
import re
import statistics
import subprocess
import sys

LINE = re.compile(r"^(.*\S)\s+([0-9.]+) ms$")


def stages(command: str) -> dict:
    done = subprocess.run(command, shell=True, check=True, capture_output=True, text=True)
    out = {}
    for line in done.stderr.splitlines():
        match = LINE.match(line)
        if match:
            out[match.group(1)] = float(match.group(2))
    return out


def main() -> None:
    runs = int(sys.argv[1])
    named = sys.argv[2].split(",")
    command = sys.argv[3]
    stages(command)  # warm the file cache
    laps = [stages(command) for _ in range(runs)]
    names = list(laps[0])
    for name in names:
        values = [lap.get(name, 0.0) for lap in laps]
        print(f"{name:32} médiane {statistics.median(values):7.1f} ms  min {min(values):7.1f}")
    totals = [sum(lap.values()) for lap in laps]
    parts = [sum(lap.get(n, 0.0) for n in named) for lap in laps]
    shares = [100 * p / (t - p) for p, t in zip(parts, totals)]
    print(f"{'total':32} médiane {statistics.median(totals):7.1f} ms  ({runs} exécutions)")
    print(
        f"{' + '.join(named)} : médiane {statistics.median(parts):.1f} ms, "
        f"soit {statistics.median(shares):.1f} % de plus que les autres étapes"
    )


if __name__ == "__main__":
    main()
