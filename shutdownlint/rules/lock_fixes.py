"""Fixes that take a lock around a statement, shared by the shared-state rules.

The edit wraps the statement in `with <lock>:`, where the lock is the one that
guards the state's other accesses, written as this method names its instance
(`self._lock`, `cls._lock`) or as the module global. Only whole statements that
stand alone on their lines are wrapped; lines inside a multi-line string keep
their text. The result must parse (checked with libcst), else no edit is made.
Every such edit is unsafe: holding a lock longer can block, or deadlock when the
wrapped code takes another lock or calls out. Where the code that starts the
access's thread waits (joins it, waits on an event it sets) while holding that
very lock, taking the lock in the thread deadlocks for certain: no edit then, and
the help says why.
"""

from __future__ import annotations

import io
import tokenize

from astroid import nodes

from shutdownlint.analysis.infer import enclosing_function
from shutdownlint.analysis.locks import LockId
from shutdownlint.analysis.shared import Access
from shutdownlint.findings import Applicability, Edit, Fix, Location
from shutdownlint.fixes import apply_edits, parses
from shutdownlint.rules.base import RuleContext

_INDENT = "    "


def lock_text(lock: LockId, shown: str, at: nodes.NodeNG) -> str | None:
    """How the code at `at` names `lock`: `self._lock` becomes `cls._lock` in a
    classmethod; a lock that is neither the instance's nor a global is written as seen."""
    if lock.key.startswith("self."):
        function = enclosing_function(at)
        while function is not None and not isinstance(function.parent, nodes.ClassDef):
            function = enclosing_function(function)
        if function is None or isinstance(function, nodes.Lambda):
            return None
        params = function.args.posonlyargs + function.args.args
        if not params or function.type == "staticmethod":
            return None
        return f"{params[0].name}.{lock.key[len('self.') :]}"
    return shown


def with_lock_fix(
    ctx: RuleContext,
    statement: nodes.NodeNG,
    lock: str | None,
    message: str,
    held_while_waiting: nodes.NodeNG | None = None,
    through: nodes.NodeNG | None = None,
) -> Fix:
    """`message`, with an edit wrapping `statement` (through the later sibling statement
    `through`, when given) in `with <lock>:` when possible;
    none when `held_while_waiting` (a wait made while the lock is held) says it would
    deadlock."""
    if held_while_waiting is not None:
        wait = " ".join(held_while_waiting.as_string().split())
        return Fix(
            f"{message}; not done by an edit: `{wait}` (line {held_while_waiting.lineno}) "
            "waits while holding the lock, so taking it here can deadlock: release the "
            "lock before that wait first"
        )
    edit = _wrap(ctx, statement, through or statement, lock) if lock else None
    if edit is None:
        return Fix(message)
    return Fix(message, Applicability.UNSAFE, (edit,))


def wait_holding(ctx: RuleContext, access: Access, lock: LockId) -> nodes.Call | None:
    """A blocking wait (`join()`, `wait()`, `result()`, ...) made while `lock` is held, in
    a function that starts one of `access`'s threads or in the class (else the module)
    of `access`: the holder may wait for this very thread, which then can never take
    the lock."""
    names = ctx.facts.blocking.method_names - {"acquire", "put"}
    scope: nodes.NodeNG = access.function.root()
    owner = access.function.parent
    while owner is not None and not isinstance(owner, nodes.ClassDef | nodes.Module):
        owner = owner.parent
    if isinstance(owner, nodes.ClassDef):
        scope = owner
    places = [scope]
    for thread in access.threads:
        starter = enclosing_function(thread.site) if thread.site is not None else None
        if starter is not None:
            places.append(starter)
    for place in places:
        for call in place.nodes_of_class(nodes.Call):
            func = call.func
            if (
                isinstance(func, nodes.Attribute)
                and func.attrname in names
                and func.expr.as_string() != lock.key  # `cond.wait()` releases `cond`
                and lock in ctx.facts.locks.held_at(call).locks
            ):
                return call
    return None


def _wrap(
    ctx: RuleContext, statement: nodes.NodeNG, through: nodes.NodeNG, lock: str
) -> Edit | None:
    source = ctx.source
    first, last = statement.lineno, through.end_lineno
    if first is None or last is None or last > len(source.lines):
        return None
    indent = source.indentation(first)
    if statement.col_offset != len(indent.encode("utf-8")):
        return None  # shares its first line with something before it
    for sibling in (statement.previous_sibling(), through.next_sibling()):
        if sibling is not None and (sibling.lineno == last or sibling.end_lineno == first):
            return None  # `a; b` on one line
    block = source.lines[first - 1 : last]
    if block[-1].rstrip().endswith(("\\", ";")):
        return None
    inside_strings = _string_continuation_rows(block)
    wrapped = [f"{indent}with {lock}:"]
    for offset, line in enumerate(block):
        if offset in inside_strings or not line.strip():
            wrapped.append(line)
        else:
            wrapped.append(_INDENT + line)
    content = "\n".join(wrapped)
    edit = Edit(content[len(indent) :], Location(first, len(indent) + 1), _end_of(source, last))
    if not parses(apply_edits(source.text, [edit])):
        return None
    return edit


def _end_of(source, row: int) -> Location:
    return Location(row, len(source.lines[row - 1]) + 1)


def _string_continuation_rows(block: list[str]) -> set[int]:
    """Offsets of the lines that begin inside a multi-line string (their text is data)."""
    rows: set[int] = set()
    text = "\n".join(line.lstrip() if i == 0 else line for i, line in enumerate(block)) + "\n"
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                rows.update(range(token.start[0], token.end[0]))  # 0-based: the rows after
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return set(range(1, len(block)))  # unsure: touch nothing but the first line
    return rows
