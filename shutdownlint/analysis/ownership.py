"""Who owns a value: its identity across a function and its module, its aliases, and
what a statement does to it (releases it, hands it over, stores it where it outlives
the call) — the ownership facts every SDL1xx rule asks.

`identity()` names a value (`self.x` of a class, a module global, a function's local;
a local assigned once from `self.x` is `self.x`). A `Tracker` follows one value through
a function, statement by statement, and says whether each releases it (with one of
its release operations, the rows of `operations.OPERATIONS`), hands it over (returned,
stored, passed on, registered as a callback) or leaves it with the function.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass

from astroid import bases, nodes, objects
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import (
    FunctionLike,
    StateKey,
    imported_name,
    is_self_parameter,
    last_name,
    lookup,
    made_by_one_call,
    sole_definition,
    state_key,
    wait_half,
    walk,
)
from shutdownlint.analysis.kinds import KNOWN_TYPES
from shutdownlint.analysis.operations import Holder, adding_methods, ends_on_failure, operations
from shutdownlint.analysis.paths import Release, is_logging_call
from shutdownlint.analysis.safe_calls import RUNNING_LOOP
from shutdownlint.analysis.vocabulary import Kind

# asyncio APIs that adopt a socket passed as `sock=` only when they return: until then
# the socket is still the caller's to close.
ADOPTS_ON_SUCCESS = frozenset(
    {
        "create_connection",
        "create_server",
        "create_unix_connection",
        "create_unix_server",
        "create_datagram_endpoint",
        "connect_accepted_socket",
        "open_connection",
        "start_server",
        "open_unix_connection",
        "start_unix_server",
    }
)
# Calls that only look at an object passed to them: not a hand-over.
BORROWING = frozenset(
    {
        "print", "str", "repr", "len", "isinstance", "id", "hash", "type", "bool", "getattr",
        "hasattr", "setattr", "format", "register", "modify", "unregister", "select",
        "wait", "settimeout", "setsockopt", "sendall", "send", "recv", "append_log",
        "run_in_executor",
    }
)  # fmt: skip
_SENTINEL_NAME = re.compile(
    r"(?i)(^|_)(sentinel|terminator|terminate|stop|eof|end|done|quit|shutdown|poison|close)(_|$)"
)


# -- identity of an object across a function and its module --------------------------------
@dataclass(frozen=True)
class Local:
    """A local variable of one function (seen from nested functions too, by closure)."""

    scope: nodes.NodeNG
    name: str


Identity = Local | StateKey


def identity(expr: nodes.NodeNG | None, follow_alias: bool = True) -> Identity | None:
    """What `expr` names: `self.x` of a class, a module global, or a function's local.
    A local assigned once from `self.x` (`q = self.queue`) is `self.x`."""
    if expr is None:
        return None
    key = state_key(expr)
    if key is not None:
        return key
    if isinstance(expr, nodes.Attribute) and isinstance(expr.expr, nodes.Name):
        return _field_of_made_object(expr)
    if not isinstance(expr, nodes.Name):
        return None
    try:
        scope, assigns = lookup(expr, expr.name)
    except (AstroidError, RecursionError):
        return None
    if not isinstance(scope, FunctionLike):
        return None
    if follow_alias:
        values = [a.parent.value for a in assigns if isinstance(a.parent, nodes.Assign)]
        if len(assigns) == 1 and len(values) == 1:
            aliased = state_key(values[0])
            if aliased is not None:
                return aliased
    return Local(scope, expr.name)


def _field_of_made_object(expr: nodes.Attribute) -> StateKey | None:
    """`packer.inbox`, where the function made `packer` once from a class of the module
    (`packer = Packer(bins)`): the field `inbox` of that class, the same state its own
    methods name `self.inbox` (the queue its `run()` takes from)."""
    name = expr.expr
    try:
        scope, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return None
    if not isinstance(scope, FunctionLike) or len(assigns) != 1:
        return None
    statement = assigns[0].parent
    if not (
        isinstance(statement, nodes.Assign)
        and isinstance(statement.value, nodes.Call)
        and isinstance(statement.value.func, nodes.Name)
    ):
        return None
    cls = sole_definition(statement.value.func)
    return StateKey(cls, expr.attrname) if isinstance(cls, nodes.ClassDef) else None


# -- the release vocabulary of `with` --------------------------------------------------------
#: Context managers that close (or hand to what closes) the object they are given when
#: the block ends: `with closing(x):` releases `x` as `with x:` does.
CLOSING_WRAPPERS = frozenset({"closing", "aclosing", "enter_context", "enter_async_context"})


def with_releases(item: nodes.NodeNG, refers) -> bool:
    """A `with` item that releases the object `refers` names when the block ends: the
    object itself (`with sock:`) or a closing wrapper of it (`with closing(sock):`,
    `with stack.enter_context(sock)`)."""
    if refers(item):
        return True
    return (
        isinstance(item, nodes.Call)
        and last_name(item.func) in CLOSING_WRAPPERS
        and len(item.args) == 1
        and refers(item.args[0])
    )


# -- what a value built from containers refers to ----------------------------------------
#: Calls that make a new container of (or an iterator over) the items of each argument:
#: `list(x)`, `sorted(x)`, `itertools.chain(a, b)`.
ITEM_COPIES = frozenset(
    {
        "list", "tuple", "set", "frozenset", "sorted", "reversed", "dict", "iter", "deque",
        "OrderedDict", "chain", "itervalues", "viewvalues",
    }
)  # fmt: skip
#: Methods that return a copy or a view of a container's items: `x.values()`.
ITEM_VIEWS = frozenset({"copy", "values", "items", "keys"})
#: Operators that join two containers' items: `a + b`, `a | b`.
_JOINING_OPS = frozenset({"+", "|"})


@dataclass(frozen=True)
class Covered:
    """What iterating a value yields, named: the containers whose items it yields (`a` and
    `b` for `chain(a.values(), b)`, `[*a, *b]`, `a + b`, `[x for x in a]`, a local copy
    `doomed = list(a)`), and the values it yields as items themselves (`t` in `(t, *a)`)."""

    containers: frozenset[Identity] = frozenset()
    items: frozenset[Identity] = frozenset()

    def __or__(self, other: Covered) -> Covered:
        return Covered(self.containers | other.containers, self.items | other.items)

    def attributes(self, cls: nodes.ClassDef | None) -> frozenset[str]:
        """The containers that are attributes of `cls` (`self.<name>`), by name."""
        return frozenset(
            i.name for i in self.containers if isinstance(i, StateKey) and i.owner is cls
        )

    def locals(self) -> frozenset[str]:
        """The containers that are local variables, by name."""
        return frozenset(i.name for i in self.containers if isinstance(i, Local))


def covered(expr: nodes.NodeNG | None, depth: int = 3) -> Covered:
    """Which containers and values iterating `expr` goes through (P4: close releases the
    items of any value built from a container). A local assigned once from such a value
    covers what that value covers, besides itself."""
    if expr is None or depth < 0:
        return Covered()
    if isinstance(expr, nodes.Name | nodes.Attribute):
        ident = identity(expr)
        if ident is None:
            return Covered()
        found = Covered(frozenset({ident}))
        if isinstance(ident, Local) and isinstance(expr, nodes.Name):
            source = _single_assignment(expr)
            if source is not None:
                found |= covered(source, depth - 1)
        return found
    if isinstance(expr, nodes.Subscript) and isinstance(expr.slice, nodes.Slice):
        return covered(expr.value, depth)  # `x[:]`
    if isinstance(expr, nodes.Call):
        func = expr.func
        if isinstance(func, nodes.Attribute) and func.attrname in ITEM_VIEWS:
            return covered(func.expr, depth)
        if last_name(func) in ITEM_COPIES:
            found = Covered()
            for argument in expr.args:
                found |= covered(
                    argument.value if isinstance(argument, nodes.Starred) else argument, depth
                )
            return found
        return Covered()
    if isinstance(expr, nodes.BinOp) and expr.op in _JOINING_OPS:
        return covered(expr.left, depth) | covered(expr.right, depth)
    if isinstance(expr, nodes.List | nodes.Tuple | nodes.Set):
        found = Covered()
        for element in expr.elts:
            if isinstance(element, nodes.Starred):
                found |= covered(element.value, depth)
            else:
                ident = identity(element)
                if ident is not None:
                    found |= Covered(items=frozenset({ident}))
        return found
    if isinstance(expr, nodes.ListComp | nodes.SetComp | nodes.GeneratorExp | nodes.DictComp):
        # `[c for c in a if c.alive]`, `{k: v for k, v in a.items()}`: a's items, filtered.
        element = expr.value if isinstance(expr, nodes.DictComp) else expr.elt
        found = Covered()
        for generator in expr.generators:
            bound = {n.name for n in walk(generator.target) if isinstance(n, nodes.AssignName)}
            if isinstance(element, nodes.Name) and element.name in bound:
                found |= covered(generator.iter, depth)
        return found
    return Covered()


def made_members(expr: nodes.NodeNG | None, depth: int = 3) -> list[nodes.NodeNG]:
    """The expressions that make the items of a container built in place: the element of
    a comprehension (`[Thread(target=...) for i in range(n)]`), the elements of a literal
    (`[Reader(a), Reader(b)]`), through unpacking and copies (`[*made, *more]`,
    `list(Worker(i) for i in ids)`) and a local assigned once from such a value. Items
    that come from elsewhere (`[*self._a]`, `list(map(Worker, ids))`: no call makes them
    here) are not listed."""
    if expr is None or depth < 0:
        return []
    if isinstance(expr, nodes.Name):
        source = _single_assignment(expr) if isinstance(identity(expr), Local) else None
        return [] if source is None else made_members(source, depth - 1)
    if isinstance(expr, nodes.ListComp | nodes.SetComp | nodes.GeneratorExp):
        return [expr.elt] if isinstance(expr.elt, nodes.Call) else []
    if isinstance(expr, nodes.DictComp):
        return [expr.value] if isinstance(expr.value, nodes.Call) else []
    if isinstance(expr, nodes.List | nodes.Tuple | nodes.Set):
        found: list[nodes.NodeNG] = []
        for element in expr.elts:
            if isinstance(element, nodes.Starred):
                found.extend(made_members(element.value, depth - 1))
            elif isinstance(element, nodes.Call):
                found.append(element)
        return found
    if isinstance(expr, nodes.BinOp) and expr.op in _JOINING_OPS:
        return made_members(expr.left, depth - 1) + made_members(expr.right, depth - 1)
    if isinstance(expr, nodes.Call) and last_name(expr.func) in ITEM_COPIES:
        return [m for argument in expr.args for m in made_members(argument, depth - 1)]
    return []


def _single_assignment(name: nodes.Name) -> nodes.NodeNG | None:
    """The value a local is assigned once from (`doomed = [*a, *b]`; `idle` in the swap
    `idle, self.c = self.c, []`), else None."""
    try:
        _, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return None
    if len(assigns) != 1:
        return None
    target, parent = assigns[0], assigns[0].parent
    if isinstance(parent, nodes.Tuple) and isinstance(parent.parent, nodes.Assign):
        value = parent.parent.value
        if isinstance(value, nodes.Tuple) and len(value.elts) == len(parent.elts):
            return value.elts[parent.elts.index(target)]
        return None
    if not isinstance(parent, nodes.Assign) or parent.targets != [target]:
        return None
    return parent.value


def conditional_release(release: nodes.NodeNG, function: FunctionLike, tracker: Tracker) -> bool:
    """The release sits in one branch of an `if` whose other branch does not release: the
    function sets the waitable only in some states (uvicorn's `send()` sets the completion
    event on the last body chunk), so its other exits owe nothing."""
    child, parent = release, release.parent
    while parent is not None and child is not function:
        if isinstance(parent, nodes.If) and child is not parent.test:
            other = parent.orelse if child in parent.body else parent.body
            if not any(
                tracker.releases(node) is not Release.NO
                for statement in other
                for node in own_nodes(statement)
                if node.is_statement
            ):
                return True
        child, parent = parent, parent.parent
    return False


def returned(value: nodes.NodeNG, method: FunctionLike) -> bool:
    """`return sock` in `method`, for the local `value` names (a checkout that tracks the
    socket it hands out)."""
    return isinstance(value, nodes.Name) and any(
        isinstance(node, nodes.Return)
        and isinstance(node.value, nodes.Name)
        and node.value.name == value.name
        for node in own_nodes(method)
    )


def own_nodes(root: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """`root` and its descendants, not entering nested functions or classes. A lambda's
    body is walked (`Thread(target=lambda: sock.close())` releases `sock` where it is
    written), unlike `Contexts.nodes_of`, which leaves lambdas to their own entry."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        for child in node.get_children():
            if not isinstance(child, nodes.FunctionDef | nodes.AsyncFunctionDef | nodes.ClassDef):
                stack.append(child)


def _header(node: nodes.NodeNG) -> list[nodes.NodeNG]:
    """The parts of a statement evaluated before its body (a `with`'s items)."""
    if isinstance(node, nodes.With | nodes.AsyncWith):
        return [item for item, _ in node.items]
    return [node]


# -- tracking one object ---------------------------------------------------------------------
class Tracker:
    """Decides, statement by statement, whether an object is released or handed over."""

    def __init__(
        self,
        idents: frozenset[Identity],
        methods: frozenset[str],
        *,
        hand_over: bool = True,
        escaping: frozenset[str] = frozenset(),
        releasing_calls: frozenset[FunctionLike] = frozenset(),
        resolve=None,
        sentinel_queue: bool = False,
        other: tuple[tuple[frozenset[Identity], frozenset[str]], ...] = (),
        borrows=None,
        constructing: bool = False,
    ) -> None:
        self.idents = idents  # the object and its local aliases
        self.methods = methods
        self.hand_over = hand_over  # passing the object to a call hands it over
        self.escaping = escaping  # local containers that are returned or stored
        self.releasing_calls = releasing_calls  # functions whose call releases it
        self._resolve = resolve
        self.sentinel_queue = sentinel_queue  # released by putting an end sentinel
        self.other = other  # releases called on another object: (`queue`, {"task_done"})
        # (call, arguments) -> whether the callee only borrows what it is given
        self._borrows = borrows
        # The function is the `__init__` of the object `self`: nobody holds that object
        # until it returns, so a store on `self` hands nothing over before then.
        self.constructing = constructing

    def refers(self, expr: nodes.NodeNG) -> bool:
        if not isinstance(expr, nodes.Name | nodes.Attribute):
            return False
        return refers_to(expr, self.idents)

    def mentions(self, expr: nodes.NodeNG) -> bool:
        return any(
            self.refers(n) for n in walk(expr) if isinstance(n, nodes.Name | nodes.Attribute)
        )

    def releases(self, node: nodes.NodeNG) -> Release:
        """What `node` (a simple statement, a `return`, or a `with` for its items) does to
        the object; a compound statement itself does nothing (its body's statements do)."""
        if isinstance(node, _COMPOUND):
            return Release.NO
        if isinstance(node, nodes.With | nodes.AsyncWith):
            return Release.NOW if any(self._owns(item) for item, _ in node.items) else Release.NO
        if isinstance(node, nodes.Return) and node.value is not None and self._held(node.value):
            return Release.NOW  # returned to the caller
        if isinstance(node, nodes.Delete) and any(self.refers(t) for t in node.targets):
            return Release.NOW
        if isinstance(node, nodes.Assign | nodes.AnnAssign):
            value = node.value
            targets = node.targets if isinstance(node, nodes.Assign) else [node.target]
            if value is not None and self._stored(targets, value):
                return Release.NOW
            if (
                isinstance(value, nodes.Const)
                and value.value is None
                and any(
                    self.refers(t)
                    for t in targets
                    if isinstance(t, nodes.AssignName | nodes.AssignAttr)
                )
            ):
                return Release.NOW  # `sock = None` after a hand-over
        result = Release.NO
        for sub in own_nodes(node):
            if isinstance(sub, nodes.Yield | nodes.YieldFrom) and sub.value is not None:
                if self.mentions(sub.value):
                    return Release.NOW
            elif isinstance(sub, nodes.Await) and self.refers(sub.value):
                return Release.NOW  # `await task`
            elif isinstance(sub, nodes.Call):
                verdict = self._call_releases(sub)
                if verdict is Release.NOW:
                    return verdict
                if verdict in (Release.AFTER, Release.UNLESS_FAILED):
                    result = verdict
        return result

    def _held(self, value: nodes.NodeNG) -> bool:
        """`value` is the object, or a literal container or wrapper holding it
        (`return sock`, `return (sock, addr)`, `return Session(sock)`)."""
        if self.refers(value):
            return True
        if isinstance(value, nodes.Tuple | nodes.List | nodes.Set):
            return any(self._held(e) for e in value.elts)
        if isinstance(value, nodes.Dict):
            return any(self._held(v) for _, v in value.items)
        return False

    def uses(self, point: nodes.NodeNG) -> bool:
        """A raise point that operates on the object: one of its methods, or a call that
        is given the object (an await of either)."""
        if isinstance(point, nodes.Await):
            point = point.value
        if not isinstance(point, nodes.Call):
            return False
        func = point.func
        if isinstance(func, nodes.Attribute) and self.refers(func.expr):
            return True
        return any(self._passes(a) for a in [*point.args, *(k.value for k in point.keywords or ())])

    def _passes(self, argument: nodes.NodeNG) -> bool:
        """An argument that gives the callee the object itself: the object, a container
        holding it, one of its bound methods (`sock.close` as a callback), or a lambda
        using it; not a value computed from it (`sock.fileno()`, `p.stdout.read()`)."""
        if isinstance(argument, nodes.Starred):
            argument = argument.value
        if self._held(argument):
            return True
        if self._bound_method(argument):
            return True
        return isinstance(argument, nodes.Lambda) and self.mentions(argument.body)

    def _bound_method(self, argument: nodes.NodeNG) -> bool:
        """One of the object's methods (`atexit.register(proc.terminate)`), not one of
        its data attributes (`mark(pid=proc.pid)`, `log(t.name)`): handing over a value
        read from the worker hands over nothing of the worker."""
        if not (isinstance(argument, nodes.Attribute) and self.refers(argument.expr)):
            return False
        if argument.attrname in self.methods:
            return True
        return names_method(argument) is not False

    def _owns(self, item: nodes.NodeNG) -> bool:
        """`with sock:`, `with closing(sock):`, `with stack.enter_context(sock)`, and any
        context manager made from it (`with ctx.wrap_socket(sock) as tls:` owns it)."""
        if with_releases(item, self.refers):
            return True
        return isinstance(item, nodes.Call) and any(self.refers(a) for a in item.args)

    def _stored(self, targets: list[nodes.NodeNG], value: nodes.NodeNG) -> bool:
        """`self.a = x`, `d[k] = x`, `self.pair = (x, y)`, `self.s = Wrap(x)`,
        `GLOBAL = x`: handed over. Not the result of a helper that only borrows it
        (`self.offset = self._calibrate(sock)`): that value does not hold it."""
        if not self._held(value):
            if not isinstance(value, nodes.Call):
                return False
            given = [
                a for a in [*value.args, *(k.value for k in value.keywords or ())] if self._held(a)
            ]
            if not given or (self._borrows is not None and self._borrows(value, given)):
                return False
        for target in targets:
            if self.constructing and _on_self(target):
                continue
            if isinstance(target, nodes.AssignAttr | nodes.Subscript):
                return True
            if isinstance(target, nodes.AssignName) and (
                isinstance(target.scope(), nodes.Module) or target.name in self.escaping
            ):
                return True
            if isinstance(target, nodes.Tuple | nodes.List):
                return self._stored(list(target.elts), value)
        return False

    def _call_releases(self, call: nodes.Call) -> Release:
        func = call.func
        if isinstance(func, nodes.Attribute):
            for idents, methods in self.other:
                if func.attrname in methods and refers_to(func.expr, idents):
                    return Release.NOW
        if self._puts_sentinel(call) or self._summarised(call):
            return Release.NOW
        closure = self._closure_releases(call)
        if closure is not Release.NO:
            return closure
        if isinstance(func, nodes.Attribute) and self.refers(func.expr):
            if func.attrname in self.methods:
                return Release.NOW
            return Release.NO  # a method of the object itself uses it
        arguments = [*call.args, *(kw.value for kw in call.keywords or ())]
        handed = [a for a in arguments if self._passes(a)]
        if not handed or is_logging_call(call):
            return Release.NO
        name = last_name(func) or ""
        if self.hand_over and any(self._bound_method(a) for a in handed):
            # `atexit.register(sock.close)`, `stack.callback(t.join)`: its release, delegated.
            return Release.NOW
        if name in BORROWING:
            return Release.NO
        if name in adding_methods() and isinstance(func, nodes.Attribute):
            container = func.expr
            if state_key(container) is not None or last_name(container) in self.escaping:
                return Release.NOW  # put into a container that outlives the call
            return Release.NO if not self.hand_over else Release.NOW
        if not self.hand_over:
            return Release.NO
        if name in ADOPTS_ON_SUCCESS and any(
            kw.arg == "sock" and self.refers(kw.value) for kw in call.keywords or ()
        ):
            return Release.AFTER
        if self._borrows is not None and self._borrows(call, handed):
            return Release.NO  # a helper of this module that only uses it
        if isinstance(call.parent, nodes.Await) and not ends_on_failure(call):
            return Release.UNLESS_FAILED  # `await gather(t, u)`: a failure leaves the rest
        return Release.NOW

    def _closure_releases(self, call: nodes.Call) -> Release:
        """A call of a function nested in the caller that ends in a `try:` whose `finally:`
        releases the object it shares by closure (`def _run(): try: ... finally:
        ssock.close()`, then `_run()`): the call releases it on every path."""
        nested = sole_definition(call.func) if isinstance(call.func, nodes.Name) else None
        if not (
            isinstance(nested, nodes.FunctionDef)
            and isinstance(nested.parent, FunctionLike)
            and nested.body
        ):
            return Release.NO
        last = nested.body[-1]
        if isinstance(last, nodes.Try) and any(
            self._releases_in(statement) for statement in last.finalbody
        ):
            return Release.NOW
        return Release.NO

    def _releases_in(self, statement: nodes.NodeNG) -> bool:
        """`statement` calls one of the object's release methods on it."""
        return any(
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname in self.methods
            and self.refers(node.func.expr)
            for node in walk(statement)
        )

    def _puts_sentinel(self, call: nodes.Call) -> bool:
        if not self.sentinel_queue:
            return False
        func = call.func
        return (
            isinstance(func, nodes.Attribute)
            and func.attrname in operations(Kind.QUEUE).put
            and self.refers(func.expr)
            and bool(call.args)
            and is_sentinel(call.args[0])
        )

    def _summarised(self, call: nodes.Call) -> bool:
        if not self.releasing_calls or self._resolve is None:
            return False
        return any(f in self.releasing_calls for f in self._resolve(call.func))

    def void(self, test: nodes.NodeNG, outcome: bool) -> bool:
        """The branch of `test` taken on `outcome` holds nothing to release: the object is
        absent (`if x is None`, `if not x`) or already done (`if fut.done()`)."""
        negated = False
        while isinstance(test, nodes.UnaryOp) and test.op == "not":
            test, negated = test.operand, not negated
        outcome = outcome != negated
        asked = _asked_once(test) if not self.refers(test) else None
        if asked is not None and self.refers(asked.func.expr):
            return self.void(asked, outcome)  # `alive = p.is_alive()` ... `if alive:`
        if isinstance(test, nodes.BoolOp):
            if test.op == "and" and outcome:
                return any(self.void(v, True) for v in test.values)
            if test.op == "or" and not outcome:
                return any(self.void(v, False) for v in test.values)
            # `x is not None and not x.done()` false: some part is false, and each
            # part's falsehood owes nothing (absent, or finished).
            return all(self.void(v, outcome) for v in test.values)
        if isinstance(test, nodes.Compare) and len(test.ops) == 1:
            op, right = test.ops[0]
            is_none = isinstance(right, nodes.Const) and right.value is None
            if is_none and self.refers(test.left):
                if op == "is":
                    return outcome
                if op == "is not":
                    return not outcome
            half = wait_half(right) if isinstance(right, nodes.Name) else None
            if op in ("in", "not in") and half is not None and self.refers(test.left):
                # `wait` puts each task it was given in one half: in `done`, or not in
                # `pending`, it has finished (`if t in done: ... elif t in pending:`)
                inside = outcome == (op == "in")
                if half[0] == "done":
                    return inside
                return not inside and any(
                    self.refers(n) for n in walk(half[1]) if isinstance(n, nodes.Name)
                )
            return False
        if self.refers(test):
            return not outcome  # `if x:` false: there is no x
        tested = _instance_test(test)
        if tested is not None and self.refers(test.args[0]):
            # a value that is the resource or an error returned in its place: where
            # `isinstance(x, socket.socket)` is false, or `isinstance(x, OSError)` true,
            # x is not the resource
            return outcome is (tested is _ERROR_TYPE)
        if (
            isinstance(test, nodes.Call)
            and isinstance(test.func, nodes.Attribute)
            and self.refers(test.func.expr)
        ):
            if test.func.attrname in ("done", "cancelled", "is_set"):
                return outcome
            if test.func.attrname in ("is_alive", "set_running_or_notify_cancel"):
                return not outcome  # not running: finished (or cancelled by its waiter)
        if _loop_closed_test(test) and "cancel" in self.methods:
            return outcome  # a closed event loop runs no task: none is left to cancel
        return False


_RESOURCE_TYPE, _ERROR_TYPE = "resource", "error"


def _instance_test(test: nodes.NodeNG) -> str | None:
    """What `isinstance(x, T)` asks: whether x is a known resource type (`socket.socket`,
    `_RESOURCE_TYPE`) or an exception class (`_ERROR_TYPE`, which no resource is), for T
    or every type of a tuple; None for any other test."""
    if not (
        isinstance(test, nodes.Call)
        and isinstance(test.func, nodes.Name)
        and test.func.name == "isinstance"
        and len(test.args) == 2
    ):
        return None
    types = test.args[1]
    candidates = types.elts if isinstance(types, nodes.Tuple) else [types]
    if any(imported_name(t) in KNOWN_TYPES for t in candidates):
        return _RESOURCE_TYPE
    if candidates and all(_exception_class(t) for t in candidates):
        return _ERROR_TYPE
    return None


def _exception_class(node: nodes.NodeNG) -> bool:
    """`node` names an exception class: a builtin one (`OSError`), or a class of the
    module that derives from one."""
    if not isinstance(node, nodes.Name):
        return False
    try:
        _, assigns = lookup(node, node.name)
    except (AstroidError, RecursionError):
        return False
    if not assigns:
        builtin = getattr(builtins, node.name, None)
        return isinstance(builtin, type) and issubclass(builtin, BaseException)
    if len(assigns) != 1 or not isinstance(assigns[0], nodes.ClassDef):
        return False
    try:
        return assigns[0].is_subtype_of("builtins.BaseException")
    except (AstroidError, RecursionError):
        return False


def _asked_once(test: nodes.NodeNG) -> nodes.Call | None:
    """The method call a local test stands for: `alive` in `alive = p.is_alive(); if
    alive:`, when that one statement of its function assigns it."""
    call = made_by_one_call(test) if isinstance(test, nodes.Name) else None
    return call if call is not None and isinstance(call.func, nodes.Attribute) else None


def _loop_closed_test(test: nodes.NodeNG) -> bool:
    """`loop.is_closed()`, `self._loop.is_closed()`, `asyncio.get_event_loop().is_closed()`."""
    if not (
        isinstance(test, nodes.Call)
        and isinstance(test.func, nodes.Attribute)
        and test.func.attrname == "is_closed"
    ):
        return False
    receiver = test.func.expr
    if isinstance(receiver, nodes.Call):
        return last_name(receiver.func) in RUNNING_LOOP
    return "loop" in (last_name(receiver) or "").lower()


_COMPOUND = (
    nodes.If,
    nodes.For,
    nodes.While,
    nodes.Try,
    nodes.TryStar,
    nodes.Match,
    nodes.FunctionDef,
    nodes.AsyncFunctionDef,
    nodes.ClassDef,
)


def _on_self(target: nodes.NodeNG) -> bool:
    """`self.x = ...` or `self.x[k] = ...`: stored in the object itself."""
    while isinstance(target, nodes.Subscript | nodes.AssignAttr | nodes.Attribute):
        target = target.value if isinstance(target, nodes.Subscript) else target.expr
    return is_self_parameter(target)


def handed_to_awaiters(node: nodes.NodeNG) -> bool:
    """`return self._task` or `return self._task.__await__()` (the object's own `__await__`):
    the task is handed to the callers, whose await is its join."""
    parent = node.parent
    if (
        isinstance(parent, nodes.Attribute)
        and parent.attrname == "__await__"
        and isinstance(parent.parent, nodes.Call)
    ):
        parent = parent.parent.parent
    return isinstance(parent, nodes.Return)


def named_like_future(name: nodes.Name) -> bool:
    """A cheap look before inference: `name` is assigned from a call named like a future
    maker (`Future()`, `loop.create_future()`)."""
    try:
        _, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return False
    return any(
        isinstance(value := getattr(a.parent, "value", None), nodes.Call)
        and "future" in (last_name(value.func) or "").lower()
        for a in assigns
    )


def refers_to(expr: nodes.NodeNG, idents: frozenset[Identity]) -> bool:
    if not isinstance(expr, nodes.Name | nodes.Attribute):
        return False
    return identity(expr) in idents or identity(expr, follow_alias=False) in idents


_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def names_method(attribute: nodes.Attribute) -> bool | None:
    """Whether `attribute` names a method of its object's class: True for a method,
    False for a data attribute (a property, an attribute the class assigns, a constant),
    None when neither its class nor its value can be found (an unknown object may be
    handed over by any of its attributes: precision)."""
    try:
        owners = [o for o in attribute.expr.infer() if isinstance(o, bases.Instance)]
    except (AstroidError, RecursionError):
        owners = []
    for owner in owners:
        try:
            found = owner._proxied.getattr(attribute.attrname)
        except (AstroidError, RecursionError):
            found = []
        for definition in found:
            verdict = _method_definition(definition)
            if verdict is not None:
                return verdict
        try:
            if owner._proxied.instance_attr(attribute.attrname):
                return False
        except (AstroidError, RecursionError):
            pass
    try:
        values = list(attribute.infer())
    except (AstroidError, RecursionError):
        return None
    if any(isinstance(v, nodes.FunctionDef | nodes.Lambda | bases.BoundMethod) for v in values):
        return True
    if any(isinstance(v, nodes.Const) for v in values):
        return False
    return None


def _method_definition(definition: nodes.NodeNG) -> bool | None:
    """A class member: a method (True), a property or a value (False), or unknown.
    A class-level alias (`pid = ident`) is what it is bound to."""
    if isinstance(definition, nodes.AssignName):
        try:
            values = list(definition.infer())
        except (AstroidError, RecursionError):
            return None
        verdicts = {_method_definition(v) for v in values} - {None}
        return verdicts.pop() if len(verdicts) == 1 else None
    if isinstance(definition, objects.Property):
        return False
    if isinstance(definition, nodes.FunctionDef):
        decorators = definition.decorators.nodes if definition.decorators else []
        return not any(last_name(d) in ("property", "cached_property") for d in decorators)
    if isinstance(definition, nodes.Const):
        return False
    return None


def is_sentinel(expr: nodes.NodeNG) -> bool:
    """`None`, or a name that says it ends a stream (`SENTINEL`, `_TERMINATOR`, `STOP`,
    `_EndOfStream`), or a module/class constant bound to `object()`, or a marker class
    (a class of the module with an empty body, used as a value: `class _Closed: pass`)."""
    if isinstance(expr, nodes.Const):
        return expr.value is None
    name = last_name(expr)
    if name is None:
        return False
    if _SENTINEL_NAME.search(_CAMEL_HUMP.sub("_", name)):
        return True
    if isinstance(expr, nodes.Name):
        try:
            _, assigns = lookup(expr, expr.name)
        except (AstroidError, RecursionError):
            return False
        for assign in assigns:
            if isinstance(assign, nodes.ClassDef) and _is_marker_class(assign):
                return True
            value = getattr(assign.parent, "value", None)
            if isinstance(value, nodes.Call) and last_name(value.func) == "object":
                return True
    return False


def _is_marker_class(cls: nodes.ClassDef) -> bool:
    """A class with no behaviour and no bases but `object`: only its identity matters."""
    if any((last_name(base) or "") != "object" for base in cls.bases):
        return False
    return all(
        isinstance(stmt, nodes.Pass)
        or (isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Const))
        for stmt in cls.body
    )


def consumed_until_sentinel(node: nodes.NodeNG) -> nodes.NodeNG | None:
    """The queue of a loop that consumes it until the end sentinel in its test:
    `while (x := q.get()) is not DONE:`, `while (x := await q.get()) != STOP:`."""
    if not isinstance(node, nodes.While) or not isinstance(node.test, nodes.Compare):
        return None
    test = node.test
    if (
        len(test.ops) != 1
        or test.ops[0][0] not in ("is not", "!=")
        or not is_sentinel(test.ops[0][1])
    ):
        return None
    value = test.left.value if isinstance(test.left, nodes.NamedExpr) else None
    if isinstance(value, nodes.Await):
        value = value.value
    if (
        isinstance(value, nodes.Call)
        and isinstance(value.func, nodes.Attribute)
        and value.func.attrname in operations(Kind.QUEUE).get
    ):
        return value.func.expr
    return None


def taken_from_queue(node: nodes.NodeNG) -> tuple[str, nodes.NodeNG] | None:
    """`x = q.get(...)`, `x = q.get_nowait()`, `x = await q.get()`: (x, q)."""
    if not isinstance(node, nodes.Assign) or len(node.targets) != 1:
        return None
    target = node.targets[0]
    queue = queue_taken_by(node.value)
    if isinstance(target, nodes.AssignName) and queue is not None:
        return target.name, queue
    return None


def queue_taken_by(value: nodes.NodeNG) -> nodes.NodeNG | None:
    """The queue `value` takes an item from (`q.get(...)`, `q.get_nowait()`, `await
    q.get()`); not a mapping's `d.get("key")`."""
    if isinstance(value, nodes.Await):
        value = value.value
    if (
        isinstance(value, nodes.Call)
        and isinstance(value.func, nodes.Attribute)
        and value.func.attrname in operations(Kind.QUEUE).get
        and not (
            value.args
            and isinstance(value.args[0], nodes.Const)
            and isinstance(value.args[0].value, str)
        )
    ):
        return value.func.expr
    return None


def compares_to_sentinel(test: nodes.NodeNG, name: str) -> bool:
    for node in walk(test):
        if (
            isinstance(node, nodes.Compare)
            and isinstance(node.left, nodes.Name)
            and node.left.name == name
            and any(op in ("is", "==") and is_sentinel(right) for op, right in node.ops)
        ):
            return True
    return False


def ends_consuming(branch: nodes.If, function: FunctionLike) -> bool:
    """The branch stops consuming: it ends in `break` or `raise`, or in a `return` that
    leaves a loop or a generator (a `return item` of `__next__` hands an item on)."""
    body = branch.body
    if not body:
        return False
    last = body[-1]
    if isinstance(last, nodes.Break | nodes.Raise):
        return True
    if isinstance(last, nodes.Return):
        generator = isinstance(function, nodes.FunctionDef) and function.is_generator()
        return last.value is None or generator or bool(loops_around(branch, function))
    return False


def loops_around(node: nodes.NodeNG, function: FunctionLike) -> list[nodes.For | nodes.While]:
    """The loops of `function` that enclose `node`, innermost first."""
    found = []
    parent = node.parent
    while parent is not None and parent is not function:
        if isinstance(parent, nodes.For | nodes.While):
            found.append(parent)
        parent = parent.parent
    return found


def guard_of(node: nodes.NodeNG, function: FunctionLike) -> nodes.NodeNG | None:
    """The test of the innermost `if` (or `while`) of `function` that decides whether
    `node` runs."""
    child, parent = node, node.parent
    while parent is not None and parent is not function:
        if isinstance(parent, nodes.If | nodes.While) and child is not parent.test:
            return parent.test
        child, parent = parent, parent.parent
    return None


# -- a promise and its hand-offs (P3) --------------------------------------------------------
class Promise:
    """What the statements of `function` do to a future or event it made (`idents`): the
    creator owes its release until a hand-off to a releaser has succeeded. A hand-off
    stores it where a releaser finds it (`self._jobs[k] = fut`, `self._pending.put(fut)`,
    the latter only once the call returns); taking it back out of that registry
    (`del self._jobs[k]`, a discarded `self._jobs.pop(k)`) gives the duty back; a
    release (`set_result`, `set_exception`, `cancel`, `set`) ends it."""

    def __init__(
        self, function: FunctionLike, idents: frozenset[Identity], methods: frozenset[str]
    ):
        self.idents = idents
        self.methods = methods
        self.handoffs: list[nodes.NodeNG] = []
        self._registries: set[str] = set()
        for node in own_nodes(function):
            if node.is_statement and self._registry(node) is not None:
                self.handoffs.append(node)
                self._registries.add(self._registry(node))

    def _registry(self, node: nodes.NodeNG) -> str | None:
        """The container `node` hands the promise to (spelled as written), if it does."""
        if isinstance(node, nodes.Assign) and self._carries(node.value):
            for target in node.targets:
                if isinstance(target, nodes.Subscript) and state_key(target.value) is not None:
                    return target.value.as_string()
        if isinstance(node, nodes.Expr) and isinstance(node.value, nodes.Call):
            call = node.value
            func = call.func
            if (
                isinstance(func, nodes.Attribute)
                and func.attrname in adding_methods()
                and state_key(func.expr) is not None
                and any(self._carries(a) for a in call.args)
            ):
                return func.expr.as_string()
        return None

    def _carries(self, expr: nodes.NodeNG, depth: int = 2) -> bool:
        """`expr` is the promise, or a value built to hold it (`(job_id, size, done)`,
        `[done]`, `{"done": done}`): whoever takes the value takes the promise."""
        if refers_to(expr, self.idents):
            return True
        if depth <= 0:
            return False
        if isinstance(expr, nodes.Dict):
            return any(self._carries(value, depth - 1) for _, value in expr.items)
        if isinstance(expr, nodes.List | nodes.Tuple | nodes.Set):
            return any(
                self._carries(e.value if isinstance(e, nodes.Starred) else e, depth - 1)
                for e in expr.elts
            )
        return False

    def releases(self, node: nodes.NodeNG) -> Release:
        if isinstance(node, (*_COMPOUND, nodes.Return, nodes.With, nodes.AsyncWith)):
            return Release.NO
        for sub in own_nodes(node):
            if (
                isinstance(sub, nodes.Call)
                and isinstance(sub.func, nodes.Attribute)
                and sub.func.attrname in self.methods
                and (refers_to(sub.func.expr, self.idents) or self._taken_back(sub.func.expr))
            ):
                return Release.NOW
        if node in self.handoffs:
            return Release.LENT  # once the statement completes: a `put()` that raises lends nothing
        if isinstance(node, nodes.Delete) and any(
            isinstance(t, nodes.Subscript) and t.value.as_string() in self._registries
            for t in node.targets
        ):
            return Release.BACK
        if isinstance(node, nodes.Expr) and self._taken_back(node.value):
            return Release.BACK  # the value taken out is dropped: it is ours again
        return Release.NO

    def _taken_back(self, expr: nodes.NodeNG) -> bool:
        """`self._jobs.pop(k)`, `self._waiters.remove(fut)` on a registry it was handed to."""
        return (
            isinstance(expr, nodes.Call)
            and isinstance(expr.func, nodes.Attribute)
            and expr.func.attrname
            in operations(Holder.CONTAINER).take | operations(Holder.CONTAINER).remove
            and expr.func.expr.as_string() in self._registries
        )

    def escapes(self, exit: nodes.NodeNG) -> bool:
        """`exit` hands the promise to the caller unresolved: `return fut`."""
        return (
            isinstance(exit, nodes.Return)
            and exit.value is not None
            and refers_to(exit.value, self.idents)
        )


def parameters_bound(
    call: nodes.Call, callee: FunctionLike, handed: list[nodes.NodeNG]
) -> list[str] | None:
    """The parameters of `callee` that receive the `handed` arguments of `call`."""
    args = callee.args
    if args.args is None:
        return None
    params = [a.name for a in (args.posonlyargs or []) + args.args]
    is_method = isinstance(callee.parent, nodes.ClassDef) and getattr(callee, "type", "") in (
        "method",
        "classmethod",
    )
    if is_method and params:
        params = params[1:]
    found = []
    for index, argument in enumerate(call.args):
        if argument not in handed:
            continue
        if isinstance(argument, nodes.Starred) or index >= len(params):
            return None
        found.append(params[index])
    keyword_names = {a.name for a in args.kwonlyargs or []} | set(params)
    for keyword in call.keywords or ():
        if keyword.value not in handed:
            continue
        if keyword.arg is None or keyword.arg not in keyword_names:
            return None
        found.append(keyword.arg)
    return found or None
