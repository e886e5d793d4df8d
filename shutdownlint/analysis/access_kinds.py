"""How an expression naming long-lived state accesses it (`classify`): a read, a write,
a change in place, a read-modify-write, an iteration, or a use of its value. A table
below the providers that ask it (the shared-state accesses, the thread map)."""

from __future__ import annotations

from enum import Enum

from astroid import nodes

from shutdownlint.analysis.infer import last_name


class AccessKind(str, Enum):
    READ = "read"
    WRITE = "write"  # rebinding: `self.x = v`
    DELETE = "delete"  # `del self.x`
    MUTATE = "mutate"  # in place: `d[k] = v`, `del d[k]`, `.append()`, `.clear()`
    RMW = "read-modify-write"  # `self.x += 1`, `self.x = self.x + 1`, `d[k] = d.get(k) + 1`
    ITERATE = "iterate"  # a Python-level loop over it (`for`, a comprehension)
    USE = "use"  # its value used: a method called on it, an attribute or item read

    @property
    def writes(self) -> bool:
        return self in _WRITING

    @property
    def verb(self) -> str:
        """How a message says it: "written", "iterated"..."""
        return _VERBS[self]


_WRITING = frozenset({AccessKind.WRITE, AccessKind.DELETE, AccessKind.MUTATE, AccessKind.RMW})
_VERBS = {
    AccessKind.READ: "read",
    AccessKind.WRITE: "written",
    AccessKind.DELETE: "deleted",
    AccessKind.MUTATE: "changed in place",
    AccessKind.RMW: "updated (read-modify-write)",
    AccessKind.ITERATE: "iterated",
    AccessKind.USE: "used",
}

#: Methods that change a container in place (a list, dict, set, deque...).
MUTATING_METHODS = frozenset(
    {
        "append",
        "appendleft",
        "extend",
        "extendleft",
        "insert",
        "pop",
        "popleft",
        "popitem",
        "remove",
        "discard",
        "clear",
        "add",
        "update",
        "setdefault",
        "sort",
        "reverse",
        "rotate",
        "difference_update",
        "intersection_update",
        "symmetric_difference_update",
        "__setitem__",
        "__delitem__",
    }
)
#: Calls that loop over their argument in Python code the caller sees (`six.itervalues`).
ITERATING_CALLS = frozenset(
    {"iteritems", "itervalues", "iterkeys", "viewitems", "viewvalues", "viewkeys", "enumerate"}
)
_VIEWS = frozenset({"items", "values", "keys"})


def classify(node: nodes.NodeNG) -> tuple[AccessKind, nodes.NodeNG | None]:
    """How an expression naming state accesses it, and the value a write assigns."""
    parent = node.parent
    if isinstance(node, nodes.AssignAttr | nodes.AssignName):
        if isinstance(parent, nodes.AugAssign):
            return AccessKind.RMW, parent.value
        if isinstance(parent, nodes.Assign | nodes.AnnAssign) and parent.value is not None:
            if _accumulates(parent.value, node):
                return AccessKind.RMW, parent.value
            return AccessKind.WRITE, parent.value
        return AccessKind.WRITE, None  # tuple unpacking, `for self.x in`, `with ... as`
    if isinstance(node, nodes.DelAttr | nodes.DelName):
        return AccessKind.DELETE, None
    if isinstance(parent, nodes.Subscript) and parent.value is node:
        holder = parent.parent
        if isinstance(holder, nodes.AugAssign) and holder.target is parent:
            return AccessKind.RMW, holder.value
        if isinstance(holder, nodes.Assign) and parent in holder.targets:
            if _accumulates(holder.value, node):
                return AccessKind.RMW, holder.value
            return AccessKind.MUTATE, holder.value
        if isinstance(holder, nodes.Delete):
            return AccessKind.MUTATE, None
        return AccessKind.USE, None
    if isinstance(parent, nodes.Attribute) and parent.expr is node:
        holder = parent.parent
        if isinstance(holder, nodes.Call) and holder.func is parent:
            if parent.attrname in MUTATING_METHODS:
                return AccessKind.MUTATE, None
            if parent.attrname in _VIEWS and _is_iterated(holder):
                return AccessKind.ITERATE, None
        return AccessKind.USE, None
    if isinstance(parent, nodes.Call) and parent.func is node:
        return AccessKind.USE, None
    if _is_iterated(node):
        return AccessKind.ITERATE, None
    return AccessKind.READ, None


def _is_iterated(node: nodes.NodeNG) -> bool:
    """`for _ in node`, `[... for _ in node]`, `for _ in six.itervalues(node)`."""
    parent = node.parent
    if isinstance(parent, nodes.For | nodes.Comprehension) and parent.iter is node:
        return True
    if (
        isinstance(parent, nodes.Call)
        and node in parent.args
        and last_name(parent.func) in ITERATING_CALLS
    ):
        return _is_iterated(parent)
    return False


def _accumulates(value: nodes.NodeNG, target: nodes.NodeNG) -> bool:
    """The assigned value is computed from the target's own state by an operator
    (`x = x + 1`, `d[k] = d.get(k, 0) + 1`, `buf = buf[n:]`): a read-modify-write."""
    text = state_text(target)
    if text is None:
        return False
    operands: list[nodes.NodeNG] = []
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, nodes.BinOp):
            pending.extend((node.left, node.right))
        elif isinstance(node, nodes.BoolOp):
            pending.extend(node.values)
        else:
            operands.append(node)
    if len(operands) < 2 and not isinstance(value, nodes.Subscript):
        return False
    for operand in operands:
        if isinstance(operand, nodes.Call) and isinstance(operand.func, nodes.Attribute):
            operand = operand.func.expr  # `d.get(k, 0)`
        if isinstance(operand, nodes.Subscript):
            operand = operand.value  # `d[k]`, `buf[n:]`
        if state_text(operand) == text:
            return True
    return False


def state_text(node: nodes.NodeNG) -> str | None:
    if isinstance(node, nodes.Attribute | nodes.AssignAttr | nodes.DelAttr):
        inner = state_text(node.expr)
        return f"{inner}.{node.attrname}" if inner else None
    if isinstance(node, nodes.Name | nodes.AssignName | nodes.DelName):
        return node.name
    if isinstance(node, nodes.Subscript):
        return state_text(node.value)
    return None
