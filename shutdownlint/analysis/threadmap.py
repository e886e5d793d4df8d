"""Which threads run each function of a module: the thread map (RacerD's thread identities).

Roots, then propagation along the module's call graph:
- a function a scheduler hands on runs on the thread the row says (`Scheduler.role`):
  a thread of its own (a `Thread` target or `Timer` function, a `Thread` subclass's
  `run`, a signal handler), an executor's workers (`submit`, `run_in_executor`,
  `to_thread`: several run at once), or the event loop's thread (coroutines, tasks,
  loop callbacks, `call_soon_threadsafe` callbacks); a coroutine function handed to a
  thread or an executor as a callable only makes a coroutine there (its body runs
  where the coroutine is awaited);
- a public function or method (and a dunder other than `__del__`) runs on the
  caller's thread; an `async def` runs on the event loop's thread;
- a class (or module) that takes a thread lock is built for concurrent callers
  (RacerD): its public methods run on `CALLERS`, several application threads at
  once, whoever else in the module calls them, except a public method that only
  the class's own worker drives (`loop_forever()` from the network thread's body):
  that is the object's single driver, `CALLER`;
- a public method of a `Thread` subclass that the module itself calls is not a root
  of its own: it runs where its callers run (`wait_result_broken_or_wakeup` runs on
  the manager thread only);
- a class whose worker thread invokes user callbacks with the object itself
  (`self.on_connect(self, ...)`, the paho-mqtt idiom) has its public methods run
  on that thread too (`ThreadRole.CALLBACK`): users call back into it from there.

Two identities run concurrently unless they are the same single thread, or one is
the caller and the other the event loop (loop-confined asyncio code is called on the
loop's own thread; asyncio code races only with real threads: `to_thread`,
`run_in_executor`, thread targets). `__del__` and fork handlers run with no other
thread (they get no identity); `__init__` and the private helpers only it calls run
before the object is published (`init_only`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.access_kinds import AccessKind, classify
from shutdownlint.analysis.contexts import Contexts, is_shutdown_name
from shutdownlint.analysis.infer import (
    FunctionLike,
    decorator_names,
    enclosing_function,
    in_loop,
    is_self_parameter,
    last_name,
    state_key,
)
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.locks import Locks
from shutdownlint.analysis.safe_calls import EXCEPTION_CLASS
from shutdownlint.analysis.vocabulary import Kind, ThreadRole


@dataclass(frozen=True)
class ThreadId:
    """One thread (or group of threads) that runs code of the module: typed evidence
    (its role and where it was started); how a message names it is the rules' wording
    (`rules/race_words.py`)."""

    role: ThreadRole
    site: nodes.NodeNG | None  # where it was started or scheduled (None: caller, loop)
    several: bool = False  # started in a loop: several threads run the same code
    on: ThreadId | None = None  # CALLBACK: the worker thread the callbacks run on
    # Reached through the class's public API (`listener()` -> `self.read_eager()`): the
    # worker uses the object as any caller does, and is no more concurrent with callers
    # than callers are with each other.
    via_api: bool = False

    def concurrent_with(self, other: ThreadId) -> bool:
        """Code run by `self` and code run by `other` can overlap in time."""
        mine, theirs = self.on or self, other.on or other
        # A worker that uses the public API is one more caller: concurrent with the
        # callers exactly when callers are concurrent with one another.
        if mine.via_api and theirs.role is ThreadRole.CALLER:
            return theirs.several
        if theirs.via_api and mine.role is ThreadRole.CALLER:
            return mine.several
        mine, theirs = replace(mine, via_api=False), replace(theirs, via_api=False)
        if mine == theirs:
            return mine.several or mine.role.concurrent_with_itself
        return {mine.role, theirs.role} != {ThreadRole.CALLER, ThreadRole.LOOP}


CALLER = ThreadId(ThreadRole.CALLER, None)
# The callers of a class (or module) that owns a thread lock: built for concurrent use,
# its public methods may run on several application threads at once (RacerD).
CALLERS = ThreadId(ThreadRole.CALLER, None, several=True)
LOOP = ThreadId(ThreadRole.LOOP, None)
# Every signal handler runs on the main thread: one identity, which interrupts the others.
SIGNAL = ThreadId(ThreadRole.SIGNAL, None)


def concurrent_pair(
    first: Iterable[ThreadId],
    second: Iterable[ThreadId],
    interrupts: bool = True,
    ordered: Callable[[ThreadId, ThreadId], bool] | None = None,
) -> tuple[ThreadId, ThreadId] | None:
    """Two identities, one from each set, that can run at the same time, if any.
    `interrupts=False`: a signal handler and the main thread's code (callers, the loop)
    do not count; the handler runs whole between two of its bytecodes, so neither splits
    a straight-line update of the other (`n += 1`). `ordered(a, b)`: the code the two
    identities run here is ordered by the program (happens-before), so they do not count."""
    second = list(second)
    pairs = [
        (a, b)
        for a in first
        for b in second
        if a.concurrent_with(b)
        and (interrupts or not interrupts_main(a, b))
        and (ordered is None or not ordered(a, b))
    ]
    if not pairs:
        return None
    # The caller first, then workers, for stable messages.
    return min(pairs, key=lambda p: (caller_first(p[0]), caller_first(p[1])))


_ROLE_RANK = {role: rank for rank, role in enumerate(ThreadRole)}


def caller_first(thread: ThreadId) -> tuple:
    """A stable order of identities, for stable messages: the caller first, then by role,
    then by where each was started in the source."""
    site = thread.site
    where = (site.fromlineno or 0, site.col_offset or 0) if site is not None else (0, 0)
    return (
        thread.role is not ThreadRole.CALLER,
        _ROLE_RANK[thread.role],
        where,
        thread.several,
        caller_first(thread.on) if thread.on is not None else (),
    )


def interrupts_main(a: ThreadId, b: ThreadId) -> bool:
    """A signal handler against the main thread's code it interrupts."""
    roles = {(a.on or a).role, (b.on or b).role}
    return ThreadRole.SIGNAL in roles and roles <= _MAIN_THREAD


_MAIN_THREAD = frozenset({ThreadRole.SIGNAL, ThreadRole.CALLER, ThreadRole.LOOP})
# Run before the object (or the test's threads) exist for anyone else: the constructor,
# and a test's set-up, which the runner calls before the test body starts its threads.
_SET_UP = frozenset({"__init__", "__setstate__", "setUp", "asyncSetUp", "setup_method"})
# The start side of an object's lifecycle (the stop side is the shutdown methods).
_START_METHODS = (
    "open",
    "start",
    "connect",
    "setup",
    "initialize",
    "populate",
    "bind",
    "listen",
    "begin",
)
# Cooperative (green) threads: a module built on them and no OS thread is never
# preempted between two statements that do not yield.
_GREEN = frozenset({"eventlet", "gevent", "greenlet"})


class ThreadMap:
    """The threads that run each function of one module (a per-module fact)."""

    def __init__(
        self, module: nodes.Module, contexts: Contexts, kinds: Kinds, locks: Locks
    ) -> None:
        self._module = module
        self._contexts = contexts
        self._kinds = kinds
        self._locks = locks
        self._concurrent_cache: dict[nodes.ClassDef | None, bool] = {}

    # -- queries ---------------------------------------------------------------------
    def threads_of(self, function: FunctionLike | None) -> frozenset[ThreadId]:
        """The identities of the threads that may run `function` (empty: unknown)."""
        if function is None:
            return frozenset()
        return self._map.get(function, frozenset())

    def threads_at(self, node: nodes.NodeNG) -> frozenset[ThreadId]:
        function = node if isinstance(node, FunctionLike) else enclosing_function(node)
        return self.threads_of(function)

    def is_init_only(self, function: FunctionLike | None) -> bool:
        """`__init__`, or a private helper only `__init__` (or such helpers) calls: it
        runs before the object is shared."""
        return function is not None and function in self._init_only

    def is_exempt(self, function: FunctionLike | None) -> bool:
        """`__del__` and fork handlers: no other thread runs beside them."""
        return function is not None and function in self._exempt

    def built_for_concurrent_callers(self, owner: nodes.ClassDef | None) -> bool:
        """The class (None: the module's own functions) takes a thread lock in its code:
        it declares itself built for concurrent use, so its public methods may run on
        several caller threads at once (SPEC "Concurrent callers")."""
        if owner not in self._concurrent_cache:
            self._concurrent_cache[owner] = (
                (not self.green_only and not _is_test_case(owner))
                and any(
                    self._locks.takes_thread_lock(f)
                    for f in self._contexts.functions_by_class.get(owner, ())
                )
                and (
                    self._guards_own_state(owner)
                    or (self._takes_own_lock(owner) and not self._lock_meets_own_thread(owner))
                )
            )
        return self._concurrent_cache[owner]

    def _takes_own_lock(self, owner: nodes.ClassDef | None) -> bool:
        """The class takes a thread lock of its own (SPEC: made in the class or handed to
        its constructor; for the module's functions, a module-level lock). A module-level
        lock a method takes is the module's: it coordinates the class with the module's
        other code (a keep-alive thread of another class that pings while this one forks),
        and says nothing of the object's callers unless it guards the object's fields."""
        return any(
            self._locks.is_thread_lock(info.lock)
            and (owner is None or not isinstance(info.lock.owner, nodes.Module))
            and not _collaborators_lock(info.lock)
            for f in self._contexts.functions_by_class.get(owner, ())
            for info in self._locks.taken(f)
        )

    def _lock_meets_own_thread(self, owner: nodes.ClassDef | None) -> bool:
        """A thread of the object's own takes its lock: a lock held only around calls on
        another object then coordinates that thread with the object's driver (a
        keep-alive writing to the port the caller writes to), not concurrent callers.
        With no thread of its own, such a lock means that callers share the object."""
        return any(
            self._contexts.thread_context(f) is not None and self._locks.takes_thread_lock(f)
            for f in self._contexts.functions_by_class.get(owner, ())
        )

    def _guards_own_state(self, owner: nodes.ClassDef | None) -> bool:
        """Some field of the object (a global, for the module's functions) is read, written
        or changed in place with a thread lock held, by the code itself or in a helper a
        caller runs under it: the lock guards the object's state. A lock held only around
        calls on another object (`with self._port_lock: self._port.write(frame)`) guards
        that object."""
        for function in self._contexts.functions_by_class.get(owner, ()):
            # a helper some caller runs under a thread lock (`with L: self._next()`)
            called_locked = any(
                any(self._locks.is_thread_lock(k) for k in self._locks.local_held(call).locks)
                for _, call in self._contexts.direct_callers.get(function, ())
            )
            for node in self._contexts.nodes_of(function):
                if owner is not None:
                    if not (
                        isinstance(node, nodes.Attribute | nodes.AssignAttr)
                        and is_self_parameter(node.expr)
                    ):
                        continue
                elif not (
                    isinstance(node, nodes.Name | nodes.AssignName)
                    and isinstance(getattr(state_key(node), "owner", None), nodes.Module)
                ):
                    continue  # a local of the function, not module state
                if classify(node)[0] is AccessKind.USE:
                    continue  # a method called on it or on what it holds: another object's
                held = self._locks.held_at(node)
                if (
                    called_locked
                    or held.by_contract
                    or any(
                        self._locks.is_thread_lock(k)
                        # `self._conn` under `self._conn.lock`: the collaborator's business
                        and not k.key.startswith(f"self.{getattr(node, 'attrname', '')}.")
                        for k in held.locks
                    )
                ):
                    return True
        return False

    @cached_property
    def green_only(self) -> bool:
        """The module runs on green threads (eventlet, gevent) and starts no OS thread:
        its callers cannot interleave between statements that do not yield."""
        imported = {
            name.split(".")[0]
            for node in self._module.body
            if isinstance(node, nodes.Import | nodes.ImportFrom)
            for name in (
                [node.modname] if isinstance(node, nodes.ImportFrom) else [n for n, _ in node.names]
            )
        }
        return bool(imported & _GREEN) and not self.thread_sites

    def caller_of(self, function: FunctionLike) -> ThreadId:
        """The identity of the application threads that call a public `function`. A
        lifecycle step (open, start, connect..., close, stop, shutdown...) is called by
        the object's owner, in order, not by concurrent callers."""
        owner = _method_class(function) if isinstance(function.parent, nodes.ClassDef) else None
        if (
            not self.built_for_concurrent_callers(owner)
            or self._lifecycle_step(function)
            or _consumer_step(function)
        ):
            return CALLER
        return CALLERS

    def _lifecycle_step(self, function: FunctionLike) -> bool:
        return self.start_step(function) or self.stop_step(function)

    def start_step(self, function: FunctionLike | None, depth: int = 0) -> bool:
        """The start side of its object's lifecycle: a method named for it (open, start,
        connect...), or a private helper that only such steps call."""
        if function is None:
            return False
        name = getattr(function, "name", "")
        if is_shutdown_name(name, _START_METHODS):
            return True
        callers = self._callers.get(function, ())
        return (
            depth < 3
            and name.startswith("_")
            and not name.startswith("__")
            and function not in self._contexts.entry_points()
            and bool(callers)
            and all(self.start_step(caller, depth + 1) for caller, _ in callers)
        )

    def stop_step(self, function: FunctionLike | None) -> bool:
        """The stop side of its object's lifecycle: a method named for it (close, stop,
        shutdown..., or as configured)."""
        name = getattr(function, "name", "")
        return is_shutdown_name(name, self._contexts.shutdown_methods)

    def started_by_stop_step(self, thread: ThreadId) -> nodes.ClassDef | None:
        """The class whose stop step (`close()`) starts `thread` (or the thread a
        callback runs on), if one does: it runs after the owner is done starting."""
        thread = thread.on or thread
        if thread.role not in (ThreadRole.THREAD, ThreadRole.POOL) or thread.site is None:
            return None
        where = enclosing_function(thread.site)
        if where is None or not self.stop_step(where):
            return None
        return _method_class(where)

    def lifecycle_ordered(self, first: FunctionLike, mine: ThreadId, theirs: ThreadId) -> bool:
        """Code of a start step (`open()`) run by the owner's thread is ordered before a
        thread that a stop step of the same object (`close()`) starts: the owner calls
        the steps in order, and `close()` runs after `open()` has returned."""
        if mine.role is not ThreadRole.CALLER or mine.several or mine.via_api:
            return False
        cls = self.started_by_stop_step(theirs)
        return cls is not None and _method_class(first) is cls and self.start_step(first)

    def module_has_entries(self) -> bool:
        """Some code of the module runs apart from its caller (scheduled, or a coroutine);
        cheap: it needs no call graph."""
        return bool(self._contexts.entry_points()) or any(
            isinstance(f, nodes.AsyncFunctionDef) for f in self._functions
        )

    def module_has_threads(self) -> bool:
        """The module starts threads, hands work to executors or to another thread's
        event loop, or installs signal handlers (cheap: from the entry points, no call
        graph)."""
        return self._starts_threads

    @cached_property
    def _starts_threads(self) -> bool:
        return bool(self.thread_sites) or any(
            self.is_thread_class(c) for c in self._contexts.class_defs
        )

    @cached_property
    def thread_sites(self) -> dict[FunctionLike | None, list[nodes.Call]]:
        """Per function, the calls that hand code to another OS thread (a thread, an
        executor, another thread's event loop, a signal handler). No call graph needed."""
        found: dict[FunctionLike | None, list[nodes.Call]] = {}
        for function, body in self._contexts.nodes_by_function.items():
            for node in body:
                if isinstance(node, nodes.Call):
                    row = self._contexts.scheduler_of(node)
                    if row is not None and row.runs_on_thread:
                        found.setdefault(function, []).append(node)
        return found

    def is_thread_class(self, cls: nodes.ClassDef) -> bool:
        """A `Thread` subclass with its own `run`."""
        if "run" not in cls.locals:
            return False
        info = self._kinds.kind_of_class(cls)
        return info is not None and info.kind is Kind.THREAD

    # -- building ----------------------------------------------------------------------
    @cached_property
    def _functions(self) -> list[FunctionLike]:
        return [f for f in self._contexts.nodes_by_function if f is not None]

    @cached_property
    def _callers(self) -> dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]]:
        callers: dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]] = {}
        for caller, edges in self._contexts.call_graph.items():
            for callee, call in edges:
                callers.setdefault(callee, []).append((caller, call))
        return callers

    @cached_property
    def _exempt(self) -> frozenset[FunctionLike]:
        return frozenset(f for f in self._functions if self._contexts.runs_alone(f))

    @cached_property
    def _init_only(self) -> frozenset[FunctionLike]:
        inits = {f for f in self._functions if getattr(f, "name", "") in _SET_UP}
        found = set(inits)
        entries = self._contexts.entry_points()
        changed = True
        while changed:
            changed = False
            for function in self._functions:
                if function in found or function in entries:
                    continue
                name = getattr(function, "name", "")
                if not name.startswith("_") or name.startswith("__"):
                    continue
                callers = self._callers.get(function)
                # Called only before the object is shared, or where no other thread runs
                # (a fork handler re-initialising it in the child, `__del__`).
                if callers and all(
                    caller in found or caller in self._exempt for caller, _ in callers
                ):
                    found.add(function)
                    changed = True
        return frozenset(found)

    def _entry_id(self, function: FunctionLike) -> ThreadId | None:
        entry = self._contexts.entry_points().get(function)
        if entry is None or entry.role is None:
            return None
        if entry.role is ThreadRole.LOOP:
            return LOOP
        if entry.role is ThreadRole.SIGNAL:
            return SIGNAL
        site = entry.site
        if entry.role in (ThreadRole.THREAD, ThreadRole.POOL) and isinstance(
            function, nodes.AsyncFunctionDef
        ):
            # A thread or executor calls what it is given: a coroutine function only
            # makes a coroutine there, and its body runs where that is awaited.
            row = self._contexts.scheduler_of(site) if isinstance(site, nodes.Call) else None
            if row is not None and not row.coroutine:
                return None
        return ThreadId(entry.role, site, in_loop(site))

    def _is_caller_root(self, function: FunctionLike) -> bool:
        """A public function or method (or a dunder): application threads call it."""
        if isinstance(function, nodes.Lambda | nodes.AsyncFunctionDef):
            return False
        if function in self._exempt or not isinstance(
            function.parent, nodes.ClassDef | nodes.Module
        ):
            return False
        name = function.name
        if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
            return False
        return not (function in self._contexts.entry_points() and function not in self._called)

    @cached_property
    def _called(self) -> frozenset[FunctionLike]:
        return frozenset(self._callers)

    @cached_property
    def _map(self) -> dict[FunctionLike, frozenset[ThreadId]]:
        roots: dict[ThreadId, set[FunctionLike]] = {}
        # Public methods the module itself calls: roots only if some caller is not on a
        # worker thread (`loop_forever()` called by the network thread is that thread's
        # body, not an entry point of its own).
        called_public: list[FunctionLike] = []
        for function in self._functions:
            if function in self._exempt:
                continue
            identity = self._entry_id(function)
            if identity is not None:
                roots.setdefault(identity, set()).add(function)
            if isinstance(function, nodes.AsyncFunctionDef):
                roots.setdefault(LOOP, set()).add(function)
            if self._is_caller_root(function):
                if function in self._called:
                    called_public.append(function)
                else:
                    roots.setdefault(self.caller_of(function), set()).add(function)
        found = self._spread(roots)
        for function in called_public:
            callers = [caller for caller, _ in self._callers.get(function, ())]
            on_workers = all(
                found.get(c) and all(t.role is not ThreadRole.CALLER for t in found[c])
                for c in callers
            )
            caller = self.caller_of(function)
            if not on_workers:
                roots.setdefault(caller, set()).add(function)
            elif caller is CALLERS and not self._own_thread_method(function):
                # A public method the class's own worker drives (`loop_forever()` from the
                # network thread's body, and the `loop_read()` it calls): an application
                # may drive it instead, from one thread, but it is the object's single
                # driver, not one of its concurrent callers.
                roots.setdefault(CALLER, set()).add(function)
        found = self._spread(roots)
        # A worker that calls user callbacks with the object: its public methods run there too.
        callbacks: dict[ThreadId, set[FunctionLike]] = {}
        for function, identities in found.items():
            workers = [t for t in identities if t.role in (ThreadRole.THREAD, ThreadRole.POOL)]
            if not workers:
                continue
            for call in self._user_callback_calls(function):
                cls = _method_class(function)
                public = [
                    m
                    for m in cls.mymethods()
                    if self.caller_of(m) in found.get(m, ()) and self._is_caller_root(m)
                ]
                for worker in workers:
                    identity = ThreadId(ThreadRole.CALLBACK, call, on=worker)
                    callbacks.setdefault(identity, set()).update(public)
        for identity, starts in callbacks.items():
            for function in self._reach(starts):
                found.setdefault(function, set()).add(identity)
        return {f: frozenset(ids) for f, ids in found.items()}

    def _spread(
        self, roots: dict[ThreadId, set[FunctionLike]]
    ) -> dict[FunctionLike, set[ThreadId]]:
        found: dict[FunctionLike, set[ThreadId]] = {}
        api = roots.get(CALLER, set()) | roots.get(CALLERS, set())
        for identity, starts in roots.items():
            if identity.role not in (ThreadRole.THREAD, ThreadRole.POOL):
                for function in self._reach(starts):
                    found.setdefault(function, set()).add(identity)
                continue
            # A worker's own code, up to the public methods it calls; from there on it
            # runs as a caller of the API.
            own = self._reach(starts, stop=api)
            for function in own:
                found.setdefault(function, set()).add(identity)
            entered = {
                callee
                for caller in own
                for callee, _ in self._contexts.call_graph.get(caller, ())
                if callee in api and callee not in starts
            }
            as_caller = replace(identity, via_api=True)
            for function in self._reach(entered):
                found.setdefault(function, set()).add(as_caller)
        return found

    def _own_thread_method(self, function: FunctionLike) -> bool:
        """A method of a `Thread` subclass: called in the module only from that thread's
        own code, it runs on that one thread (no application thread drives the thread's
        body for it)."""
        cls = _method_class(function) if isinstance(function.parent, nodes.ClassDef) else None
        return cls is not None and self.is_thread_class(cls)

    def _reach(
        self, starts: Iterable[FunctionLike], stop: set[FunctionLike] = frozenset()
    ) -> set[FunctionLike]:
        seen = set(starts)
        queue = deque(seen)
        graph = self._contexts.call_graph
        while queue:
            caller = queue.popleft()
            for callee, call in graph.get(caller, ()):
                if callee in seen or callee in self._exempt or callee in stop:
                    continue
                if self._contexts.is_scheduled_coroutine(call):
                    continue
                if isinstance(callee, nodes.AsyncFunctionDef) and not isinstance(
                    caller, nodes.AsyncFunctionDef
                ):
                    continue  # calling a coroutine function from sync code only makes a coroutine
                seen.add(callee)
                queue.append(callee)
        return seen

    def _user_callback_calls(self, function: FunctionLike) -> list[nodes.Call]:
        """`self.on_connect(self, ...)`, `callback(self, ...)`: a callable the object does
        not define, called with the object itself."""
        if _method_class(function) is None:
            return []
        found = []
        for node in self._contexts.nodes_of(function):
            if not isinstance(node, nodes.Call):
                continue
            if not any(is_self_parameter(a) for a in node.args):
                continue
            if isinstance(node.parent, nodes.Raise) or EXCEPTION_CLASS.search(
                last_name(node.func) or ""
            ):
                continue  # `raise ExecutorError(self, msg)`: an exception made, no callback
            func = node.func
            if isinstance(func, nodes.Attribute) and is_self_parameter(func.expr):
                targets = self._contexts.resolve_callables(func)
                if all(_is_property(t) for t in targets):
                    found.append(node)
            elif isinstance(func, nodes.Name) and not self._contexts.resolve_callables(func):
                found.append(node)
        return found


def _collaborators_lock(lock) -> bool:
    """`self._conn.lock`: the lock a collaborator carries, which guards that object's
    fields and says nothing of how many threads call this one."""
    return lock.key.startswith("self.") and lock.key.count(".") >= 2


def _consumer_step(function: FunctionLike) -> bool:
    """A step of an iterator its class is (`__iter__` returns `self`): `__next__`, the
    method `__next__` names (`__next__ = next`), `__anext__`. One consumer iterates an
    iterator; two threads taking turns on one are not a supported use (a generator
    refuses them), so these run on the consumer's thread, not on concurrent callers."""
    cls = function.parent
    if not isinstance(cls, nodes.ClassDef) or isinstance(function, nodes.Lambda):
        return False
    if function.name in ("__next__", "__anext__"):
        return True
    if not _iterates_itself(cls):
        return False
    for assign in cls.locals.get("__next__", ()):
        statement = assign.parent
        if (
            isinstance(statement, nodes.Assign)
            and isinstance(statement.value, nodes.Name)
            and statement.value.name == function.name
        ):
            return True
    return False


def _iterates_itself(cls: nodes.ClassDef) -> bool:
    """`def __iter__(self): return self`."""
    for method in cls.locals.get("__iter__", ()):
        if isinstance(method, nodes.FunctionDef) and any(
            isinstance(node, nodes.Return) and is_self_parameter(node.value) for node in method.body
        ):
            return True
    return False


def _is_test_case(owner: nodes.ClassDef | None) -> bool:
    """A test class: the runner calls its methods one at a time on one thread; only the
    threads a test starts run beside them."""
    if owner is None:
        return False
    if owner.name.startswith("Test"):
        return True
    try:
        return any(base.name.endswith("TestCase") for base in owner.ancestors())
    except (AstroidError, RecursionError):
        return False


def _method_class(function: FunctionLike) -> nodes.ClassDef | None:
    current: nodes.NodeNG | None = function
    while current is not None and not isinstance(current.parent, nodes.ClassDef):
        current = enclosing_function(current) if isinstance(current, FunctionLike) else None
    return current.parent if current is not None else None


def _is_property(function: FunctionLike) -> bool:
    return bool(decorator_names(function) & {"property", "setter"})
