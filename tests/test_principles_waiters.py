"""The examples in ../shared/principles/ for the SDL101/SDL102 principles (P3 promise
duty until hand-off, P6 obligations belong to the code, not the thread, P9 groups)
behave as its README says: each `*_bug.py` is reported with its code, each `*_ok.py`
gets no SDL101/SDL102 finding. Skipped where ../shared is not beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_path
from shutdownlint.rules import ALL_RULES

from .conftest import SHARED

PRINCIPLES = SHARED / "principles"
EXAMPLES = {
    "p03_promise_handoff_bug.py": "SDL102",
    "p03_promise_handoff_ok.py": None,
    "p06_obligation_any_thread_bug.py": "SDL101",
    "p06_obligation_any_thread_ok.py": None,
    "p06_marker_counts_in_join_bug.py": "SDL102",
    "p09_release_can_raise_bug.py": "SDL102",
    "p09_release_loop_ok.py": None,
}


@pytest.mark.skipif(not PRINCIPLES.is_dir(), reason="../shared/principles not present")
@pytest.mark.parametrize(("name", "code"), sorted(EXAMPLES.items()))
def test_waiter_principle_example(name: str, code: str | None) -> None:
    path: Path = PRINCIPLES / name
    settings = build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))
    codes = {f.code for f in check_path(path, settings, ALL_RULES).findings}
    family = codes & {"SDL101", "SDL102"}
    if code is None:
        assert not family, family
    else:
        assert code in family, codes
