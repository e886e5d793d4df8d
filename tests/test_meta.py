"""Meta-tests: the catalogue, the docs and the architecture stay honest."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shutdownlint import docs
from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_bytes, check_path
from shutdownlint.rules import ALL_RULES, RULES_BY_CODE

from .conftest import FIXTURES, ROOT, SHARED

PACKAGE = ROOT / "shutdownlint"


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [r.code for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    for rule in ALL_RULES:
        assert re.fullmatch(r"SDL\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
        assert rule.message and rule.fix_title


@pytest.mark.skipif(not (SHARED / "SPEC.md").is_file(), reason="../shared/SPEC.md not present")
def test_codes_and_names_match_the_spec() -> None:
    spec = (SHARED / "SPEC.md").read_text(encoding="utf-8")
    catalogue = dict(re.findall(r"^\| (SDL\d{3}) \| ([a-z-]+) \|", spec, re.M))
    for rule in ALL_RULES:
        assert catalogue.get(rule.code) == rule.name, rule.code
        opt_in = "*(opt-in)*" in spec.split(f"| {rule.code} |", 1)[1].split("\n", 1)[0]
        assert rule.opt_in == opt_in, rule.code


def test_rule_modules_are_named_after_their_rule() -> None:
    for rule in ALL_RULES:
        module = rule.__module__.rsplit(".", 1)[-1]
        assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_doc_has_the_fixed_headings_in_order(rule) -> None:
    doc = rule.doc()
    assert doc.splitlines()[0] == f"{rule.code} {rule.name}"
    positions = [doc.find(h) for h in docs.HEADINGS]
    assert all(p >= 0 for p in positions), f"{rule.code}: missing heading"
    assert positions == sorted(positions)


def _code_block(doc: str, heading: str) -> str:
    section = doc.split(heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python block under {heading}"
    return match.group(1)


def _codes(source: str) -> list[str]:
    path = Path("example.py")
    settings = build_settings([ROOT], isolated=True, overrides=Overrides(select=["SDL"]))
    result = check_bytes(source.encode(), path, settings, ALL_RULES)
    return [f.code for f in result.findings]


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.code != "SDL999"], ids=lambda r: r.code)
def test_doc_example_fires_and_use_instead_is_clean(rule) -> None:
    doc = rule.doc()
    assert rule.code in _codes(_code_block(doc, "## Example"))
    assert _codes(_code_block(doc, "## Use instead")) == []


def test_generated_rule_pages_are_up_to_date() -> None:
    stale = [
        name
        for name, text in docs.pages().items()
        if not (ROOT / "rules" / name).is_file()
        or (ROOT / "rules" / name).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run `python -m shutdownlint.docs` to regenerate: {stale}"
    extra = {p.name for p in (ROOT / "rules").glob("*.md")} - set(docs.pages())
    assert not extra, f"pages for rules that do not exist: {extra}"


# -- layering (STYLE.md): data flows one way -----------------------------------
# What each part of the package may import from the package.
ALLOWED = {
    "analysis": {"analysis"},
    "findings": set(),
    "fileio": set(),
    "decoding": set(),
    "catalogue": set(),
    "profile": set(),
    "source": {"findings"},
    "fixes": {"findings"},
    "rules": {"analysis", "rules", "findings", "source", "fixes", "catalogue"},
    "config": {"analysis", "catalogue", "fileio"},
    "files": {"config", "fileio"},
    "engine": {
        "analysis",
        "rules",
        "findings",
        "config",
        "source",
        "fileio",
        "decoding",
        "profile",
    },
    "report": {"report", "findings"},
    "cache": {"config", "findings", "fileio"},
    "parallel": {"analysis", "config", "engine", "findings", "fixes", "rules", "profile"},
    "runner": {
        "cache",
        "catalogue",
        "config",
        "decoding",
        "engine",
        "fileio",
        "files",
        "findings",
        "fixes",
        "parallel",
        "profile",
        "rules",
    },
    "docs": {"rules"},
    "baseline": {"config", "findings", "report"},
    "cli": {
        "baseline",
        "cache",
        "config",
        "findings",
        "lsp",
        "profile",
        "report",
        "rules",
        "runner",
    },
    "lsp": {"config", "findings", "fixes", "incremental", "report", "runner"},
    "incremental": {"config", "decoding", "engine", "fileio", "findings", "rules", "runner"},
    "flake8_plugin": {"config", "runner"},
    "__main__": {"cli"},
    "__init__": set(),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("shutdownlint")
        ):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "shutdownlint" and len(parts) > 1:
                    found.add(parts[1])
    return found


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_layering() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        part = _part(path)
        allowed = ALLOWED.get(part)
        assert allowed is not None, f"{path}: add its part to ALLOWED"
        for imported in _imports(path) - allowed - {"__version__"}:
            problems.append(f"{path.relative_to(ROOT)} imports shutdownlint.{imported}")
    assert not problems, problems


def test_no_import_cycles_between_parts() -> None:
    graph = {part: allowed - {part} for part, allowed in ALLOWED.items()}

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, f"cycle: {' -> '.join(stack + (node,))}"
        for nxt in graph.get(node, ()):
            visit(nxt, stack + (node,))

    for part in graph:
        visit(part, ())


def _module_imports(path: Path) -> set[str]:
    """The `shutdownlint.*` modules a file imports at any level (TYPE_CHECKING and
    function-level imports included: a lazy import still makes a cycle)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("shutdownlint"):
                for alias in node.names:
                    candidate = f"{node.module}.{alias.name}"
                    is_module = (ROOT / (candidate.replace(".", "/") + ".py")).is_file()
                    found.add(candidate if is_module else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("shutdownlint"))
    return found


def test_no_import_cycles_between_modules() -> None:
    """No cycle anywhere, including between the modules of one part (analysis/)."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        graph[name] = _module_imports(path) - {name}

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, f"cycle: {' -> '.join(stack + (node,))}"
        for nxt in graph.get(node, ()):
            visit(nxt, stack + (node,))

    for module in graph:
        visit(module, ())


def test_every_rule_is_registered() -> None:
    modules = {p.stem for p in (PACKAGE / "rules").glob("sdl*.py")}
    registered = {r.__module__.rsplit(".", 1)[-1] for r in ALL_RULES}
    assert modules == registered
    assert set(RULES_BY_CODE) == {r.code for r in ALL_RULES}


def test_shutdownlint_is_clean_on_its_own_source() -> None:
    settings = build_settings([PACKAGE], isolated=True, overrides=Overrides(select=["SDL"]))
    findings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        findings += check_bytes(path.read_bytes(), path, settings, ALL_RULES).findings
    assert findings == []


def test_ruff_check_and_format_are_clean() -> None:
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed")
    for args in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout + run.stderr


def _fix_safety(rule) -> str:
    return rule.doc().split("## Fix safety", 1)[1].strip().split("\n## ", 1)[0]


def test_fix_safety_says_whether_the_rule_edits() -> None:
    """A rule whose findings never carry an edit on any fixture says so under Fix
    safety ("Display-only" or "No fix"); one that edits labels them ("Unsafe"/"Safe")."""
    editing: set[str] = set()
    for path in sorted(FIXTURES.rglob("*.py")):
        if path.name.endswith(".fixed.py"):
            continue
        settings = build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))
        for finding in check_path(path, settings, ALL_RULES).findings:
            if finding.fix is not None and finding.fix.edits:
                editing.add(finding.code)
    for rule in ALL_RULES:
        text = _fix_safety(rule)
        if rule.code in editing:
            assert text.startswith(("Unsafe", "Safe")), (rule.code, text[:60])
        else:
            assert text.startswith(("Display-only (no edit is mechanical)", "No fix")), (
                rule.code,
                text[:60],
            )


# -- the domain's words: enums carry no wording --------------------------------
def _package_enums():
    import enum
    import importlib
    import pkgutil

    import shutdownlint

    seen = {}
    for info in pkgutil.walk_packages(shutdownlint.__path__, "shutdownlint."):
        if info.name.endswith(("lsp", "flake8_plugin")):
            continue  # optional dependencies
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__.startswith("shutdownlint")
            ):
                seen[f"{value.__module__}.{value.__qualname__}"] = value
    return sorted(seen.items())


@pytest.mark.parametrize("name, enum_class", _package_enums(), ids=lambda x: str(x))
def test_no_two_members_of_an_enum_share_a_value(name, enum_class) -> None:
    """A display string used as a value makes two members one (`StopHow.LOOP_STOP` was
    an alias of `StopHow.STOP`, both "stops")."""
    aliases = {alias for alias, member in enum_class.__members__.items() if member.name != alias}
    assert not aliases, f"{name}: {sorted(aliases)} are aliases of other members"


def test_readme_rule_table_matches_the_registry() -> None:
    """README.md's table of rules lists every registered rule once, with its name, and
    marks exactly the opt-in ones."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (SDL\d{3}) \| ([a-z0-9-]+) \| (.*) \|$", text, re.MULTILINE)
    listed = [(code, name) for code, name, _ in rows]
    assert listed == [(rule.code, rule.name) for rule in ALL_RULES]
    opt_in = {code for code, _, summary in rows if "(opt-in)" in summary}
    assert opt_in == {rule.code for rule in ALL_RULES if rule.opt_in}


def test_every_rule_module_is_in_the_catalogue() -> None:
    """The registry is built from `shutdownlint.catalogue`: a rule module with no row
    there would never run. Every `sdlNNN_*.py` in `rules/` is a row's module, and each
    row's class agrees with its row (loading checks code, name and opt-in)."""
    from shutdownlint import catalogue

    modules = {p.stem for p in (ROOT / "shutdownlint" / "rules").glob("sdl[0-9]*.py")}
    assert modules == {catalogue.module_of(row) for row in catalogue.RULE_NAMES}
    assert [(r.code, r.name, r.opt_in) for r in catalogue.RULE_NAMES] == [
        (rule.code, rule.name, rule.opt_in) for rule in ALL_RULES
    ]
