"""Fixes that bound a wait in time, shared by the rules that report unbounded waits.

A plain call gets `timeout=<fix-timeout>` (SPEC §5); an asyncio await is wrapped
in `async with asyncio.timeout(...)` on Python 3.11+ targets (when it is a
statement of its own), else in `asyncio.wait_for(..., timeout=...)`. Where the
API takes no timeout (`Queue.join()`, a configured user type) the fix is a
suggestion only. Every edit is unsafe: a timeout turns a hang into an error the
code around it has to handle.

The title of a fix with an edit says what the edit does and what the call does when
the time runs out, which the edit leaves to the code around it. Edits that would
break a promise are not made (the fix is a suggestion): an `acquire(timeout=)`
whose result is thrown away would go on as if it held the lock. An awaited task or
future (`await task`) is shielded (`asyncio.shield(task)`): the timeout cancels the
awaiting code, and without the shield it would cancel the task the original code
only waited for.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.blocking import Wait, timeout_argument
from shutdownlint.analysis.vocabulary import Flavor, Kind
from shutdownlint.findings import Applicability, Edit, Fix
from shutdownlint.fixes import replace_argument, with_keyword_argument
from shutdownlint.rules.base import RuleContext

_SIMPLE_STATEMENTS = (nodes.Expr, nodes.Assign, nodes.AnnAssign, nodes.AugAssign, nodes.Return)


def async_timeout_advice(target: tuple[int, int], what: str, alternative: str = "") -> str:
    """How to bound an await: `asyncio.timeout()` exists from Python 3.11 on."""
    if target >= (3, 11):
        text = f"wrap {what} in `async with asyncio.timeout(...)` and handle `TimeoutError`"
    else:
        text = f"wrap {what} in `asyncio.wait_for(..., timeout)` and handle `TimeoutError`"
    return f"{text}, or {alternative}" if alternative else text


# What a call does when its timeout runs out, by method (the edit leaves it to the code).
_ON_TIMEOUT = {
    "put": "raises `queue.Full`",
    "get": "raises `queue.Empty`",
    "join": "returns with the worker still running (`is_alive()` tells)",
    "wait": "returns False",
    "wait_for": "returns the predicate's last (false) value",
    "result": "raises `TimeoutError`",
    "exception": "raises `TimeoutError`",
    "acquire": "returns False",
    "communicate": "raises `subprocess.TimeoutExpired`",
}
_ON_TIMEOUT_BY_KIND = {
    (Kind.BARRIER, "wait"): "raises `threading.BrokenBarrierError`",
    (Kind.PROCESS, "wait"): "raises `subprocess.TimeoutExpired`",
}
# Methods whose timeout shows only in what they return: the edit is made only where
# the code uses that result (a thrown-away False would go on as if the lock were held).
_RESULT_SAYS_TIMED_OUT = frozenset({"acquire"})


def bounded_wait_fix(ctx: RuleContext, wait: Wait, message: str) -> Fix:
    """`message` with the edits that bound `wait`, where the change is mechanical; the
    title then says what the edit does."""
    value = _timeout_value(ctx)
    if wait.info.flavor is Flavor.ASYNCIO:
        edits, how = _async_edits(ctx, wait.node)
        consequence = "raises `TimeoutError`"
    elif wait.row is not None and wait.info.mapping is None and wait.row.signature.takes_timeout:
        edits = _timeout_keyword_edits(ctx, wait)
        how = f"pass `timeout={value}` to `{wait.row.method}()`"
        key = (wait.info.kind, wait.row.method)
        consequence = _ON_TIMEOUT_BY_KIND.get(key) or _ON_TIMEOUT.get(wait.row.method, "")
        if wait.row.method in _RESULT_SAYS_TIMED_OUT and isinstance(wait.node.parent, nodes.Expr):
            edits = ()
    else:
        edits, how, consequence = (), "", ""
    if not edits:
        return Fix(message)
    title = f"{how}: after {value} s it {consequence}, which the code has to handle"
    return Fix(title, Applicability.UNSAFE, edits)


def _timeout_value(ctx: RuleContext) -> str:
    return repr(float(ctx.facts.options.fix_timeout))


def _timeout_keyword_edits(ctx: RuleContext, wait: Wait) -> tuple[Edit, ...]:
    call = wait.node
    assert isinstance(call, nodes.Call) and wait.row is not None
    source = ctx.source.segment(call)
    if source is None:
        return ()
    signature = wait.row.signature
    existing = timeout_argument(call, signature)
    value = _timeout_value(ctx)
    if existing is not None and existing in call.args:
        new = replace_argument(source, call.args.index(existing), value)
    else:
        new = with_keyword_argument(source, signature.timeout_name or "timeout", value)
    return (ctx.replace(call, new),) if new is not None else ()


def _async_edits(ctx: RuleContext, node: nodes.Call | nodes.Await) -> tuple[tuple[Edit, ...], str]:
    """The edits bounding an await, and what they do."""
    import_edit = _asyncio_import(ctx)
    if import_edit is None:
        return (), ""
    awaited = node if isinstance(node, nodes.Await) else node.parent
    if not isinstance(awaited, nodes.Await):
        return (), ""
    value = _timeout_value(ctx)
    inner = ctx.source.segment(awaited.value)
    if inner is None:
        return (), ""
    # `await task`: the task runs on its own; a timeout must not cancel it.
    shielded = not isinstance(awaited.value, nodes.Call)
    waited = f"asyncio.shield({inner})" if shielded else inner
    shield_note = f" with `{inner}` shielded from the cancellation" if shielded else ""
    statement = awaited.statement()
    if ctx.facts.options.target_version >= (3, 11) and _stands_alone(ctx, statement):
        start, _ = ctx.source.span(statement)
        inner_start, inner_end = ctx.source.span(awaited.value)
        text = ctx.source.segment(statement)
        if text is None or inner_start.row != start.row or inner_end.row != start.row:
            return (), ""
        begin = inner_start.column - start.column
        end = inner_end.column - start.column
        text = text[:begin] + waited + text[end:]
        indent = ctx.source.indentation(statement.lineno)
        wrapped = f"async with asyncio.timeout({value}):\n{indent}    {text}"
        how = f"wrap the await in `async with asyncio.timeout({value})`"
        return (ctx.replace(statement, wrapped), *import_edit), how + shield_note
    edit = ctx.replace(awaited.value, f"asyncio.wait_for({waited}, timeout={value})")
    how = f"wrap the await in `asyncio.wait_for(..., timeout={value})`"
    return (edit, *import_edit), how + shield_note


def _stands_alone(ctx: RuleContext, statement: nodes.NodeNG) -> bool:
    """A simple statement alone on one line: it can be indented under `async with`."""
    if not isinstance(statement, _SIMPLE_STATEMENTS) or statement.lineno != statement.end_lineno:
        return False
    line = ctx.source.lines[statement.lineno - 1]
    indent = ctx.source.indentation(statement.lineno)
    if statement.col_offset != len(indent.encode("utf-8")):
        return False
    for sibling in (statement.previous_sibling(), statement.next_sibling()):
        if sibling is not None and statement.lineno in (sibling.lineno, sibling.end_lineno):
            return False
    return not line.rstrip().endswith(("\\", ";"))


def _asyncio_import(ctx: RuleContext) -> tuple[Edit, ...] | None:
    """() when the module already binds `asyncio` to the module; an edit adding
    `import asyncio` when nothing binds the name; None when something else does."""
    module = ctx.facts.module
    bindings = module.locals.get("asyncio", [])
    if bindings:
        ok = all(isinstance(b, nodes.Import) and ("asyncio", None) in b.names for b in bindings)
        return () if ok else None
    row = 1
    for statement in module.body:
        is_docstring = isinstance(statement, nodes.Expr) and isinstance(
            statement.value, nodes.Const
        )
        is_future = isinstance(statement, nodes.ImportFrom) and statement.modname == "__future__"
        if not (is_docstring or is_future):
            decorators = getattr(statement, "decorators", None)
            rows = [d.lineno for d in decorators.nodes] if decorators else []
            row = min([statement.lineno, *rows])
            break
        row = (statement.end_lineno or statement.lineno) + 1
    return (ctx.insert(row, "import asyncio\n"),)
