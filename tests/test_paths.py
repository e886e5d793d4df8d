"""The exception-path model: which exits leave an obligation unreleased.

Each case is a function; the obligation is `x`, released by `x.release()`, pending from
the line marked `# start` (or from the entry), and every line marked `# leak` must be
reported, nothing else."""

from __future__ import annotations

import textwrap

import astroid
import pytest
from astroid import nodes

from shutdownlint.analysis.infer import walk
from shutdownlint.analysis.options import DEFAULT_RAISES_ON
from shutdownlint.analysis.ownership import Tracker, conditional_release, identity
from shutdownlint.analysis.paths import (
    Obligation,
    RaiseModel,
    Raising,
    Release,
    Scope,
    catches,
    unreleased_exits,
)


def _releases(node: nodes.NodeNG) -> Release:
    if isinstance(node, nodes.With):
        owned = any(item.as_string() in ("x", "closing(x)") for item, _ in node.items)
        return Release.NOW if owned else Release.NO
    for call in walk(node):
        if isinstance(call, _SCOPE_TYPES) and call is not node:
            continue
        if (
            isinstance(call, nodes.Call)
            and isinstance(call.func, nodes.Attribute)
            and call.func.attrname == "release"
            and call.func.expr.as_string() == "x"
        ):
            return Release.NOW
    if isinstance(node, nodes.Return) and node.value is not None and node.value.as_string() == "x":
        return Release.NOW
    return Release.NO


_SCOPE_TYPES = (nodes.FunctionDef, nodes.Lambda)


def leaks(source: str, scope: Scope = Scope.FUNCTION, raising: Raising = Raising.ALL, **kw):
    source = textwrap.dedent(source)
    module = astroid.parse(source)
    function = next(
        n for n in module.body if isinstance(n, nodes.FunctionDef | nodes.AsyncFunctionDef)
    )
    lines = source.splitlines()
    start = None
    for node in walk(function):
        if (
            node.is_statement
            and node.lineno
            and lines[node.lineno - 1].rstrip().endswith("# start")
        ):
            start = node
            break
    loop = None
    if scope is not Scope.FUNCTION:
        loop = next(n for n in walk(function) if isinstance(n, nodes.For | nodes.While))
    obligation = Obligation(_releases, start=start, scope=scope, loop=loop, raising=raising, **kw)
    found = unreleased_exits(function, obligation, RaiseModel(DEFAULT_RAISES_ON))
    expected = {i for i, line in enumerate(lines, 1) if "# leak" in line}
    return {leak.node.lineno for leak in found}, expected


CASES = {
    "released at the end, calls before leak once each": """
        def f(x):
            prepare()  # leak
            connect()  # leak
            x.release()
            after()
        """,
    "early return": """
        def f(x, ok):
            if not ok:
                return None  # leak
            x.release()
        """,
    "returning the object hands it over": """
        def f(x):
            return x
        """,
    "finally releases every exit": """
        def f(x, ok):
            try:
                if not ok:
                    return
                work()
            finally:
                x.release()
        """,
    "a handler that releases covers its body": """
        def f(x):
            try:
                work()
            except Exception:
                x.release()
                raise
            x.release()
        """,
    "re-raising a caught exception is reported once, where it was raised": """
        def f(x):
            try:
                work()  # leak
            except OSError as e:
                log()
                raise RuntimeError("failed") from e
            x.release()
        """,
    "a raise on the normal path is its own exit": """
        def f(x, ok):
            if not ok:
                raise ValueError("bad")  # leak
            x.release()
        """,
    "an exception caught and dropped falls through unreleased": """
        def f(x):
            try:
                work()  # leak
            except Exception:
                pass
            else:
                x.release()
        """,
    "queue.Empty is only raised by get": """
        def f(q):
            try:
                x = q.get(timeout=1)  # start
                x.release()
            except Empty:
                return
        """,
    "a narrow handler does not catch what other calls raise": """
        def f(x, q):
            try:
                work()  # leak
                x.release()
            except Empty:
                return
        """,
    "before the start nothing is owed": """
        def f(q):
            prepare()
            x = make()  # start
            use(x)  # leak
            x.release()
        """,
    "with owning the object releases it": """
        def f(x):
            with closing(x):
                work()
        """,
    "suppress swallows and falls through": """
        def f(x):
            with contextlib.suppress(OSError):
                work()
            x.release()
        """,
    "swallowed and never released": """
        def f(x):
            with contextlib.suppress(OSError):
                work()  # leak
                x.release()
        """,
    "a conditional release is no leak at the end": """
        def f(x, ok):
            if ok:
                x.release()
        """,
    "logging and len do not raise": """
        def f(x, items):
            logger.info("releasing %s", compute(items))
            n = len(items)
            x.release()
        """,
    "loops: a break before the release is internal flow": """
        def f(x, items):
            for item in items:
                if item:
                    break
                step(item)  # leak
            x.release()
        """,
}


@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_function_scope(source: str) -> None:
    found, expected = leaks(source)
    assert found == expected


ITERATION = {
    "continue and exceptions leak per iteration": """
        def f(q, items):
            while True:
                x = q.get()  # start
                size = measure(x)  # leak
                if size > 10:
                    continue  # leak
                items.append(x)
                x.release()
        """,
    "an exception caught inside the loop ends the iteration unreleased": """
        def f(q):
            while True:
                try:
                    x = q.get(timeout=1)  # start
                    handle(x)  # leak
                    x.release()
                except Empty:
                    break
                except Exception:
                    log()
        """,
    "release in finally covers continue": """
        def f(q):
            while True:
                x = q.get()  # start
                try:
                    if x is None:
                        continue
                    handle(x)
                finally:
                    x.release()
        """,
}


@pytest.mark.parametrize("source", ITERATION.values(), ids=ITERATION.keys())
def test_iteration_scope(source: str) -> None:
    found, expected = leaks(source, Scope.ITERATION)
    assert found == expected


def test_serving_loop_only_explicit_exits_leak() -> None:
    found, expected = leaks(
        """
        def f(q, ev):
            while True:
                message = q.get()
                if message is True:
                    ev.set()
                    continue
                try:
                    write(message)
                except Exception:
                    if strict():
                        raise  # leak
                    report()
        """,
        Scope.SERVING,
        Raising.EXPLICIT,
    )
    assert found == expected


def test_cancellation_escapes_except_exception() -> None:
    source = """
        async def f(x):
            try:
                await work()  # leak
            except Exception:
                x.release()
                raise
            x.release()
        """
    found, expected = leaks(source, cancellation=True)
    assert found == expected
    found, _ = leaks(source)  # without asyncio cancellation: covered by the handler
    assert found == set()


def test_raises_on_subscripts() -> None:
    source = textwrap.dedent(
        """
        def f(x, d):
            v = d["k"]
            x.release()
        """
    )
    function = astroid.parse(source).body[0]
    ob = Obligation(_releases)
    assert unreleased_exits(function, ob, RaiseModel(DEFAULT_RAISES_ON)) == []
    found = unreleased_exits(function, ob, RaiseModel((*DEFAULT_RAISES_ON, "subscript")))
    assert [leak.node.lineno for leak in found] == [3]


@pytest.mark.parametrize(
    ("handler", "exception", "caught"),
    [
        ("except ValueError:", "KeyError", False),
        ("except:", "KeyError", True),
        ("except BaseException:", "asyncio.CancelledError", True),
        ("except Exception:", "asyncio.CancelledError", False),
        ("except Exception:", "KeyboardInterrupt", False),
        ("except Exception:", "SystemExit", False),
        ("except Exception:", "concurrent.futures.CancelledError", True),
        ("except (KeyError, ValueError):", "KeyError", True),
    ],
)
def test_which_handler_catches_what(handler: str, exception: str, caught: bool) -> None:
    node = astroid.extract_node(f"try:\n    pass\n{handler}\n    pass\n")
    assert catches(node.handlers[0], exception) is caught


# -- a release owed only in some states (SDL102) ---------------------------------------
CONDITIONAL = """
class Cycle:
    async def send(self, message):
        if self.disconnected:
            return
        self.transport.write(message["body"])
        if not message.get("more_body"):
            self.message_event.set()

    async def start(self):
        await self.connect()
        if self.message_event is not None:
            self.message_event.set()
        else:
            self.message_event.set()

    async def ready(self):
        await self.connect()
        self.message_event.set()
"""


@pytest.mark.parametrize(
    ("method", "conditional"), [("send", True), ("start", False), ("ready", False)]
)
def test_a_release_in_one_branch_only_is_owed_in_that_state_only(method, conditional) -> None:
    module = astroid.parse(CONDITIONAL)
    function = next(f for f in module.body[0].mymethods() if f.name == method)
    release = [
        n
        for n in walk(function)
        if isinstance(n, nodes.Call) and n.func.as_string() == "self.message_event.set"
    ][-1].statement()
    tracker = Tracker(
        frozenset({identity(release.value.func.expr)}), frozenset({"set"}), hand_over=False
    )
    assert conditional_release(release, function, tracker) is conditional
