"""SDL105 worker-not-joined-on-stop

## What it does
Finds a class that starts a thread, process, executor or task and keeps it,
whose stop/close method (and everything the class does) never joins, shuts
down or cancels it.

## Why is this bad?
`stop()` returns while the worker still runs: it may still write to files,
sockets or queues that the caller closes next, and the caller cannot know when
it is safe to exit. A daemon thread the class never signals is a different
design (it is meant to die with the process) and is not reported.

## Example
```python
import threading
import time


class Monitor:
    def __init__(self):
        self._running = True
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while self._running:
            time.sleep(1.0)

    def stop(self):
        self._running = False
```

## Use instead
```python
import threading
import time


class Monitor:
    def __init__(self):
        self._running = True
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while self._running:
            time.sleep(1.0)

    def stop(self):
        self._running = False
        self._thread.join(timeout=5.0)
```

## Fix safety
Unsafe: the edit joins the thread or process at the end of the stop method
(with `timeout=` when SDL302 is selected), or shuts the executor down; `stop()`
then waits for the worker, which its callers have to allow.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.operations import operations
from shutdownlint.analysis.vocabulary import Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import append_to_method


class WorkerNotJoinedOnStop(Rule):
    code = "SDL105"
    name = "worker-not-joined-on-stop"
    message = (
        "`{method}()` never {action} `self.{attribute}`: it returns while the {kind} may still run"
    )
    fix_title = "join the worker after signalling it, with a timeout"

    def visit_classdef(self, node: nodes.ClassDef, ctx: RuleContext) -> None:
        for leak in ctx.facts.lifecycle.unjoined_workers(node):
            ctx.report(
                self,
                leak.method,
                related=leak.related,
                fix=self._fix(ctx, leak),
                method=leak.method.name,
                action=operations(leak.kind).releases,
                attribute=leak.attribute,
                kind=leak.kind.value,
            )

    def _fix(self, ctx: RuleContext, leak) -> Fix:
        attribute = f"self.{leak.attribute}"
        if leak.kind is Kind.EXECUTOR:
            call = f"{attribute}.shutdown(wait=True)"
            message = f"shut `{attribute}` down in `{leak.method.name}()`"
        elif leak.kind in (Kind.THREAD, Kind.PROCESS):
            timeout = ctx.facts.options.fix_timeout
            call = (
                f"{attribute}.join(timeout={timeout!r})"
                if "SDL302" in ctx.selected
                else f"{attribute}.join()"
            )
            message = f"join `{attribute}` at the end of `{leak.method.name}()`, with a timeout"
        else:
            return Fix(f"cancel `{attribute}` in `{leak.method.name}()` and await it")
        if isinstance(leak.method, nodes.AsyncFunctionDef):
            return Fix(message)
        lines = [f"if {attribute} is not None:", f"    {call}"] if leak.may_be_none else [call]
        return append_to_method(ctx, leak.method, lines, message, leak.attribute)
