"""The words of the domain, as types.

A *kind* says what an object is (a queue, a thread...), a *flavor* which family of
APIs it belongs to (threading, multiprocessing, asyncio...), an *execution
context* how code comes to run apart from its caller. "thread" is a kind
(`Kind.THREAD`: a `threading.Thread`), never a flavor (`Flavor.THREADING`) or a
context (`ContextKind.THREAD`) in disguise.
"""

from __future__ import annotations

from enum import Enum


class Kind(str, Enum):
    """What an object is. The values are the names `[tool.shutdownlint.types]` accepts."""

    QUEUE = "queue"
    EVENT = "event"
    CONDITION = "condition"
    SEMAPHORE = "semaphore"
    BARRIER = "barrier"
    FUTURE = "future"
    LOCK = "lock"
    THREAD = "thread"
    PROCESS = "process"
    EXECUTOR = "executor"
    TASK = "task"
    SOCKET = "socket"
    SERVER = "server"

    def __str__(self) -> str:
        return self.value


class Flavor(str, Enum):
    """Which family of APIs an object belongs to: it decides which calls block and how."""

    THREADING = "threading"  # threading, queue, concurrent.futures, socket
    MULTIPROCESSING = "multiprocessing"
    SUBPROCESS = "subprocess"  # Popen
    ASYNCIO = "asyncio"  # awaitable API
    USER = "user"  # a class mapped in `[tool.shutdownlint.types]`

    def __str__(self) -> str:
        return self.value


class ContextKind(str, Enum):
    """How code comes to run apart from its caller (SPEC §2, worker context)."""

    THREAD = "thread"
    PROCESS = "process"
    TASK = "task"
    CALLBACK = "callback"

    @property
    def where(self) -> str:
        """How a message says where code runs: "runs {where}"."""
        return _WHERE[self]


_WHERE = {
    ContextKind.THREAD: "in a worker thread",
    ContextKind.PROCESS: "in a worker process",
    ContextKind.TASK: "in an asyncio task",
    ContextKind.CALLBACK: "as a scheduled callback",
}


class ThreadRole(str, Enum):
    """Which thread runs a piece of code (SDL2xx/SDL4xx thread identities, RacerD-style):
    two accesses race only when they can run on different threads at once."""

    CALLER = "caller"  # the application threads that call the public API
    THREAD = "thread"  # a thread the module starts (a target, a Thread subclass's `run`)
    POOL = "pool"  # executor workers: several may run the same code at once
    LOOP = "loop"  # the event loop's thread: coroutines, tasks and loop callbacks
    SIGNAL = "signal"  # signal handlers: run on the main thread, between its bytecodes
    CALLBACK = "callback"  # user callbacks a worker thread invokes with the object

    @property
    def concurrent_with_itself(self) -> bool:
        """Two runs of code with this role can overlap."""
        return self is ThreadRole.POOL


class BoundState(str, Enum):
    """Whether a queue can fill up."""

    BOUNDED = "bounded"
    UNBOUNDED = "unbounded"
    UNKNOWN = "unknown"


class TimeoutState(str, Enum):
    """How a blocking call is bounded in time."""

    NONE = "none"  # blocks with no timeout
    TIMEOUT = "timeout"  # a timeout the caller chose
    NONBLOCKING = "nonblocking"  # `block=False`
    UNKNOWN = "unknown"  # `*args`, a `block=` flag that cannot be pinned down


#: Calls that name the calling thread (`threading.get_ident()`, `current_thread()`): a
#: container slot at that key belongs to one thread.
CURRENT_THREAD_CALLS = frozenset({"get_ident", "current_thread", "currentThread", "get_native_id"})
#: Calls that tell which thread or process runs the code: tests of them (`if os.getpid()
#: != self._pid:`, `current_thread() is main_thread()`) are identity checks, and the calls
#: themselves cannot fail.
IDENTITY_CALLS = CURRENT_THREAD_CALLS | {"main_thread", "getpid"}
