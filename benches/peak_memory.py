#!/usr/bin/env python3
"""Runs a command and prints its wall time and the peak of the resident memory of
all its processes together (a batch build runs worker processes: GNU time would
report the largest one only). Sampled every 10 ms from /proc (Linux).

  peak_memory.py COMMAND [ARG ...]
"""
import os
import subprocess
import sys
import time


def children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    start = time.perf_counter()
    process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        tree, todo = [], [process.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += children(pid)
        peak = max(peak, sum(rss_kib(pid) for pid in tree))
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    status = "" if process.returncode == 0 else f", code de sortie {process.returncode}"
    print(f"{elapsed:.2f} s, pic mémoire (tous processus) {peak / 1024:.0f} Mio{status}")


if __name__ == "__main__":
    main()
