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

from astroid import nodes

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
            fix = f"close `{attribute}` in `{leak.method.name}()`"
            if leak.may_be_none:
                lines = [f"if {attribute} is not None:", f"    {attribute}.close()"]
            else:
                lines = [f"{attribute}.close()"]
            ctx.report(
                self,
                leak.method,
                related=leak.related,
                fix=append_to_method(ctx, leak.method, lines, fix, leak.attribute),
                what=(
                    f"`{leak.method.name}()` never closes `{attribute}`, and no other method "
                    f"does: the {leak.kind.value} stays open after the object is stopped"
                ),
            )
