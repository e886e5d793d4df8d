"""What each kind of object can do: the one table of operations.

For each kind (queue, event, future, thread, task, executor, socket, server, and the
plain containers: list, set, dict, deque) the methods that start it, add to it, take
from it, put into or get from it (a queue), release it and join it, with the verb a
message uses for its release and the statement a fix writes. What *creates* an
object of a kind is the table of known types (`kinds.KNOWN_TYPES`).

Rules, messages and edits all read these rows: a method added to a row (`extendleft`,
`update`) counts everywhere at once. Nothing here is derived at import time, so a
test can take one operation out of a row and watch a fixture fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from types import MappingProxyType

from astroid import nodes

from shutdownlint.analysis.vocabulary import Kind


class Holder(str, Enum):
    """What holds items without being a kind of its own: a list, set, dict or deque."""

    CONTAINER = "container"


@dataclass(frozen=True)
class Operations:
    """What one kind of object can do, by method name."""

    start: frozenset[str] = frozenset()  # makes it run (a worker)
    add: frozenset[str] = frozenset()  # puts items in (a container)
    #: where the one item an `add` method takes goes (`insert(i, x)`: 1); the methods
    #: that take many (`extend`, `update`) have no row
    added_at: MappingProxyType[str, int] = field(default_factory=lambda: MappingProxyType({}))
    take: frozenset[str] = frozenset()  # takes items out, one at a time
    remove: frozenset[str] = frozenset()  # takes a given item out (`remove(x)`)
    put: frozenset[str] = frozenset()  # a queue's producer side
    get: frozenset[str] = frozenset()  # a queue's consumer side
    release: frozenset[str] = frozenset()  # lets a waiter go / frees what it holds
    #: releases that raise on an object already released (a future its waiter cancelled)
    release_once: frozenset[str] = frozenset()
    join: frozenset[str] = frozenset()  # waits for (or ends) a worker: a signal is not a join
    done: frozenset[str] = frozenset()  # marks an item taken with `get` processed (for `join`)
    ended: frozenset[str] = frozenset()  # callable only once it has finished: nothing owed after
    released: str = "released"  # how a message says it was released ("never {released}")
    join_verb: str | None = None  # how a message says a statement joins it (None: `releases`)
    releases: str = "releases"  # how a message says a statement releases it ("{releases} it")
    fix: str | None = None  # the release a fix writes, with `{subject}` for the object
    #: the same release bounded in time (`{timeout}`), for a release that waits
    fix_bounded: str | None = None
    done_fix: str | None = None  # the statement a fix writes to mark an item done


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


#: The one table. A row per kind; `Holder.CONTAINER` for plain containers.
OPERATIONS: dict[Kind | Holder, Operations] = {
    Holder.CONTAINER: Operations(
        add=_names(
            "append",
            "appendleft",
            "add",
            "insert",
            "setdefault",
            "extend",
            "extendleft",
            "update",
        ),
        added_at=MappingProxyType(
            {"append": 0, "appendleft": 0, "add": 0, "insert": 1, "setdefault": 1}
        ),
        take=_names("pop", "popleft", "popitem"),
        remove=_names("remove", "discard"),
    ),  # fmt: skip
    Kind.QUEUE: Operations(
        put=_names("put", "put_nowait"),
        get=_names("get", "get_nowait"),
        done=_names("task_done"),
        join=_names("join"),  # waits until every item taken is marked done
        done_fix="{subject}.task_done()",
        release=_names("shutdown"),
        released="shut down",
        releases="shuts down",
    ),
    Kind.EVENT: Operations(
        release=_names("set"), released="set", releases="sets", fix="{subject}.set()"
    ),
    # Notifying needs the condition's lock: not mechanical, no fix.
    Kind.CONDITION: Operations(
        release=_names("notify", "notify_all"), released="notified", releases="notifies"
    ),
    Kind.FUTURE: Operations(
        release=_names("set_result", "set_exception", "cancel"),
        release_once=_names("set_result", "set_exception"),
        released="resolved",
        releases="resolves",
        fix="{subject}.cancel()",
    ),
    # `cancel()` is a signal: the task still runs its `finally:` blocks until awaited
    # (`await t`, `gather`, `asyncio.wait`: an await, not a method), so no join method.
    # `result()` and `exception()` can be called only on a finished task (on another they
    # raise InvalidStateError): after either, returning or raising, nothing is left running.
    Kind.TASK: Operations(
        release=_names("cancel"),
        ended=_names("result", "exception"),
        released="cancelled",
        releases="cancels",
        join_verb="awaits",
    ),
    Kind.SEMAPHORE: Operations(release=_names("release")),
    Kind.BARRIER: Operations(release=_names("abort"), released="aborted", releases="aborts"),
    Kind.LOCK: Operations(release=_names("release")),
    Kind.THREAD: Operations(
        start=_names("start"),
        release=_names("join"),
        join=_names("join"),
        released="joined",
        releases="joins",
        fix="{subject}.join()",
        fix_bounded="{subject}.join(timeout={timeout})",
    ),
    Kind.PROCESS: Operations(
        start=_names("start"),
        release=_names("join", "wait", "communicate", "terminate", "kill"),
        join=_names("join", "wait", "communicate"),
        released="joined",
        releases="joins",
        fix="{subject}.join()",
        fix_bounded="{subject}.join(timeout={timeout})",
    ),
    Kind.EXECUTOR: Operations(
        release=_names("shutdown", "terminate", "join"),
        join=_names("shutdown", "join"),
        released="shut down",
        releases="shuts down",
        fix="{subject}.shutdown(wait=True)",
    ),
    Kind.SOCKET: Operations(
        release=_names("close", "detach"),
        released="closed",
        releases="closes",
        fix="{subject}.close()",
    ),
    Kind.SERVER: Operations(
        release=_names("close", "server_close"),
        released="closed",
        releases="closes",
        fix="{subject}.close()",
    ),
}

#: Types that start otherwise than their kind does (by the qualified name `kinds` gives).
STARTS_BY_TYPE: dict[str, frozenset[str]] = {
    # paramiko's Transport is a Thread that its connect methods start.
    "paramiko.Transport": _names("connect", "start_client", "start_server"),
    "paramiko.transport.Transport": _names("connect", "start_client", "start_server"),
    # A concurrent.futures pool starts its threads (processes) on the first job: one
    # never submitted to owns none. (A multiprocessing Pool starts them when made.)
    "concurrent.futures._base.Executor": _names("submit", "map"),
    "concurrent.futures.process.ProcessPoolExecutor": _names("submit", "map"),
}


@dataclass(frozen=True)
class Awaiter:
    """What an await of an asyncio call that is handed tasks (`await gather(a, b)`) leaves
    of them, by how the await ends: each flag says the tasks handed to it have all ended
    (finished, or been cancelled) when the await ends that way."""

    returned: bool = True  # the await returned
    cancelled: bool = True  # it raised the waiter's own cancellation
    failed: bool = True  # it raised the failure of one of the tasks
    #: a keyword that, when true, turns the tasks' failures into results (nothing is raised
    #: but the waiter's cancellation)
    settles: str | None = None


#: Asyncio calls whose await ends the tasks handed to them, by the call's last name. Not
#: listed (`wait`, `shield`, `as_completed`): an await taken as a hand-over, as before.
AWAITERS: dict[str, Awaiter] = {
    # The first failure is raised at once and the other tasks go on running: gather ends
    # them only by finishing (a normal return) or, when the waiter is cancelled, by
    # cancelling them all. `return_exceptions=True` returns the failures instead.
    "gather": Awaiter(failed=False, settles="return_exceptions"),
    # wait_for cancels (and since 3.12 awaits) the task on a timeout and on cancellation.
    "wait_for": Awaiter(),
}


def ends_on_failure(call: nodes.Call) -> bool:
    """Whether awaiting `call` (a call named in `AWAITERS`, or any other) leaves no task
    handed to it running when it raises a task's failure: false for `gather(...)` without
    a true `return_exceptions=`."""
    name = (
        call.func.attrname
        if isinstance(call.func, nodes.Attribute)
        else (call.func.name if isinstance(call.func, nodes.Name) else None)
    )
    row = AWAITERS.get(name or "")
    if row is None or row.failed:
        return True
    if len(call.args) == 1 and not isinstance(call.args[0], nodes.Starred):
        return True  # one task: the failure raised is its own, and it has ended
    for keyword in call.keywords or ():
        if keyword.arg is None:
            return True  # `**options`: cannot tell, taken as settling (precision first)
        if keyword.arg == row.settles:
            # a value that cannot be pinned down is the caller's choice: taken as settling
            return not (isinstance(keyword.value, nodes.Const) and not keyword.value.value)
    return False


def operations(kind: Kind | Holder | None) -> Operations:
    """The row of `kind` (an empty row for None or a kind with none)."""
    return OPERATIONS.get(kind, _NOTHING) if kind is not None else _NOTHING


_NOTHING = Operations()


def release_statement(kind: Kind, subject: str, timeout: float | None = None) -> str | None:
    """The statement a fix writes to release `subject`, when that is mechanical (bounded
    by `timeout` when given and the release waits)."""
    row = operations(kind)
    if timeout is not None and row.fix_bounded is not None:
        return row.fix_bounded.format(subject=subject, timeout=repr(timeout))
    return row.fix.format(subject=subject) if row.fix is not None else None


# -- unions over the rows (cached: the table is read per node; tests clear the caches) ------
@cache
def adding_methods() -> frozenset[str]:
    """Methods that put an item into a container or a queue."""
    return frozenset().union(*(row.add | row.put for row in OPERATIONS.values()))


@cache
def taking_methods() -> frozenset[str]:
    """Methods that take items out of a container or a queue one at a time."""
    return frozenset().union(*(row.take | row.get for row in OPERATIONS.values()))


def clear_caches() -> None:
    """Forget the unions (after a test changed a row)."""
    adding_methods.cache_clear()
    taking_methods.cache_clear()
