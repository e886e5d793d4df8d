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
    enclosing_class,
    is_self_parameter,
    last_name,
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
    on_loop: list[FunctionLike] = []
    for method in cls.mymethods():
        bound: set[str] = set()
        for node in sorted(
            (n for n in own_nodes(method) if isinstance(n, nodes.Call | nodes.Assign)),
            key=lambda n: (n.lineno or 0, n.col_offset or 0),
        ):
            if isinstance(node, nodes.Call):
                if _onto_loop(contexts, node, loop) and node.args:
                    first = node.args[0]
                    callee = first.func if isinstance(first, nodes.Call) else first
                    on_loop.extend(contexts.resolve_callables(callee))
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
    for function in contexts.reach(on_loop, within=cls):
        if enclosing_class(function) is not cls:
            continue
        for node in own_nodes(function):
            if isinstance(node, nodes.Assign) and not isinstance(node.value, nodes.Const):
                for target in node.targets:
                    if _self_attribute(target) and not _empty(node.value):
                        found.setdefault(target.attrname, node)
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
        if _self_attribute(target):
            found.setdefault(target.attrname, node)


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
