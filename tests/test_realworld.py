"""The real-world harness (benchmarks/realworld.py, issue #5).

The unit tests check the pure scoring and triage logic on synthetic findings;
they run by default and need no network. The test marked ``realworld`` runs the
whole harness (downloads on first use) and is kept out of the default run:
``pytest -m realworld``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "benchmarks" / "realworld.py"


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("realworld_harness", HARNESS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


rw = load_harness()

SOURCE = textwrap.dedent(
    """\
    import threading


    class Worker:                      # 4
        def __init__(self):            # 5
            self.q = None

        @property                      # 8
        def busy(self):                # 9
            return False

        def stop(self):                # 12
            def inner():               # 13
                return 1
            self.t.join()              # 15
            return inner


    def helper():                      # 19
        if True:
            def nested():              # 21
                pass
        return 0


    class Other:                       # 26
        def stop(self):                # 27
            pass
    """
)


def finding(code: str, row: int, message: str = "m") -> dict[str, Any]:
    return {"code": code, "location": {"row": row, "column": 1}, "message": message}


@pytest.fixture
def defs(tmp_path: Path) -> Any:
    path = tmp_path / "mod.py"
    path.write_text(SOURCE, encoding="utf-8")
    return rw.definitions(path.read_bytes())


def test_definitions_spans_and_qualnames(defs: Any) -> None:
    assert [(s.first, s.last, s.kind) for s in defs["Worker"]] == [(4, 16, "class")]
    assert [(s.first, s.last) for s in defs["Worker.busy"]] == [(8, 10)]  # decorator included
    assert "Worker.stop.inner" in defs
    assert "helper.nested" in defs  # a def under `if` keeps the enclosing prefix
    assert rw.outer_class(defs, "Worker.stop.inner") == "Worker"
    assert rw.outer_class(defs, "helper.nested") is None
    assert rw.enclosing_function(defs, 14) == "Worker.stop.inner"
    assert rw.enclosing_function(defs, 15) == "Worker.stop"
    assert rw.enclosing_function(defs, 2) == "<module>"


def test_location_in_def_and_class(defs: Any) -> None:
    # inside the method itself: any code
    assert rw.location_in(defs, "Worker.stop", "SDL302", 15) == "def"
    # elsewhere in the class: only class-level codes (SDL104, SDL105, SDL2xx, SDL4xx)
    assert rw.location_in(defs, "Worker.stop", "SDL105", 6) == "class"
    assert rw.location_in(defs, "Worker.stop", "SDL201", 6) == "class"
    assert rw.location_in(defs, "Worker.stop", "SDL401", 9) == "class"
    assert rw.location_in(defs, "Worker.stop", "SDL103", 6) is None
    assert rw.location_in(defs, "Worker.stop", "SDL302", 6) is None
    # another class, and a module-level function with no class
    assert rw.location_in(defs, "Worker.stop", "SDL105", 27) is None
    assert rw.location_in(defs, "helper", "SDL201", 22) == "def"
    assert rw.location_in(defs, "helper", "SDL201", 6) is None


def case(family: str, fixed: bool = True) -> dict[str, str]:
    return {
        "id": "c",
        "family": family,
        "package": "p",
        "buggy_version": "1",
        "fixed_version": "2" if fixed else "",
        "file": "mod.py",
        "qualname": "Worker.stop",
        "fixed_qualname": "Worker.stop" if fixed else "",
    }


def test_score_found_strict_fixed_clean(defs: Any, tmp_path: Path) -> None:
    buggy = rw.FileResult(
        tmp_path / "mod.py",
        defs=defs,
        findings=[finding("SDL302", 15), finding("SDL301", 6), finding("SDL999", 1)],
    )
    fixed = rw.FileResult(tmp_path / "mod.py", defs=defs, findings=[finding("SDL301", 27)])
    row = rw.score_case(case("SDL301"), buggy, fixed)
    # SDL302 at 15 is in the family (SDL3xx) and inside stop(): found, not strict;
    # SDL301 at 6 is outside stop() and SDL3xx is not class-level
    assert (row["found"], row["strict"], row["fixed_clean"]) == (True, False, True)
    assert [m["code"] for m in row["matched"]] == ["SDL302"]
    assert row["other_findings"] == {"SDL301": 2, "SDL999": 1}
    assert row["internal_errors"] and row["status"] == "ok"

    row = rw.score_case(case("SDL302"), buggy, buggy)
    assert (row["found"], row["strict"], row["fixed_clean"]) == (True, True, False)
    assert row["fixed_matched"][0]["row"] == 15


def test_score_class_level_and_misses(defs: Any, tmp_path: Path) -> None:
    buggy = rw.FileResult(tmp_path / "mod.py", defs=defs, findings=[finding("SDL201", 6)])
    clean = rw.FileResult(tmp_path / "mod.py", defs=defs, findings=[finding("SDL201", 22)])
    row = rw.score_case(case("SDL202"), buggy, clean)
    assert (row["found"], row["strict"], row["fixed_clean"]) == (True, False, True)
    assert row["matched"][0]["where"] == "class"
    row = rw.score_case(case("SDL103"), buggy, None)
    assert (row["found"], row["strict"], row["fixed_clean"]) == (False, False, None)
    assert row["fixed_status"] == "n/a"


def test_score_unfetched_and_unknown_qualname(defs: Any, tmp_path: Path) -> None:
    missing = rw.FileResult(tmp_path / "x.py", problem="not fetched (p-1)")
    row = rw.score_case(case("SDL101"), missing, missing)
    assert row["found"] is None and row["fixed_clean"] is None
    assert row["status"].startswith("not fetched") and row["fixed_status"].startswith("not")
    other = dict(case("SDL101"), qualname="Nope.stop")
    row = rw.score_case(other, rw.FileResult(tmp_path / "mod.py", defs=defs), None)
    assert row["found"] is None and "not defined" in row["status"]


def test_summarise_counts() -> None:
    rows = [
        {
            "family": "SDL101",
            "found": True,
            "strict": True,
            "fixed_clean": True,
            "fixed_class_clean": False,
        },
        {"family": "SDL102", "found": False, "strict": False, "fixed_clean": None},
        {"family": "SDL302", "found": None, "strict": None, "fixed_clean": None},
    ]
    summary = rw.summarise(rows)
    assert list(summary) == ["SDL101", "SDL102", "SDL1xx", "SDL302", "SDL3xx", "all"]
    assert summary["SDL1xx"] == {
        "cases": 2,
        "scored": 2,
        "found": 1,
        "strict": 1,
        "fixed_cases": 1,
        "fixed_clean": 1,
        "fixed_class_clean": 0,
        "found_and_fixed_clean": 1,
    }
    assert summary["all"]["scored"] == 2


def test_triage_verdicts_survive_line_shifts() -> None:
    def row(line: int, message: str = "`q.put(x)` | blocks") -> Any:
        return rw.TriageRow("SDL301", "queue.py", line, "Queue.put", message)

    old = [row(10), row(20), row(30, "gone")]
    old[0].verdict, old[0].note = "TP", "real | hang"
    old[1].verdict = "FP"
    old[2].verdict = "unsure"
    text = rw.render_triage(old, [], {"Python": "3.x"}, "## Notes\n\nkeep me\n")
    assert rw.parse_triage(text) == old  # escaped pipes round-trip

    new = [row(12), row(22), row(40, "brand new")]
    gone = rw.carry_over(new, rw.parse_triage(text))
    assert [(r.line, r.verdict, r.note) for r in new] == [
        (12, "TP", "real | hang"),
        (22, "FP", ""),
        (40, "?", ""),
    ]
    assert [r.message for r in gone] == ["gone"]
    assert rw.notes_section(text) == "## Notes\n\nkeep me\n"
    summary = rw.triage_summary(new)["SDL301"]
    assert (summary["total"], summary["TP"], summary["FP"], summary["?"]) == (3, 1, 1, 1)


def test_run_linter_failure_is_reported_not_raised(tmp_path: Path) -> None:
    run = rw.run_linter(["x.py"], tmp_path, python=str(tmp_path / "no-such-python"))
    assert run.findings is None and run.error


MANIFEST = rw.DEFAULT_MANIFEST


@pytest.mark.realworld
@pytest.mark.skipif(not MANIFEST.is_file(), reason=f"no manifest at {MANIFEST}")
def test_harness_scores_every_case(tmp_path: Path) -> None:
    out = tmp_path / "realworld.json"
    proc = subprocess.run(
        [sys.executable, str(HARNESS), "--json", str(out)],
        check=False,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert out.is_file(), proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    ids = [c["id"] for c in rw.load_manifest(MANIFEST)]
    assert [c["id"] for c in report["cases"]] == ids
    keys = {
        "id",
        "family",
        "status",
        "found",
        "strict",
        "fixed_clean",
        "fixed_status",
        "matched",
        "fixed_matched",
        "other_findings",
        "internal_errors",
    }
    for row in report["cases"]:
        assert keys <= set(row), row["id"]
    assert {"meta", "summary", "not_fetched", "linter_errors"} <= set(report)
    assert report["summary"]["all"]["cases"] == len(ids)
    assert report["linter_errors"] == [] and report["internal_errors"] == [], proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
