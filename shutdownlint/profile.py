"""`check --profile`: where the time of a run goes.

A `Profile` adds up seconds per phase: reading a file, decoding it, the cheap look
that decides whether it needs deep analysis, the syntax check of the files that do
not, parsing (the astroid build of the file, and apart from it the builds of the
modules it imports), each fact provider of `ModuleFacts` (its first computation and
the calls made to its public methods), each rule, turning reports into findings,
noqa, the cache's reads and writes, and the garbage collector's pauses. Time
(wall-clock) is counted once, in the innermost phase: a rule's time is what the rule
itself spent, the facts it asked for count under their provider (astroid's inference
included), and a provider that asks another is charged only for its own part. Per
file, the total and its phases are kept for the slowest files. A worker process
profiles the files it checks and sends the figures back with each result; the parent
adds them up.

Nothing here is active unless `--profile` is given: the engine asks `section(name)`,
which is a shared do-nothing context manager when no profile is active, and only
wraps the fact providers and rule visitors when one is.
"""

from __future__ import annotations

import functools
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import cached_property
from typing import Any

_clock = time.perf_counter
_GC = "garbage collection"
_NULL = nullcontext()

# The phases of a file's check in the order they happen, then those of the run; the
# fact providers (`facts.<name>`) and rules (`rule <CODE>`) are listed after them.
FILE_PHASES = (
    "read",
    "decode",
    "cheap look",
    "syntax check",
    "parse",
    "parse (imported modules)",
    "findings",
    "noqa",
    _GC,
)
# "import analysis": the engine, the rules, astroid and libcst, imported by a run
# that has a file to check (one served from the cache imports none of them).
RUN_PHASES = ("discover", "cache read", "import analysis", "warm-up", "cache write")
FileTimes = tuple[float, str, dict[str, float]]  # (seconds, path, {phase: seconds})


class _Section:
    __slots__ = ("_profile", "_name")

    def __init__(self, profile: Profile, name: str) -> None:
        self._profile, self._name = profile, name

    def __enter__(self) -> None:
        self._profile._stack.append([self._name, _clock(), 0.0])

    def __exit__(self, *exc: object) -> None:
        self._profile._leave()


class Profile:
    """Seconds and entries per phase over a run, and the per-file totals."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.entries: dict[str, int] = {}
        self.files: list[FileTimes] = []
        self.cached = 0  # files whose result came from the cache
        self.deep = 0  # files that got the deep analysis
        self.processes = 1  # that checked the files
        self._stack: list[list[Any]] = []  # [phase, start, seconds of inner phases]
        self._file: dict[str, float] | None = None

    def section(self, name: str) -> _Section:
        """A context manager that adds the time spent in it to phase `name`."""
        return _Section(self, name)

    def _leave(self) -> None:
        name, start, inner = self._stack.pop()
        elapsed = _clock() - start
        own = max(elapsed - inner, 0.0)
        self.seconds[name] = self.seconds.get(name, 0.0) + own
        self.entries[name] = self.entries.get(name, 0) + 1
        if self._stack:
            self._stack[-1][2] += elapsed
        if self._file is not None:
            self._file[name] = self._file.get(name, 0.0) + own

    @contextmanager
    def file(self, path: object) -> Iterator[None]:
        """Time one file's check: its total, and its phases apart from the run's."""
        outer, self._file = self._file, {}
        start = _clock()
        try:
            yield
        finally:
            phases, self._file = self._file, outer
            self.files.append((_clock() - start, str(path), phases))

    def data(self) -> tuple:
        """What a worker process sends back (picklable), for `merge`."""
        return (self.seconds, self.entries, self.files, self.deep)

    def merge(self, data: tuple) -> None:
        seconds, entries, files, deep = data
        for name, value in seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value
        for name, count in entries.items():
            self.entries[name] = self.entries.get(name, 0) + count
        self.files.extend(files)
        self.deep += deep

    def report(self, wall: float, slowest: int = 10) -> str:
        """The table printed on stderr at the end of `check --profile`."""
        checked = len(self.files)
        in_files = sum(t for t, _, _ in self.files)
        accounted = sum(sum(phases.values()) for _, _, phases in self.files)
        seconds = dict(self.seconds)
        seconds["other (engine)"] = max(in_files - accounted, 0.0)
        named = [*FILE_PHASES]
        named += sorted(n for n in seconds if n.startswith("facts."))
        named += sorted(n for n in seconds if n.startswith("rule "))
        named += ["other (engine)", *RUN_PHASES]
        total = sum(seconds.get(n, 0.0) for n in named) or 1.0
        lines = [
            f"shutdownlint --profile: {checked + self.cached} files ({self.cached} from the "
            f"cache, {checked} checked, {self.deep} with deep analysis) in {wall:.3f} s "
            f"wall time, {self.processes} process{'es' if self.processes > 1 else ''}",
            "seconds per phase, summed over the processes (a phase inside another counts "
            "in the inner one only):",
            f"{'seconds':>10} {'share':>6} {'entries':>8}  phase",
        ]
        for name in named:
            value = seconds.get(name, 0.0)
            entries = self.entries.get(name, 0)
            lines.append(f"{value:>10.3f} {value / total:>6.1%} {entries:>8}  {name}")
        if self.files:
            lines.append(
                f"slowest {min(slowest, checked)} files (seconds: total, then the largest phases):"
            )
            for seconds_taken, path, phases in sorted(self.files, reverse=True)[:slowest]:
                top = sorted(phases.items(), key=lambda kv: kv[1], reverse=True)[:3]
                parts = ", ".join(f"{name} {value:.3f}" for name, value in top)
                lines.append(f"{seconds_taken:>10.3f}  {path}  ({parts})")
        return "\n".join(lines) + "\n"


# -- the profile of this process's checks --------------------------------------------
_active: Profile | None = None


def active() -> Profile | None:
    return _active


@contextmanager
def activated(profile: Profile) -> Iterator[Profile]:
    """Make `profile` the one the engine's sections add to, while the block runs."""
    global _active
    outer, _active = _active, profile
    restore = _time_module_builds() if outer is None else None
    if outer is None:
        gc.callbacks.append(_on_gc)
    try:
        yield profile
    finally:
        _active = outer
        if restore is not None:
            restore()
        if outer is None:
            gc.callbacks.remove(_on_gc)


def _on_gc(phase: str, info: dict) -> None:
    """Count the garbage collector's pauses as a phase of their own: with astroid's
    trees in memory a full collection takes long, and would land on whichever phase
    happened to allocate."""
    profile = _active
    if profile is None:
        return
    if phase == "start":
        profile._stack.append([_GC, _clock(), 0.0])
    elif profile._stack and profile._stack[-1][0] == _GC:
        profile._leave()


def _time_module_builds() -> Callable[[], None]:
    """Time astroid's builds of the modules a file imports (the standard library's
    `threading`, `asyncio`... once per process, the project's modules once per file)
    apart from the fact that asked for them. Undone by calling what it returns."""
    from astroid.manager import AstroidManager  # only under --profile, when checking

    original = AstroidManager.__dict__["ast_from_module_name"]

    @functools.wraps(original)
    def ast_from_module_name(self: Any, *args: Any, **kwargs: Any) -> Any:
        with section("parse (imported modules)"):
            return original(self, *args, **kwargs)

    AstroidManager.ast_from_module_name = ast_from_module_name

    def restore() -> None:
        AstroidManager.ast_from_module_name = original

    return restore


def section(name: str) -> Any:
    """Time the block as phase `name` in the active profile; nothing when none is."""
    return _NULL if _active is None else _active.section(name)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, its calls timed as phase `name` (wrap only while a profile is active)."""
    profile = _active
    if profile is None:
        return function

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        with profile.section(name):
            return function(*args, **kwargs)

    return call


@functools.cache
def timed_facts(facts_class: type) -> type:
    """A subclass of `facts_class` (ModuleFacts) whose lazily built providers are timed:
    the first computation of each, and every call of the provider's public methods,
    as phase `facts.<name>`. Their logic is untouched: each is wrapped."""
    namespace: dict[str, Any] = {}
    for klass in reversed(facts_class.__mro__):
        for name, attribute in vars(klass).items():
            if isinstance(attribute, cached_property):
                namespace[name] = cached_property(_timed_provider(name, attribute.func))
    return type(f"Timed{facts_class.__name__}", (facts_class,), namespace)


def _timed_provider(name: str, build: Callable[[Any], Any]) -> Callable[[Any], Any]:
    phase = f"facts.{name}"

    def provider(self: Any) -> Any:
        with section(phase):
            value = build(self)
        _time_methods(value, phase)
        return value

    provider.__name__ = name
    provider.__doc__ = build.__doc__
    return provider


def _time_methods(provider: object, phase: str) -> None:
    """Shadow each public method of `provider` with a timed one, on this instance only."""
    import inspect  # only under --profile

    for name in dir(type(provider)):
        if name.startswith("_"):
            continue
        attribute = inspect.getattr_static(type(provider), name, None)
        if isinstance(attribute, property | cached_property | type) or not callable(attribute):
            continue
        try:
            setattr(provider, name, timed(phase, getattr(provider, name)))
        except AttributeError:  # __slots__, a frozen dataclass: its calls count to the caller
            return
