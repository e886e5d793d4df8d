"""Bounded, exception-safe astroid inference and small node helpers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from astroid import bases, nodes, util
from astroid.exceptions import AstroidError

from shutdownlint.analysis.astroid_env import is_project_module, proxied

#: At most this many inferred values are looked at per expression.
MAX_VALUES = 8

FunctionLike = nodes.FunctionDef | nodes.AsyncFunctionDef | nodes.Lambda


def infer_values(node: nodes.NodeNG, stats: Counter[str] | None = None) -> list:
    """The values `node` may take, Uninferable dropped; [] when inference fails.

    Inference on real code can fail in many ways (missing modules, recursion in
    astroid, odd metaclasses); a linter must give up quietly on that node.
    """
    out = []
    try:
        for i, value in enumerate(node.infer()):
            if i >= MAX_VALUES:
                break
            if not isinstance(value, util.UninferableBase):
                out.append(value)
    except (AstroidError, StopIteration):
        return out
    except RecursionError:
        if stats is not None:
            stats["gave_up"] += 1
        return []
    except Exception:  # noqa: BLE001 - astroid's own bugs on odd code (a ValueError in
        return out  # its constraint code on a string annotation): give up on the node
    return out


def lookup(node: nodes.NodeNG, name: str) -> tuple[nodes.NodeNG, list[nodes.NodeNG]]:
    """`node.lookup(name)`, but a local assigned in a `try` body is the same local in its
    handlers: astroid takes the body and a handler for exclusive branches and finds no
    binding from the handler (`try: sock = socket() ... except OSError: sock.close()`),
    when a handler runs after any prefix of the body. Raises what `lookup` raises."""
    scope, assigns = node.lookup(name)
    if not assigns:
        frame = node.frame()
        if isinstance(frame, FunctionLike) and frame is not node:
            bound = [a for a in frame.locals.get(name, ()) if isinstance(a, nodes.AssignName)]
            if bound:
                return frame, bound
    return scope, assigns


def assigned_targets(node: nodes.NodeNG) -> list[nodes.NodeNG]:
    """The targets a statement assigns: `a = b = x` (both), `a: T = x` (one); [] for
    anything else (an annotation without a value assigns nothing)."""
    if isinstance(node, nodes.Assign):
        return list(node.targets)
    if isinstance(node, nodes.AnnAssign) and node.value is not None:
        return [node.target]
    return []


def _unwrap_method(value):
    """The function behind a bound or unbound method (a BoundMethod proxies an
    UnboundMethod, which proxies the FunctionDef)."""
    while isinstance(value, bases.BoundMethod | bases.UnboundMethod):
        value = proxied(value)
    return value


def function_of(value) -> FunctionLike | None:
    """The function definition behind an inferred callable value."""
    value = _unwrap_method(value)
    if isinstance(value, FunctionLike):
        return value
    return None


def qname_of(value) -> str | None:
    """The qualified name of an inferred class, function or method."""
    value = _unwrap_method(value)
    if isinstance(value, nodes.ClassDef | nodes.FunctionDef):
        try:
            return value.qname()
        except AstroidError:
            return None
    return None


def dotted_name(node: nodes.NodeNG) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, nodes.Attribute):
        parts.append(node.attrname)
        node = node.expr
    if isinstance(node, nodes.Name):
        parts.append(node.name)
        return ".".join(reversed(parts))
    return None


def last_name(node: nodes.NodeNG | None) -> str | None:
    """`c` for `a.b.c` or `c`: the name a call or reference ends in."""
    if isinstance(node, nodes.Attribute):
        return node.attrname
    if isinstance(node, nodes.Name):
        return node.name
    return None


def enclosing_function(node: nodes.NodeNG) -> FunctionLike | None:
    """The innermost function or lambda whose body holds `node`."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, FunctionLike):
            return parent
        parent = parent.parent
    return None


def enclosing_class(node: nodes.NodeNG) -> nodes.ClassDef | None:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.ClassDef):
            return parent
        parent = parent.parent
    return None


def walk(node: nodes.NodeNG) -> Iterator[nodes.NodeNG]:
    """Every node below `node` (itself included), without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current.get_children())))


def call_argument(call: nodes.Call, position: int | None, keyword: str) -> nodes.NodeNG | None:
    """The argument passed as `keyword=` or at `position`, else None."""
    for kw in call.keywords or ():
        if kw.arg == keyword:
            return kw.value
    if position is not None and 0 <= position < len(call.args):
        arg = call.args[position]
        if not any(isinstance(a, nodes.Starred) for a in call.args[: position + 1]):
            return arg
    return None


def positional_parameters(function: FunctionLike) -> list[nodes.AssignName] | None:
    """The positional parameters of a function, or None when astroid does not know its
    signature (a function of a compiled module, which inference can reach)."""
    args = function.args
    if args.args is None:
        return None
    return [*args.posonlyargs, *args.args]


def has_star_arguments(call: nodes.Call) -> bool:
    """True when `*args` or `**kwargs` hide which arguments are passed."""
    return any(isinstance(a, nodes.Starred) for a in call.args) or any(
        kw.arg is None for kw in call.keywords or ()
    )


def self_attr(node: nodes.NodeNG) -> bool:
    """`self.<name>`."""
    return isinstance(node, nodes.Attribute) and is_self_parameter(node.expr)


def assigned_name(value: nodes.NodeNG) -> str | None:
    """The local name `value` is assigned to: `t = self._thread`, and the matching element
    of a tuple swap `sock, self._sock = self._sock, None`."""
    parent = value.parent
    if isinstance(parent, nodes.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, nodes.AssignName) and parent.value is value:
            return target.name
    if isinstance(parent, nodes.Tuple) and isinstance(parent.parent, nodes.Assign):
        assign = parent.parent
        target = assign.targets[0] if len(assign.targets) == 1 else None
        if (
            assign.value is parent
            and isinstance(target, nodes.Tuple)
            and len(target.elts) == len(parent.elts)
        ):
            element = target.elts[parent.elts.index(value)]
            if isinstance(element, nodes.AssignName):
                return element.name
    return None


def sole_definition(name: nodes.Name) -> nodes.NodeNG | None:
    """The one binding `name` resolves to (a class or function statement, an assigned
    name), or None when it has none or several."""
    try:
        _, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return None
    return assigns[0] if len(assigns) == 1 else None


def is_self_parameter(node: nodes.NodeNG) -> bool:
    """`self` / `cls`: the first parameter of the enclosing method."""
    if not isinstance(node, nodes.Name):
        return False
    function = enclosing_function(node)
    while function is not None and not isinstance(function.parent, nodes.ClassDef):
        function = enclosing_function(function)
    if function is None or isinstance(function, nodes.Lambda):
        return False
    params = function.args.posonlyargs + function.args.args
    return bool(params) and params[0].name == node.name


def self_getattr_name(node: nodes.NodeNG) -> str | None:
    """`getattr(self, "_x")` or `getattr(self, "_x", default)`: the name of the attribute
    of `self` it reads (None for any other node)."""
    if (
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Name)
        and node.func.name == "getattr"
        and len(node.args) >= 2
        and is_self_parameter(node.args[0])
        and isinstance(node.args[1], nodes.Const)
        and isinstance(node.args[1].value, str)
    ):
        return node.args[1].value
    return None


def loop_iterable(target: nodes.NodeNG) -> nodes.NodeNG | None:
    """`xs` when `target` is the variable of `for target in xs` (or a comprehension's)."""
    parent = target.parent
    if isinstance(parent, nodes.For | nodes.Comprehension) and target is parent.target:
        return parent.iter
    return None


@dataclass(frozen=True)
class StateKey:
    """What long-lived state an expression names: `self.<name>` of a class (`owner` is the
    ClassDef), or a module global (`owner` is the Module). Locals have no key."""

    owner: nodes.ClassDef | nodes.Module
    name: str


def state_key(expr: nodes.NodeNG) -> StateKey | None:
    """`self.x` -> (class, "x"); a global name -> (module, name); else None."""
    if isinstance(expr, nodes.Attribute) and is_self_parameter(expr.expr):
        cls = enclosing_class(expr)
        return StateKey(cls, expr.attrname) if cls is not None else None
    if isinstance(expr, nodes.Name | nodes.AssignName):
        try:
            scope, _ = lookup(expr, expr.name)
        except (AstroidError, RecursionError):
            return None
        if isinstance(scope, nodes.Module):
            return StateKey(scope, expr.name)
    return None


def imported_definitions(
    expr: nodes.NodeNG, stats: Counter[str] | None = None
) -> list[FunctionLike | nodes.ClassDef]:
    """The functions and classes of the analysed project's other modules that `expr`
    names through this module's imports: `dial` after `from .links import dial`,
    `links.dial` after `from pkg import links`. Those modules are built from source by
    the import hook, never imported; the standard library and installed packages are
    not followed (the kind tables know them)."""
    root = expr
    while isinstance(root, nodes.Attribute):
        root = root.expr
    if not isinstance(root, nodes.Name):
        return []
    try:
        _, assigns = lookup(root, root.name)
    except (AstroidError, RecursionError):
        return []
    if not any(isinstance(a, nodes.Import | nodes.ImportFrom) for a in assigns):
        return []
    here = expr.root()
    out: list[FunctionLike | nodes.ClassDef] = []
    for value in infer_values(expr, stats):
        value = _unwrap_method(value)
        if not isinstance(value, FunctionLike | nodes.ClassDef) or value in out:
            continue
        module = value.root()
        if module is not here and isinstance(module, nodes.Module) and is_project_module(module):
            out.append(value)
    return out


def imported_name(expr: nodes.NodeNG) -> str | None:
    """The dotted name `expr` refers to through the module's imports, without building
    the imported module: `Transport` after `from paramiko import Transport` is
    `paramiko.Transport`; `pk.Transport` after `import paramiko as pk` likewise. For
    third-party types astroid cannot see (the package is not installed)."""
    parts: list[str] = []
    while isinstance(expr, nodes.Attribute):
        parts.append(expr.attrname)
        expr = expr.expr
    if not isinstance(expr, nodes.Name):
        return None
    try:
        _, assigns = lookup(expr, expr.name)
    except (AstroidError, RecursionError):
        return None
    for assign in assigns:
        if isinstance(assign, nodes.ImportFrom) and assign.level in (None, 0):
            for name, alias in assign.names:
                if (alias or name) == expr.name:
                    return ".".join([assign.modname, name, *reversed(parts)])
        if isinstance(assign, nodes.Import):
            for name, alias in assign.names:
                if alias == expr.name:
                    return ".".join([name, *reversed(parts)])
                if alias is None and name.split(".")[0] == expr.name:
                    return ".".join([expr.name, *reversed(parts)])
    return None


def decorator_names(function: FunctionLike) -> frozenset[str]:
    """The last names of `function`'s decorators (`@contextlib.contextmanager`,
    `@x.setter`, `@functools.lru_cache()` -> "contextmanager", "setter", "lru_cache")."""
    decorators = getattr(function, "decorators", None)
    if decorators is None:
        return frozenset()
    names = (last_name(d.func if isinstance(d, nodes.Call) else d) for d in decorators.nodes)
    return frozenset(name for name in names if name)


def in_loop(node: nodes.NodeNG) -> bool:
    """`node` runs inside a loop or comprehension of its own function."""
    function = enclosing_function(node)
    parent = node.parent
    while parent is not None and parent is not function:
        if isinstance(
            parent,
            nodes.For
            | nodes.While
            | nodes.Comprehension
            | nodes.ListComp
            | nodes.SetComp
            | nodes.DictComp
            | nodes.GeneratorExp,
        ):
            return True
        parent = parent.parent
    return False


def property_reads(cls: nodes.ClassDef) -> dict[str, frozenset[str]]:
    """{property of the class: the attributes of `self` its getter reads}."""
    return {
        method.name: frozenset(
            n.attrname
            for n in walk(method)
            if isinstance(n, nodes.Attribute) and is_self_parameter(n.expr)
        )
        for method in cls.mymethods()
        if "property" in decorator_names(method)
    }


def is_done_set(name: nodes.Name) -> bool:
    """`done` in `done, pending = wait(fs)` or `done = wait(fs).done` (`concurrent.futures` or
    `asyncio`, awaited or not): the futures or tasks that have finished."""
    half = wait_half(name)
    return half is not None and half[0] == "done"


def wait_half(name: nodes.Name) -> tuple[str, nodes.NodeNG] | None:
    """Which half of a `wait(fs)` result `name` is, with the `wait` call: "done" (`done, _
    = wait(fs)`, `wait(fs).done`) or "pending" (the second name, `.not_done`). `wait` puts
    each future or task it was given in exactly one of the two."""
    try:
        _, assigns = lookup(name, name.name)
    except Exception:  # noqa: BLE001
        return None
    for assign in assigns:
        parent = assign.parent
        if isinstance(parent, nodes.Tuple) and isinstance(parent.parent, nodes.Assign):
            value = parent.parent.value
            if (
                isinstance(value, nodes.Call | nodes.Await)
                and _called_name(value) == "wait"
                and len(parent.elts) == 2
            ):
                return ("done", "pending")[parent.elts.index(assign)], value
        if isinstance(parent, nodes.Assign) and isinstance(parent.value, nodes.Attribute):
            attribute = parent.value
            if _called_name(attribute.expr) == "wait":
                if attribute.attrname == "done":
                    return "done", attribute.expr
                if attribute.attrname == "not_done":
                    return "pending", attribute.expr
    return None


def _called_name(node: nodes.NodeNG) -> str | None:
    if isinstance(node, nodes.Await):
        node = node.value
    if isinstance(node, nodes.Call):
        name = dotted_name(node.func)
        return name.rsplit(".", 1)[-1] if name else None
    return None


def made_by_one_call(name: nodes.Name, through_await: bool = False) -> nodes.Call | None:
    """The call a local of its function was made by (`sock = make(); ...; return sock`),
    when it has that one assignment (`x = await make()` too, `through_await`)."""
    try:
        scope, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return None
    if scope is not name.scope():
        return None  # a module's or an enclosing function's: not made by this call
    if len(assigns) != 1 or not isinstance(assigns[0].parent, nodes.Assign):
        return None
    value = assigns[0].parent.value
    if through_await and isinstance(value, nodes.Await):
        value = value.value
    return value if isinstance(value, nodes.Call) else None


def method_in(cls: nodes.ClassDef, name: str, module: nodes.Module) -> FunctionLike | None:
    """The method `name` that `cls` has (its own or inherited), when `module` defines it."""
    try:
        found = cls.getattr(name)
    except (AstroidError, RecursionError):
        return None
    for node in found:
        if isinstance(node, nodes.FunctionDef | nodes.AsyncFunctionDef):
            return node if node.root() is module else None
    return None


def class_held_by(
    cls: nodes.ClassDef, name: str, stats: Counter[str] | None = None
) -> nodes.ClassDef | None:
    """The class of this module whose instance `cls` keeps in `self.<name>`
    (`self._feed = ZoneFeed(url)`), if one does."""
    for node in walk(cls):
        if (
            isinstance(node, nodes.AssignAttr)
            and node.attrname == name
            and is_self_parameter(node.expr)
            and isinstance(node.parent, nodes.Assign)
            and isinstance(node.parent.value, nodes.Call)
        ):
            for value in infer_values(node.parent.value.func, stats):
                if isinstance(value, nodes.ClassDef) and value.root() is cls.root():
                    return value
    return None


def in_finally(node: nodes.NodeNG, function: FunctionLike) -> bool:
    """`node` is in a `finally:` block of `function` itself."""
    while node.parent is not None and node.parent is not function:
        parent = node.parent
        if isinstance(parent, nodes.Try) and node in parent.finalbody:
            return True
        node = parent
    return False
