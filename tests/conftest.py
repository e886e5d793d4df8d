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


@pytest.fixture
def root() -> Path:
    return ROOT


def pytest_configure(config):
    # The tests import the package from the checkout, installed or not.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
