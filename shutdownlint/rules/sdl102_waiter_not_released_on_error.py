"""SDL102 waiter-not-released-on-error

## What it does
Finds an exit that leaves a waiter blocked: an Event, Future or Condition that
another party waits on with no timeout is not set, resolved or notified when
the code that should release it raises or returns early; and an item taken
from a queue with `get()` that gets no `task_done()` when its loop iteration is
left early (`continue`, `break`, an exception), so `Queue.join()` never returns.

## Why is this bad?
The waiter has no deadline: when the setter dies of an exception or returns
before the release, the waiter blocks forever. A thread that starts a server
and waits for it to be ready hangs when binding fails; `flush()` waiting in
`Queue.join()` hangs when one dropped item is never marked done.

## Example
```python
import threading


class Server:
    def __init__(self):
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self._thread.start()
        self._ready.wait()

    def _serve(self):
        self.port = self._bind()
        self._ready.set()

    def _bind(self):
        return 8080
```

## Use instead
```python
import threading


class Server:
    def __init__(self):
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self._thread.start()
        self._ready.wait()

    def _serve(self):
        try:
            self.port = self._bind()
        finally:
            self._ready.set()

    def _bind(self):
        return 8080
```

For queues, call `task_done()` in a `finally:` around the processing of each item.

## Fix safety
Unsafe: for an early `return`, `continue` or `break`, the edit sets the Event,
cancels the Future, or calls `task_done()` just before it; the waiter then
wakes up on that path, which the code around it has to expect.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.operations import operations
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import exit_phrase, release_before_exit


class WaiterNotReleasedOnError(Rule):
    code = "SDL102"
    name = "waiter-not-released-on-error"
    message = "{what} when {exit}: {waiter}"
    fix_title = "release it on every path out: in a `finally:` block, or before the early exit"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        lifecycle = ctx.facts.lifecycle
        for leak in lifecycle.waiter_leaks(node):
            verb = operations(leak.kind).released
            fix = (
                f"set, resolve or notify `{leak.subject}` in a `finally:` block "
                "or before the early exit"
            )
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=release_before_exit(ctx, leak, fix),
                what=f"`{leak.subject}` is never {verb}",
                exit=exit_phrase(leak),
                waiter="a waiter blocks on it with no timeout",
            )
        for leak in lifecycle.task_done_leaks(node):
            fix = (
                f"call `{leak.subject}.task_done()` in a `finally:` block "
                "around the item's processing"
            )
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=release_before_exit(ctx, leak, fix),
                what=f"the item taken from `{leak.subject}` gets no `task_done()`",
                exit=exit_phrase(leak),
                waiter=f"`{leak.subject}.join()` waits forever",
            )

    visit_asyncfunctiondef = visit_functiondef
