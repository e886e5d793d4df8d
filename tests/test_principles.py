"""Every example in ../shared/principles/ behaves as its README says: each `*_bug.py` is
reported with its code, each `*_ok.py` gets no finding (SDL302, which the README does not
judge, aside). One table for all the principles (P1-P10). Skipped where ../shared is not
beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_path
from shutdownlint.rules import ALL_RULES

from .conftest import SHARED

PRINCIPLES = SHARED / "principles"
EXAMPLES = {
    "p01_lockset_bug.py": "SDL201",
    "p01_lockset_ok.py": None,
    "p02_concurrent_callers_bug.py": "SDL202",
    "p02_concurrent_callers_ok.py": None,
    "p03_promise_handoff_bug.py": "SDL102",
    "p03_promise_handoff_ok.py": None,
    "p04_derived_from_container_bug.py": "SDL401",
    "p04_derived_from_container_ok.py": None,
    "p04_tuple_unpack_ok.py": None,
    "p05_cancel_without_await_bug.py": "SDL105",
    "p05_cancel_without_await_ok.py": None,
    "p05_signal_is_not_join_bug.py": "SDL105",
    "p05_signal_is_not_join_ok.py": None,
    "p06_marker_counts_in_join_bug.py": "SDL102",
    "p06_obligation_any_thread_bug.py": "SDL101",
    "p06_obligation_any_thread_ok.py": None,
    "p07_restore_closure_bug.py": "SDL202",
    "p07_restore_closure_ok.py": None,
    "p08_await_is_interleaving_bug.py": "SDL401",
    "p08_await_is_interleaving_ok.py": None,
    "p08_guard_clause_check_bug.py": "SDL202",
    "p08_guard_clause_nested_bug.py": "SDL202",
    "p09_release_can_raise_bug.py": "SDL102",
    "p09_release_loop_ok.py": None,
    "p10_loop_bound_bug.py": "SDL403",
    "p10_loop_bound_ok.py": None,
}


@pytest.mark.skipif(not PRINCIPLES.is_dir(), reason="../shared/principles not present")
def test_every_example_is_in_the_table() -> None:
    assert sorted(p.name for p in PRINCIPLES.glob("p[0-9]*.py")) == sorted(EXAMPLES)


@pytest.mark.skipif(not PRINCIPLES.is_dir(), reason="../shared/principles not present")
@pytest.mark.parametrize(("name", "code"), sorted(EXAMPLES.items()))
def test_principle_example(name: str, code: str | None) -> None:
    path: Path = PRINCIPLES / name
    settings = build_settings(
        [path], isolated=True, overrides=Overrides(select=["SDL"], ignore=["SDL302"])
    )
    codes = {f.code for f in check_path(path, settings, ALL_RULES).findings}
    if code is None:
        assert not codes, codes
    else:
        assert code in codes, codes
