"""What an expression refers to: a queue, an event, a thread, a socket...

Inference first (astroid follows imports, aliases and instance attributes
into the standard library), assignment tracking within the module second
(`self._q = queue.Queue(5)` seen from another method, annotated parameters,
dataclass fields). A kind is never guessed from a variable's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from astroid import bases, nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import (
    call_argument,
    enclosing_class,
    function_of,
    has_star_arguments,
    infer_values,
    is_self_parameter,
    last_name,
    qname_of,
    walk,
)

if TYPE_CHECKING:
    from shutdownlint.analysis import ModuleFacts, TypeMapping

# Flavors: "thread" (threading, queue, concurrent.futures, socket), "process"
# (multiprocessing), "subprocess" (Popen), "asyncio" (awaitable API), "user".
KIND_BY_CLASS: dict[str, tuple[str, str]] = {
    "queue.Queue": ("queue", "thread"),
    "queue.LifoQueue": ("queue", "thread"),
    "queue.PriorityQueue": ("queue", "thread"),
    "queue.SimpleQueue": ("queue", "thread"),
    "_queue.SimpleQueue": ("queue", "thread"),
    "multiprocessing.queues.Queue": ("queue", "process"),
    "multiprocessing.queues.JoinableQueue": ("queue", "process"),
    "multiprocessing.queues.SimpleQueue": ("queue", "process"),
    "asyncio.queues.Queue": ("queue", "asyncio"),
    "asyncio.queues.PriorityQueue": ("queue", "asyncio"),
    "asyncio.queues.LifoQueue": ("queue", "asyncio"),
    "threading.Event": ("event", "thread"),
    "asyncio.locks.Event": ("event", "asyncio"),
    "multiprocessing.synchronize.Event": ("event", "process"),
    "threading.Condition": ("condition", "thread"),
    "asyncio.locks.Condition": ("condition", "asyncio"),
    "multiprocessing.synchronize.Condition": ("condition", "process"),
    "threading.Semaphore": ("semaphore", "thread"),
    "threading.BoundedSemaphore": ("semaphore", "thread"),
    "asyncio.locks.Semaphore": ("semaphore", "asyncio"),
    "asyncio.locks.BoundedSemaphore": ("semaphore", "asyncio"),
    "multiprocessing.synchronize.Semaphore": ("semaphore", "process"),
    "multiprocessing.synchronize.BoundedSemaphore": ("semaphore", "process"),
    "threading.Barrier": ("barrier", "thread"),
    "asyncio.locks.Barrier": ("barrier", "asyncio"),
    "multiprocessing.synchronize.Barrier": ("barrier", "process"),
    "_thread.lock": ("lock", "thread"),
    "_thread.LockType": ("lock", "thread"),
    "_thread.RLock": ("lock", "thread"),
    "threading._RLock": ("lock", "thread"),
    "asyncio.locks.Lock": ("lock", "asyncio"),
    "multiprocessing.synchronize.Lock": ("lock", "process"),
    "multiprocessing.synchronize.RLock": ("lock", "process"),
    # Task before Future: a Task is a Future and the most derived match wins.
    "asyncio.tasks.Task": ("task", "asyncio"),
    "_asyncio.Task": ("task", "asyncio"),
    "asyncio.futures.Future": ("future", "asyncio"),
    "_asyncio.Future": ("future", "asyncio"),
    "concurrent.futures._base.Future": ("future", "thread"),
    "threading.Thread": ("thread", "thread"),
    "multiprocessing.process.BaseProcess": ("process", "process"),
    "subprocess.Popen": ("process", "subprocess"),
    "concurrent.futures.process.ProcessPoolExecutor": ("executor", "process"),
    "concurrent.futures._base.Executor": ("executor", "thread"),
    "multiprocessing.pool.ThreadPool": ("executor", "thread"),
    "multiprocessing.pool.Pool": ("executor", "process"),
    "socket.socket": ("socket", "thread"),
    "_socket.socket": ("socket", "thread"),
    "ssl.SSLSocket": ("socket", "thread"),
    "socketserver.BaseServer": ("server", "thread"),
    "asyncio.base_events.Server": ("server", "asyncio"),
    "asyncio.events.AbstractServer": ("server", "asyncio"),
}

# Factory functions and methods whose result has a known kind.
KIND_BY_FACTORY: dict[str, tuple[str, str]] = {
    "threading.Lock": ("lock", "thread"),
    "threading.RLock": ("lock", "thread"),
    "_thread.allocate_lock": ("lock", "thread"),
    "multiprocessing.context.BaseContext.Queue": ("queue", "process"),
    "multiprocessing.context.BaseContext.JoinableQueue": ("queue", "process"),
    "multiprocessing.context.BaseContext.SimpleQueue": ("queue", "process"),
    "multiprocessing.context.BaseContext.Event": ("event", "process"),
    "multiprocessing.context.BaseContext.Lock": ("lock", "process"),
    "multiprocessing.context.BaseContext.RLock": ("lock", "process"),
    "multiprocessing.context.BaseContext.Condition": ("condition", "process"),
    "multiprocessing.context.BaseContext.Semaphore": ("semaphore", "process"),
    "multiprocessing.context.BaseContext.BoundedSemaphore": ("semaphore", "process"),
    "multiprocessing.context.BaseContext.Barrier": ("barrier", "process"),
    "multiprocessing.context.BaseContext.Pool": ("executor", "process"),
    "asyncio.tasks.create_task": ("task", "asyncio"),
    "asyncio.tasks.ensure_future": ("task", "asyncio"),
    "asyncio.base_events.BaseEventLoop.create_task": ("task", "asyncio"),
    "asyncio.events.AbstractEventLoop.create_task": ("task", "asyncio"),
    "asyncio.taskgroups.TaskGroup.create_task": ("task", "asyncio"),
    "asyncio.base_events.BaseEventLoop.create_future": ("future", "asyncio"),
    "asyncio.events.AbstractEventLoop.create_future": ("future", "asyncio"),
    "asyncio.base_events.BaseEventLoop.run_in_executor": ("future", "asyncio"),
    "asyncio.events.AbstractEventLoop.run_in_executor": ("future", "asyncio"),
    "asyncio.tasks.run_coroutine_threadsafe": ("future", "thread"),
    "concurrent.futures._base.Executor.submit": ("future", "thread"),
    "concurrent.futures.thread.ThreadPoolExecutor.submit": ("future", "thread"),
    "concurrent.futures.process.ProcessPoolExecutor.submit": ("future", "thread"),
    "socket.create_connection": ("socket", "thread"),
    "socket.create_server": ("socket", "thread"),
    "socket.fromfd": ("socket", "thread"),
    "ssl.SSLContext.wrap_socket": ("socket", "thread"),
    "asyncio.base_events.BaseEventLoop.create_server": ("server", "asyncio"),
    "asyncio.events.AbstractEventLoop.create_server": ("server", "asyncio"),
    "asyncio.streams.start_server": ("server", "asyncio"),
    "asyncio.streams.start_unix_server": ("server", "asyncio"),
}

# Queue classes whose first positional argument is `maxsize`.
_SIMPLE_QUEUES = ("queue.SimpleQueue", "_queue.SimpleQueue", "multiprocessing.queues.SimpleQueue")
_DATACLASS_FIELD = ("dataclasses.field", "field")
# Calls that pass the arguments after a callable on to it.
_FORWARDING_CALLS = frozenset(
    {
        "submit",
        "finalize",
        "register",
        "addCleanup",
        "addAsyncCleanup",
        "call_soon",
        "call_soon_threadsafe",
        "call_later",
        "call_at",
        "run_in_executor",
        "to_thread",
    }
)


@dataclass(frozen=True)
class KindInfo:
    """What an expression is, and where it was made (when that is known)."""

    kind: str
    flavor: str
    qname: str  # the standard-library or user class (or factory) that decided the kind
    creations: tuple[nodes.NodeNG, ...] = ()  # constructor calls, annotations
    mapping: TypeMapping | None = None  # set when a `[tool.shutdownlint.types]` entry matched


@dataclass(frozen=True)
class Bound:
    """The capacity of a queue: "bounded", "unbounded" or "unknown".

    A bounded queue has `size` when the bound is a constant; None when an explicit
    `maxsize` expression cannot be pinned down (a parameter, `len(...)`, a setting).
    """

    state: str
    size: int | None = None
    node: nodes.NodeNG | None = None  # where the bound was set


class Kinds:
    def __init__(self, facts: ModuleFacts) -> None:
        self._facts = facts
        self._types = facts.options.types
        self._cache: dict[nodes.NodeNG, KindInfo | None] = {}

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
            mapping = self._mapping_for(qname)
            if mapping is not None:
                return KindInfo(mapping.kind, "user", qname, mapping=mapping)
            if qname in KIND_BY_CLASS:
                kind, flavor = KIND_BY_CLASS[qname]
                return KindInfo(kind, flavor, qname)
        return None

    def _mapping_for(self, qname: str) -> TypeMapping | None:
        for mapping in self._types:
            if qname == mapping.qname or qname.endswith("." + mapping.qname):
                return mapping
        return None

    def kind_of_value(self, value) -> KindInfo | None:
        """The kind of one inferred value: an instance of a known class."""
        if isinstance(value, bases.Instance) and not isinstance(value, bases.BoundMethod):
            proxied = value._proxied
            if isinstance(proxied, nodes.ClassDef):
                return self.kind_of_class(proxied)
        return None

    # -- calls ---------------------------------------------------------------
    def kind_of_call(self, call: nodes.Call) -> KindInfo | None:
        """The kind of what `call` returns, when `call` is a known constructor or factory."""
        for callee in infer_values(call.func, self._facts.stats):
            if isinstance(callee, nodes.ClassDef):
                info = self.kind_of_class(callee)
                if info:
                    return KindInfo(info.kind, info.flavor, info.qname, (call,), info.mapping)
                continue
            qname = qname_of(callee)
            if qname in KIND_BY_FACTORY:
                kind, flavor = KIND_BY_FACTORY[qname]
                return KindInfo(kind, flavor, qname, (call,))
            if qname is not None:
                mapping = self._mapping_for(qname)
                if mapping is not None:
                    return KindInfo(mapping.kind, "user", qname, (call,), mapping)
            function = function_of(callee)
            if function is not None and function.root() is self._facts.module:
                # A factory in this module: what does it return?
                for value in infer_values(call, self._facts.stats):
                    info = self.kind_of_value(value)
                    if info:
                        return KindInfo(info.kind, info.flavor, info.qname, (call,), info.mapping)
        return None

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
        for value in infer_values(expr, self._facts.stats):
            inferred = self.kind_of_value(value)
            if inferred:
                break
        if inferred:
            creations = tuple(c for i in site_infos if i.kind == inferred.kind for c in i.creations)
            return KindInfo(
                inferred.kind, inferred.flavor, inferred.qname, creations, inferred.mapping
            )
        kinds = {(i.kind, i.flavor) for i in site_infos}
        if len(kinds) == 1:
            first = site_infos[0]
            creations = tuple(c for i in site_infos for c in i.creations)
            return KindInfo(first.kind, first.flavor, first.qname, creations, first.mapping)
        return None

    def _kind_of_site(self, site: nodes.NodeNG) -> KindInfo | None:
        if isinstance(site, nodes.Call):
            return self.kind_of_call(site)
        if isinstance(site, nodes.Await) and isinstance(site.value, nodes.Call):
            return self.kind_of_call(site.value)
        # An annotation: `q: queue.Queue`, `Optional[Queue]`, `Queue | None`, "Queue".
        for annotation in _annotation_parts(site):
            for value in infer_values(annotation, self._facts.stats):
                if isinstance(value, nodes.ClassDef):
                    info = self.kind_of_class(value)
                else:
                    qname = qname_of(value)
                    info = (
                        KindInfo(*KIND_BY_FACTORY[qname], qname)
                        if qname in KIND_BY_FACTORY
                        else None
                    )
                if info:
                    return KindInfo(info.kind, info.flavor, info.qname, (site,), info.mapping)
        return None

    # -- assignment tracking -------------------------------------------------
    def creation_sites(self, expr: nodes.NodeNG, depth: int = 0) -> list[nodes.NodeNG]:
        """Constructor calls and annotations that give `expr` its value, within the module."""
        if depth > 3:
            return []
        values: list[nodes.NodeNG] = []
        if isinstance(expr, nodes.Name):
            try:
                _, assigns = expr.lookup(expr.name)
            except (AstroidError, RecursionError):
                assigns = ()
            for assign in assigns:
                if isinstance(assign, nodes.ImportFrom):
                    values.extend(self._imported_values(assign, expr.name))
                    continue
                values.extend(_assigned_values(assign))
                if isinstance(assign.parent, nodes.Arguments) and (
                    assign.root() is self._facts.module
                ):
                    # A parameter: what do this module's callers pass?
                    values.extend(self._arguments_passed(assign))
        elif isinstance(expr, nodes.Attribute) and is_self_parameter(expr.expr):
            cls = enclosing_class(expr)
            if cls is not None:
                values.extend(_attribute_values(cls, expr.attrname))
        elif isinstance(expr, nodes.Attribute):
            # `queues.SHARED`: a global of another module of the project.
            for value in infer_values(expr.expr, self._facts.stats):
                if isinstance(value, nodes.Module):
                    values.extend(_module_global_values(value, expr.attrname))
        sites: list[nodes.NodeNG] = []
        for value in values:
            for option in _alternatives(value):
                if isinstance(option, nodes.Const) and option.value is None:
                    continue  # `self._q = None`: a reset, not a kind
                if (
                    isinstance(option, nodes.Name | nodes.Attribute)
                    and option is not expr
                    and not _is_factory_reference(option)
                ):
                    sites.extend(self.creation_sites(option, depth + 1) or [])
                else:
                    sites.append(option)
        return sites

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

    def _arguments_passed(self, param: nodes.AssignName) -> list[nodes.NodeNG]:
        """What the module passes for `param`: direct calls of its function, and
        `Thread(target=f, args=(...))`, `Process(...)`, `executor.submit(f, ...)`."""
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
        values = []
        for call in self._calls_naming(function.name):
            if self._refers_to(call.func, function):
                shift = 1 if is_method and isinstance(call.func, nodes.Attribute) else 0
                arg = call_argument(call, index - shift, param.name)
                values.extend([arg] if arg is not None else [])
                continue
            starter = last_name(call.func) in ("Thread", "Process")
            target = call_argument(call, 1 if starter else None, "target")
            if target is not None and self._refers_to(target, function):
                args = _tuple_value(call_argument(call, 3, "args"))
                position = index - (1 if is_method else 0)
                if isinstance(args, nodes.Tuple | nodes.List) and 0 <= position < len(args.elts):
                    values.append(args.elts[position])
            elif last_name(call.func) in _FORWARDING_CALLS:
                # `submit(fn, *args)`, `weakref.finalize(obj, fn, *args)`, ...: the
                # arguments after the callable are passed to it.
                for k, arg in enumerate(call.args[:2]):
                    if self._refers_to(arg, function):
                        position = k + 1 + index - (1 if is_method else 0)
                        if position < len(call.args):
                            values.append(call.args[position])
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
        for node in walk(self._facts.module):
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
                _, assigns = expr.lookup(expr.name)
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
            return Bound("unbounded")
        calls = [c for c in info.creations if isinstance(c, nodes.Call) or _is_factory_reference(c)]
        # An annotation says nothing of the size; constructor calls, when seen, do.
        bounds = [self._bound_of_creation(c, info) for c in calls or info.creations]
        if not bounds or any(b.state == "unknown" for b in bounds):
            return Bound("unknown")
        if all(b.state == "bounded" for b in bounds):
            return bounds[0]
        return (
            Bound("unbounded") if all(b.state == "unbounded" for b in bounds) else Bound("unknown")
        )

    def _bound_of_creation(self, creation: nodes.NodeNG, info: KindInfo) -> Bound:
        if _is_factory_reference(creation):
            return Bound("unbounded", node=creation)  # the class called with no arguments
        if not isinstance(creation, nodes.Call):
            return Bound("unknown")  # only an annotation is known
        if _overrides_init_below(creation, info, self._facts):
            return Bound("unknown")
        arg = call_argument(creation, 0, "maxsize")
        if arg is None:
            if has_star_arguments(creation):
                return Bound("unknown")
            return Bound("unbounded", node=creation)
        values = infer_values(arg, self._facts.stats)
        sizes = {
            v.value for v in values if isinstance(v, nodes.Const) and type(v.value) in (int, float)
        }
        if values and len(sizes) == len(values) and all(size <= 0 for size in sizes):
            return Bound("unbounded", node=arg)
        if len(values) == 1 and len(sizes) == 1:
            return Bound("bounded", int(sizes.pop()), arg)
        # An explicit maxsize the analysis cannot pin down (a parameter, `len(...)`,
        # a setting): the author asked for a bound, and on some path it holds.
        return Bound("bounded", None, arg)


def _overrides_init_below(call: nodes.Call, info: KindInfo, facts: ModuleFacts) -> bool:
    """A user subclass with its own __init__ may pass any maxsize to the base."""
    for callee in infer_values(call.func, facts.stats):
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


def _tuple_value(node: nodes.NodeNG | None) -> nodes.NodeNG | None:
    """`args=args` where `args = (a, b)` was assigned just before: the tuple."""
    if isinstance(node, nodes.Name):
        try:
            _, assigns = node.lookup(node.name)
        except (AstroidError, RecursionError):
            return node
        values = [v for a in assigns for v in _assigned_values(a)]
        if len(values) == 1 and isinstance(values[0], nodes.Tuple | nodes.List):
            return values[0]
    return node


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
        annotation = _parameter_annotation(parent, target)
        return [annotation] if annotation is not None else []
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
    """`queue.Queue` in `field(default_factory=queue.Queue)`."""
    return isinstance(node.parent, nodes.Keyword) and node.parent.arg == "default_factory"


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
    from astroid import extract_node
    from astroid.exceptions import AstroidSyntaxError

    try:
        node = extract_node(annotation.value)
    except (AstroidSyntaxError, ValueError, RecursionError):
        return []
    # Names in the string resolve in the scope where the annotation was written.
    node.parent = annotation.parent
    return _annotation_parts(node)
