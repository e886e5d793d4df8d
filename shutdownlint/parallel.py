"""Files are independent units of work: run them on several processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from shutdownlint.config import Settings
from shutdownlint.engine import MANAGER, FileResult, check_path

# Built once in the parent so that forked workers share them instead of each
# rebuilding the standard library's concurrency modules.
_WARM_MODULES = ("threading", "queue", "asyncio", "concurrent.futures", "multiprocessing", "socket")


def _warm() -> None:
    for name in _WARM_MODULES:
        try:
            MANAGER.ast_from_module_name(name)
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            continue


def check_paths(
    paths: list[Path], settings: Settings, jobs: int, debug: bool = False
) -> Iterator[FileResult]:
    """Results in the order of `paths`."""
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            yield check_path(path, settings, debug)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    if "fork" in methods:
        _warm()
    worker = partial(check_path, settings=settings, debug=debug)
    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context) as pool:
        yield from pool.map(worker, paths, chunksize=max(1, min(8, len(paths) // (jobs * 4))))
