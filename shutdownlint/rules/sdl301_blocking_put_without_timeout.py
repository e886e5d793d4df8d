"""SDL301 blocking-put-without-timeout

## What it does
Finds `put()` on a bounded queue with no timeout in a worker (a thread, process
or asyncio task) or on a shutdown path.

## Why is this bad?
A bounded queue blocks `put()` while it is full. When the consumer has stopped,
crashed or is itself waiting for this worker to finish, nobody takes items any
more: the put blocks forever, the worker never exits and shutdown hangs. A
timeout (or `put_nowait()`) turns the hang into an error the worker can handle.

A `multiprocessing` queue whose size cannot be seen is treated as bounded: its
feeder pipe fills up when the reading process is gone.

## Example
```python
import queue
import threading


class Fetcher:
    def __init__(self):
        self.results = queue.Queue(maxsize=100)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        for page in range(1000):
            self.results.put(page)
```

## Use instead
```python
import queue
import threading


class Fetcher:
    def __init__(self):
        self.results = queue.Queue(maxsize=100)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        for page in range(1000):
            while not self.stopping.is_set():
                try:
                    self.results.put(page, timeout=1.0)
                    break
                except queue.Full:
                    continue
```

For asyncio, bound the await: `async with asyncio.timeout(5): await q.put(item)`
(Python 3.11+) or `await asyncio.wait_for(q.put(item), 5)`.

## Fix safety
Unsafe: the edit passes `timeout=` (the `fix-timeout` setting, 5 s by default)
to `put()`, or for asyncio wraps the await in `asyncio.timeout()` (Python 3.11+
targets) or `asyncio.wait_for()`. The put then raises `queue.Full` (or
`TimeoutError`) where it used to wait. The edit does not handle that exception
(what to do with an item nobody takes, drop it, retry or stop, is the program's
choice), and its title says so: the code around it has to handle it.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.operations import operations
from shutdownlint.analysis.vocabulary import BoundState, Flavor, Kind
from shutdownlint.rules.base import Rule, RuleContext, short_source
from shutdownlint.rules.context_words import how_started, shutdown_reason
from shutdownlint.rules.timeout_fixes import async_timeout_advice, bounded_wait_fix


class BlockingPutWithoutTimeout(Rule):
    code = "SDL301"
    name = "blocking-put-without-timeout"
    message = (
        "`{call}` can block forever: the queue is bounded{size} and nothing times out ({where})"
    )
    fix_title = "pass `timeout=` to `put()` and handle `queue.Full`, or use `put_nowait()`"

    def visit_call(self, node: nodes.Call, ctx: RuleContext) -> None:
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname not in operations(Kind.QUEUE).put:
            return
        facts = ctx.facts
        # Where first: it is computed once per module, kinds once per expression.
        worker = facts.contexts.worker_context(node)
        shutdown = None if worker else facts.contexts.shutdown_path(node)
        if worker is None and shutdown is None:
            return
        wait = facts.blocking.unbounded_wait(node)
        if wait is None or wait.info.kind is not Kind.QUEUE:
            return
        info = wait.info
        bound = facts.kinds.queue_bound(info)
        if bound.state is BoundState.UNBOUNDED or (
            bound.state is BoundState.UNKNOWN and info.flavor is not Flavor.MULTIPROCESSING
        ):
            return
        if worker is not None:
            where = f"runs {worker.context.where}"
            related = [(worker.site, f"the worker is {how_started(worker)}")]
        else:
            where = f"on a shutdown path: {shutdown_reason(shutdown)}"
            related = [(shutdown.node, f"shutdown path: {shutdown_reason(shutdown)}")]
        if bound.state is BoundState.BOUNDED:
            shown = bound.size if bound.size is not None else short_source(bound.node, 30)
            size = f" (maxsize={shown})"
            related.insert(0, (bound.node, f"the queue is bounded here (maxsize={shown})"))
        else:
            size = " (a multiprocessing queue of unknown size)"
            related.insert(0, (info.creations[0] if info.creations else None, "queue made here"))
        if info.flavor is Flavor.ASYNCIO:
            target = facts.options.target_version
            advice = async_timeout_advice(target, "the put", "use `put_nowait()`")
        else:
            advice = self.fix_title
        ctx.report(
            self,
            node,
            related=related,
            fix=bounded_wait_fix(ctx, wait, advice),
            call=short_source(node),
            size=size,
            where=where,
        )
