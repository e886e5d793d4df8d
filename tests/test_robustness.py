"""Never crash: any input gives findings or SDL900, and a rule's bug gives SDL999."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shutdownlint.rules
from shutdownlint.cli import main
from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_bytes
from shutdownlint.rules import ALL_RULES
from shutdownlint.rules.base import Rule

from .conftest import ROOT

SETTINGS = build_settings([ROOT], isolated=True, overrides=Overrides(select=["SDL"]))
KNOWN = {r.code for r in ALL_RULES} - {"SDL999"}


def codes(data: bytes, name: str = "input.py") -> list[str]:
    result = check_bytes(data, Path(name), SETTINGS, ALL_RULES)
    found = [f.code for f in result.findings]
    assert set(found) <= KNOWN, found
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    codes(data)


FRAGMENTS = st.sampled_from(
    [
        "import queue\n",
        "import threading\n",
        "q = queue.Queue(3)\n",
        "def f(x):\n",
        "    q.put(x)\n",
        "class C(threading.Thread):\n",
        "    def run(self):\n",
        "        self.q.put(1)\n",
        "threading.Thread(target=f).start()\n",
        "async def g():\n",
        "    await q.put(1)\n",
        "(",
        ")",
        "[",
        "]",
        ":",
        "lambda: ",
        "yield\n",
        "\t",
        "  ",
        "try:\n",
        "finally:\n",
        "    pass\n",
        "def close(self):\n",
        "        self.t.join()\n",
        "\x00",
        "é",
        "# noqa\n",
        "@contextlib.contextmanager\n",
        "global q\n",
        "**",
        "*a",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=40))
def test_random_python_like_text(parts: list[str]) -> None:
    codes("".join(parts).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(
    "data",
    [
        b"x = " + b"(" * 5000 + b")" * 5000 + b"\nimport threading\n",
        b"import threading\nx = " + b"[" * 300 + b"]" * 300 + b"\n",
        b"import threading\n"
        + b"".join(b"    " * i + b"if x:\n" for i in range(120))
        + b"    " * 120
        + b"pass\n",
        b"import threading\nx = " + b"1 + " * 20000 + b"1\n",
    ],
    ids=["parens", "lists", "ifs", "long-expression"],
)
def test_deep_nesting_gives_findings_or_sdl900(data: bytes) -> None:
    found = codes(data)
    assert set(found) <= {"SDL900"}


def test_undecodable_null_and_binary_input() -> None:
    assert codes(b"x = '\xff\xfe'\n") == ["SDL900"]
    assert codes(b"import threading\nx = 1\x00\n") == ["SDL900"]
    assert codes(b"# -*- coding: no-such-codec -*-\nx = 1\n") == ["SDL900"]
    assert codes(bytes(range(256)) * 4) == ["SDL900"]


BAD = """import queue, threading
Q = queue.Queue(2)
def work():
    Q.put(1)  {comment}
threading.Thread(target=work).start()
"""


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8-sig", b""), ("latin-1", b"# -*- coding: latin-1 -*-\n")],
)
def test_encodings_and_columns(encoding: str, prefix: bytes) -> None:
    source = BAD.format(comment="# café")
    data = prefix + source.encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    result = check_bytes(data, Path("enc.py"), SETTINGS, ALL_RULES)
    [finding] = result.findings
    assert finding.code == "SDL301"
    assert finding.location.row == 4 + prefix.count(b"\n")
    assert finding.location.column == 5


def test_columns_count_code_points() -> None:
    source = (
        "import queue, threading\nQ = queue.Queue(2)\ndef work():\n"
        "    é = 'ü'; Q.put(1)\nthreading.Thread(target=work).start()\n"
    )
    [finding] = check_bytes(source.encode(), Path("cols.py"), SETTINGS, ALL_RULES).findings
    assert finding.location.column == source.splitlines()[3].index("Q.put") + 1


class _Broken(Rule):
    code = "SDL301"  # reuses a selected code so that the engine runs it
    name = "blocking-put-without-timeout"
    message = "never"
    fix_title = "never"

    def visit_call(self, node, ctx) -> None:
        raise ZeroDivisionError("boom")


def test_a_rule_exception_becomes_sdl999_and_other_rules_go_on(monkeypatch, tmp_path) -> None:
    others = [r for r in ALL_RULES if r.code != "SDL301"]
    # The runner imports the registry when it has files to check.
    monkeypatch.setattr(shutdownlint.rules, "ALL_RULES", [_Broken, *others])
    source = BAD.format(comment="# noqa") + "def close(t):\n    t.join()\n"
    result = check_bytes(source.encode(), Path("x.py"), SETTINGS, [_Broken, *others])
    found = [f.code for f in result.findings]
    assert found.count("SDL999") == 1  # once per rule and file, and noqa cannot hide it
    assert "ZeroDivisionError: boom" in result.findings[0].message
    (tmp_path / "x.py").write_text(source)
    run = CliRunner().invoke(main, ["check", "--isolated", "--no-cache", str(tmp_path / "x.py")])
    assert run.exit_code == 2
    assert "SDL999" in run.output


def test_project_modules_are_built_from_source_never_imported(tmp_path) -> None:
    """Following an import into the analysed project must not run that module."""
    marker = tmp_path / "imported.marker"
    package = tmp_path / "proj"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "evil.py").write_text(
        f"import queue, pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
        "SHARED = queue.Queue(2)\n"
    )
    (package / "worker.py").write_text(
        "import threading\nfrom proj.evil import SHARED\n"
        "def work():\n    SHARED.put(1)\nthreading.Thread(target=work).start()\n"
    )
    run = CliRunner().invoke(
        main, ["check", "--isolated", "--no-cache", "--format", "concise", str(package)]
    )
    assert "worker.py:4:5: SDL301" in run.output
    assert not marker.exists()


def test_odd_timeout_literals_do_not_crash() -> None:
    source = (
        "import threading\nT = threading.Thread(target=print)\nL = threading.Semaphore()\n"
        "def close():\n    T.join(-'x')\n    L.acquire(timeout=-1)\n"
    )
    result = check_bytes(source.encode(), Path("odd.py"), SETTINGS, ALL_RULES)
    assert [(f.code, f.location.row) for f in result.findings] == [("SDL302", 6)]


def test_inference_that_breaks_inside_astroid_gives_up_on_the_node(monkeypatch) -> None:
    """astroid raises plain exceptions on some code (a ValueError in its constraint code
    for a string annotation in the standard library's unittest/mock.py): inference gives
    up on that node instead of failing the rule for the whole file (SDL999)."""
    import astroid

    from shutdownlint.analysis.infer import infer_values

    name = astroid.extract_node("x = 1\nx")

    def broken(*args, **kwargs):
        raise ValueError("<Name.call l.1> is not in list")
        yield  # a generator, as astroid's infer is

    monkeypatch.setattr(type(name), "infer", broken)
    assert infer_values(name) == []


def test_a_compiled_class_whose_signatures_astroid_cannot_see() -> None:
    """A method of a class from a compiled module (`_multiprocessing.SemLock`) has no
    known signature (astroid's `args.args` is None): the lock analysis takes it as no
    evidence instead of failing the shared-state rules (SDL999; loky's synchronize.py)."""
    source = (
        "import _multiprocessing\nimport threading\n\n\nclass Meter:\n"
        "    def __init__(self):\n        self._lock = threading.Lock()\n"
        "        self._gate = _multiprocessing.SemLock(1, 1, 1, '/m', False)\n"
        "        self.count = 0\n\n    def tick(self):\n        with self._lock:\n"
        "            self.count += 1\n\n    def turn(self):\n        self._gate.acquire()\n"
        "        try:\n            return self.count\n        finally:\n"
        "            self._gate.release()\n"
    )
    assert codes(source.encode(), "meter.py") == []
