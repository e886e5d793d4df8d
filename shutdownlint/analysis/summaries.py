"""Method summaries: what calling a method does to its object's workers, computed once
from the method's body (and the methods of its class it calls), not read off its name.

A `stop()` that only sets a flag signals its thread; it does not join it. Whether a
call `x.stop()` joins the worker `x` (or the workers `x` keeps) is therefore a fact
about `stop`'s body: it joins when the body joins, shuts down or awaits them, with the
join operations of the kind table (`operations.OPERATIONS`), or calls another method
that does. Every rule that asks "does this call join X" asks here.

A method whose body is not in this module (a library class, a class of another module
of the project) is not summarised: the answer is None, and the caller keeps what the
name promises.
"""

from __future__ import annotations

import contextlib
from collections import Counter

from astroid import bases, nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.contexts import Contexts, is_shutdown_name
from shutdownlint.analysis.infer import (
    FunctionLike,
    StateKey,
    enclosing_class,
    imported_definitions,
    infer_values,
    is_self_parameter,
    last_name,
    method_in,
    positional_parameters,
)
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.operations import adding_methods, operations
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.ownership import Local, covered, own_nodes
from shutdownlint.analysis.vocabulary import Kind

_WORKER_KINDS = (Kind.THREAD, Kind.PROCESS, Kind.EXECUTOR, Kind.TASK)
#: asyncio calls that wait for the tasks handed to them (their await is the join).
AWAITING_CALLS = frozenset({"gather", "wait", "wait_for", "shield", "as_completed"})


def _signal_methods() -> frozenset[str]:
    """What wakes a worker waiting on its stop state: an event set, a condition notified,
    an end marker put or a queue shut down (the kind table's release and put rows)."""
    kinds = (Kind.EVENT, Kind.CONDITION, Kind.QUEUE)
    return frozenset().union(*(operations(k).release | operations(k).put for k in kinds))


def _join_methods() -> frozenset[str]:
    return frozenset().union(*(operations(kind).join for kind in _WORKER_KINDS))


class Summaries:
    """Per-method summaries of one module's classes (computed on first use)."""

    def __init__(
        self,
        module: nodes.Module,
        options: AnalysisOptions,
        kinds: Kinds,
        contexts: Contexts,
        stats: Counter[str],
    ) -> None:
        self._module = module
        self._options = options
        self._kinds = kinds
        self._contexts = contexts
        self._stats = stats
        self._joins: dict[tuple[nodes.ClassDef, str], bool | None] = {}

    def call_joins(self, call: nodes.Call) -> bool | None:
        """Whether `x.m(...)` joins the worker `x` (or the workers it keeps): True when
        the body of `m` of some class `x` may be, joins them, False when every such body
        is seen and none does, None when a body is not seen (or `x` is not inferred)."""
        func = call.func
        if not isinstance(func, nodes.Attribute):
            return None
        classes = []
        for value in infer_values(func.expr, self._stats):
            if isinstance(value, nodes.Const):
                continue  # `self._beat = None` before it starts: no method to call
            if isinstance(value, bases.Instance) and not isinstance(value, bases.BoundMethod):
                proxied = getattr(value, "_proxied", None)
                if isinstance(proxied, nodes.ClassDef) and proxied not in classes:
                    classes.append(proxied)
        if not classes:
            # Not inferred (an element of a comprehension the class keeps): the classes
            # its creation sites instantiate (`[Scanner(s) for s in lanes]`).
            for site in self._kinds.creation_sites(func.expr):
                if isinstance(site, nodes.Call):
                    for value in infer_values(site.func, self._stats):
                        if isinstance(value, nodes.ClassDef) and value not in classes:
                            classes.append(value)
        if not classes:
            return None
        answers = [self.method_joins(cls, func.attrname) for cls in classes]
        if True in answers:
            return True
        return None if None in answers else False

    def worker_functions(self, creation: list[nodes.NodeNG]) -> list[FunctionLike]:
        """The functions of this module a worker made at `creation` runs: its target
        (`Thread(target=f)`, `create_task(f())`, `submit(f)`), what that calls, and the
        methods it calls on the object handed to it (`Process(target=run, args=(self,))`
        with `def run(obj): obj.work()`)."""
        targets: list[FunctionLike] = []
        for node in (n for made in creation for n in made.nodes_of_class(nodes.Call)):
            handed: list[nodes.NodeNG] = []
            for keyword in node.keywords or ():
                if keyword.arg in ("target", "function"):
                    found = self._contexts.resolve_callables(keyword.value)
                    targets.extend(found)
                    handed = [k.value for k in node.keywords if k.arg == "args"]
                    targets.extend(_methods_on_self(found, handed))
            if node.args and last_name(node.func) in ("create_task", "ensure_future", "submit"):
                first = node.args[0]
                targets.extend(
                    self._contexts.resolve_callables(
                        first.func if isinstance(first, nodes.Call) else first
                    )
                )
        return self._contexts.reach(targets, inferred=True)

    def method_joins(self, cls: nodes.ClassDef, name: str) -> bool | None:
        """Whether calling method `name` on an instance of `cls` joins it (a Thread
        subclass calling `self.join()`), or joins, shuts down or awaits the workers it
        keeps in attributes; None when the method's body is not in this module."""
        key = (cls, name)
        if key in self._joins:
            return self._joins[key]
        self._joins[key] = True  # a recursive call: assume it joins (no finding from a cycle)
        method = self._method(cls, name)
        # Not seen, or a stand-in for a body written elsewhere (`pass`): no summary.
        seen = method is not None and not is_abstract(method)
        answer = self._body_joins(cls, method) if seen else None
        self._joins[key] = answer
        return answer

    def method_stops(self, cls: nodes.ClassDef, name: str) -> bool | None:
        """Whether calling method `name` on an instance of `cls` stops the worker it runs:
        it joins it (`method_joins`), or signals it: writes, sets or puts into state of the
        instance that the worker's code reads (`self._halt.set()` read by `run`'s loop).
        None when the method's body is not in this module."""
        joins = self.method_joins(cls, name)
        method = self._method(cls, name)
        if joins or method is None or is_abstract(method):
            return joins
        classes, signals = self._classes(cls), _signal_methods()
        runs = [r for c in classes if (r := self._method(c, "run")) is not None]
        runs += [
            function
            for function, entry in self._contexts.entry_points().items()
            if enclosing_class(entry.site) in classes
        ]
        read = {
            node.attrname
            for function in self._contexts.reach(runs)
            if enclosing_class(function) in classes
            for node in own_nodes(function)
            if isinstance(node, nodes.Attribute) and is_self_parameter(node.expr)
        }
        for function in self._contexts.reach(method):
            if enclosing_class(function) not in classes:
                continue
            for node in own_nodes(function):
                if isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute):
                    if node.func.attrname not in signals:
                        continue  # `self._log.info(...)`: a use, not a signal
                    node = node.func.expr  # `self._halt.set()`
                elif not isinstance(node, nodes.AssignAttr):
                    continue  # `self._running = False`
                if (
                    isinstance(node, nodes.AssignAttr | nodes.Attribute)
                    and is_self_parameter(node.expr)
                    and node.attrname in read
                ):
                    return True
        return joins

    def callees(self, call: nodes.Call) -> list[FunctionLike | nodes.ClassDef]:
        """What calling `call.func` runs, where the project defines it: functions of this
        module, else the functions and classes of another module of the project it
        names through an import (followed by inference, never imported)."""
        local = self._contexts.resolve_callables(call.func)
        if local:
            return list(local)
        return imported_definitions(call.func, self._stats)

    def starts_what_it_returns(self, call: nodes.Call, kind: Kind) -> bool:
        """`call` runs a helper of the project that starts the worker it returns
        (`t = Thread(...); t.start(); return t`): the caller receives a running worker,
        so the call is where it starts."""
        starts = operations(kind).start
        for own, names in self._returning_helpers(call):
            if any(
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and node.func.attrname in starts
                and isinstance(node.func.expr, nodes.Name)
                and node.func.expr.name in names
                for node in own
            ):
                return True
        return False

    def keeps_what_it_returns(self, call: nodes.Call) -> bool:
        """`call` runs a helper of the project that keeps the object it returns in the
        object it belongs to (`t = create_task(c); self._tasks.add(t); return t`, or
        `self._t = t`): the object owns it from the call on, and whoever releases the
        registry releases it, not the caller."""
        adds = adding_methods()
        for own, names in self._returning_helpers(call):
            for node in own:
                if (
                    isinstance(node, nodes.Call)
                    and isinstance(node.func, nodes.Attribute)
                    and node.func.attrname in adds
                    and _on_self_attribute(node.func.expr)
                    and any(isinstance(a, nodes.Name) and a.name in names for a in node.args)
                ):
                    return True
                if (
                    isinstance(node, nodes.Assign)
                    and isinstance(node.value, nodes.Name)
                    and node.value.name in names
                    and any(_on_self_attribute(t) for t in node.targets)
                ):
                    return True
        return False

    def _returning_helpers(self, call: nodes.Call):
        """(its own nodes, the local names it returns) for each function of the project
        `call` runs that returns a local (`return t`)."""
        for callee in self.callees(call):
            if isinstance(callee, nodes.ClassDef):
                continue
            own = list(own_nodes(callee))
            names = {
                node.value.name
                for node in own
                if isinstance(node, nodes.Return) and isinstance(node.value, nodes.Name)
            }
            if names:
                yield own, names

    def _method(self, cls: nodes.ClassDef, name: str) -> FunctionLike | None:
        return method_in(cls, name, self._module)

    def _classes(self, cls: nodes.ClassDef) -> set[nodes.ClassDef]:
        classes = {cls}
        with contextlib.suppress(AstroidError, RecursionError):
            classes |= {c for c in cls.ancestors() if c.root() is self._module}
        return classes

    def _body_joins(self, cls: nodes.ClassDef, method: FunctionLike) -> bool | None:
        """Whether `method` joins (None: it calls a base class's method, `super().stop()`,
        whose body may join and is not summarised)."""
        info = self._kinds.kind_of_class(cls)
        own_joins = operations(info.kind).join if info is not None else frozenset()
        joins = _join_methods()
        classes = self._classes(cls)
        unseen = False
        for function in self._contexts.reach(method):
            if enclosing_class(function) not in classes:
                continue
            aliases = _worker_aliases(function)
            for node in own_nodes(function):
                if isinstance(node, nodes.Await) and _awaits_own(node.value, aliases):
                    return True
                if not (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute)):
                    continue
                receiver, attrname = node.func.expr, node.func.attrname
                if isinstance(receiver, nodes.Call) and last_name(receiver.func) == "super":
                    unseen = True
                    continue
                if is_self_parameter(receiver):
                    if attrname in own_joins:
                        return True
                    continue
                if not _names_own(receiver, aliases):
                    continue
                if attrname in joins:
                    return True
                if is_shutdown_name(attrname, self._options.shutdown_methods) and (
                    self.call_joins(node) is not False
                ):
                    return True  # a stop of its own worker that joins (or is not seen)
        return None if unseen else False


def _methods_on_self(targets: list[FunctionLike], handed: list[nodes.NodeNG]) -> list:
    """The methods of the caller's class a target calls on a parameter that receives
    `self` (`args=(self,)`): the worker runs them too."""
    found: list[FunctionLike] = []
    for args in handed:
        if not isinstance(args, nodes.Tuple | nodes.List):
            continue
        for position, argument in enumerate(args.elts):
            cls = enclosing_class(argument) if is_self_parameter(argument) else None
            if cls is None:
                continue
            for target in targets:
                params = positional_parameters(target) or []
                if position >= len(params):
                    continue
                name = params[position].name
                for call in target.nodes_of_class(nodes.Call):
                    func = call.func
                    if (
                        isinstance(func, nodes.Attribute)
                        and isinstance(func.expr, nodes.Name)
                        and func.expr.name == name
                    ):
                        found.extend(m for m in cls.mymethods() if m.name == func.attrname)
    return found


def _worker_aliases(function: FunctionLike) -> set[str]:
    """Local names of `function` that hold a `self` attribute or its items (`t =
    self._thread`, `for t in (self._a, *self._b)`)."""
    found: set[str] = set()
    for node in own_nodes(function):
        if isinstance(node, nodes.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, nodes.AssignName) and _names_own(node.value, found):
                found.add(target.name)
        elif (
            isinstance(node, nodes.For)
            and isinstance(node.target, nodes.AssignName)
            and _covers_own(node.iter, found)
        ):
            found.add(node.target.name)
    return found


def _covers_own(iterable: nodes.NodeNG, aliases: set[str]) -> bool:
    """A loop over `iterable` visits a `self` attribute or its items."""
    visited = covered(iterable)
    return _names_own(iterable, aliases) or any(
        (isinstance(i, StateKey) and isinstance(i.owner, nodes.ClassDef))
        or (isinstance(i, Local) and i.name in aliases)
        for i in visited.containers | visited.items
    )


def _names_own(expr: nodes.NodeNG, aliases: set[str]) -> bool:
    """`self.x`, or a local alias of a `self` attribute."""
    if isinstance(expr, nodes.Attribute):
        return is_self_parameter(expr.expr)
    return isinstance(expr, nodes.Name) and expr.name in aliases


def _awaits_own(value: nodes.NodeNG, aliases: set[str]) -> bool:
    """`await self._task`, `await asyncio.gather(self._task, ...)`, `await
    asyncio.wait({t})`: an await that waits for one of the object's tasks."""
    if _names_own(value, aliases):
        return True
    if isinstance(value, nodes.Call) and last_name(value.func) in AWAITING_CALLS:
        arguments = [*value.args, *(k.value for k in value.keywords or ())]
        return any(
            _names_own(n, aliases)
            for argument in arguments
            for n in argument.nodes_of_class((nodes.Attribute, nodes.Name))
        )
    return False


def is_abstract(function: FunctionLike) -> bool:
    """A body that stands for one written elsewhere: `pass`, `...`, a docstring,
    `raise NotImplementedError`."""
    body = _statements(function)
    return (
        not body
        or (len(body) == 1 and isinstance(body[0], nodes.Pass))
        or raises_not_implemented(function)
    )


def raises_not_implemented(function: FunctionLike) -> bool:
    """The body, docstring and constants aside, is `raise NotImplementedError`."""
    body = _statements(function)
    return (
        len(body) == 1
        and isinstance(body[0], nodes.Raise)
        and "NotImplementedError" in body[0].as_string()
    )


def _statements(function: FunctionLike) -> list[nodes.NodeNG]:
    """`function`'s statements but docstrings and bare constants (`...`)."""
    return [
        s
        for s in function.body
        if not (isinstance(s, nodes.Expr) and isinstance(s.value, nodes.Const))
    ]


def _on_self_attribute(node: nodes.NodeNG) -> bool:
    """`self.x` (or `self.x[k]`): an attribute of the object the method belongs to."""
    if isinstance(node, nodes.Subscript):
        node = node.value
    return isinstance(node, nodes.Attribute | nodes.AssignAttr) and is_self_parameter(node.expr)
