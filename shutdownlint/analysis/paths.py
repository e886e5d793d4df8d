"""Exception and early-exit paths through a function: the model every SDL1xx rule uses.

The question it answers: given an obligation (an object that must be released:
an Event set, a socket closed, a thread joined, an item marked `task_done()`),
which exits of the function (or of one loop iteration) leave it unreleased, and
which statement leads there? It is an abstract interpretation of the function's
own statements (nested definitions are other functions) that follows:

- the raise points: calls, awaits and `raise` by default (an `assert` states an
  invariant, not an error path), subscripts
  and attribute loads when the `raises-on` setting adds them; a table of calls
  that do not raise in practice (logging, `len()`, `time.monotonic()`,
  container and flag operations, socket configuration, the release operations
  themselves) keeps reports off lines nobody would change;
- where each exception goes: which handler catches it (`except ValueError` does
  not catch `queue.Empty`; a bare `except`, `except BaseException` and
  `except Exception` catch everything, except that `except Exception` does not
  catch `asyncio.CancelledError`, a `BaseException` since 3.8, while it does
  catch `concurrent.futures.CancelledError`); a handler naming a broad type is
  taken to catch what the code around it raises;
- `finally` (a `finally:` that releases protects every exit through it),
  `else:` (normal completion only), `with` (a context manager that owns the
  object releases it on every path; `contextlib.suppress` swallows);
- the explicit exits: `return`, `raise`, and for an obligation per loop
  iteration, `continue` and `break`.

A pending obligation is tracked per path with its culprit: None on the normal
path, or the raise point whose exception diverted the path. A leak is reported
at the statement that takes the leaking exit (the early `return`, `continue`,
`break`, `raise`) or at the raise point whose exception leaves the function or
the iteration, or ends up falling through a handler without a release. A
normal path that simply ends without a release is not a leak: that is a
conditional release, or code that never owns the object on that path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum

from astroid import bases, nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.astroid_env import is_project_module
from shutdownlint.analysis.infer import (
    FunctionLike,
    decorator_names,
    dotted_name,
    enclosing_class,
    function_of,
    imported_definitions,
    infer_values,
    last_name,
    lookup,
)
from shutdownlint.analysis.safe_calls import is_logging_call, is_safe_call
from shutdownlint.analysis.schedulers import SCHEDULERS

# -- which exceptions a handler catches ----------------------------------------------------

# Exceptions that are not `Exception`s: only a bare `except`, `except BaseException`
# or a handler naming them (or a base of theirs) catches them.
BASE_EXCEPTIONS = frozenset(
    {"KeyboardInterrupt", "SystemExit", "GeneratorExit", "CancelledError", "BaseExceptionGroup"}
)
# What a program stopping raises: a handler for one of them runs while stopping.
INTERRUPTS = frozenset({"KeyboardInterrupt", "SystemExit", "CancelledError"})


class Category(str, Enum):
    """What a raise point may raise, as far as handlers are concerned."""

    OTHER = "other"  # whatever a call may raise: caught by any broad handler
    CANCELLED = "cancelled"  # asyncio.CancelledError, from an await
    EMPTY = "queue.Empty"
    FULL = "queue.Full"
    STOP = "StopIteration"


# Exception names that only specific operations raise, and those operations (a call's
# last name): a handler for one of them catches nothing else.
_NARROW: dict[str, Category] = {
    "Empty": Category.EMPTY,
    "Full": Category.FULL,
    "QueueEmpty": Category.EMPTY,  # asyncio's spellings of the same two
    "QueueFull": Category.FULL,
    "StopIteration": Category.STOP,
    "StopAsyncIteration": Category.STOP,
}
_NARROW_SOURCES: dict[str, Category] = {
    "get": Category.EMPTY,
    "get_nowait": Category.EMPTY,
    "put": Category.FULL,
    "put_nowait": Category.FULL,
    "next": Category.STOP,
    "__next__": Category.STOP,
    "anext": Category.STOP,
    "__anext__": Category.STOP,
}


def caught_names(handler: nodes.ExceptHandler) -> list[str] | None:
    """The exception names a handler lists as written (`asyncio.CancelledError`), or None
    for a bare `except:`."""
    if handler.type is None:
        return None
    types = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    return [dotted_name(t) or t.as_string() for t in types]


def catches(handler: nodes.ExceptHandler, exception: str) -> bool:
    """Whether `handler` catches `exception` (a dotted name such as
    `asyncio.CancelledError` or `KeyError`). Unknown user exceptions are only caught
    by a handler naming them, `Exception` or `BaseException`."""
    names = caught_names(handler)
    if names is None:
        return True
    short = exception.rsplit(".", 1)[-1]
    is_base = short in BASE_EXCEPTIONS and not exception.startswith("concurrent.")
    for name in names:
        last = name.rsplit(".", 1)[-1]
        if last == "BaseException" or name == exception or last == short:
            return True
        if last == "Exception" and not is_base:
            return True
    return False


def _handler_catches(handler: nodes.ExceptHandler, category: Category) -> bool:
    names = caught_names(handler)
    if names is None:
        return True
    for name in names:
        last = name.rsplit(".", 1)[-1]
        if last == "BaseException":
            return True
        if category is Category.CANCELLED:
            if last == "CancelledError" and not name.startswith("concurrent."):
                return True
            continue
        if last == "Exception":
            return True
        narrow = _NARROW.get(last)
        if narrow is not None:
            if narrow is category:
                return True
            continue
        if last in BASE_EXCEPTIONS or last in ("CancelledError",):
            continue
        # A broad named type (OSError, ValueError, a library's error): taken to catch
        # what the guarded code raises, and whatever specific exception it is named for.
        return True
    return False


def interrupt_caught(handler: nodes.ExceptHandler) -> str | None:
    """The interrupt a handler names (`KeyboardInterrupt`, `asyncio.CancelledError`)."""
    for name in caught_names(handler) or ():
        if name.rsplit(".", 1)[-1] in INTERRUPTS:
            return name
    return None


@dataclass(frozen=True)
class CleanupRegion:
    """A block that runs while something stops: a `finally:` or an interrupt handler."""

    node: nodes.Try | nodes.ExceptHandler
    caught: str | None = None  # the interrupt a handler catches (None: a `finally:`)


def cleanup_region(node: nodes.NodeNG) -> CleanupRegion | None:
    """The innermost `finally:` block or interrupt handler of its function holding `node`."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if isinstance(parent, nodes.Try) and child in parent.finalbody:
            return CleanupRegion(parent)
        if isinstance(parent, nodes.ExceptHandler) and child in parent.body:
            caught = interrupt_caught(parent)
            if caught:
                return CleanupRegion(parent, caught)
        child, parent = parent, parent.parent
    return None


# -- which operations raise -------------------------------------------------------------------

_SCOPES = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Lambda, nodes.ClassDef)
# Calls that take a coroutine object: calling `f()` inside them only makes the coroutine,
# which runs (and raises) later, in the task or in the await.
_TAKES_COROUTINES = frozenset(
    {n for row in SCHEDULERS if row.coroutine for n in row.names}
    | {"wait_for", "shield", "run", "run_until_complete", "timeout"}
)


def _makes_coroutine(call: nodes.Call) -> bool:
    """`f()` in `await f()` (the await is the raise point) or in `create_task(f())`
    (`create_task(coro=f())`)."""
    parent = call.parent
    if isinstance(parent, nodes.Await):
        return True
    if isinstance(parent, nodes.Keyword):
        parent = parent.parent
    return isinstance(parent, nodes.Call) and last_name(parent.func) in _TAKES_COROUTINES


class RaiseModel:
    """Which nodes of a statement can raise (SPEC §5 `raises-on`)."""

    def __init__(
        self,
        raises_on: tuple[str, ...],
        never_raises: Callable[[nodes.Call | nodes.Await], bool] | None = None,
    ) -> None:
        # `never_raises`: calls and awaits the caller knows cannot raise from facts this
        # syntactic model lacks (a blocking `put()` on a `queue.Queue`, which only blocks;
        # `await q.put(x)` on an unbounded asyncio queue, which never suspends).
        self._never_raises = never_raises
        self._calls = "call" in raises_on
        self._awaits = "await" in raises_on
        self._raises = "raise" in raises_on
        self._subscripts = "subscript" in raises_on
        self._attributes = "attribute" in raises_on
        # Helpers of the module whose bodies have no raise point (one level deep).
        self._quiet: dict[nodes.FunctionDef, bool] = {}
        self._in_helper = False

    @property
    def calls(self) -> bool:
        return self._calls

    @property
    def awaits(self) -> bool:
        return self._awaits

    def points(self, node: nodes.NodeNG) -> list[nodes.NodeNG]:
        """The raise points of `node` (an expression or a simple statement), in source
        order; nested scopes and the arguments of a logging call are left out."""
        found: list[nodes.NodeNG] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current is not node and isinstance(current, _SCOPES):
                continue
            if isinstance(current, nodes.Call) and is_logging_call(current):
                continue  # the call and its arguments: part of one log line
            if self._raising(current):
                found.append(current)
            stack.extend(reversed(list(current.get_children())))
        found.sort(key=lambda n: (n.lineno or 0, n.col_offset or 0))
        return found

    def _raising(self, node: nodes.NodeNG) -> bool:
        if isinstance(node, nodes.Call):
            return (
                self._calls
                and not (is_safe_call(node) and not _handled_narrowly(node))
                and not _makes_coroutine(node)
                and not (self._never_raises is not None and self._never_raises(node))
                and not self._quiet_helper(node)
                and not _object_init(node)
            )
        if isinstance(node, nodes.Await):
            return self._awaits and not (
                self._never_raises is not None and self._never_raises(node)
            )
        if isinstance(node, nodes.Raise):
            return self._raises
        if isinstance(node, nodes.Subscript):
            return self._subscripts and node.ctx is not None and node.ctx.name == "Load"
        if isinstance(node, nodes.Attribute):
            return self._attributes and not isinstance(node.parent, nodes.Call)
        return False

    def _quiet_helper(self, call: nodes.Call) -> bool:
        """A call that runs no code that can raise: one that makes a coroutine, a
        generator or a context manager (`_makes_generator`), or of a plain function
        of the project, a method of the caller's own class (`self._cancel_timer()`) or a
        class of the project whose `__init__` has no raise point of its own. One level
        deep (a helper's own helper calls count as raising); decorated functions and
        subclasses' overrides are not followed."""
        if self._in_helper:
            return False
        helper = _own_helper(call)
        if helper is None:
            return False
        if _makes_generator(call, helper):
            return True
        if helper.decorators is not None:
            return False
        quiet = self._quiet.get(helper)
        if quiet is None:
            self._in_helper = True
            try:
                quiet = not any(self._escapes(statement) for statement in helper.body)
            finally:
                self._in_helper = False
            self._quiet[helper] = quiet
        return quiet

    def _escapes(self, statement: nodes.NodeNG) -> bool:
        """A raise point of `statement` can leave it: not one inside the body of a `try`
        whose handler catches every error (`try: ... except Exception: pass`)."""
        if isinstance(statement, nodes.Try) and any(_catches_errors(h) for h in statement.handlers):
            rest = [*statement.orelse, *statement.finalbody]
            rest += [s for handler in statement.handlers for s in handler.body]
            return any(self._escapes(s) for s in rest)
        return bool(self.points(statement))


_PLAIN_BASES = frozenset({"object", "Generic", "Protocol"})


def _object_init(call: nodes.Call) -> bool:
    """`super().__init__()` in a class whose only bases are `object`, `Generic[T]` or
    `Protocol`: `object.__init__`, which takes no arguments and raises nothing."""
    func = call.func
    if not (
        isinstance(func, nodes.Attribute)
        and func.attrname == "__init__"
        and not call.args
        and not call.keywords
        and isinstance(func.expr, nodes.Call)
        and isinstance(func.expr.func, nodes.Name)
        and func.expr.func.name == "super"
    ):
        return False
    cls = enclosing_class(call)
    if cls is None:
        return False
    for base in cls.bases:
        if isinstance(base, nodes.Subscript):
            base = base.value
        if last_name(base) not in _PLAIN_BASES:
            return False
    return True


def _catches_errors(handler: nodes.ExceptHandler) -> bool:
    """`except:`, `except Exception:`, `except BaseException:`: whatever a call raises."""
    names = caught_names(handler)
    return names is None or any(
        n.rsplit(".", 1)[-1] in ("Exception", "BaseException") for n in names
    )


def _own_helper(call: nodes.Call) -> FunctionLike | None:
    """The undecorated function a call runs: named by scope lookup (`helper()`), through
    an import of another project module (`aiotasks.spawn()`), or as a method of the
    caller's class on `self` (`self._helper()`); for a class of the project, its own
    `__init__` (one it inherits, or a `__new__` beside it, is not followed)."""
    func = call.func
    found: list = []
    try:
        if isinstance(func, nodes.Name):
            _, found = lookup(func, func.name)
        elif (
            isinstance(func, nodes.Attribute)
            and isinstance(func.expr, nodes.Name)
            and func.expr.name == "self"
        ):
            cls = enclosing_class(call)
            if cls is not None:
                found = cls.locals.get(func.attrname, [])
        imported = len(found) == 1 and isinstance(found[0], nodes.Import | nodes.ImportFrom)
        if imported or (isinstance(func, nodes.Attribute) and not found):
            found = imported_definitions(func)  # `spawn()`, `aiotasks.spawn()`
        if not found and isinstance(func, nodes.Attribute) and _on_own_state(func.expr):
            found = _project_methods(func)  # `self._comms.exception_thrown()`
    except (AstroidError, RecursionError):
        return None
    if len(found) != 1:
        return None
    helper = found[0]
    if isinstance(helper, nodes.ClassDef):
        if "__new__" in helper.locals:
            return None
        inits = helper.locals.get("__init__", [])
        helper = inits[0] if len(inits) == 1 else None
    if not isinstance(helper, nodes.FunctionDef | nodes.AsyncFunctionDef):
        return None
    return helper


def _on_own_state(expr: nodes.NodeNG) -> bool:
    """`self.x` (or `self.x.y`): an object the caller's own object holds."""
    while isinstance(expr, nodes.Attribute):
        expr = expr.expr
        if isinstance(expr, nodes.Name) and expr.name == "self":
            return True
    return False


def _project_methods(func: nodes.Attribute) -> list[FunctionLike]:
    """The method of a project class that `func` names on an object the caller holds,
    when inference finds exactly one."""
    found: list[FunctionLike] = []
    for value in infer_values(func):
        value = function_of(value)
        if not isinstance(value, nodes.FunctionDef | nodes.AsyncFunctionDef):
            return []
        module = value.root()
        if not (isinstance(module, nodes.Module) and is_project_module(module)):
            return []
        if value not in found:
            found.append(value)
    return found


_MANAGER_DECORATORS = frozenset({"contextmanager", "asynccontextmanager"})


def _makes_generator(call: nodes.Call, helper: FunctionLike) -> bool:
    """Calling `helper` runs none of its body: it is an `async def` (the call makes the
    coroutine), a generator function whose generator is kept for later (stored or
    returned, not iterated here as in `for x in gen():`), or a `@contextmanager` one
    given to no `with` here (the call makes the manager; its body runs where the
    manager is entered)."""
    names = decorator_names(helper)
    parent = call.parent
    if not names:
        if isinstance(helper, nodes.AsyncFunctionDef):
            return True
        return helper.is_generator() and isinstance(
            parent, nodes.Assign | nodes.AnnAssign | nodes.Return
        )
    if not names <= _MANAGER_DECORATORS:
        return False
    return not (
        isinstance(parent, nodes.With | nodes.AsyncWith)
        and call in (item for item, _ in parent.items)
    )


def _handled_narrowly(call: nodes.Call) -> bool:
    """A call that does not fail in general, inside a `try` whose handler names its own
    narrow exception (`except queue.Full:` around `put_nowait()` on a bounded queue): the
    code says that here it can raise."""
    category = _NARROW_SOURCES.get(last_name(call.func) or "")
    if category is None:
        return False
    child, parent = call, call.parent
    while parent is not None and not isinstance(parent, _SCOPES):
        if isinstance(parent, nodes.Try) and child in parent.body:
            for handler in parent.handlers:
                names = caught_names(handler) or []
                if any(_NARROW.get(n.rsplit(".", 1)[-1]) is category for n in names):
                    return True
        child, parent = parent, parent.parent
    return False


_PLAIN_ITERATORS = frozenset(
    {"range", "enumerate", "zip", "reversed", "sorted", "list", "tuple", "items", "keys",
     "values", "copy", "split", "splitlines", "walk", "listdir"}
)  # fmt: skip


def _plain_iterable(expr: nodes.NodeNG) -> bool:
    """An iterable whose iteration does not fail: a literal, a comprehension, a string,
    or a call that builds a container (`range()`, `d.items()`, `sorted(x)`)."""
    if isinstance(expr, nodes.List | nodes.Tuple | nodes.Set | nodes.Dict | nodes.Const):
        return True
    if isinstance(expr, nodes.ListComp | nodes.SetComp | nodes.DictComp):
        return True
    if isinstance(expr, nodes.Call):
        return (last_name(expr.func) or "") in _PLAIN_ITERATORS
    if isinstance(expr, nodes.Name):
        # A local container the function built (`workers = [Thread(...) for ...]`).
        try:
            scope, assigns = lookup(expr, expr.name)
        except (AstroidError, RecursionError):
            return False
        return (
            isinstance(scope, FunctionLike)
            and bool(assigns)
            and all(
                isinstance(a.parent, nodes.Assign)
                and a.parent.value is not None
                and not isinstance(a.parent.value, nodes.Name)
                and _plain_iterable(a.parent.value)
                for a in assigns
            )
        )
    return False


# asyncio waits that raise nothing but the awaiting task's cancellation: they return what
# they waited for (`asyncio.wait` returns the done set, its tasks' errors stay in them).
_ONLY_CANCELLED = frozenset({"asyncio.sleep", "asyncio.wait"})
# Methods of asyncio primitives that likewise raise only cancellation, by the class of
# their receiver: an event's wait, a lock's or semaphore's acquire.
_ONLY_CANCELLED_METHODS = {
    "wait": frozenset({"asyncio.locks.Event"}),
    "acquire": frozenset(
        {"asyncio.locks.Lock", "asyncio.locks.Semaphore", "asyncio.locks.BoundedSemaphore"}
    ),
}


def _only_cancelled(awaited: nodes.NodeNG | None) -> bool:
    if not isinstance(awaited, nodes.Call):
        return False
    if dotted_name(awaited.func) in _ONLY_CANCELLED:
        return True
    func = awaited.func
    if not isinstance(func, nodes.Attribute) or func.attrname not in _ONLY_CANCELLED_METHODS:
        return False
    classes = _ONLY_CANCELLED_METHODS[func.attrname]
    values = infer_values(func.expr)
    return bool(values) and all(
        isinstance(v, bases.Instance) and v.pytype() in classes for v in values
    )


def categories(node: nodes.NodeNG, cancellation: bool) -> frozenset[Category]:
    """What a raise point may raise, for routing it to handlers."""
    if isinstance(node, nodes.Await) or (
        isinstance(node.parent, nodes.AsyncFor) and node is node.parent.iter
    ):
        awaited = node.value if isinstance(node, nodes.Await) else None
        if _only_cancelled(awaited):
            return frozenset({Category.CANCELLED} if cancellation else ())
        found = {Category.OTHER}
        if cancellation:
            found.add(Category.CANCELLED)
        return frozenset(found)
    if isinstance(node, nodes.Call):
        narrow = _NARROW_SOURCES.get(last_name(node.func) or "")
        return frozenset({Category.OTHER, narrow} if narrow else {Category.OTHER})
    if isinstance(node, nodes.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, nodes.Call) else node.exc
        name = (dotted_name(exc) or "").rsplit(".", 1)[-1]
        if name in _NARROW:
            return frozenset({_NARROW[name]})
        if name in BASE_EXCEPTIONS:
            return frozenset()  # interrupts are not error paths these rules follow
    return frozenset({Category.OTHER})


# -- obligations and leaks -----------------------------------------------------------------


class Release(Enum):
    """What a statement does to the tracked obligation."""

    NO = "no"
    NOW = "now"  # released (or handed over) by the statement: its calls cannot leak it
    AFTER = "after"  # handed over only when the statement completes (adopt on success)
    # Ended when the statement completes or raises the waiter's cancellation; a failure it
    # raises leaves the object owed (`await gather(t, u)`: the first failure is raised and
    # the other tasks go on running).
    UNLESS_FAILED = "unless-failed"
    LENT = "lent"  # handed to a releaser that may give it back (`Release.BACK`)
    BACK = "back"  # a hand-off undone (taken back out of the registry): owed again


class Scope(Enum):
    FUNCTION = "function"  # pending until the function returns
    ITERATION = "iteration"  # pending until the end of one iteration of `loop`
    SERVING = "serving"  # `loop` must never end but by an orderly stop


class Raising(Enum):
    ALL = "all"  # every raise point
    EXPLICIT = "explicit"  # only `raise` statements
    NONE = "none"  # no exceptions: only `return` (and loop exits) leak


class LeakKind(str, Enum):
    EXCEPTION = "exception"
    RETURN = "return"
    RAISE = "raise"
    BREAK = "break"
    CONTINUE = "continue"


@dataclass(frozen=True)
class Leak:
    node: nodes.NodeNG  # the exit statement, or the raise point whose exception leaks
    kind: LeakKind


def _never(_: nodes.NodeNG) -> bool:
    return False


def _not_void(_test: nodes.NodeNG, _outcome: bool) -> bool:
    return False


@dataclass(frozen=True)
class Obligation:
    """What must happen before the function (or one loop iteration) is left."""

    releases: Callable[[nodes.NodeNG], Release]
    start: nodes.NodeNG | None = None  # pending once this statement completes; None: at entry
    scope: Scope = Scope.FUNCTION
    loop: nodes.For | nodes.While | None = None  # for ITERATION and SERVING
    raising: Raising = Raising.ALL
    cancellation: bool = False  # awaits raise asyncio.CancelledError
    exempt: Callable[[nodes.NodeNG], bool] = field(default=_never)  # exits that do not leak
    # Whether taking the next item of a `for` loop over an iterator (not a literal, a
    # `range()` or a container's view) is a raise point: for a worker producing a stream,
    # the source it iterates is where the stream fails (an `async for` always awaits).
    iteration_raises: bool = False
    # Which raise points can leak this obligation (None: all): a socket leaks through the
    # operations that use it, not through any unrelated call.
    relevant: Callable[[nodes.NodeNG], bool] | None = None
    # Whether the obligation is void on the branch of an `if` test taken when the test is
    # `outcome` (`if sock is None:` holds no socket; `if fut.done():` owes nothing).
    void: Callable[[nodes.NodeNG, bool], bool] = field(default=_not_void)


def _witness(test: nodes.NodeNG, start: nodes.NodeNG) -> bool:
    """`started` in `started = False; ...; t.start(); started = True; ...; if started:`: a
    local set true by the statement right after the one the obligation begins at, and
    false (or None) only before it, is true exactly when something is owed."""
    if not isinstance(test, nodes.Name):
        return False
    try:
        _, assigns = lookup(test, test.name)
    except (AstroidError, RecursionError):
        return False
    after = start.next_sibling()
    set_true = False
    for assign in assigns:
        statement = assign.parent
        if not isinstance(statement, nodes.Assign) or not isinstance(statement.value, nodes.Const):
            return False
        if statement.value.value:
            if statement is not after:
                return False
            set_true = True
        elif (statement.lineno or 0) >= (start.lineno or 0):
            return False
    return set_true


def _completion_flag(node: nodes.Try) -> tuple[str, bool, nodes.Assign] | None:
    """`done = False; try: ...; done = True; finally: if not done: sock.close()`: a local
    given a constant right before the `try` and the opposite constant by a statement of
    its body, and by nothing else in between. Until that statement has run the flag keeps
    its first value, so a `finally:` that releases whenever the flag has it releases on
    every path that leaves the body before it: the name, that first value, and the
    statement."""
    for statement in node.body:
        if not (
            isinstance(statement, nodes.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], nodes.AssignName)
            and isinstance(statement.value, nodes.Const)
            and isinstance(statement.value.value, bool)
        ):
            continue
        name = statement.targets[0].name
        first = node.previous_sibling()
        while first is not None and not _stores(first, name):
            first = first.previous_sibling()
        if not (
            isinstance(first, nodes.Assign)
            and isinstance(first.value, nodes.Const)
            and first.value.value is (not statement.value.value)
        ):
            continue
        assigns = statement.scope().locals.get(name, [])
        between = (first.lineno or 0, node.tolineno or 0)
        if all(
            a.parent in (first, statement) or not between[0] <= (a.lineno or 0) <= between[1]
            for a in assigns
        ):
            return name, first.value.value, statement
    return None


def _stores(statement: nodes.NodeNG, name: str) -> bool:
    return any(target.name == name for target in statement.nodes_of_class(nodes.AssignName))


_NORMAL = None  # pending on the normal path
_RELEASED = "released"  # a path on which nothing is owed (released, or never owned)
_EMPTY: frozenset = frozenset()  # no path reaches here
_DONE = frozenset({_RELEASED})
# A path on which the object is lent to a releaser: nothing owed, unless it is taken back.
_LENT = "lent"
_SETTLED = frozenset({_RELEASED, _LENT})


def _pending(state: frozenset) -> frozenset:
    return state - _SETTLED


_BUDGET = 20_000  # statements interpreted per analysis before giving up


class _GaveUp(Exception):
    pass


@dataclass
class _Try:
    node: nodes.Try
    region: str  # "body" | "handlers" | "finally"
    caught: dict[int, frozenset] = field(default_factory=dict)  # handler index -> state
    releasing_finally: bool = False
    # The statement of the body that sets a completion flag (`_completion_flag`) whose
    # first value the `finally:` releases on: what leaves the body before it is released.
    released_before: nodes.NodeNG | None = None

    def releases(self, point: nodes.NodeNG) -> bool:
        """The `finally:` releases on the way out from `point` (a raise point, a `return`,
        a `break`) of the region the engine is in."""
        if self.region == "finally":
            return False
        if self.releasing_finally:
            return True
        return (
            self.released_before is not None
            and self.region == "body"
            and (point.lineno or 0) < (self.released_before.lineno or 0)
        )


@dataclass
class _Loop:
    node: nodes.For | nodes.While
    breaks: frozenset = _EMPTY
    continues: frozenset = _EMPTY


@dataclass
class _Suppress:
    node: nodes.With
    caught: frozenset = _EMPTY


class _Engine:
    def __init__(self, function: FunctionLike, obligation: Obligation, raises: RaiseModel):
        self.function = function
        self.ob = obligation
        self.raises = raises
        self.leaks: dict[nodes.NodeNG, LeakKind] = {}
        self.stack: list[_Try | _Loop | _Suppress] = []
        self.steps = 0
        self._finally_releases: dict[nodes.NodeNG, bool] = {}  # a `finally:` or a loop

    # -- the result ---------------------------------------------------------------------
    def run(self) -> list[Leak]:
        body = self.function.body if isinstance(self.function.body, list) else []
        start = (
            frozenset({_NORMAL})
            if self.ob.start is None and self.ob.scope is Scope.FUNCTION
            else _DONE
        )
        out = self.block(body, start)
        self._end_of_scope(out)
        return [Leak(n, k) for n, k in self.leaks.items()]

    def _leak(self, node: nodes.NodeNG, kind: LeakKind) -> None:
        self.leaks.setdefault(node, kind)

    def _end_of_scope(self, state: frozenset) -> None:
        """A path falling through the end of the function or the iteration: pending
        because an exception was caught and not followed by a release is a leak."""
        for culprit in state:
            if culprit not in (_NORMAL, _RELEASED, _LENT) and self._counts(culprit):
                self._leak(culprit, LeakKind.EXCEPTION)

    def _counts(self, culprit: nodes.NodeNG) -> bool:
        """Whether an exception from `culprit` leaking is reported (SDL101's shutdown
        sentinel counts only early returns; a serving loop only explicit raises)."""
        if self.ob.raising is Raising.ALL:
            return True
        return self.ob.raising is Raising.EXPLICIT and isinstance(culprit, nodes.Raise)

    # -- statements -----------------------------------------------------------------------
    def block(self, statements: list[nodes.NodeNG], state: frozenset) -> frozenset:
        for statement in statements:
            state = self.statement(statement, state)
        return state

    def _void(self, test: nodes.NodeNG, outcome: bool) -> bool:
        if self.ob.void(test, outcome):
            return True
        while isinstance(test, nodes.UnaryOp) and test.op == "not":
            test, outcome = test.operand, not outcome
        return not outcome and self.ob.start is not None and _witness(test, self.ob.start)

    def statement(self, node: nodes.NodeNG, state: frozenset) -> frozenset:
        self.steps += 1
        if self.steps > _BUDGET:
            raise _GaveUp
        if isinstance(node, _SCOPES):
            return state
        if isinstance(node, nodes.If):
            state = self.expression(node.test, state)
            body = _DONE if state and self._void(node.test, True) else state
            orelse = _DONE if state and self._void(node.test, False) else state
            return self.block(node.body, body) | self.block(node.orelse, orelse)
        if isinstance(node, nodes.For | nodes.While):
            return self.loop(node, state)
        if isinstance(node, nodes.Try) or type(node).__name__ == "TryStar":
            return self.try_(node, state)
        if isinstance(node, nodes.With | nodes.AsyncWith):
            return self.with_(node, state)
        if isinstance(node, nodes.Match):
            state = self.expression(node.subject, state)
            out = state  # no case may match
            for case in node.cases:
                out |= self.block(case.body, state)
            return out
        if isinstance(node, nodes.Return):
            return self.return_(node, state)
        if isinstance(node, nodes.Raise):
            return self.raise_(node, state)
        if isinstance(node, nodes.Break | nodes.Continue):
            return self.jump(node, state)
        return self.simple(node, state)

    def simple(self, node: nodes.NodeNG, state: frozenset) -> frozenset:
        release = self.ob.releases(node)
        if release is Release.LENT:
            state = self.expression(node, state)
            return (state - _pending(state)) | {_LENT} if _pending(state) else state
        if release is Release.BACK:
            state = self.expression(node, state)
            return (state - {_LENT}) | {_NORMAL} if _LENT in state else state
        if release is Release.UNLESS_FAILED:
            state = self.expression(node, state, spared=frozenset({Category.CANCELLED}))
        elif release is not Release.NOW:
            state = self.expression(node, state)
        if release is not Release.NO and state:
            state = _DONE
        if node is self.ob.start and state:
            state = frozenset({_NORMAL})
        return state

    def expression(
        self, node: nodes.NodeNG | None, state: frozenset, spared: frozenset = frozenset()
    ) -> frozenset:
        """Throw from each raise point of `node` (evaluated with `state` pending); the
        `spared` categories of exception leave nothing owed."""
        if node is None or not (_pending(state) or _LENT in state):
            return state
        relevant = self.ob.relevant
        for point in self.raises.points(node):
            if relevant is None or isinstance(point, nodes.Raise) or relevant(point):
                self.throw(point, state, spared=spared)
        return state

    def return_(self, node: nodes.Return, state: frozenset) -> frozenset:
        release = self.ob.releases(node)
        if release is Release.UNLESS_FAILED:
            state = self.expression(node.value, state, spared=frozenset({Category.CANCELLED}))
        elif release is not Release.NOW:
            state = self.expression(node.value, state)
        if _pending(state) and release is Release.NO:
            self.exit(node, LeakKind.RETURN, None, state)
        return _EMPTY

    def raise_(self, node: nodes.Raise, state: frozenset) -> frozenset:
        if _pending(state) and node.exc is not None:
            # Making the exception raised here is part of this raise (one finding per
            # statement, SPEC §2): only what its arguments call can raise before it.
            exc = node.exc
            parts = (
                [*exc.args, *(k.value for k in exc.keywords or ())]
                if isinstance(exc, nodes.Call)
                else [exc]
            )
            for part in parts:
                state = self.expression(part, state)
        pending = _pending(state)
        if pending:
            if self.ob.raising is Raising.ALL:
                # Re-raising (or translating) a caught exception continues that exception's
                # path: its leak is reported once, where it was raised first.
                carried = frozenset(node if c is _NORMAL else c for c in pending)
            else:
                carried = frozenset({node})
            if _RELEASED in state and _NORMAL in pending:
                carried -= {node}  # released on some paths to this `raise`: not a sure leak
            if carried:
                self.throw(node, carried, explicit=True)
        return _EMPTY

    def jump(self, node: nodes.Break | nodes.Continue, state: frozenset) -> frozenset:
        target = next((c for c in reversed(self.stack) if isinstance(c, _Loop)), None)
        if target is None or not state:
            return _EMPTY
        kind = LeakKind.BREAK if isinstance(node, nodes.Break) else LeakKind.CONTINUE
        leaves = target.node is self.ob.loop and (
            self.ob.scope is Scope.ITERATION
            or (self.ob.scope is Scope.SERVING and kind is LeakKind.BREAK)
        )
        if leaves:
            self.exit(node, kind, target, state)
            return _EMPTY
        # A `finally:` between the jump and its loop runs on the way out: one that
        # releases on every path settles what the jump carries (`except Timeout: break`
        # inside `try: ... finally: task.cancel()`).
        if self._released_on_the_way(node, target):
            state = _DONE
        if kind is LeakKind.BREAK:
            target.breaks |= state
        else:
            target.continues |= state
        return _EMPTY

    def exit(self, node: nodes.NodeNG, kind: LeakKind, until: _Loop | None, state: frozenset):
        """An explicit exit with `state` pending: a leak unless a `finally:` on the way
        releases, or the obligation exempts it (a guard that makes it correct)."""
        if self._released_on_the_way(node, until):
            return
        # An explicit exit leaks only when the obligation is pending on every path to it: a
        # path-insensitive analysis cannot tell which flags go with which path.
        if not state & _SETTLED and not self.ob.exempt(node):
            self._leak(node, kind)

    def _released_on_the_way(self, node: nodes.NodeNG, until: _Loop | None) -> bool:
        """A `finally:` that releases on the way out from `node` lies between it and
        `until` (the loop an exit leaves; None: the function)."""
        for context in reversed(self.stack):
            if context is until:
                return False
            if isinstance(context, _Try) and context.releases(node):
                return True
        return False

    def throw(
        self,
        point: nodes.NodeNG,
        state: frozenset,
        explicit: bool = False,
        spared: frozenset = frozenset(),
    ) -> None:
        """An exception raised at `point` with `state` pending: route it to the handlers
        that catch it; what leaves the function (or the iteration) is a leak."""
        carried = (
            state if explicit else frozenset(point if c is _NORMAL else c for c in _pending(state))
        ) | (state & {_LENT})  # a lent object goes with the exception: a handler takes it back
        pending = set(categories(point, self.ob.cancellation)) - spared
        if not pending or not carried:
            return
        for context in reversed(self.stack):
            if isinstance(context, _Loop):
                if context.node is self.ob.loop and self.ob.scope is not Scope.FUNCTION:
                    break  # the exception ends the iteration (or the serving loop)
                continue
            if isinstance(context, _Suppress):
                context.caught |= carried
                return
            if context.region == "body":
                caught = set()
                for index, handler in enumerate(context.node.handlers):
                    hit = {c for c in pending if _handler_catches(handler, c)}
                    if hit:
                        context.caught[index] = context.caught.get(index, _EMPTY) | carried
                        caught |= hit
                pending -= caught
                if not pending:
                    return
            if context.releases(point):
                return
        if explicit and self.ob.exempt(point):
            return
        for culprit in carried - {_LENT}:
            if self._counts(culprit):
                explicit_raise = isinstance(culprit, nodes.Raise)
                self._leak(culprit, LeakKind.RAISE if explicit_raise else LeakKind.EXCEPTION)

    # -- compound statements ------------------------------------------------------------------
    def loop(self, node: nodes.For | nodes.While, state: frozenset) -> frozenset:
        header = node.iter if isinstance(node, nodes.For) else node.test
        iteration = node is self.ob.loop and self.ob.scope is Scope.ITERATION
        serving = node is self.ob.loop and self.ob.scope is Scope.SERVING
        if serving:
            state = frozenset({_NORMAL})
        context = _Loop(node)
        head = state
        # A loop that starts the group (`for _ in range(n): create_task(consume(q))`) owes
        # from its end on: the zero-iteration path started nobody and is not a path apart.
        starts_group = self.ob.start is not None and self.ob.start in node.body
        ran = _EMPTY
        for _ in range(4):  # the states are few: a fixpoint comes fast
            entry = _DONE if iteration else head
            entry = self.expression(header, entry)
            if (
                self._iteration_raises(node)
                and _pending(entry)
                and (self.ob.relevant is None or self.ob.relevant(node.iter))
            ):
                self.throw(node.iter, entry)
            self.stack.append(context)
            try:
                end = self.block(node.body, entry)
            finally:
                self.stack.pop()
            if iteration:
                self._end_of_scope(end)
                end = _DONE if end else _EMPTY
            new_head = head | end | context.continues
            ran |= end | context.continues
            if new_head == head:
                break
            head = new_head
        after = head if not (iteration or serving) else _DONE
        if after and isinstance(node, nodes.While) and self._void(node.test, False):
            # `while not task.done(): await asyncio.shield(task)`: the loop is left (but
            # for a `break`) once the test is false, where nothing is owed any more.
            after = _DONE
        if starts_group and ran and isinstance(node, nodes.For):
            after = ran
        if after and not (iteration or serving) and self._releases_each_member(node):
            # A release loop covers the group (one end marker per consumer, one `set()`
            # per waiter): when it finishes, none is owed, zero iterations included.
            after = _DONE
        out = self.block(node.orelse, after) | context.breaks
        return _DONE if serving else out

    def _releases_each_member(self, node: nodes.For | nodes.While) -> bool:
        """`node` is a `for` loop whose body releases on every normal path through it."""
        if not isinstance(node, nodes.For) or not node.body:
            return False
        if node not in self._finally_releases:
            probe = _Engine(
                self.function,
                Obligation(self.ob.releases, raising=Raising.NONE, void=self._void),
                self.raises,
            )
            probe.steps = self.steps
            context = _Loop(node)
            probe.stack.append(context)
            end = probe.block(node.body, frozenset({_NORMAL}))
            end |= context.continues | context.breaks
            self._finally_releases[node] = bool(end) and not _pending(end)
        return self._finally_releases[node]

    def _iteration_raises(self, node: nodes.For | nodes.While) -> bool:
        """Taking the next item of `node` can raise: `async for` awaits `__anext__()`;
        `for` over an iterator, when the obligation asks for it."""
        if not isinstance(node, nodes.For):
            return False
        if isinstance(node, nodes.AsyncFor):
            return self.raises.awaits
        if not self.ob.iteration_raises or not self.raises.calls:
            return False
        return not _plain_iterable(node.iter)

    def try_(self, node: nodes.Try, state: frozenset) -> frozenset:
        context = _Try(node, "body", releasing_finally=self._finally_release(node))
        if not context.releasing_finally:
            context.released_before = self._released_unless_completed(node)
        self.stack.append(context)
        try:
            body = self.block(node.body, state)
            context.region = "handlers"
            body = self.block(node.orelse, body)
            outs = body
            for index, handler in enumerate(node.handlers):
                caught = context.caught.get(index, _EMPTY)
                if caught:
                    outs |= self.block(handler.body, caught)
        finally:
            self.stack.pop()
        if node.finalbody:
            if context.releasing_finally:
                return self.block(node.finalbody, _DONE if outs else _EMPTY)
            self.stack.append(_Try(node, "finally"))
            try:
                outs = self.block(node.finalbody, outs)
            finally:
                self.stack.pop()
        return outs

    def _finally_release(self, node: nodes.Try) -> bool:
        """A `finally:` that releases on every normal path through it."""
        if not node.finalbody:
            return False
        if node not in self._finally_releases:
            probe = _Engine(
                self.function,
                Obligation(self.ob.releases, raising=Raising.NONE, void=self._void),
                self.raises,
            )
            probe.steps = self.steps
            end = probe.block(node.finalbody, frozenset({_NORMAL}))
            self._finally_releases[node] = not _pending(end)
        return self._finally_releases[node]

    def _released_unless_completed(self, node: nodes.Try) -> nodes.NodeNG | None:
        """The statement setting `node`'s completion flag (`_completion_flag`), when its
        `finally:` releases on every path on which the flag still has its first value."""
        flag = _completion_flag(node) if node.finalbody else None
        if flag is None:
            return None
        name, first, statement = flag

        def void(test: nodes.NodeNG, outcome: bool) -> bool:
            while isinstance(test, nodes.UnaryOp) and test.op == "not":
                test, outcome = test.operand, not outcome
            if isinstance(test, nodes.Name) and test.name == name:
                return outcome is not first
            return self._void(test, outcome)

        probe = _Engine(
            self.function,
            Obligation(self.ob.releases, raising=Raising.NONE, void=void),
            self.raises,
        )
        probe.steps = self.steps
        end = probe.block(node.finalbody, frozenset({_NORMAL}))
        return statement if end and not _pending(end) else None

    def with_(self, node: nodes.With | nodes.AsyncWith, state: frozenset) -> frozenset:
        owned = self.ob.releases(node) is not Release.NO
        if not owned:  # a context manager taking the object over (`closing(x)`) is its release
            for item, _ in node.items:
                state = self.expression(item, state)
        if owned and state:
            state = _DONE  # the context manager owns the object: released on every path
        if node is self.ob.start and state:
            state = frozenset({_NORMAL})
        suppress = next(
            (
                item
                for item, _ in node.items
                if isinstance(item, nodes.Call) and last_name(item.func) == "suppress"
            ),
            None,
        )
        if suppress is None:
            return self.block(node.body, state)
        context = _Suppress(node)
        self.stack.append(context)
        try:
            out = self.block(node.body, state)
        finally:
            self.stack.pop()
        return out | context.caught


def unreleased_exits(
    function: FunctionLike, obligation: Obligation, raises: RaiseModel
) -> list[Leak] | None:
    """The exits of `function` that leave `obligation` unreleased, in source order; None
    when the function is too large to follow (counted as giving up)."""
    engine = _Engine(function, obligation, raises)
    try:
        leaks = engine.run()
    except _GaveUp:
        return None
    # Nested calls can start at the same column (`json.dumps(x).encode()`): the outer one
    # first, so that the choice does not depend on the order of a set of nodes.
    return sorted(
        leaks,
        key=lambda leak: (
            leak.node.lineno or 0,
            leak.node.col_offset or 0,
            -(leak.node.end_lineno or 0),
            -(leak.node.end_col_offset or 0),
        ),
    )


def statements(function: FunctionLike) -> Iterator[nodes.NodeNG]:
    """Every statement of `function`'s own body, in source order (nested definitions are
    yielded but not entered)."""
    stack = list(reversed(function.body)) if isinstance(function.body, list) else []
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.ExceptHandler | nodes.MatchCase):
            stack.extend(reversed(node.body))
            continue
        yield node
        if isinstance(node, _SCOPES):
            continue
        children = [
            c
            for c in node.get_children()
            if c.is_statement or isinstance(c, nodes.ExceptHandler | nodes.MatchCase)
        ]
        stack.extend(reversed(children))


def after_completed(point: nodes.NodeNG, statement: nodes.NodeNG) -> bool:
    """`point` runs only once `statement` has completed: it lies in a later statement of
    the same block, or of the `try` holding it when every handler of that `try` raises
    again (a failed `bind()` caught and closed). A point in a handler of the statement's
    own failure, or after a loop or branch it may not have run in, is not."""
    while isinstance(statement.parent, nodes.Try) and statement in statement.parent.body:
        handlers = statement.parent.handlers
        if not all(h.body and isinstance(h.body[-1], nodes.Raise) for h in handlers):
            break
        statement = statement.parent
    try:
        sequence = statement.parent.child_sequence(statement)
    except (AstroidError, AttributeError, ValueError):
        return False
    later = {id(n) for n in sequence[sequence.index(statement) + 1 :]}
    node = point
    while node is not None and not isinstance(node, FunctionLike):
        if id(node) in later:
            return True
        node = node.parent
    return False
