"""Files are independent units of work: run them on several processes."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from functools import partial
from pathlib import Path
from typing import Any

from shutdownlint import fixes, profile
from shutdownlint.analysis import astroid_env
from shutdownlint.config import Settings
from shutdownlint.engine import check_path, worker_died
from shutdownlint.findings import FileResult
from shutdownlint.rules.base import Rule

# Built once in the parent so that forked workers share them instead of each
# rebuilding the standard library's concurrency modules.
_WARM_MODULES = ("threading", "queue", "asyncio", "concurrent.futures", "multiprocessing", "socket")
# A check allocates hundreds of thousands of short-lived nodes: with the default first
# threshold (700) the collector runs thousands of times per file and walks the young
# trees each time (a third of the run on the standard library). 70 times fewer passes
# change little in peak memory, since a file's trees are freed when it is done: on the
# standard library at --jobs 2, 10,000 spent 2.3 s of CPU in 408 passes, 50,000 1.0 s
# in 60 (peak RSS 279 -> 311 MB); 100,000 saved no more, nor did a larger third value.
_GC_THRESHOLD = (50_000, 50, 50)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The run's collector settings, restored after it: the threshold, and the objects
    frozen for the forked workers (unless something else froze objects before the run,
    as the language server does: unfreezing would thaw those too)."""
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    gc.set_threshold(*_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen:
            gc.unfreeze()


def check_paths(
    paths: list[Path],
    settings: Settings,
    rules: Sequence[type[Rule]],
    jobs: int,
    debug: bool = False,
    timing: profile.Profile | None = None,
) -> Iterator[FileResult]:
    """Results in the order of `paths`. With `timing` (`--profile`), each file's check
    is profiled, in the process that checks it, and added to `timing`."""
    with _fewer_collections():
        yield from _check_paths(paths, settings, rules, jobs, debug, timing)


def _check_paths(
    paths: list[Path],
    settings: Settings,
    rules: Sequence[type[Rule]],
    jobs: int,
    debug: bool,
    timing: profile.Profile | None,
) -> Iterator[FileResult]:
    if jobs <= 1 or len(paths) < 2:
        for path in paths:
            if timing is None:
                yield check_path(path, settings, rules, debug)
                continue
            with profile.activated(timing), timing.file(path):
                result = check_path(path, settings, rules, debug)
            yield result
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    if "fork" in methods:
        with nullcontext() if timing is None else timing.section("warm-up"):
            astroid_env.warm(_WARM_MODULES)
            fixes.preload()
            # The warmed trees live as long as the run: out of the collector's reach, and
            # shared with the forked workers instead of copied when a pass touches them.
            gc.collect()
            gc.freeze()
    worker = partial(
        check_path if timing is None else _profiled_check,
        settings=settings,
        rules=tuple(rules),
        debug=debug,
    )
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(paths)), mp_context=context) as pool:
            chunksize = max(1, min(8, len(paths) // (jobs * 4)))
            for result in pool.map(worker, paths, chunksize=chunksize):
                done += 1
                yield _received(result, timing)
    except BrokenProcessPool:
        # A worker died (killed for its memory, a crash in C code): every file not yet
        # done is checked again in a process of its own, so that only a file that kills
        # its process is lost, as SDL999 for that file; the run goes on.
        for path in paths[done:]:
            yield _received(_alone(worker, path, context), timing)


def _profiled_check(
    path: Path, settings: Settings, rules: Sequence[type[Rule]], debug: bool
) -> tuple[FileResult, tuple]:
    """`check_path` in a worker process under `--profile`: the result and its figures."""
    timing = profile.Profile()
    with profile.activated(timing), timing.file(path):
        result = check_path(path, settings, rules, debug)
    return result, timing.data()


def _received(
    result: FileResult | tuple[FileResult, tuple], timing: profile.Profile | None
) -> FileResult:
    """A worker's result; under `--profile`, its figures are added to `timing`."""
    if isinstance(result, tuple):
        result, data = result
        if timing is not None:
            timing.merge(data)
    return result


def _alone(worker: Callable[[Path], Any], path: Path, context: Any) -> Any:
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            return pool.submit(worker, path).result()
    except BrokenProcessPool:
        return worker_died(path)
