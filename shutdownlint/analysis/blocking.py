"""Which calls block, and whether a given call can wait forever.

`BLOCKING_CALLS` is the table of the standard blocking methods: per kind and
method, whether it is a plain call or an asyncio await, where it takes its
`block` flag and `timeout`, and what to advise. `Blocking.unbounded_wait()` is
the one question the blocking rules ask: "is this call a wait with no timeout,
and why". A `Lock`/`RLock` acquire is not in the table: a short critical
section by convention, not a wait on another party (SPEC §2).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from astroid import nodes

from shutdownlint.analysis.infer import (
    FunctionLike,
    enclosing_function,
    has_star_arguments,
    infer_values,
    is_done_set,
    last_name,
    lookup,
    loop_iterable,
    walk,
)
from shutdownlint.analysis.kinds import KindInfo, Kinds
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.vocabulary import Flavor, Kind, TimeoutState


@dataclass(frozen=True)
class Signature:
    """Where a blocking method takes its `block` flag and its `timeout`."""

    block_position: int | None = None
    block_names: tuple[str, ...] = ()
    timeout_position: int | None = None
    timeout_name: str | None = None
    no_timeout_values: tuple[object, ...] = (None,)

    @property
    def takes_timeout(self) -> bool:
        return self.timeout_name is not None


@dataclass(frozen=True)
class BlockingCall:
    """One blocking method of one kind: a call (threads, processes) or an await (asyncio)."""

    kind: Kind
    method: str
    awaited: bool  # an asyncio await: no `timeout` argument, bounded by a timeout scope
    signature: Signature = Signature()
    advice: str = "pass `timeout=` and handle the wait running out"
    flavors: frozenset[Flavor] = frozenset()  # empty: every non-asyncio flavor


_TIMEOUT0 = Signature(timeout_position=0, timeout_name="timeout")
_ACQUIRE = Signature(0, ("blocking", "block"), 1, "timeout", (None, -1))
_JOIN = "pass `timeout=` to `join()` and check `is_alive()` afterwards"
_RESULT = "pass `timeout=` and handle `TimeoutError`"
_SUBPROCESS = "pass `timeout=` and handle `subprocess.TimeoutExpired`"
QUEUE_JOIN_ADVICE = (
    "`Queue.join()` takes no timeout: wait on an `Event` or `Condition` with a timeout "
    "that the consumer sets when the work is done"
)

BLOCKING_CALLS: tuple[BlockingCall, ...] = (
    # -- threads and processes: plain calls ---------------------------------------
    BlockingCall(
        Kind.QUEUE,
        "put",
        False,
        Signature(1, ("block",), 2, "timeout"),
        "pass `timeout=` to `put()` and handle `queue.Full`, or use `put_nowait()`",
    ),
    BlockingCall(
        Kind.QUEUE,
        "get",
        False,
        Signature(0, ("block",), 1, "timeout"),
        "pass `timeout=` to `get()` and handle `queue.Empty`",
    ),
    BlockingCall(Kind.QUEUE, "join", False, Signature(), QUEUE_JOIN_ADVICE),
    BlockingCall(Kind.EVENT, "wait", False, _TIMEOUT0),
    BlockingCall(Kind.CONDITION, "wait", False, _TIMEOUT0),
    BlockingCall(Kind.CONDITION, "wait_for", False, Signature(None, (), 1, "timeout")),
    BlockingCall(Kind.BARRIER, "wait", False, _TIMEOUT0),
    BlockingCall(Kind.THREAD, "join", False, _TIMEOUT0, _JOIN),
    BlockingCall(
        Kind.PROCESS, "join", False, _TIMEOUT0, _JOIN, frozenset({Flavor.MULTIPROCESSING})
    ),
    BlockingCall(
        Kind.PROCESS, "wait", False, _TIMEOUT0, _SUBPROCESS, frozenset({Flavor.SUBPROCESS})
    ),
    BlockingCall(
        Kind.PROCESS,
        "communicate",
        False,
        Signature(None, (), 1, "timeout"),
        _SUBPROCESS,
        frozenset({Flavor.SUBPROCESS}),
    ),
    BlockingCall(Kind.FUTURE, "result", False, _TIMEOUT0, _RESULT),
    BlockingCall(Kind.FUTURE, "exception", False, _TIMEOUT0, _RESULT),
    BlockingCall(
        Kind.SEMAPHORE,
        "acquire",
        False,
        _ACQUIRE,
        "pass `timeout=` to `acquire()` and check what it returns",
    ),
    # -- asyncio: awaits, which take no timeout ------------------------------------
    BlockingCall(Kind.QUEUE, "put", True),
    BlockingCall(Kind.QUEUE, "get", True),
    BlockingCall(Kind.QUEUE, "join", True),
    BlockingCall(Kind.EVENT, "wait", True),
    BlockingCall(Kind.CONDITION, "wait", True),
    BlockingCall(Kind.CONDITION, "wait_for", True),
    BlockingCall(Kind.BARRIER, "wait", True),
    BlockingCall(Kind.SEMAPHORE, "acquire", True),
)

_BY_KEY: dict[tuple[Kind, str, bool], tuple[BlockingCall, ...]] = {}
for _row in BLOCKING_CALLS:
    _key = (_row.kind, _row.method, _row.awaited)
    _BY_KEY[_key] = (*_BY_KEY.get(_key, ()), _row)

#: Every standard method name that can block: a cheap first filter.
BLOCKING_METHODS: frozenset[str] = frozenset(row.method for row in BLOCKING_CALLS)

# What says a wait returns at once: (kind, blocking method or None for `await x`) ->
# (the test method, whether the test is negated: `if not q.empty(): q.get()`).
_DONE_TESTS: dict[tuple[Kind, str | None], tuple[str, bool]] = {
    (Kind.FUTURE, "result"): ("done", False),
    (Kind.FUTURE, "exception"): ("done", False),
    (Kind.FUTURE, None): ("done", False),
    (Kind.TASK, None): ("done", False),
    (Kind.QUEUE, "get"): ("empty", True),
    (Kind.EVENT, "wait"): ("is_set", False),
    (Kind.THREAD, "join"): ("is_alive", True),
    (Kind.PROCESS, "join"): ("is_alive", True),
    (Kind.PROCESS, "wait"): ("poll", False),
}
_ASYNC_TIMEOUT_SCOPES = frozenset(
    {"timeout", "timeout_at", "fail_after", "fail_at", "move_on_after", "move_on_at"}
)


def blocking_row(info: KindInfo, method: str) -> BlockingCall | None:
    """How `method` blocks on an object of kind `info` (`put` included)."""
    if info.mapping is not None and method in info.mapping.wait:
        return BlockingCall(info.kind, method, False, Signature(timeout_name="timeout"))
    awaited = info.flavor is Flavor.ASYNCIO
    for row in _BY_KEY.get((info.kind, method, awaited), ()):
        if awaited or not row.flavors or info.flavor in row.flavors:
            return row
    return None


@dataclass(frozen=True)
class Wait:
    """A call (or await) that can wait forever, and on what."""

    node: nodes.Call | nodes.Await | nodes.Return  # a Return: a future handed to the caller
    info: KindInfo
    row: BlockingCall | None  # None for `await task`
    receiver: nodes.NodeNG

    @property
    def method(self) -> str | None:
        return self.row.method if self.row else None


class Blocking:
    """Which calls of one module can wait forever (a per-module fact)."""

    def __init__(self, options: AnalysisOptions, kinds: Kinds, stats: Counter[str]) -> None:
        self._options = options
        self._kinds = kinds
        self._stats = stats

    @cached_property
    def method_names(self) -> frozenset[str]:
        """The standard blocking methods and the configured types' `wait` methods."""
        return BLOCKING_METHODS | {m for t in self._options.types for m in t.wait}

    def unbounded_wait(self, node: nodes.Call | nodes.Await) -> Wait | None:
        """`node` when it can wait forever: a blocking method with no timeout, not
        bounded by an asyncio timeout scope, on something not already known to be done;
        or `await task` / `await future` likewise. None otherwise."""
        if isinstance(node, nodes.Await):
            return self._unbounded_await(node)
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname not in self.method_names:
            return None
        info = self._kinds.kind_of(func.expr)
        row = blocking_row(info, func.attrname) if info else None
        if info is None or row is None:
            return None
        if row.awaited:
            if not isinstance(node.parent, nodes.Await) or async_timeout_scope(node):
                return None
        elif timeout_state(node, row.signature, self._stats) is not TimeoutState.NONE:
            return None
        if already_done(node, func.expr, info.kind, row.method):
            return None
        return Wait(node, info, row, func.expr)

    def unbounded_by_default(self, node: nodes.Call) -> Wait | None:
        """`node` waits forever for the callers that take its function's default: its
        timeout is a parameter that defaults to None (`def wait_ready(self, timeout=None):
        self._ready.wait(timeout)`). A fact for who waits (SDL102), not for SDL302,
        whose "no timeout" is the literal one."""
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname not in self.method_names:
            return None
        info = self._kinds.kind_of(func.expr)
        row = blocking_row(info, func.attrname) if info else None
        if info is None or row is None or row.awaited:
            return None
        if timeout_state(node, row.signature, self._stats) is not TimeoutState.TIMEOUT:
            return None
        timeout = timeout_argument(node, row.signature)
        if not isinstance(timeout, nodes.Name) or not _defaults_to_none(timeout):
            return None
        if already_done(node, func.expr, info.kind, row.method):
            return None
        return Wait(node, info, row, func.expr)

    def _unbounded_await(self, node: nodes.Await) -> Wait | None:
        value = node.value
        if not isinstance(value, nodes.Name | nodes.Attribute):
            return None
        info = self._kinds.kind_of(value)
        if info is None or info.kind not in (Kind.TASK, Kind.FUTURE):
            return None
        if info.flavor is not Flavor.ASYNCIO or async_timeout_scope(node):
            return None
        if cancelled_before(node, value) or already_done(node, value, info.kind, None):
            return None
        return Wait(node, info, None, value)


def timeout_state(call: nodes.Call, signature: Signature, stats=None) -> TimeoutState:
    """How `call` (a method with `signature`) is bounded in time."""
    if has_star_arguments(call):
        return TimeoutState.UNKNOWN
    block = _argument(call, signature.block_position, signature.block_names)
    if block is not None:
        values = [v for v in infer_values(block, stats) if isinstance(v, nodes.Const)]
        if len(values) != 1:
            return TimeoutState.UNKNOWN
        if not values[0].value:
            return TimeoutState.NONBLOCKING
    if signature.timeout_name is None:
        return TimeoutState.NONE
    timeout = timeout_argument(call, signature)
    if timeout is None:
        return TimeoutState.NONE
    # Only a literal says "no timeout": a variable is the caller's deadline, passed on.
    if _literal(timeout) in signature.no_timeout_values:
        return TimeoutState.NONE
    return TimeoutState.TIMEOUT


def timeout_argument(call: nodes.Call, signature: Signature) -> nodes.NodeNG | None:
    if signature.timeout_name is None:
        return None
    return _argument(call, signature.timeout_position, (signature.timeout_name,))


_NOT_A_LITERAL = object()


def _defaults_to_none(name: nodes.Name) -> bool:
    """`name` is a parameter of its function whose default is `None`, never reassigned."""
    scope = name.scope()
    arguments = getattr(scope, "args", None)
    if not isinstance(arguments, nodes.Arguments) or arguments.args is None:
        return False
    try:
        default = arguments.default_value(name.name)
    except Exception:  # astroid's NoDefault, or not a parameter
        return False
    if not (isinstance(default, nodes.Const) and default.value is None):
        return False
    return not any(
        isinstance(n, nodes.AssignName) and n.name == name.name and n.parent is not arguments
        for n in scope.nodes_of_class(nodes.AssignName)
    )


def _literal(node: nodes.NodeNG) -> object:
    """The value of `None`, `5`, `-1`; `_NOT_A_LITERAL` for anything else."""
    if isinstance(node, nodes.Const):
        return node.value
    if (
        isinstance(node, nodes.UnaryOp)
        and node.op == "-"
        and isinstance(node.operand, nodes.Const)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value
    return _NOT_A_LITERAL


def _argument(call: nodes.Call, position: int | None, names: tuple[str, ...]):
    for kw in call.keywords or ():
        if kw.arg in names:
            return kw.value
    if position is not None and position < len(call.args):
        return call.args[position]
    return None


def async_timeout_scope(node: nodes.NodeNG) -> nodes.NodeNG | None:
    """The `async with asyncio.timeout(...)` or `asyncio.wait_for(...)` that bounds `node`."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if isinstance(parent, nodes.With | nodes.AsyncWith) and child in parent.body:
            for manager, _ in parent.items:
                if isinstance(manager, nodes.Call) and _is_timeout_scope(last_name(manager.func)):
                    return manager
        if isinstance(parent, nodes.Call) and child in parent.args:
            name = last_name(parent.func)
            if name == "wait_for":
                return parent
            if name == "wait" and any(kw.arg == "timeout" for kw in parent.keywords or ()):
                return parent
        child, parent = parent, parent.parent
    return None


def _is_timeout_scope(name: str | None) -> bool:
    """`asyncio.timeout`, `async_timeout.timeout`, anyio's `fail_after`, and the helpers
    libraries wrap them in (aiohttp's `ceil_timeout`): a context manager named for it."""
    return name is not None and (name in _ASYNC_TIMEOUT_SCOPES or "timeout" in name.lower())


def cancelled_before(node: nodes.NodeNG, target: nodes.NodeNG) -> bool:
    """`task.cancel()` earlier in the same function: awaiting a cancelled task is the
    documented way to let it finish its cleanup, not an open-ended wait."""
    function = enclosing_function(node)
    if function is None or node.lineno is None:
        return False
    text = target.as_string()
    for call in walk(function):
        if (
            isinstance(call, nodes.Call)
            and isinstance(call.func, nodes.Attribute)
            and call.func.attrname == "cancel"
            and call.lineno is not None
            and call.lineno <= node.lineno
            and call.func.expr.as_string() == text
        ):
            return True
    return False


def already_done(
    node: nodes.NodeNG, receiver: nodes.NodeNG, kind: Kind, method: str | None
) -> bool:
    """Waiting on `receiver` (with `method`, None for `await`) returns at once: it is
    known to be done here. A future yielded by `as_completed()` or taken from the done
    set of `wait()`; a wait under `if f.done():`, `if not q.empty():`, `if e.is_set():`,
    `if not t.is_alive():`."""
    if kind in (Kind.FUTURE, Kind.TASK) and _from_completed(receiver):
        return True
    test = _DONE_TESTS.get((kind, method))
    if test is None:
        return False
    method, negated = test
    text = receiver.as_string()
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if (
            isinstance(parent, nodes.If | nodes.While)
            and child in parent.body
            and _tests(parent.test, text, method, negated)
        ):
            return True
        child, parent = parent, parent.parent
    return False


def _tests(test: nodes.NodeNG, receiver: str, method: str, negated: bool) -> bool:
    """`test` (or one operand of an `and`) is `receiver.method()`, negated as asked."""
    if isinstance(test, nodes.BoolOp) and test.op == "and":
        return any(_tests(v, receiver, method, negated) for v in test.values)
    if negated:
        if not (isinstance(test, nodes.UnaryOp) and test.op == "not"):
            return False
        test = test.operand
    return (
        isinstance(test, nodes.Call)
        and isinstance(test.func, nodes.Attribute)
        and test.func.attrname == method
        and test.func.expr.as_string() == receiver
    )


_COMPLETED_ITERATORS = frozenset({"as_completed"})


def _from_completed(receiver: nodes.NodeNG) -> bool:
    """`for f in as_completed(fs): f.result()`, `done, _ = wait(fs); for f in done:`."""
    if not isinstance(receiver, nodes.Name):
        return False
    try:
        _, assigns = lookup(receiver, receiver.name)
    except Exception:  # noqa: BLE001 - astroid lookups fail in many ways on odd code
        return False
    for assign in assigns:
        iterable = loop_iterable(assign)
        if iterable is None:
            continue
        if isinstance(iterable, nodes.Call) and last_name(iterable.func) in _COMPLETED_ITERATORS:
            return True
        if isinstance(iterable, nodes.Name) and is_done_set(iterable):
            return True
    return False
