"""Which calls do not raise in practice: the table the exception-path model (`paths`)
reads to keep reports off lines nobody would change (logging, `len()`, container and flag
operations, socket configuration that cannot fail, the release operations themselves).

A call is listed by what it can really raise: `setsockopt` reaches the kernel, which
refuses an option it does not support, so it is not listed, except for the socket-level
options every family accepts (`SO_REUSEADDR` set to a constant). The same call is listed
whatever its spelling (`asyncio.ensure_future(c)`, `ensure_future(c)`).
"""

from __future__ import annotations

import re

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.infer import last_name, lookup
from shutdownlint.analysis.vocabulary import IDENTITY_CALLS

# Calls that do not raise in practice, or whose failure is not what these rules are about.
_SAFE_FUNCTIONS = frozenset(
    {
        "len", "isinstance", "issubclass", "type", "id", "callable", "hasattr", "bool", "str",
        "repr", "format", "min", "max", "abs", "sorted", "list", "tuple", "dict", "set",
        "frozenset", "iter", "super", "print", "range", "enumerate", "zip", "reversed",
        "object", "hash", "monotonic", "time", "perf_counter", "format_exc", "warn", "getLogger",
        "sleep", "Event", "Lock", "RLock", "Condition", "deque", "partial", "cast",
        # making a thread object records its target; it is `start()` that can fail
        "Thread", "Timer",
        "suppress", "closing", "nullcontext", "ExitStack", "AsyncExitStack",
        # scheduling on a running loop, imported by name (`from asyncio import ensure_future`)
        "create_task", "ensure_future",
        # path-string operations that read no file system (`os.path.basename(p)`)
        "basename", "dirname", "splitext", "normpath", "normcase",
    }
) | IDENTITY_CALLS  # fmt: skip
_SAFE_METHODS = frozenset(
    {
        # containers and flags
        "append", "appendleft", "add", "discard", "clear", "extend", "update", "copy",
        "is_set", "done", "cancelled", "is_alive", "qsize", "empty", "full", "fileno",
        "items", "keys", "values", "startswith", "endswith", "format", "join_thread",
        # synchronisation that does not fail
        "set", "notify", "notify_all", "release", "task_done", "put_nowait", "wait",
        # scheduling on a running loop
        "create_task", "ensure_future", "add_done_callback", "call_soon", "create_future",
        "call_soon_threadsafe", "call_later", "call_at",
        "exception",  # a done future's exception, returned rather than raised
        # socket configuration, process polling (not `setsockopt` in general: the kernel
        # refuses an option it does not support, OSError; the generic socket-level
        # options are `_generic_socket_option`). `settimeout` fails only on a bad value
        # (negative, not a number): taken not to fail, as the value is nearly always
        # validated configuration (precision first; the missed line is written down in
        # fixtures/SDL104/socket_options_can_fail.py)
        "settimeout", "setblocking", "getsockname", "getpeername", "poll",
        # a transport's or stream's extra-info lookup returns its default when the key is
        # missing (`writer.get_extra_info("peername")`)
        "get_extra_info",
        # string methods that do not fail
        "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
        "replace", "casefold", "partition", "rpartition",
        # releases: a release that fails is not what these rules are about
        "close", "cancel", "shutdown", "terminate", "kill", "set_result", "set_exception",
        "detach", "server_close", "join", "abort", "wait_closed", "unregister",
    }
)  # fmt: skip
# A logger's methods that log a record at a level: the standard ones, the custom levels
# libraries add (`trace`, `notice`, `success`, `verbose`), and numbered sublevels
# (`debug1`, `debug2`). Logging reports its own failures (`Handler.handleError`): the
# call does not raise into its caller.
_LOG_METHOD = re.compile(
    r"(debug|info|warning|warn|error|exception|critical|log|fatal"
    r"|trace|notice|success|verbose)\d*"
)
_LOGGER = re.compile(r"(?i)(^|_)log(ger)?$|logger|^logging$")


def is_logging_call(call: nodes.Call) -> bool:
    """`logger.info(...)`, `self.log.error(...)`, `logging.warning(...)`, `self._log(...)`,
    `self.logger.debug1(...)`."""
    func = call.func
    if isinstance(func, nodes.Attribute):
        if _LOG_METHOD.fullmatch(func.attrname) and _LOGGER.search(last_name(func.expr) or ""):
            return True
        return func.attrname in ("log", "_log") and isinstance(func.expr, nodes.Name)
    return False


EXCEPTION_CLASS = re.compile(r"(Error|Exception|Exit|Interrupt|Warning)$")


def is_safe_call(call: nodes.Call) -> bool:
    """A call that does not raise in practice (or whose failure is not what these rules
    are about): the tables above."""
    func = call.func
    name = last_name(func) or ""
    if EXCEPTION_CLASS.search(name):
        return True  # making an exception object (to raise or to set on a future)
    if name in RUNNING_LOOP and isinstance(call.scope(), nodes.AsyncFunctionDef):
        return True  # a coroutine runs on a loop: asking for it cannot fail
    if name.startswith("set_") and isinstance(func, nodes.Attribute):
        return True  # a setter (`server.set_app(app)`, `fut.set_result(x)`)
    if isinstance(func, nodes.Name):
        return func.name in _SAFE_FUNCTIONS
    if isinstance(func, nodes.Attribute):
        if func.attrname in _SAFE_METHODS:
            return True
        if (
            func.attrname == "get"
            and call.args
            and (isinstance(call.args[0], nodes.Const) or isinstance(func.expr, nodes.Dict))
        ):
            return True  # `d.get("key")`, `{"left": -1}.get(k)`: a lookup with a default
        if func.attrname == "setsockopt" and _generic_socket_option(call):
            return True
        if func.attrname in _SAFE_FUNCTIONS and _module_name(func.expr) in _SAFE_MODULES:
            return True
        if func.attrname in ("time", "monotonic") and not call.args and not call.keywords:
            return True  # a clock read (`loop.time()`, `clock.monotonic()`)
        if func.attrname == "reset" and _own_token(call):
            return True
        return is_logging_call(call)
    return False


RUNNING_LOOP = frozenset({"get_running_loop", "get_event_loop"})


def _own_token(call: nodes.Call) -> bool:
    """`var.reset(token)` where `token = var.set(value)` in the same function: a context
    variable's own token from the same context, which `reset` takes without fail."""
    if len(call.args) != 1 or call.keywords or not isinstance(call.args[0], nodes.Name):
        return False
    token = call.args[0]
    try:
        _, assigns = lookup(token, token.name)
    except (AstroidError, RecursionError):
        return False
    receiver = call.func.expr.as_string()
    return bool(assigns) and all(
        isinstance(a.parent, nodes.Assign)
        and isinstance(a.parent.value, nodes.Call)
        and isinstance(a.parent.value.func, nodes.Attribute)
        and a.parent.value.func.attrname == "set"
        and a.parent.value.func.expr.as_string() == receiver
        for a in assigns
    )


# Socket-level options every socket family accepts: the kernel refuses none of them
# with a constant value (a protocol option such as `TCP_NODELAY` fails on a UNIX
# socket, and `SO_REUSEPORT` may not exist: neither is listed).
_GENERIC_OPTIONS = frozenset(
    {"SO_REUSEADDR", "SO_KEEPALIVE", "SO_BROADCAST", "SO_SNDBUF", "SO_RCVBUF", "SO_OOBINLINE"}
)


def _generic_socket_option(call: nodes.Call) -> bool:
    """`sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)`: a socket-level option
    any socket takes, set to a constant."""
    if len(call.args) != 3 or call.keywords:
        return False
    level, option, value = call.args
    return (
        last_name(level) == "SOL_SOCKET"
        and last_name(option) in _GENERIC_OPTIONS
        and isinstance(value, nodes.Const)
    )


# Modules whose functions of `_SAFE_FUNCTIONS` are meant (`time.monotonic()`, `t.cast()`).
_SAFE_MODULES = frozenset(
    {
        "time", "os", "threading", "traceback", "warnings", "logging", "functools",
        "typing", "collections", "contextlib", "asyncio",
        "path", "posixpath", "ntpath",  # os.path
    }
)  # fmt: skip


def _module_name(expr: nodes.NodeNG) -> str | None:
    """The module a name stands for, however it was imported (`import typing as t`: `t`
    is `typing`); any other receiver: its last name."""
    name = last_name(expr)
    if isinstance(expr, nodes.Name):
        try:
            _, assigns = lookup(expr, expr.name)
        except (AstroidError, RecursionError):
            return name
        for assign in assigns:
            if isinstance(assign, nodes.Import):
                return next(
                    (real for real, alias in assign.names if (alias or real) == expr.name),
                    name,
                )
    return name
