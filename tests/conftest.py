import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def root() -> Path:
    return ROOT


def pytest_configure(config):
    # The tests import the package from the checkout, installed or not.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
