"""The examples in ../shared/principles/ for the SDL2xx principles (P1 lockset
consistency, P2 concurrent callers, P7 one save-and-restore unit, P8 the shape of a
check) behave as its README says: each `*_bug.py` is reported with its code, each
`*_ok.py` gets no finding of the family. Skipped where ../shared is not beside the
checkout."""

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
    "p07_restore_closure_bug.py": "SDL202",
    "p07_restore_closure_ok.py": None,
    "p08_guard_clause_check_bug.py": "SDL202",
    "p08_guard_clause_nested_bug.py": "SDL202",
}


@pytest.mark.skipif(not PRINCIPLES.is_dir(), reason="../shared/principles not present")
@pytest.mark.parametrize(("name", "code"), sorted(EXAMPLES.items()))
def test_sdl2_principle_example(name: str, code: str | None) -> None:
    path: Path = PRINCIPLES / name
    settings = build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))
    codes = {f.code for f in check_path(path, settings, ALL_RULES).findings}
    family = {c for c in codes if c.startswith("SDL2")}
    if code is None:
        assert not family, family
    else:
        assert code in family, codes
