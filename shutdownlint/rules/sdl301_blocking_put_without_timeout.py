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
A suggestion only: a timeout makes `put()` raise `queue.Full` (or
`TimeoutError`), which the surrounding code has to handle.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.blocking import (
    async_timeout_scope,
    blocking_signature,
    is_awaited,
    timeout_state,
)
from shutdownlint.analysis.contexts import WHERE
from shutdownlint.rules.base import Rule, RuleContext, async_timeout_fix, short_source


class BlockingPutWithoutTimeout(Rule):
    code = "SDL301"
    name = "blocking-put-without-timeout"
    message = (
        "`{call}` can block forever: the queue is bounded{size} and nothing times out ({where})"
    )
    fix_title = "pass `timeout=` to `put()` and handle `queue.Full`, or use `put_nowait()`"

    def visit_call(self, node: nodes.Call, ctx: RuleContext) -> None:
        func = node.func
        if not isinstance(func, nodes.Attribute) or func.attrname != "put":
            return
        facts = ctx.facts
        # Where first: it is computed once per module, kinds once per expression.
        worker = facts.contexts.worker_context(node)
        shutdown = None if worker else facts.contexts.shutdown_path(node)
        if worker is None and shutdown is None:
            return
        info = facts.kinds.kind_of(func.expr)
        if info is None or info.kind != "queue":
            return
        signature = blocking_signature(info, "put")
        if signature is None:
            return
        if info.flavor == "asyncio":
            if not is_awaited(node) or async_timeout_scope(node) is not None:
                return
        elif timeout_state(node, signature, facts.stats) != "none":
            return
        bound = facts.kinds.queue_bound(info)
        if bound.state == "unbounded" or (bound.state == "unknown" and info.flavor != "process"):
            return
        if worker is not None:
            where = f"runs {WHERE[worker.kind]}"
            related = [(worker.site, f"the worker is {worker.how}")]
        else:
            where = f"on a shutdown path: {shutdown.reason}"
            related = [(shutdown.node, f"shutdown path: {shutdown.reason}")]
        if bound.state == "bounded":
            shown = bound.size if bound.size is not None else short_source(bound.node, 30)
            size = f" (maxsize={shown})"
            related.insert(0, (bound.node, f"the queue is bounded here (maxsize={shown})"))
        else:
            size = " (a multiprocessing queue of unknown size)"
            related.insert(0, (info.creations[0] if info.creations else None, "queue made here"))
        fix = None
        if info.flavor == "asyncio":
            fix = async_timeout_fix(facts.options.target_version, "the put", "use `put_nowait()`")
        ctx.report(
            self,
            node,
            related=related,
            fix=fix,
            call=short_source(node),
            size=size,
            where=where,
        )
