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
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
            if self._thread.is_alive():
                raise TimeoutError("self._thread did not stop within 5.0 s")
```

## Fix safety
Unsafe: the edit joins the thread or process at the end of the stop method with
`timeout=` (the `fix-timeout` setting, 5 s by default) if it is alive (a worker
that was never started cannot be joined) and raises `TimeoutError` when it is
still alive after that; or it shuts the executor down. `stop()` then
waits for the worker, and may raise, which its callers have to allow. A task is
not fixed: it must be cancelled and awaited, which only an `async` stop method can
do (a suggestion only).
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.vocabulary import Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import append_to_method

_ACTION = {
    Kind.THREAD: "joins",
    Kind.PROCESS: "joins",
    Kind.EXECUTOR: "shuts down",
    Kind.TASK: "cancels",
}


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
                action=_ACTION[leak.kind],
                attribute=leak.attribute,
                kind=leak.kind.value,
            )

    def _fix(self, ctx: RuleContext, leak) -> Fix:
        attribute = f"self.{leak.attribute}"
        if leak.kind is Kind.EXECUTOR:
            call = f"{attribute}.shutdown(wait=True)"
            message = f"shut `{attribute}` down in `{leak.method.name}()`"
        elif leak.kind in (Kind.THREAD, Kind.PROCESS):
            timeout = repr(float(ctx.facts.options.fix_timeout))
            call = f"{attribute}.join(timeout={timeout})"
            message = (
                f"join `{attribute}`, if it is running, at the end of `{leak.method.name}()` "
                f"with `timeout={timeout}`, and raise `TimeoutError` if it still runs after"
            )
        else:
            return Fix(f"cancel `{attribute}` in `{leak.method.name}()` and await it")
        if isinstance(leak.method, nodes.AsyncFunctionDef):
            return Fix(message)
        lines = [call]
        if leak.kind is not Kind.EXECUTOR:
            # Joining a thread or process that was never started raises; joining one
            # that has ended does nothing: so join only a live one.
            still = f"{attribute} did not stop within {timeout} s"
            lines = [
                f"if {attribute}.is_alive():",
                f"    {call}",
                f"    if {attribute}.is_alive():",
                f'        raise TimeoutError("{still}")',
            ]
        if leak.may_be_none:
            lines = [f"if {attribute} is not None:", *(f"    {line}" for line in lines)]
        return append_to_method(ctx, leak.method, lines, message, leak.attribute)
