"""Which calls block, and whether a given call can time out.

Shared by the blocking-without-timeout rules: the signatures of the standard
blocking methods (where `block=` and `timeout=` go), and the asyncio timeout
scopes (`async with asyncio.timeout()`, `asyncio.wait_for(...)`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from astroid import nodes

from shutdownlint.analysis import AnalysisOptions
from shutdownlint.analysis.infer import (
    FunctionLike,
    dotted_name,
    enclosing_function,
    has_star_arguments,
    infer_values,
    walk,
)
from shutdownlint.analysis.kinds import KindInfo


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


_TIMEOUT0 = Signature(timeout_position=0, timeout_name="timeout")
_ACQUIRE = Signature(0, ("blocking", "block"), 1, "timeout", (None, -1))

# Blocking methods of the synchronous (thread / process) flavors, by kind.
SYNC_BLOCKING: dict[tuple[str, str], Signature] = {
    ("queue", "put"): Signature(1, ("block",), 2, "timeout"),
    ("queue", "get"): Signature(0, ("block",), 1, "timeout"),
    ("queue", "join"): Signature(),
    ("event", "wait"): _TIMEOUT0,
    ("condition", "wait"): _TIMEOUT0,
    ("condition", "wait_for"): Signature(timeout_position=1, timeout_name="timeout"),
    ("barrier", "wait"): _TIMEOUT0,
    ("thread", "join"): _TIMEOUT0,
    ("process", "join"): _TIMEOUT0,
    ("process", "wait"): _TIMEOUT0,
    ("process", "communicate"): Signature(timeout_position=1, timeout_name="timeout"),
    ("future", "result"): _TIMEOUT0,
    ("future", "exception"): _TIMEOUT0,
    ("lock", "acquire"): _ACQUIRE,
    ("semaphore", "acquire"): _ACQUIRE,
    ("condition", "acquire"): _ACQUIRE,
}

# Awaitable blocking methods of asyncio primitives: none takes a timeout.
ASYNC_BLOCKING: frozenset[tuple[str, str]] = frozenset(
    {
        ("queue", "put"),
        ("queue", "get"),
        ("queue", "join"),
        ("event", "wait"),
        ("condition", "wait"),
        ("condition", "wait_for"),
        ("barrier", "wait"),
        ("lock", "acquire"),
        ("semaphore", "acquire"),
        ("condition", "acquire"),
    }
)

# Every standard method name that can block: a cheap first filter for rules.
BLOCKING_METHODS: frozenset[str] = frozenset(m for _, m in SYNC_BLOCKING) | frozenset(
    m for _, m in ASYNC_BLOCKING
)


@functools.cache
def blocking_method_names(options: AnalysisOptions) -> frozenset[str]:
    """The standard blocking methods and the configured types' `wait` methods."""
    return BLOCKING_METHODS | {m for mapping in options.types for m in mapping.wait}


_ASYNC_TIMEOUT_SCOPES = frozenset(
    {"timeout", "timeout_at", "fail_after", "fail_at", "move_on_after", "move_on_at"}
)


def blocking_signature(info: KindInfo, method: str) -> Signature | None:
    """The signature of `method` when it blocks on an object of kind `info` (`put` included:
    callers that mean waits only leave it out)."""
    if info.flavor == "asyncio":
        return Signature() if (info.kind, method) in ASYNC_BLOCKING else None
    if info.mapping is not None and method in info.mapping.wait:
        return Signature(timeout_name="timeout")
    return SYNC_BLOCKING.get((info.kind, method))


def timeout_state(call: nodes.Call, signature: Signature, stats=None) -> str:
    """ "none" (blocks with no timeout), "timeout", "nonblocking" or "unknown"."""
    if has_star_arguments(call):
        return "unknown"
    block = _argument(call, signature.block_position, signature.block_names)
    if block is not None:
        values = [v for v in infer_values(block, stats) if isinstance(v, nodes.Const)]
        if len(values) != 1:
            return "unknown"
        if not values[0].value:
            return "nonblocking"
    if signature.timeout_name is None:
        return "none"
    timeout = _argument(call, signature.timeout_position, (signature.timeout_name,))
    if timeout is None:
        return "none"
    # Only a literal says "no timeout": a variable is the caller's deadline, passed on.
    return "none" if _literal(timeout) in signature.no_timeout_values else "timeout"


_NOT_A_LITERAL = object()


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


def is_awaited(node: nodes.NodeNG) -> bool:
    return isinstance(node.parent, nodes.Await)


def async_timeout_scope(node: nodes.NodeNG) -> nodes.NodeNG | None:
    """The `async with asyncio.timeout(...)` or `asyncio.wait_for(...)` that bounds `node`."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if isinstance(parent, nodes.With | nodes.AsyncWith) and child in parent.body:
            for manager, _ in parent.items:
                if isinstance(manager, nodes.Call) and _is_timeout_scope(_last_name(manager)):
                    return manager
        if isinstance(parent, nodes.Call) and child in parent.args:
            name = _last_name(parent)
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


def _last_name(call: nodes.Call) -> str | None:
    name = dotted_name(call.func)
    return name.rsplit(".", 1)[-1] if name else None


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
