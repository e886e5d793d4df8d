"""Every row of the blocking-call table is exercised here, with and without a timeout,
and the waits on what is already done are not unbounded."""

from __future__ import annotations

import astroid
import pytest
from astroid import nodes

from shutdownlint.analysis.blocking import BLOCKING_CALLS
from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.options import AnalysisOptions

MODULE = """\
import asyncio, concurrent.futures, multiprocessing, queue, subprocess, threading

Q = queue.Queue(2)
E = threading.Event()
C = threading.Condition()
B = threading.Barrier(2)
T = threading.Thread(target=print)
P = multiprocessing.Process(target=print)
POPEN = subprocess.Popen(["true"])
F = concurrent.futures.Future()
S = threading.Semaphore()
AQ = asyncio.Queue(2)
AE = asyncio.Event()
AC = asyncio.Condition()
AB = asyncio.Barrier(2)
AS = asyncio.Semaphore()


async def main():
    {statement}  # <-
"""

# (an unbounded wait, the same wait bounded) per row of BLOCKING_CALLS.
CASES = [
    ("Q.put(1)", "Q.put(1, timeout=1)"),
    ("Q.get()", "Q.get(True, 1)"),
    ("Q.join()", "Q.put_nowait(1)"),
    ("E.wait()", "E.wait(1)"),
    ("C.wait()", "C.wait(timeout=1)"),
    ("C.wait_for(bool)", "C.wait_for(bool, 1)"),
    ("B.wait()", "B.wait(1)"),
    ("T.join()", "T.join(1)"),
    ("P.join()", "P.join(timeout=1)"),
    ("POPEN.wait()", "POPEN.wait(1)"),
    ("POPEN.communicate()", "POPEN.communicate(None, 1)"),
    ("F.result()", "F.result(1)"),
    ("F.exception()", "F.exception(timeout=1)"),
    ("S.acquire()", "S.acquire(timeout=1)"),
    ("await AQ.put(1)", "await asyncio.wait_for(AQ.put(1), 1)"),
    ("await AQ.get()", "await asyncio.wait_for(AQ.get(), 1)"),
    ("await AQ.join()", "await asyncio.wait_for(AQ.join(), 1)"),
    ("await AE.wait()", "await asyncio.wait_for(AE.wait(), 1)"),
    ("await AC.wait()", "await asyncio.wait_for(AC.wait(), 1)"),
    ("await AC.wait_for(bool)", "await asyncio.wait_for(AC.wait_for(bool), 1)"),
    ("await AB.wait()", "await asyncio.wait_for(AB.wait(), 1)"),
    ("await AS.acquire()", "await asyncio.wait_for(AS.acquire(), 1)"),
]


def wait_in(statement: str):
    module = astroid.parse(MODULE.format(statement=statement), module_name="waits")
    facts = ModuleFacts(module, AnalysisOptions())
    function = module.body[-1]
    calls = [n for n in function.nodes_of_class(nodes.Call) if n.lineno == 20]
    waits = [w for c in calls if (w := facts.blocking.unbounded_wait(c))]
    return waits[0] if waits else None


@pytest.mark.parametrize(("unbounded", "bounded"), CASES)
def test_blocking_row(unbounded: str, bounded: str) -> None:
    wait = wait_in(unbounded)
    assert wait is not None and wait.row in BLOCKING_CALLS
    assert wait_in(bounded) is None


def test_every_row_has_a_case() -> None:
    rows = {id(wait_in(unbounded).row) for unbounded, _ in CASES}
    missing = [row for row in BLOCKING_CALLS if id(row) not in rows]
    assert not missing, f"rows without a case: {missing}"


@pytest.mark.parametrize(
    "statement",
    [
        "threading.Lock().acquire()",
        "threading.RLock().acquire()",
        "await asyncio.Lock().acquire()",
        "C.acquire()",
    ],
)
def test_mutex_acquires_are_not_waits(statement: str) -> None:
    assert wait_in(statement) is None


DONE = """\
import asyncio, concurrent.futures, queue, threading

POOL = concurrent.futures.ThreadPoolExecutor()
Q = queue.Queue()
E = threading.Event()
T = threading.Thread(target=print)


async def main(fs, task: asyncio.Task):
    {body}
"""


@pytest.mark.parametrize(
    ("body", "waits"),
    [
        ("for f in concurrent.futures.as_completed(fs):\n        f.result()", 0),
        ("done, _ = concurrent.futures.wait(fs)\n    for f in done:\n        f.result()", 0),
        ("done, pending = await asyncio.wait(fs)\n    for t in done:\n        await t", 0),
        (
            "f = POOL.submit(print)\n    if f.done():\n        f.result()",
            0,
        ),
        ("f = POOL.submit(print)\n    f.result()", 1),
        ("if not Q.empty():\n        Q.get()", 0),
        ("while not Q.empty():\n        Q.get()", 0),
        ("if Q.empty():\n        Q.get()", 1),
        ("if E.is_set():\n        E.wait()", 0),
        ("if not T.is_alive():\n        T.join()", 0),
        ("if task.done():\n        await task", 0),
        ("task.cancel()\n    await task", 0),
        ("await task", 1),
    ],
)
def test_waits_on_what_is_already_done(body: str, waits: int) -> None:
    module = astroid.parse(DONE.format(body=body), module_name="done")
    facts = ModuleFacts(module, AnalysisOptions())
    found = [
        n
        for n in module.body[-1].nodes_of_class((nodes.Call, nodes.Await))
        if facts.blocking.unbounded_wait(n)
    ]
    assert len(found) == waits, [n.as_string() for n in found]
