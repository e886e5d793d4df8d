"""Generated and mutated programs through the whole engine, every rule on.

The contract (SPEC §2, §7): findings or SDL900, never an exception escaping, never
SDL999; and code that CPython compiles is never SDL900. Programs come from
hypothesmith (from Python's grammar and from libcst's node types) and from the
fixtures and the demo, mutated: truncated at every line, bytes flipped, indentation
deleted. A few examples run by default; `pytest -m stress` runs thousands.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_bytes
from shutdownlint.rules import ALL_RULES

from .conftest import ROOT

try:
    import hypothesmith
except ImportError:  # not installed where libcst lags behind a new Python
    hypothesmith = None

SETTINGS = build_settings([ROOT], isolated=True, overrides=Overrides(select=["SDL"]))
SAMPLES = sorted(
    p
    for p in [*(ROOT / "fixtures").rglob("*.py"), *(ROOT / "demo").glob("*.py")]
    if not p.name.endswith(".fixed.py")
)
SOURCES = [p.read_bytes() for p in SAMPLES]
QUICK = settings(
    max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
# hypothesmith's generation, not our engine, bounds how many programs a run can afford.
STRESS_PROGRAMS = settings(
    max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
STRESS = settings(
    max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck), database=None
)
needs_hypothesmith = pytest.mark.skipif(hypothesmith is None, reason="hypothesmith not installed")


def compiles(data: bytes) -> bool:
    """Whether CPython compiles `data` (never runs it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def holds_the_contract(data: bytes, name: str = "generated.py") -> list[str]:
    result = check_bytes(data, Path(name), SETTINGS, ALL_RULES)  # an exception fails here
    codes = [f.code for f in result.findings]
    internal = [f.message for f in result.findings if f.code == "SDL999"]
    assert not internal, internal
    if compiles(data):
        parse_errors = [f.message for f in result.findings if f.code == "SDL900"]
        assert not parse_errors, (parse_errors, data[:2000])
    return codes


# -- programs from the grammar -------------------------------------------------------------
# Drawn lazily: building the strategies reads Python's grammar.
def _grammar():
    return hypothesmith.from_grammar() if hypothesmith else st.nothing()


def _nodes():
    return hypothesmith.from_node() if hypothesmith else st.nothing()


@needs_hypothesmith
@QUICK
@given(st.deferred(_grammar))
def test_programs_from_the_grammar(program: str) -> None:
    holds_the_contract(program.encode("utf-8", "surrogatepass"))


@needs_hypothesmith
@QUICK
@given(st.deferred(_nodes))
def test_programs_from_libcst_nodes(program: str) -> None:
    holds_the_contract(program.encode("utf-8", "surrogatepass"))


# A generated program says little about concurrency: give it our words too, so that
# the deep analysis runs on it rather than the syntax check alone.
PRELUDE = b"import asyncio, queue, threading\nQ = queue.Queue(2)\n"


@pytest.mark.stress
@needs_hypothesmith
@STRESS_PROGRAMS
@given(st.deferred(_grammar), st.booleans())
def test_programs_from_the_grammar_stress(program: str, prelude: bool) -> None:
    holds_the_contract((PRELUDE if prelude else b"") + program.encode("utf-8", "surrogatepass"))


@pytest.mark.stress
@needs_hypothesmith
@STRESS_PROGRAMS
@given(st.deferred(_nodes), st.booleans())
def test_programs_from_libcst_nodes_stress(program: str, prelude: bool) -> None:
    holds_the_contract((PRELUDE if prelude else b"") + program.encode("utf-8", "surrogatepass"))


# -- mutated fixtures -----------------------------------------------------------------------
def truncations(source: bytes) -> list[bytes]:
    lines = source.splitlines(keepends=True)
    return [b"".join(lines[:i]) + cut for i in range(len(lines)) for cut in (b"", lines[i][:7])]


def test_truncation_at_every_line_of_one_fixture() -> None:
    smallest = min(SOURCES, key=len)
    for mutant in truncations(smallest):
        holds_the_contract(mutant)


@pytest.mark.stress
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_truncation_at_every_line_stress(sample: Path) -> None:
    for mutant in truncations(sample.read_bytes()):
        holds_the_contract(mutant, sample.name)


@st.composite
def mutants(draw) -> bytes:
    source = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "byte", "dedent", "delete-line", "duplicate"]))
        lines = bytes(source).splitlines(keepends=True)
        if how == "flip" and source:
            at = draw(st.integers(0, len(source) - 1))
            source[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "byte" and source:
            at = draw(st.integers(0, len(source) - 1))
            source[at] = draw(st.integers(0, 255))
        elif lines:
            row = draw(st.integers(0, len(lines) - 1))
            if how == "dedent":
                lines[row] = lines[row].lstrip(b" \t")
            elif how == "delete-line":
                del lines[row]
            else:
                lines.insert(row, lines[row])
            source = bytearray(b"".join(lines))
    return bytes(source)


@QUICK
@given(mutants())
def test_mutated_fixtures(data: bytes) -> None:
    holds_the_contract(data)


@pytest.mark.stress
@STRESS
@given(mutants())
def test_mutated_fixtures_stress(data: bytes) -> None:
    holds_the_contract(data)
