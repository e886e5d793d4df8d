"""SDL403 consumer-stopped-before-producers

## What it does
Finds a shutdown method that stops a worker others depend on before it stops what
depends on it: it joins, cancels or signals the thread or task that consumes a
queue (or sends it the end sentinel, or shuts the queue down) and only later stops
the threads, tasks or executor jobs of the same class that put into that queue; or
it stops a thread that runs an event loop before closing the resources registered
on that loop, whose `close()` has to run on the loop.

## Why is this bad?
A producer still running after its consumer is gone blocks forever on the full
queue (or its items are silently lost), and the shutdown that waits for it hangs.
A resource whose `close()` schedules its cleanup onto the loop cannot be closed
once the loop has stopped: the close only times out and the registration leaks.
Stop the producers first, then drain and stop the consumer; close what lives on a
loop before stopping the loop.

Only the class's own workers count as producers (found through the threads, tasks
and executor jobs it starts); abort-style methods (`terminate`, `kill`, `cancel`,
`abort`), where dropping work is the intent, are not checked.

## Example
```python
import queue
import threading


class Pipeline:
    def __init__(self):
        self._queue = queue.Queue(maxsize=100)
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._writer = threading.Thread(target=self._write, daemon=True)

    def _read(self):
        while not self._stop_reading.is_set():
            self._queue.put(object(), timeout=1.0)

    def _write(self):
        while True:
            item = self._queue.get()
            if item is None:
                break

    def stop(self):
        self._queue.put(None, timeout=1.0)
        self._writer.join(timeout=5.0)
        self._stop_reading.set()
        self._reader.join(timeout=5.0)
```

## Use instead
```python
import queue
import threading


class Pipeline:
    def __init__(self):
        self._queue = queue.Queue(maxsize=100)
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._writer = threading.Thread(target=self._write, daemon=True)

    def _read(self):
        while not self._stop_reading.is_set():
            self._queue.put(object(), timeout=1.0)

    def _write(self):
        while True:
            item = self._queue.get()
            if item is None:
                break

    def stop(self):
        self._stop_reading.set()
        self._reader.join(timeout=5.0)
        self._queue.put(None, timeout=1.0)
        self._writer.join(timeout=5.0)
```

## Fix safety
No edit: reordering a shutdown can change what is flushed; the suggestion says
which statements to move.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.teardown import EarlyStop, StopHow
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext, short_source

#: How the message says what the statement does to the worker.
_HOW = {
    StopHow.JOIN: "joins",
    StopHow.STOP: "stops",
    StopHow.CANCEL: "cancels",
    StopHow.SIGNAL: "signals",
    StopHow.SENTINEL: "sends the end sentinel to",
    StopHow.QUEUE_SHUTDOWN: "shuts down the queue of",
    StopHow.EXECUTOR_SHUTDOWN: "shuts down the executor of",
    StopHow.LOOP_STOP: "stops",
}


class ConsumerStoppedBeforeProducers(Rule):
    code = "SDL403"
    name = "consumer-stopped-before-producers"
    message = "`{stop}` {how} `{worker}` in `{method}` too early: {why}"
    fix_title = "stop the producers first, then drain and stop the consumer"

    def visit_module(self, node: nodes.Module, ctx: RuleContext) -> None:
        for record in ctx.facts.teardown.early_stops:
            self._report(record, ctx)

    def _report(self, record: EarlyStop, ctx: RuleContext) -> None:
        stop = record.stop
        worker = stop.worker
        if stop.how is StopHow.LOOP_STOP:
            name = f"self.{worker.handle}" if worker.handle else "the loop thread"
            advice = "close the resources registered on the loop before stopping its thread"
            related = [(n, "this close needs the loop running") for n in record.dependents[:2]]
        else:
            if stop.how is StopHow.STOP and worker.handle:
                name = f"self.{worker.handle}"  # `self._consumer.stop()`: the object it stops
            else:
                name = getattr(worker.function, "name", "the consumer")
            advice = self.fix_title
            related = [(n, "a producer is only stopped here") for n in record.dependents[:2]]
        related.append((worker.site, "the worker is started here"))
        ctx.report(
            self,
            stop.node,
            related=related,
            fix=Fix(advice),
            stop=short_source(stop.node),
            how=_HOW[stop.how],
            worker=name,
            method=getattr(record.method, "name", "<lambda>"),
            why=record.why,
        )
