#!/usr/bin/env python3
"""Time shutdownlint against pylint and ruff in one run, on the same files.

    python benchmarks/peers.py [--repeats 3] [--only asyncio --only json] [--limit N]
                               [--changed asyncio/base_events.py] [--json PATH]

The files: a Python standard library (`--stdlib`, by default the one of the
interpreter running this script) without its tests (`test/`, `idlelib/idle_test/`,
`lib2to3/tests/`, every `tests/` folder) and `site-packages`, copied into a
temporary folder (so that a file can be changed and no configuration of ours is
found); `--only DIR` keeps the files under DIR (repeatable), `--limit N` the first N.
Every tool gets the same list of files, its output thrown away; exit codes are
ignored (they all find something). Each measurement is repeated `--repeats` times,
the tools taking turns, and the median is reported, in wall-clock seconds and in CPU
seconds of the tool's processes (less sensitive to other load on the machine).

- `shutdownlint cold`: `shutdownlint check --isolated --no-cache FILES` (default
  rules, all cores on a large run);
- `shutdownlint warm`: the same with a filled cache (`--cache-dir`, filled by one
  untimed run first): every result comes from the cache;
- `shutdownlint changed`: one file (`--changed`, `asyncio/base_events.py` by
  default) changed by a comment in an otherwise warm tree: the time to re-check;
  the number of files checked again is shown (modules whose analysis consulted the
  changed file are checked again too);
- `ruff cold`: `ruff check --isolated --no-cache FILES`: ruff's default rules, as
  the issue's 0.35 s was measured (`--ruff-select ALL` turns every rule on; on the
  standard library that prints 1.9 million lines, and the run measures the writing
  of them: 4.6-5.9 s against 0.9-1.3 s for the defaults, on 2 busy cores);
- `pylint`: `pylint -j CORES FILES`, default checkers, no configuration file
  (`--pylint PATH`, else `pylint` on PATH, else installed with pip into a virtualenv
  under `/tmp/shutdownlint-peers/`, never into this project's environment).

It prints the medians and the ratios the performance issue sets targets for:
pylint / shutdownlint cold (target >= 10), shutdownlint warm / ruff cold (target
<= 0.5), and the changed-file time (target < 1 s). `--json PATH` writes the figures.
The tools run with `PYTHONDONTWRITEBYTECODE` unset, as installed tools run (with
their bytecode cached). Run it on a quiet machine: on shared cores the absolute
figures are noise.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

EXCLUDED_DIRS = {"test", "tests", "idle_test", "site-packages", "__pycache__"}
PEERS_HOME = Path(tempfile.gettempdir()) / "shutdownlint-peers"
# The tools run as installed tools do, with their bytecode cached, whatever this
# shell says (an installed package has its .pyc files; an editable one writes them).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def stdlib_files(root: Path, only: list[str], limit: int | None) -> list[Path]:
    """The library's .py files (relative to `root`) without tests and site-packages."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                found.append(Path(folder, name).relative_to(root))
    if only:
        found = [
            p for p in found if any(p.parts[: len(Path(o).parts)] == Path(o).parts for o in only)
        ]
    return found[:limit] if limit else found


def copy_tree(root: Path, files: list[Path], target: Path) -> None:
    for relative in files:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, target / relative)


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command's processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def find_tool(name: str, given: str | None) -> str | None:
    if given:
        return given
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def installed_pylint() -> str:
    """pylint from a virtualenv of its own under /tmp, made on first use."""
    venv = PEERS_HOME / "pylint-venv"
    pylint = venv / "bin" / "pylint"
    if not pylint.exists():
        print(f"installing pylint into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pylint"], check=True)
    return str(pylint)


def version(command: list[str]) -> str:
    run = subprocess.run([*command, "--version"], capture_output=True, text=True)
    return run.stdout.strip().splitlines()[0] if run.stdout.strip() else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stdlib", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--only", action="append", default=[], help="keep files under DIR")
    parser.add_argument("--limit", type=int, help="keep the first N files")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="pylint -j")
    parser.add_argument("--changed", default="asyncio/base_events.py")
    parser.add_argument("--ruff-select", choices=["ALL", "default"], default="default")
    parser.add_argument("--skip", action="append", default=[], help="pylint, ruff, changed")
    parser.add_argument("--pylint", help="the pylint executable")
    parser.add_argument("--ruff", help="the ruff executable")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    files = stdlib_files(args.stdlib, args.only, args.limit)
    if not files:
        parser.error("no files selected")
    names = [str(p) for p in files]
    lines = sum(len((args.stdlib / p).read_bytes().splitlines()) for p in files)
    sdl = find_tool("shutdownlint", None)
    shutdownlint = [sdl] if sdl else [sys.executable, "-P", "-m", "shutdownlint"]
    commands: dict[str, list[str]] = {}
    work = Path(tempfile.mkdtemp(prefix="peers-", dir=PEERS_HOME if PEERS_HOME.is_dir() else None))
    tree, cache = work / "tree", work / "cache"
    copy_tree(args.stdlib, files, tree)
    commands["shutdownlint cold"] = [*shutdownlint, "check", "--isolated", "--no-cache", *names]
    warm = [*shutdownlint, "check", "--isolated", "--cache-dir", str(cache), *names]
    commands["shutdownlint warm"] = warm
    if "ruff" not in args.skip:
        ruff = find_tool("ruff", args.ruff)
        if ruff is None:
            parser.error("ruff not found: pass --ruff PATH or --skip ruff")
        select = ["--select", "ALL"] if args.ruff_select == "ALL" else []
        commands["ruff cold"] = [ruff, "check", "--isolated", *select, "--no-cache", *names]
    if "pylint" not in args.skip:
        pylint = find_tool("pylint", args.pylint) or installed_pylint()
        commands["pylint"] = [pylint, "-j", str(args.jobs), *names]
    changed = tree / args.changed
    if "changed" not in args.skip and args.changed in names:
        commands["shutdownlint changed"] = warm

    print(f"{len(files)} files, {lines} lines from {args.stdlib}; copied to {tree}")
    print(f"{os.cpu_count()} cores; {args.repeats} repeats; medians")
    executables = {"shutdownlint": shutdownlint}
    executables.update({name.split()[0]: commands[name][:1] for name in commands})
    for executable in executables.values():
        print(f"  {version(executable)}")
    subprocess.run(warm, cwd=tree, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    rechecked: list[int] = []

    def change_one() -> None:
        with changed.open("a", encoding="utf-8") as f:
            f.write(f"# edited {time.time_ns()}\n")

    def count_rewritten(since: float) -> None:
        rechecked.append(sum(1 for e in cache.rglob("*.json") if e.stat().st_mtime >= since))

    before: dict[str, Callable[[], None]] = {"shutdownlint changed": change_one}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeats):
        for name, command in commands.items():
            if name in before:
                before[name]()
            since = time.time() - 0.01
            samples[name].append(timed(command, tree))
            if name == "shutdownlint changed":
                count_rewritten(since)

    medians = {
        name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for name, s in samples.items()
    }
    print(f"\n{'':24}{'wall s':>9}{'cpu s':>9}   runs (wall)")
    for name, (wall, cpu) in medians.items():
        runs = " ".join(f"{w:.2f}" for w, _ in samples[name])
        print(f"{name:24}{wall:>9.2f}{cpu:>9.2f}   {runs}")
    if rechecked:
        print(f"  ('changed': {args.changed}; files checked again: {sorted(set(rechecked))})")
    ratios = {}
    if "pylint" in medians:
        ratios["pylint / shutdownlint cold (target >= 10)"] = (
            medians["pylint"][0] / medians["shutdownlint cold"][0]
        )
    if "ruff cold" in medians:
        ratios["shutdownlint warm / ruff cold (target <= 0.5)"] = (
            medians["shutdownlint warm"][0] / medians["ruff cold"][0]
        )
    print()
    for label, value in ratios.items():
        print(f"{label:48} {value:6.2f}")
    if "shutdownlint changed" in medians:
        print(
            f"{'one changed file in a warm tree (target < 1 s)':48} "
            f"{medians['shutdownlint changed'][0]:6.2f} s"
        )
    print("\ncommands (FILES = the list above, run from the copied tree):")
    for name, command in commands.items():
        shown = [c for c in command if c not in names]
        print(f"  {name}: {' '.join(shown)} FILES")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "files": len(files),
                    "lines": lines,
                    "cores": os.cpu_count(),
                    "repeats": args.repeats,
                    "samples": samples,
                    "medians": medians,
                    "ratios": ratios,
                    "rechecked": rechecked,
                    "commands": {
                        n: [c for c in cmd if c not in names] for n, cmd in commands.items()
                    },
                },
                indent=2,
            )
            + "\n"
        )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
