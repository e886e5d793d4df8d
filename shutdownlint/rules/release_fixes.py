"""Fixes that add a release, shared by the SDL1xx rules: a line inserted before an
early exit (`evt.set()` before `return`, `q.task_done()` before `continue`), or at the
end of a stop method (`self._thread.join(timeout=...)`). Every one is unsafe: the
release changes what the code does on that path."""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from shutdownlint.analysis.infer import FunctionLike
from shutdownlint.analysis.paths import Leak, LeakKind
from shutdownlint.analysis.vocabulary import Kind
from shutdownlint.findings import Applicability, Fix
from shutdownlint.rules.base import RuleContext

#: How a message says what an exit does.
EXIT_WORDS: dict[LeakKind, str] = {
    LeakKind.RETURN: "returns here",
    LeakKind.RAISE: "raises here",
    LeakKind.BREAK: "leaves the loop here",
    LeakKind.CONTINUE: "skips to the next item here",
    LeakKind.EXCEPTION: "this call raises",
}


@dataclass(frozen=True)
class LifecycleLeak:
    """An exit that leaves an obligation unreleased, with what explains it."""

    leak: Leak
    function: FunctionLike
    subject: str  # how a message names the object: `sock`, `self._ready`
    kind: Kind | None
    made: nodes.NodeNG | None  # where the object was made, started or taken
    related: tuple[tuple[nodes.NodeNG, str], ...] = ()
    release: str | None = None  # the statement that would release it here (for edits)


@dataclass(frozen=True)
class ClassLeak:
    """A class-level finding: a stop method that never releases what the class owns."""

    cls: nodes.ClassDef
    method: nodes.FunctionDef  # the stop/close method (reported at its `def`)
    attribute: str
    kind: Kind
    related: tuple[tuple[nodes.NodeNG, str], ...]
    may_be_none: bool = False  # the attribute is reset to None somewhere


_EXITS = (LeakKind.RETURN, LeakKind.CONTINUE, LeakKind.BREAK)


def exit_phrase(leak: LifecycleLeak) -> str:
    """How a message says which exit leaks: "`close()` returns here", "`conn.connect()` raises"."""
    node = leak.leak.node
    if leak.leak.kind is LeakKind.EXCEPTION:
        text = " ".join(node.as_string().split())
        if len(text) > 40:
            text = text[:37] + "..."
        if isinstance(node.parent, nodes.For) and node is node.parent.iter:
            loop = "async for" if isinstance(node.parent, nodes.AsyncFor) else "for"
            return f"taking the next item of `{text}` (`{loop}`) raises"
        return f"`{text}` raises"
    name = getattr(leak.function, "name", "<lambda>")
    return f"`{name}()` {EXIT_WORDS[leak.leak.kind]}"


def release_before_exit(ctx: RuleContext, leak: LifecycleLeak, message: str) -> Fix:
    """`message` as a suggestion; or, where the leaking exit is an early `return`,
    `continue` or `break` alone on its line, an edit inserting the release right before
    it, titled with what it does."""
    node = leak.leak.node
    if leak.release is None or leak.leak.kind not in _EXITS or not _starts_line(ctx, node):
        return Fix(message)
    indent = ctx.source.indentation(node.lineno)
    edit = ctx.insert(node.lineno, f"{indent}{leak.release}\n")
    title = f"call `{leak.release}` just before this `{leak.leak.kind.value}`"
    return Fix(title, Applicability.UNSAFE, (edit,))


def append_to_method(
    ctx: RuleContext,
    method: nodes.FunctionDef,
    lines: list[str],
    message: str,
    attribute: str | None = None,
) -> Fix:
    """`message`, with an edit adding `lines` at the end of `method` (before a final
    `return`), or before the statement of its body that rebinds `self.<attribute>`
    (releasing it after `self._sock = None` would release nothing)."""
    body = method.body
    last = body[-1]
    lines = _in_file_indentation(ctx, method, lines)
    rebind = next((s for s in body if attribute and _rebinds(s, attribute)), None)
    if rebind is not None:
        if not _starts_line(ctx, rebind):
            return Fix(message)
        text = "".join(f"{ctx.source.indentation(rebind.lineno)}{line}\n" for line in lines)
        return Fix(message, Applicability.UNSAFE, (ctx.insert(rebind.lineno, text),))
    if isinstance(last, nodes.Return):
        if not _starts_line(ctx, last):
            return Fix(message)
        row, indent = last.lineno, ctx.source.indentation(last.lineno)
    else:
        first = body[0]
        if not _starts_line(ctx, first) or last.end_lineno is None:
            return Fix(message)
        row, indent = last.end_lineno + 1, ctx.source.indentation(first.lineno)
    text = "".join(f"{indent}{line}\n" for line in lines)
    return Fix(message, Applicability.UNSAFE, (ctx.insert(row, text),))


def _starts_line(ctx: RuleContext, node: nodes.NodeNG) -> bool:
    """`node` is the first thing on its line (so a line can be inserted above it)."""
    if node.lineno is None:
        return False
    indent = ctx.source.indentation(node.lineno)
    return node.col_offset == len(indent.encode("utf-8"))


def _rebinds(statement: nodes.NodeNG, attribute: str) -> bool:
    """`self.<attribute> = ...` (also within a tuple target)."""
    if not isinstance(statement, nodes.Assign | nodes.AnnAssign):
        return False
    targets = statement.targets if isinstance(statement, nodes.Assign) else [statement.target]
    for target in targets:
        elements = target.elts if isinstance(target, nodes.Tuple | nodes.List) else [target]
        for element in elements:
            if isinstance(element, nodes.AssignAttr) and element.attrname == attribute:
                return True
    return False


def _in_file_indentation(
    ctx: RuleContext, method: nodes.FunctionDef, lines: list[str]
) -> list[str]:
    """`lines` nest with four spaces; a file indented otherwise (tabs, two spaces) gets
    its own unit: the step from the `def` line to the method's body."""
    outer = ctx.source.indentation(method.lineno)
    inner = ctx.source.indentation(method.body[0].lineno)
    unit = inner[len(outer) :] if inner.startswith(outer) and len(inner) > len(outer) else ""
    if not unit or unit == "    ":
        return lines
    out = []
    for line in lines:
        stripped = line.lstrip(" ")
        out.append(unit * ((len(line) - len(stripped)) // 4) + stripped)
    return out
