"""SDL302 blocking-wait-in-shutdown-path

## What it does
Finds a blocking call with no timeout on a shutdown path: `Event.wait()`,
`Condition.wait()`/`wait_for()`, `Thread.join()`, `Process.join()`,
`Future.result()`/`exception()`, `Queue.get()`/`join()`, `Barrier.wait()`,
`Lock`/`Semaphore.acquire()`, `Popen.wait()`/`communicate()`, and the asyncio
awaits of the same (`await event.wait()`, `await queue.get()`, `await task`)
outside `asyncio.timeout()` / `asyncio.wait_for()`. A shutdown path includes
the functions of the module that a shutdown method calls.

This rule is opt-in: select it with `SDL302` (or `SDL3`, `SDL`).

## Why is this bad?
A shutdown path (`close()`, `stop()`, `__exit__`, a `finally:` block, an
`atexit` handler...) must finish. When the thing it waits for never comes (the
worker is stuck in a blocking call, crashed before setting the event, or is
waiting for this very shutdown), the program hangs at exit and has to be
killed. A timeout gives the shutdown a deadline it can report.

## Example
```python
import threading


class Uploader:
    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self._stop.wait(1.0)

    def close(self):
        self._stop.set()
        self._thread.join()
```

## Use instead
```python
import logging
import threading


class Uploader:
    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self._stop.wait(1.0)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5.0)
        if self._thread.is_alive():
            logging.warning("uploader did not stop within 5 s")
```

Not reported: `Lock`/`RLock` acquires (short critical sections by convention);
awaiting a task right after cancelling it (`task.cancel(); await task`), the
documented way to let it clean up; a wait on something already known to be done
(a future from `as_completed()` or the done set of `wait()`, `f.result()` under
`if f.done():`, `q.get()` under `if not q.empty():`).

A `join()` method that takes no `timeout` is a blocking wait by contract (like
`Queue.join()`): the wait inside it is not reported; its callers are.

## Fix safety
Unsafe: the edit passes `timeout=` (the `fix-timeout` setting, 5 s by default),
or for asyncio wraps the await in `asyncio.timeout()` (Python 3.11+ targets) or
`asyncio.wait_for()`. After a timed-out wait the code must decide what to do
with a worker that is still running. `Queue.join()` takes no timeout: its fix is
a suggestion only. A `Semaphore.acquire()` whose result is thrown away gets no
edit: with a timeout it returns False instead of waiting, and the code would go
on as if it held the semaphore. An awaited task or future is wrapped in
`asyncio.shield()` inside the timeout: the timeout cancels the awaiting code, and
without the shield it would also cancel the task the original code only waited
for.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.blocking import Wait
from shutdownlint.analysis.contexts import ShutdownPath
from shutdownlint.analysis.operations import operations
from shutdownlint.analysis.vocabulary import Flavor, Kind
from shutdownlint.rules.base import Rule, RuleContext, short_source
from shutdownlint.rules.context_words import shutdown_reason
from shutdownlint.rules.timeout_fixes import async_timeout_advice, bounded_wait_fix


class BlockingWaitInShutdownPath(Rule):
    code = "SDL302"
    name = "blocking-wait-in-shutdown-path"
    message = "`{call}` blocks with no timeout on a shutdown path ({reason})"
    fix_title = "pass `timeout=` and handle the wait running out"
    opt_in = True

    def visit_call(self, node: nodes.Call, ctx: RuleContext) -> None:
        func = node.func
        # A blocking put is SDL301's.
        if not isinstance(func, nodes.Attribute) or func.attrname in operations(Kind.QUEUE).put:
            return
        if func.attrname not in ctx.facts.blocking.method_names:
            return
        shutdown = ctx.facts.contexts.shutdown_path(node)
        if shutdown is not None:
            self._check(node, shutdown, ctx)

    def visit_await(self, node: nodes.Await, ctx: RuleContext) -> None:
        """`await task` / `await future` with no timeout."""
        if isinstance(node.value, nodes.Name | nodes.Attribute):
            shutdown = ctx.facts.contexts.shutdown_path(node)
            if shutdown is not None:
                self._check(node, shutdown, ctx)

    def _check(
        self, node: nodes.Call | nodes.Await, shutdown: ShutdownPath, ctx: RuleContext
    ) -> None:
        wait = ctx.facts.blocking.unbounded_wait(node)
        if wait is None:
            return
        reason = shutdown_reason(shutdown)
        related = [(shutdown.node, f"shutdown path: {reason}")]
        if wait.info.creations:
            related.append((wait.info.creations[0], f"the {wait.info.kind} waited on is made here"))
        ctx.report(
            self,
            node,
            related=related,
            fix=bounded_wait_fix(ctx, wait, self._advice(wait, ctx)),
            call=short_source(node),
            reason=reason,
        )

    def _advice(self, wait: Wait, ctx: RuleContext) -> str:
        if wait.info.flavor is Flavor.ASYNCIO:
            return async_timeout_advice(ctx.facts.options.target_version, "the await")
        if wait.row is None or wait.info.mapping is not None:
            return self.fix_title
        return wait.row.advice
