#!/usr/bin/env python3
"""Two versions of the language server's check, side by side in one process.

    python benchmarks/lsp_ab.py BASE [--file PATH] [--checks N] [--edit code|comment]

BASE is another checkout of the repository (for instance `git worktree add /tmp/base
HEAD~1`); the other version is the one this script is run from. Both are imported into
this process, each warmed up as the server warms up (`lsp._warm_up`), and each checks
the same alternating versions of FILE (default: the standard library's
asyncio/base_events.py) through `incremental.check_text` with its previous analysis,
as `ShutdownlintServer._check` does; the two versions take turns check by check. On a
machine shared with other work the load changes from minute to minute, so two runs
made one after the other differ by more than a 5% change: taking turns, both see the
same load, and the paired difference (this version's CPU time minus BASE's, check by
check) is the figure to read. Prints each version's CPU time per check and the paired
difference, and fails if their findings differ.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from lsp_latency import DEFAULT_FILE
from lsp_profile import versions

HERE = Path(__file__).resolve().parents[1]


def _is_ours(name: str) -> bool:
    return name == "shutdownlint" or name.startswith("shutdownlint.")


def _load(root: Path) -> dict[str, ModuleType]:
    """Every module of the package imported from `root` (the server's modules)."""
    for name in [n for n in sys.modules if _is_ours(n)]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        import shutdownlint.config
        import shutdownlint.incremental
        import shutdownlint.lsp  # noqa: F401 - loaded for its warm-up
    finally:
        sys.path.remove(str(root))
    return {n: m for n, m in sys.modules.items() if _is_ours(n)}


def _use(modules: dict[str, ModuleType]) -> None:
    """Make `modules` the package's (a function-level import then finds its own)."""
    for name in [n for n in sys.modules if _is_ours(n)]:
        del sys.modules[name]
    sys.modules.update(modules)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--checks", type=int, default=20)
    parser.add_argument("--edit", choices=("code", "comment"), default="code")
    args = parser.parse_args(argv)
    sides = {"base": _load(args.base.resolve()), "this": _load(HERE)}
    if sides["base"]["shutdownlint"].__file__ == sides["this"]["shutdownlint"].__file__:
        parser.error(f"{args.base} is this checkout")
    texts = versions(args.file.read_text(encoding="utf-8").rstrip("\n") + "\n", args.edit)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        (workspace / "pyproject.toml").write_text('[tool.shutdownlint]\nselect = ["SDL"]\n')
        path = workspace / args.file.name
        path.write_text(texts[0], encoding="utf-8")
        previous: dict[str, object] = {}
        for side, modules in sides.items():
            _use(modules)
            modules["shutdownlint.lsp"]._warm_up()
            for text in texts:  # opened and edited once: warm
                previous[side] = _check(modules, text, path, previous.get(side))[0]
        cpu: dict[str, list[float]] = {side: [] for side in sides}
        for i in range(args.checks):
            order = list(sides) if i % 2 else list(reversed(sides))
            found = {}
            for side in order:
                modules = sides[side]
                _use(modules)
                started = time.process_time()
                previous[side], findings = _check(modules, texts[i % 2], path, previous[side])
                cpu[side].append((time.process_time() - started) * 1000)
                found[side] = findings
                modules["shutdownlint.lsp"]._after_check(previous[side])  # off the clock
            if found["base"] != found["this"]:
                print(f"findings differ at check {i + 1}: {found}", file=sys.stderr)
                return 1
    for side, times in cpu.items():
        ordered = sorted(times)
        print(
            f"{side}: CPU per check median {statistics.median(ordered):.1f} ms, "
            f"p90 {ordered[int(len(ordered) * 0.9)]:.1f} ms, min {ordered[0]:.1f} ms"
        )
    paired = [b - a for a, b in zip(cpu["base"], cpu["this"], strict=True)]
    print(
        f"this - base, check by check: median {statistics.median(paired):+.1f} ms, "
        f"mean {statistics.mean(paired):+.1f} ms ({args.checks} {args.edit} edits each)"
    )
    return 0


def _check(modules: dict[str, ModuleType], text: str, path: Path, previous):
    settings = modules["shutdownlint.config"].build_settings([path])
    outcome = modules["shutdownlint.incremental"].check_text(text, path, settings, previous)
    findings = [
        (f.code, f.location.row, f.location.column, f.message) for f in outcome.run.findings
    ]
    return outcome.analysed, findings


if __name__ == "__main__":
    sys.exit(main())
