"""Where code runs: worker contexts, thread contexts and shutdown paths (SPEC §2).

Entry points are found from the calls that start or schedule code (the rows of
`schedulers.SCHEDULERS`), then propagated along the module's own call graph: a
helper called from a thread target runs in that thread. Shutdown paths are the
methods named like `close`/`stop`, the functions registered with `atexit`,
`signal`, `weakref.finalize` or `addCleanup`, and the module's functions they
call; at node level, `finally:` blocks and interrupt handlers (owned by
`paths`) and the part after `yield` in a context manager.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property, lru_cache
from typing import TypeVar

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import (
    FunctionLike,
    call_argument,
    decorator_names,
    dotted_name,
    enclosing_class,
    enclosing_function,
    function_of,
    infer_values,
    is_self_parameter,
    last_name,
    lookup,
    loop_iterable,
    qname_of,
    walk,
)
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.paths import cleanup_region
from shutdownlint.analysis.schedulers import (
    SCHEDULERS_BY_KEYWORD,
    SCHEDULERS_BY_NAME,
    Guard,
    Role,
    Scheduler,
    Subject,
)
from shutdownlint.analysis.vocabulary import ContextKind, Flavor, Kind, ThreadRole


@dataclass(frozen=True)
class Entry:
    """How a function comes to run apart from its caller."""

    context: ContextKind
    on_thread: bool  # runs on another OS thread (a thread context, SPEC §2)
    site: nodes.NodeNG  # where it was started or scheduled (the call, or the subclass)
    function: FunctionLike  # the function that is started (the entry point)
    role: ThreadRole | None = None  # which thread runs it (None: another process)
    scheduler: Scheduler | None = None  # the row of the call at `site`
    base: str | None = None  # no scheduler: `run()` of a subclass of this class


class ShutdownWhy(Enum):
    """Why code runs while the program stops (the words are the rules')."""

    NAMED = "named"  # a method named like a shutdown method
    TEARDOWN = "teardown"  # a test's teardown method
    SCHEDULED = "scheduled"  # handed to a scheduler that runs it at shutdown (`atexit`)
    CLEANUP = "cleanup"  # in a `finally:` block or an interrupt handler
    AFTER_YIELD = "after-yield"  # after `yield` in a context manager or fixture


@dataclass(frozen=True)
class ShutdownPath:
    """Why a piece of code runs while the program stops, and where that is decided."""

    why: ShutdownWhy
    node: nodes.NodeNG
    name: str = ""  # NAMED, TEARDOWN: the method; CLEANUP: the interrupt caught, if any
    scheduler: Scheduler | None = None  # SCHEDULED: the row of the call at `node`
    via: str | None = None  # a helper's: the shutdown function it is called from


_TEARDOWN_NAMES = frozenset({"teardown", "teardownclass", "teardownmodule", "asyncteardown"})
_CONTEXT_DECORATORS = frozenset(
    {"contextmanager", "asynccontextmanager", "fixture", "yield_fixture"}
)
# Workers are started by these; a shutdown-named function only ever handed to one of
# them (outside a shutdown path) is a worker for the object's lifetime (SPEC §2).
_LIFETIME_STARTERS = frozenset({ContextKind.THREAD, ContextKind.PROCESS, ContextKind.TASK})

_V = TypeVar("_V")
_REGISTER_AT_FORK = "register_at_fork"
# Names of the handlers that reset state in a forked child (`_at_fork_reinit`,
# `_reinit_after_fork`): they run while the child has a single thread.
_FORK_WORDS = ("reinit", "after", "child", "reset", "rebuild", "at_fork")


def normalised_method_name(name: str) -> str:
    return name.lstrip("_").lower()


@lru_cache(maxsize=4096)
def is_shutdown_name(name: str, shutdown_methods: tuple[str, ...]) -> bool:
    """`close`, `_shutdown`, `stop_channels`, `close_all` match; `stopwatch` does not.
    Remembered: asked again for every method of every class by several providers."""
    candidate = normalised_method_name(name)
    for method in shutdown_methods:
        base = normalised_method_name(method)
        if candidate == base or candidate.startswith(base + "_"):
            return True
    return False


@dataclass(frozen=True)
class _Scheduled:
    """One function a scheduler call hands on, and the row that says how."""

    function: FunctionLike
    row: Scheduler
    call: nodes.Call


class Contexts:
    """Where the code of one module runs (a per-module fact)."""

    def __init__(
        self,
        module: nodes.Module,
        options: AnalysisOptions,
        kinds: Kinds,
        stats: Counter[str],
    ) -> None:
        self._module = module
        self._options = options
        self._kinds = kinds
        self._stats = stats
        self._scheduler_cache: dict[nodes.Call, Scheduler | None] = {}

    # -- the module's functions and call graph -------------------------------
    def defines_function(self, name: str) -> bool:
        """Some function or method of the module has this name (a cheap first test)."""
        return name in self._function_names

    @cached_property
    def _function_names(self) -> frozenset[str]:
        return frozenset(n.name for n in self.all_nodes if isinstance(n, nodes.FunctionDef))

    @cached_property
    def _calls_by_function(self) -> dict[FunctionLike | None, list[nodes.Call]]:
        return {
            function: [n for n in body if isinstance(n, nodes.Call)]
            for function, body in self.nodes_by_function.items()
        }

    @cached_property
    def nodes_by_function(self) -> dict[FunctionLike | None, list[nodes.NodeNG]]:
        """Every node of the module under the innermost function that holds it (None:
        module and class level), in source order; a nested function's own node belongs
        to its enclosing function. One walk, shared by every per-function question."""
        return self._index[0]

    @cached_property
    def all_nodes(self) -> list[nodes.NodeNG]:
        """Every node of the module, in the order `walk(module)` gives them."""
        return self._index[1]

    @cached_property
    def _index(self) -> tuple[dict[FunctionLike | None, list[nodes.NodeNG]], list[nodes.NodeNG]]:
        found: dict[FunctionLike | None, list[nodes.NodeNG]] = {}
        preorder = self._kinds.module_nodes  # the walk kinds made: parents come first
        # The function a node's children belong to: the node itself if it is one, else
        # the one the node belongs to.
        inner: dict[nodes.NodeNG, FunctionLike | None] = {}
        for node in preorder:
            owner = inner.get(node.parent)
            found.setdefault(owner, []).append(node)
            inner[node] = node if isinstance(node, FunctionLike) else owner
        return found, preorder

    @cached_property
    def class_defs(self) -> list[nodes.ClassDef]:
        return [n for n in self.all_nodes if isinstance(n, nodes.ClassDef)]

    @cached_property
    def functions_by_class(self) -> dict[nodes.ClassDef | None, list[FunctionLike]]:
        """The functions (methods, nested functions, lambdas) under each class (None:
        outside any class), by their innermost enclosing class."""
        found: dict[nodes.ClassDef | None, list[FunctionLike]] = {}
        for function in self.nodes_by_function:
            if function is not None:
                found.setdefault(enclosing_class(function), []).append(function)
        return found

    def nodes_of(self, function: FunctionLike) -> list[nodes.NodeNG]:
        """The nodes of `function`'s own body (not those of functions nested in it)."""
        return self.nodes_by_function.get(function, [])

    @cached_property
    def call_graph(self) -> dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]]:
        """Caller -> (callee, call site) for calls that resolve within this module."""
        graph: dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]] = {}
        for caller, calls in self._calls_by_function.items():
            if caller is None:
                continue
            for call in calls:
                for callee in self.resolve_callables(call.func):
                    graph.setdefault(caller, []).append((callee, call))
        self._add_setter_calls(graph)
        return graph

    def _add_setter_calls(
        self, graph: dict[FunctionLike, list[tuple[FunctionLike, nodes.NodeNG]]]
    ) -> None:
        """`self.offline = names` runs the class's `@offline.setter`: a call of it from
        the function that assigns (the assignment stands for the call site)."""
        for caller, node, setter in self._setter_stores:
            graph.setdefault(caller, []).append((setter, node))

    @cached_property
    def _setter_stores(self) -> list[tuple[FunctionLike, nodes.AssignAttr, nodes.FunctionDef]]:
        setters = {
            (cls, function.name): function
            for cls in self.class_defs
            for function in cls.body  # each def: the setter shares the getter's name
            if isinstance(function, nodes.FunctionDef)
            and function.decorators
            and any(
                isinstance(d, nodes.Attribute) and d.attrname == "setter"
                for d in function.decorators.nodes
            )
        }
        if not setters:
            return []
        found = []
        for caller, body in self.nodes_by_function.items():
            if caller is None:
                continue
            for node in body:
                if isinstance(node, nodes.AssignAttr) and is_self_parameter(node.expr):
                    setter = setters.get((enclosing_class(caller), node.attrname))
                    if setter is not None and setter is not caller:
                        found.append((caller, node, setter))
        return found

    @cached_property
    def direct_call_graph(self) -> dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]]:
        """The part of `call_graph` that needs no inference: `self.m()` / `cls.m()` /
        `super().m()` and calls of a name (`_helper()`). Cheap; enough for questions
        within one class (who calls this private helper, what close() calls)."""
        graph: dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]] = {}
        for caller, calls in self._calls_by_function.items():
            if caller is None:
                continue
            for call in calls:
                func = call.func
                if isinstance(func, nodes.Name):
                    callees = self._resolve_name(func, 0)
                elif isinstance(func, nodes.Attribute):
                    callees = self._resolve_method(func) or []
                else:
                    continue
                for callee in callees:
                    graph.setdefault(caller, []).append((callee, call))
        self._add_setter_calls(graph)
        return graph

    @cached_property
    def direct_callers(self) -> dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]]:
        """`direct_call_graph` turned round: {callee: [(caller, the call)]}."""
        callers: dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]] = {}
        for caller, edges in self.direct_call_graph.items():
            for callee, call in edges:
                callers.setdefault(callee, []).append((caller, call))
        return callers

    def reach(
        self,
        start: FunctionLike | Iterable[FunctionLike],
        within: nodes.ClassDef | None = None,
        *,
        inferred: bool = False,
        skip_alone: bool = False,
    ) -> list[FunctionLike]:
        """`start` and every function it calls, transitively, in the order found: through
        `direct_call_graph` (no inference) or, with `inferred`, `call_graph`. `within`
        follows only the functions of that class; `skip_alone` leaves out code that runs
        with no other thread beside it (`__del__`, fork handlers: `runs_alone`)."""
        found = [start] if isinstance(start, FunctionLike) else list(start)
        seen = set(found)
        pending = list(found)
        graph = self.call_graph if inferred else self.direct_call_graph
        while pending:
            function = pending.pop()
            for callee, _ in graph.get(function, ()):
                if callee in seen or (within is not None and enclosing_class(callee) is not within):
                    continue
                if skip_alone and self.runs_alone(callee):
                    continue
                seen.add(callee)
                found.append(callee)
                pending.append(callee)
        return found

    def stop_methods(self, cls: nodes.ClassDef) -> Iterator[FunctionLike]:
        """The methods of `cls` named like a shutdown method (SPEC §2), leaving out those
        that run alone (`__del__`, fork handlers)."""
        for method in cls.mymethods():
            if self.runs_alone(method):
                continue
            if is_shutdown_name(method.name, self._options.shutdown_methods):
                yield method

    @cached_property
    def _called_directly(self) -> frozenset[FunctionLike]:
        """Functions called as such somewhere (making a coroutine to hand to
        `create_task(f())` is not calling it)."""
        return frozenset(
            callee
            for edges in self.call_graph.values()
            for callee, call in edges
            if not self.is_scheduled_coroutine(call)
        )

    def is_scheduled_coroutine(self, call: nodes.Call) -> bool:
        """`f()` in `create_task(f())`: it makes a coroutine that runs later, elsewhere."""
        parent = call.parent
        if not isinstance(parent, nodes.Call) or call not in parent.args:
            return False
        row = self.scheduler_of(parent)
        return row is not None and row.coroutine

    def resolve_callables(self, expr: nodes.NodeNG, depth: int = 0) -> list[FunctionLike]:
        """The functions of this module that calling `expr` may run."""
        if isinstance(expr, nodes.Lambda):
            return [expr]
        if isinstance(expr, nodes.Call) and last_name(expr.func) == "partial" and expr.args:
            return self.resolve_callables(expr.args[0], depth)
        if isinstance(expr, nodes.Name):
            return self._resolve_name(expr, depth)
        if isinstance(expr, nodes.Attribute):
            found = self._resolve_method(expr)
            if found is not None:
                return found
            if expr.attrname not in self._function_names:
                return []
            return self._resolve_by_inference(expr)
        return []

    def _resolve_name(self, expr: nodes.Name, depth: int) -> list[FunctionLike]:
        try:
            _, assigns = lookup(expr, expr.name)
        except (AstroidError, RecursionError):
            return []
        out: list[FunctionLike] = []
        for assign in assigns:
            if assign.root() is not self._module:
                continue
            if isinstance(assign, FunctionLike):
                out.append(assign)
            elif isinstance(assign, nodes.ClassDef):
                init = assign.locals.get("__init__")
                if init and isinstance(init[0], nodes.FunctionDef):
                    out.append(init[0])
            elif depth < 2:
                # `for f in (a, b): Thread(target=f)`: each function the loop binds.
                iterable = loop_iterable(assign)
                if isinstance(iterable, nodes.Tuple | nodes.List | nodes.Set):
                    for element in iterable.elts:
                        out.extend(self.resolve_callables(element, depth + 1))
        return out

    def _resolve_method(self, expr: nodes.Attribute) -> list[FunctionLike] | None:
        """`self.m` / `cls.m` / `super().m`: the method in the class, its module ancestors
        and, for `self`, overrides in the module's subclasses. None: not such an expression."""
        cls = enclosing_class(expr)
        if cls is None:
            return None
        receiver = expr.expr
        is_super = isinstance(receiver, nodes.Call) and last_name(receiver.func) == "super"
        if not is_super and not is_self_parameter(receiver):
            return None
        try:
            ancestors = list(cls.ancestors())
        except (AstroidError, RecursionError):
            ancestors = []
        classes = ancestors if is_super else [cls, *ancestors]
        out: list[FunctionLike] = []
        for klass in classes:
            if klass.root() is not self._module:
                continue
            method = klass.locals.get(expr.attrname)
            if method and isinstance(method[0], FunctionLike):
                out.append(method[0])
                break
        if not is_super:
            for sub in self._subclasses.get(cls, ()):
                method = sub.locals.get(expr.attrname)
                if method and isinstance(method[0], FunctionLike):
                    out.append(method[0])
        return out

    @cached_property
    def _subclasses(self) -> dict[nodes.ClassDef, list[nodes.ClassDef]]:
        subs: dict[nodes.ClassDef, list[nodes.ClassDef]] = {}
        for node in self.all_nodes:
            if isinstance(node, nodes.ClassDef):
                try:
                    for base in node.ancestors():
                        if base.root() is self._module:
                            subs.setdefault(base, []).append(node)
                except (AstroidError, RecursionError):
                    continue
        return subs

    def _resolve_by_inference(self, expr: nodes.NodeNG) -> list[FunctionLike]:
        out = []
        for value in infer_values(expr, self._stats):
            function = function_of(value)
            if function is not None and function.root() is self._module:
                out.append(function)
        return out

    # -- schedulers ----------------------------------------------------------------
    def scheduler_of(self, call: nodes.Call) -> Scheduler | None:
        """The row of `SCHEDULERS` that `call` matches, if any (the first whose guard holds)."""
        if call not in self._scheduler_cache:
            self._scheduler_cache[call] = self._scheduler_row(call)
        return self._scheduler_cache[call]

    def _scheduler_row(self, call: nodes.Call) -> Scheduler | None:
        rows = SCHEDULERS_BY_NAME.get(last_name(call.func) or "", ())
        for kw in call.keywords or ():
            rows += SCHEDULERS_BY_KEYWORD.get(kw.arg or "", ())
        for row in rows:
            if self._guard_holds(row.guard, call):
                return row
        return None

    def _guard_holds(self, guard: Guard, call: nodes.Call) -> bool:
        if guard.subject is Subject.NAME:
            return True
        if guard.subject is Subject.CALLEE:
            return bool(guard.qnames & self._callee_qnames(call))
        if guard.subject is Subject.CONSTRUCTED:
            info = self._kinds.kind_of_call(call)
        elif guard.subject is Subject.RECEIVER:
            if not isinstance(call.func, nodes.Attribute):
                return False
            info = self._kinds.kind_of(call.func.expr)
        else:  # Subject.FIRST_ARGUMENT
            info = self._kinds.kind_of(call.args[0]) if call.args else None
        return (
            info is not None
            and info.kind is guard.kind
            and (not guard.flavors or info.flavor in guard.flavors)
        )

    def _callee_qnames(self, call: nodes.Call) -> set[str]:
        names = {qname_of(v) for v in infer_values(call.func, self._stats)}
        return {n for n in names if n} or {dotted_name(call.func) or ""}

    def _scheduled(self, call: nodes.Call) -> list[_Scheduled]:
        row, targets = self.scheduled_targets(call)
        if row is None:
            return []
        return [_Scheduled(f, row, call) for t in targets for f in self.resolve_callables(t)]

    def scheduled_targets(self, call: nodes.Call) -> tuple[Scheduler | None, list[nodes.NodeNG]]:
        """The row of the scheduler `call` is, and the callables it hands it (the
        coroutine's callee for a task: `create_task(drain(q))` hands `drain`)."""
        row = self.scheduler_of(call)
        if row is None:
            return None, []
        if row.every_positional:
            arguments = list(call.args)
        else:
            argument = call_argument(call, row.callee_position, row.callee_keyword or "")
            arguments = [argument] if argument is not None else []
        targets = [_coroutine_callee(a) if row.coroutine else a for a in arguments]
        return row, [t for t in targets if t is not None]

    # -- entry points ----------------------------------------------------------
    @cached_property
    def _roots(
        self,
    ) -> tuple[
        dict[FunctionLike, Entry], dict[FunctionLike, ShutdownPath], dict[FunctionLike, list[Entry]]
    ]:
        entries: dict[FunctionLike, Entry] = {}
        starts: dict[FunctionLike, list[Entry]] = {}  # every site, where `entries` keeps the first
        shutdowns: dict[FunctionLike, ShutdownPath] = {}
        lifetime_workers: set[FunctionLike] = set()
        for calls in self._calls_by_function.values():
            for call in calls:
                if last_name(call.func) not in SCHEDULERS_BY_NAME and not any(
                    kw.arg in SCHEDULERS_BY_KEYWORD for kw in call.keywords or ()
                ):
                    continue
                for scheduled in self._scheduled(call):
                    self._record(scheduled, entries, starts, shutdowns, lifetime_workers)
        for node in self.all_nodes:
            if isinstance(node, nodes.ClassDef):
                self._record_run_method(node, entries)
            elif isinstance(node, nodes.FunctionDef) and node not in lifetime_workers:
                why = self._shutdown_reason_by_name(node)
                if why is not None:
                    shutdowns.setdefault(node, ShutdownPath(why, node, node.name))
        return entries, shutdowns, starts

    def _record(
        self,
        scheduled: _Scheduled,
        entries: dict[FunctionLike, Entry],
        starts: dict[FunctionLike, list[Entry]],
        shutdowns: dict[FunctionLike, ShutdownPath],
        lifetime_workers: set[FunctionLike],
    ) -> None:
        row, call, function = scheduled.row, scheduled.call, scheduled.function
        if Role.ENTRY in row.roles and row.context is not None:
            entry = Entry(row.context, row.runs_on_thread, call, function, row.role, row)
            entries.setdefault(function, entry)
            starts.setdefault(function, []).append(entry)
            if (
                row.context in _LIFETIME_STARTERS
                and Role.SHUTDOWN not in row.roles
                and function not in self._called_directly
                and not self._is_shutdown_function(enclosing_function(call))
            ):
                lifetime_workers.add(function)
        if Role.SHUTDOWN in row.roles:
            shutdowns.setdefault(function, ShutdownPath(ShutdownWhy.SCHEDULED, call, scheduler=row))

    def _is_shutdown_function(self, function: FunctionLike | None) -> bool:
        return (
            isinstance(function, nodes.FunctionDef)
            and self._shutdown_reason_by_name(function) is not None
        )

    def _record_run_method(self, cls: nodes.ClassDef, entries: dict[FunctionLike, Entry]) -> None:
        """`run()` of a Thread or Process subclass runs in its own thread or process, also
        when a mixin base of the module defines it."""
        info = self._kinds.kind_of_class(cls)
        if info is None:
            return
        run = None
        try:
            bases = [cls, *cls.ancestors()]
        except (AstroidError, RecursionError):
            bases = [cls]
        for klass in bases:
            if klass.root() is not self._module:
                break
            method = klass.locals.get("run")
            if method and isinstance(method[0], FunctionLike):
                run = method[0]
                break
        if run is None:
            return
        if info.kind is Kind.THREAD and info.flavor is Flavor.THREADING:
            context = ContextKind.THREAD
        elif info.kind is Kind.PROCESS and info.flavor is Flavor.MULTIPROCESSING:
            context = ContextKind.PROCESS
        else:
            return
        on_thread = context is ContextKind.THREAD
        role = ThreadRole.THREAD if on_thread else None
        entries.setdefault(run, Entry(context, on_thread, cls, run, role, base=info.qname))

    def _shutdown_reason_by_name(self, function: nodes.FunctionDef) -> ShutdownWhy | None:
        if not isinstance(function.parent, nodes.ClassDef) and function.name.startswith("__"):
            return None
        if _is_blocking_join(function):
            return None
        if self._called_for_its_result(function):
            return None
        if is_shutdown_name(function.name, self._options.shutdown_methods):
            return ShutdownWhy.NAMED
        if normalised_method_name(function.name) in _TEARDOWN_NAMES:
            return ShutdownWhy.TEARDOWN
        return None

    def _called_for_its_result(self, function: nodes.FunctionDef) -> bool:
        """Every call of `function` in the module uses what it returns (`joined =
        self._join_exited_workers()`, `return not self._reap()`): a query that cleans up
        as it answers (a reaper returning what it reaped, run whenever its callers need
        the answer), not the object's stop step, which is called for its effect."""
        calls = [call for _, call in self.direct_callers.get(function, ())]
        return bool(calls) and all(_result_used(call) for call in calls)

    # -- propagation -----------------------------------------------------------
    def _propagate(
        self,
        roots: Mapping[FunctionLike, _V],
        step=lambda caller, callee, value: value,
    ) -> dict[FunctionLike, _V]:
        reached = dict(roots)
        queue = deque(roots)
        graph = self.call_graph
        while queue:
            caller = queue.popleft()
            for callee, _ in graph.get(caller, ()):
                if callee not in reached:
                    reached[callee] = step(caller, callee, reached[caller])
                    queue.append(callee)
        return reached

    @cached_property
    def _worker_map(self) -> dict[FunctionLike, Entry]:
        entries, _, _ = self._roots
        return self._propagate(entries)

    @cached_property
    def _thread_map(self) -> dict[FunctionLike, Entry]:
        entries, _, _ = self._roots
        return self._propagate({f: e for f, e in entries.items() if e.on_thread})

    @cached_property
    def _shutdown_map(self) -> dict[FunctionLike, ShutdownPath]:
        """Shutdown functions, and the module's functions they call (SPEC §2); a helper's
        reason names the shutdown function it is reached from."""
        _, shutdowns, _ = self._roots

        def step(caller: FunctionLike, callee: FunctionLike, path: ShutdownPath) -> ShutdownPath:
            if caller in shutdowns:
                return replace(path, via=getattr(caller, "name", "<lambda>"))
            return path

        return self._propagate(shutdowns, step)

    # -- queries -----------------------------------------------------------------
    def starts_of(self, function: FunctionLike) -> list[Entry]:
        """Every place the module hands `function` to a scheduler (a consumer may be
        started by several producers), in source order; `entry_points` keeps the first."""
        return self._roots[2].get(function, [])

    def entry_points(self) -> Mapping[FunctionLike, Entry]:
        """The functions the module hands to a scheduler (or a Thread/Process subclass's
        `run`), each with how it comes to run; the roots of the worker map."""
        entries, _, _ = self._roots
        return entries

    def worker_context(self, node: nodes.NodeNG) -> Entry | None:
        """How the code at `node` runs apart from its caller (thread, process, task)."""
        function = node if isinstance(node, FunctionLike) else enclosing_function(node)
        return self._worker_map.get(function) if function is not None else None

    def thread_context(self, node: nodes.NodeNG) -> Entry | None:
        """How the code at `node` comes to run on another OS thread, if it does."""
        function = node if isinstance(node, FunctionLike) else enclosing_function(node)
        return self._thread_map.get(function) if function is not None else None

    def shutdown_path(self, node: nodes.NodeNG) -> ShutdownPath | None:
        """Why the code at `node` runs while stopping, if it does."""
        region = cleanup_region(node)
        if region is not None:
            return ShutdownPath(ShutdownWhy.CLEANUP, region.node, region.caught or "")
        function = enclosing_function(node)
        if function is None:
            return None
        after_yield = _yield_before(function, node)
        if after_yield is not None:
            return ShutdownPath(ShutdownWhy.AFTER_YIELD, after_yield)
        return self._shutdown_map.get(function)

    def is_stop_method(self, function: FunctionLike) -> bool:
        """Named like a shutdown method (SPEC §2) and not a worker's target."""
        _, shutdowns, _ = self._roots
        path = shutdowns.get(function)
        return path is not None and path.node is function

    def runs_alone(self, function: FunctionLike | None) -> bool:
        """`__del__` and fork handlers: code that runs with no other thread of the
        program beside it (a finalizer, the single thread of a forked child)."""
        return function is not None and function in self._alone

    @cached_property
    def _alone(self) -> frozenset[FunctionLike]:
        registered: set[FunctionLike] = set()
        for calls in self._calls_by_function.values():
            for call in calls:
                if last_name(call.func) == _REGISTER_AT_FORK:
                    for kw in call.keywords or ():
                        registered.update(self.resolve_callables(kw.value))
        alone = set(registered)
        for node in self.all_nodes:
            if isinstance(node, nodes.FunctionDef):
                lowered = node.name.lower()
                if node.name == "__del__" or (
                    "fork" in lowered and any(w in lowered for w in _FORK_WORDS)
                ):
                    alone.add(node)
        # Re-initialisers (`reset()` run by `if self.pid != os.getpid():` and by
        # `__init__`): reached only in a forked child, or before the object is shared.
        changed = True
        while changed:
            changed = False
            for callee, calls in self.direct_callers.items():
                if callee in alone or not any(_after_fork(c, f) for f, c in calls):
                    continue
                if all(
                    _after_fork(c, f) or f in alone or getattr(f, "name", "") == "__init__"
                    for f, c in calls
                ):
                    alone.add(callee)
                    changed = True
        return frozenset(alone)

    @property
    def shutdown_methods(self) -> tuple[str, ...]:
        """The configured names of shutdown methods (SPEC "Shutdown path")."""
        return self._options.shutdown_methods

    def shutdown_function(self, function: FunctionLike) -> ShutdownPath | None:
        """Why `function` as a whole runs while stopping (by name, registration, or being
        called from such a function), if it does."""
        return self._shutdown_map.get(function)


def runs_after_fork(node: nodes.NodeNG, function: FunctionLike) -> bool:
    """`node` runs only in a forked child, where the process id changed (`if self._pid !=
    os.getpid():` around it): only the forking thread lives there, so it races with no
    other thread of the child."""
    return _under_getpid_test(node, function, changed_only=True)


def _after_fork(call: nodes.Call, function: FunctionLike) -> bool:
    """`call` runs only where the process id changed: `if self.pid != os.getpid():`."""
    return _under_getpid_test(call, function, changed_only=False)


def _under_getpid_test(node: nodes.NodeNG, function: FunctionLike, changed_only: bool) -> bool:
    """`node` is in the body of an `if` of `function` whose test calls `getpid()`; with
    `changed_only`, a test that is one `!=` comparison (the `==` spelling is the parent)."""
    while node.parent is not None and node is not function:
        parent = node.parent
        if (
            isinstance(parent, nodes.If)
            and node in parent.body
            and (
                not changed_only
                or (
                    isinstance(parent.test, nodes.Compare)
                    and len(parent.test.ops) == 1
                    and parent.test.ops[0][0] == "!="
                )
            )
            and any(
                isinstance(n, nodes.Call) and last_name(n.func) == "getpid"
                for n in parent.test.nodes_of_class(nodes.Call)
            )
        ):
            return True
        node = parent
    return False


def _is_blocking_join(function: nodes.FunctionDef) -> bool:
    """A `join()` method with no `timeout` parameter blocks by contract (`Queue.join`,
    `Pool.join`): waiting is its job, and its callers choose when to call it (SPEC §2)."""
    if normalised_method_name(function.name) != "join":
        return False
    args = function.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    return not any(p.name == "timeout" for p in params)


def _coroutine_callee(arg: nodes.NodeNG) -> nodes.NodeNG | None:
    """`create_task(self._work(x))` -> `self._work`."""
    if isinstance(arg, nodes.Call):
        return arg.func
    return None


def _yield_before(function: FunctionLike, node: nodes.NodeNG) -> nodes.NodeNG | None:
    """The `yield` that precedes `node` in a @contextmanager / fixture generator."""
    if not decorator_names(function) & _CONTEXT_DECORATORS:
        return None
    for candidate in walk(function):
        if (
            isinstance(candidate, nodes.Yield)
            and enclosing_function(candidate) is function
            and candidate.lineno is not None
            and node.lineno is not None
            and (candidate.end_lineno or candidate.lineno) < node.lineno
        ):
            return candidate
    return None


def _result_used(call: nodes.Call) -> bool:
    """The caller does something with the call's value (not a statement of its own,
    awaited or not)."""
    node: nodes.NodeNG = call
    if not isinstance(node, nodes.Call):
        return False  # a property store standing for its setter's call
    if isinstance(node.parent, nodes.Await):
        node = node.parent
    return not isinstance(node.parent, nodes.Expr)
