"""SDL103 worker-leaked-on-error

## What it does
Finds a thread, process, executor or task that a function starts and joins
(shuts down, cancels, or hands over) on its normal path, but not when an
exception (or an early return) leaves the function after the start.

## Why is this bad?
The worker outlives the error: it keeps running with nobody holding it, so
nothing will ever join or stop it. Its threads, sockets and child processes
leak, and a non-daemon thread keeps the interpreter from exiting.

## Example
```python
import threading


def run_job(job):
    worker = threading.Thread(target=job.run)
    worker.start()
    job.report_progress()
    worker.join()
```

## Use instead
```python
import threading


def run_job(job):
    worker = threading.Thread(target=job.run)
    worker.start()
    try:
        job.report_progress()
    finally:
        worker.join(timeout=60)
```

Executors are best used as context managers (`with ThreadPoolExecutor() as pool:`).

## Fix safety
A suggestion only: joining, shutting down or cancelling on the error path has
to fit what the worker is doing.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.operations import operations
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import exit_phrase


class WorkerLeakedOnError(Rule):
    code = "SDL103"
    name = "worker-leaked-on-error"
    message = "the {kind} `{name}` keeps running when {exit}: it is not {how} on this path"
    fix_title = "stop it on every path out: in a `finally:` block, or with `with`"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in ctx.facts.lifecycle.worker_leaks(node):
            how = operations(leak.kind).released
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=Fix(
                    f"make sure `{leak.subject}` is {how} on every path: use a `finally:` block"
                ),
                kind=leak.kind.value,
                name=leak.subject,
                exit=exit_phrase(leak),
                how=how,
            )

    visit_asyncfunctiondef = visit_functiondef
