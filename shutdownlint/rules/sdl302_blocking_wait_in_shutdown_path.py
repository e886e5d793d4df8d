"""SDL302 blocking-wait-in-shutdown-path

## What it does
Finds a blocking call with no timeout on a shutdown path: `Event.wait()`,
`Condition.wait()`/`wait_for()`, `Thread.join()`, `Process.join()`,
`Future.result()`/`exception()`, `Queue.get()`/`join()`, `Barrier.wait()`,
`Lock`/`Semaphore.acquire()`, `Popen.wait()`/`communicate()`, and the asyncio
awaits of the same (`await event.wait()`, `await queue.get()`, `await task`)
outside `asyncio.timeout()` / `asyncio.wait_for()`.

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

Awaiting a task right after cancelling it (`task.cancel(); await task`) is the
documented way to let it clean up, and is not reported.

A `join()` method that takes no `timeout` is a blocking wait by contract (like
`Queue.join()`): the wait inside it is not reported; its callers are.

## Fix safety
A suggestion only: after a timed-out wait the code must decide what to do with
a worker that is still running.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.blocking import (
    async_timeout_scope,
    blocking_method_names,
    blocking_signature,
    cancelled_before,
    is_awaited,
    timeout_state,
)
from shutdownlint.analysis.contexts import ShutdownPath
from shutdownlint.rules.base import Rule, RuleContext, async_timeout_fix, short_source

_SYNC_FIXES = {
    "join": "pass `timeout=` to `join()` and check `is_alive()` afterwards",
    "wait": "pass `timeout=` and handle the wait running out",
    "wait_for": "pass `timeout=` and handle the wait running out",
    "result": "pass `timeout=` and handle `TimeoutError`",
    "exception": "pass `timeout=` and handle `TimeoutError`",
    "get": "pass `timeout=` to `get()` and handle `queue.Empty`",
    "acquire": "pass `timeout=` to `acquire()` and check what it returns",
    "communicate": "pass `timeout=` and handle `subprocess.TimeoutExpired`",
}
_QUEUE_JOIN_FIX = (
    "`Queue.join()` takes no timeout: wait on an `Event` or `Condition` with a timeout "
    "that the consumer sets when the work is done"
)


class BlockingWaitInShutdownPath(Rule):
    code = "SDL302"
    name = "blocking-wait-in-shutdown-path"
    message = "`{call}` blocks with no timeout on a shutdown path ({reason})"
    fix_title = "pass `timeout=` and handle the wait running out"
    opt_in = True

    def visit_call(self, node: nodes.Call, ctx: RuleContext) -> None:
        func = node.func
        # A blocking put is SDL301's.
        if not isinstance(func, nodes.Attribute) or func.attrname == "put":
            return
        facts = ctx.facts
        if func.attrname not in blocking_method_names(facts.options):
            return
        shutdown = _shutdown_path(node, ctx)
        if shutdown is None:
            return
        info = facts.kinds.kind_of(func.expr)
        signature = blocking_signature(info, func.attrname) if info else None
        if signature is None:
            return
        if info.flavor == "asyncio":
            if not is_awaited(node) or async_timeout_scope(node) is not None:
                return
            fix = async_timeout_fix(facts.options.target_version, "the await")
        else:
            if timeout_state(node, signature, facts.stats) != "none":
                return
            if not signature.takes_timeout:
                fix = _QUEUE_JOIN_FIX if info.kind == "queue" else self.fix_title
            elif info.flavor == "subprocess" and func.attrname == "wait":
                fix = "pass `timeout=` and handle `subprocess.TimeoutExpired`"
            else:
                fix = _SYNC_FIXES.get(func.attrname, self.fix_title)
        self._report(node, info, shutdown, fix, ctx)

    def visit_await(self, node: nodes.Await, ctx: RuleContext) -> None:
        """`await task` / `await future` with no timeout."""
        value = node.value
        if not isinstance(value, nodes.Name | nodes.Attribute):
            return
        shutdown = _shutdown_path(node, ctx)
        if shutdown is None:
            return
        info = ctx.facts.kinds.kind_of(value)
        if info is None or info.kind not in ("task", "future") or info.flavor != "asyncio":
            return
        if async_timeout_scope(node) is not None or cancelled_before(node, value):
            return
        fix = async_timeout_fix(ctx.facts.options.target_version, "the await")
        self._report(node, info, shutdown, fix, ctx)

    def _report(
        self, node: nodes.NodeNG, info, shutdown: ShutdownPath, fix: str, ctx: RuleContext
    ) -> None:
        related = [(shutdown.node, f"shutdown path: {shutdown.reason}")]
        if info.creations:
            related.append((info.creations[0], f"the {info.kind} waited on is made here"))
        ctx.report(
            self,
            node,
            related=related,
            fix=fix,
            call=short_source(node),
            reason=shutdown.reason,
        )


def _shutdown_path(node: nodes.NodeNG, ctx: RuleContext) -> ShutdownPath | None:
    shutdown = ctx.facts.contexts.shutdown_path(node)
    if shutdown is None or _is_blocking_join(shutdown.node):
        return None
    return shutdown


def _is_blocking_join(function: nodes.NodeNG) -> bool:
    """A `join()` method with no `timeout` parameter blocks by contract (`Queue.join`,
    `Pool.join`): the wait inside it is its job, and its callers choose when to call it."""
    if not isinstance(function, nodes.FunctionDef) or function.name.lstrip("_") != "join":
        return False
    args = function.args
    params = args.posonlyargs + args.args + args.kwonlyargs
    return not any(p.name == "timeout" for p in params)
