"""Which stop method ends an object's life, and what a cancelled task leaves undone.

Two facts about a class's stop methods that SDL105 (and any rule asking where a
worker's life must end) reads:

- A stop method that another stop method of the same class calls before doing more
  (`close()` calls `disconnect()`, then cancels its tasks) stops one session, not
  the object: the workers outlive it by design, and the caller is the end of life.
  A protocol adapter (`__exit__`, `__aexit__`, `__del__`) calling `close()` only
  forwards to it, so it never makes `close()` a session stop.
- A task cancelled by a class that has no `async` stop method is cancelled as far
  as synchronous code can: nothing in the class could await it. Whether that leaves
  anything undone depends on the task's body: a body with nothing to run on
  cancellation (no `finally:`, no `with`, no handler that catches the cancellation)
  ends at its next step on the loop with no effect after the stop returns.
  Cancellation lands only at an `await`, so only cleanup around an `await` counts.
"""

from __future__ import annotations

import contextlib

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import FunctionLike, assigned_name, is_self_parameter, self_attr
from shutdownlint.analysis.paths import catches, is_logging_call

_ADAPTERS = frozenset({"__exit__", "__aexit__", "__del__"})


def self_calls(own: list[nodes.NodeNG]) -> set[str]:
    """Names of the methods a function whose own nodes are `own` calls on `self`
    (`self.disconnect()`)."""
    return {
        node.func.attrname
        for node in own
        if isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and is_self_parameter(node.func.expr)
    }


def final_stops(stops: list[FunctionLike], own) -> list[FunctionLike]:
    """The stop methods that end the object's life: those no other stop method of the
    class calls (a protocol adapter forwarding to `close()` aside). `own(f)` gives the
    nodes of `f`'s own body. When every stop is called by another (a cycle), all are."""
    called: set[str] = set()
    for stop in stops:
        if stop.name in _ADAPTERS:
            continue
        called |= self_calls(own(stop)) - {stop.name}
    final = [stop for stop in stops if stop.name not in called]
    return final or list(stops)


def cancels(functions: list[FunctionLike], attribute: str, own) -> bool:
    """Some function of `functions` calls `self.<attribute>.cancel()`, or `cancel()` on
    a local taken from it (`if (task := self._task) is not None: task.cancel()`, `task,
    self._task = self._task, None`)."""
    for function in functions:
        nodes_of = own(function)
        for node in nodes_of:
            if (
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and node.func.attrname == "cancel"
                and (
                    _is_self_attribute(node.func.expr, attribute)
                    or _taken_from(node.func.expr, attribute, nodes_of)
                )
            ):
                return True
    return False


def _is_self_attribute(expr: nodes.NodeNG, attribute: str) -> bool:
    return self_attr(expr) and expr.attrname == attribute


def _taken_from(name: nodes.NodeNG, attribute: str, nodes_of: list[nodes.NodeNG]) -> bool:
    """`name` is a local the same function binds to `self.<attribute>`: `t = self._t`,
    `(t := self._t)`, or its place in a swap (`t, self._t = self._t, None`)."""
    if not isinstance(name, nodes.Name):
        return False
    for node in nodes_of:
        if not _is_self_attribute(node, attribute):
            continue
        walrus = node.parent
        if isinstance(walrus, nodes.NamedExpr) and walrus.value is node:
            if walrus.target.name == name.name:
                return True
        elif assigned_name(node) == name.name:
            return True
    return False


def runs_on_cancel(functions: list[FunctionLike], own) -> bool:
    """Some function of a task's body has code that runs when the task is cancelled.
    Cancellation arrives only at an `await`, so that is a `finally:`, a `with` exit or a
    handler that catches the cancellation (bare, `BaseException`, `CancelledError`)
    around an `await`, or an `async with`."""
    for function in functions:
        for node in own(function):
            if isinstance(node, nodes.AsyncWith):
                return True
            if isinstance(node, nodes.With) and _awaits(node.body):
                return True
            if (
                isinstance(node, nodes.Try | nodes.TryStar)
                and _awaits(node.body)
                and (
                    node.finalbody
                    or any(
                        catches(h, "asyncio.CancelledError") and not _only_leaves(h)
                        for h in node.handlers
                    )
                )
            ):
                return True
    return False


def _only_leaves(handler: nodes.ExceptHandler) -> bool:
    """`except CancelledError: break` (or `return`, `raise`, after a log line), where
    what runs after the loop up to the end of the function is only logging: the task's
    answer to cancellation is to end, so nothing is left for a stop to wait for."""
    *before, last = handler.body
    if not _inert(before):
        return False
    if isinstance(last, nodes.Return | nodes.Raise):
        return _inert([last])
    if not isinstance(last, nodes.Break):
        return False
    node: nodes.NodeNG = handler
    while not isinstance(node.parent, nodes.For | nodes.While):
        node = node.parent
        if isinstance(node, nodes.FunctionDef | nodes.AsyncFunctionDef | nodes.Module):
            return False
    node = node.parent
    while not isinstance(node, nodes.FunctionDef | nodes.AsyncFunctionDef):
        following = []
        sibling = node.next_sibling()
        while sibling is not None:
            following.append(sibling)
            sibling = sibling.next_sibling()
        if not _inert(following):
            return False
        node = node.parent
    return True


def _inert(body: list[nodes.NodeNG]) -> bool:
    """Statements that only log or leave: `pass`, a call of a logger, a bare `return`
    (or one of a constant), a bare `raise`."""
    for statement in body:
        if isinstance(statement, nodes.Pass):
            continue
        if isinstance(statement, nodes.Return) and (
            statement.value is None or isinstance(statement.value, nodes.Const)
        ):
            continue
        if isinstance(statement, nodes.Raise) and statement.exc is None:
            continue
        if (
            isinstance(statement, nodes.Expr)
            and isinstance(statement.value, nodes.Call)
            and is_logging_call(statement.value)
        ):
            continue
        return False
    return True


def _awaits(body: list[nodes.NodeNG]) -> bool:
    return any(
        isinstance(n, nodes.Await | nodes.AsyncFor | nodes.AsyncWith)
        for statement in body
        for n in statement.nodes_of_class((nodes.Await, nodes.AsyncFor, nodes.AsyncWith))
    )


def handed_methods(cls: nodes.ClassDef, functions: list[FunctionLike], own) -> list[FunctionLike]:
    """Methods of `cls` (or of its bases in the module) that `functions` hand on without
    calling them (`loop.call_soon_threadsafe(self._async_cancel)`): a stop that hands
    its work to the loop stops through them."""
    names = {
        arg.attrname
        for function in functions
        for node in own(function)
        if isinstance(node, nodes.Call)
        for arg in [*node.args, *(k.value for k in node.keywords or ())]
        if isinstance(arg, nodes.Attribute) and is_self_parameter(arg.expr)
    }
    if not names:
        return []
    classes = [cls]
    with contextlib.suppress(AstroidError, RecursionError):
        classes += [c for c in cls.ancestors() if c.root() is cls.root()]
    return [m for klass in classes for m in klass.mymethods() if m.name in names]
