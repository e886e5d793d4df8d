"""The syntactic shapes `races` reads: what an `if` decides, lookups through a local,
`hasattr`/`getattr` probes, per-thread slots, handlers that cope with a cleared value,
restore closures. Small functions of nodes and accesses, no provider state."""

from __future__ import annotations

from dataclasses import dataclass, replace

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.infer import (
    FunctionLike,
    call_argument,
    enclosing_function,
    is_self_parameter,
    last_name,
    lookup,
    walk,
)
from shutdownlint.analysis.locks import Held
from shutdownlint.analysis.shared import Access, AccessKind, SharedState, is_constant
from shutdownlint.analysis.vocabulary import CURRENT_THREAD_CALLS, IDENTITY_CALLS

EXITS = (nodes.Return, nodes.Raise, nodes.Continue, nodes.Break)
# Calls that hand work to another thread: what was written before them is visible there.
HAND_OFFS = frozenset(
    {
        "start",
        "submit",
        "put",
        "put_nowait",
        "set",
        "notify",
        "notify_all",
        "apply_async",
        "register",
    }
)


def semantic_conflicts(access: Access, accesses: list[Access]) -> list[Access]:
    """The other accesses an unguarded one can break against (empty: it cannot break):
    a Python-level iteration against in-place changes (but not a list's appends: the
    loop sees the list as before or after the add), an in-place change against
    iterations, a swap of a container against in-place changes, a use of the value
    against writes that clear it. Plain reads, constant flag writes and atomic
    operations break nothing on their own."""
    kind = access.kind
    if at_own_slot(access):
        return []
    others = [o for o in accesses if o is not access and not o.quiet]
    in_place = [o for o in others if o.in_place and o.held.guarded]
    if kind is AccessKind.ITERATE:
        # A list only appended to: the loop sees it as before or after each add.
        return [o for o in in_place if not o.appends]
    if kind is AccessKind.MUTATE and not access.atomic:
        if access.appends:
            return []
        return [
            o for o in others if o.kind is AccessKind.ITERATE and o.function is not access.function
        ]
    if (
        kind is AccessKind.WRITE
        and not is_constant(access.value)
        and not is_plain_reference(access.value)
    ):
        return in_place
    if kind is AccessKind.DELETE:
        return [o for o in others if o.held.guarded]
    if kind is AccessKind.USE and not access.in_test and not _catches_none_use(access.node):
        return [o for o in others if o.held.guarded and o.clears]
    return []


def is_plain_reference(value: nodes.NodeNG | None) -> bool:
    """A parameter or local passed in (`self._x = x`): storing it is one atomic rebind."""
    return isinstance(value, nodes.Name)


def self_rooted(node: nodes.NodeNG) -> bool:
    """`self`, `self._radio`, `self._pool.workers`: the object or something it holds."""
    while isinstance(node, nodes.Attribute | nodes.Subscript):
        node = node.expr if isinstance(node, nodes.Attribute) else node.value
    return is_self_parameter(node)


def depends_on_arguments(value: nodes.NodeNG) -> bool:
    """The value is made from the call's own inputs (an argument of the enclosing
    function other than `self`, or a local assigned from one): two calls with different
    arguments store different values. A value made from neither (`os.sysconf(...)`, the
    object's own fields) is what any racer computes alike."""
    function = enclosing_function(value)
    if function is None or isinstance(function, nodes.Lambda):
        return False
    arguments = {a.name for a in function.args.arguments} - {_first_argument(function)}
    names = {n.name for n in walk(value) if isinstance(n, nodes.Name)}
    if names & arguments:
        return True
    for assign in function.nodes_of_class(nodes.Assign):
        targets = {t.name for t in assign.targets if isinstance(t, nodes.AssignName)}
        if targets & names and any(
            isinstance(n, nodes.Name) and n.name in arguments for n in walk(assign.value)
        ):
            return True
    return False


def _first_argument(function: nodes.FunctionDef) -> str | None:
    params = function.args.posonlyargs + function.args.args
    if params and isinstance(function.parent, nodes.ClassDef):
        return params[0].name
    return None


@dataclass(frozen=True)
class Branch:
    """The statements a test decides: line ranges of one function's own code."""

    function: FunctionLike
    ranges: tuple[tuple[int, int], ...]

    def __contains__(self, node: nodes.NodeNG) -> bool:
        line = node.lineno or 0
        return any(start <= line <= end for start, end in self.ranges)

    def nodes(self, contexts: Contexts) -> list[nodes.NodeNG]:
        return [n for n in contexts.nodes_of(self.function) if n in self]


def _span(statements: list[nodes.NodeNG]) -> tuple[int, int] | None:
    if not statements:
        return None
    return statements[0].fromlineno or 0, statements[-1].tolineno or 0


def tests_of(owner, state: SharedState, contexts: Contexts):
    """(test, the statements its branches run, those of its own body) for every `if` /
    `while` in the owner's functions; the branches include the statements after an `if`
    whose body exits."""
    for function in state.functions_of(owner):
        for node in contexts.nodes_of(function):
            if not isinstance(node, nodes.If | nodes.While):
                continue
            body = tuple(r for r in (_span(node.body), _span(node.orelse)) if r is not None)
            branch = body
            if node.body and isinstance(node.body[-1], EXITS):
                followers = []
                follower = node.next_sibling()
                while follower is not None:
                    followers.append(follower)
                    follower = follower.next_sibling()
                span = _span(followers)
                if span is not None:
                    branch = (*body, span)
            yield node.test, Branch(function, branch), Branch(function, body)


def hasattr_checks(test: nodes.NodeNG, state) -> list[Access]:
    """`hasattr(cls, "_instances")` and `getattr(self, "_flags", None)` check
    `cls._instances` / `self._flags`: its first access stands in."""
    found = []
    for node in walk(test):
        if (
            isinstance(node, nodes.Call)
            and last_name(node.func) in ("hasattr", "getattr")
            and len(node.args) in (2, 3)
            and is_self_parameter(node.args[0])
            and isinstance(node.args[1], nodes.Const)
            and isinstance(node.args[1].value, str)
        ):
            accesses = state.get(node.args[1].value)
            if accesses:
                first = accesses[0]
                found.append(
                    Access(
                        first.key,
                        node.args[1],
                        node.statement(),
                        enclosing_function(node),
                        AccessKind.READ,
                        Held(),
                        first.threads,
                        in_test=True,
                    )
                )
    return found


def lookup_checks(test: nodes.NodeNG, by_node, function: FunctionLike) -> list[Access]:
    """Get-or-create through a local: `pool = self.pools.get(key)` (or `self.pools[key]`)
    then `if pool is None:` checks `self.pools`, when the `if` stores into it."""
    branch = test.parent
    if not isinstance(branch, nodes.If) or branch.test is not test:
        return []
    found = []
    for name in walk(test):
        if not isinstance(name, nodes.Name):
            continue
        try:
            scope, assigned = lookup(name, name.name)
        except (AstroidError, RecursionError):
            continue
        if scope is not function or len(assigned) != 1:
            continue
        assign = assigned[0].parent
        if not isinstance(assign, nodes.Assign) or (assign.lineno or 0) >= (test.lineno or 0):
            continue
        value = assign.value
        if (
            isinstance(value, nodes.Call)
            and isinstance(value.func, nodes.Attribute)
            and value.func.attrname == "get"
        ):
            container, key = value.func.expr, value.args[0] if value.args else None
        elif isinstance(value, nodes.Subscript):
            container, key = value.value, value.slice
        else:
            continue
        if key is not None and per_thread_key(key):
            continue  # each thread looks up and fills its own slot
        access = by_node.get(container)
        if access is not None and _stores_into(_decided(branch), access.key.name):
            found.append(replace(access, in_test=True))
    return found


def _decided(branch: nodes.If) -> list[nodes.NodeNG]:
    """The statements an `if` decides: its body, and, when the body exits (a guard
    clause, `if hit is not None: return hit`), the statements after it."""
    decided = list(branch.body)
    if branch.body and isinstance(branch.body[-1], EXITS):
        follower = branch.next_sibling()
        while follower is not None:
            decided.append(follower)
            follower = follower.next_sibling()
    return decided


def _stores_into(body: list[nodes.NodeNG], name: str) -> bool:
    """`self.<name>[k] = ...` somewhere in `body`."""
    return any(
        isinstance(node, nodes.Subscript)
        and isinstance(node.value, nodes.Attribute)
        and node.value.attrname == name
        and isinstance(node.parent, nodes.Assign)
        and node in node.parent.targets
        for statement in body
        for node in walk(statement)
    )


def asked_key(node: nodes.NodeNG) -> str | None:
    """The key a read of a container asks about, as written: `k` in `k in self._d`,
    `self._d.get(k)`, `self._d[k]`, `self._d.pop(k, None)`; None for any other read."""
    parent = node.parent
    if isinstance(parent, nodes.Compare) and len(parent.ops) == 1:
        op, right = parent.ops[0]
        if op in ("in", "not in") and right is node:
            return parent.left.as_string()
    if isinstance(parent, nodes.Subscript) and parent.value is node:
        return parent.slice.as_string()
    if (
        isinstance(parent, nodes.Attribute)
        and parent.attrname in ("get", "pop", "setdefault", "__contains__")
        and isinstance(parent.parent, nodes.Call)
        and parent.parent.func is parent
        and parent.parent.args
    ):
        return parent.parent.args[0].as_string()
    return None


def read_again(act: Access, accesses: list[Access], test: nodes.NodeNG) -> bool:
    """The act's function reads the state again, between the check and the act, under a
    lock the act holds (the double-checked get-or-create)."""
    return act.held.guarded and any(
        other.function is act.function
        and other is not act
        and (test.lineno or 0) < (other.node.lineno or 0) <= (act.node.lineno or 0)
        and other.held.shares_with(act.held)
        for other in accesses
    )


def takes_all(act: Access, accesses: list[Access], test: nodes.NodeNG) -> bool:
    """The act is a take-all swap under a lock: after the check, in the act's critical
    section, the function binds the state's whole current value to a name and then
    rebinds the state (`with lock: batch = self._new; self._new = set()`). It works on
    whatever the state holds by then, so the unlocked check was only a hint."""
    if act.kind is not AccessKind.WRITE or not act.held.guarded:
        return False
    return any(
        other.function is act.function
        and other.kind is AccessKind.READ
        and isinstance(other.statement, nodes.Assign)
        and other.statement.value is other.node
        and (test.lineno or 0) < (other.node.lineno or 0) <= (act.node.lineno or 0)
        and other.held.shares_with(act.held)
        for other in accesses
    )


def is_class_level(access: Access) -> bool:
    function = access.function
    node = access.node
    receiver = getattr(node, "expr", None)
    if isinstance(receiver, nodes.Name):
        if isinstance(access.key.owner, nodes.ClassDef) and receiver.name == access.key.owner.name:
            return True
        if receiver.name == "cls":
            return True
    if isinstance(function, nodes.FunctionDef):
        return function.type == "classmethod" or function.name == "__new__"
    return False


def at_own_slot(access: Access) -> bool:
    """`self._conns[threading.get_ident()]`, `self._conns.pop(get_ident(), None)`: the
    current thread's own slot of a per-thread map."""
    parent = access.node.parent
    if isinstance(parent, nodes.Subscript) and parent.value is access.node:
        return per_thread_key(parent.slice)
    if isinstance(parent, nodes.Attribute) and isinstance(parent.parent, nodes.Call):
        call = parent.parent
        return call.func is parent and bool(call.args) and per_thread_key(call.args[0])
    return False


def _protocol_owner(function: FunctionLike) -> FunctionLike:
    """The function whose save-and-restore protocol `function` is part of: a restore
    closure the enclosing function returns (`def pop(): ...; return pop`) belongs to
    it (P7)."""
    parent = enclosing_function(function)
    name = getattr(function, "name", None)
    if parent is None or name is None:
        return function
    returns = any(
        isinstance(n, nodes.Return) and isinstance(n.value, nodes.Name) and n.value.name == name
        for n in walk(parent)
    )
    return parent if returns else function


def per_thread_key(key: nodes.NodeNG) -> bool:
    """The current thread's identity (`threading.get_ident()`, `current_thread()`), or a
    local of the function assigned from it: a container slot at that key belongs to
    one thread."""
    if isinstance(key, nodes.Name):
        try:
            _, assigned = lookup(key, key.name)
        except (AstroidError, RecursionError):
            return False
        values = [a.parent.value for a in assigned if isinstance(a.parent, nodes.Assign)]
        return bool(values) and len(values) == len(assigned) and all(map(_thread_identity, values))
    return _thread_identity(key)


def _thread_identity(node: nodes.NodeNG) -> bool:
    while isinstance(node, nodes.Attribute):  # `current_thread().name`
        node = node.expr
    return isinstance(node, nodes.Call) and last_name(node.func) in CURRENT_THREAD_CALLS


def is_getpid_test(test: nodes.NodeNG) -> bool:
    return any(
        isinstance(n, nodes.Call) and last_name(n.func) in IDENTITY_CALLS for n in walk(test)
    )


def calls_of(function: FunctionLike, contexts: Contexts) -> list[nodes.Call]:
    return [n for n in contexts.nodes_of(function) if isinstance(n, nodes.Call)]


def callee_argument(call: nodes.Call, row) -> nodes.NodeNG | None:
    if row.callee_position is None:
        return None
    argument = call_argument(call, row.callee_position, row.callee_keyword or "")
    if row.coroutine and isinstance(argument, nodes.Call):
        return argument.func
    return argument


def checked_before(function, call, name, state) -> Access | None:
    """A test of `self.<name>` in `function` that the scheduling `call` depends on: the
    call is in its branch, or it comes earlier and its branch exits."""
    for access in state.get(name, []):
        if access.function is not function or not access.in_test:
            continue
        statement = access.statement
        if not isinstance(statement, nodes.If | nodes.While):
            continue
        inside = any(call in walk(s) for s in [*statement.body, *statement.orelse])
        exits = bool(statement.body) and isinstance(statement.body[-1], EXITS)
        if inside or (exits and (statement.lineno or 0) < (call.lineno or 0)):
            return access
    return None


def inside_handler(node: nodes.NodeNG, function: FunctionLike) -> bool:
    """In a `try` of the same function whose handlers catch the failure."""
    child, parent = node, node.parent
    while parent is not None and parent is not function:
        if isinstance(parent, nodes.Try) and child in parent.body and parent.handlers:
            return True
        child, parent = parent, parent.parent
    return False


_CATCH_ALL = frozenset({"AttributeError", "TypeError", "Exception", "BaseException"})


def catches(handler: nodes.ExceptHandler, name: str) -> bool:
    """The handler names `name` (alone or in a tuple)."""
    if handler.type is None:
        return False
    caught = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    return any(last_name(c) == name for c in caught)


def _catches_none_use(node: nodes.NodeNG) -> bool:
    """In a `try` whose handler catches what using `None` raises (`AttributeError`,
    `Exception`, a bare `except`): the code already copes with the value being cleared."""
    function = enclosing_function(node)
    child, parent = node, node.parent
    while parent is not None and parent is not function:
        if isinstance(parent, nodes.Try) and child in parent.body:
            for handler in parent.handlers:
                if handler.type is None:
                    return True
                caught = (
                    handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
                )
                if any(last_name(c) in _CATCH_ALL for c in caught):
                    return True
        child, parent = parent, parent.parent
    return False


def save_and_restores(accesses: list[Access]) -> list[tuple[Access, Access, Access]]:
    """(save, replacement, restore) of a global: `old = G; G = new; ...; G = old` in one
    function, or in a function and the restore closure it returns (P7); the first save
    of each function that has both a later replacement and a restore."""
    by_function: dict[FunctionLike, list[Access]] = {}
    for access in accesses:
        if not access.quiet:
            by_function.setdefault(_protocol_owner(access.function), []).append(access)
    found = []
    for mine in by_function.values():
        saves = [
            a
            for a in mine
            if a.kind is AccessKind.READ
            and isinstance(a.node.parent, nodes.Assign)
            and a.node.parent.value is a.node
            and all(isinstance(t, nodes.AssignName) for t in a.node.parent.targets)
        ]
        for save in saves:
            local = save.node.parent.targets[0].name
            later = [
                a for a in mine if a.kind is AccessKind.WRITE and a.node.lineno > save.node.lineno
            ]
            restores = [
                a for a in later if isinstance(a.value, nodes.Name) and a.value.name == local
            ]
            sets = [a for a in later if a not in restores]
            if restores and sets:
                found.append((save, sets[0], restores[0]))
                break
    return found


def never_unset(value: nodes.NodeNG | None) -> bool:
    """A stored value that is never None or false: a non-empty display (`(t, e, tb)`),
    `sys.exc_info()`, an exception object (a name bound by `except ... as e`, an
    exception made on the spot)."""
    if isinstance(value, nodes.Tuple | nodes.List | nodes.Set):
        return bool(value.elts)
    if isinstance(value, nodes.Call):
        name = last_name(value.func) or ""
        return name == "exc_info" or name.endswith(("Error", "Exception"))
    if isinstance(value, nodes.Name):
        try:
            _, bindings = lookup(value, value.name)
        except AstroidError:
            return False
        return bool(bindings) and all(
            isinstance(b, nodes.AssignName) and isinstance(b.parent, nodes.ExceptHandler)
            for b in bindings
        )
    return False


def presence_test(read: Access) -> bool:
    """The read is a test of whether the state is set: `if self.x:`, `if not self.x:`,
    `if self.x is (not) None:`."""
    node, parent = read.node, read.node.parent
    if isinstance(parent, nodes.UnaryOp) and parent.op == "not":
        node, parent = parent, parent.parent
    if isinstance(parent, nodes.Compare) and parent.left is node and len(parent.ops) == 1:
        op, other = parent.ops[0]
        if op in ("is", "is not") and isinstance(other, nodes.Const) and other.value is None:
            node, parent = parent, parent.parent
    return isinstance(parent, nodes.If | nodes.While | nodes.IfExp) and parent.test is node
