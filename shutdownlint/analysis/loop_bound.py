"""Objects bound to an event loop (SDL4xx facts).

An object made on an event loop, or registered with it, can only be released on that
loop: a stream writer made by `asyncio.open_connection()` closes its transport with
callbacks the loop runs; a writer closed after its loop stopped never finishes closing.
Per class and loop attribute (`self._loop`, driven by the class: `teardown.loop_attributes`):

- the results of coroutines the class runs on that loop from another thread
  (`reader, writer = run_coroutine_threadsafe(open_connection(...), self._loop).result()`)
  and the attributes they are stored in (`self._conns.append(writer)`);
- the attributes that code running on that loop (a coroutine handed to
  `run_coroutine_threadsafe`, `run_until_complete`, a `call_soon_threadsafe` callback,
  and the class's methods they call) stores something made there into.

Which release comes too late is SDL403's decision.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.infer import (
    FunctionLike,
    call_argument,
    enclosing_class,
    has_star_arguments,
    infer_values,
    is_self_parameter,
    last_name,
    positional_parameters,
    walk,
)
from shutdownlint.analysis.operations import adding_methods, operations
from shutdownlint.analysis.ownership import own_nodes
from shutdownlint.analysis.vocabulary import Kind, ThreadRole

#: Releases that need the object's loop running (a transport's close is completed by it).
LOOP_RELEASES = operations(Kind.SOCKET).release | operations(Kind.SERVER).release | {"abort"}


def loop_bound_attributes(
    contexts: Contexts, cls: nodes.ClassDef, loop: str
) -> dict[str, nodes.NodeNG]:
    """{attribute: where it is bound} for the attributes of `cls` holding objects made
    on (or registered with) the event loop in `self.<loop>`."""
    found: dict[str, nodes.NodeNG] = {}
    for method in cls.mymethods():
        bound: set[str] = set()
        for node in sorted(
            (n for n in own_nodes(method) if isinstance(n, nodes.Call | nodes.Assign)),
            key=lambda n: (n.lineno or 0, n.col_offset or 0),
        ):
            if isinstance(node, nodes.Call):
                continue
            value = node.value.value if isinstance(node.value, nodes.Await) else node.value
            if _made_on_loop(contexts, value, loop, bound):
                bound.update(t.name for t in _names(node.targets))
                for target in node.targets:
                    if _self_attribute(target):
                        found.setdefault(target.attrname, node)
            else:
                _stored(node, value, bound, found)
        for call in (n for n in own_nodes(method) if isinstance(n, nodes.Call)):
            _added(call, bound, found)
    for function in on_loop_functions(contexts, cls, loop):
        for node in own_nodes(function):
            if isinstance(node, nodes.Assign) and not isinstance(node.value, nodes.Const):
                for target in node.targets:
                    held = _held_attribute(target)
                    if held is not None and not _empty(node.value):
                        found.setdefault(held, node)
            elif isinstance(node, nodes.Call):
                func = node.func
                if (
                    isinstance(func, nodes.Attribute)
                    and func.attrname in adding_methods()
                    and _self_attribute(func.expr)
                ):
                    found.setdefault(func.expr.attrname, node)
    found.pop(loop, None)
    return found


def on_loop_functions(contexts: Contexts, cls: nodes.ClassDef, loop: str) -> list[FunctionLike]:
    """The functions of `cls` that run on the loop in `self.<loop>`: coroutines and
    callbacks its methods hand to that loop, and the class's methods they call."""
    handed: list[FunctionLike] = []
    for method in cls.mymethods():
        for node in own_nodes(method):
            if isinstance(node, nodes.Call) and _onto_loop(contexts, node, loop) and node.args:
                first = node.args[0]
                callee = first.func if isinstance(first, nodes.Call) else first
                handed.extend(contexts.resolve_callables(callee))
    return [f for f in contexts.reach(handed, within=cls) if enclosing_class(f) is cls]


def loop_bound_fields(
    contexts: Contexts, cls: nodes.ClassDef, loop: str
) -> dict[str, frozenset[str]]:
    """{container attribute: fields of its items} where code running on the loop stores
    into `self.<container>` an object whose field holds something made there:
    `reader, writer = await open_connection(...)` then
    `self._links[key] = Link(reader, writer)` with `Link.__init__` doing
    `self.stream = writer` gives {"_links": {"stream"}}. Closing `link.stream` for an
    item of `self._links` releases an object made on the loop."""
    fields: dict[str, set[str]] = {}
    for function in on_loop_functions(contexts, cls, loop):
        for node in own_nodes(function):
            if isinstance(node, nodes.Assign):
                stores = [(_held_attribute(t), node.value) for t in node.targets]
            elif (
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and node.func.attrname in adding_methods()
                and _self_attribute(node.func.expr)
            ):
                stores = [(node.func.expr.attrname, a) for a in node.args]
            else:
                continue
            for held, value in stores:
                if held is not None and isinstance(value, nodes.Call):
                    made = _fields_made_on_loop(value, function)
                    if made:
                        fields.setdefault(held, set()).update(made)
    return {k: frozenset(v) for k, v in fields.items()}


def _fields_made_on_loop(call: nodes.Call, function: FunctionLike) -> set[str]:
    """The fields of the object `call` constructs (a class of this module) that its
    `__init__` sets from an argument awaited in `function` (made on the loop)."""
    made: set[str] = set()
    inferred = [v for v in infer_values(call.func) if isinstance(v, nodes.ClassDef)]
    if len(inferred) != 1 or inferred[0].root() is not call.root():
        return made
    init = inferred[0].locals.get("__init__", [None])[0]
    if not isinstance(init, nodes.FunctionDef) or has_star_arguments(call):
        return made
    params = positional_parameters(init)
    if not params:
        return made
    awaited = {n.name for n in _awaited_names(function)}
    passed: set[str] = set()
    for position, param in enumerate(params[1:]):
        arg = call_argument(call, position, param.name)
        if isinstance(arg, nodes.Name) and arg.name in awaited:
            passed.add(param.name)
    for node in own_nodes(init):
        if (
            isinstance(node, nodes.Assign)
            and isinstance(node.value, nodes.Name)
            and node.value.name in passed
        ):
            made.update(t.attrname for t in node.targets if _self_attribute(t))
    return made


def _awaited_names(function: FunctionLike) -> list[nodes.AssignName]:
    """Locals bound in `function` from an `await` (`reader, writer = await ...`)."""
    return [
        name
        for node in own_nodes(function)
        if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Await)
        for name in _names(node.targets)
    ]


def _held_attribute(target: nodes.NodeNG) -> str | None:
    """The attribute a store target puts into: `self.x = ...` and `self.x[k] = ...`."""
    if _self_attribute(target):
        return target.attrname
    if isinstance(target, nodes.Subscript) and _self_attribute(target.value):
        return target.value.attrname
    return None


def _onto_loop(contexts: Contexts, call: nodes.Call, loop: str) -> bool:
    """`run_coroutine_threadsafe(c, self.<loop>)`, `self.<loop>.call_soon_threadsafe(f)`,
    `self.<loop>.run_until_complete(c)`: code handed to that loop."""
    row = contexts.scheduler_of(call)
    if (row is None or row.role is not ThreadRole.LOOP) and last_name(call.func) != (
        "run_until_complete"
    ):
        return False
    receiver = call.func.expr if isinstance(call.func, nodes.Attribute) else None
    mentioned = [receiver, *call.args, *(k.value for k in call.keywords or ())]
    return any(_self_attribute(m) and m.attrname == loop for m in mentioned if m is not None)


def _made_on_loop(contexts: Contexts, value: nodes.NodeNG, loop: str, bound: set[str]) -> bool:
    """A value made by code that ran on the loop: `run_coroutine_threadsafe(c, loop)`
    (its future), that future's `.result()`, or an element of a bound value."""
    if isinstance(value, nodes.Call):
        if _onto_loop(contexts, value, loop) and last_name(value.func) != "call_soon_threadsafe":
            return True
        func = value.func
        if isinstance(func, nodes.Attribute) and func.attrname == "result":
            inner = func.expr
            if isinstance(inner, nodes.Call):
                return _made_on_loop(contexts, inner, loop, bound)
            return isinstance(inner, nodes.Name) and inner.name in bound
    if isinstance(value, nodes.Subscript):
        return isinstance(value.value, nodes.Name) and value.value.name in bound
    return False


def _stored(node: nodes.Assign, value: nodes.NodeNG, bound: set[str], found: dict) -> None:
    """`self.x = w` for a bound local `w`."""
    if not any(isinstance(n, nodes.Name) and n.name in bound for n in walk(value)):
        return
    for target in node.targets:
        held = _held_attribute(target)
        if held is not None:
            found.setdefault(held, node)


def _added(call: nodes.Call, bound: set[str], found: dict) -> None:
    """`self.x.append(w)` for a bound local `w`."""
    func = call.func
    if (
        isinstance(func, nodes.Attribute)
        and func.attrname in adding_methods()
        and _self_attribute(func.expr)
        and any(isinstance(a, nodes.Name) and a.name in bound for a in call.args)
    ):
        found.setdefault(func.expr.attrname, call)


def _names(targets: list[nodes.NodeNG]) -> list[nodes.AssignName]:
    return [n for t in targets for n in walk(t) if isinstance(n, nodes.AssignName)]


def _self_attribute(node: nodes.NodeNG) -> bool:
    return isinstance(node, nodes.Attribute | nodes.AssignAttr) and is_self_parameter(node.expr)


def _empty(value: nodes.NodeNG) -> bool:
    if isinstance(value, nodes.List | nodes.Set | nodes.Tuple | nodes.Dict):
        return not getattr(value, "elts", getattr(value, "items", None))
    return isinstance(value, nodes.Call) and not value.args and not value.keywords
