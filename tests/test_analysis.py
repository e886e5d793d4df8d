"""Unit tests of the shared facts: kinds, queue bounds, contexts, shutdown paths."""

from __future__ import annotations

import textwrap

import astroid
import pytest
from astroid import nodes

from shutdownlint.analysis.contexts import ShutdownWhy, is_shutdown_name
from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.options import AnalysisOptions, TypeMapping
from shutdownlint.rules.context_words import shutdown_reason


def facts_for(source: str, **options) -> ModuleFacts:
    module = astroid.parse(textwrap.dedent(source), module_name="analysed")
    return ModuleFacts(module, AnalysisOptions(**options))


def marked(facts: ModuleFacts, marker: str = "# <-") -> nodes.NodeNG:
    """The expression statement's value on the line that ends with the marker."""
    lines = facts.module.stream().read().decode().splitlines()
    row = next(i for i, line in enumerate(lines, 1) if line.rstrip().endswith(marker))
    for node in facts.module.nodes_of_class(nodes.Expr):
        if node.lineno == row:
            return node.value
    raise AssertionError("no expression on the marked line")


@pytest.mark.parametrize(
    ("setup", "expr", "kind", "flavor"),
    [
        ("import queue\nx = queue.Queue()", "x", "queue", "threading"),
        ("from queue import Queue as Q\nx = Q(3)", "x", "queue", "threading"),
        ("import asyncio\nx = asyncio.Queue()", "x", "queue", "asyncio"),
        ("import multiprocessing as mp\nx = mp.Queue()", "x", "queue", "multiprocessing"),
        (
            "import multiprocessing as mp\nx = mp.get_context('spawn').Queue()",
            "x",
            "queue",
            "multiprocessing",
        ),
        ("import threading\nx = threading.Event()", "x", "event", "threading"),
        ("import asyncio\nx = asyncio.Event()", "x", "event", "asyncio"),
        ("import threading\nx = threading.Lock()", "x", "lock", "threading"),
        ("import threading\nx = threading.RLock()", "x", "lock", "threading"),
        ("import threading\nx = threading.Condition()", "x", "condition", "threading"),
        ("import threading\nx = threading.Timer(1, print)", "x", "thread", "threading"),
        (
            "import concurrent.futures as cf\nx = cf.ThreadPoolExecutor()",
            "x",
            "executor",
            "threading",
        ),
        (
            "import concurrent.futures as cf\nx = cf.ProcessPoolExecutor()",
            "x",
            "executor",
            "multiprocessing",
        ),
        (
            "import concurrent.futures as cf\nx = cf.ThreadPoolExecutor().submit(print)",
            "x",
            "future",
            "threading",
        ),
        ("import subprocess\nx = subprocess.Popen(['x'])", "x", "process", "subprocess"),
        (
            "import multiprocessing\nx = multiprocessing.Process()",
            "x",
            "process",
            "multiprocessing",
        ),
        ("import socket\nx = socket.socket()", "x", "socket", "threading"),
        ("import socket\nx = socket.create_connection(('h', 1))", "x", "socket", "threading"),
        (
            "import socketserver\nx = socketserver.TCPServer(('', 0), None)",
            "x",
            "server",
            "threading",
        ),
        (
            "import asyncio\nasync def f():\n    x = asyncio.create_task(f())\n    x",
            "x",
            "task",
            "asyncio",
        ),
        ("from paramiko import Transport\nx = Transport(None)", "x", "thread", "threading"),
        (
            "import asyncio\nasync def f():\n    loop = asyncio.get_running_loop()\n"
            "    x = loop.create_future()\n    x",
            "x",
            "future",
            "asyncio",
        ),
        (
            "import asyncio\nasync def f(loop):\n    x = loop.create_task(f())\n    x",
            "x",
            "task",
            "asyncio",
        ),
        (
            "import asyncio\nasync def f(loop):\n    x = loop.run_in_executor(None, print)\n    x",
            "x",
            "future",
            "asyncio",
        ),
        ("import paramiko as pk\nx = pk.Transport(None)", "x", "thread", "threading"),
        (
            "import threading\nclass W(threading.Thread):\n    pass\nx = W()",
            "x",
            "thread",
            "threading",
        ),
    ],
)
def test_kind_of(setup: str, expr: str, kind: str, flavor: str) -> None:
    facts = facts_for(setup + "  # <-" if setup.endswith(expr) else setup + f"\n{expr}  # <-")
    info = facts.kinds.kind_of(marked(facts))
    assert info is not None and (info.kind, info.flavor) == (kind, flavor)


def test_kind_is_never_guessed_from_a_name() -> None:
    facts = facts_for("queue = object()\nevent_queue = []\nevent_queue  # <-")
    assert facts.kinds.kind_of(marked(facts)) is None


def test_self_attribute_assigned_in_another_method() -> None:
    facts = facts_for(
        """
        import queue
        class C:
            def start(self):
                self._q = queue.Queue(maxsize=7)
            def run(self):
                self._q  # <-
        """
    )
    info = facts.kinds.kind_of(marked(facts))
    assert info.kind == "queue"
    bound = facts.kinds.queue_bound(info)
    assert (bound.state, bound.size) == ("bounded", 7)


@pytest.mark.parametrize(
    ("construct", "state", "size"),
    [
        ("queue.Queue()", "unbounded", None),
        ("queue.Queue(0)", "unbounded", None),
        ("queue.Queue(-1)", "unbounded", None),
        ("queue.Queue(5)", "bounded", 5),
        ("queue.Queue(maxsize=SIZE)", "bounded", 12),
        ("queue.Queue(maxsize=C.LIMIT)", "bounded", 3),
        ("queue.Queue(maxsize=n)", "bounded", None),  # explicit, not pinned down
        ("queue.Queue(maxsize=ZERO)", "unbounded", None),
        ("queue.Queue(**kw)", "unknown", None),
        ("queue.SimpleQueue()", "unbounded", None),
    ],
)
def test_queue_bound(construct: str, state: str, size: int | None) -> None:
    facts = facts_for(
        f"""
        import queue
        SIZE = 12
        ZERO = 0
        class C:
            LIMIT = 3
        def f(n, kw):
            q = {construct}
            q  # <-
        """
    )
    info = facts.kinds.kind_of(marked(facts))
    bound = facts.kinds.queue_bound(info)
    assert (bound.state, bound.size) == (state, size)


def test_reset_to_none_does_not_hide_the_queue() -> None:
    facts = facts_for(
        """
        import queue
        class C:
            def __init__(self):
                self.q = None
            def start(self):
                self.q = queue.Queue(2)
            def run(self):
                self.q  # <-
        """
    )
    info = facts.kinds.kind_of(marked(facts))
    assert facts.kinds.queue_bound(info).state == "bounded"


def test_configured_user_type() -> None:
    facts = facts_for(
        """
        class Channel:
            def drain(self): ...
        ch = Channel()
        ch  # <-
        """,
        types=(TypeMapping("analysed.Channel", "queue", wait=("drain",)),),
    )
    info = facts.kinds.kind_of(marked(facts))
    assert info.kind == "queue" and info.mapping.wait == ("drain",)


def test_thread_context_propagates_through_calls() -> None:
    facts = facts_for(
        """
        import threading
        class W:
            def start(self):
                threading.Thread(target=self._run).start()
            def _run(self):
                self._step()
            def _step(self):
                print("x")  # <-
            def other(self):
                print("y")  # <+
        """
    )
    entry = facts.contexts.thread_context(marked(facts))
    assert entry is not None and entry.on_thread and entry.context == "thread"
    assert facts.contexts.worker_context(marked(facts, "# <+")) is None


@pytest.mark.parametrize(
    "start",
    [
        "threading.Thread(target=work).start()",
        "threading.Timer(1.0, work).start()",
        "concurrent.futures.ThreadPoolExecutor().submit(work)",
        "asyncio.get_event_loop().run_in_executor(None, work)",
        "asyncio.to_thread(work)",
        "signal.signal(signal.SIGTERM, work)",
        "_thread.start_new_thread(work, ())",
        "threading.Thread(target=functools.partial(work, 1)).start()",
    ],
)
def test_thread_entry_points(start: str) -> None:
    facts = facts_for(
        f"""
        import _thread, asyncio, concurrent.futures, functools, signal, threading
        def work(*args):
            print("x")  # <-
        def main():
            {start}
        """
    )
    assert facts.contexts.thread_context(marked(facts)) is not None


@pytest.mark.parametrize(
    "start",
    [
        "multiprocessing.Process(target=work).start()",
        "concurrent.futures.ProcessPoolExecutor().submit(work)",
        "asyncio.create_task(work())",
        "asyncio.ensure_future(work())",
        "asyncio.gather(work(), work())",
        "asyncio.get_event_loop().call_soon(work)",
    ],
)
def test_worker_but_not_thread_entry_points(start: str) -> None:
    facts = facts_for(
        f"""
        import asyncio, concurrent.futures, multiprocessing
        async def work(*args):
            print("x")  # <-
        async def main():
            {start}
        """
    )
    node = marked(facts)
    assert facts.contexts.worker_context(node) is not None
    assert facts.contexts.thread_context(node) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("close", True),
        ("_shutdown", True),
        ("stop_channels", True),
        ("close_all", True),
        ("__exit__", True),
        ("__del__", True),
        ("aclose", True),
        ("stopwatch", False),
        ("closed", False),
        ("run", False),
        ("joiner", False),
    ],
)
def test_shutdown_method_names(name: str, expected: bool) -> None:
    from shutdownlint.analysis.options import DEFAULT_SHUTDOWN_METHODS

    assert is_shutdown_name(name, DEFAULT_SHUTDOWN_METHODS) is expected


def test_shutdown_paths_at_node_level() -> None:
    facts = facts_for(
        """
        import contextlib
        def f():
            try:
                pass
            finally:
                print("a")  # <a
        def g():
            try:
                pass
            except KeyboardInterrupt:
                print("b")  # <b
            except ValueError:
                print("c")  # <c
        @contextlib.contextmanager
        def h():
            print("d")  # <d
            yield
            print("e")  # <e
        class K:
            def close(self):
                self._helper()
            def _helper(self):
                print("f")  # <f
        """
    )
    path = facts.contexts.shutdown_path
    assert path(marked(facts, "# <a")).why is ShutdownWhy.CLEANUP
    assert path(marked(facts, "# <a")).name == ""  # a `finally:` block
    assert path(marked(facts, "# <b")).name == "KeyboardInterrupt"
    assert path(marked(facts, "# <c")) is None
    assert path(marked(facts, "# <d")) is None
    assert path(marked(facts, "# <e")).why is ShutdownWhy.AFTER_YIELD
    # A helper of close() is on the shutdown path, reached from close() (SPEC §2).
    helper = path(marked(facts, "# <f"))
    assert helper.why is ShutdownWhy.NAMED and helper.via == "close"
    assert helper.node.name == "close"
    assert shutdown_reason(helper) == "called from `close()`: `close()` is a shutdown method"


def test_private_astroid_apis_still_exist() -> None:
    """Every private astroid API we rely on lives in `astroid_env`; when astroid renames
    one, this fails loudly instead of the analysis going quietly wrong."""
    from shutdownlint.analysis.astroid_env import PRIVATE_APIS

    for owner, attribute in PRIVATE_APIS:
        assert hasattr(owner, attribute), f"astroid no longer has {owner!r}.{attribute}"
    method = next(astroid.parse("class C:\n    def m(self): ...\nC().m").body[-1].value.infer())
    from shutdownlint.analysis.astroid_env import proxied
    from shutdownlint.analysis.infer import function_of

    assert proxied(method) is not None  # bases.Proxy._proxied
    assert isinstance(function_of(method), nodes.FunctionDef)


def _astroid_caches() -> set[str]:
    """Every process-wide cache in the running astroid: lru_caches of module functions
    and of class methods, and module-level dicts and sets named like a cache."""
    import functools
    import importlib
    import pkgutil

    found: set[str] = set()
    for info in pkgutil.walk_packages(astroid.__path__, "astroid."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - a backport for older Pythons refuses to import
            continue
        for name, value in vars(module).items():
            where = f"{module.__name__}.{name}"
            if isinstance(value, functools._lru_cache_wrapper):
                if value.__module__ == module.__name__:
                    found.add(where)
            elif isinstance(value, (dict, set)) and "cache" in name.lower():
                found.add(where)
            elif isinstance(value, type) and value.__module__ == module.__name__:
                for attribute, member in vars(value).items():
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if isinstance(member, functools._lru_cache_wrapper):
                        found.add(f"{where}.{attribute}")
    return found


def test_every_astroid_cache_is_known_and_node_keyed_ones_are_emptied() -> None:
    """A cache astroid adds is either emptied after each file or known to hold no node
    (astroid 4.4 added one keyed by nodes, and the language server grew by a tree per
    check): this fails on the first astroid release with a cache in neither table."""
    from shutdownlint.analysis.astroid_env import NODE_KEYED_CACHES, OTHER_CACHES, resolve

    unknown = _astroid_caches() - set(NODE_KEYED_CACHES) - set(OTHER_CACHES)
    assert not unknown, f"astroid {astroid.__version__} has caches we do not know: {unknown}"
    # The ones every admitted astroid has still resolve (a rename fails here, not quietly).
    for name in NODE_KEYED_CACHES[:2] + NODE_KEYED_CACHES[3:]:
        assert resolve(name) is not None, name


def test_cheap_name_filters_cover_the_known_types() -> None:
    """The lifecycle analysis infers only calls named like a maker of sockets or workers:
    every row of the table of known types must pass that filter."""
    from shutdownlint.analysis.kinds import KNOWN_TYPES
    from shutdownlint.analysis.lifecycle import SOCKET_NAME_STEMS, WORKER_NAME_STEMS
    from shutdownlint.analysis.vocabulary import Kind

    workers = {Kind.THREAD, Kind.PROCESS, Kind.EXECUTOR, Kind.TASK}
    for qname, (kind, _) in KNOWN_TYPES.items():
        last = qname.rsplit(".", 1)[-1].lower()
        if kind in (Kind.SOCKET, Kind.SERVER):
            assert any(stem in last for stem in SOCKET_NAME_STEMS), qname
        if kind in workers:
            assert any(stem in last for stem in WORKER_NAME_STEMS), qname
