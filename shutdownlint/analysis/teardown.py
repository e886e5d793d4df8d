"""What a class's shutdown does to its state and its workers (SDL4xx facts).

Per class:
- **containers closed by close()**: the containers its shutdown methods (and the
  private helpers they call) empty, swap out or walk to close their items (`clear()`,
  `self.c = []`, `items, self.c = self.c, deque()`, `while self.c: self.c.pop()`),
  whether the removed items are released one by one (`conn.close()`, directly or
  through a helper the items are handed to), the lock held while doing it, and the
  flags the shutdown writes under that lock (`_closed`, a generation counter);
- **workers and queues**: the threads, tasks and executor jobs the class starts, the
  attribute that holds each (its handle), the flags and events each loops on, and
  which queues each `put`s into (producer) or `get`s from (consumer);
- **stop order**: inside each shutdown method (helpers inlined), the statements that
  stop each worker, in order (join, cancel, signal, end sentinel, queue shutdown,
  executor shutdown);
- **loop threads**: `Thread` subclasses whose `run` drives an event loop, the
  classes whose `close()` must run on such a loop (it schedules onto it), and which
  class owns both.

These are facts of the analysis (a later `shutdownlint graph` draws them), not of
one rule: which adds land after close() (SDL401) and which stops come too early
(SDL403) are decided in those rules' modules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from astroid import nodes

from shutdownlint.analysis.contexts import Contexts, is_shutdown_name
from shutdownlint.analysis.infer import (
    FunctionLike,
    StateKey,
    class_held_by,
    enclosing_class,
    enclosing_function,
    in_loop,
    infer_values,
    is_self_parameter,
    last_name,
    lookup,
    self_attr,
    walk,
)
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.locks import Held, LockId, Locks
from shutdownlint.analysis.operations import Holder, operations, taking_methods
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.ownership import covered, made_members, with_releases
from shutdownlint.analysis.safe_calls import is_logging_call
from shutdownlint.analysis.shared import SharedState
from shutdownlint.analysis.summaries import Summaries
from shutdownlint.analysis.threadmap import ThreadMap
from shutdownlint.analysis.vocabulary import Kind, ThreadRole
from shutdownlint.analysis.worker_objects import own_queues, owner_name, passed_attributes

#: Calls that copy a container's items (the copy is then cleaned up item by item).
_COPIES = frozenset({"list", "tuple", "set", "dict", "sorted", "frozenset"})
_COPY_METHODS = frozenset({"copy", "values", "items", "keys"})
#: Empty containers a shutdown swaps in.
_EMPTY_FACTORIES = frozenset(
    {"list", "dict", "set", "deque", "OrderedDict", "defaultdict", "WeakSet", "WeakValueDictionary"}
)
#: Calls that drive an event loop until it stops (their thread is a loop thread).
LOOP_DRIVERS = frozenset(
    {
        "asyncio.base_events.BaseEventLoop.run_forever",
        "asyncio.base_events.BaseEventLoop.run_until_complete",
        "asyncio.events.AbstractEventLoop.run_forever",
        "asyncio.events.AbstractEventLoop.run_until_complete",
        "asyncio.runners.run",
        "tornado.ioloop.IOLoop.start",
    }
)
_LOOP_DRIVER_NAMES = frozenset(q.rsplit(".", 1)[-1] for q in LOOP_DRIVERS) - {"start", "run"}


class StopHow(str, Enum):
    """How a shutdown statement stops a worker."""

    JOIN = "join"
    STOP = "stop"  # a shutdown method of the worker object (`consumer.stop()`)
    CANCEL = "cancel"
    SIGNAL = "signal"  # sets its stop event / flag
    SENTINEL = "sentinel"  # puts the end sentinel on the queue it consumes
    QUEUE_SHUTDOWN = "queue-shutdown"
    EXECUTOR_SHUTDOWN = "executor-shutdown"
    LOOP_STOP = "loop-stop"  # stops (or joins) the thread that runs an event loop


@dataclass(frozen=True)
class Clear:
    """A shutdown emptying (or walking to close) a container attribute."""

    name: str
    node: nodes.NodeNG  # the statement
    function: FunctionLike
    held: Held
    cleaned: nodes.NodeNG | None  # where its items are released one by one, if seen


@dataclass(frozen=True)
class ClosedContainer:
    """A container the class's shutdown empties, and what it writes beside."""

    name: str
    clears: tuple[Clear, ...]
    lock: LockId | None  # the lock held while clearing (None: none)
    lock_shown: str | None
    flags: tuple[tuple[str, nodes.NodeNG], ...]  # (attribute, write) under that lock
    cleaned: nodes.NodeNG  # where the removed items are released


@dataclass(frozen=True)
class Worker:
    """A thread, task or executor job a class starts."""

    function: FunctionLike
    site: nodes.NodeNG  # where it is started or scheduled
    handle: str | None  # the attribute holding its thread/task/executor
    handle_kind: Kind | None
    signals: frozenset[str]  # attributes (flags, events) its loop tests
    consumes: frozenset[str]  # queue attributes it takes from
    produces: frozenset[str]  # queue attributes it puts into


@dataclass(frozen=True)
class Stop:
    """A statement of a shutdown method that stops a worker."""

    node: nodes.NodeNG
    worker: Worker
    how: StopHow


@dataclass
class _ClassFacts:
    """Per class, each computed on first use."""

    containers: dict[str, ClosedContainer] | None = None
    workers: list[Worker] | None = None


class Teardown:
    """Shutdown facts of one module's classes (a per-module fact, per class on first use)."""

    def __init__(
        self,
        module: nodes.Module,
        options: AnalysisOptions,
        kinds: Kinds,
        contexts: Contexts,
        locks: Locks,
        threads: ThreadMap,
        state: SharedState,
        summaries: Summaries,
        stats: Counter[str],
    ) -> None:
        self._summaries = summaries
        self._module = module
        self._options = options
        self._kinds = kinds
        self._contexts = contexts
        self._locks = locks
        self._threads = threads
        self._state = state
        self._stats = stats
        self._classes: dict[nodes.ClassDef, _ClassFacts] = {}

    # -- classes ---------------------------------------------------------------------
    @cached_property
    def classes(self) -> list[nodes.ClassDef]:
        """Classes with a shutdown method (the only ones that can order their shutdown)."""
        return [n for n in self._contexts.class_defs if any(True for _ in self.shutdown_methods(n))]

    def shutdown_methods(self, cls: nodes.ClassDef):
        return self._contexts.stop_methods(cls)

    def _reached_from_shutdown(self, cls: nodes.ClassDef) -> list[FunctionLike]:
        """Shutdown methods and the functions of the class they call (`close()` ->
        `_reset()`, which `reset()` calls too): where a container may be emptied."""
        return self._contexts.reach(self.shutdown_methods(cls), within=cls, skip_alone=True)

    def closers(self, cls: nodes.ClassDef) -> list[FunctionLike]:
        """Shutdown methods, and the private helpers of the class only they call: the
        code that runs only while shutting down (its adds are not adds after close)."""
        found: list[FunctionLike] = list(self.shutdown_methods(cls))
        callers = {
            callee: {caller for caller, _ in edges}
            for callee, edges in self._contexts.direct_callers.items()
            if enclosing_class(callee) is cls
        }
        changed = True
        while changed:
            changed = False
            for callee, sources in callers.items():
                name = getattr(callee, "name", "")
                if callee in found or not name.startswith("_") or name.startswith("__"):
                    continue
                if self._contexts.runs_alone(callee):
                    continue
                if sources and sources <= set(found):
                    found.append(callee)
                    changed = True
        return found

    def _facts(self, cls: nodes.ClassDef) -> _ClassFacts:
        if cls not in self._classes:
            self._classes[cls] = _ClassFacts()
        return self._classes[cls]

    # -- containers closed by shutdown ----------------------------------------------------
    def closed_containers(self, cls: nodes.ClassDef) -> dict[str, ClosedContainer]:
        facts = self._facts(cls)
        if facts.containers is None:
            facts.containers = self._closed_containers(cls)
        return facts.containers

    def _closed_containers(self, cls: nodes.ClassDef) -> dict[str, ClosedContainer]:
        if not any(
            self._cleared_name(n)
            for f in self._contexts.functions_by_class.get(cls, [])
            for n in self._contexts.nodes_of(f)
        ):
            return {}  # cheap first: nothing in the class empties a container
        closers = self._reached_from_shutdown(cls)
        clears: dict[str, list[Clear]] = {}
        for function in closers:
            for node in self._contexts.nodes_of(function):
                name = self._cleared_name(node)
                if name is not None:
                    statement = node if node.is_statement else node.statement()
                    cleaned = self._cleanup_of(name, statement, function)
                    clear = Clear(
                        name, statement, function, self._locks.held_at(statement), cleaned
                    )
                    clears.setdefault(name, []).append(clear)
        found = {}
        for name, records in clears.items():
            cleaned = next((c.cleaned for c in records if c.cleaned is not None), None)
            if cleaned is None:
                continue  # plain entries (no resources in them): nothing leaks
            lock = self._clearing_lock(records)
            writers = [*self.shutdown_methods(cls), *(c.function for c in records)]
            flags = self._flags(writers, lock, set(clears), cls)
            if not flags and lock is not None:
                # The flag set just before the lock is taken: a re-check under it still works.
                flags = [
                    (flag, write)
                    for flag, write in self._flags(writers, None, set(clears), cls)
                    if any(
                        enclosing_function(write) is c.function
                        and (write.lineno or 0) < (c.node.lineno or 0)
                        for c in records
                    )
                ]
            if not flags:
                continue  # nothing marks the object closed: it may be used again
            shown = self._locks.shown.get(lock) if lock is not None else None
            found[name] = ClosedContainer(name, tuple(records), lock, shown, tuple(flags), cleaned)
        return found

    def _cleared_name(self, node: nodes.NodeNG) -> str | None:
        """The container attribute `node` empties: `self.c.clear()`, `self.c = []`,
        `a, self.c = self.c, deque()`, `self.c.pop()` in a loop. (Closing the items in
        place, `for x in self.c: x.close()`, empties nothing: an object that reopens
        keeps them.)"""
        if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute):
            receiver = node.func.expr
            if self_attr(receiver) and node.func.attrname == "clear":
                return receiver.attrname
            if self_attr(receiver) and node.func.attrname in taking_methods() and in_loop(node):
                return receiver.attrname
            return None
        if isinstance(node, nodes.Assign):
            for target in node.targets:
                if isinstance(target, nodes.AssignAttr) and is_self_parameter(target.expr):
                    if _is_empty_container(node.value):
                        return target.attrname
                elif isinstance(target, nodes.Tuple) and isinstance(node.value, nodes.Tuple):
                    for t, v in zip(target.elts, node.value.elts, strict=False):
                        if (
                            isinstance(t, nodes.AssignAttr)
                            and is_self_parameter(t.expr)
                            and _is_empty_container(v)
                        ):
                            return t.attrname
            return None
        return None

    def _cleanup_of(
        self, name: str, statement: nodes.NodeNG, function: FunctionLike
    ) -> nodes.NodeNG | None:
        """Where the items of `self.<name>` are released one by one (closed, stopped,
        cancelled...), seen from the clearing statement's function."""
        # `for x in self.c: x.close()` or `while self.c: self.c.pop().close()`.
        for node in walk(function):
            if (
                isinstance(node, nodes.For | nodes.Comprehension)
                and name in covered(node.iter).attributes(enclosing_class(function))
                and self._releases_loop_variable(node)
            ):
                return node  # also `for x in chain(self.c.values(), self.d)`, a local copy
            if isinstance(node, nodes.Call):
                # `self._close_all(self.c)`: handed to a helper that releases each item.
                for position, arg in enumerate(node.args):
                    if _copies_attr(arg, name):
                        for callee in self._contexts.resolve_callables(node.func):
                            param = _parameter_at(callee, position, node)
                            if param is not None and self._released_via(param, callee, 1):
                                return node
            if isinstance(node, nodes.Call) and self.is_release(node):
                inner = node.func.expr
                if (
                    isinstance(inner, nodes.Call)
                    and isinstance(inner.func, nodes.Attribute)
                    and inner.func.attrname in taking_methods()
                    and self_attr(inner.func.expr)
                    and inner.func.expr.attrname == name
                ):
                    return node
        # The items copied or swapped into a local, then released (here or in a helper).
        for local in self._item_locals(name, function):
            found = self._released_via(local, function, depth=0)
            if found is not None:
                return found
        return None

    def _item_locals(self, name: str, function: FunctionLike) -> set[str]:
        names: set[str] = set()
        for node in walk(function):
            if not isinstance(node, nodes.Assign):
                continue
            for target in node.targets:
                if isinstance(target, nodes.AssignName) and _copies_attr(node.value, name):
                    names.add(target.name)
                elif isinstance(target, nodes.AssignName) and _pops_attr(node.value, name):
                    names.add(target.name)  # `conn = self.c.popleft()` in a loop
                elif isinstance(target, nodes.Tuple) and isinstance(node.value, nodes.Tuple):
                    for t, v in zip(target.elts, node.value.elts, strict=False):
                        if isinstance(t, nodes.AssignName) and _copies_attr(v, name):
                            names.add(t.name)
        return names

    def _released_via(self, local: str, function: FunctionLike, depth: int) -> nodes.NodeNG | None:
        for node in walk(function):
            if (  # the popped item itself released in the loop: `conn.close()`
                depth == 0
                and isinstance(node, nodes.Call)
                and self.is_release(node)
                and isinstance(node.func.expr, nodes.Name)
                and node.func.expr.name == local
                and in_loop(node)
            ):
                return node
            if (
                isinstance(node, nodes.For | nodes.Comprehension)
                and local in covered(node.iter).locals()
                and self._releases_loop_variable(node)
            ):
                return node
            if depth < 2 and isinstance(node, nodes.Call):
                for position, arg in enumerate(node.args):
                    if isinstance(arg, nodes.Name) and arg.name == local:
                        for callee in self._contexts.resolve_callables(node.func):
                            param = _parameter_at(callee, position, node)
                            if param is not None:
                                found = self._released_via(param, callee, depth + 1)
                                if found is not None:
                                    return found
        return None

    def _releases_loop_variable(self, loop: nodes.For | nodes.Comprehension) -> bool:
        """`for conn in ...: conn.close()` (also `for k, v in ...items(): v.stop()`, and
        `[c.close() for c in ...]`). What a shutdown's loop does to each item as a
        statement of its own (`lease.revoke()`, `await sub.aclose()`) is that item's
        release, whatever the method is called: an item added later misses it. A loop
        over each item's own items (`for group in ...: for conn in group: ...`) releases
        the items of the items."""
        names = {n.name for n in walk(loop.target) if isinstance(n, nodes.AssignName)}
        body = loop.body if isinstance(loop, nodes.For) else [loop.parent]
        if isinstance(loop, nodes.For) and any(
            _item_duty(statement, names) for statement in _loop_statements(body)
        ):
            return True
        if isinstance(loop.parent, nodes.ListComp | nodes.GeneratorExp) and (
            _told_to_collaborator(loop.parent.elt, names)
        ):
            return True  # `gather(*(self._notifier.push(t.owner) for t in tickets))`
        for node in body:
            if (
                isinstance(node, nodes.For)
                and covered(node.iter).locals() & names
                and self._releases_loop_variable(node)
            ):
                return True
            for call in walk(node):
                if (
                    isinstance(call, nodes.Call)
                    and self.is_release(call)
                    and isinstance(call.func.expr, nodes.Name)
                    and call.func.expr.name in names
                ):
                    return True
                if isinstance(call, nodes.Call):  # a helper releasing each item
                    for position, arg in enumerate(call.args):
                        if not (isinstance(arg, nodes.Name) and arg.name in names):
                            continue
                        for callee in self._contexts.resolve_callables(call.func):
                            param = _parameter_at(callee, position, call)
                            if param is not None and any(
                                isinstance(c, nodes.Call)
                                and self.is_release(c)
                                and isinstance(c.func.expr, nodes.Name)
                                and c.func.expr.name == param
                                for c in walk(callee)
                            ):
                                return True
        return False

    def is_release(self, call: nodes.Call) -> bool:
        """`x.close()`, `x.stop()`, `x.close_socket()`: a method named like a shutdown."""
        return isinstance(call.func, nodes.Attribute) and is_shutdown_name(
            call.func.attrname, self._options.shutdown_methods
        )

    def _clearing_lock(self, clears: list[Clear]) -> LockId | None:
        for clear in clears:
            for lock in sorted(clear.held.locks, key=lambda k: k.key):
                if self._locks.is_strong(lock):
                    return lock
        return None

    def _flags(
        self,
        closers: list[FunctionLike],
        lock: LockId | None,
        containers: set[str],
        cls: nodes.ClassDef,
    ) -> list[tuple[str, nodes.NodeNG]]:
        """Attributes the shutdown writes (under the clearing lock, when there is one):
        the closed flag (a boolean), a generation counter (`+= 1`), or any value the class
        tests somewhere. Other containers it empties are not flags; a value nothing tests
        (a generator rebuilt for reuse) does not make the shutdown final."""
        state = self._state.accesses(cls)
        tested = {
            name
            for name, accesses in state.items()
            if any(a.in_test and not _measured(a.node) for a in accesses)
        }
        found: dict[str, nodes.NodeNG] = {}
        # A shutdown method's callers may set the flag before calling it.
        callers = {
            caller
            for callee in closers
            if is_shutdown_name(_name(callee), self._options.shutdown_methods)
            for caller, _ in self._contexts.direct_callers.get(callee, ())
        }
        for function in [*closers, *callers]:
            for node in walk(function):
                if not isinstance(node, nodes.AssignAttr) or not is_self_parameter(node.expr):
                    continue
                if node.attrname in containers or enclosing_function(node) is not function:
                    continue
                if not isinstance(node.parent, nodes.Assign | nodes.AugAssign | nodes.AnnAssign):
                    continue
                if node.attrname not in tested and _flag_rank(node.parent) > 1:
                    continue
                if lock is not None and not self._locks.held_at(node).holds(lock):
                    continue
                found.setdefault(node.attrname, node.parent)
        # A boolean flag names the closed state best, then a counter (a generation).
        return sorted(found.items(), key=lambda item: _flag_rank(item[1]))

    # -- adds after close -----------------------------------------------------------------
    # -- workers and queues ---------------------------------------------------------------
    def workers(self, cls: nodes.ClassDef) -> list[Worker]:
        facts = self._facts(cls)
        if facts.workers is None:
            facts.workers = self._workers(cls)
        return facts.workers

    def _workers(self, cls: nodes.ClassDef) -> list[Worker]:
        found = []
        for function, entry in self._contexts.entry_points().items():
            site = entry.site
            if enclosing_class(site) is not cls and site is not cls:
                continue
            reached = self._contexts.reach(function, cls)
            handle, kind = self._handle_of(site, cls)
            found.append(
                Worker(
                    function,
                    site,
                    handle,
                    kind,
                    frozenset(self._signals(reached)),
                    frozenset(self._queue_ops(reached, operations(Kind.QUEUE).get)),
                    frozenset(self._queue_ops(reached, operations(Kind.QUEUE).put)),
                )
            )
        found.extend(self._owned_thread_objects(cls))
        return found

    def _owned_thread_objects(self, cls: nodes.ClassDef) -> list[Worker]:
        """`self._consumer = ConsumerThread(self._queue)`: an instance of a `Thread`
        subclass of the module, held in an attribute, whose `run` uses the queue the
        owner passed to it."""
        found = []
        class_names = {c.name for c in self._contexts.class_defs}
        for node in (
            n
            for f in self._contexts.functions_by_class.get(cls, [])
            for n in self._contexts.nodes_of(f)
        ):
            if not (
                isinstance(node, nodes.AssignAttr)
                and is_self_parameter(node.expr)
                and isinstance(node.parent, nodes.Assign)
            ):
                continue
            # `ConsumerThread(q)`, or a group of them: `[Reader(q, p) for p in parts]`
            call = next(iter(made_members(node.parent.value)), node.parent.value)
            if not isinstance(call, nodes.Call) or last_name(call.func) not in class_names:
                continue  # cheap: not a class of this module
            worker_class = self._module_class(call)
            if worker_class is None or worker_class is cls:
                continue
            info = self._kinds.kind_of_class(worker_class)
            run = worker_class.locals.get("run")
            if info is None or info.kind is not Kind.THREAD or not run:
                continue
            reached = self._contexts.reach(run[0], worker_class)
            passed = {
                mine: owner_name(argument)
                for mine, argument in passed_attributes(worker_class, call).items()
                if (info := self._kinds.kind_of(argument)) is not None and info.kind is Kind.QUEUE
            }
            # A queue the worker makes itself is the owner's `handle.queue`.
            made = own_queues(worker_class, self._is_queue)
            passed |= {q: f"{node.attrname}.{q}" for q in made if q not in passed}
            queue = operations(Kind.QUEUE)
            consumes = {passed[q] for q in _attribute_ops(reached, queue.get) if q in passed}
            produces = {passed[q] for q in _attribute_ops(reached, queue.put) if q in passed}
            if consumes or produces:
                found.append(
                    Worker(
                        run[0],
                        call,
                        node.attrname,
                        Kind.THREAD,
                        frozenset(),
                        frozenset(consumes),
                        frozenset(produces),
                    )
                )
        return found

    def _is_queue(self, value: nodes.NodeNG) -> bool:
        info = self._kinds.kind_of(value)
        return info is not None and info.kind is Kind.QUEUE

    def _module_class(self, call: nodes.Call) -> nodes.ClassDef | None:
        for value in infer_values(call.func, self._stats):
            if isinstance(value, nodes.ClassDef) and value.root() is self._module:
                return value
        return None

    def _handle_of(self, site: nodes.NodeNG, cls: nodes.ClassDef) -> tuple[str | None, Kind | None]:
        """The attribute that holds what `site` starts: `self._t = Thread(...)`,
        `self._task = create_task(...)`, the executor of `self._pool.submit(...)`."""
        if isinstance(site, nodes.ClassDef):
            return None, Kind.THREAD
        if isinstance(site.func, nodes.Attribute) and self_attr(site.func.expr):
            info = self._kinds.kind_of(site.func.expr)
            if info is not None and info.kind is Kind.EXECUTOR:
                return site.func.expr.attrname, Kind.EXECUTOR
        group = _group_of(site)
        if group is not None:
            # `self._ts.append(create_task(...))`, `self._ts[k] = Thread(...)`: a worker of
            # a group, stopped where the group's items are (P9).
            info = self._kinds.kind_of_call(site)
            return group, info.kind if info else None
        statement = site.parent
        while statement is not None and not statement.is_statement:
            statement = statement.parent
        if isinstance(statement, nodes.Assign):
            for target in statement.targets:
                if isinstance(target, nodes.AssignAttr) and is_self_parameter(target.expr):
                    info = self._kinds.kind_of_call(site)
                    return target.attrname, info.kind if info else None
                if isinstance(target, nodes.AssignName):
                    # `t = Thread(...)`; `self._t = t` or `self._threads.append(t)` later.
                    attr = _stored_as(target.name, enclosing_function(site))
                    if attr is not None:
                        info = self._kinds.kind_of_call(site)
                        return attr, info.kind if info else None
        return None, None

    def _signals(self, functions: list[FunctionLike]) -> set[str]:
        """Flags and events the worker's loops test (`while not self._stop.is_set()`)."""
        found = set()
        for function in functions:
            for node in walk(function):
                if (
                    isinstance(node, nodes.While | nodes.If)
                    and enclosing_function(node) is function
                ):
                    for inner in walk(node.test):
                        if self_attr(inner):
                            found.add(inner.attrname)
        return found

    def _queue_ops(self, functions: list[FunctionLike], methods: frozenset[str]) -> set[str]:
        """Queue attributes the functions call `methods` on: `self._q.get()`, `q.get()` on
        a parameter the class passes `self._q` for (`Thread(target=..., args=(self._q,))`),
        `iter(self._q.get, None)`."""
        found = set()
        for function in functions:
            for node in walk(function):
                if not (
                    isinstance(node, nodes.Attribute)
                    and node.attrname in methods
                    and enclosing_function(node) is function
                ):
                    continue
                receiver = node.expr
                if self_attr(receiver):
                    candidates = [receiver]
                elif isinstance(receiver, nodes.Name):
                    candidates = [a for a in self._parameter_arguments(receiver) if self_attr(a)]
                else:
                    candidates = []
                for candidate in candidates:
                    info = self._kinds.kind_of(candidate)
                    if info is not None and info.kind is Kind.QUEUE:
                        found.add(candidate.attrname)
        return found

    def _parameter_arguments(self, name: nodes.Name) -> list[nodes.NodeNG]:
        try:
            _, assigns = lookup(name, name.name)
        except Exception:  # noqa: BLE001 - astroid lookups fail in many ways on odd code
            return []
        found = []
        for assign in assigns:
            if isinstance(assign, nodes.AssignName) and isinstance(assign.parent, nodes.Arguments):
                found.extend(self._kinds.arguments_passed(assign))
        return found

    # -- stop order -------------------------------------------------------------------------
    def stop_order(self, method: FunctionLike) -> list[Stop]:
        """The statements of a shutdown method (helpers of the class inlined, in order)
        that stop one of the class's workers."""
        cls = enclosing_class(method)
        if cls is None:
            return []
        workers = self.workers(cls)
        if not workers:
            return []
        stops: list[Stop] = []
        for node in self.inlined(method, cls, depth=0):
            for worker in workers:
                how = self._stops(node, worker)
                if how is not None:
                    stops.append(Stop(node, worker, how))
        return stops

    def inlined(self, function: FunctionLike, cls: nodes.ClassDef, depth: int):
        """The calls and assignments of `function` in source order, with the bodies of
        the class's own helpers it calls expanded in place."""
        for node in _in_order(self._contexts.nodes_of(function)):
            yield node
            if depth < 2 and isinstance(node, nodes.Call):
                for callee in self._contexts.resolve_callables(node.func):
                    if enclosing_class(callee) is cls and callee is not function:
                        yield from self.inlined(callee, cls, depth + 1)
                        break

    def _stops(self, node: nodes.NodeNG, worker: Worker) -> StopHow | None:
        joins = operations(Kind.THREAD).join  # `t.join()`
        cancels = operations(Kind.TASK).release  # `task.cancel()`
        queue = operations(Kind.QUEUE)
        if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute):
            method = node.func.attrname
            receiver = node.func.expr
            attr = receiver.attrname if self_attr(receiver) else None
            if attr is not None and attr == worker.handle:
                if worker.handle_kind is Kind.EXECUTOR and method == "shutdown":
                    return StopHow.EXECUTOR_SHUTDOWN
                if method in joins:
                    return StopHow.JOIN
                if method in cancels:
                    return StopHow.CANCEL
                if self._member_stop(node, worker, method) or is_shutdown_name(
                    method, self._options.shutdown_methods
                ):
                    return StopHow.STOP
            if attr is not None and attr in worker.consumes:
                if method in queue.put:
                    return StopHow.SENTINEL
                if method in queue.release:
                    return StopHow.QUEUE_SHUTDOWN
            if (
                attr is not None
                and attr in worker.signals
                and method in operations(Kind.EVENT).release
            ):
                return StopHow.SIGNAL
            # `for t in self._threads: t.join()`; `for r in self._readers: r.stop()`
            loop = loop_binding(receiver) if isinstance(receiver, nodes.Name) else None
            if loop is not None and _walks_group(loop.iter, worker.handle):
                if method in joins | cancels:
                    return StopHow.JOIN if method in joins else StopHow.CANCEL
                if self._member_stop(node, worker, method):
                    return StopHow.STOP
        if isinstance(node, nodes.Assign):
            for target in node.targets:
                if (
                    isinstance(target, nodes.AssignAttr)
                    and is_self_parameter(target.expr)
                    and target.attrname in worker.signals
                    and isinstance(node.value, nodes.Const)
                    and target.attrname not in worker.consumes
                ):
                    return StopHow.SIGNAL
        return None

    def _member_stop(self, node: nodes.Call, worker: Worker, method: str) -> bool:
        """A method of a worker object's own class (`r.stop()` on a `Thread` subclass's
        instance) stops it when its body joins or signals it (summaries), or, where its
        body is not seen, as a shutdown name promises; any other name (`halt()`) only
        where its body joins."""
        member = enclosing_class(worker.function)
        if getattr(worker.function, "name", None) != "run" or member is enclosing_class(node):
            return False  # `Thread(target=self._work)`: a plain thread has no stop method
        if not is_shutdown_name(method, self._options.shutdown_methods):
            return member is not None and self._summaries.method_joins(member, method) is True
        return member is not None and self._summaries.method_stops(member, method) is not False

    # -- loop threads -------------------------------------------------------------------------
    def drives_loop(self, cls: nodes.ClassDef) -> bool:
        """A `Thread` subclass whose `run` drives an event loop."""
        run = cls.locals.get("run")
        if not run:
            return False
        info = self._kinds.kind_of_class(cls)
        if info is None or info.kind is not Kind.THREAD:
            return False
        for function in self._contexts.reach(run[0], cls):
            for node in walk(function):
                if isinstance(node, nodes.Call) and last_name(node.func) in _LOOP_DRIVER_NAMES:
                    return True
        return False

    def loop_closes(self, cls: nodes.ClassDef) -> list[nodes.NodeNG]:
        found = []
        for method in self.shutdown_methods(cls):
            for node in walk(method):
                if isinstance(node, nodes.Call):
                    row = self._contexts.scheduler_of(node)
                    if row is not None and row.role is ThreadRole.LOOP and row.runs_on_thread:
                        found.append(node)
        return found

    def class_of_attribute(self, cls: nodes.ClassDef, name: str) -> nodes.ClassDef | None:
        return class_held_by(cls, name, self._stats)


# -- helpers -----------------------------------------------------------------------------
def _is_empty_container(value: nodes.NodeNG) -> bool:
    if isinstance(value, nodes.List | nodes.Set | nodes.Dict | nodes.Tuple):
        return not getattr(value, "elts", getattr(value, "items", None))
    return (
        isinstance(value, nodes.Call)
        and last_name(value.func) in _EMPTY_FACTORIES
        and not value.args
    )


def iterated_attr(iterable: nodes.NodeNG) -> str | None:
    """`self.c`, `self.c.values()`, `list(self.c)`, `six.itervalues(self.c)` -> "c"."""
    root = _iterated_root(iterable)
    return root.attrname if root is not None and self_attr(root) else None


def _iterated_local(iterable: nodes.NodeNG) -> str | None:
    """`conns`, `conns.values()`, `list(conns)` -> "conns"."""
    root = _iterated_root(iterable)
    return root.name if isinstance(root, nodes.Name) else None


def _iterated_root(iterable: nodes.NodeNG) -> nodes.NodeNG | None:
    """What a loop walks under views and copies: `list(x.values())` -> `x`."""
    node = iterable
    for _ in range(3):
        if self_attr(node) or isinstance(node, nodes.Name):
            return node
        if not isinstance(node, nodes.Call):
            return None
        if isinstance(node.func, nodes.Attribute) and node.func.attrname in _COPY_METHODS:
            node = node.func.expr
        elif node.args:
            node = node.args[0]
        else:
            return None
    return None


def _copies_attr(value: nodes.NodeNG, name: str) -> bool:
    """`list(self.c)`, `self.c[:]`, `self.c.copy()`, `[*self.c, *self.d]`, or `self.c`
    itself (a swap): a value whose items are those of `self.c`."""
    return name in covered(value).attributes(enclosing_class(value))


def _loop_statements(body: list[nodes.NodeNG]):
    """The statements of a loop body, into its `if`/`try`/`with` blocks, not into nested
    loops or definitions."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, nodes.If | nodes.Try | nodes.With | nodes.AsyncWith):
            stack.extend(
                c
                for c in node.get_children()
                if c.is_statement or isinstance(c, nodes.ExceptHandler)
            )
        elif isinstance(node, nodes.ExceptHandler):
            stack.extend(node.body)


def _item_duty(statement: nodes.NodeNG, names: set[str]) -> bool:
    """`item.m(...)` (or `await item.m(...)`) as a statement of its own, on a loop's item,
    or `with item:` / `with closing(item):`, or the item handed to a collaborator."""
    if isinstance(statement, nodes.With | nodes.AsyncWith):
        return any(
            with_releases(item, lambda n: isinstance(n, nodes.Name) and n.name in names)
            for item, _ in statement.items
        )
    if not isinstance(statement, nodes.Expr):
        return False
    call = statement.value.value if isinstance(statement.value, nodes.Await) else statement.value
    return (
        isinstance(call, nodes.Call)
        and isinstance(call.func, nodes.Attribute)
        and isinstance(call.func.expr, nodes.Name)
        and call.func.expr.name in names
    ) or _told_to_collaborator(call, names)


def _told_to_collaborator(call: nodes.NodeNG, names: set[str]) -> bool:
    """`self._notifier.push(t.guest_id, ...)`: the shutdown hands each item (or what
    names it) to an object the class keeps, which acts on it for the item (tells its
    owner, returns it to a pool). That is the item's release as much as `t.close()`:
    an item added after the shutdown is never handed over."""
    if isinstance(call, nodes.Await):
        call = call.value
    if not (
        isinstance(call, nodes.Call)
        and isinstance(call.func, nodes.Attribute)
        and self_attr(call.func.expr)
        and not is_logging_call(call)
    ):
        return False
    arguments = [*call.args, *(k.value for k in call.keywords or ())]
    return any(
        isinstance(n, nodes.Name) and n.name in names
        for argument in arguments
        for n in walk(argument)
    )


def _parameter_at(callee: FunctionLike, position: int, call: nodes.Call) -> str | None:
    params = callee.args.posonlyargs + callee.args.args
    shift = (
        1
        if isinstance(callee.parent, nodes.ClassDef) and isinstance(call.func, nodes.Attribute)
        else 0
    )
    index = position + shift
    return params[index].name if index < len(params) else None


def _pops_attr(value: nodes.NodeNG, name: str) -> bool:
    """`self.c.pop()`, `self.c.popleft()`, `self.c.get_nowait()` inside a loop."""
    return (
        isinstance(value, nodes.Call)
        and isinstance(value.func, nodes.Attribute)
        and value.func.attrname in taking_methods()
        and self_attr(value.func.expr)
        and value.func.expr.attrname == name
        and in_loop(value)
    )


def _stored_as(local: str, function: FunctionLike | None) -> str | None:
    """The attribute a local is kept in: `self._t = t`, or the group it is added to
    (`self._ts.append(t)`, `self._ts[k] = t`)."""
    if function is None:
        return None
    for node in walk(function):
        if not (isinstance(node, nodes.Name) and node.name == local):
            continue
        parent = node.parent
        if isinstance(parent, nodes.Assign) and parent.value is node:
            for target in parent.targets:
                if isinstance(target, nodes.AssignAttr) and is_self_parameter(target.expr):
                    return target.attrname
        group = _group_of(node)
        if group is not None:
            return group
    return None


def _walks_group(iterable: nodes.NodeNG, handle: str | None) -> bool:
    """A loop over `iterable` visits the members of the group `self.<handle>`: the group,
    a view or copy of it, or a local made from one (`ts = list(self._ts.values())`). A
    worker kept in no attribute (handle None) is taken to be visited by a loop over
    anything but an attribute of `self`."""
    if handle is None:
        return iterated_attr(iterable) is None
    return any(
        isinstance(ident, StateKey) and ident.name == handle
        for ident in covered(iterable).containers
    )


def _group_of(value: nodes.NodeNG) -> str | None:
    """The attribute of `self` a container add puts `value` into: `self._ts.append(value)`,
    `self._ts.add(value)`, `self._ts[k] = value` (the kind table's container adds)."""
    parent = value.parent
    if isinstance(parent, nodes.Call) and isinstance(parent.func, nodes.Attribute):
        position = operations(Holder.CONTAINER).added_at.get(parent.func.attrname)
        if (
            position is not None
            and len(parent.args) > position
            and parent.args[position] is value
            and self_attr(parent.func.expr)
        ):
            return parent.func.expr.attrname
    if (
        isinstance(parent, nodes.Assign)
        and parent.value is value
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], nodes.Subscript)
        and self_attr(parent.targets[0].value)
    ):
        return parent.targets[0].value.attrname
    return None


def loop_binding(name: nodes.Name) -> nodes.For | None:
    node = name.parent
    while node is not None and not isinstance(node, FunctionLike):
        if isinstance(node, nodes.For) and any(
            isinstance(t, nodes.AssignName) and t.name == name.name for t in walk(node.target)
        ):
            return node
        node = node.parent
    return None


def _in_order(body: list[nodes.NodeNG]):
    """Calls and assignments among a function's own nodes, in source order."""
    found = [n for n in body if isinstance(n, nodes.Call | nodes.Assign)]
    return sorted(found, key=lambda n: (n.lineno or 0, n.col_offset or 0))


def _name(function: FunctionLike) -> str:
    return getattr(function, "name", "<lambda>")


def _measured(node: nodes.NodeNG) -> bool:
    """`now < self._next_repair`: an ordering compares a quantity (a deadline, a count),
    not a state, so a test of it says nothing about whether the object is closed."""
    parent = node.parent
    return isinstance(parent, nodes.Compare) and all(
        op in ("<", "<=", ">", ">=") for op, _ in parent.ops
    )


def _flag_rank(write: nodes.NodeNG) -> int:
    value = getattr(write, "value", None)
    if isinstance(value, nodes.Const) and isinstance(value.value, bool):
        return 0
    if isinstance(write, nodes.AugAssign):
        return 1
    return 2


def _attribute_ops(functions: list[FunctionLike], methods: frozenset[str]) -> set[str]:
    """Attributes of the instance the functions call (or pass on) `methods` of."""
    return {
        node.expr.attrname
        for function in functions
        for node in walk(function)
        if isinstance(node, nodes.Attribute) and node.attrname in methods and self_attr(node.expr)
    }


def loop_attributes(cls: nodes.ClassDef) -> set[str]:
    """Attributes holding an event loop the class drives (`self._loop.run_forever` as a
    thread target, `self._loop.run_until_complete(...)`)."""
    return {
        node.expr.attrname
        for node in walk(cls)
        if isinstance(node, nodes.Attribute)
        and node.attrname in _LOOP_DRIVER_NAMES
        and self_attr(node.expr)
    }
