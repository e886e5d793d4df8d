"""What an expression refers to: a queue, an event, a thread, a socket...

Inference first (astroid follows imports, aliases and instance attributes
into the standard library), assignment tracking within the module second
(`self._q = queue.Queue(5)` seen from another method, annotated parameters,
dataclass fields). A kind is never guessed from a variable's name.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from astroid import bases, extract_node, nodes
from astroid.exceptions import AstroidError, AstroidSyntaxError

from shutdownlint.analysis.astroid_env import is_project_module, proxied
from shutdownlint.analysis.infer import (
    StateKey,
    call_argument,
    enclosing_class,
    function_of,
    has_star_arguments,
    imported_name,
    infer_values,
    is_self_parameter,
    last_name,
    lookup,
    loop_iterable,
    made_by_one_call,
    qname_of,
    state_key,
    walk,
)
from shutdownlint.analysis.operations import Holder, operations
from shutdownlint.analysis.options import TypeMapping
from shutdownlint.analysis.schedulers import SCHEDULERS_BY_KEYWORD, SCHEDULERS_BY_NAME, Scheduler
from shutdownlint.analysis.vocabulary import BoundState, Flavor, Kind

_T, _M, _S, _A = Flavor.THREADING, Flavor.MULTIPROCESSING, Flavor.SUBPROCESS, Flavor.ASYNCIO
_MP_CONTEXT = "multiprocessing.context.BaseContext."

#: The one table of known types: a class (matched anywhere in an object's MRO, the
#: most derived match wins) or a factory function/method (matched as the callee),
#: by qualified name, and the kind and flavor of what it makes.
KNOWN_TYPES: dict[str, tuple[Kind, Flavor]] = {
    # queues
    "queue.Queue": (Kind.QUEUE, _T),
    "queue.LifoQueue": (Kind.QUEUE, _T),
    "queue.PriorityQueue": (Kind.QUEUE, _T),
    "queue.SimpleQueue": (Kind.QUEUE, _T),
    "_queue.SimpleQueue": (Kind.QUEUE, _T),
    "multiprocessing.queues.Queue": (Kind.QUEUE, _M),
    "multiprocessing.queues.JoinableQueue": (Kind.QUEUE, _M),
    "multiprocessing.queues.SimpleQueue": (Kind.QUEUE, _M),
    _MP_CONTEXT + "Queue": (Kind.QUEUE, _M),
    _MP_CONTEXT + "JoinableQueue": (Kind.QUEUE, _M),
    _MP_CONTEXT + "SimpleQueue": (Kind.QUEUE, _M),
    "asyncio.queues.Queue": (Kind.QUEUE, _A),
    "asyncio.queues.PriorityQueue": (Kind.QUEUE, _A),
    "asyncio.queues.LifoQueue": (Kind.QUEUE, _A),
    # events, conditions, semaphores, barriers
    "threading.Event": (Kind.EVENT, _T),
    "asyncio.locks.Event": (Kind.EVENT, _A),
    "multiprocessing.synchronize.Event": (Kind.EVENT, _M),
    _MP_CONTEXT + "Event": (Kind.EVENT, _M),
    "threading.Condition": (Kind.CONDITION, _T),
    "asyncio.locks.Condition": (Kind.CONDITION, _A),
    "multiprocessing.synchronize.Condition": (Kind.CONDITION, _M),
    _MP_CONTEXT + "Condition": (Kind.CONDITION, _M),
    "threading.Semaphore": (Kind.SEMAPHORE, _T),
    "threading.BoundedSemaphore": (Kind.SEMAPHORE, _T),
    "asyncio.locks.Semaphore": (Kind.SEMAPHORE, _A),
    "asyncio.locks.BoundedSemaphore": (Kind.SEMAPHORE, _A),
    "multiprocessing.synchronize.Semaphore": (Kind.SEMAPHORE, _M),
    "multiprocessing.synchronize.BoundedSemaphore": (Kind.SEMAPHORE, _M),
    _MP_CONTEXT + "Semaphore": (Kind.SEMAPHORE, _M),
    _MP_CONTEXT + "BoundedSemaphore": (Kind.SEMAPHORE, _M),
    "threading.Barrier": (Kind.BARRIER, _T),
    "asyncio.locks.Barrier": (Kind.BARRIER, _A),
    "multiprocessing.synchronize.Barrier": (Kind.BARRIER, _M),
    _MP_CONTEXT + "Barrier": (Kind.BARRIER, _M),
    # locks
    "threading.Lock": (Kind.LOCK, _T),
    "threading.RLock": (Kind.LOCK, _T),
    "_thread.allocate_lock": (Kind.LOCK, _T),
    "_thread.lock": (Kind.LOCK, _T),
    "_thread.LockType": (Kind.LOCK, _T),
    "_thread.RLock": (Kind.LOCK, _T),
    "threading._RLock": (Kind.LOCK, _T),
    "asyncio.locks.Lock": (Kind.LOCK, _A),
    "multiprocessing.synchronize.Lock": (Kind.LOCK, _M),
    "multiprocessing.synchronize.RLock": (Kind.LOCK, _M),
    _MP_CONTEXT + "Lock": (Kind.LOCK, _M),
    _MP_CONTEXT + "RLock": (Kind.LOCK, _M),
    # futures and tasks (a Task is a Future: the most derived match wins)
    "asyncio.tasks.Task": (Kind.TASK, _A),
    "_asyncio.Task": (Kind.TASK, _A),
    "asyncio.tasks.create_task": (Kind.TASK, _A),
    "asyncio.tasks.ensure_future": (Kind.TASK, _A),
    "asyncio.base_events.BaseEventLoop.create_task": (Kind.TASK, _A),
    "asyncio.events.AbstractEventLoop.create_task": (Kind.TASK, _A),
    "asyncio.taskgroups.TaskGroup.create_task": (Kind.TASK, _A),
    "asyncio.futures.Future": (Kind.FUTURE, _A),
    "_asyncio.Future": (Kind.FUTURE, _A),
    "asyncio.base_events.BaseEventLoop.create_future": (Kind.FUTURE, _A),
    "asyncio.events.AbstractEventLoop.create_future": (Kind.FUTURE, _A),
    "asyncio.base_events.BaseEventLoop.run_in_executor": (Kind.FUTURE, _A),
    "asyncio.events.AbstractEventLoop.run_in_executor": (Kind.FUTURE, _A),
    "concurrent.futures._base.Future": (Kind.FUTURE, _T),
    "asyncio.tasks.run_coroutine_threadsafe": (Kind.FUTURE, _T),
    "concurrent.futures._base.Executor.submit": (Kind.FUTURE, _T),
    "concurrent.futures.thread.ThreadPoolExecutor.submit": (Kind.FUTURE, _T),
    "concurrent.futures.process.ProcessPoolExecutor.submit": (Kind.FUTURE, _T),
    # threads, processes, executors
    "threading.Thread": (Kind.THREAD, _T),
    "multiprocessing.process.BaseProcess": (Kind.PROCESS, _M),
    "subprocess.Popen": (Kind.PROCESS, _S),
    "concurrent.futures.process.ProcessPoolExecutor": (Kind.EXECUTOR, _M),
    "concurrent.futures._base.Executor": (Kind.EXECUTOR, _T),
    "multiprocessing.pool.ThreadPool": (Kind.EXECUTOR, _T),
    "multiprocessing.pool.Pool": (Kind.EXECUTOR, _M),
    _MP_CONTEXT + "Pool": (Kind.EXECUTOR, _M),
    # third-party types known by the names they are imported as (their packages are
    # usually not installed beside the linter)
    "paramiko.Transport": (Kind.THREAD, _T),
    "paramiko.transport.Transport": (Kind.THREAD, _T),
    # sockets and servers
    "socket.socket": (Kind.SOCKET, _T),
    "_socket.socket": (Kind.SOCKET, _T),
    "ssl.SSLSocket": (Kind.SOCKET, _T),
    "socket.create_connection": (Kind.SOCKET, _T),
    "socket.create_server": (Kind.SOCKET, _T),
    "socket.fromfd": (Kind.SOCKET, _T),
    "ssl.SSLContext.wrap_socket": (Kind.SOCKET, _T),
    "socketserver.BaseServer": (Kind.SERVER, _T),
    "asyncio.base_events.Server": (Kind.SERVER, _A),
    "asyncio.events.AbstractServer": (Kind.SERVER, _A),
    "asyncio.base_events.BaseEventLoop.create_server": (Kind.SERVER, _A),
    "asyncio.events.AbstractEventLoop.create_server": (Kind.SERVER, _A),
    "asyncio.streams.start_server": (Kind.SERVER, _A),
    "asyncio.streams.start_unix_server": (Kind.SERVER, _A),
}

#: Methods whose name alone says what they return, for when the receiver cannot be
#: inferred (`loop = asyncio.get_running_loop()` is a C function astroid cannot see into):
#: only event loops (and task groups) have them.
KNOWN_METHODS: dict[str, tuple[Kind, Flavor]] = {
    "create_future": (Kind.FUTURE, _A),
    "create_task": (Kind.TASK, _A),
    "run_in_executor": (Kind.FUTURE, _A),
}

# Queue classes whose first positional argument is not `maxsize`: they never fill up.
_SIMPLE_QUEUES = frozenset(
    {
        "queue.SimpleQueue",
        "_queue.SimpleQueue",
        "multiprocessing.queues.SimpleQueue",
        _MP_CONTEXT + "SimpleQueue",
    }
)
_DATACLASS_FIELD = ("dataclasses.field", "field")
# `d.values()`, `d.items()` iterate over what `d` holds (items: pairs, kept simple).
_VIEWS = frozenset({"values", "copy"})


# Modules whose classes define what a kind does (the rows of the operations table).
_STDLIB_ROOTS = frozenset({"asyncio", "concurrent", "threading", "queue", "multiprocessing"})


@dataclass(frozen=True)
class KindInfo:
    """What an expression is, and where it was made (when that is known)."""

    kind: Kind
    flavor: Flavor
    qname: str  # the standard-library or user class (or factory) that decided the kind
    creations: tuple[nodes.NodeNG, ...] = ()  # constructor calls, annotations
    mapping: TypeMapping | None = None  # set when a `[tool.shutdownlint.types]` entry matched

    def made_at(self, creations: tuple[nodes.NodeNG, ...]) -> KindInfo:
        return KindInfo(self.kind, self.flavor, self.qname, creations, self.mapping)


@dataclass(frozen=True)
class Bound:
    """The capacity of a queue.

    A bounded queue has `size` when the bound is a constant; None when an explicit
    `maxsize` expression cannot be pinned down (a parameter, `len(...)`, a setting).
    """

    state: BoundState
    size: int | None = None
    node: nodes.NodeNG | None = None  # where the bound was set


class Kinds:
    """What expressions of one module refer to (a per-module fact)."""

    def __init__(
        self, module: nodes.Module, types: tuple[TypeMapping, ...], stats: Counter[str]
    ) -> None:
        self._module = module
        self._types = types
        self._stats = stats
        self._cache: dict[nodes.NodeNG, KindInfo | None] = {}
        self._returning: set[nodes.NodeNG] = set()  # factories being summarised (recursion)

    # -- classes -------------------------------------------------------------
    def kind_of_class(self, cls: nodes.ClassDef) -> KindInfo | None:
        """The kind of instances of `cls`: the most derived known class in its MRO."""
        try:
            ancestors = [cls, *cls.ancestors()]
        except (AstroidError, RecursionError):
            ancestors = [cls]
        for klass in ancestors:
            try:
                qname = klass.qname()
            except AstroidError:
                continue
            info = self._known(qname)
            if info is not None:
                return info
        return None

    def _known(self, qname: str | None) -> KindInfo | None:
        """The kind a class or factory of this qualified name makes: a user mapping
        first, then the table of known types."""
        if qname is None:
            return None
        for mapping in self._types:
            if qname == mapping.qname or qname.endswith("." + mapping.qname):
                return KindInfo(mapping.kind, Flavor.USER, qname, mapping=mapping)
        if qname in KNOWN_TYPES:
            kind, flavor = KNOWN_TYPES[qname]
            return KindInfo(kind, flavor, qname)
        return None

    def kind_of_value(self, value) -> KindInfo | None:
        """The kind of one inferred value: an instance of a known class."""
        if isinstance(value, bases.Instance) and not isinstance(value, bases.BoundMethod):
            cls = proxied(value)
            if isinstance(cls, nodes.ClassDef):
                return self.kind_of_class(cls)
        return None

    # -- calls ---------------------------------------------------------------
    def kind_of_call(self, call: nodes.Call) -> KindInfo | None:
        """The kind of what `call` returns, when `call` is a known constructor or factory."""
        callees = infer_values(call.func, self._stats)
        if not callees:
            # A third-party class astroid cannot see: known by the name it is imported as;
            # an event loop's factory method: known by its name.
            info = self._known(imported_name(call.func))
            if info is None and isinstance(call.func, nodes.Attribute):
                method = KNOWN_METHODS.get(call.func.attrname)
                info = KindInfo(*method, f"<event loop>.{call.func.attrname}") if method else None
            return info.made_at((call,)) if info else None
        for callee in callees:
            if isinstance(callee, nodes.ClassDef):
                info = self.kind_of_class(callee)
                if info:
                    return info.made_at((call,))
                continue
            info = self._known(qname_of(callee))
            if info is not None:
                return info.made_at((call,))
            function = function_of(callee)
            if function is not None and (
                function.root() is self._module or is_project_module(function.root())
            ):
                # A factory of this module or of another module of the project (built
                # from source): what does it return?
                for value in infer_values(call, self._stats):
                    info = self.kind_of_value(value)
                    if info:
                        return info.made_at((call,))
                info = self._returned_kind(function)
                if info:
                    return info.made_at((call,))
        return None

    def _returned_kind(self, function: nodes.NodeNG) -> KindInfo | None:
        """What a factory returns when inference cannot say (`return asyncio.create_task(
        ...)`, a C function's result): the kind of a call it returns, or of a local it
        returns that one call made (`t = loop.create_task(...); return t`). A factory
        that may return what it did not make (its argument, as `ensure_future(fut)` does,
        an attribute, a global) makes nothing its caller owes for sure: None."""
        if function in self._returning:
            return None
        self._returning.add(function)
        found = None
        try:
            for node in function.nodes_of_class(nodes.Return, skip_klass=_SCOPES):
                value = node.value
                if value is None or (isinstance(value, nodes.Const) and value.value is None):
                    continue
                if isinstance(value, nodes.Name):
                    value = made_by_one_call(value)
                if not isinstance(value, nodes.Call):
                    return None  # given back, or kept elsewhere: not made for the caller
                found = found or self.kind_of_call(value)
        finally:
            self._returning.discard(function)
        return found

    def overrides_release(self, call: nodes.Call, methods: frozenset[str]) -> bool:
        """`call` makes an instance of a class that defines one of the release `methods`
        itself, above the standard library (a Future whose `cancel()` refuses): the
        class, not the kind, decides what that release does."""
        for callee in infer_values(call.func, self._stats):
            if not isinstance(callee, nodes.ClassDef):
                continue
            try:
                classes = [callee, *callee.ancestors()]
            except (AstroidError, RecursionError):
                return False
            for cls in classes:
                if cls.root().name.split(".")[0] in _STDLIB_ROOTS:
                    break
                if any(m in cls.locals for m in methods):
                    return True
        return False

    # -- expressions ---------------------------------------------------------
    def kind_of(self, expr: nodes.NodeNG) -> KindInfo | None:
        """What `expr` refers to, with where it was created when that can be tracked."""
        if expr in self._cache:
            return self._cache[expr]
        self._cache[expr] = None  # recursion guard
        info = self._compute(expr)
        self._cache[expr] = info
        return info

    def _compute(self, expr: nodes.NodeNG) -> KindInfo | None:
        if isinstance(expr, nodes.Call | nodes.Await):
            return self._kind_of_site(expr)
        sites = self.creation_sites(expr)
        site_infos = [i for i in (self._kind_of_site(s) for s in sites) if i]
        inferred = None
        for value in infer_values(expr, self._stats):
            inferred = self.kind_of_value(value)
            if inferred:
                break
        if inferred:
            creations = tuple(c for i in site_infos if i.kind == inferred.kind for c in i.creations)
            return inferred.made_at(creations)
        kinds = {(i.kind, i.flavor) for i in site_infos}
        if len(kinds) == 1:
            return site_infos[0].made_at(tuple(c for i in site_infos for c in i.creations))
        return None

    def _kind_of_site(self, site: nodes.NodeNG) -> KindInfo | None:
        if isinstance(site, nodes.Call):
            return self.kind_of_call(site)
        if isinstance(site, nodes.Await) and isinstance(site.value, nodes.Call):
            return self.kind_of_call(site.value)
        if _is_factory_reference(site):
            # `field(default_factory=queue.Queue)`, `defaultdict(mp.Queue)`: the class itself.
            for value in infer_values(site, self._stats):
                info = (
                    self.kind_of_class(value)
                    if isinstance(value, nodes.ClassDef)
                    else self._known(qname_of(value))
                )
                if info:
                    return info.made_at((site,))
            return None
        # An annotation: `q: queue.Queue`, `Optional[Queue]`, `Queue | None`, "Queue".
        for annotation in _annotation_parts(site):
            for value in infer_values(annotation, self._stats):
                if isinstance(value, nodes.ClassDef):
                    info = self.kind_of_class(value)
                else:
                    info = self._known(qname_of(value))
                if info:
                    return info.made_at((site,))
        return None

    # -- assignment tracking -------------------------------------------------
    def creation_sites(self, expr: nodes.NodeNG, depth: int = 0) -> list[nodes.NodeNG]:
        """Constructor calls and annotations that give `expr` its value, within the module
        (and the project modules it imports from)."""
        if depth > 3:
            return []
        values: list[nodes.NodeNG] = []
        if isinstance(expr, nodes.Name):
            values.extend(self._name_values(expr, depth))
        elif isinstance(expr, nodes.Attribute) and is_self_parameter(expr.expr):
            cls = enclosing_class(expr)
            if cls is not None:
                values.extend(_attribute_values(cls, expr.attrname))
        elif isinstance(expr, nodes.Attribute):
            # `queues.SHARED`: a global of another module of the project.
            for value in infer_values(expr.expr, self._stats):
                if isinstance(value, nodes.Module):
                    values.extend(_module_global_values(value, expr.attrname))
        elif isinstance(expr, nodes.Subscript):
            # `self.queues[i]`: an element of the container.
            values.extend(self._element_values(expr.value, depth))
        sites: list[nodes.NodeNG] = []
        for value in values:
            for option in _alternatives(value):
                if isinstance(option, nodes.Const) and option.value is None:
                    continue  # `self._q = None`: a reset, not a kind
                if (
                    isinstance(option, nodes.Name | nodes.Attribute | nodes.Subscript)
                    and option is not expr
                    and not _is_factory_reference(option)
                    and not _is_annotation(option)
                ):
                    sites.extend(self.creation_sites(option, depth + 1) or [])
                else:
                    sites.append(option)
        return sites

    def _name_values(self, expr: nodes.Name, depth: int) -> list[nodes.NodeNG]:
        try:
            _, assigns = lookup(expr, expr.name)
        except (AstroidError, RecursionError):
            return []
        values: list[nodes.NodeNG] = []
        for assign in assigns:
            if isinstance(assign, nodes.ImportFrom):
                values.extend(self._imported_values(assign, expr.name))
                continue
            values.extend(_assigned_values(assign))
            iterable = loop_iterable(assign)
            if iterable is not None:
                # `for q in self.queues:`: an element of the iterable.
                values.extend(_elements(iterable))
                values.extend(self._element_values(iterable, depth))
            if isinstance(assign.parent, nodes.Arguments) and assign.root() is self._module:
                # A parameter: what do this module's callers pass?
                values.extend(self._arguments_passed(assign))
        return values

    def _element_values(self, container: nodes.NodeNG, depth: int) -> list[nodes.NodeNG]:
        """What a container holds: the elements of the literal or comprehension that
        made it, and what the module adds to it (`append`, `add`, `[k] = v`...)."""
        if (
            isinstance(container, nodes.Call)
            and isinstance(container.func, nodes.Attribute)
            and container.func.attrname in _VIEWS
        ):
            container = container.func.expr  # `self.queues.values()`
        values = [e for c in self.creation_sites(container, depth + 1) for e in _elements(c)]
        key = state_key(container)
        if key is not None:
            values.extend(self._additions.get(key, ()))
        return values

    @cached_property
    def module_nodes(self) -> list[nodes.NodeNG]:
        """Every node of the module, in the order `walk(module)` gives them: one walk per
        check, shared by the module-wide indexes below and by `Contexts`."""
        return list(walk(self._module))

    @cached_property
    def _additions(self) -> dict[StateKey, list[nodes.NodeNG]]:
        """Values added to long-lived containers anywhere in the module, by container."""
        added: dict[StateKey, list[nodes.NodeNG]] = {}
        for node in self.module_nodes:
            container = value = None
            if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute):
                position = operations(Holder.CONTAINER).added_at.get(node.func.attrname)
                if position is not None and len(node.args) > position:
                    container, value = node.func.expr, node.args[position]
            elif isinstance(node, nodes.Assign) and isinstance(node.targets[0], nodes.Subscript):
                container, value = node.targets[0].value, node.value
            key = state_key(container) if container is not None else None
            if key is not None:
                added.setdefault(key, []).append(value)
        return added

    def _imported_values(self, node: nodes.ImportFrom, alias: str) -> list[nodes.NodeNG]:
        """`from pkg.queues import SHARED`: what `SHARED` is assigned in `pkg.queues`."""
        name = next((n for n, a in node.names if (a or n) == alias), None)
        if name is None or name == "*":
            return []
        try:
            module = node.do_import_module(node.modname)
        except (AstroidError, RecursionError):
            return []
        return _module_global_values(module, name)

    def arguments_passed(self, param: nodes.AssignName) -> list[nodes.NodeNG]:
        """What the module passes for a function's parameter (direct calls, and what a
        scheduler forwards: `Thread(target=f, args=(q,))`)."""
        return self._arguments_passed(param)

    def _arguments_passed(self, param: nodes.AssignName) -> list[nodes.NodeNG]:
        """What the module passes for `param`: direct calls of its function, and the
        arguments a scheduler forwards (`Thread(target=f, args=(...))`, `submit(f, ...)`,
        `weakref.finalize(obj, f, ...)`: the rows of `SCHEDULERS`)."""
        function = param.parent.parent
        if not isinstance(function, nodes.FunctionDef):
            return []
        positional = function.args.posonlyargs + function.args.args
        if param not in positional:
            return self._keyword_passed(function, param.name)
        index = positional.index(param)
        is_method = isinstance(function.parent, nodes.ClassDef) and function.type != "staticmethod"
        if is_method and index == 0:
            return []  # `self` / `cls`
        position = index - (1 if is_method else 0)  # among the arguments a caller passes
        values = []
        for call in self._calls_naming(function.name):
            if self._refers_to(call.func, function):
                shift = 1 if is_method and isinstance(call.func, nodes.Attribute) else 0
                arg = call_argument(call, index - shift, param.name)
                values.extend([arg] if arg is not None else [])
                continue
            for row in _scheduler_rows(call):
                arg = _forwarded_argument(call, row, position, self._refers_to, function)
                if arg is not None:
                    values.append(arg)
                    break
        return values

    def _keyword_passed(self, function: nodes.FunctionDef, name: str) -> list[nodes.NodeNG]:
        return [
            kw.value
            for call in self._calls_naming(function.name)
            if self._refers_to(call.func, function)
            for kw in call.keywords or ()
            if kw.arg == name
        ]

    @cached_property
    def _calls_by_reference(self) -> dict[str, list[nodes.Call]]:
        """Calls indexed by every function name they mention (callee or argument)."""
        index: dict[str, list[nodes.Call]] = {}
        for node in self.module_nodes:
            if not isinstance(node, nodes.Call):
                continue
            mentioned = {last_name(node.func)}
            mentioned.update(last_name(a) for a in node.args)
            mentioned.update(last_name(kw.value) for kw in node.keywords or ())
            for name in mentioned - {None}:
                index.setdefault(name, []).append(node)
        return index

    def _calls_naming(self, name: str) -> list[nodes.Call]:
        return self._calls_by_reference.get(name, [])

    @staticmethod
    def _refers_to(expr: nodes.NodeNG, function: nodes.FunctionDef) -> bool:
        if isinstance(expr, nodes.Name) and expr.name == function.name:
            try:
                _, assigns = lookup(expr, expr.name)
            except (AstroidError, RecursionError):
                return False
            return function in assigns
        if isinstance(expr, nodes.Attribute) and expr.attrname == function.name:
            return is_self_parameter(expr.expr) and enclosing_class(expr) is function.parent
        return False

    # -- queues --------------------------------------------------------------
    def queue_bound(self, info: KindInfo) -> Bound:
        """Whether the queue `info` describes can fill up; "unknown" unless every
        constructor seen agrees."""
        if info.qname in _SIMPLE_QUEUES:
            return Bound(BoundState.UNBOUNDED)
        calls = [c for c in info.creations if isinstance(c, nodes.Call) or _is_factory_reference(c)]
        # An annotation says nothing of the size; constructor calls, when seen, do.
        bounds = [self._bound_of_creation(c, info) for c in calls or info.creations]
        states = {b.state for b in bounds}
        if not bounds or BoundState.UNKNOWN in states or len(states) > 1:
            return Bound(BoundState.UNKNOWN)
        return bounds[0] if states == {BoundState.BOUNDED} else Bound(BoundState.UNBOUNDED)

    def _bound_of_creation(self, creation: nodes.NodeNG, info: KindInfo) -> Bound:
        if _is_factory_reference(creation):
            # The class called with no arguments.
            return Bound(BoundState.UNBOUNDED, node=creation)
        if not isinstance(creation, nodes.Call):
            return Bound(BoundState.UNKNOWN)  # only an annotation is known
        if self._overrides_init_below(creation, info):
            return Bound(BoundState.UNKNOWN)
        arg = call_argument(creation, 0, "maxsize")
        if arg is None:
            if has_star_arguments(creation):
                return Bound(BoundState.UNKNOWN)
            return Bound(BoundState.UNBOUNDED, node=creation)
        values = infer_values(arg, self._stats)
        sizes = {
            v.value for v in values if isinstance(v, nodes.Const) and type(v.value) in (int, float)
        }
        if values and len(sizes) == len(values) and all(size <= 0 for size in sizes):
            return Bound(BoundState.UNBOUNDED, node=arg)
        if len(values) == 1 and len(sizes) == 1:
            return Bound(BoundState.BOUNDED, int(sizes.pop()), arg)
        # An explicit maxsize the analysis cannot pin down (a parameter, `len(...)`,
        # a setting): the author asked for a bound, and on some path it holds.
        return Bound(BoundState.BOUNDED, None, arg)

    def _overrides_init_below(self, call: nodes.Call, info: KindInfo) -> bool:
        """A user subclass with its own __init__ may pass any maxsize to the base."""
        for callee in infer_values(call.func, self._stats):
            if isinstance(callee, nodes.ClassDef) and callee.qname() != info.qname:
                try:
                    for klass in [callee, *callee.ancestors()]:
                        if klass.qname() == info.qname:
                            return False
                        if "__init__" in klass.locals:
                            return True
                except (AstroidError, RecursionError):
                    return True
        return False


def _scheduler_rows(call: nodes.Call) -> tuple[Scheduler, ...]:
    rows = SCHEDULERS_BY_NAME.get(last_name(call.func) or "", ())
    for kw in call.keywords or ():
        rows += SCHEDULERS_BY_KEYWORD.get(kw.arg or "", ())
    return rows


def _forwarded_argument(call: nodes.Call, row: Scheduler, position: int, refers_to, function):
    """The argument `call` (a scheduler of `row`) passes at `position` to `function`,
    when `function` is what it schedules."""
    if row.callee_position is None or row.coroutine:
        return None
    callee = call_argument(call, row.callee_position, row.callee_keyword or "")
    if callee is None or not refers_to(callee, function):
        return None
    if row.args_tuple is not None:
        args = _tuple_value(call_argument(call, *row.args_tuple))
        if isinstance(args, nodes.Tuple | nodes.List) and 0 <= position < len(args.elts):
            return args.elts[position]
        return None
    if row.forwards_after_callee and callee in call.args:
        at = call.args.index(callee) + 1 + position
        if at < len(call.args) and not any(
            isinstance(a, nodes.Starred) for a in call.args[: at + 1]
        ):
            return call.args[at]
    return None


def _tuple_value(node: nodes.NodeNG | None) -> nodes.NodeNG | None:
    """`args=args` where `args = (a, b)` was assigned just before: the tuple."""
    if isinstance(node, nodes.Name):
        try:
            _, assigns = lookup(node, node.name)
        except (AstroidError, RecursionError):
            return node
        values = [v for a in assigns for v in _assigned_values(a)]
        if len(values) == 1 and isinstance(values[0], nodes.Tuple | nodes.List):
            return values[0]
    return node


def attribute_values(cls: nodes.ClassDef, name: str) -> list[nodes.NodeNG]:
    """What `self.<name>` is assigned anywhere in `cls` or its ancestors (values, or
    annotations when only annotated)."""
    return _attribute_values(cls, name)


def _attribute_values(cls: nodes.ClassDef, name: str) -> list[nodes.NodeNG]:
    """What `self.<name>` is assigned anywhere in `cls` or its ancestors."""
    values: list[nodes.NodeNG] = []
    try:
        classes = [cls, *cls.ancestors()]
    except (AstroidError, RecursionError):
        classes = [cls]
    for klass in classes:
        for assign in klass.instance_attrs.get(name, ()):
            values.extend(_assigned_values(assign))
        for assign in klass.locals.get(name, ()):
            values.extend(_assigned_values(assign))
        if values:
            break
    return values


def _module_global_values(module: nodes.Module, name: str) -> list[nodes.NodeNG]:
    return [v for assign in module.locals.get(name, ()) for v in _assigned_values(assign)]


def _assigned_values(target: nodes.NodeNG) -> list[nodes.NodeNG]:
    """The value (or annotation) bound to one assignment target."""
    parent = target.parent
    if isinstance(parent, nodes.Assign) and target in parent.targets:
        return [parent.value]
    if isinstance(parent, nodes.AnnAssign):
        if parent.value is not None:
            return [_dataclass_default(parent.value) or parent.value, parent.annotation]
        return [parent.annotation]
    if isinstance(parent, nodes.NamedExpr):
        return [parent.value]
    if isinstance(parent, nodes.Arguments) and isinstance(target, nodes.AssignName):
        # A parameter: its annotation and its default value (`def f(q=mp.Queue())`).
        found = [_parameter_annotation(parent, target), _parameter_default(parent, target)]
        return [v for v in found if v is not None]
    return []


def _parameter_annotation(args: nodes.Arguments, target: nodes.AssignName):
    groups = (
        (args.posonlyargs, args.posonlyargs_annotations),
        (args.args, args.annotations),
        (args.kwonlyargs, args.kwonlyargs_annotations),
    )
    for params, notes in groups:
        for param, annotation in zip(params, notes, strict=False):
            if param is target:
                return annotation
    return None


def _parameter_default(args: nodes.Arguments, target: nodes.AssignName):
    positional = args.posonlyargs + args.args
    if target in positional and args.defaults:
        offset = len(positional) - len(args.defaults)
        index = positional.index(target)
        return args.defaults[index - offset] if index >= offset else None
    if target in args.kwonlyargs:
        return args.kw_defaults[args.kwonlyargs.index(target)]
    return None


def _elements(container: nodes.NodeNG) -> list[nodes.NodeNG]:
    """The values held by a container creation: `{k: Queue()}`, `[Queue() for _ in ...]`,
    `defaultdict(Queue)`."""
    if isinstance(container, nodes.List | nodes.Tuple | nodes.Set):
        return list(container.elts)
    if isinstance(container, nodes.Dict):
        return [value for _, value in container.items]
    if isinstance(container, nodes.ListComp | nodes.SetComp | nodes.GeneratorExp):
        return [container.elt]
    if isinstance(container, nodes.DictComp):
        return [container.value]
    if isinstance(container, nodes.Call) and last_name(container.func) == "defaultdict":
        factory = container.args[0] if container.args else None
        return [factory] if factory is not None else []
    return []


def _dataclass_default(value: nodes.NodeNG) -> nodes.NodeNG | None:
    """`field(default_factory=lambda: Queue(3))` -> the `Queue(3)` call."""
    if not isinstance(value, nodes.Call) or value.func.as_string() not in _DATACLASS_FIELD:
        return None
    factory = call_argument(value, None, "default_factory")
    if isinstance(factory, nodes.Lambda):
        return factory.body
    if factory is not None:
        return factory  # `default_factory=queue.Queue`: a class called with no arguments
    return call_argument(value, None, "default")


def _is_factory_reference(node: nodes.NodeNG) -> bool:
    """`queue.Queue` in `field(default_factory=queue.Queue)` or `defaultdict(queue.Queue)`:
    a class passed to be called with no arguments."""
    parent = node.parent
    if isinstance(parent, nodes.Keyword):
        return parent.arg == "default_factory"
    return (
        isinstance(parent, nodes.Call)
        and last_name(parent.func) == "defaultdict"
        and bool(parent.args)
        and parent.args[0] is node
    )


def _is_annotation(node: nodes.NodeNG) -> bool:
    parent = node.parent
    if isinstance(parent, nodes.AnnAssign):
        return node is parent.annotation
    return isinstance(parent, nodes.Arguments) and node not in parent.defaults + [
        d for d in parent.kw_defaults if d is not None
    ]


def _alternatives(value: nodes.NodeNG) -> list[nodes.NodeNG]:
    """`a or b`, `a if c else b`: each value the expression may take."""
    if isinstance(value, nodes.BoolOp):
        return [v for operand in value.values for v in _alternatives(operand)]
    if isinstance(value, nodes.IfExp):
        return _alternatives(value.body) + _alternatives(value.orelse)
    return [value]


def _annotation_parts(annotation: nodes.NodeNG) -> list[nodes.NodeNG]:
    """`Optional[X]`, `X | None`, `"X"`: the class expressions inside an annotation."""
    if isinstance(annotation, nodes.BinOp) and annotation.op == "|":
        return _annotation_parts(annotation.left) + _annotation_parts(annotation.right)
    if isinstance(annotation, nodes.Subscript):
        base = annotation.value.as_string().rsplit(".", 1)[-1]
        if base in ("Optional", "Union", "Final", "ClassVar", "Annotated"):
            inner = annotation.slice
            elts = inner.elts if isinstance(inner, nodes.Tuple) else [inner]
            if base == "Annotated":
                elts = elts[:1]
            return [p for e in elts for p in _annotation_parts(e)]
        return [annotation.value]  # `queue.Queue[int]`
    if isinstance(annotation, nodes.Const) and isinstance(annotation.value, str):
        return _string_annotation(annotation)
    if isinstance(annotation, nodes.Name | nodes.Attribute):
        return [annotation]
    return []


def _string_annotation(annotation: nodes.Const) -> list[nodes.NodeNG]:
    """Parse a string annotation in the scope where it was written."""
    try:
        node = extract_node(annotation.value)
    except (AstroidSyntaxError, ValueError, RecursionError):
        return []
    # Names in the string resolve in the scope where the annotation was written.
    node.parent = annotation.parent
    return _annotation_parts(node)


_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Lambda, nodes.ClassDef)
