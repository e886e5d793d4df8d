"""SDL104 listener-not-closed

## What it does
Finds a socket or server that a function creates, binds or connects (or gets
from a helper that made it) and does not close or hand over when an exception
or an early return leaves the function; and a class that owns a socket or
server whose stop/close method, and every other method, never closes it.

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

from astroid import nodes

from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import append_to_method, exit_phrase, release_before_exit


class ListenerNotClosed(Rule):
    code = "SDL104"
    name = "listener-not-closed"
    message = "{what}"
    fix_title = "close it on every path out (`with`, or close it in the handler) or in stop()"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in ctx.facts.lifecycle.socket_leaks(node):
            fix = (
                f"close `{leak.subject}` on the error path (`except BaseException: "
                f"{leak.subject}.close(); raise`) or use `with`"
            )
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=release_before_exit(ctx, leak, fix),
                what=(
                    f"the {leak.kind.value} `{leak.subject}` stays open when {exit_phrase(leak)}: "
                    "it is neither closed nor handed over on this path"
                ),
            )

    visit_asyncfunctiondef = visit_functiondef

    def visit_classdef(self, node: nodes.ClassDef, ctx: RuleContext) -> None:
        for leak in ctx.facts.lifecycle.unclosed_sockets(node):
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
                if leak.may_be_none:
                    lines = [f"if {attribute} is not None:", f"    {attribute}.close()"]
                else:
                    lines = [f"{attribute}.close()"]
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
