#!/usr/bin/env python3
"""Run shutdownlint over a Python standard library: crashes, time, memory, slow files.

    python benchmarks/stdlib.py [--jobs N] [--json PATH] [--python PY] [--stdlib DIR]

Two passes, both with every rule selected:

1. the console script over the whole tree (as CI runs it): files, wall time, peak
   memory (max RSS of the linter's processes) and findings per rule;
2. every file through the engine alone, timed one by one (CPU seconds of its worker,
   so that other load on the machine does not count, less any full garbage
   collection that happened to run meanwhile): the slowest files, and every file
   slower than `--slow` seconds (2 by default) named as a bug.

It is a robustness check as much as a benchmark: it exits 1 when the linter crashes
(a traceback, exit status 2), reports an SDL999 internal error, lets an exception
escape the engine, or takes longer than `--slow` on one file.

`--python` runs the linter installed for another interpreter (a virtualenv's
python with shutdownlint installed), over that interpreter's standard library
unless `--stdlib` says otherwise; this is how every tree on a machine is covered:

    for py in ~/.venvs/sdl-3.1*/bin/python; do python benchmarks/stdlib.py --python $py; done
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# Pass 2, run by the linter's interpreter (`python -c`, from an empty folder: nothing
# of the analysed tree can be imported). One JSON line per file.
TIMED = r"""
import gc, json, sys, time, traceback
from multiprocessing import get_context
from pathlib import Path
from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_path
from shutdownlint.analysis import astroid_env
from shutdownlint.files import discover
from shutdownlint.parallel import _WARM_MODULES
from shutdownlint.rules import ALL_RULES

root, jobs = Path(sys.argv[1]), int(sys.argv[2])
SETTINGS = build_settings([root], isolated=True, overrides=Overrides(select=["SDL"]))

# A full collection of a worker's heap (the standard library astroid keeps cached:
# millions of objects) lands on whichever file is running: counted apart.
FULL_GC = {"seconds": 0.0, "start": None}

def on_gc(phase, info):
    if info["generation"] == 2:
        if phase == "start":
            FULL_GC["start"] = time.process_time()
        elif FULL_GC["start"] is not None:
            FULL_GC["seconds"] += time.process_time() - FULL_GC["start"]
            FULL_GC["start"] = None

gc.callbacks.append(on_gc)

def one(path):
    # CPU time of the worker process (the check runs on a thread of its own): other
    # load on the machine does not count against a file.
    start, wall, gc_before = time.process_time(), time.perf_counter(), FULL_GC["seconds"]
    try:
        result = check_path(Path(path), SETTINGS, ALL_RULES)
        codes, error = [f.code for f in result.findings], None
        messages = [f.message for f in result.findings if f.code in ("SDL900", "SDL999")]
        gave_up = result.stats.get("gave_up", 0)
    except BaseException:
        codes, error, messages, gave_up = [], traceback.format_exc(), [], 0
    full_gc = FULL_GC["seconds"] - gc_before
    cpu = time.process_time() - start - full_gc
    return [path, cpu, codes, messages, gave_up, error, time.perf_counter() - wall, full_gc]

if __name__ == "__main__":
    # As the linter's own pool does: the standard library's concurrency modules are
    # built once, before forking, so that no file pays for building them.
    astroid_env.warm(_WARM_MODULES)
    files = [str(p) for p in discover([root], SETTINGS)]
    with get_context("fork").Pool(jobs) as pool:
        for row in pool.imap_unordered(one, files, chunksize=2):
            print(json.dumps(row), flush=True)
"""


def linter_command(python: str) -> list[str]:
    """The console script beside `python`, else `python -P -m shutdownlint`. Never plain
    `python -m`: it imports from the working directory before shutdownlint runs."""
    script = Path(python).with_name("shutdownlint")
    return [str(script)] if script.exists() else [python, "-P", "-m", "shutdownlint"]


def interpreter_facts(python: str) -> tuple[str, Path]:
    code = (
        "import sys, sysconfig\n"
        "print(sys.version.split()[0])\nprint(sysconfig.get_paths()['stdlib'])"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    version, stdlib = out.stdout.split("\n")[:2]
    return version, Path(stdlib)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the linter's interpreter")
    parser.add_argument("--stdlib", type=Path, help="default: that interpreter's stdlib")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds; slower is a bug")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    version, default_stdlib = interpreter_facts(args.python)
    stdlib = (args.stdlib or default_stdlib).resolve()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "findings.json"
        command = [
            *linter_command(args.python),
            "check",
            str(stdlib),
            "--isolated",
            "--select",
            "SDL",
            "--no-cache",
            "--exit-zero",
            "--format",
            "json",
            "--output-file",
            str(out),
            "--jobs",
            str(args.jobs),
        ]
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, cwd=tmp)
        elapsed = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        findings = json.loads(out.read_text()) if out.exists() else []

        timed_start = time.perf_counter()
        timed = subprocess.run(
            [args.python, "-c", TIMED, str(stdlib), str(args.jobs)],
            capture_output=True,
            text=True,
            cwd=tmp,
        )
        timed_elapsed = time.perf_counter() - timed_start
    per_file = [json.loads(line) for line in timed.stdout.splitlines() if line.startswith("[")]
    per_file.sort(key=lambda row: -row[1])
    escaped = [row for row in per_file if row[5]]
    slow = [row for row in per_file if row[1] > args.slow]

    per_code = Counter(f["code"] for f in findings)
    crashed = proc.returncode not in (0, 1) or "Traceback" in proc.stderr
    figures = {
        "python": version,
        "stdlib": str(stdlib),
        "files": len(per_file),
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(peak_mb),
        "jobs": args.jobs,
        "findings": dict(sorted(per_code.items())),
        "exit_status": proc.returncode,
        "cpus": os.cpu_count(),
        "timed_pass_seconds": round(timed_elapsed, 1),
        "gave_up_nodes": sum(row[4] for row in per_file),
        "slowest": [[row[0], round(row[1], 2)] for row in per_file[:5]],
        "slower_than_limit": [[row[0], round(row[1], 2)] for row in slow],
        "exceptions": len(escaped),
        "full_gc_seconds": round(sum(row[7] for row in per_file), 1),
        "worst_full_gc": max((round(row[7], 2) for row in per_file), default=0),
    }
    print(f"stdlib {stdlib} (Python {version}): {len(per_file)} files")
    print(f"time {elapsed:.1f} s with --jobs {args.jobs}, peak RSS {peak_mb:.0f} MB")
    for code, count in sorted(per_code.items()):
        print(f"  {code}: {count}")
    print(f"nodes where analysis gave up: {figures['gave_up_nodes']}")
    print(
        f"full garbage collections: {figures['full_gc_seconds']} CPU s in all, "
        f"at most {figures['worst_full_gc']} s during one file (not counted against it)"
    )
    print("slowest files (engine alone, CPU seconds):")
    for path, seconds in figures["slowest"]:
        print(f"  {seconds:6.2f} s  {path}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    failed = False
    if crashed or per_code.get("SDL999") or timed.returncode != 0 or escaped:
        failed = True
        print("FAILED: the linter crashed or reported internal errors", file=sys.stderr)
        print(proc.stderr[-4000:], file=sys.stderr)
        print(timed.stderr[-4000:], file=sys.stderr)
        for f in findings:
            if f["code"] == "SDL999":
                print(f"  {f['filename']}:{f['location']['row']}: {f['message']}", file=sys.stderr)
        for row in escaped:
            print(f"  {row[0]}: exception escaped the engine:\n{row[5]}", file=sys.stderr)
    if slow:
        failed = True
        print(f"BUG: {len(slow)} files slower than {args.slow} s:", file=sys.stderr)
        for path, seconds in figures["slower_than_limit"]:
            print(f"  {seconds:6.2f} s  {path}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
