"""How a worker comes to run from the function that starts it: what the starter passes
for its parameters (`Thread(target=f, args=(q,))`), the statement after which it runs
(its `start()`, or the call that schedules it), and the task group that cancels it when
the group's body raises. Facts read by the SDL1xx rules and the lifecycle provider."""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.infer import FunctionLike, last_name
from shutdownlint.analysis.operations import operations
from shutdownlint.analysis.ownership import Identity, Local, identity, own_nodes
from shutdownlint.analysis.vocabulary import Kind


def passed_in(entry, ident: Identity) -> Identity | None:
    """What the starter passed for a parameter `ident` of the worker `entry` runs:
    `Thread(target=produce, args=(path, q))` gives `produce(path, rows)` the caller's
    `q` as `rows` (and `kwargs={"rows": q}`, `pool.submit(produce, path, q)`)."""
    function = entry.function
    if not isinstance(ident, Local) or ident.scope is not function:
        return None
    if not isinstance(function, nodes.FunctionDef | nodes.AsyncFunctionDef):
        return None
    params = [a.name for a in function.args.posonlyargs + function.args.args]
    if params and params[0] in ("self", "cls") and isinstance(function.parent, nodes.ClassDef):
        params = params[1:]
    if ident.name not in params:
        return None
    site = entry.site
    if not isinstance(site, nodes.Call):
        return None
    keywords = {kw.arg: kw.value for kw in site.keywords or ()}
    positional: list[nodes.NodeNG] = []
    named: dict[str, nodes.NodeNG] = {}
    if "target" in keywords:
        given = keywords.get("args")
        if isinstance(given, nodes.Tuple | nodes.List):
            positional = list(given.elts)
        given = keywords.get("kwargs")
        if isinstance(given, nodes.Dict):
            named = {
                k.value: v
                for k, v in given.items
                if isinstance(k, nodes.Const) and isinstance(k.value, str)
            }
    elif last_name(site.func) in ("submit", "to_thread", "start_new_thread") and site.args:
        positional = list(site.args[1:])
        named = {kw.arg: kw.value for kw in site.keywords or () if kw.arg}
    else:
        # A coroutine scheduled as a task: `create_task(consume(q))` gives `consume` `q`.
        call = next(
            (
                a
                for a in site.args
                if isinstance(a, nodes.Call) and last_name(a.func) == function.name
            ),
            None,
        )
        if call is None:
            return None
        positional = list(call.args)
        named = {kw.arg: kw.value for kw in call.keywords or () if kw.arg}
    index = params.index(ident.name)
    argument = positional[index] if index < len(positional) else named.get(ident.name)
    if argument is None or any(isinstance(a, nodes.Starred) for a in positional[: index + 1]):
        return None
    return identity(argument)


def running_from(entry, function: FunctionLike, constructed: bool) -> nodes.NodeNG | None:
    """The statement of `function` after which the worker `entry` runs: the `start()` of
    the thread or process its site makes (`constructed`: `t = Thread(target=w);
    t.start()`), or the statement that schedules it (`create_task(w())`,
    `pool.submit(w)`); None when `function` does not start it."""
    site = entry.site
    statement = site.statement() if site is not None else None
    if statement is None or statement.scope() is not function:
        return None
    if not constructed:
        return statement
    starts = operations(Kind.THREAD).start | operations(Kind.PROCESS).start
    holder = site.parent
    if isinstance(holder, nodes.Attribute) and holder.attrname in starts:
        return statement  # `Thread(target=w).start()`
    name = None  # made inside a comprehension or a call: the first start() after it
    if isinstance(statement, nodes.Assign) and statement.value is site:
        target = statement.targets[0] if len(statement.targets) == 1 else None
        if not isinstance(target, nodes.AssignName | nodes.AssignAttr):
            return statement
        name = target.as_string()  # `t` or `self._t`, spelled as its `start()` spells it
    started = [
        node
        for node in own_nodes(function)
        if isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname in starts
        and (node.lineno or 0) >= (statement.lineno or 0)
        and (name is None or node.func.expr.as_string() == name)
    ]
    if not started:
        return None  # made here, started elsewhere (or never): not running here
    return min(started, key=lambda n: (n.lineno or 0, n.col_offset or 0)).statement()


# -- task groups -------------------------------------------------------------------------------
#: Structured-concurrency blocks (`async with ... as tg`) whose exit, when the body raises,
#: cancels every task the group made before the exception leaves the block.
_TASK_GROUPS = frozenset({"TaskGroup", "create_task_group", "open_nursery"})
_GROUP_SPAWNS = frozenset({"create_task", "start_soon", "start"})


def group_block(site: nodes.NodeNG) -> nodes.AsyncWith | None:
    """The task group block whose group made the task scheduled at `site`
    (`async with asyncio.TaskGroup() as tg: tg.create_task(work())`, an anyio task group,
    a trio nursery): an exception raised in its body cancels that task, so the task is not
    left waiting for anything the body owed it. An early `return` or `break` out of the body
    cancels nothing: the block waits for the task."""
    node: nodes.NodeNG | None = site
    while node is not None and not (
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname in _GROUP_SPAWNS
        and isinstance(node.func.expr, nodes.Name)
    ):
        if node.is_statement:
            return None
        node = node.parent
    if node is None:
        return None
    group = node.func.expr.name
    block = node.parent
    while block is not None and not isinstance(block, FunctionLike):
        if isinstance(block, nodes.AsyncWith) and any(
            isinstance(made, nodes.Call)
            and last_name(made.func) in _TASK_GROUPS
            and isinstance(bound, nodes.AssignName)
            and bound.name == group
            for made, bound in block.items
        ):
            return block
        block = block.parent
    return None
