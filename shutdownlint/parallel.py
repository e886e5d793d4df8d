"""Files are independent units of work: run them on several processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from shutdownlint.analysis import astroid_env
from shutdownlint.config import Settings
from shutdownlint.engine import check_path
from shutdownlint.findings import FileResult
from shutdownlint.rules.base import Rule

# Built once in the parent so that forked workers share them instead of each
# rebuilding the standard library's concurrency modules.
_WARM_MODULES = ("threading", "queue", "asyncio", "concurrent.futures", "multiprocessing", "socket")


def check_paths(
    paths: list[Path],
    settings: Settings,
    rules: Sequence[type[Rule]],
    jobs: int,
    debug: bool = False,
) -> Iterator[FileResult]:
    """Results in the order of `paths`."""
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            yield check_path(path, settings, rules, debug)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    if "fork" in methods:
        astroid_env.warm(_WARM_MODULES)
    worker = partial(check_path, settings=settings, rules=tuple(rules), debug=debug)
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context) as pool:
        yield from pool.map(worker, paths, chunksize=max(1, min(8, len(paths) // (jobs * 4))))
