"""What orders two accesses to shared state across functions (happens-before).

Two accesses on two threads race only when nothing in the program orders them. The
orders known here, each a statement about programs, not about one spelling:
- a join: one side joins a thread (no timeout needed: `join()` returns only once the
  thread ended, or the caller goes on knowing it may not have) before its access, and
  the other runs on a thread: `stop()` joins the worker, then clears its state; the
  join may sit in a method called first (`self._halt()` joins: `summaries`);
- the lifecycle: the owner calls an object's start step (`open()`, `start()`,
  `connect()`...) before its stop step (`close()`, `stop()`...), so what a start step
  does on the owner's thread is ordered before a thread that a stop step starts (the
  teardown thread `close()` hands the work to);
- a callback hand-off: a write made before its function hands a callable of the
  module on (to a scheduler row, an event source's registration, a stream's run, a
  thread's target: any call that receives it as a value, not a call of it) is
  ordered before every run of that callable, and of what it calls: nothing can run
  it through that hand-off before the hand-off is made. It orders only where the
  module runs the callable from nowhere else (no other hand-off, no direct call of
  the function the other access is in) and the writing function runs on one thread
  (several at once: one caller's write can follow another caller's hand-off);
- a locked state transition: once a flag is set under a lock, and every add to a
  container re-checks that flag under the same lock, the container is frozen, and
  reading it after the transition races with nothing. The flag may be set by a method
  of another object of the module (`self._event.set()` sets `_flag` under its
  `condition`, which this class names `self._event.condition`), and tested through a
  method that reads it (`if self.done():`).

Writes made before the function that makes them starts a thread (`precedes_thread_start`)
or hands work on (`HAND_OFFS`) are ordered in `shared` and `races`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from astroid import nodes

from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.infer import (
    FunctionLike,
    enclosing_function,
    in_loop,
    is_self_parameter,
    walk,
)
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.locks import LockId, Locks
from shutdownlint.analysis.shared import Access, AccessKind, SharedState
from shutdownlint.analysis.summaries import Summaries
from shutdownlint.analysis.threadmap import ThreadId, ThreadMap
from shutdownlint.analysis.vocabulary import Kind, ThreadRole


class Order:
    """Happens-before between the accesses of one module (a per-module fact)."""

    def __init__(
        self,
        kinds: Kinds,
        contexts: Contexts,
        locks: Locks,
        threads: ThreadMap,
        state: SharedState,
        summaries: Summaries,
    ) -> None:
        self._summaries = summaries
        self._testers_cache: dict[frozenset[str], frozenset[str]] = {}
        self._kinds = kinds
        self._contexts = contexts
        self._locks = locks
        self._threads = threads
        self._state = state

    def joined_before(self, access: Access, other: Access) -> bool:
        """One side joins a thread before its access, and the other runs on a thread:
        the join orders them (`stop()` joins the worker, then clears its state)."""
        for first, second in ((access, other), (other, access)):
            if any(t.role is ThreadRole.THREAD for t in second.threads) and self.joins_before(
                first.function, first.node
            ):
                return True
        return False

    def joins_before(
        self, function: FunctionLike, node: nodes.NodeNG, threads: frozenset[ThreadId] | None = None
    ) -> bool:
        """`function` joins a thread before `node`: the thread's own `join()`, or a method
        of the object (or of its worker) that joins its workers. With `threads`, a direct
        `join()` must be of one of those threads (its object made where they start)."""
        sites = None if threads is None else {t.site for t in threads}
        line = node.lineno or 0
        for call in walk(function):
            if not (
                isinstance(call, nodes.Call)
                and (call.lineno or 0) < line
                and enclosing_function(call) is function
            ):
                continue
            if isinstance(call.func, nodes.Attribute) and call.func.attrname == "join":
                info = self._kinds.kind_of(call.func.expr)
                if (
                    info is not None
                    and info.kind is Kind.THREAD
                    and (sites is None or sites & set(info.creations))
                ):
                    return True
            if _on_self(call) and self._summaries.call_joins(call):
                return True  # a method of the object (or of its worker) that joins it
        return False

    # -- callback hand-off -------------------------------------------------------
    def handed_on_before(self, access: Access, other: Access) -> bool:
        """One side writes before its function hands on, as a value, a callable within
        which the other side runs, and only there: the hand-off orders them (`run()`
        stores the start time, then passes `self._on_events` to the stream)."""
        for first, second in ((access, other), (other, access)):
            if not first.kind.writes or any(t.several for t in first.threads):
                continue
            line = first.node.lineno or 0
            for call in self._hand_offs_in.get(first.function, ()):
                if (call.lineno or 0) <= line or in_loop(call):
                    continue
                for callback in self._handed(call):
                    if self._only_through(callback, first.function, line) and self._runs_within(
                        second.function, callback, 0
                    ):
                        return True
        return False

    @cached_property
    def _hand_offs(self) -> dict[FunctionLike, list[nodes.Call]]:
        """Callable of the module -> the calls that receive it as an argument."""
        found: dict[FunctionLike, list[nodes.Call]] = {}
        for node in self._contexts.all_nodes:
            if not isinstance(node, nodes.Call):
                continue
            for callback in self._handed(node):
                found.setdefault(callback, []).append(node)
        return found

    @cached_property
    def _hand_offs_in(self) -> dict[FunctionLike, list[nodes.Call]]:
        """Function -> the calls in its body that hand a callable of the module on."""
        found: dict[FunctionLike, list[nodes.Call]] = {}
        for calls in self._hand_offs.values():
            for call in calls:
                function = enclosing_function(call)
                if function is not None and call not in found.get(function, []):
                    found.setdefault(function, []).append(call)
        return found

    def _handed(self, call: nodes.Call) -> list[FunctionLike]:
        """The callables of the module `call` receives as values (`f`, `self.m`,
        `partial(f, ...)`), not the results of calling them."""
        found: list[FunctionLike] = []
        values = [*call.args, *(k.value for k in call.keywords or ())]
        for value in values:
            if isinstance(value, nodes.Name | nodes.Attribute) or (
                isinstance(value, nodes.Call)
                and value.func is not None
                and getattr(value.func, "attrname", getattr(value.func, "name", "")) == "partial"
            ):
                found.extend(
                    f
                    for f in self._contexts.resolve_callables(value)
                    if not isinstance(f, nodes.Lambda)
                )
        return found

    def _only_through(self, callback: FunctionLike, function: FunctionLike, line: int) -> bool:
        """Every hand-off of `callback` in the module is in `function` after `line`."""
        return all(
            enclosing_function(call) is function and (call.lineno or 0) > line
            for call in self._hand_offs.get(callback, ())
        )

    def _runs_within(self, function: FunctionLike, callback: FunctionLike, depth: int) -> bool:
        """`function` is `callback`, or the module calls it only from within `callback`
        (and `callback` is called directly nowhere)."""
        if function is callback:
            return not self._contexts.direct_callers.get(callback)
        if depth >= 3 or function in self._contexts.entry_points():
            return False
        callers = self._contexts.direct_callers.get(function, ())
        return bool(callers) and all(
            caller is not function and self._runs_within(caller, callback, depth + 1)
            for caller, _ in callers
        )

    def threads_ordered(
        self, access: Access, other: Access
    ) -> Callable[[ThreadId, ThreadId], bool]:
        """For `concurrent_pair`: whether `access` run by the first identity and `other`
        run by the second are ordered by the object's lifecycle."""

        def ordered(mine: ThreadId, theirs: ThreadId) -> bool:
            return self._threads.lifecycle_ordered(
                access.function, mine, theirs
            ) or self._threads.lifecycle_ordered(other.function, theirs, mine)

        return ordered

    # -- frozen after a locked transition -------------------------------------------
    def frozen_after_flag(self, access: Access, accesses: list[Access]) -> bool:
        """After a flag was set under a lock (by this function, or by its callers before
        calling it, directly or through a method of another object of the module), every
        add to the state re-checks that flag under the same lock: the state no longer
        changes (`ThreadPoolExecutor.shutdown` joins `_threads` unlocked after
        `_shutdown = True`; a future runs its callbacks after its event is set). A write
        is itself a change: never frozen."""
        if access.kind.writes:
            return False
        function = access.function
        sites = [(function, access.node.lineno or 0)]
        sites.extend(
            (caller, call.lineno or 0)
            for caller, call in self._contexts.direct_callers.get(function, ())
        )
        flags: dict[LockId, set[str]] = {}
        for site, line in sites:
            self._flags_set(access.key.owner, site, line, flags)
        if not flags:
            return False
        adds = [
            a
            for a in accesses
            if a.kind in (AccessKind.MUTATE, AccessKind.WRITE, AccessKind.RMW)
            and not a.quiet
            and a.function is not function
            and all(a.function is not site for site, _ in sites)
        ]
        return all(
            any(
                self._locks.tests_before(a.node, self._testers(names), lock)
                for lock, names in flags.items()
            )
            for a in adds
        )

    def _flags_set(
        self, owner: nodes.NodeNG, site: FunctionLike, line: int, flags: dict[LockId, set[str]]
    ) -> None:
        """The state `site` writes under a lock before `line`, by lock: its own writes,
        and those of a method of another object it calls (`self._event.set()`), with the
        lock named as `site`'s class names it (`self._event.condition`)."""
        for name, others in self._state.accesses(owner).items():
            for other in others:
                if (
                    other.function is site
                    and other.kind is AccessKind.WRITE
                    and (other.node.lineno or 0) < line
                ):
                    for lock in other.held.locks:
                        flags.setdefault(lock, set()).add(name)
        if not isinstance(owner, nodes.ClassDef):
            return
        for node in self._contexts.nodes_of(site):
            if not (
                isinstance(node, nodes.Call)
                and (node.lineno or 0) < line
                and isinstance(node.func, nodes.Attribute)
                and isinstance(node.func.expr, nodes.Attribute)
                and is_self_parameter(node.func.expr.expr)
            ):
                continue
            holder = node.func.expr.attrname
            for callee in self._contexts.resolve_callables(node.func):
                cls = callee.parent
                if not isinstance(cls, nodes.ClassDef) or cls is owner:
                    continue
                if cls not in self._state.owners:
                    continue
                for name, others in self._state.accesses(cls).items():
                    for other in others:
                        if other.function is not callee or other.kind is not AccessKind.WRITE:
                            continue
                        for lock in other.held.locks:
                            if lock.owner is None and lock.key.startswith("self."):
                                seen = LockId(f"self.{holder}.{lock.key[5:]}", owner)
                                flags.setdefault(seen, set()).add(name)

    def _testers(self, names: set[str]) -> set[str]:
        """`names` and the methods of the module's classes that return them, transitively
        (`done()` returns `self._event.is_set()`, which returns `self._flag`)."""
        key = frozenset(names)
        if key in self._testers_cache:
            return set(self._testers_cache[key])
        found = set(names)
        for _ in range(3):
            grown = set(found)
            for cls in self._contexts.class_defs:
                for method in cls.mymethods():
                    if method.name in grown:
                        continue
                    if any(
                        isinstance(r, nodes.Return)
                        and r.value is not None
                        and any(
                            isinstance(n, nodes.Attribute) and n.attrname in found
                            for n in walk(r.value)
                        )
                        for r in walk(method)
                    ):
                        grown.add(method.name)
            if grown == found:
                break
            found = grown
        self._testers_cache[key] = frozenset(found)
        return found


def _on_self(call: nodes.Call) -> bool:
    """`self.m()` or `self.<attr>.m()`: a method of the object or of what it keeps."""
    func = call.func
    if not isinstance(func, nodes.Attribute):
        return False
    receiver = func.expr
    if isinstance(receiver, nodes.Attribute):
        receiver = receiver.expr
    return is_self_parameter(receiver)
