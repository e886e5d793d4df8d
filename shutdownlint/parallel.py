"""Files are independent units of work: run them on several processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any

from shutdownlint.analysis import astroid_env
from shutdownlint.config import Settings
from shutdownlint.engine import check_path, worker_died
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
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context) as pool:
            chunksize = max(1, min(8, len(paths) // (jobs * 4)))
            for result in pool.map(worker, paths, chunksize=chunksize):
                done += 1
                yield result
    except BrokenProcessPool:
        # A worker died (killed for its memory, a crash in C code): every file not yet
        # done is checked again in a process of its own, so that only a file that kills
        # its process is lost, as SDL999 for that file; the run goes on.
        for path in paths[done:]:
            yield _alone(worker, path, context)


def _alone(worker: Callable[[Path], FileResult], path: Path, context: Any) -> FileResult:
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(worker, path).result()
    except BrokenProcessPool:
        return worker_died(path)
