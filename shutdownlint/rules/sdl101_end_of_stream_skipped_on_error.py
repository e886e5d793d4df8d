"""SDL101 end-of-stream-skipped-on-error

## What it does
Finds an exit that skips the end-of-stream signal a queue's consumer waits for:
an early `return` in a stop/close method before it puts the end sentinel, or an
exception (or early exit) that ends a producer worker before it puts the
sentinel its consumer stops on.

## Why is this bad?
The consumer blocks in `get()` until it sees the sentinel. When the producer or
the stop method leaves without putting it, nothing wakes the consumer: it
blocks forever, and whoever joins it at shutdown hangs too. Closing a
`multiprocessing.Queue` does not wake a blocked `get()`.

## Example
```python
import queue
import threading


class Uploader:
    def __init__(self):
        self.requests = queue.Queue()
        self.connection = None
        self.thread = threading.Thread(target=self._send_all)
        self.thread.start()

    def _send_all(self):
        while True:
            request = self.requests.get()
            if request is None:
                return
            print("sending", request)

    def close(self):
        if self.connection is None:
            return
        self.requests.put(None)
        self.thread.join(timeout=5.0)
```

## Use instead
```python
import queue
import threading


class Uploader:
    def __init__(self):
        self.requests = queue.Queue()
        self.connection = None
        self.thread = threading.Thread(target=self._send_all)
        self.thread.start()

    def _send_all(self):
        while True:
            request = self.requests.get()
            if request is None:
                return
            print("sending", request)

    def close(self):
        if self.connection is not None:
            self.connection.close()
        self.requests.put(None)
        self.thread.join(timeout=5.0)
```

A producer worker puts the sentinel in a `finally:` block, so that an error in
the stream still ends it; from Python 3.13, `queue.shutdown()` wakes every
consumer too.

## Fix safety
Display-only (no edit is mechanical): where the sentinel goes depends on the
protocol between the producer and its consumer.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import exit_phrase


class EndOfStreamSkippedOnError(Rule):
    code = "SDL101"
    name = "end-of-stream-skipped-on-error"
    message = "`{queue}` gets no end sentinel when {exit}: its consumer blocks in `get()` forever"
    fix_title = "put the end sentinel on every path out (in a `finally:` block)"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in ctx.facts.lifecycle.sentinel_leaks(node):
            fix = self.fix_title
            if ctx.facts.options.target_version >= (3, 13):
                fix += f", or call `{leak.subject}.shutdown()`"
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=Fix(fix),
                queue=leak.subject,
                exit=exit_phrase(leak),
            )

    visit_asyncfunctiondef = visit_functiondef
