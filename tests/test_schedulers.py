"""Every row of the scheduler table is exercised here: removing a row, or moving the
argument it reads, fails a case. Adding a scheduler is one row plus one case."""

from __future__ import annotations

import textwrap

import astroid
import pytest
from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.kinds import KNOWN_TYPES
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.schedulers import SCHEDULERS, Role
from shutdownlint.analysis.vocabulary import ContextKind, ThreadRole
from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import needs_deep_analysis
from shutdownlint.rules import ALL_RULES

from .conftest import ROOT

T, P, K, C = ContextKind.THREAD, ContextKind.PROCESS, ContextKind.TASK, ContextKind.CALLBACK
SHUTDOWN = "shutdown"

# (the scheduling statement, the context `work` gets (or SHUTDOWN), on another OS
# thread, whether `Q` (passed to the scheduler, or to the coroutine call) reaches
# `work`'s parameter `q`)
CASES = [
    ("threading.Thread(target=work, args=(Q,)).start()", T, True, True),
    ("threading.Thread(None, work, 'name', (Q,)).start()", T, True, True),
    ("Worker(target=work, args=(Q,)).start()", T, True, True),
    ("threading.Timer(1.0, work, args=(Q,)).start()", T, True, True),
    ("threading.Timer(1.0, function=work).start()", T, True, False),
    ("multiprocessing.Process(target=work, args=(Q,)).start()", P, False, True),
    ("_thread.start_new_thread(work, (Q,))", T, True, True),
    ("concurrent.futures.ProcessPoolExecutor().submit(work, Q)", P, False, True),
    ("concurrent.futures.ThreadPoolExecutor().submit(work, Q)", T, True, True),
    ("concurrent.futures.ThreadPoolExecutor().map(work, [Q])", T, True, False),
    ("multiprocessing.Pool().apply_async(work, (Q,))", P, False, True),
    ("multiprocessing.pool.ThreadPool().apply_async(work, (Q,))", T, True, True),
    ("concurrent.futures.ThreadPoolExecutor(initializer=work, initargs=(Q,))", T, True, True),
    ("concurrent.futures.ThreadPoolExecutor(2, 'w', work, (Q,))", T, True, True),
    ("multiprocessing.pool.ThreadPool(2, work, (Q,))", T, True, True),
    ("concurrent.futures.ProcessPoolExecutor(2, None, work, (Q,))", P, False, True),
    ("multiprocessing.Pool(2, initializer=work, initargs=(Q,))", P, False, True),
    (
        "LOOP.run_in_executor(concurrent.futures.ProcessPoolExecutor(), work, Q)",
        P,
        False,
        True,
    ),
    ("LOOP.run_in_executor(None, work, Q)", T, True, True),
    ("asyncio.to_thread(work, Q)", T, True, True),
    ("LOOP.call_soon_threadsafe(work, Q)", T, True, True),
    ("IOLOOP.add_callback(work, Q)", T, True, True),
    ("IOLOOP.spawn_callback(work, Q)", C, False, True),
    (
        "concurrent.futures.ThreadPoolExecutor().submit(print).add_done_callback(work)",
        T,
        True,
        False,
    ),
    ("asyncio.ensure_future(other()).add_done_callback(work)", C, False, False),
    ("LOOP.call_soon(work, Q)", C, False, True),
    ("LOOP.call_later(1.0, work, Q)", C, False, True),
    ("LOOP.call_at(5.0, work, Q)", C, False, True),
    ("asyncio.create_task(work(Q))", K, False, True),
    ("asyncio.ensure_future(work(Q))", K, False, True),
    ("asyncio.run_coroutine_threadsafe(work(Q), LOOP)", K, True, True),
    ("asyncio.gather(other(), work(Q))", K, False, True),
    ("signal.signal(signal.SIGTERM, work)", T, True, False),
    ("atexit.register(work, Q)", SHUTDOWN, False, True),
    ("weakref.finalize(object(), work, Q)", SHUTDOWN, False, True),
    ("self.addCleanup(work, Q)", SHUTDOWN, False, True),
    ("self.addAsyncCleanup(work, Q)", SHUTDOWN, False, True),
]

MODULE = """\
import _thread, asyncio, atexit, concurrent.futures, multiprocessing, multiprocessing.pool
import queue, signal, threading, unittest, weakref

Q = queue.Queue(3)
LOOP = asyncio.new_event_loop()
IOLOOP = object()  # tornado's IOLoop


class Worker(threading.Thread):
    pass


async def other():
    pass


def work(q=None, *rest):
    q  # <-


class Case(unittest.TestCase):
    def test_it(self):
        {statement}
"""


def facts_for(statement: str) -> tuple[ModuleFacts, nodes.NodeNG, nodes.Call]:
    source = MODULE.format(statement=statement)
    module = astroid.parse(textwrap.dedent(source), module_name="scheduled")
    facts = ModuleFacts(module, AnalysisOptions())
    marked = next(n for n in module.nodes_of_class(nodes.Expr) if n.lineno == 18).value
    test = module.body[-1].body[0]
    call = next(n for n in test.nodes_of_class(nodes.Call) if facts.contexts.scheduler_of(n))
    return facts, marked, call


@pytest.mark.parametrize(("statement", "context", "on_thread", "forwards"), CASES)
def test_scheduler_row(statement: str, context, on_thread: bool, forwards: bool) -> None:
    facts, marked, call = facts_for(statement)
    row = facts.contexts.scheduler_of(call)
    if context == SHUTDOWN:
        assert row.roles == {Role.SHUTDOWN}
        path = facts.contexts.shutdown_path(marked)
        assert path is not None and path.node is call
        assert facts.contexts.worker_context(marked) is None
    else:
        entry = facts.contexts.worker_context(marked)
        assert entry is not None, "work() is not found as a worker"
        assert (entry.context, entry.on_thread, entry.site) == (context, on_thread, call)
        assert (facts.contexts.thread_context(marked) is not None) is on_thread
    info = facts.kinds.kind_of(marked)
    reached = info is not None and any(c.lineno == 4 for c in info.creations)
    assert reached is forwards, "the argument passed on by the scheduler"


def test_every_row_has_a_case() -> None:
    matched = set()
    for statement, *_ in CASES:
        facts, _, call = facts_for(statement)
        matched.add(id(facts.contexts.scheduler_of(call)))
    missing = [row for row in SCHEDULERS if id(row) not in matched]
    assert not missing, f"rows without a case in CASES: {missing}"


@pytest.mark.parametrize("qname", sorted(KNOWN_TYPES))
def test_prefilter_knows_every_known_type(qname: str) -> None:
    """A file that uses any row of the table of known types gets the deep analysis."""
    settings = build_settings([ROOT], isolated=True, overrides=Overrides(select=["SDL"]))
    module, _, name = qname.rpartition(".")
    source = f"import {module.split('.')[0]}\nx = {module.split('.')[0]}.{name}()\n"
    assert needs_deep_analysis(source, settings, ALL_RULES)


def test_prefilter_skips_files_without_concurrency() -> None:
    settings = build_settings([ROOT], isolated=True, overrides=Overrides(select=["SDL"]))
    assert not needs_deep_analysis("def add(a, b):\n    return a + b\n", settings, ALL_RULES)
    # Common words that schedulers share with everyday code do not count on their own.
    everyday = "registry.register(x)\nfor y in map(str, xs):\n    lock = y\n"
    assert not needs_deep_analysis(everyday, settings, ALL_RULES)


# The thread identity each row gives the code it schedules (SDL2xx thread map): a
# thread of its own, an executor's workers, the event loop's thread, or none (another
# process, a shutdown registration).
ROLES = {
    "threading.Thread(target=work, args=(Q,)).start()": ThreadRole.THREAD,
    "threading.Timer(1.0, work, args=(Q,)).start()": ThreadRole.THREAD,
    "_thread.start_new_thread(work, (Q,))": ThreadRole.THREAD,
    "signal.signal(signal.SIGTERM, work)": ThreadRole.SIGNAL,
    "concurrent.futures.ThreadPoolExecutor().submit(work, Q)": ThreadRole.POOL,
    "multiprocessing.pool.ThreadPool().apply_async(work, (Q,))": ThreadRole.POOL,
    "LOOP.run_in_executor(None, work, Q)": ThreadRole.POOL,
    "asyncio.to_thread(work, Q)": ThreadRole.POOL,
    "concurrent.futures.ThreadPoolExecutor().submit(print).add_done_callback(work)": (
        ThreadRole.POOL
    ),
    "LOOP.call_soon_threadsafe(work, Q)": ThreadRole.LOOP,
    "IOLOOP.add_callback(work, Q)": ThreadRole.LOOP,
    "IOLOOP.spawn_callback(work, Q)": ThreadRole.LOOP,
    "asyncio.create_task(work(Q))": ThreadRole.LOOP,
    "asyncio.run_coroutine_threadsafe(work(Q), LOOP)": ThreadRole.LOOP,
    "LOOP.call_later(1.0, work, Q)": ThreadRole.LOOP,
    "multiprocessing.Process(target=work, args=(Q,)).start()": None,
    "concurrent.futures.ProcessPoolExecutor().submit(work, Q)": None,
    "atexit.register(work, Q)": None,
}


@pytest.mark.parametrize(("statement", "role"), ROLES.items())
def test_scheduler_thread_role(statement: str, role) -> None:
    facts, marked, call = facts_for(statement)
    assert facts.contexts.scheduler_of(call).role is role
    threads = facts.threads.threads_at(marked)
    if role is None:
        assert all(t.role is ThreadRole.CALLER for t in threads)
    else:
        assert role in {t.role for t in threads}
