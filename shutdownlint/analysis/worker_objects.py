"""What an owner hands to the worker objects it keeps (instances of `Thread` subclasses
of the module), and what the owner calls the queues they use.

A queue reaches a worker object in one of two ways: the owner passes one of its own
(`Scanner(cam, self._scans)`, named `_scans`), or another worker object it keeps made
it and exposes it (`Scanner(cam, self._router.scans)`, named `_router.scans`, the same
queue that the router's own `run` reads as `self.scans`). One name for one queue lets
the stop order see that the scanners put into the router's queue.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.infer import is_self_parameter, walk


def owner_name(node: nodes.NodeNG) -> str | None:
    """What the owner calls a value: `self.x` -> "x", `self.h.q` -> "h.q"."""
    if not isinstance(node, nodes.Attribute):
        return None
    if is_self_parameter(node.expr):
        return node.attrname
    inner = node.expr
    if isinstance(inner, nodes.Attribute) and is_self_parameter(inner.expr):
        return f"{inner.attrname}.{node.attrname}"
    return None


def passed_attributes(worker_class: nodes.ClassDef, call: nodes.Call) -> dict[str, nodes.NodeNG]:
    """{the worker's own attribute: the owner's value passed for it (`self.x` or
    `self.h.q`)}, through the worker's `__init__` storing a parameter (`self.queue =
    queue`)."""
    init = worker_class.locals.get("__init__")
    if not init or not isinstance(init[0], nodes.FunctionDef):
        return {}
    params = [p.name for p in init[0].args.args[1:]]
    passed: dict[str, nodes.NodeNG] = dict(zip(params, call.args, strict=False))
    for keyword in call.keywords or ():
        if keyword.arg:
            passed[keyword.arg] = keyword.value
    found = {}
    for node in walk(init[0]):
        if (
            isinstance(node, nodes.Assign)
            and isinstance(node.value, nodes.Name)
            and node.value.name in passed
        ):
            argument = passed[node.value.name]
            for target in node.targets:
                if (
                    isinstance(target, nodes.AssignAttr)
                    and is_self_parameter(target.expr)
                    and owner_name(argument) is not None
                ):
                    found[target.attrname] = argument
    return found


def own_queues(worker_class: nodes.ClassDef, is_queue) -> set[str]:
    """The worker's attributes its own `__init__` makes a queue in (`self.scans =
    queue.Queue()`): `is_queue(value)` says whether a made value is a queue."""
    init = worker_class.locals.get("__init__")
    if not init or not isinstance(init[0], nodes.FunctionDef):
        return set()
    return {
        target.attrname
        for node in walk(init[0])
        if isinstance(node, nodes.Assign) and isinstance(node.value, nodes.Call)
        for target in node.targets
        if isinstance(target, nodes.AssignAttr)
        and is_self_parameter(target.expr)
        and is_queue(node.value)
    }
