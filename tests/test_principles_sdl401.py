"""The examples in ../shared/principles/ for SDL401 (P4 derived values, P8 every await
is an interleaving point) behave as its README says: each `*_bug.py` gets SDL401, each
`*_ok.py` none. Skipped where ../shared is not beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_path
from shutdownlint.rules import ALL_RULES

from .conftest import SHARED

PRINCIPLES = SHARED / "principles"
EXAMPLES = {
    "p04_derived_from_container_bug.py": True,
    "p04_derived_from_container_ok.py": False,
    "p08_await_is_interleaving_bug.py": True,
    "p08_await_is_interleaving_ok.py": False,
}


@pytest.mark.skipif(not PRINCIPLES.is_dir(), reason="../shared/principles not present")
@pytest.mark.parametrize(("name", "reported"), sorted(EXAMPLES.items()))
def test_sdl401_principle_example(name: str, reported: bool) -> None:
    path: Path = PRINCIPLES / name
    settings = build_settings([path], isolated=True, overrides=Overrides(select=["SDL4"]))
    codes = [f.code for f in check_path(path, settings, ALL_RULES).findings]
    assert ("SDL401" in codes) is reported, codes
