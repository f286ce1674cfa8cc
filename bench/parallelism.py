"""What a second process gets from this machine: the ceiling ``--workers 2`` is measured
against.

A fixed CPU-bound Python loop (dicts, strings and integers, as the core's work is) runs
in one process, then in two at once; the speed-up is ``2 * one / two`` by the clock. On
two real cores it is about 2.0; where the two virtual CPUs share a physical core (SMT
siblings) or the host is oversubscribed it is well below, and no worker pool can beat it.

    .venv/bin/python bench/parallelism.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

LOOP = """
d = {}
total = 0
for i in range(1_500_000):
    k = "col" + str(i % 512)
    d[k] = d.get(k, 0) + i
    total += len(k) * (i & 7)
"""


def _run(processes: int) -> float:
    """Wall seconds for ``processes`` copies of the loop started together."""
    started = time.perf_counter()
    children = [subprocess.Popen([sys.executable, "-c", LOOP]) for _ in range(processes)]
    for child in children:
        if child.wait() != 0:
            raise RuntimeError("the loop failed")
    return time.perf_counter() - started


def machine_speedup(rounds: int = 3) -> tuple[float, float, float]:
    """(one process's wall, two processes' wall, speed-up), medians of ``rounds``."""
    ones, twos = [], []
    for _ in range(rounds):
        ones.append(_run(1))
        twos.append(_run(2))
    one, two = statistics.median(ones), statistics.median(twos)
    return one, two, 2 * one / two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    one, two, speedup = machine_speedup(args.rounds)
    print(f"one process {one:.2f} s; two at once {two:.2f} s; two processes / one: {speedup:.2f}x")


if __name__ == "__main__":
    main()
