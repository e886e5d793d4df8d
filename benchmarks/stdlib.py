#!/usr/bin/env python3
"""Run shutdownlint over the installed interpreter's whole standard library.

    python benchmarks/stdlib.py [--jobs N] [--json PATH] [--stdlib DIR]

Reports files checked, wall time, peak memory (max RSS of the linter process)
and findings per rule, with every rule selected. It is a robustness check as
much as a benchmark: it exits 1 when the linter crashes (a traceback, exit
status 2) or reports any SDL999 internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stdlib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    files = sum(
        1
        for p in args.stdlib.rglob("*.py")
        if "site-packages" not in p.parts and "__pycache__" not in p.parts
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "findings.json"
        command = [
            sys.executable,
            "-m",
            "shutdownlint",
            "check",
            str(args.stdlib),
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

    per_code = Counter(f["code"] for f in findings)
    crashed = proc.returncode not in (0, 1) or "Traceback" in proc.stderr
    figures = {
        "python": sys.version.split()[0],
        "stdlib": str(args.stdlib),
        "files": files,
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(peak_mb),
        "jobs": args.jobs,
        "findings": dict(sorted(per_code.items())),
        "exit_status": proc.returncode,
        "cpus": os.cpu_count(),
    }
    print(f"stdlib {args.stdlib} (Python {figures['python']}): {files} files")
    print(f"time {elapsed:.1f} s with --jobs {args.jobs}, peak RSS {peak_mb:.0f} MB")
    for code, count in sorted(per_code.items()):
        print(f"  {code}: {count}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if crashed or per_code.get("SDL999"):
        print("FAILED: the linter crashed or reported internal errors", file=sys.stderr)
        print(proc.stderr[-4000:], file=sys.stderr)
        for f in findings:
            if f["code"] == "SDL999":
                print(f"  {f['filename']}:{f['location']['row']}: {f['message']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
