"""What a stop request is: a test a worker takes to stop in order, owing nothing more.

A stop request tests the worker's *own* stop state, or the item it took against the
end marker. Its own state: a flag of the object (`self._closing`, `cls.running`), a
module-level flag or a module's (`_shutdown`, `config.stopping`), a local flag (`if not
running`; a parameter flag only for a consumer: for a producer it is its caller's
input), its stop event (`self._halt.is_set()`, `stop.is_set()`). The
item: the name it took compared with a sentinel (`if item is None`, `if job is STOP`),
or tested for truth (`if not chunk`), or a field of the item that names a marker
(`if msg.kind == STOP`). A collaborator's state is none of these (`if camera.closed`,
`if self._client.closed.is_set()`): the producer that stops on it still owes the end
marker, and the consumer still waits. Nor is a field of the item compared with `None`
(`if event.endpoint is None`): that is an item with a missing part, not the end.
"""

from __future__ import annotations

import re

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import FunctionLike, last_name, lookup, walk
from shutdownlint.analysis.ownership import is_sentinel

STOP_NAMES = re.compile(r"(?i)(stop|clos|shut|exit|quit|run|active|alive|done|cancel|abort|finish)")
# What the worker calls its own object inside its code.
_SELF_NAMES = frozenset({"self", "cls"})


def stop_request(
    test: nodes.NodeNG | None,
    function: FunctionLike,
    item: str | None = None,
    input_ends: bool = True,
) -> bool:
    """`test` asks the worker to stop in order: the item taken compared with a sentinel,
    the worker's own stop event's `is_set()`, or its own stop flag (`if self._exiting:`).
    `input_ends=False` for a producer, which owes the end of its stream however its own
    input ended: a local compared with a sentinel (`if header is None: return`, data it
    read) is no stop request there, nor a parameter flag its caller passed (`if dry_run:
    return`: fixed for the whole call); its object's or module's flags still are."""
    if test is None:
        return False
    for node in walk(test):
        if (
            isinstance(node, nodes.Compare)
            and (input_ends or not _compares_local(node))
            and _compares_own_or_item(node, item)
        ):
            return True
        if (
            isinstance(node, nodes.Call)
            and last_name(node.func) in ("is_set", "empty")
            and isinstance(node.func, nodes.Attribute)
            and _own(node.func.expr, item)
        ):
            return True
        if (
            isinstance(node, nodes.Name)
            and node.name != item
            and STOP_NAMES.search(node.name)
            and (input_ends or not _parameter(node, function))
        ):
            return True
        if (
            isinstance(node, nodes.Attribute)
            and STOP_NAMES.search(node.attrname)
            and _own(node, item)
        ):
            return True
    bare = test.operand if isinstance(test, nodes.UnaryOp) and test.op == "not" else test
    return item is not None and isinstance(bare, nodes.Name) and bare.name == item


def _parameter(name: nodes.Name, function: FunctionLike) -> bool:
    """`name` is a parameter of `function` that its body never rebinds: a value the
    caller chose for the whole call (`dry_run`, `stop_after_first`), fixed before the
    stream began, so a producer's exit on it is the caller's input ending, not a stop."""
    try:
        scope, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return False
    return (
        scope is function
        and bool(assigns)
        and all(isinstance(a.parent, nodes.Arguments) for a in assigns)
    )


def _compares_local(compare: nodes.Compare) -> bool:
    """A comparison whose operands are plain names (locals, parameters) and constants."""
    operands = [compare.left, *(right for _, right in compare.ops)]
    return any(isinstance(o, nodes.Name) for o in operands) and not any(
        isinstance(o, nodes.Attribute) for o in operands
    )


def _compares_own_or_item(compare: nodes.Compare, item: str | None) -> bool:
    """A comparison with a sentinel (or `True`) of the item itself, of the worker's own
    state, or of a field of the item against a named marker (not against `None`)."""
    operands = [compare.left, *(right for _, right in compare.ops)]
    for side, other in ((operands[0], rest) for rest in operands[1:]):
        for this, that in ((side, other), (other, side)):
            if not (is_sentinel(that) or (isinstance(that, nodes.Const) and that.value is True)):
                continue
            if _own(this, item) or _is_item(this, item):
                return True
            if _field_of_item(this, item) and not isinstance(that, nodes.Const):
                return True  # the item is a marker object (`msg.kind == STOP`)
    return False


def _own(expr: nodes.NodeNG, item: str | None) -> bool:
    """`expr` is the worker's own state: a local or parameter that is not the item nor
    taken from it, a module-level name, or an attribute of `self`/`cls` or of a module
    (one level: the attribute of an attribute is a collaborator's)."""
    if isinstance(expr, nodes.Name):
        return expr.name != item and not _taken_from_item(expr, item)
    if isinstance(expr, nodes.Attribute) and isinstance(expr.expr, nodes.Name):
        owner = expr.expr
        return owner.name in _SELF_NAMES or _module_name(owner)
    return False


def _module_name(name: nodes.Name) -> bool:
    """`name` is bound to an imported module, or is a module-level global bound to a
    constant (a module's own flags; a module-level object is a collaborator)."""
    try:
        scope, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return False
    if not assigns:
        return False
    if all(isinstance(a, nodes.Import | nodes.ImportFrom) for a in assigns):
        return True
    return isinstance(scope, nodes.Module) and all(
        isinstance(getattr(a.parent, "value", None), nodes.Const) for a in assigns
    )


def _is_item(expr: nodes.NodeNG, item: str | None) -> bool:
    """`expr` is the item taken (or, with no item known, any plain name or subscript); a
    subscript of a known item is one of its fields."""
    if item is None:
        return isinstance(expr, nodes.Name | nodes.Subscript)
    return isinstance(expr, nodes.Name) and expr.name == item


def _field_of_item(expr: nodes.NodeNG, item: str | None) -> bool:
    """`expr` is a field of the item (`msg.kind`, `msg["type"]`), or a local taken from
    it (`shaft, reading = item`, `flow = item[2]`)."""
    if isinstance(expr, nodes.Name):
        return _taken_from_item(expr, item)
    base = expr.expr if isinstance(expr, nodes.Attribute) else None
    if isinstance(expr, nodes.Subscript):
        base = expr.value
    return base is not None and _is_item(base, item)


def _taken_from_item(name: nodes.Name, item: str | None, depth: int = 0) -> bool:
    """`name` is a local assigned a part of the item: unpacked from it (`a, b = item`),
    one of its fields (`b = item[1]`, `b = item.flow`), or a value computed from it
    (`step = STEPS.get(pedal)`). A test of it is a test of the item's content, not of
    the worker's state."""
    if item is None or name.name == item:
        return False
    try:
        _, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return False
    for assign in assigns:
        statement = assign.parent
        while isinstance(statement, nodes.Tuple | nodes.List | nodes.Starred):
            statement = statement.parent
        if not isinstance(statement, nodes.Assign):
            continue
        value = statement.value
        unpacked = assign.parent is not statement
        if unpacked and isinstance(value, nodes.Name) and value.name == item:
            return True
        if not unpacked and _field_of_item(value, item) and not isinstance(value, nodes.Name):
            return True
        if (
            not unpacked
            and not isinstance(value, nodes.Name)
            and depth < 3
            and any(
                isinstance(n, nodes.Name)
                and (n.name == item or _taken_from_item(n, item, depth + 1))
                for n in walk(value)
            )
        ):
            return True  # computed from the item or its parts (`step = STEPS.get(pedal)`)
    return False
