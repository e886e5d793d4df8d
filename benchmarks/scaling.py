#!/usr/bin/env python3
"""Is the cost linear? CPU time by file size and by number of files, and peak memory.

    python benchmarks/scaling.py [--sizes 10 20 40 80] [--fractions 0.25 0.5 1]

1. File size: one module of N copies of a concurrency-heavy unit (a class with a lock,
   a worker thread, a queue with an end sentinel, a stop method; a coroutine
   consumer; module functions that start and join), each copy with its own names, so
   nothing is shared between copies. Each file is checked alone (`--jobs 1`, every
   rule, no cache); the CPU seconds beyond a one-unit file's (the process's start-up,
   imports and warm-up) are divided by the lines added.
2. Number of files: the standard library without its tests (as `peers.py` picks it),
   in a fixed shuffled order; the first 25%, 50% and all of it, `--jobs 1`, every
   rule, no cache: CPU seconds per thousand lines, and the peak RSS of the process.

Linear cost shows as a flat column of per-line figures. Run it on a quiet machine:
CPU seconds are less sensitive to other load than wall time, not immune to it.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peers import find_tool, stdlib_files

UNIT = '''
class Station{i}:
    """Unit {i}: a worker thread draining a queue, guarded counters, a stop method."""

    def __init__(self, sink):
        self._sink = sink
        self._lock{i} = threading.Lock()
        self._jobs{i} = queue.Queue(maxsize=100)
        self._done{i} = 0
        self._worker{i} = threading.Thread(target=self._drain{i})
        self._worker{i}.start()

    def submit(self, job):
        with self._lock{i}:
            if self._done{i} < 0:
                raise RuntimeError("closed")
        self._jobs{i}.put(job, timeout=1.0)

    def _drain{i}(self):
        while True:
            job = self._jobs{i}.get()
            if job is None:
                return
            try:
                self._sink.write(job)
            finally:
                with self._lock{i}:
                    self._done{i} += 1

    def close(self):
        self._jobs{i}.put(None, timeout=1.0)
        self._worker{i}.join(timeout=5.0)


async def consume{i}(source, out):
    queue{i} = asyncio.Queue()
    task = asyncio.create_task(out.drain(queue{i}))
    try:
        async for item in source:
            await queue{i}.put(item)
    finally:
        await queue{i}.put(None)
        await task


def run{i}(jobs, sink):
    station = Station{i}(sink)
    try:
        for job in jobs:
            station.submit(job)
    finally:
        station.close()
'''
HEADER = "import asyncio\nimport queue\nimport threading\n"


def checked(paths: list[Path]) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, peak RSS in MB) of one `check --jobs 1` run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    tool = find_tool("shutdownlint", None)
    command = [tool] if tool else [sys.executable, "-P", "-m", "shutdownlint"]
    subprocess.run(
        [
            *command, "check", "--isolated", "--no-cache",
            "--jobs", "1", "--select", "SDL", "--exit-zero", "--quiet", *map(str, paths),
        ],
        stdout=subprocess.DEVNULL,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, after.ru_maxrss // 1024


def lines(paths: list[Path]) -> int:
    return sum(p.read_bytes().count(b"\n") for p in paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 40, 80])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print("file size (one file, --jobs 1, every rule; beyond one unit: the cost of the")
        print("lines added, without the process's start-up and imports):")
        print(f"{'units':>6} {'lines':>7} {'cpu s':>7} {'ms per 100 added lines':>23}")
        base = None
        for n in [1, *args.sizes]:
            path = Path(tmp) / f"stations_{n}.py"
            path.write_text(HEADER + "".join(UNIT.format(i=i) for i in range(n)))
            cpu, _, _ = checked([path])
            count = lines([path])
            if base is None:
                base = (cpu, count)
                print(f"{n:>6} {count:>7} {cpu:>7.2f} {'(start-up)':>23}")
                continue
            added = (cpu - base[0]) * 1e5 / (count - base[1])
            print(f"{n:>6} {count:>7} {cpu:>7.2f} {added:>23.2f}")
    root = Path(os.path.dirname(os.__file__))
    files = [root / p for p in stdlib_files(root, [], None)]
    random.Random(0).shuffle(files)
    print("\nnumber of files (standard library without tests, --jobs 1, every rule):")
    print(f"{'files':>6} {'lines':>8} {'cpu s':>7} {'s per 1000 lines':>17} {'peak MB':>8}")
    for fraction in args.fractions:
        part = files[: max(1, round(len(files) * fraction))]
        cpu, _, peak = checked(part)
        count = lines(part)
        print(f"{len(part):>6} {count:>8} {cpu:>7.1f} {cpu * 1000 / count:>17.3f} {peak:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
