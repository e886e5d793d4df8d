"""SDL105 worker-not-joined-on-stop

## What it does
Finds a class that starts a thread, process, executor or task and keeps it,
whose stop/close method (and everything the class does) never joins, shuts
down or awaits it. Cancelling a task only signals it, and so does a stop method
of the worker's own class whose body only signals (sets a flag or an event):
such a call joins only where that method's body joins. Workers kept in a container
of the object (a list, a set, a table by key) are its group, joined through the
container, a copy or view of it (`gather(*self._ts.values())`), what is taken out
of a copy (`p = busy.pop(); p.join()`) or `asyncio.wait`; tasks that take themselves
out when done (`task.add_done_callback(self._tasks.discard)`) are fire-and-forget,
and a method named like a stop that every caller uses for its result (`joined =
self._join_exited()`) is a query, not the object's stop. Workers named in a display
bound to a local that is handed to `gather`/`wait` are awaited as a group; a thread's
`join` handed to a call that runs it (`run_in_executor(None, self._t.join)`) joins it;
a stop that waits on the event the worker's function sets in the `finally:` that ends
it has joined it (a completion handshake).

The finding is reported at the stop method that ends the object's life: a stop
method that another stop method of the class calls (`close()` calls `disconnect()`
and goes on) stops one session, and its caller owes the join. A class with no
`async` stop method cannot await a task; its `cancel()` is enough when the task's
body runs nothing on cancellation (no `finally:`, `with` or catching handler
around an `await`; a handler that only leaves, `except CancelledError: break`, runs
nothing). A stop named for a part of the object (`cancel_initialization`) that
touches neither the worker nor its state ends that part, not the object's life. An
`asyncio` transport's `close()` returns at once by contract (its end is reported to the
protocol). A worker a base class of the module keeps, where that base has stop methods
of its own, is reported once, at the base.

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
from astroid.exceptions import AstroidError

from shutdownlint.analysis.contexts import normalised_method_name
from shutdownlint.analysis.end_of_life import (
    cancels,
    final_stops,
    handed_methods,
    runs_on_cancel,
)
from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import (
    FunctionLike,
    enclosing_class,
    enclosing_function,
    in_finally,
    is_self_parameter,
    last_name,
    self_attr,
    walk,
)
from shutdownlint.analysis.operations import STARTS_BY_TYPE, operations, release_statement
from shutdownlint.analysis.ownership import made_members, own_nodes
from shutdownlint.analysis.vocabulary import Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import ClassLeak, append_to_method


class WorkerNotJoinedOnStop(Rule):
    code = "SDL105"
    name = "worker-not-joined-on-stop"
    message = (
        "`{method}()` never {action} `self.{attribute}`: it returns while the {kind} may still run"
    )
    fix_title = "join the worker after signalling it, with a timeout"

    def visit_classdef(self, node: nodes.ClassDef, ctx: RuleContext) -> None:
        for leak in _unjoined_workers(ctx.facts, node):
            ctx.report(
                self,
                leak.method,
                related=leak.related,
                fix=self._fix(ctx, leak),
                method=leak.method.name,
                action=operations(leak.kind).join_verb or operations(leak.kind).releases,
                attribute=leak.attribute,
                kind=leak.kind.value,
            )

    def _fix(self, ctx: RuleContext, leak) -> Fix:
        attribute = f"self.{leak.attribute}"
        group = _holds_group(leak.related[-1][0])
        if group:  # `for worker in self._workers: worker.join(...)`
            attribute = "worker"
        timeout = float(ctx.facts.options.fix_timeout)
        call = release_statement(leak.kind, attribute, timeout)
        if call is None:  # a task: cancelling it is not enough, it must be awaited
            return Fix(f"cancel `{attribute}` in `{leak.method.name}()` and await it")
        if leak.kind is Kind.EXECUTOR:
            message = f"shut `{attribute}` down in `{leak.method.name}()`"
        else:
            message = (
                f"join `{attribute}`, if it is running, at the end of `{leak.method.name}()` "
                f"with `timeout={timeout!r}`, and raise `TimeoutError` if it still runs after"
            )
        if isinstance(leak.method, nodes.AsyncFunctionDef):
            return Fix(message)
        lines = [call]
        if leak.kind is not Kind.EXECUTOR:
            # Joining a thread or process that was never started raises; joining one
            # that has ended does nothing: so join only a live one.
            still = f"{attribute} did not stop within {timeout!r} s"
            lines = [
                f"if {attribute}.is_alive():",
                f"    {call}",
                f"    if {attribute}.is_alive():",
                f'        raise TimeoutError("{still}")',
            ]
        if group:
            lines = [f"for worker in self.{leak.attribute}:", *(f"    {line}" for line in lines)]
            message = message.replace("`worker`", f"each worker of `self.{leak.attribute}`")
        elif leak.may_be_none:
            lines = [f"if {attribute} is not None:", *(f"    {line}" for line in lines)]
        return append_to_method(ctx, leak.method, lines, message, leak.attribute)


# -- the decision: which kept workers the stop method never joins -------------------------
_WORKER_KINDS = frozenset({Kind.THREAD, Kind.PROCESS, Kind.EXECUTOR, Kind.TASK})


def _unjoined_workers(facts: ModuleFacts, cls: nodes.ClassDef) -> list[ClassLeak]:
    """Threads, processes, executors and tasks a class starts and keeps, which its
    stop/close method (or anything it calls) never joins, shuts down or cancels."""
    every_stop = facts.lifecycle.stop_methods(cls)
    if not every_stop or _asyncio_transport(cls):
        return []
    # A session stop that another stop method calls is not the end of the object's
    # life: the workers outlive it by design, and the caller owes the join.
    own = facts.lifecycle.own
    stops = final_stops(every_stop, own)
    sync_only = not any(isinstance(s, nodes.AsyncFunctionDef) for s in every_stop)
    out = []
    for attribute, (kind, made, info) in facts.lifecycle.owned_attributes(
        cls, _WORKER_KINDS, facts.lifecycle.worker_stems
    ).items():
        if _per_item(facts, made) or _self_reaping(facts, cls, attribute, made):
            continue
        maker = enclosing_function(made)
        if maker is not None and facts.contexts.shutdown_function(maker) is not None:
            continue  # made while stopping (a close task): it is the stop, not a worker
        base = enclosing_class(made)
        if (
            base is not None
            and base is not cls
            and base.root() is cls.root()
            and facts.lifecycle.stop_methods(base)
        ):
            continue  # kept by a base class of the module with stops of its own: its finding
        starts = STARTS_BY_TYPE.get(info.qname, operations(kind).start)
        pool = kind is Kind.EXECUTOR
        if starts and not _started(facts, cls, attribute, made, starts, pool):
            continue  # never started: a pool never submitted to owns no thread
        joins = operations(kind).join
        if facts.lifecycle.released_in_class(cls, attribute, joins, kind, joins_only=True):
            continue
        creation = [made, *info.creations]
        inside = set(facts.summaries.worker_functions(creation))
        outside = [
            stop
            for stop in stops
            if (stop not in inside or _called_outside(facts, stop, inside))
            and not _forwards(stop, attribute)
        ]
        if not outside:
            continue  # the worker runs its own stop: it cannot join itself
        if kind is Kind.THREAD and _awaits_last_word(facts, outside, inside):
            continue  # the stop waits for the event the worker sets as it ends
        if (
            kind is Kind.TASK
            and sync_only
            and _cancelled_by(facts, cls, outside, attribute)
            and not runs_on_cancel(list(inside), own)
        ):
            # No stop method of the class can await; the cancelled body has nothing
            # to run on cancellation, so it ends at its next step with no effect.
            continue
        signal = _signalling_stop(facts, outside, creation)
        if signal is None and all(_stops_another_part(facts, stop, attribute) for stop in outside):
            continue  # `cancel_initialization()`: the stop of another part, not the object's
        if kind is Kind.THREAD and _is_daemon(creation) and signal is None:
            continue  # a daemon the class never signals is meant to die with the process
        method = signal or outside[0]
        related = [(c, f"the {kind.value} is made here") for c in info.creations[:1]]
        related.append((made, f"kept in `self.{attribute}` here"))
        out.append(
            ClassLeak(
                cls,
                method,
                attribute,
                kind,
                tuple(related),
                facts.lifecycle.reset_to_none(cls, attribute),
            )
        )
    return out


def _cancelled_by(facts: ModuleFacts, cls: nodes.ClassDef, stops: list, attribute: str) -> bool:
    """A stop method, what it calls, or what it hands to the loop cancels the task."""
    own = facts.lifecycle.own
    code = facts.contexts.reach(stops, inferred=True)
    code = facts.contexts.reach([*code, *handed_methods(cls, code, own)], inferred=True)
    return cancels(code, attribute, own)


def _holds_group(made: nodes.NodeNG) -> bool:
    """The attribute holds a container of workers: added to (`self._ts.append(t)`) or built
    of what the class makes (`self._ts = [Thread(...) for _ in range(n)]`)."""
    if isinstance(made, nodes.Assign):
        return bool(made_members(made.value))
    return True


def _called_outside(facts: ModuleFacts, stop: FunctionLike, inside: set) -> bool:
    """Some code of the module that the worker does not run calls `stop` (by its name:
    `runner.cancel()` in a `remove_listener()`): there it owes the join."""
    for node in facts.contexts.all_nodes:
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname == stop.name
            and enclosing_function(node) not in inside
        ):
            return True
    return False


def _forwards(stop: FunctionLike, attribute: str) -> bool:
    """`def cancel(self): return self._task.cancel()`: a proxy exposing the worker's own
    operation under its name, not a shutdown of the object that owes a join."""
    body = [
        s for s in stop.body if not (isinstance(s, nodes.Expr) and isinstance(s.value, nodes.Const))
    ]
    if len(body) != 1 or not isinstance(body[0], nodes.Return | nodes.Expr):
        return False
    call = body[0].value
    return (
        isinstance(call, nodes.Call)
        and isinstance(call.func, nodes.Attribute)
        and call.func.attrname == stop.name
        and isinstance(call.func.expr, nodes.Attribute)
        and call.func.expr.attrname == attribute
        and is_self_parameter(call.func.expr.expr)
    )


def _self_reaping(facts: ModuleFacts, cls: nodes.ClassDef, attribute: str, made) -> bool:
    """Workers added to a container that a done callback empties (`task.add_done_callback(
    self._tasks.discard)`, or a method registered as one that discards it), or that the
    method keeping them takes out again in its `finally:`: each leaves the container when
    it finishes (or its keeper is done with it); the container only keeps it alive. Not
    a group the object's stop owes a join."""
    if isinstance(made, nodes.Assign) and isinstance(made.targets[0], nodes.AssignAttr):
        return False  # one worker kept in a plain attribute

    def removes(function: FunctionLike, where=lambda node: True) -> bool:
        return any(
            isinstance(node, nodes.Call)
            and _remover_of(node.func, attribute)
            and is_self_parameter(node.func.expr.expr)
            and where(node)
            for node in facts.lifecycle.own(function)
        )

    keeper = enclosing_function(made)
    if keeper is not None and removes(keeper, lambda node: in_finally(node, keeper)):
        return True  # the method that keeps it takes it out on its way out (it awaits it)
    for method in cls.mymethods():
        for node in facts.lifecycle.own(method):
            if not (isinstance(node, nodes.Call) and last_name(node.func) == "add_done_callback"):
                continue
            for callback in node.args[:1]:
                if isinstance(callback, nodes.Call) and last_name(callback.func) == "partial":
                    callback = callback.args[0] if callback.args else callback
                if _remover_of(callback, attribute) or any(
                    removes(function) for function in facts.contexts.resolve_callables(callback)
                ):
                    return True
    return False


def _remover_of(func: nodes.NodeNG, attribute: str) -> bool:
    """`<x>.<attribute>.discard` (or `remove`, `pop`): a method that takes an item out."""
    return (
        isinstance(func, nodes.Attribute)
        and func.attrname in ("discard", "remove", "pop")
        and isinstance(func.expr, nodes.Attribute)
        and func.expr.attrname == attribute
    )


def _per_item(facts: ModuleFacts, made: nodes.NodeNG) -> bool:
    """Made in a method that takes required arguments: one worker per request or
    child, not a worker for the object's lifetime. Not when the object keeps each one
    in a container of its own (`self._uplinks[drone_id] = uplink`, `append`): then they
    are the object's group, which its stop owes."""
    if not (isinstance(made, nodes.Assign) and isinstance(made.targets[0], nodes.AssignAttr)):
        return False
    method = enclosing_function(made)
    while method is not None and not isinstance(method.parent, nodes.ClassDef):
        method = enclosing_function(method)
    if not isinstance(method, nodes.FunctionDef | nodes.AsyncFunctionDef):
        return False
    if method.name == "__init__":
        return False
    args = method.args
    return len(args.posonlyargs + args.args) - len(args.defaults) - 1 > 0


def _started(
    facts: ModuleFacts, cls: nodes.ClassDef, attribute: str, made: nodes.NodeNG, starts, pool: bool
) -> bool:
    """A worker that starts by a method (`start()`, a pool's first `submit()`) is started:
    the method is called on the attribute, or on the local it was made in before being
    stored. A pool handed to a call (`run_in_executor(self._pool, f)`) may be submitted to
    there."""
    for _, node in facts.lifecycle.attribute_uses(cls, attribute):
        parent = node.parent
        if isinstance(parent, nodes.Attribute) and parent.attrname in starts:
            return True
        if (
            pool
            and isinstance(parent, nodes.Call)
            and node in parent.args + [k.value for k in parent.keywords or ()]
        ):
            return True
    function = enclosing_function(made)
    if function is not None:
        for node in facts.lifecycle.own(function):
            if (
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and node.func.attrname in starts
                and isinstance(node.func.expr, nodes.Name)
                and any(
                    n.name == node.func.expr.name
                    for n in walk(made)
                    if isinstance(n, nodes.Name | nodes.AssignName)
                )
            ):
                return True
    return False


def _is_daemon(creation: list[nodes.NodeNG]) -> bool:
    """`Thread(..., daemon=True)`, or `t.daemon = True` where it is made."""
    for node in (n for made in creation for n in walk(made)):
        if isinstance(node, nodes.Call):
            for kw in node.keywords or ():
                if kw.arg == "daemon" and isinstance(kw.value, nodes.Const) and kw.value.value:
                    return True
    functions = {enclosing_function(made) for made in creation} - {None}
    for node in (n for f in functions for n in own_nodes(f)):
        if (
            isinstance(node, nodes.Assign)
            and any(
                isinstance(t, nodes.AssignAttr) and t.attrname == "daemon" for t in node.targets
            )
            and isinstance(node.value, nodes.Const)
            and node.value.value
        ):
            return True
        if isinstance(node, nodes.Call) and last_name(node.func) == "setDaemon":
            return True
    return False


def _asyncio_transport(cls: nodes.ClassDef) -> bool:
    """An `asyncio` transport: its `close()` starts the close and returns at once by
    contract; the end is reported to the protocol (`connection_lost()`), not awaited."""
    try:
        ancestors = list(cls.ancestors())
    except (AstroidError, RecursionError):
        return False
    return any(a.qname() in _TRANSPORT_BASES for a in ancestors)


_TRANSPORT_BASES = frozenset(
    f"asyncio.transports.{name}"
    for name in ("BaseTransport", "Transport", "ReadTransport", "WriteTransport")
)


def _stops_another_part(facts: ModuleFacts, stop: FunctionLike, attribute: str) -> bool:
    """A stop method named for a part of the object (`cancel_initialization`,
    `stop_scan`: a shutdown word and what it stops) that touches neither the worker nor
    anything it reads: it ends that part, not the object's life. `close_all` names the
    whole."""
    words = normalised_method_name(stop.name).split("_")
    if len(words) < 2 or words[-1] in ("all", "everything"):
        return False
    return not any(
        self_attr(node) and node.attrname == attribute for node in _reached_nodes(facts, stop)
    )


def _awaits_last_word(facts: ModuleFacts, stops: list, inside: set) -> bool:
    """A stop method (or what it calls) waits on an event of the object that the
    worker's own code sets in a `finally:` ending its function (`try: ...loop...
    finally: self._done.set()`): once the wait returns, the worker has nothing left to
    run, so the wait is its join (a completion handshake)."""
    last_words = set()
    for function in inside:
        callers = facts.contexts.direct_callers.get(function, ())
        if any(caller in inside for caller, _ in callers):
            continue  # a helper of the worker: its `finally:` is not the worker's end
        body = function.body
        if body and isinstance(body[-1], nodes.Try) and body[-1].finalbody:
            last_words |= {
                node.func.expr.attrname
                for statement in body[-1].finalbody
                for node in walk(statement)
                if isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and node.func.attrname == "set"
                and self_attr(node.func.expr)
            }
    if not last_words:
        return False
    return any(
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname == "wait"
        and self_attr(node.func.expr)
        and node.func.expr.attrname in last_words
        for stop in stops
        for node in _reached_nodes(facts, stop)
    )


def _signalling_stop(
    facts: ModuleFacts, stops: list[nodes.FunctionDef], creation: list[nodes.NodeNG]
) -> nodes.FunctionDef | None:
    """The stop method that signals the worker made at `creation`: it (or a helper it
    calls) writes, sets or puts into state the worker's code reads."""
    read = _worker_reads(facts, creation)
    if not read:
        return None
    for stop in stops:
        if _signals(facts, stop) & read:
            return stop
    return None


def _worker_reads(facts: ModuleFacts, creation: list[nodes.NodeNG]) -> set[str]:
    """`self` attributes read by the code a worker runs (its target and what it calls)."""
    read: set[str] = set()
    for function in facts.summaries.worker_functions(creation):
        for node in facts.lifecycle.own(function):
            if isinstance(node, nodes.Attribute) and is_self_parameter(node.expr):
                read.add(node.attrname)
    return read


def _signals(facts: ModuleFacts, stop: FunctionLike) -> set[str]:
    written: set[str] = set()
    for node in _reached_nodes(facts, stop):
        if isinstance(node, nodes.AssignAttr) and is_self_parameter(node.expr):
            written.add(node.attrname)
        elif (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and self_attr(node.func.expr)
        ):
            written.add(node.func.expr.attrname)
    return written


def _reached_nodes(facts: ModuleFacts, stop: FunctionLike):
    """The nodes of `stop` and of every function it reaches (what it calls)."""
    for function in facts.contexts.reach(stop, inferred=True):
        yield from facts.lifecycle.own(function)
