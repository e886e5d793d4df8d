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
Display-only (no edit is mechanical): joining, shutting down or cancelling on the
error path has to fit what the worker is doing. A join in a `finally:` block
deadlocks when the worker waits on something the leaking path never releases (an
event nobody sets, a queue's end sentinel nobody puts): release what the worker
waits on first (set the event, put the sentinel), then join it with a timeout.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import FunctionLike
from shutdownlint.analysis.lifecycle import is_test, named_like
from shutdownlint.analysis.operations import STARTS_BY_TYPE, operations
from shutdownlint.analysis.ownership import Local, Tracker
from shutdownlint.analysis.paths import LeakKind, Obligation, Release, statements
from shutdownlint.analysis.vocabulary import Flavor, Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import LifecycleLeak, exit_phrase


class WorkerLeakedOnError(Rule):
    code = "SDL103"
    name = "worker-leaked-on-error"
    message = "the {kind} `{name}` keeps running when {exit}: it is not {how} on this path"
    fix_title = "stop it on every path out: in a `finally:` block, or with `with`"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in _worker_leaks(ctx.facts, node):
            how = operations(leak.kind).released
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=Fix(_advice(leak.subject, leak.kind, how)),
                kind=leak.kind.value,
                name=leak.subject,
                exit=exit_phrase(leak),
                how=how,
            )

    visit_asyncfunctiondef = visit_functiondef


def _advice(subject: str, kind: Kind, how: str) -> str:
    advice = f"make sure `{subject}` is {how} on every path: use a `finally:` block"
    if kind in (Kind.THREAD, Kind.PROCESS, Kind.EXECUTOR):
        # A join the worker never lets finish is a deadlock, not a fix.
        advice += (
            ", after releasing what it waits on (set its stop event, put its end "
            "sentinel), or the wait there never ends"
        )
    return advice


# -- the decision: which exceptions leave a started worker running -----------------------
def _worker_leaks(facts: ModuleFacts, function: FunctionLike) -> list[LifecycleLeak]:
    """Threads, processes, executors and tasks `function` starts and joins, shuts down,
    cancels or hands over on its normal path, but not on some error path."""
    out = []
    for statement, name, info in _started_workers(facts, function):
        idents = facts.lifecycle.aliases(function, frozenset({Local(function, name)}))
        methods = facts.lifecycle.release_methods(info, info.kind)
        if info.qname in STARTS_BY_TYPE:
            methods |= {"close"}
        tracker = Tracker(idents, methods, escaping=facts.lifecycle.escaping(function))
        if is_test(function):
            continue  # a failing test leaks it: not what a maintainer would change
        if _owned_before(function, name, statement, tracker):
            continue  # stored (or handed over) before it started: its owner stops it
        if not facts.lifecycle.releases_somewhere(tracker, function, statement.lineno or 0):
            continue  # left to run on the normal path too: fire and forget
        obligation = Obligation(
            tracker.releases,
            start=statement,
            void=tracker.void,
            cancellation=info.kind is Kind.TASK,
        )
        # SDL103 is about exception paths: an early `return` that leaves a worker
        # running is a choice (a browser left open, a background job), not a leak.
        leaks = [
            leak
            for leak in facts.lifecycle.leaks(function, obligation)
            if leak.kind in (LeakKind.EXCEPTION, LeakKind.RAISE)
        ]
        for leak in leaks:
            out.append(
                LifecycleLeak(
                    leak,
                    function,
                    name,
                    info.kind,
                    statement,
                    ((statement, f"the {info.kind.value} is started here"),),
                )
            )
    return out


def _owned_before(function: FunctionLike, name: str, start: nodes.NodeNG, tracker: Tracker) -> bool:
    """The worker is handed over before `start`: by the statement that makes it
    (`t = self._transport = Transport(sock)`) or one after it and before the start
    (`self._threads.append(t); t.start()`)."""
    made = [
        node
        for node in statements(function)
        if isinstance(node, nodes.Assign)
        and any(isinstance(t, nodes.AssignName) and t.name == name for t in node.targets)
        and (node.lineno or 0) <= (start.lineno or 0)
    ]
    if not made:
        return False
    creation = made[-1]
    if any(isinstance(t, nodes.AssignAttr | nodes.Subscript) for t in creation.targets):
        return True
    return any(
        tracker.releases(node) is not Release.NO
        for node in statements(function)
        if (creation.lineno or 0) < (node.lineno or 0) < (start.lineno or 0)
    )


def _started_workers(facts: ModuleFacts, function: FunctionLike):
    """(statement, name, info): `t.start()` on a thread or process made in `function`,
    an executor or `Popen` made outside `with`, a task created in a coroutine."""
    is_async = isinstance(function, nodes.AsyncFunctionDef)
    for node in statements(function):
        if isinstance(node, nodes.Expr) and isinstance(node.value, nodes.Call):
            func = node.value.func
            if not (isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name)):
                continue
            if not facts.lifecycle.made_locally(func.expr, function):
                continue
            info = facts.kinds.kind_of(func.expr)
            if info is None or info.kind not in (Kind.THREAD, Kind.PROCESS):
                continue
            starts = STARTS_BY_TYPE.get(info.qname, operations(info.kind).start)
            if func.attrname in starts and info.flavor is not Flavor.SUBPROCESS:
                yield node, func.expr.name, info
        elif isinstance(node, nodes.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if not isinstance(target, nodes.AssignName) or not isinstance(node.value, nodes.Call):
                continue
            if not named_like(node.value, facts.lifecycle.worker_stems):
                continue
            info = facts.kinds.kind_of_call(node.value)
            if info is None:
                continue
            if (
                info.kind is Kind.EXECUTOR
                or (info.kind is Kind.PROCESS and info.flavor is Flavor.SUBPROCESS)
                or (info.kind is Kind.TASK and is_async)
            ):
                yield node, target.name, info
