import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"

# SDL301 at the put (line 11, column 13); SDL302 (opt-in) at the join.
BAD = """\
import queue
import threading

class Fetcher:
    def __init__(self):
        self.results = queue.Queue(maxsize=100)
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        for page in range(10):
            self.results.put(page)

    def close(self):
        self.thread.join()
"""

# SDL105 at `def stop` (line 14): its fix (unsafe) joins the thread.
MONITOR = """\
import threading


class Monitor:
    def __init__(self):
        self._running = True
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while self._running:
            self._running = bool(self._running)

    def stop(self):
        self._running = False
"""

# SDL104 at `def close` (line 12): a list of sockets, which has no close().
SOCKET_LIST = """\
import socket


class Pool:
    def __init__(self, address):
        self.address = address
        self._idle = []

    def connect(self):
        self._idle.append(socket.create_connection(self.address))

    def close(self):
        self.address = None
"""


@pytest.fixture
def root() -> Path:
    return ROOT


def pytest_configure(config):
    # The tests import the package from the checkout, installed or not.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
