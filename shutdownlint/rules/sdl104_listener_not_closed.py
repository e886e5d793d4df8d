"""SDL104 listener-not-closed

## What it does
Finds a socket or server that a function creates, binds or connects (or gets
from a helper that made it) and does not close or hand over when an exception
or an early return leaves the function; and a class that owns a socket or
server whose stop/close method, and every other method, never closes it.

A socket owes its close from the moment it is made, not from `connect()`: a
`connect()` before the `try:` whose `finally:` closes it leaks the socket when
the connect fails (only reference counting then closes it, late when a
traceback holds the frame; the message says so). A socket returned by a helper
of the module is made by the call to the helper. `with sock:` and
`with contextlib.closing(sock):` close it; a call it is handed to takes it over
(`ssl_context.wrap_socket(sock)`; `loop.create_connection(sock=sock)` once it
returns), but not a thread of the object's own (`Thread(target=self._serve,
args=(self._listener,))` only uses it). A socket-level option every family accepts
(`setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)`) or a transport's `get_extra_info()` does
not fail, so the leak is reported at the next call that can.

## Why is this bad?
An open socket keeps its port bound and its file descriptor open: a restart
fails with "address already in use", and a client that retries leaks one
descriptor per failed attempt until the process runs out.

## Example
```python
import socket


class Client:
    def __init__(self, address):
        self.address = address
        self.sock = None

    def connect(self):
        sock = socket.socket()
        sock.connect(self.address)
        self.sock = sock

    def close(self):
        if self.sock is not None:
            self.sock.close()
```

## Use instead
```python
import socket


class Client:
    def __init__(self, address):
        self.address = address
        self.sock = None

    def connect(self):
        sock = socket.socket()
        try:
            sock.connect(self.address)
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def close(self):
        if self.sock is not None:
            self.sock.close()
```

## Fix safety
Unsafe: for an early `return`, the edit closes the socket just before it; for a
class, it closes the socket at the end of its stop method. Code that still uses
the socket after that point would fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import (
    FunctionLike,
    StateKey,
    enclosing_class,
    is_self_parameter,
    last_name,
)
from shutdownlint.analysis.lifecycle import is_test
from shutdownlint.analysis.operations import release_statement
from shutdownlint.analysis.ownership import ADOPTS_ON_SUCCESS, Local, Tracker, own_nodes
from shutdownlint.analysis.paths import LeakKind, Obligation, after_completed, statements
from shutdownlint.analysis.vocabulary import Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import (
    ClassLeak,
    LifecycleLeak,
    append_to_method,
    exit_phrase,
    release_before_exit,
)


class ListenerNotClosed(Rule):
    code = "SDL104"
    name = "listener-not-closed"
    message = "{what}"
    fix_title = "close it on every path out (`with`, or close it in the handler) or in stop()"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in _socket_leaks(ctx.facts, node):
            fix = (
                f"close `{leak.subject}` on the error path (`except BaseException: "
                f"{leak.subject}.close(); raise`) or use `with`"
            )
            if leak.unbound and leak.later is not None:
                what = (
                    f"the {leak.kind.value} `{leak.subject}` is not closed when "
                    f"{exit_phrase(leak)}, nor when `{_short(leak.later)}` raises once it "
                    "is bound or connected: it is neither closed nor handed over on this path"
                )
            elif leak.unbound:
                what = (
                    f"the {leak.kind.value} `{leak.subject}` is not closed when "
                    f"{exit_phrase(leak)}: it is neither closed nor handed over on this path, "
                    "so only reference counting closes its descriptor (late, while a "
                    "traceback holds the frame)"
                )
            else:
                what = (
                    f"the {leak.kind.value} `{leak.subject}` stays open when "
                    f"{exit_phrase(leak)}: it is neither closed nor handed over on this path"
                )
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=release_before_exit(ctx, leak, fix),
                what=what,
            )

    visit_asyncfunctiondef = visit_functiondef

    def visit_classdef(self, node: nodes.ClassDef, ctx: RuleContext) -> None:
        for leak in _unclosed_sockets(ctx.facts, node):
            attribute = f"self.{leak.attribute}"
            kind = leak.kind.value
            if _holds_many(node, leak.attribute, leak.related):
                # A container of sockets has no close(): a suggestion only.
                fix = Fix(
                    f"close every {kind} `{attribute}` holds in `{leak.method.name}()` "
                    f"(`for s in {attribute}: s.close()`, for a mapping its values)"
                )
                stays = f"the {kind}s it holds stay open"
            else:
                title = f"close `{attribute}` in `{leak.method.name}()`"
                close = release_statement(leak.kind, attribute)
                if leak.may_be_none:
                    lines = [f"if {attribute} is not None:", f"    {close}"]
                else:
                    lines = [close]
                fix = append_to_method(ctx, leak.method, lines, title, leak.attribute)
                stays = f"the {kind} stays open"
            ctx.report(
                self,
                leak.method,
                related=leak.related,
                fix=fix,
                what=(
                    f"`{leak.method.name}()` never closes `{attribute}`, and no other method "
                    f"does: {stays} after the object is stopped"
                ),
            )


# Awaited asyncio calls that return a pair, and which element owns the connection:
# `reader, writer = await asyncio.open_connection(...)` (the writer closes the transport),
# `transport, protocol = await loop.create_connection(...)`.
STREAM_OPENERS: dict[str, int] = {
    "open_connection": 1,
    "open_unix_connection": 1,
    "create_connection": 0,
    "create_unix_connection": 0,
    "create_datagram_endpoint": 0,
    "connect_accepted_socket": 0,
}
# Calls that run an awaitable under a deadline: what they return is what it returns.
_DEADLINE_WRAPPERS = frozenset({"wait_for", "shield"})
# Once one of these succeeded, a socket holds an address, a peer or a listening port.
_BINDS = frozenset({"bind", "listen", "connect", "connect_ex"})
# Once this succeeded, the socket listens: it holds a port another process cannot take
# (bound only, it may be a port probe: see _first_binding).
_HOLDS_PORT = frozenset({"listen"})


# -- the decision: which sockets stay open ------------------------------------------------
def _socket_leaks(facts: ModuleFacts, function: FunctionLike) -> list[LifecycleLeak]:
    """Sockets and servers `function` makes (or receives from a helper that made them)
    and does not close or hand over on some error path."""
    out = []
    constructing = _constructing(facts, function)
    for statement, name, kind, info in _owned_sockets(facts, function, constructing):
        # `self._sock = socket.create_connection(...)` in an `__init__`: made on the object
        on_self = name.startswith("self.")
        if on_self:
            idents = frozenset({StateKey(enclosing_class(function), name.removeprefix("self."))})
        else:
            idents = facts.lifecycle.aliases(function, frozenset({Local(function, name)}))
        methods = facts.lifecycle.release_methods(info, kind)
        # The other half of a stream pair (the reader, the protocol) fails with it.
        companions = (
            [n for n in _target_names(statement.targets[0]) if n != name]
            if _stream_pair(statement.targets[0], statement.value)
            else []
        )
        if companions:
            methods |= {"abort"}
        tracker = Tracker(
            idents,
            methods,
            escaping=facts.lifecycle.escaping(function),
            borrows=facts.lifecycle.borrowed_by_callee,
        )
        uses = tracker.uses
        if companions:
            companion = Tracker(frozenset(Local(function, n) for n in companions), frozenset())

            def uses(point, tracker=tracker, companion=companion):
                if _buffered_write(point, tracker):
                    return False
                return tracker.uses(point) or companion.uses(point)

        if is_test(function):
            continue  # a failing test leaks it: not what a maintainer would change
        if not on_self and not facts.lifecycle.releases_somewhere(
            tracker, function, statement.lineno or 0
        ):
            continue  # never closed nor handed over here: not this function's to own
        kept = (
            idents
            if on_self
            else _kept_on_self(facts, function, tracker)
            if constructing
            else frozenset()
        )
        if kept:
            # Nobody holds the object before `__init__` (or `__enter__`) returns: a store
            # on `self` hands nothing over until then, and the attribute is the socket too.
            tracker = Tracker(
                idents | kept,
                methods,
                escaping=facts.lifecycle.escaping(function),
                borrows=facts.lifecycle.borrowed_by_callee,
                constructing=True,
            )
            uses = tracker.uses
        # A socket owes its close from creation, not from `connect()`: a socket that
        # fails to connect, before the `try:` that would close it, is left to reference
        # counting (and kept open by any traceback that holds the frame). It leaks
        # through the operations that use it (connect, bind, handshake, an API it is
        # passed to), not through any unrelated call before its hand-over.
        binding = _first_binding(function, tracker, statement.lineno or 0)
        fresh = _makes_fresh_socket(statement.value)
        # A server, or a socket once it holds a port, leaks through any failure before its
        # hand-over (`await registry.announce()` before `async with server:`): the port
        # stays taken, whatever raised.
        listening = _first_binding(function, tracker, statement.lineno or 0, _HOLDS_PORT)
        if kind is Kind.SERVER:
            relevant = None
        elif listening is not None:

            def relevant(point, uses=uses, listening=listening):
                return uses(point) or after_completed(point, listening)

        else:
            relevant = uses
        obligation = Obligation(
            tracker.releases, start=statement, void=tracker.void, relevant=relevant
        )
        exits = facts.lifecycle.exits_of(function, obligation)
        if kept:  # returning hands the object, and the socket in it, to the caller
            exits = [leak for leak in exits if leak.kind is LeakKind.EXCEPTION]
        bound = binding.lineno or 0 if binding is not None else None
        # The first failure once it holds an address (said beside a finding reported
        # where it holds none yet: that one is the worse leak of the path).
        later = next(
            (
                leak.node
                for leak in exits
                if leak.kind is LeakKind.EXCEPTION
                and bound is not None
                and (leak.node.lineno or 0) > bound
            ),
            None,
        )
        for leak in facts.lifecycle.first_exception_only(exits):
            unbound = fresh and (bound is None or (leak.node.lineno or 0) <= bound)
            out.append(
                SocketLeak(
                    leak,
                    function,
                    name,
                    kind,
                    statement,
                    ((statement, f"the {kind.value} is made here"),),
                    release=release_statement(kind, name),
                    unbound=unbound and kind is Kind.SOCKET,
                    later=later if unbound and leak.kind is LeakKind.EXCEPTION else None,
                )
            )
    return out


@dataclass(frozen=True)
class SocketLeak(LifecycleLeak):
    """A leak of a socket that holds no peer and listens on no port yet on that path (it
    fails to connect, or is left before it does): only reference counting closes it."""

    unbound: bool = False
    later: nodes.NodeNG | None = None  # a later failure of the path, once it holds one


# Steps whose failure leaves the object to nobody: a constructor that raises returns no
# object, and a `with` whose `__enter__` raises never calls `__exit__`.
_CONSTRUCTING = frozenset({"__init__", "__enter__", "__aenter__"})


def _constructing(facts: ModuleFacts, function: FunctionLike) -> bool:
    """`function` is an `__init__` (or an `__enter__`) that owns what it keeps on `self`
    until it returns: if it raises, nobody holds the object to close it (a failed
    `__enter__` gets no `__exit__`). Not when the class has a finalizer (it runs on the
    half-built object too) or the step calls a stop method of the class, which closes
    what was kept."""
    cls = enclosing_class(function)
    if (
        function.name not in _CONSTRUCTING
        or cls is None
        or not isinstance(function.parent, nodes.ClassDef)
        or "__del__" in cls.locals
    ):
        return False
    stops = {stop.name for stop in facts.lifecycle.stop_methods(cls)}
    return not any(
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname in stops
        and is_self_parameter(node.func.expr)
        for node in facts.lifecycle.own(function)
    )


def _kept_on_self(
    facts: ModuleFacts, function: FunctionLike, tracker: Tracker
) -> frozenset[StateKey]:
    """The attributes of `self` the constructing `function` stores the tracked socket in."""
    cls = enclosing_class(function)
    return frozenset(
        StateKey(cls, target.attrname)
        for node in facts.lifecycle.own(function)
        if isinstance(node, nodes.Assign) and tracker.refers(node.value)
        for target in node.targets
        if isinstance(target, nodes.AssignAttr) and is_self_parameter(target.expr)
    )


def _owned_sockets(facts: ModuleFacts, function: FunctionLike, constructing: bool = False):
    """(statement, name, kind, info) for each socket or server a statement of
    `function` makes: `s = socket.socket()`, `conn, _ = srv.accept()`, `s = x.dup()`,
    `srv = await asyncio.start_server(...)`, and a socket from an unknown helper that
    is then passed as `sock=` to an asyncio API."""
    adopted = {
        kw.value.name
        for node in facts.lifecycle.own(function)
        if isinstance(node, nodes.Call) and last_name(node.func) in ADOPTS_ON_SUCCESS
        for kw in node.keywords or ()
        if kw.arg == "sock" and isinstance(kw.value, nodes.Name)
    }
    for node in statements(function):
        if not isinstance(node, nodes.Assign) or len(node.targets) != 1:
            continue
        target, value = node.targets[0], node.value
        call = value.value if isinstance(value, nodes.Await) else value
        if not isinstance(call, nodes.Call):
            continue
        names = _target_names(target)
        if constructing and isinstance(target, nodes.AssignAttr) and is_self_parameter(target.expr):
            names = [f"self.{target.attrname}"]
        if not names:
            continue
        opened = _stream_pair(target, value)
        if opened is not None:
            yield node, opened, Kind.SOCKET, None
            continue
        adopted_name = isinstance(target, nodes.AssignName) and target.name in adopted
        if not (facts.lifecycle.could_make(call, facts.lifecycle.socket_stems) or adopted_name):
            continue
        info = facts.kinds.kind_of_call(call)
        kind = info.kind if info is not None else None
        method = call.func.attrname if isinstance(call.func, nodes.Attribute) else None
        if kind not in (Kind.SOCKET, Kind.SERVER) and method in ("accept", "dup"):
            receiver = facts.kinds.kind_of(call.func.expr)
            if receiver is not None and receiver.kind is Kind.SOCKET:
                kind, info, names = Kind.SOCKET, receiver, names[:1]
        if method == "socketpair" or (call.func.as_string().endswith("socketpair")):
            kind = Kind.SOCKET
        if kind is None and adopted_name:
            kind = Kind.SOCKET
        if kind in (Kind.SOCKET, Kind.SERVER):
            for name in names:
                yield node, name, kind, info


def _unclosed_sockets(facts: ModuleFacts, cls: nodes.ClassDef) -> list[ClassLeak]:
    """Socket or server attributes the class makes that none of its methods closes,
    although it has a stop/close method (SPEC §2, SDL104 class-level)."""
    stops = facts.lifecycle.stop_methods(cls)
    if not stops or facts.lifecycle.is_kind(cls, (Kind.SOCKET, Kind.SERVER)):
        return []
    out = []
    for attribute, (kind, made, info) in facts.lifecycle.owned_attributes(
        cls, (Kind.SOCKET, Kind.SERVER), facts.lifecycle.socket_stems
    ).items():
        methods = facts.lifecycle.release_methods(info, kind) | {"shutdown", "detach"}
        if facts.lifecycle.released_in_class(cls, attribute, methods, kind):
            continue
        if facts.lifecycle.closes_itself(info, methods):
            continue
        out.append(
            ClassLeak(
                cls,
                stops[0],
                attribute,
                kind,
                ((made, f"`self.{attribute}` is made here"),),
                facts.lifecycle.reset_to_none(cls, attribute),
            )
        )
    return out


def _short(node: nodes.NodeNG) -> str:
    text = " ".join(node.as_string().split())
    return text if len(text) <= 40 else text[:37] + "..."


# Calls that make a socket with no peer and no address yet.
_FRESH_SOCKETS = frozenset({"socket"})


def _makes_fresh_socket(value: nodes.NodeNG) -> bool:
    """`socket.socket(...)`: what it makes holds no peer and listens on no port (nor does
    a wrapper of one, `ctx.wrap_socket(socket.socket())`)."""
    if not isinstance(value, nodes.Call):
        return False
    if last_name(value.func) in _FRESH_SOCKETS:
        return True
    return (
        last_name(value.func) == "wrap_socket"
        and bool(value.args)
        and _makes_fresh_socket(value.args[0])
    )


def _first_binding(
    function: FunctionLike, tracker: Tracker, after: int, binds: frozenset[str] = _BINDS
) -> nodes.NodeNG | None:
    """The first statement after line `after` that connects the socket or makes it listen
    (bound only, it holds an address for a moment: a port probe, not a listener), or that
    calls one of `binds` on it."""
    for node in statements(function):
        if (node.lineno or 0) <= after:
            continue
        for call in own_nodes(node):
            if (
                isinstance(call, nodes.Call)
                and isinstance(call.func, nodes.Attribute)
                and call.func.attrname in binds
                and tracker.refers(call.func.expr)
            ):
                return node if node.is_statement else node.statement()
    return None


def _buffered_write(point: nodes.NodeNG, tracker: Tracker) -> bool:
    """`writer.write(data)` on an asyncio stream or transport: it buffers the data and
    reports an I/O failure to the protocol (`connection_lost`), never to its caller."""
    return (
        isinstance(point, nodes.Call)
        and isinstance(point.func, nodes.Attribute)
        and point.func.attrname in ("write", "writelines")
        and tracker.refers(point.func.expr)
    )


def _stream_pair(target: nodes.NodeNG, value: nodes.NodeNG) -> str | None:
    """The name owning the connection in `reader, writer = await asyncio.open_connection()`
    (also under `await asyncio.wait_for(...)`), `transport, _ = await loop.create_connection()`."""
    if not isinstance(value, nodes.Await) or not isinstance(value.value, nodes.Call):
        return None
    call = value.value
    if last_name(call.func) in _DEADLINE_WRAPPERS and call.args:
        inner = call.args[0]
        call = inner if isinstance(inner, nodes.Call) else call
    index = STREAM_OPENERS.get(last_name(call.func) or "")
    if index is None or not isinstance(target, nodes.Tuple) or len(target.elts) != 2:
        return None
    element = target.elts[index]
    return element.name if isinstance(element, nodes.AssignName) else None


def _target_names(target: nodes.NodeNG) -> list[str]:
    if isinstance(target, nodes.AssignName):
        return [target.name]
    if isinstance(target, nodes.Tuple | nodes.List):
        return [t.name for t in target.elts if isinstance(t, nodes.AssignName)]
    return []


_SIMPLE_STATEMENTS = (nodes.Expr, nodes.Assign, nodes.AnnAssign, nodes.AugAssign, nodes.Return)
# Calls that build a container.
_CONTAINER_FACTORIES = frozenset(
    {"list", "dict", "set", "deque", "defaultdict", "OrderedDict", "WeakSet", "WeakValueDictionary"}
)


def _holds_many(
    cls: nodes.ClassDef, attribute: str, related: Sequence[tuple[nodes.NodeNG, str]]
) -> bool:
    """`self.<attribute>` is a container of sockets: they are added to it where they
    are kept (`self._idle.append(sock)`, `self._by_fd[fd] = sock`), or it is made as a
    list, dict, set or deque."""
    for made, _ in related:
        statement = made.statement()
        if not isinstance(statement, _SIMPLE_STATEMENTS):
            continue
        for node in statement.nodes_of_class((nodes.Subscript, nodes.Attribute)):
            inner = node.value if isinstance(node, nodes.Subscript) else node.expr
            if _is_self_attribute(inner, attribute):
                return True
    for assigned in cls.nodes_of_class(nodes.AssignAttr):
        if assigned.attrname != attribute or not isinstance(
            assigned.parent, nodes.Assign | nodes.AnnAssign
        ):
            continue
        value = assigned.parent.value
        if isinstance(
            value,
            nodes.List | nodes.Dict | nodes.Set | nodes.ListComp | nodes.DictComp | nodes.SetComp,
        ):
            return True
        if isinstance(value, nodes.Call):
            func = value.func
            name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "")
            if name in _CONTAINER_FACTORIES:
                return True
    return False


def _is_self_attribute(node: nodes.NodeNG, attribute: str) -> bool:
    return (
        isinstance(node, nodes.Attribute)
        and node.attrname == attribute
        and isinstance(node.expr, nodes.Name)
        and node.expr.name == "self"
    )
