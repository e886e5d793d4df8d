"""SDL102 waiter-not-released-on-error

## What it does
Finds an exit that leaves a waiter blocked: an Event, Future or Condition that
another party waits on with no timeout is not set, resolved or notified when
the code that should release it raises or returns early; and an item taken
from a queue with `get()` that gets no `task_done()` when its loop iteration is
left early (`continue`, `break`, an exception), so `Queue.join()` never returns
(the end marker counts too where the queue is joined; a queue an object makes for
itself and keeps private, which nothing in the module joins, waits for nobody; a test
of a value computed from the item, `if STEPS.get(item) is None: continue`, skips an
ordinary item, not the end). A
future or event a function makes and returns is its to release until a hand-off to a
releaser has succeeded: a hand-off taken back or one that raised gives the duty back. A future
handed to a worker inside a queue item (`q.put((job, fut))`, `job, fut = q.get()`) is
the worker's to resolve on every exit of that item's iteration. An event waited on
through the object that owns it (`self._feed.ready.wait()`) is that object's to set.
In a loop over waiters, `set_result()` on a future a waiter cancelled raises and
strands the rest (not where the registry's futures reach their waiters only through
`asyncio.shield()` or `asyncio.wait()`, which never cancel them). A helper that sets
the waitable only in some states passes no duty to its callers, and a serving loop left
right after setting a latch (an event nothing clears) strands nobody.

## Why is this bad?
The waiter has no deadline: when the setter dies of an exception or returns
before the release, the waiter blocks forever. A thread that starts a server
and waits for it to be ready hangs when binding fails; `flush()` waiting in
`Queue.join()` hangs when one dropped item is never marked done.

## Example
```python
import threading


class Server:
    def __init__(self, listener):
        self._listener = listener
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self._thread.start()
        self._ready.wait()

    def _serve(self):
        self.port = self._bind()
        self._ready.set()

    def _bind(self):
        return self._listener.bind(("", 0))
```

## Use instead
```python
import threading


class Server:
    def __init__(self, listener):
        self._listener = listener
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self._thread.start()
        self._ready.wait()

    def _serve(self):
        try:
            self.port = self._bind()
        finally:
            self._ready.set()

    def _bind(self):
        return self._listener.bind(("", 0))
```

For queues, call `task_done()` in a `finally:` around the processing of each item.

## Fix safety
Unsafe: for an early `return`, `continue` or `break`, the edit sets the Event,
cancels the Future, or calls `task_done()` just before it; the waiter then
wakes up on that path, which the code around it has to expect.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.cancellable import waiters_can_cancel
from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import (
    FunctionLike,
    assigned_targets,
    enclosing_class,
    enclosing_function,
    last_name,
    walk,
)
from shutdownlint.analysis.lifecycle import is_test
from shutdownlint.analysis.operations import operations, release_statement
from shutdownlint.analysis.ownership import (
    Local,
    Promise,
    Tracker,
    compares_to_sentinel,
    conditional_release,
    guard_of,
    identity,
    loops_around,
    own_nodes,
    taken_from_queue,
)
from shutdownlint.analysis.paths import (
    Obligation,
    Raising,
    Release,
    Scope,
    catches,
    statements,
)
from shutdownlint.analysis.stop_requests import stop_request
from shutdownlint.analysis.vocabulary import Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import LifecycleLeak, exit_phrase, release_before_exit


class WaiterNotReleasedOnError(Rule):
    code = "SDL102"
    name = "waiter-not-released-on-error"
    message = "{what} when {exit}: {waiter}"
    fix_title = "release it on every path out: in a `finally:` block, or before the early exit"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in _waiter_leaks(ctx.facts, node):
            verb = operations(leak.kind).released
            fix = (
                f"set, resolve or notify `{leak.subject}` in a `finally:` block "
                "or before the early exit"
            )
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=release_before_exit(ctx, leak, fix),
                what=f"`{leak.subject}` is never {verb}",
                exit=exit_phrase(leak),
                waiter="a waiter blocks on it with no timeout",
            )
        for leak in _promise_leaks(ctx.facts, node):
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=release_before_exit(
                    ctx, leak, f"resolve `{leak.subject}` (`set_exception`) before returning it"
                ),
                what=f"`{leak.subject}` is never {operations(leak.kind).released}",
                exit=exit_phrase(leak),
                waiter="its caller waits on it and nothing else can release it",
            )
        for call, loop in _stranding_releases(ctx.facts, node):
            receiver, group = call.func.expr.as_string(), loop.iter.as_string()
            ctx.report(
                self,
                call,
                related=[(loop, "the loop over the waiters")],
                fix=Fix(
                    f"skip a future that is already done (`if not {receiver}.done():`) "
                    "or catch `InvalidStateError` around the release"
                ),
                what=f"the waiters after `{receiver}` in `{group}` are never resolved",
                exit=f"`{call.as_string()}` raises on a future its waiter cancelled",
                waiter="they block on them with no timeout",
            )
        for leak in _task_done_leaks(ctx.facts, node):
            fix = (
                f"call `{leak.subject}.task_done()` in a `finally:` block "
                "around the item's processing"
            )
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=release_before_exit(ctx, leak, fix),
                what=f"the item taken from `{leak.subject}` gets no `task_done()`",
                exit=exit_phrase(leak),
                waiter=f"`{leak.subject}.join()` waits forever",
            )

    visit_asyncfunctiondef = visit_functiondef


# -- the decision: which exits leave a waiter or a joined queue waiting -------------------
def _waiter_leaks(facts: ModuleFacts, function: FunctionLike) -> list[LifecycleLeak]:
    """Exits of `function` that leave an Event/Future/Condition unreleased while a
    party waits for it with no timeout."""
    if is_test(function):
        return []
    out = []
    for ident, waits, sites in facts.lifecycle.handshakes.get(function, ()):
        methods = frozenset(s.attrname for s in sites)
        releasing = frozenset(
            helper
            for site in sites
            if (helper := enclosing_function(site)) is not None
            and not _releases_in_some_states(facts, helper, site, ident, methods)
        )
        tracker = Tracker(
            facts.lifecycle.aliases(function, frozenset({ident})),
            frozenset(s.attrname for s in sites),
            hand_over=False,
            releasing_calls=releasing - {function},
            resolve=facts.contexts.resolve_callables,
        )
        released_at = facts.lifecycle.releasing_statements(function, tracker)
        if not released_at:
            continue
        lines = [n.lineno or 0 for n in released_at]
        release = next(n for n in released_at if (n.lineno or 0) == max(lines))
        loops = loops_around(release, function)
        taken = facts.lifecycle.item_unpacking(ident)
        per_request = False  # a serving loop's event set per request: no release fixes it
        if taken is not None and loops_around(taken, function):
            # Handed over inside a queue item (`job, fut = q.get()`): owed per item, from
            # where it is taken to the end of its iteration; a future its waiter already
            # cancelled (`if not fut.set_running_or_notify_cancel(): continue`) is done.
            obligation = Obligation(
                tracker.releases,
                start=taken,
                scope=Scope.ITERATION,
                loop=loops_around(taken, function)[0],
                exempt=lambda exit, name=ident.name: (
                    _cancelled_before(guard_of(exit, function), name)
                    or stop_request(guard_of(exit, function), function)
                ),
            )
            leaks = facts.lifecycle.leaks(function, obligation)
        elif loops:
            serving = loops[-1]
            # A serving thread must not die while requests may still come; once it has
            # set a latch (an event nothing clears, a future), every waiter, present
            # and to come, is released, and leaving the loop strands nobody.
            latched = waits[0].info.kind is Kind.FUTURE or (
                waits[0].info.kind is Kind.EVENT and not _cleared(facts, ident)
            )
            per_request = not latched
            obligation = Obligation(
                tracker.releases if latched else lambda _: Release.NO,
                scope=Scope.SERVING,
                loop=serving,
                raising=Raising.EXPLICIT,
                exempt=lambda exit: stop_request(guard_of(exit, function), function),
            )
            exits = facts.lifecycle.exits_of(function, obligation)
            leaks = facts.lifecycle.first_exception_only(exits)
        elif conditional_release(release, function, tracker):
            continue
        else:
            obligation = Obligation(tracker.releases, void=tracker.void)
            leaks = facts.lifecycle.leaks(function, obligation, before=max(lines))
        wait = waits[0]
        subject = wait.receiver.as_string()
        call = release.value if isinstance(release, nodes.Expr) else None
        if (
            enclosing_class(wait.node) is not enclosing_class(function)
            and isinstance(call, nodes.Call)
            and isinstance(call.func, nodes.Attribute)
        ):
            # waited on through another object (`self._feed.ready`): the releaser's name
            subject = call.func.expr.as_string()
        # A concurrent future its worker has set running cannot be cancelled any more:
        # only a result or an exception resolves it, and which one is not mechanical.
        running = any(
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname == "set_running_or_notify_cancel"
            for node in facts.lifecycle.own(function)
        )
        made = wait.info.creations[0] if wait.info.creations else None
        if isinstance(wait.node, nodes.Return):
            related = [(wait.node, "returned unresolved here: the caller waits on it")]
        else:
            related = [(wait.node, "the waiter blocks here with no timeout")]
        related.append((release, "released only here"))
        if made is not None:
            related.append((made, f"the {wait.info.kind.value} is made here"))
        for leak in leaks:
            out.append(
                LifecycleLeak(
                    leak,
                    function,
                    subject,
                    wait.info.kind,
                    made,
                    tuple(related),
                    release=None
                    if running or per_request
                    else release_statement(wait.info.kind, subject),
                )
            )
    return out


def _cleared(facts: ModuleFacts, ident) -> bool:
    """Something in the module clears the event (`ev.clear()`): it is set per request."""
    return any(
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname == "clear"
        and identity(node.func.expr) == ident
        for node in facts.contexts.all_nodes
    )


def _releases_in_some_states(
    facts: ModuleFacts, helper: FunctionLike, site: nodes.NodeNG, ident, methods: frozenset[str]
) -> bool:
    """`site` releases in one branch of an `if` of `helper` whose other branch does not
    (`elif isinstance(event, Terminated): self._closed.set()`): the helper sets the
    waitable only in some states, so a caller of it owes no release on every path."""
    tracker = Tracker(facts.lifecycle.aliases(helper, frozenset({ident})), methods)
    return conditional_release(site.statement(), helper, tracker)


def _cancelled_before(test: nodes.NodeNG | None, name: str) -> bool:
    """The exit runs under `if not fut.set_running_or_notify_cancel():`: its waiter
    cancelled the future, which is already resolved."""
    return (
        isinstance(test, nodes.UnaryOp)
        and test.op == "not"
        and isinstance(test.operand, nodes.Call)
        and isinstance(test.operand.func, nodes.Attribute)
        and test.operand.func.attrname == "set_running_or_notify_cancel"
        and isinstance(test.operand.func.expr, nodes.Name)
        and test.operand.func.expr.name == name
    )


def _promise_leaks(facts: ModuleFacts, function: FunctionLike) -> list[LifecycleLeak]:
    """Exits that return a future or event `function` made, unreleased, after its hand-off
    to a releaser failed or was taken back (P3: the creator owes the release until a
    hand-off has succeeded)."""
    if is_test(function):
        return []
    out = []
    for node in facts.lifecycle.own(function):
        targets = assigned_targets(node)  # `fut = Future()`, `fut: Future = Future()`
        if not (
            len(targets) == 1
            and isinstance(targets[0], nodes.AssignName)
            and isinstance(node.value, nodes.Call)
        ):
            continue
        info = facts.kinds.kind_of(node.value)
        if info is None or info.kind not in (Kind.FUTURE, Kind.EVENT):
            continue
        name = targets[0].name
        idents = facts.lifecycle.aliases(function, frozenset({Local(function, name)}))
        promise = Promise(function, idents, facts.lifecycle.release_methods(info, info.kind))
        if not promise.handoffs:
            continue  # returned as made: the caller owns it
        obligation = Obligation(
            promise.releases,
            start=node,
            raising=Raising.NONE,  # an exception loses the promise: nobody can wait on it
            exempt=lambda exit, promise=promise: not promise.escapes(exit),
        )
        related = (
            (promise.handoffs[0], "handed to its releaser here"),
            (node, f"the {info.kind.value} is made here"),
        )
        for leak in facts.lifecycle.leaks(function, obligation):
            out.append(
                LifecycleLeak(
                    leak,
                    function,
                    name,
                    info.kind,
                    node,
                    related,
                    release=release_statement(info.kind, name),
                )
            )
    return out


def _stranding_releases(
    facts: ModuleFacts, function: FunctionLike
) -> list[tuple[nodes.Call, nodes.For]]:
    """Releases in a loop over waiters that raise when a waiter already gave up (P9:
    `fut.set_result(x)` on a future its waiter cancelled raises `InvalidStateError`, and
    the futures after it are never resolved), unless the loop tests the future first
    (`if not fut.done()`, `set_running_or_notify_cancel()`) or catches the error. Only
    where the module makes futures its waiters can cancel (a class whose `cancel()`
    refuses makes none)."""
    once = operations(Kind.FUTURE).release_once
    out = []
    for node in facts.lifecycle.own(function):
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname in once
            and isinstance(node.func.expr, nodes.Name)
        ):
            continue
        name = node.func.expr.name
        loop = next(
            (
                loop
                for loop in loops_around(node, function)
                if isinstance(loop, nodes.For)
                and isinstance(loop.target, nodes.AssignName)
                and loop.target.name == name
            ),
            None,
        )
        if loop is None or _tested_or_caught(node, loop, name):
            continue
        if not waiters_can_cancel(facts.contexts.all_nodes, loop):
            continue  # its futures reach their waiters only through `shield()`/`wait()`
        out.append((node, loop))
    if out and not _makes_cancellable_futures(facts):
        return []
    return out


def _makes_cancellable_futures(facts: ModuleFacts) -> bool:
    """The module makes a future whose waiter can cancel it (its class keeps the
    standard `cancel()`)."""
    cancel = operations(Kind.FUTURE).release - operations(Kind.FUTURE).release_once
    for node in facts.contexts.all_nodes:
        if not isinstance(node, nodes.Call) or isinstance(node.parent, nodes.Await):
            continue
        info = facts.kinds.kind_of(node)
        if (
            info is not None
            and info.kind is Kind.FUTURE
            and not facts.kinds.overrides_release(node, cancel)
        ):
            return True
    return False


def _tested_or_caught(call: nodes.Call, loop: nodes.For, name: str) -> bool:
    """The loop asks the future's state before releasing it, or a handler inside the loop
    catches what the release raises."""
    for node in own_nodes(loop):
        if (
            isinstance(node, nodes.If | nodes.While | nodes.IfExp)
            and (node.lineno or 0) <= (call.lineno or 0)
            and any(isinstance(n, nodes.Name) and n.name == name for n in walk(node.test))
        ):
            return True
    child, parent = call, call.parent
    while parent is not None and parent is not loop:
        if (
            isinstance(parent, nodes.Try)
            and child in parent.body
            and any(catches(h, "concurrent.futures.InvalidStateError") for h in parent.handlers)
        ):
            return True
        if isinstance(parent, nodes.With) and any(
            isinstance(item, nodes.Call) and last_name(item.func) == "suppress"
            for item, _ in parent.items
        ):
            return True
        child, parent = parent, parent.parent
    return False


def _releases_on_main_path(
    tracker: Tracker, loop: nodes.NodeNG, taken: nodes.NodeNG, item: str
) -> bool:
    """A statement of the loop after `taken` releases the item, outside the branch that
    handles the end sentinel (that branch alone says nothing of the other items)."""
    for node in own_nodes(loop):
        if not node.is_statement or (node.lineno or 0) <= (taken.lineno or 0):
            continue
        if tracker.releases(node) is Release.NO:
            continue
        guard = guard_of(node, loop)
        if guard is not None and compares_to_sentinel(guard, item):
            continue
        return True
    return False


def _task_done_leaks(facts: ModuleFacts, function: FunctionLike) -> list[LifecycleLeak]:
    """Items taken with `get()` from a joined queue that an exit of the loop iteration
    leaves without `task_done()` (or a hand-over to code that calls it)."""
    joined = facts.lifecycle.joined_queues
    if not joined or is_test(function):
        return []
    out = []
    for node in statements(function):
        taken = taken_from_queue(node)
        if taken is None:
            continue
        name, queue = taken
        qident = identity(queue)
        if qident not in joined:
            continue
        info = facts.kinds.kind_of(queue)
        if info is not None and (info.kind is not Kind.QUEUE or "Simple" in info.qname):
            continue
        loops = loops_around(node, function)
        scope = loops[0] if loops else function
        queues = facts.lifecycle.aliases(function, frozenset({qident}))
        tracker = Tracker(
            facts.lifecycle.aliases(function, frozenset({Local(function, name)})),
            frozenset(),
            hand_over=False,
            escaping=facts.lifecycle.escaping(function),
            other=((queues, operations(Kind.QUEUE).done),),
        )
        if not _releases_on_main_path(tracker, scope, node, name):
            continue  # the iteration never releases here: handed on some other way
        # The end marker counts in `join()` like any item: where this module joins the
        # queue, leaving on the marker owes `task_done()` too; a stop flag still exempts.
        counted = joined[qident] is not None
        obligation = Obligation(
            tracker.releases,
            start=node,
            scope=Scope.ITERATION if loops else Scope.FUNCTION,
            loop=loops[0] if loops else None,
            # an item taken is owed whatever it is: `None` is a marker, not an absence
            exempt=lambda exit, name=name, counted=counted: _stops_without_item(
                guard_of(exit, function), function, name, counted
            ),
        )
        subject = queue.as_string()
        for leak in facts.lifecycle.leaks(function, obligation):
            out.append(
                LifecycleLeak(
                    leak,
                    function,
                    subject,
                    Kind.QUEUE,
                    node,
                    tuple(
                        (where, note)
                        for where, note in (
                            (node, f"the item is taken from `{subject}` here"),
                            (joined[qident], "`join()` waits for every item here"),
                        )
                        if where is not None
                    ),
                    release=operations(Kind.QUEUE).done_fix.format(subject=subject),
                )
            )
    return out


def _stops_without_item(
    test: nodes.NodeNG | None, function: FunctionLike, item: str, counted: bool
) -> bool:
    """An exit taken on a stop request that owes the item nothing: a stop flag, or the
    end marker when nothing joins the queue (a joined queue counts the marker too)."""
    if not stop_request(test, function, item):
        return False
    return not (counted and test is not None and compares_to_sentinel(test, item))
