"""Where code runs: worker contexts, thread contexts and shutdown paths (SPEC §2).

Entry points are found from the calls that start or schedule code
(`Thread(target=...)`, `executor.submit(fn)`, `asyncio.create_task(coro())`,
...), then propagated along the module's own call graph: a helper called from
a thread target runs in that thread. Shutdown paths are the methods named like
`close`/`stop`, the functions registered with `atexit`/`signal`/
`weakref.finalize`/`addCleanup`, and, at node level, `finally:` blocks,
interrupt handlers and the part after `yield` in a context manager.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import (
    FunctionLike,
    call_argument,
    dotted_name,
    enclosing_class,
    enclosing_function,
    function_of,
    infer_values,
    is_self_parameter,
    last_name,
    qname_of,
    walk,
)

if TYPE_CHECKING:
    from shutdownlint.analysis import ModuleFacts


@dataclass(frozen=True)
class Entry:
    """How a function comes to run apart from its caller."""

    kind: str  # "thread" | "process" | "task" | "callback"
    on_thread: bool  # runs on another OS thread (a thread context, SPEC §2)
    site: nodes.NodeNG  # where it was started or scheduled
    how: str  # e.g. "started as a thread by `threading.Thread(target=...)`"


# "runs {WHERE[entry.kind]}": how a message says where code runs.
WHERE = {
    "thread": "in a worker thread",
    "process": "in a worker process",
    "task": "in an asyncio task",
    "callback": "as a scheduled callback",
}


@dataclass(frozen=True)
class ShutdownPath:
    """Why a piece of code runs while the program stops, and where that is decided."""

    reason: str
    node: nodes.NodeNG


_TEARDOWN_NAMES = frozenset({"teardown", "teardownclass", "teardownmodule", "asyncteardown"})
_INTERRUPTS = frozenset({"KeyboardInterrupt", "SystemExit", "CancelledError"})
_CONTEXT_DECORATORS = frozenset(
    {"contextmanager", "asynccontextmanager", "fixture", "yield_fixture"}
)
_TASK_SPAWNERS = frozenset({"create_task", "ensure_future"})
_EXECUTOR_METHODS = frozenset(
    {
        "submit",
        "map",
        "apply",
        "apply_async",
        "map_async",
        "imap",
        "imap_unordered",
        "starmap",
        "starmap_async",
    }
)
_LOOP_CALLBACKS = {"call_soon": 0, "call_later": 1, "call_at": 1}
_THREAD_STARTERS = {"start_new_thread": 0, "start_new": 0}
# Every call name that can start, schedule or register code, for a cheap first filter.
_SCHEDULER_NAMES = (
    _TASK_SPAWNERS
    | _EXECUTOR_METHODS
    | set(_LOOP_CALLBACKS)
    | set(_THREAD_STARTERS)
    | {
        "Thread",
        "Timer",
        "Process",
        "run_in_executor",
        "to_thread",
        "call_soon_threadsafe",
        "signal",
        "add_done_callback",
        "gather",
        "run_coroutine_threadsafe",
        "register",
        "finalize",
        "addCleanup",
        "addAsyncCleanup",
    }
)


def normalised_method_name(name: str) -> str:
    return name.lstrip("_").lower()


def is_shutdown_name(name: str, shutdown_methods: tuple[str, ...]) -> bool:
    """`close`, `_shutdown`, `stop_channels`, `close_all` match; `stopwatch` does not."""
    candidate = normalised_method_name(name)
    for method in shutdown_methods:
        base = normalised_method_name(method)
        if candidate == base or candidate.startswith(base + "_"):
            return True
    return False


class Contexts:
    def __init__(self, facts: ModuleFacts) -> None:
        self._facts = facts
        self._module = facts.module

    # -- the module's functions and call graph -------------------------------
    @cached_property
    def _function_names(self) -> frozenset[str]:
        return frozenset(n.name for n in walk(self._module) if isinstance(n, nodes.FunctionDef))

    @cached_property
    def _calls_by_function(self) -> dict[FunctionLike | None, list[nodes.Call]]:
        calls: dict[FunctionLike | None, list[nodes.Call]] = {}
        for node in walk(self._module):
            if isinstance(node, nodes.Call):
                calls.setdefault(enclosing_function(node), []).append(node)
        return calls

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
        return graph

    def resolve_callables(self, expr: nodes.NodeNG) -> list[FunctionLike]:
        """The functions of this module that calling `expr` may run."""
        if isinstance(expr, nodes.Lambda):
            return [expr]
        if isinstance(expr, nodes.Call) and last_name(expr.func) == "partial" and expr.args:
            return self.resolve_callables(expr.args[0])
        if isinstance(expr, nodes.Name):
            return self._resolve_name(expr)
        if isinstance(expr, nodes.Attribute):
            found = self._resolve_method(expr)
            if found is not None:
                return found
            if expr.attrname not in self._function_names:
                return []
            return self._resolve_by_inference(expr)
        return []

    def _resolve_name(self, expr: nodes.Name) -> list[FunctionLike]:
        try:
            _, assigns = expr.lookup(expr.name)
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
        for node in walk(self._module):
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
        for value in infer_values(expr, self._facts.stats):
            function = function_of(value)
            if function is not None and function.root() is self._module:
                out.append(function)
        return out

    # -- entry points ----------------------------------------------------------
    @cached_property
    def _roots(self) -> tuple[dict[FunctionLike, Entry], dict[FunctionLike, ShutdownPath]]:
        entries: dict[FunctionLike, Entry] = {}
        shutdowns: dict[FunctionLike, ShutdownPath] = {}
        for calls in self._calls_by_function.values():
            for call in calls:
                self._scan_call(call, entries, shutdowns)
        kinds = self._facts.kinds
        for node in walk(self._module):
            if isinstance(node, nodes.ClassDef):
                info = kinds.kind_of_class(node)
                run = node.locals.get("run")
                is_worker = (
                    info and info.kind in ("thread", "process") and info.flavor != "subprocess"
                )
                if is_worker and run and isinstance(run[0], FunctionLike):
                    on_thread = info.kind == "thread"
                    kind = "thread" if on_thread else "process"
                    how = f"runs in its own {kind}: `run()` of a `{info.qname}` subclass"
                    entries.setdefault(run[0], Entry(kind, on_thread, node, how))
            elif isinstance(node, nodes.FunctionDef):
                reason = self._shutdown_reason_by_name(node)
                if reason:
                    shutdowns.setdefault(node, ShutdownPath(reason, node))
        return entries, shutdowns

    def _shutdown_reason_by_name(self, function: nodes.FunctionDef) -> str | None:
        if not isinstance(function.parent, nodes.ClassDef) and function.name.startswith("__"):
            return None
        if is_shutdown_name(function.name, self._facts.options.shutdown_methods):
            return f"`{function.name}()` is a shutdown method"
        if normalised_method_name(function.name) in _TEARDOWN_NAMES:
            return f"`{function.name}()` runs at test teardown"
        return None

    def _scan_call(
        self,
        call: nodes.Call,
        entries: dict[FunctionLike, Entry],
        shutdowns: dict[FunctionLike, ShutdownPath],
    ) -> None:
        name = last_name(call.func)
        has_target = any(kw.arg == "target" for kw in call.keywords or ())
        if name not in _SCHEDULER_NAMES and not has_target:
            return
        for role, target, payload in self._classify_scheduler(call, name):
            if target is None:
                continue
            for function in self.resolve_callables(target):
                if role == "entry":
                    entries.setdefault(function, payload)
                else:
                    shutdowns.setdefault(function, ShutdownPath(payload, call))

    def _classify_scheduler(self, call: nodes.Call, name: str | None) -> list[tuple]:
        """[("entry", target expr, Entry) | ("shutdown", target expr, reason), ...]."""
        kinds = self._facts.kinds
        text = call.func.as_string()
        if name in ("Thread", "Timer", "Process") or any(
            kw.arg == "target" for kw in call.keywords or ()
        ):
            info = kinds.kind_of_call(call)
            if info is None or info.mapping is not None:
                return []
            if info.kind == "thread":
                if name == "Timer" or info.qname == "threading.Timer":
                    target = call_argument(call, 1, "function")
                else:
                    target = call_argument(call, 1, "target")
                how = f"started as a thread by `{text}(...)`"
                return [("entry", target, Entry("thread", True, call, how))]
            if info.kind == "process" and info.flavor == "process":
                how = f"started as a process by `{text}(...)`"
                target = call_argument(call, 1, "target")
                return [("entry", target, Entry("process", False, call, how))]
            return []
        if name in _EXECUTOR_METHODS and isinstance(call.func, nodes.Attribute):
            info = kinds.kind_of(call.func.expr)
            if info is None or info.kind != "executor" or not call.args:
                return []
            on_thread = info.flavor != "process"
            kind = "thread" if on_thread else "process"
            how = f"run in a worker {kind} by `{text}(...)`"
            return [("entry", call.args[0], Entry(kind, on_thread, call, how))]
        if name == "run_in_executor" and len(call.args) >= 2:
            info = kinds.kind_of(call.args[0])
            on_thread = info is None or info.flavor != "process"
            kind = "thread" if on_thread else "process"
            how = f"run in an executor by `{text}(...)`"
            return [("entry", call.args[1], Entry(kind, on_thread, call, how))]
        if name in ("to_thread", "call_soon_threadsafe") and call.args:
            how = f"run on another thread by `{text}(...)`"
            return [("entry", call.args[0], Entry("thread", True, call, how))]
        if name in _THREAD_STARTERS and call.args:
            how = f"started as a thread by `{text}(...)`"
            return [("entry", call.args[0], Entry("thread", True, call, how))]
        if name == "add_done_callback" and call.args and isinstance(call.func, nodes.Attribute):
            info = kinds.kind_of(call.func.expr)
            on_thread = info is not None and info.kind == "future" and info.flavor == "thread"
            how = f"called back by `{text}(...)`" + (" on the worker's thread" if on_thread else "")
            kind = "thread" if on_thread else "callback"
            return [("entry", call.args[0], Entry(kind, on_thread, call, how))]
        if name in _TASK_SPAWNERS and call.args:
            how = f"run as an asyncio task by `{text}(...)`"
            return [("entry", _coroutine_callee(call.args[0]), Entry("task", False, call, how))]
        if name == "run_coroutine_threadsafe" and call.args:
            how = f"run on the event loop's thread by `{text}(...)`"
            return [("entry", _coroutine_callee(call.args[0]), Entry("task", True, call, how))]
        if name == "gather":
            how = f"run as an asyncio task by `{text}(...)`"
            task = Entry("task", False, call, how)
            return [("entry", _coroutine_callee(arg), task) for arg in call.args]
        if name in _LOOP_CALLBACKS and len(call.args) > _LOOP_CALLBACKS[name]:
            how = f"called back on the event loop by `{text}(...)`"
            target = call.args[_LOOP_CALLBACKS[name]]
            return [("entry", target, Entry("callback", False, call, how))]
        resolved = self._callee_qnames(call)
        if (
            name == "signal"
            and resolved & {"signal.signal", "_signal.signal"}
            and len(call.args) >= 2
        ):
            # A handler interrupts whatever the main thread runs, and runs while stopping.
            how = f"runs as a signal handler registered by `{text}(...)`"
            return [
                ("shutdown", call.args[1], "registered with `signal.signal`"),
                ("entry", call.args[1], Entry("thread", True, call, how)),
            ]
        if name == "register" and "atexit.register" in resolved and call.args:
            return [("shutdown", call.args[0], "registered with `atexit.register`")]
        if name == "finalize" and "weakref.finalize" in resolved and len(call.args) >= 2:
            return [("shutdown", call.args[1], "registered with `weakref.finalize`")]
        if name in ("addCleanup", "addAsyncCleanup") and call.args:
            return [("shutdown", call.args[0], f"registered with `{name}`")]
        return []

    def _callee_qnames(self, call: nodes.Call) -> set[str]:
        names = {qname_of(v) for v in infer_values(call.func, self._facts.stats)}
        return {n for n in names if n} or {dotted_name(call.func) or ""}

    # -- propagation -----------------------------------------------------------
    def _propagate(self, roots: dict[FunctionLike, object]) -> dict[FunctionLike, object]:
        reached = dict(roots)
        queue = deque(roots)
        graph = self.call_graph
        while queue:
            caller = queue.popleft()
            for callee, _ in graph.get(caller, ()):
                if callee not in reached:
                    reached[callee] = reached[caller]
                    queue.append(callee)
        return reached

    @cached_property
    def _worker_map(self) -> dict[FunctionLike, Entry]:
        entries, _ = self._roots
        return self._propagate(entries)  # type: ignore[return-value]

    @cached_property
    def _thread_map(self) -> dict[FunctionLike, Entry]:
        entries, _ = self._roots
        roots = {f: e for f, e in entries.items() if e.on_thread}
        return self._propagate(roots)  # type: ignore[return-value]

    @cached_property
    def _shutdown_map(self) -> dict[FunctionLike, ShutdownPath]:
        # Not propagated to callees: SPEC §2 names the shutdown functions themselves,
        # and a helper reached from close() (a brief lock, say) is not a stop path.
        _, shutdowns = self._roots
        return shutdowns

    # -- queries -----------------------------------------------------------------
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
        child, parent = node, node.parent
        while parent is not None and not isinstance(parent, FunctionLike):
            if isinstance(parent, nodes.Try) and child in parent.finalbody:
                return ShutdownPath("in a `finally:` block", parent)
            if isinstance(parent, nodes.ExceptHandler) and child in parent.body:
                caught = _caught_interrupt(parent)
                if caught:
                    return ShutdownPath(f"in an `except {caught}` handler", parent)
            child, parent = parent, parent.parent
        if parent is None:
            return None
        after_yield = _yield_before(parent, node)
        if after_yield is not None:
            return ShutdownPath("after `yield` in a context manager or fixture", after_yield)
        return self._shutdown_map.get(parent)


def _coroutine_callee(arg: nodes.NodeNG) -> nodes.NodeNG | None:
    """`create_task(self._work(x))` -> `self._work`."""
    if isinstance(arg, nodes.Call):
        return arg.func
    return None


def _caught_interrupt(handler: nodes.ExceptHandler) -> str | None:
    if handler.type is None:
        return None
    types = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    for exc in types:
        name = dotted_name(exc)
        if name and name.rsplit(".", 1)[-1] in _INTERRUPTS:
            return name
    return None


def _yield_before(function: FunctionLike, node: nodes.NodeNG) -> nodes.NodeNG | None:
    """The `yield` that precedes `node` in a @contextmanager / fixture generator."""
    if isinstance(function, nodes.Lambda) or not function.decorators:
        return None
    names = {
        (dotted_name(d.func if isinstance(d, nodes.Call) else d) or "").rsplit(".", 1)[-1]
        for d in function.decorators.nodes
    }
    if not names & _CONTEXT_DECORATORS:
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
