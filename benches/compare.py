#!/usr/bin/env python3
"""Times shell commands in alternation, so that a slow spell of the machine
weighs on all of them alike, and prints the median, mean and spread of each.

  compare.py RUNS COMMAND [COMMAND ...]
"""
import statistics
import subprocess
import sys
import time


def run(command: str) -> float:
    start = time.perf_counter()
    subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1])
    commands = sys.argv[2:]
    for command in commands:  # warm the file cache
        run(command)
    times = {command: [] for command in commands}
    for i in range(runs):
        order = commands if i % 2 == 0 else commands[::-1]
        for command in order:
            times[command].append(run(command) * 1000)
    for command, values in times.items():
        values.sort()
        print(
            f"médiane {statistics.median(values):8.1f} ms  moyenne {statistics.mean(values):8.1f} ms"
            f"  ± {statistics.stdev(values):6.1f}  min {values[0]:8.1f}  ({runs} exécutions)  {command}"
        )


if __name__ == "__main__":
    main()
