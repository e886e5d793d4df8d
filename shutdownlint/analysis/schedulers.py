"""The ways code gets scheduled apart from its caller: one table, one row per API.

A row says which calls it matches (their last name, or a keyword such as
`target=`), what must hold besides the name (the guard: the callee's qualified
name, the kind of object the call constructs, of its receiver or of its first
argument), which argument is the code that will run (a callable, or a coroutine
call whose function runs), the execution context it creates, whether it also
registers a shutdown path, how a message words it, and how the call passes
arguments on to the callee (so that a parameter of the callee can be bound to
what was passed). Everything that needs these names (the engine's cheap
prefilter, parameter binding in `kinds`, the context map in `contexts`) derives
them from `SCHEDULERS`. Adding a scheduler is one row here plus a case in
`tests/test_schedulers.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from shutdownlint.analysis.vocabulary import ContextKind, Flavor, Kind, ThreadRole


class Subject(str, Enum):
    """What a guard looks at."""

    NAME = "name"  # nothing: the call's name is enough
    CALLEE = "callee"  # the callee's qualified name (inferred, else as written)
    CONSTRUCTED = "constructed"  # the object the call constructs (a Thread, subclasses too)
    RECEIVER = "receiver"  # `x` in `x.submit(...)`
    FIRST_ARGUMENT = "first-argument"  # `executor` in `loop.run_in_executor(executor, f)`


class Role(str, Enum):
    ENTRY = "entry"  # the callee runs in the row's execution context
    SHUTDOWN = "shutdown"  # the callee runs while the program stops


@dataclass(frozen=True)
class Guard:
    subject: Subject = Subject.NAME
    kind: Kind | None = None
    flavors: frozenset[Flavor] = frozenset()  # empty: any flavor
    qnames: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Scheduler:
    names: frozenset[str]  # the call's last name (`Thread`, `submit`, ...)
    guard: Guard
    callee_position: int | None  # where the scheduled callable goes
    context: ContextKind | None  # None for a row that only registers a shutdown path
    wording: str  # "{call}" is the call's function as written
    callee_keyword: str | None = None
    every_positional: bool = False  # `gather(a(), b())`: every positional argument
    coroutine: bool = False  # the argument is a call `f(...)`; `f` is what runs
    on_thread: bool | None = None  # None: `context is ContextKind.THREAD`
    roles: frozenset[Role] = frozenset({Role.ENTRY})
    keyword_trigger: str | None = None  # also match any call passing this keyword
    forwards_after_callee: bool = False  # `submit(fn, a, b)`: a, b are fn's arguments
    args_tuple: tuple[int, str] | None = None  # `Thread(args=(a, b))`: (position, keyword)
    # Which thread runs the callee (None: derived from `context`; PROCESS: no thread of ours).
    thread_role: ThreadRole | None = None

    @property
    def runs_on_thread(self) -> bool:
        """Runs on another OS thread than its caller (a thread context, SPEC §2)."""
        if self.on_thread is not None:
            return self.on_thread
        return self.context is ContextKind.THREAD

    @property
    def role(self) -> ThreadRole | None:
        """The thread identity the callee gets (None: another process, or no context)."""
        if self.thread_role is not None:
            return self.thread_role
        return _DEFAULT_ROLES.get(self.context) if self.context is not None else None


_DEFAULT_ROLES = {
    ContextKind.THREAD: ThreadRole.THREAD,
    ContextKind.TASK: ThreadRole.LOOP,
    ContextKind.CALLBACK: ThreadRole.LOOP,
}


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


_EXECUTOR_METHODS = _names("submit", "map", "imap", "imap_unordered", "starmap", "map_async")
_EXECUTOR_ARG_TUPLE = _names("apply", "apply_async", "starmap_async")
_THREADING = frozenset({Flavor.THREADING})
_MULTIPROCESSING = frozenset({Flavor.MULTIPROCESSING})

SCHEDULERS: tuple[Scheduler, ...] = (
    # -- threads and processes ---------------------------------------------------
    Scheduler(
        _names("Thread"),
        Guard(Subject.CONSTRUCTED, Kind.THREAD, _THREADING),
        1,
        ContextKind.THREAD,
        "started as a thread by `{call}(...)`",
        callee_keyword="target",
        keyword_trigger="target",
        args_tuple=(3, "args"),
    ),
    Scheduler(
        _names("Timer"),
        Guard(Subject.CONSTRUCTED, Kind.THREAD, _THREADING),
        1,
        ContextKind.THREAD,
        "started as a thread by `{call}(...)`",
        callee_keyword="function",
        args_tuple=(2, "args"),
    ),
    Scheduler(
        _names("Process"),
        Guard(Subject.CONSTRUCTED, Kind.PROCESS, _MULTIPROCESSING),
        1,
        ContextKind.PROCESS,
        "started as a process by `{call}(...)`",
        callee_keyword="target",
        keyword_trigger="target",
        args_tuple=(3, "args"),
    ),
    Scheduler(
        _names("start_new_thread", "start_new"),
        Guard(),
        0,
        ContextKind.THREAD,
        "started as a thread by `{call}(...)`",
        args_tuple=(1, "args"),
    ),
    # -- executors and pools -------------------------------------------------------
    Scheduler(
        _EXECUTOR_METHODS,
        Guard(Subject.RECEIVER, Kind.EXECUTOR, _MULTIPROCESSING),
        0,
        ContextKind.PROCESS,
        "run in a worker process by `{call}(...)`",
        callee_keyword="fn",
        forwards_after_callee=True,
    ),
    Scheduler(
        _EXECUTOR_METHODS,
        Guard(Subject.RECEIVER, Kind.EXECUTOR),
        0,
        ContextKind.THREAD,
        "run in a worker thread by `{call}(...)`",
        callee_keyword="fn",
        forwards_after_callee=True,
        thread_role=ThreadRole.POOL,
    ),
    Scheduler(
        _EXECUTOR_ARG_TUPLE,
        Guard(Subject.RECEIVER, Kind.EXECUTOR, _MULTIPROCESSING),
        0,
        ContextKind.PROCESS,
        "run in a worker process by `{call}(...)`",
        callee_keyword="func",
        args_tuple=(1, "args"),
    ),
    Scheduler(
        _EXECUTOR_ARG_TUPLE,
        Guard(Subject.RECEIVER, Kind.EXECUTOR),
        0,
        ContextKind.THREAD,
        "run in a worker thread by `{call}(...)`",
        callee_keyword="func",
        args_tuple=(1, "args"),
        thread_role=ThreadRole.POOL,
    ),
    # a pool's initializer runs on each of its workers as it starts
    Scheduler(
        _names("ThreadPoolExecutor"),
        Guard(Subject.CONSTRUCTED, Kind.EXECUTOR, _THREADING),
        2,
        ContextKind.THREAD,
        "run on each worker thread of `{call}(...)` as its initializer",
        callee_keyword="initializer",
        keyword_trigger="initializer",
        args_tuple=(3, "initargs"),
        thread_role=ThreadRole.POOL,
    ),
    Scheduler(
        _names("ThreadPool"),
        Guard(Subject.CONSTRUCTED, Kind.EXECUTOR, _THREADING),
        1,
        ContextKind.THREAD,
        "run on each worker thread of `{call}(...)` as its initializer",
        callee_keyword="initializer",
        args_tuple=(2, "initargs"),
        thread_role=ThreadRole.POOL,
    ),
    Scheduler(
        _names("ProcessPoolExecutor"),
        Guard(Subject.CONSTRUCTED, Kind.EXECUTOR, _MULTIPROCESSING),
        2,
        ContextKind.PROCESS,
        "run in each worker process of `{call}(...)` as its initializer",
        callee_keyword="initializer",
        keyword_trigger="initializer",
        args_tuple=(3, "initargs"),
    ),
    Scheduler(
        _names("Pool"),
        Guard(Subject.CONSTRUCTED, Kind.EXECUTOR, _MULTIPROCESSING),
        1,
        ContextKind.PROCESS,
        "run in each worker process of `{call}(...)` as its initializer",
        callee_keyword="initializer",
        args_tuple=(2, "initargs"),
    ),
    Scheduler(
        _names("run_in_executor"),
        Guard(Subject.FIRST_ARGUMENT, Kind.EXECUTOR, _MULTIPROCESSING),
        1,
        ContextKind.PROCESS,
        "run in an executor by `{call}(...)`",
        forwards_after_callee=True,
    ),
    Scheduler(
        _names("run_in_executor"),
        Guard(),
        1,
        ContextKind.THREAD,
        "run in an executor by `{call}(...)`",
        forwards_after_callee=True,
        thread_role=ThreadRole.POOL,
    ),
    Scheduler(
        _names("to_thread"),
        Guard(),
        0,
        ContextKind.THREAD,
        "run on another thread by `{call}(...)`",
        forwards_after_callee=True,
        thread_role=ThreadRole.POOL,
    ),
    # -- callbacks -------------------------------------------------------------------
    Scheduler(
        _names("call_soon_threadsafe"),
        Guard(),
        0,
        ContextKind.THREAD,
        "run on the event loop's thread by `{call}(...)`",
        forwards_after_callee=True,
        thread_role=ThreadRole.LOOP,
    ),
    Scheduler(
        # tornado's `IOLoop.add_callback`: thread-safe, runs on the loop's thread.
        _names("add_callback", "add_callback_from_signal"),
        Guard(),
        0,
        ContextKind.THREAD,
        "run on the event loop's thread by `{call}(...)`",
        forwards_after_callee=True,
        thread_role=ThreadRole.LOOP,
    ),
    Scheduler(
        _names("spawn_callback"),
        Guard(),
        0,
        ContextKind.CALLBACK,
        "called back on the event loop by `{call}(...)`",
        forwards_after_callee=True,
    ),
    Scheduler(
        _names("add_done_callback"),
        Guard(Subject.RECEIVER, Kind.FUTURE, _THREADING),
        0,
        ContextKind.THREAD,
        "called back by `{call}(...)` on the worker's thread",
        thread_role=ThreadRole.POOL,
    ),
    Scheduler(
        _names("add_done_callback"),
        Guard(),
        0,
        ContextKind.CALLBACK,
        "called back by `{call}(...)`",
    ),
    Scheduler(
        _names("call_soon"),
        Guard(),
        0,
        ContextKind.CALLBACK,
        "called back on the event loop by `{call}(...)`",
        forwards_after_callee=True,
    ),
    Scheduler(
        _names("call_later", "call_at"),
        Guard(),
        1,
        ContextKind.CALLBACK,
        "called back on the event loop by `{call}(...)`",
        forwards_after_callee=True,
    ),
    # -- asyncio tasks -----------------------------------------------------------------
    Scheduler(
        _names("create_task", "ensure_future"),
        Guard(),
        0,
        ContextKind.TASK,
        "run as an asyncio task by `{call}(...)`",
        callee_keyword="coro",
        coroutine=True,
    ),
    Scheduler(
        _names("run_coroutine_threadsafe"),
        Guard(),
        0,
        ContextKind.TASK,
        "run on the event loop's thread by `{call}(...)`",
        coroutine=True,
        on_thread=True,
        thread_role=ThreadRole.LOOP,
    ),
    Scheduler(
        _names("gather"),
        Guard(),
        None,
        ContextKind.TASK,
        "run as an asyncio task by `{call}(...)`",
        every_positional=True,
        coroutine=True,
    ),
    # -- registered to run while stopping ---------------------------------------------------
    Scheduler(
        _names("signal"),
        Guard(Subject.CALLEE, qnames=_names("signal.signal", "_signal.signal")),
        1,
        # A handler interrupts whatever the main thread runs, and runs while stopping.
        ContextKind.THREAD,
        "run as a signal handler registered by `{call}(...)`",
        roles=frozenset({Role.ENTRY, Role.SHUTDOWN}),
        thread_role=ThreadRole.SIGNAL,
    ),
    Scheduler(
        _names("register"),
        Guard(Subject.CALLEE, qnames=_names("atexit.register")),
        0,
        None,
        "registered with `atexit.register`",
        roles=frozenset({Role.SHUTDOWN}),
        forwards_after_callee=True,
    ),
    Scheduler(
        _names("finalize"),
        Guard(Subject.CALLEE, qnames=_names("weakref.finalize")),
        1,
        None,
        "registered with `weakref.finalize`",
        roles=frozenset({Role.SHUTDOWN}),
        forwards_after_callee=True,
    ),
    Scheduler(
        _names("addCleanup", "addAsyncCleanup", "addClassCleanup", "addModuleCleanup"),
        Guard(),
        0,
        None,
        "registered with `{call}`",
        roles=frozenset({Role.SHUTDOWN}),
        forwards_after_callee=True,
    ),
)

SCHEDULERS_BY_NAME: dict[str, tuple[Scheduler, ...]] = {}
for _row in SCHEDULERS:
    for _name in _row.names:
        SCHEDULERS_BY_NAME[_name] = (*SCHEDULERS_BY_NAME.get(_name, ()), _row)

SCHEDULERS_BY_KEYWORD: dict[str, tuple[Scheduler, ...]] = {}
for _row in SCHEDULERS:
    if _row.keyword_trigger:
        _kw = _row.keyword_trigger
        SCHEDULERS_BY_KEYWORD[_kw] = (*SCHEDULERS_BY_KEYWORD.get(_kw, ()), _row)

#: Every call name that can schedule or register code.
SCHEDULER_NAMES: frozenset[str] = frozenset(SCHEDULERS_BY_NAME)
