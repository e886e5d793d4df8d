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
from astroid.exceptions import AstroidError

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import (
    FunctionLike,
    assigned_targets,
    infer_values,
    last_name,
    lookup,
)
from shutdownlint.analysis.lifecycle import is_test
from shutdownlint.analysis.operations import STARTS_BY_TYPE, Holder, operations
from shutdownlint.analysis.owners import WorkerOwner
from shutdownlint.analysis.ownership import Local, Tracker, covered, own_nodes, refers_to
from shutdownlint.analysis.paths import LeakKind, Obligation, Release, statements
from shutdownlint.analysis.starts import group_block
from shutdownlint.analysis.vocabulary import Flavor, Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import LifecycleLeak, exit_phrase


class WorkerLeakedOnError(Rule):
    code = "SDL103"
    name = "worker-leaked-on-error"
    message = "{subject} {keeps} running when {exit}: {it_is} not {how} on this path"
    fix_title = "stop it on every path out: in a `finally:` block, or with `with`"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in _worker_leaks(ctx.facts, node):
            how = operations(leak.kind).released
            # A local collection of tasks stands for each of them: name them as many.
            many = _task_kept(ctx.facts, leak.made) is not None
            kind, name = leak.kind.value, leak.subject
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=Fix(
                    _advice(f"every {kind} in `{name}`" if many else f"`{name}`", leak.kind, how)
                ),
                subject=f"the {kind}s in `{name}`" if many else f"the {kind} `{name}`",
                keeps="keep" if many else "keeps",
                it_is="they are" if many else "it is",
                exit=exit_phrase(leak),
                how=how,
            )

    visit_asyncfunctiondef = visit_functiondef


def _advice(subject: str, kind: Kind, how: str) -> str:
    advice = f"make sure {subject} is {how} on every path: use a `finally:` block"
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
    for statement, name, info, owner in _started_workers(facts, function):
        idents = facts.lifecycle.aliases(function, frozenset({Local(function, name)}))
        many = _task_kept(facts, statement) is not None
        if many:
            idents |= _members(function, idents)  # `for t in tasks: t.cancel()`
        idents |= _literal_members(function, idents)  # `for t in (reader, writer):`
        methods = facts.lifecycle.release_methods(info, info.kind)
        started = f"the {info.kind.value}s are" if many else f"the {info.kind.value} is"
        related = [(statement, f"{started} started here")]
        if owner is not None:
            methods |= owner.joins
            related.append((owner.made, f"`{owner.cls.name}` runs it as `self.{owner.attribute}`"))
        if info.qname in STARTS_BY_TYPE and info.kind is Kind.THREAD:
            methods |= {"close"}  # a thread started by connecting is closed, not joined
        tracker = Tracker(idents, methods, escaping=facts.lifecycle.escaping(function))
        if is_test(function):
            continue  # a failing test leaks it: not what a maintainer would change
        if _owned_before(function, name, statement, tracker):
            continue  # stored (or handed over) before it started: its owner stops it
        made = statement.value if isinstance(statement, nodes.Assign | nodes.AnnAssign) else None
        if isinstance(made, nodes.Call) and facts.summaries.keeps_what_it_returns(made):
            continue  # a helper kept it in the object (`self._spawn(c)`): the object's
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
                    tuple(related),
                )
            )
    return out


def _owned_before(function: FunctionLike, name: str, start: nodes.NodeNG, tracker: Tracker) -> bool:
    """The worker is handed over before `start`: by the statement that makes it
    (`t = self._transport = Transport(sock)`) or one after it and before the start
    (`self._threads.append(t); t.start()`)."""
    made = [
        (node, targets)
        for node in statements(function)
        if (node.lineno or 0) <= (start.lineno or 0)
        and (targets := assigned_targets(node))
        and any(isinstance(t, nodes.AssignName) and t.name == name for t in targets)
    ]
    if not made:
        return False
    creation, targets = made[-1]
    if any(isinstance(t, nodes.AssignAttr | nodes.Subscript) for t in targets):
        return True
    return any(
        tracker.releases(node) is not Release.NO
        for node in statements(function)
        if (creation.lineno or 0) < (node.lineno or 0) < (start.lineno or 0)
    )


def _started_workers(facts: ModuleFacts, function: FunctionLike):
    """(statement, name, info, the object's class when it runs the worker): `t.start()` on a
    thread or process made in `function`, an executor or `Popen` made outside `with`, a
    task created in a coroutine, a worker a helper made and started; an object of this
    module that runs a worker (`analysis.owners`) once the call that starts it is made."""
    is_async = isinstance(function, nodes.AsyncFunctionDef)
    none: WorkerOwner | None = None
    for node in statements(function):
        if is_async:
            kept = _task_kept(facts, node)
            if kept is not None:
                yield node, kept[0], kept[1], none
                continue
        if isinstance(node, nodes.Expr) and isinstance(node.value, nodes.Call):
            func = node.value.func
            if not (isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name)):
                continue
            if not facts.lifecycle.made_locally(func.expr, function):
                continue
            info = facts.kinds.kind_of(func.expr)
            if info is None:
                owner = _owner_started(facts, func.expr, func.attrname)
                if owner is not None:
                    yield node, func.expr.name, owner.worker, owner
                continue
            if info.kind not in (Kind.THREAD, Kind.PROCESS):
                continue
            starts = STARTS_BY_TYPE.get(info.qname, operations(info.kind).start)
            if func.attrname in starts and info.flavor is not Flavor.SUBPROCESS:
                yield node, func.expr.name, info, none
        elif (isinstance(node, nodes.Assign) and len(node.targets) == 1) or isinstance(
            node, nodes.AnnAssign
        ):
            target = node.targets[0] if isinstance(node, nodes.Assign) else node.target
            if not isinstance(target, nodes.AssignName) or not isinstance(node.value, nodes.Call):
                continue
            owner = _owner_started(facts, node.value, "__init__")
            if owner is not None:
                yield node, target.name, owner.worker, owner
                continue
            if not facts.lifecycle.could_make(node.value, facts.lifecycle.worker_stems):
                continue
            info = facts.kinds.kind_of_call(node.value)
            if info is None:
                continue
            if info.kind in (Kind.THREAD, Kind.PROCESS) and info.flavor is not Flavor.SUBPROCESS:
                # made by a helper that also started it: it runs from this call on
                if facts.summaries.starts_what_it_returns(node.value, info.kind):
                    yield node, target.name, info, none
            elif info.kind is Kind.EXECUTOR:
                job = _first_job(function, node, target.name, info)
                if job is not None:
                    yield job, target.name, info, none
            elif info.kind is Kind.PROCESS and info.flavor is Flavor.SUBPROCESS:
                yield node, target.name, info, none
            elif info.kind is Kind.TASK and is_async and group_block(node.value) is None:
                # A task group's task is the group's: its block awaits the task at exit
                # and cancels it when the body raises, so none leaks past the block.
                yield node, target.name, info, none


def _task_kept(facts: ModuleFacts, node: nodes.NodeNG):
    """(name, info) of a local collection `node` puts the tasks it creates into: `tasks =
    [create_task(f(x)) for x in xs]`, `tasks.append(create_task(f(x)))` on a local list.
    The collection stands for each of its tasks (`for t in tasks: t.cancel()`, `gather(
    *tasks)`). Not a task group's tasks: its block ends them."""
    made: nodes.NodeNG | None = None
    name: str | None = None
    if (
        isinstance(node, nodes.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], nodes.AssignName)
        and isinstance(node.value, nodes.ListComp | nodes.SetComp)
    ):
        made, name = node.value.elt, node.targets[0].name
    elif isinstance(node, nodes.Expr) and isinstance(node.value, nodes.Call):
        func = node.value.func
        if (
            isinstance(func, nodes.Attribute)
            and isinstance(func.expr, nodes.Name)
            and func.attrname in operations(Holder.CONTAINER).added_at
            and len(node.value.args) == operations(Holder.CONTAINER).added_at[func.attrname] + 1
            and _local_collection(func.expr, node)
        ):
            made, name = node.value.args[-1], func.expr.name
    if not isinstance(made, nodes.Call) or name is None or group_block(made) is not None:
        return None
    info = facts.kinds.kind_of_call(made)
    if info is None or info.kind is not Kind.TASK:
        return None
    return name, info


def _members(function: FunctionLike, idents: frozenset) -> frozenset[Local]:
    """The loop variables of `function` that go through the collection (`for t in tasks`,
    `for t in list(tasks)`): each stands for one of its members."""
    return frozenset(
        Local(function, node.target.name)
        for node in statements(function)
        if isinstance(node, nodes.For)
        and isinstance(node.target, nodes.AssignName)
        and covered(node.iter).containers & idents
    )


def _literal_members(function: FunctionLike, idents: frozenset) -> frozenset[Local]:
    """The loop variables of `function` that go through a literal tuple, list or set
    naming the worker (`for task in (drained, lost): task.cancel()`): on one pass each
    is the worker."""
    return frozenset(
        Local(function, node.target.name)
        for node in statements(function)
        if isinstance(node, nodes.For)
        and isinstance(node.target, nodes.AssignName)
        and isinstance(node.iter, nodes.Tuple | nodes.List | nodes.Set)
        and any(refers_to(element, idents) for element in node.iter.elts)
    )


def _local_collection(name: nodes.Name, use: nodes.NodeNG) -> bool:
    """`name` is a local list or set of the function of `use`, made empty in it (`jobs =
    []`, `jobs = set()`), and assigned nothing else."""
    try:
        scope, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return False
    values = [getattr(a.parent, "value", None) for a in assigns]
    return (
        scope is use.scope()
        and bool(values)
        and all(
            (isinstance(v, nodes.List | nodes.Set) and not v.elts)
            or (isinstance(v, nodes.Call) and last_name(v.func) in ("list", "set") and not v.args)
            for v in values
        )
    )


def _owner_started(facts: ModuleFacts, made: nodes.NodeNG, method: str):
    """The worker an object of a class of this module starts when `method` is called on
    it: `made` is the object (a local made by calling the class) or the call making it."""
    if isinstance(made, nodes.Name):
        made = _made_by(made)
    if not isinstance(made, nodes.Call):
        return None
    for cls in infer_values(made.func, facts.stats):
        if isinstance(cls, nodes.ClassDef):
            owner = facts.owners.started_by(cls, method)
            if owner is not None:
                return owner
    return None


def _made_by(name: nodes.Name) -> nodes.Call | None:
    """The call that made the local `name`, when one assignment made it."""
    try:
        _, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return None
    values = [a.parent.value for a in assigns if isinstance(a.parent, nodes.Assign)]
    if len(assigns) != 1 or len(values) != 1 or not isinstance(values[0], nodes.Call):
        return None
    return values[0]


def _first_job(function: FunctionLike, made: nodes.Assign, name: str, info) -> nodes.NodeNG | None:
    """Where a pool made at `made` starts its workers: the first statement after it that
    submits to it (or hands it to a call that may), for a pool that starts them on the
    first job (`STARTS_BY_TYPE`); else where it is made. None: `function` never submits
    to it nor hands it to a call, so the pool owns no thread here (it is stored or
    returned for others to use, who owe its shutdown from their first job)."""
    starts = STARTS_BY_TYPE.get(info.qname)
    if starts is None:
        return made
    for node in statements(function):
        if (node.lineno or 0) <= (made.lineno or 0):
            continue
        header = _HEADERS.get(type(node))
        parts = [getattr(node, field, None) for field in header] if header else [node]
        for use in (n for part in parts if part is not None for n in _own(part)):
            if not (isinstance(use, nodes.Name) and use.name == name):
                continue
            parent = use.parent
            submits = isinstance(parent, nodes.Attribute) and parent.attrname in starts
            passed = isinstance(parent, nodes.Call | nodes.Keyword | nodes.Starred) and (
                getattr(parent, "func", None) is not use
            )
            if submits or passed:
                return _pending_from(node, made, use)
    return None


def _pending_from(job: nodes.NodeNG, made: nodes.Assign, use: nodes.Name) -> nodes.NodeNG:
    """The statement after which the pool owns threads: the job's own statement when it
    submits one job; when it submits many (`[pool.submit(f, x) for x in xs]`) and can fail
    half-way, the statement before it (or the `with` it opens)."""
    if not any(
        isinstance(n, nodes.ListComp | nodes.SetComp | nodes.DictComp | nodes.GeneratorExp)
        for n in use.node_ancestors()
        if n is not job and job in n.node_ancestors()
    ) and not (isinstance(use.parent, nodes.Attribute) and use.parent.attrname == "map"):
        return job
    before = job.previous_sibling()
    if before is not None and (before.lineno or 0) >= (made.lineno or 0):
        return before
    if isinstance(job.parent, nodes.With | nodes.AsyncWith):
        return job.parent
    return made


def _own(node) -> list[nodes.NodeNG]:
    """The nodes of a header part: an expression, or a `with` statement's items."""
    if isinstance(node, list):
        return [n for item in node for n in own_nodes(item[0])]
    return list(own_nodes(node))


#: The header of a compound statement (its body's statements come on their own).
_HEADERS = {
    nodes.If: ("test",),
    nodes.While: ("test",),
    nodes.For: ("iter",),
    nodes.AsyncFor: ("iter",),
    nodes.With: ("items",),
    nodes.AsyncWith: ("items",),
    nodes.Match: ("subject",),
    nodes.Try: (),
    nodes.TryStar: (),
    nodes.FunctionDef: (),
    nodes.AsyncFunctionDef: (),
    nodes.ClassDef: (),
}
