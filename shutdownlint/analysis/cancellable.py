"""Whether the waiters of the futures a registry holds can cancel them.

A waiter cancels a future by awaiting it (its task's cancellation goes into the awaited
future), through `wait_for` or `gather`, or by calling `cancel()` on what it was given.
A registry whose futures reach their waiters only through `asyncio.shield()` (or are
waited for through `asyncio.wait()`, which never cancels what it waits on) holds no
future a waiter cancelled: releasing each of them (`set_result`, `set_exception`) cannot
raise `InvalidStateError` for that reason (SDL102's loop over waiters).

The question is asked of every place the module touches one of the registry's futures:
where it is stored (and the local stored, in its function), where an item is read back
(`reg[k]`, `reg.get(k)`, `reg.pop(k)`), and the loops over the registry. A use not
known to leave the future uncancelled (returned, awaited, handed to another call) is
taken to let a waiter cancel it.
"""

from __future__ import annotations

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import StateKey, enclosing_function, last_name, lookup, state_key

# What a holder of the future may do with it without cancelling it or handing it on.
_INERT_METHODS = frozenset(
    {
        "done", "cancelled", "result", "exception", "set_result", "set_exception",
        "add_done_callback", "remove_done_callback", "cancel",
    }
)  # fmt: skip
# Calls that wait for a future without ever cancelling it.
_SHIELDING = frozenset({"shield", "wait"})
_ADDERS = frozenset({"append", "add", "appendleft"})
_VIEWS = frozenset({"values", "items", "copy"})
_COPIES = frozenset({"list", "tuple", "set", "sorted"})
_LOOKS = frozenset({"id", "hash", "repr", "str", "isinstance", "type"})


def registry_of(iterable: nodes.NodeNG) -> StateKey | None:
    """The state a loop iterates over: `self._waiters` in `self._waiters.values()`,
    `list(self._waiters)`, `self._waiters.items()`."""
    while True:
        if (
            isinstance(iterable, nodes.Call)
            and isinstance(iterable.func, nodes.Name)
            and iterable.func.name in _COPIES
            and len(iterable.args) == 1
        ):
            iterable = iterable.args[0]
        elif (
            isinstance(iterable, nodes.Call)
            and isinstance(iterable.func, nodes.Attribute)
            and iterable.func.attrname in _VIEWS
        ):
            iterable = iterable.func.expr
        else:
            break
    return state_key(iterable)


def waiters_can_cancel(all_nodes: list[nodes.NodeNG], release_loop: nodes.For) -> bool:
    """Whether a waiter can cancel a future the registry `release_loop` iterates over:
    some use of one lets it, or the module's stores into the registry cannot be found,
    or the loop walks the keys of a registry that keeps the futures as its values."""
    registry = registry_of(release_loop.iter)
    if registry is None:
        return True
    keyed: bool | None = None  # stored by key (`reg[k] = f`): the items are the values
    stores = 0
    for node in all_nodes:
        if isinstance(node, nodes.Assign):
            for target in node.targets:
                if isinstance(target, nodes.Subscript) and state_key(target.value) == registry:
                    stores += 1
                    keyed = True if keyed is None else keyed
                    if _stored_local_escapes(node.value, node, registry):
                        return True
        elif (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname in _ADDERS
            and state_key(node.func.expr) == registry
            and node.args
        ):
            stores += 1
            keyed = False if keyed is None else keyed
            if _stored_local_escapes(node.args[0], node.statement(), registry):
                return True
    if not stores or (keyed and not _item_targets(release_loop, keyed)):
        return True
    for node in all_nodes:
        if isinstance(node, nodes.Subscript) and state_key(node.value) == registry:
            if isinstance(node.parent, nodes.Assign) and node in node.parent.targets:
                continue
            if isinstance(node.parent, nodes.Delete):
                continue
            if not _inert_use(node):
                return True
        elif (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname in ("get", "pop")
            and state_key(node.func.expr) == registry
        ):
            if _value_escapes(node, registry):
                return True
        elif isinstance(node, nodes.For) and registry_of(node.iter) == registry:
            for name in _item_targets(node, keyed):
                if _local_escapes(name, node, registry):
                    return True
    return False


def _item_targets(loop: nodes.For, keyed: bool | None) -> list[str]:
    """The loop's names bound to the registry's futures."""
    target = loop.target
    view = (
        loop.iter.func.attrname
        if (isinstance(loop.iter, nodes.Call) and isinstance(loop.iter.func, nodes.Attribute))
        else None
    )
    if keyed:
        if view == "items" and isinstance(target, nodes.Tuple) and len(target.elts) == 2:
            target = target.elts[1]
        elif view != "values":
            return []  # its keys
    return [target.name] if isinstance(target, nodes.AssignName) else []


def _stored_local_escapes(value: nodes.NodeNG, store: nodes.NodeNG, registry: StateKey) -> bool:
    """The local stored into the registry is also used where a waiter can cancel it."""
    if not isinstance(value, nodes.Name):
        return False  # made in the store itself: the registry is its only holder
    return _local_escapes(value.name, store, registry)


def _value_escapes(call: nodes.Call, registry: StateKey) -> bool:
    """`reg.get(k)` / `reg.pop(k)`: used in place, or through the local it is bound to."""
    parent = call.parent
    if (
        isinstance(parent, nodes.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], nodes.AssignName)
    ):
        return _local_escapes(parent.targets[0].name, parent, registry)
    if isinstance(parent, nodes.Expr):
        return False  # dropped
    return not _inert_use(call)


def _local_escapes(name: str, where: nodes.NodeNG, registry: StateKey) -> bool:
    function = enclosing_function(where)
    if function is None:
        return True
    for node in function.nodes_of_class(nodes.Name):
        if node.name != name or _stored_into(node, registry):
            continue
        try:
            scope, _ = lookup(node, name)
        except (AstroidError, RecursionError):
            return True
        if scope is function and not _inert_use(node):
            return True
    return False


def _stored_into(node: nodes.NodeNG, registry: StateKey) -> bool:
    """`reg[k] = node` or `reg.add(node)`: the store itself."""
    parent = node.parent
    if isinstance(parent, nodes.Assign) and parent.value is node:
        return any(
            isinstance(t, nodes.Subscript) and state_key(t.value) == registry
            for t in parent.targets
        )
    return (
        isinstance(parent, nodes.Call)
        and isinstance(parent.func, nodes.Attribute)
        and parent.func.attrname in _ADDERS
        and state_key(parent.func.expr) == registry
    )


def _inert_use(node: nodes.NodeNG) -> bool:
    """`fut.done()`, `fut is other`, `id(fut)`, `asyncio.shield(fut)`,
    `asyncio.wait({fut, ...})`, `wrap_future(fut)` given to one of those: no waiter
    can cancel the future through this use."""
    parent = node.parent
    if isinstance(parent, nodes.Attribute) and parent.attrname in _INERT_METHODS:
        return isinstance(parent.parent, nodes.Call) and parent.parent.func is parent
    if isinstance(parent, nodes.Compare):
        return True
    if isinstance(parent, nodes.Call) and last_name(parent.func) in _LOOKS:
        return True
    if isinstance(parent, nodes.Call) and last_name(parent.func) == "wrap_future":
        node, parent = parent, parent.parent
    if isinstance(parent, nodes.List | nodes.Tuple | nodes.Set):
        node, parent = parent, parent.parent
    return (
        isinstance(parent, nodes.Call)
        and node in parent.args
        and last_name(parent.func) in _SHIELDING
    )
