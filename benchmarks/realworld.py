#!/usr/bin/env python3
"""Score shutdownlint on real shutdown bugs in published packages (issue #5).

Scoring mode (the default), run from the repository root::

    python benchmarks/realworld.py [--cache DIR] [--manifest PATH] [--json PATH]
                                   [--no-fetch] [--case ID ...] [--jobs N]

fetches every release named in the manifest (``cases.toml``, next to
``fetch.sh``) into the cache, runs shutdownlint with every rule selected on each
case's buggy and fixed file (one run per release, from its import root), and
scores each case:

* **found**: the buggy file has a finding of the case's family (the hundreds
  group of its code: SDL1xx, SDL2xx, SDL3xx, SDL4xx) inside ``qualname``; a
  finding of a class-level code (SDL104, SDL105, every SDL2xx and SDL4xx) also
  counts anywhere in the outermost class on the ``qualname`` path;
* **strict**: one of those findings has exactly the case's code;
* **fixed clean**: the fixed file has no finding of that family inside
  ``fixed_qualname`` itself, as ``../shared/realworld/README.md`` defines it (findings
  elsewhere in its class are listed in ``fixed-matched`` with ``where: class``, and
  counted as "class clean" apart); n/a when there is no fixed release.

Every other finding in those files is counted per code. A per-case table and a
per-family summary (with "found+fixed-clean": found in the buggy release and
clean in the fixed one) are printed; ``--json PATH`` writes the same, so results can
be compared between commits. A release that could not be downloaded is
reported by case, never an error.

Triage mode::

    python benchmarks/realworld.py --triage [--triage-out benchmarks/triage/stdlib.md]

runs every rule over concurrency-heavy standard-library modules and writes each
finding to a Markdown table with a verdict column (TP, FP, unsure, ?). Verdicts
and notes already in that file are carried over by (code, file, function,
message), so line shifts keep them; a "## Notes" section is kept verbatim.

Exit status: 0 (this is a measurement, not a gate); 1 when the linter itself
failed (exit status 2, no JSON, or an SDL999 internal error); 2 on bad usage.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import warnings
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MANIFEST = REPO.parent / "shared" / "realworld" / "cases.toml"
DEFAULT_CACHE = Path(
    os.environ.get("SHUTDOWNLINT_REALWORLD_CACHE", "~/.cache/shutdownlint-realworld")
).expanduser()
DEFAULT_TRIAGE_OUT = REPO / "benchmarks" / "triage" / "stdlib.md"
TRIAGE_TARGETS = (
    "asyncio",
    "concurrent",
    "multiprocessing",
    "threading.py",
    "queue.py",
    "socketserver.py",
    "logging",
    "subprocess.py",
    "selectors.py",
)
LINTER_ARGS = (
    "check",
    "--isolated",
    "--select",
    "SDL",
    "--no-cache",
    "--format",
    "json",
    "--exit-zero",
)
CLASS_LEVEL_CODES = frozenset({"SDL104", "SDL105"})
CLASS_LEVEL_GROUPS = frozenset({"SDL2", "SDL4"})
INTERNAL_ERROR = "SDL999"
PARSE_ERROR = "SDL900"
VERDICTS = ("TP", "FP", "unsure", "?")
LINTER_TIMEOUT = 900.0
FETCH_TIMEOUT = 3600.0

Finding = dict[str, Any]
Case = dict[str, Any]


# --------------------------------------------------------------------------- source facts


@dataclass(frozen=True)
class Span:
    """Lines of one class or def, decorators included (1-based, inclusive)."""

    first: int
    last: int
    kind: str  # "class" or "def"

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int) and self.first <= row <= self.last


Defs = dict[str, list[Span]]


def parse_source(source: str | bytes) -> ast.Module:
    """Parse without importing; old code's odd escapes only warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def definitions(source: str | bytes) -> Defs:
    """{qualname: [Span, ...]} for every class and def, as check_manifest.py names them.

    Nested definitions are joined with "."; a def under an if/try/with block keeps
    the enclosing prefix; a name defined twice has two spans.
    """
    found: Defs = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                kind = "class" if isinstance(child, ast.ClassDef) else "def"
                found.setdefault(name, []).append(Span(first, child.end_lineno or first, kind))
                walk(child, name)
            else:
                walk(child, prefix)

    walk(parse_source(source), "")
    return found


def outer_class(defs: Defs, qualname: str) -> str | None:
    """The outermost class on the qualname's dotted path, if any."""
    parts = qualname.split(".")
    for i in range(1, len(parts) + 1):
        prefix = ".".join(parts[:i])
        if any(span.kind == "class" for span in defs.get(prefix, ())):
            return prefix
    return None


def enclosing_function(defs: Defs, row: int) -> str:
    """The innermost class or def containing ``row``, or "<module>"."""
    best: tuple[int, int, str] | None = None
    for name, spans in defs.items():
        for span in spans:
            if row in span:
                candidate = (span.last - span.first, -len(name), name)
                best = candidate if best is None or candidate < best else best
    return best[2] if best else "<module>"


# --------------------------------------------------------------------------- scoring


def family_group(code: str) -> str:
    """The hundreds group of a code: SDL302 -> SDL3."""
    return code[:4]


def is_class_level(code: str) -> bool:
    """Codes whose findings may sit anywhere in the class of the buggy method."""
    return code in CLASS_LEVEL_CODES or family_group(code) in CLASS_LEVEL_GROUPS


def location_in(defs: Defs, qualname: str, code: str, row: int) -> str | None:
    """Where ``row`` sits for scoring: "def" inside ``qualname``; "class" only inside
    its outermost class, counted when ``code`` is class-level; else None."""
    if any(row in span for span in defs.get(qualname, ())):
        return "def"
    if is_class_level(code):
        cls = outer_class(defs, qualname)
        if cls and any(span.kind == "class" and row in span for span in defs[cls]):
            return "class"
    return None


def finding_row(finding: Finding) -> int:
    return int(finding.get("location", {}).get("row", 0))


def split_findings(
    findings: Iterable[Finding], defs: Defs, qualname: str, group: str
) -> tuple[list[Finding], list[Finding]]:
    """(findings of ``group`` inside ``qualname`` or its class, every other finding)."""
    matched: list[Finding] = []
    rest: list[Finding] = []
    for finding in findings:
        code = str(finding.get("code", ""))
        inside = family_group(code) == group and location_in(
            defs, qualname, code, finding_row(finding)
        )
        (matched if inside else rest).append(finding)
    return matched, rest


@dataclass
class FileResult:
    """The linter's findings for one file of one release, or why there are none."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    defs: Defs = field(default_factory=dict)
    problem: str | None = None


def brief(finding: Finding, defs: Defs, qualname: str) -> dict[str, Any]:
    code = str(finding.get("code", ""))
    row = finding_row(finding)
    return {
        "code": code,
        "row": row,
        "where": location_in(defs, qualname, code, row),
        "message": finding.get("message", ""),
    }


def score_case(case: Case, buggy: FileResult, fixed: FileResult | None) -> dict[str, Any]:
    """One case's result row; ``fixed`` is None when the case has no fixed release."""
    family = case["family"]
    group = family_group(family)
    row: dict[str, Any] = {
        key: case.get(key, "")
        for key in (
            "id",
            "family",
            "package",
            "buggy_version",
            "fixed_version",
            "file",
            "qualname",
            "fixed_qualname",
        )
    }
    row.update(
        status="ok",
        found=None,
        strict=None,
        matched=[],
        fixed_status="n/a",
        fixed_clean=None,
        fixed_matched=[],
    )
    other: Counter[str] = Counter()
    problems: list[FileResult] = []

    if buggy.problem:
        row["status"] = buggy.problem
    elif case["qualname"] not in buggy.defs:
        row["status"] = f"{case['qualname']} not defined in the buggy file"
    else:
        matched, rest = split_findings(buggy.findings, buggy.defs, case["qualname"], group)
        row["found"] = bool(matched)
        row["strict"] = any(f.get("code") == family for f in matched)
        row["matched"] = [brief(f, buggy.defs, case["qualname"]) for f in matched]
        other.update(str(f.get("code")) for f in rest)
        problems.append(buggy)

    if fixed is not None:
        fixed_q = case.get("fixed_qualname", "")
        if fixed.problem:
            row["fixed_status"] = fixed.problem
        elif fixed_q not in fixed.defs:
            row["fixed_status"] = f"{fixed_q} not defined in the fixed file"
        else:
            matched, rest = split_findings(fixed.findings, fixed.defs, fixed_q, group)
            row["fixed_status"] = "ok"
            row["fixed_matched"] = [brief(f, fixed.defs, fixed_q) for f in matched]
            row["fixed_clean"] = not any(b["where"] == "def" for b in row["fixed_matched"])
            row["fixed_class_clean"] = not matched
            other.update(str(f.get("code")) for f in rest)
            problems.append(fixed)

    row["other_findings"] = dict(sorted(other.items()))
    row["internal_errors"] = [
        f"{r.path}:{finding_row(f)}: {f.get('message', '')}"
        for r in problems
        for f in r.findings
        if f.get("code") == INTERNAL_ERROR
    ]
    return row


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Counts per case code, per hundreds group ("SDL1xx") and overall ("all")."""
    summary: dict[str, dict[str, int]] = {}
    for row in rows:
        family = row["family"]
        for key in (family, f"{family_group(family)}xx", "all"):
            s = summary.setdefault(
                key,
                dict.fromkeys(
                    (
                        "cases",
                        "scored",
                        "found",
                        "strict",
                        "fixed_cases",
                        "fixed_clean",
                        "fixed_class_clean",
                        "found_and_fixed_clean",
                    ),
                    0,
                ),
            )
            s["cases"] += 1
            s["scored"] += row["found"] is not None
            s["found"] += bool(row["found"])
            s["strict"] += bool(row["strict"])
            s["fixed_cases"] += row["fixed_clean"] is not None
            s["fixed_clean"] += bool(row["fixed_clean"])
            s["fixed_class_clean"] += bool(row.get("fixed_class_clean"))
            s["found_and_fixed_clean"] += bool(row["found"] and row["fixed_clean"])
    order = sorted(k for k in summary if k != "all" and not k.endswith("xx"))
    groups = sorted(k for k in summary if k.endswith("xx"))
    keys = [k for g in groups for k in [*(o for o in order if o.startswith(g[:4])), g]]
    return {k: summary[k] for k in [*keys, "all"] if k in summary}


# --------------------------------------------------------------------------- running things


@dataclass
class LinterRun:
    """One linter invocation: its findings (None when unreadable) and any failure."""

    findings: list[Finding] | None
    error: str | None = None


def tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def linter_command(python: str = sys.executable) -> list[str]:
    """The console script beside ``python``, else ``python -P -m shutdownlint``. Never
    plain ``python -m``: run inside a downloaded package, it would import that package's
    ``types.py`` or ``collections.py`` before shutdownlint could drop the folder."""
    script = Path(python).with_name("shutdownlint")
    return [str(script)] if script.exists() else [python, "-P", "-m", "shutdownlint"]


def run_linter(
    files: Sequence[str], cwd: Path, python: str = sys.executable, timeout: float = LINTER_TIMEOUT
) -> LinterRun:
    """Run shutdownlint (every rule, JSON) on ``files`` relative to ``cwd``."""
    command = [*linter_command(python), *LINTER_ARGS, *files]
    try:
        proc = subprocess.run(
            command, check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return LinterRun(None, f"could not run the linter: {exc}")
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return LinterRun(None, f"linter exit {proc.returncode}, no JSON: {tail(proc.stderr)}")
    if not isinstance(data, list):
        return LinterRun(None, f"linter exit {proc.returncode}, JSON is not a list")
    findings = [f for f in data if isinstance(f, dict)]
    error = None
    if proc.returncode not in (0, 1) or "Traceback" in proc.stderr:
        error = f"linter exit {proc.returncode}: {tail(proc.stderr)}"
    return LinterRun(findings, error)


def same_file(a: str | Path) -> str:
    return os.path.realpath(a)


def analyse_release(root: Path, files: Sequence[str], errors: list[str]) -> dict[str, FileResult]:
    """Lint ``files`` of one release from its import root; {file: FileResult}."""
    results: dict[str, FileResult] = {}
    if not root.is_dir():
        return {f: FileResult(root / f, problem=f"not fetched ({root.name})") for f in files}
    present: list[str] = []
    for name in files:
        path = root / name
        if not path.is_file():
            results[name] = FileResult(path, problem=f"no file {name} in {root.name}")
            continue
        try:
            results[name] = FileResult(path, defs=definitions(path.read_bytes()))
            present.append(name)
        except (SyntaxError, ValueError, OSError) as exc:
            results[name] = FileResult(path, problem=f"{name} does not parse here: {exc}")
    if not present:
        return results
    run = run_linter(present, root)
    if run.error:
        errors.append(f"{root.name}: {run.error}")
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in run.findings or []:
        by_file[same_file(str(finding.get("filename", "")))].append(finding)
    for name in present:
        result = results[name]
        if run.findings is None:
            result.problem = f"linter failed: {run.error}"
        else:
            result.findings = by_file.get(same_file(result.path), [])
    return results


def release_dir(case: Case, version_key: str) -> str:
    return f"{case['package']}-{case[version_key]}"


def analyse_cases(
    cases: Sequence[Case], cache: Path, errors: list[str], jobs: int = 1
) -> dict[tuple[str, str], FileResult]:
    """{(release dir, file): FileResult} for the buggy and fixed file of every case."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for case in cases:
        for key in ("buggy_version", "fixed_version"):
            if case.get(key):
                wanted[release_dir(case, key)].add(case["file"])
    results: dict[tuple[str, str], FileResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            pool.submit(analyse_release, cache / d, sorted(files), errors): d
            for d, files in sorted(wanted.items())
        }
        for i, future in enumerate(as_completed(futures), 1):
            print(f"[{i}/{len(futures)}] {futures[future]}", file=sys.stderr, flush=True)
            for name, result in future.result().items():
                results[(futures[future], name)] = result
    errors.sort()
    return results


def fetch(manifest: Path, cache: Path) -> None:
    """Run fetch.sh (next to the manifest); a failed download is only reported."""
    script = manifest.parent / "fetch.sh"
    if not script.is_file():
        print(f"realworld: no {script}; using the cache as it is", file=sys.stderr)
        return
    env = {**os.environ, "PYTHON": sys.executable, "MANIFEST": str(manifest)}
    print(f"realworld: fetching into {cache} ...", file=sys.stderr, flush=True)
    try:
        proc = subprocess.run(
            ["bash", str(script), str(cache)],
            check=False,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=FETCH_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"realworld: fetch.sh failed to run: {exc}", file=sys.stderr)
        return
    sys.stderr.write(proc.stdout)


def git_commit() -> str:
    """Short commit of the linter's checkout, "+dirty" when its package has edits."""

    def git(*args: str) -> str:
        proc = subprocess.run(
            ["git", "-C", str(REPO), *args], check=False, capture_output=True, text=True
        )
        return proc.stdout.strip() if proc.returncode == 0 else ""

    try:
        commit = git("rev-parse", "--short", "HEAD") or "unknown"
        dirty = git("status", "--porcelain", "--", "shutdownlint")
    except OSError:
        return "unknown"
    return f"{commit}+dirty" if dirty else commit


def linter_version() -> str:
    try:
        proc = subprocess.run(
            [*linter_command(), "--version"],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"unavailable ({exc})"
    return proc.stdout.strip() if proc.returncode == 0 else f"unavailable ({tail(proc.stderr, 1)})"


def load_manifest(path: Path) -> list[Case]:
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    with path.open("rb") as f:
        return list(tomllib.load(f).get("case", []))


# --------------------------------------------------------------------------- reporting


def yes_no(value: bool | None, absent: str = "-") -> str:
    return absent if value is None else ("yes" if value else "no")


def codes_at(items: Sequence[dict[str, Any]]) -> str:
    return ",".join(f"{m['code']}@{m['row']}" for m in items) or "-"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)).rstrip() for r in lines
    )


def case_table(rows: Sequence[dict[str, Any]]) -> str:
    body = []
    for r in rows:
        fixed = "n/a" if r["fixed_status"] == "n/a" else yes_no(r["fixed_clean"])
        other = ",".join(f"{c}:{n}" for c, n in r["other_findings"].items()) or "-"
        status = (
            r["status"]
            if r["fixed_status"] in ("ok", "n/a")
            else (f"{r['status']}; fixed: {r['fixed_status']}")
        )
        body.append(
            [
                r["id"],
                r["family"],
                yes_no(r["found"]),
                yes_no(r["strict"]),
                fixed,
                codes_at(r["matched"]),
                codes_at(r["fixed_matched"]),
                other,
                status,
            ]
        )
    header = [
        "case",
        "family",
        "found",
        "strict",
        "fixed-clean",
        "matched",
        "fixed-matched",
        "other",
        "status",
    ]
    return table(header, body)


def summary_table(summary: dict[str, dict[str, int]]) -> str:
    body = [
        [
            k,
            str(s["cases"]),
            str(s["scored"]),
            str(s["found"]),
            str(s["strict"]),
            f"{s['fixed_clean']}/{s['fixed_cases']}",
            f"{s['fixed_class_clean']}/{s['fixed_cases']}",
            str(s["found_and_fixed_clean"]),
        ]
        for k, s in summary.items()
    ]
    header = [
        "family",
        "cases",
        "scored",
        "found",
        "strict",
        "fixed-clean",
        "class-clean",
        "found+fixed-clean",
    ]
    return table(header, body)


def score(args: argparse.Namespace, cases: Sequence[Case]) -> int:
    cache = args.cache.expanduser().resolve()
    if not args.no_fetch:
        fetch(args.manifest, cache)
    errors: list[str] = []
    results = analyse_cases(cases, cache, errors, args.jobs)
    rows = []
    for case in cases:
        buggy = results[(release_dir(case, "buggy_version"), case["file"])]
        fixed = (
            results[(release_dir(case, "fixed_version"), case["file"])]
            if case.get("fixed_version")
            else None
        )
        rows.append(score_case(case, buggy, fixed))
    summary = summarise(rows)
    other: Counter[str] = Counter()
    for result in results.values():
        other.update(str(f.get("code")) for f in result.findings)
    not_fetched = [r["id"] for r in rows if "not fetched" in f"{r['status']} {r['fixed_status']}"]
    internal = sorted({e for r in rows for e in r["internal_errors"]})

    print(case_table(rows))
    print()
    print(summary_table(summary))
    print()
    print(
        "all findings in the analysed files:",
        ", ".join(f"{c}:{n}" for c, n in sorted(other.items())) or "none",
    )
    if not_fetched:
        print(f"could not fetch ({len(not_fetched)}): {', '.join(not_fetched)}")
    for line in [*errors, *internal]:
        print(f"LINTER ERROR: {line}")
    if args.json:
        report = {
            "meta": meta(args, cache),
            "cases": rows,
            "summary": summary,
            "findings_per_code": dict(sorted(other.items())),
            "not_fetched": not_fetched,
            "linter_errors": errors,
            "internal_errors": internal,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if errors or internal else 0


def meta(args: argparse.Namespace, cache: Path) -> dict[str, str]:
    return {
        "python": sys.version.split()[0],
        "linter_version": linter_version(),
        "linter_commit": git_commit(),
        "manifest": str(args.manifest),
        "cache": str(cache),
        "linter_command": shlex.join(["shutdownlint", *LINTER_ARGS, "FILE..."]),
    }


# --------------------------------------------------------------------------- triage


@dataclass
class TriageRow:
    code: str
    file: str
    line: int
    function: str
    message: str
    verdict: str = "?"
    note: str = ""

    def key(self) -> tuple[str, str, str, str]:
        return (self.code, self.file, self.function, self.message)


CELL_SPLIT = re.compile(r"(?<!\\)\|")


def md_escape(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def md_unescape(text: str) -> str:
    return text.strip().replace("\\|", "|")


def parse_triage(text: str) -> list[TriageRow]:
    """Rows of every 7-column finding table in a triage file written by this script."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [md_unescape(c) for c in CELL_SPLIT.split(line.strip())[1:-1]]
        if len(cells) != 7 or not re.fullmatch(r"SDL\d{3}", cells[1]):
            continue
        file, _, line_no = cells[2].rpartition(":")
        rows.append(
            TriageRow(
                cells[1],
                file,
                int(line_no) if line_no.isdigit() else 0,
                cells[3],
                cells[4],
                cells[5] or "?",
                cells[6],
            )
        )
    return rows


def notes_section(text: str) -> str:
    """The "## Notes" section and everything after it, kept verbatim."""
    match = re.search(r"^## Notes\b.*", text, flags=re.MULTILINE | re.DOTALL)
    if match:
        return match.group(0).rstrip() + "\n"
    return "## Notes\n\n(Free text, kept verbatim across reruns.)\n"


def carry_over(new: list[TriageRow], old: list[TriageRow]) -> list[TriageRow]:
    """Copy verdicts and notes onto ``new`` by key; return old judged rows now gone."""
    pool: dict[tuple[str, str, str, str], deque[TriageRow]] = defaultdict(deque)
    for row in old:
        pool[row.key()].append(row)
    for row in new:
        if pool[row.key()]:
            prev = pool[row.key()].popleft()
            row.verdict, row.note = prev.verdict, prev.note
    gone = [r for q in pool.values() for r in q if r.verdict != "?" or r.note]
    seen: set[tuple[str, str, str, str, str]] = set()
    unique = []
    for r in gone:  # a row already listed as gone last time appears once
        k = (*r.key(), r.verdict)
        if k not in seen:
            seen.add(k)
            unique.append(r)
    return unique


def verdict_of(row: TriageRow) -> str:
    lowered = {v.lower(): v for v in VERDICTS}
    return lowered.get(row.verdict.strip().lower(), "?")


def triage_summary(rows: Sequence[TriageRow]) -> dict[str, Counter[str]]:
    summary: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        summary[row.code][verdict_of(row)] += 1
        summary[row.code]["total"] += 1
    return dict(sorted(summary.items()))


def finding_table(rows: Sequence[TriageRow]) -> list[str]:
    lines = [
        "| # | code | file:line | function | message | verdict | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(rows, 1):
        cells = [str(i), r.code, f"{r.file}:{r.line}", r.function, r.message, r.verdict, r.note]
        lines.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    return lines


def render_triage(
    rows: Sequence[TriageRow], gone: Sequence[TriageRow], header: dict[str, str], notes: str
) -> str:
    summary = triage_summary(rows)
    lines = [
        "# Triage: shutdownlint findings in concurrency-heavy standard-library modules",
        "",
        *(f"- {k}: {v}" for k, v in header.items()),
        "",
        (
            "Regenerate with `python benchmarks/realworld.py --triage`. Edit only the verdict "
            "and note columns (and the Notes section): they are carried over by (code, file, "
            "function, message), so line shifts keep them. Verdicts: TP (a real hazard the rule "
            "is meant to catch), FP (the rule is wrong here), unsure, ? (not judged yet)."
        ),
        "",
        "## Summary",
        "",
        "| code | findings | TP | FP | unsure | ? |",
        "|---|---|---|---|---|---|",
        *(
            f"| {c} | {s['total']} | {s['TP']} | {s['FP']} | {s['unsure']} | {s['?']} |"
            for c, s in summary.items()
        ),
        "",
        "## Findings",
        "",
        *finding_table(rows),
        "",
    ]
    if gone:
        lines += [
            "## No longer reported",
            "",
            "Judged rows of the previous run that this run did not report.",
            "",
            *finding_table(gone),
            "",
        ]
    return "\n".join(lines) + "\n" + notes


def triage_rows(findings: Sequence[Finding], stdlib: Path) -> list[TriageRow]:
    defs_cache: dict[str, Defs] = {}
    rows = []
    for f in findings:
        path = Path(str(f.get("filename", "")))
        try:
            rel = path.resolve().relative_to(stdlib.resolve()).as_posix()
        except ValueError:
            rel = str(path)
        if rel not in defs_cache:
            try:
                defs_cache[rel] = definitions(path.read_bytes())
            except (SyntaxError, ValueError, OSError):
                defs_cache[rel] = {}
        row = finding_row(f)
        rows.append(
            TriageRow(
                str(f.get("code", "")),
                rel,
                row,
                enclosing_function(defs_cache[rel], row),
                " ".join(str(f.get("message", "")).split()),
            )
        )
    rows.sort(key=lambda r: (r.file, r.line, r.code, r.message))
    return rows


def triage(args: argparse.Namespace) -> int:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    # Run from the stdlib's parent, which must not be the stdlib itself: the console
    # script never imports from its working directory, and neither may anything else.
    targets = [f"{stdlib.name}/{t}" for t in TRIAGE_TARGETS if (stdlib / t).exists()]
    run = run_linter(targets, stdlib.parent)
    if run.findings is None:
        print(f"LINTER ERROR: {run.error}")
        return 1
    rows = triage_rows(run.findings, stdlib)
    out: Path = args.triage_out
    old_text = out.read_text(encoding="utf-8") if out.exists() else ""
    gone = carry_over(rows, parse_triage(old_text))
    header = {
        "Python": f"{sys.version.split()[0]} (stdlib {stdlib})",
        "Linter": f"{linter_version()}, commit {git_commit()}",
        "Command": "`"
        + shlex.join(["shutdownlint", *LINTER_ARGS, *targets])
        + f"` (cwd: {stdlib.parent})",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_triage(rows, gone, header, notes_section(old_text)), encoding="utf-8")

    summary = triage_summary(rows)
    body = [
        [c, str(s["total"]), str(s["TP"]), str(s["FP"]), str(s["unsure"]), str(s["?"])]
        for c, s in summary.items()
    ]
    print(table(["code", "total", "TP", "FP", "unsure", "?"], body))
    gone_note = f"; {len(gone)} judged rows no longer reported" if gone else ""
    print(f"{len(rows)} findings written to {out}{gone_note}")
    internal = [r for r in rows if r.code == INTERNAL_ERROR]
    for line in [run.error or "", *(f"{r.file}:{r.line}: {r.message}" for r in internal)]:
        if line:
            print(f"LINTER ERROR: {line}")
    return 1 if run.error or internal else 0


# --------------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="where releases are unpacked (default: %(default)s)",
    )
    parser.add_argument(
        "--manifest", type=Path, default=DEFAULT_MANIFEST, help="cases.toml (default: %(default)s)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--no-fetch", action="store_true", help="use the cache as it is")
    parser.add_argument(
        "--case",
        nargs="+",
        action="extend",
        default=[],
        metavar="ID",
        help="score only these cases",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="linter runs at once (default: %(default)s)",
    )
    parser.add_argument(
        "--triage",
        action="store_true",
        help="write stdlib findings to a Markdown table with verdicts",
    )
    parser.add_argument(
        "--triage-out",
        type=Path,
        default=DEFAULT_TRIAGE_OUT,
        help="triage file (default: %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.triage:
        return triage(args)
    if not args.manifest.is_file():
        print(f"realworld: no manifest {args.manifest}", file=sys.stderr)
        return 2
    cases = load_manifest(args.manifest)
    if args.case:
        unknown = sorted(set(args.case) - {c["id"] for c in cases})
        if unknown:
            print(f"realworld: unknown case id(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        cases = [c for c in cases if c["id"] in set(args.case)]
    return score(args, cases)


if __name__ == "__main__":
    sys.exit(main())
