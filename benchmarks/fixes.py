#!/usr/bin/env python3
"""Apply every edit shutdownlint offers to copies of real trees, and count the damage.

    python benchmarks/fixes.py [--out PATH] [--jobs N] TREE [TREE ...]

Each TREE is copied to a temporary folder first (never fixed in place; `__pycache__`
and `site-packages` are left out), then, with every rule selected (`--isolated
--select SDL`):

1. per edit: each finding whose fix has edits gets them applied alone, in memory
   (`fixes.finding_edits`, the path --fix and the editor take), and the file is
   checked again: does it parse, is the finding gone, does any new finding appear;
2. all at once: the console script runs `check --fix --unsafe-fixes` on the copy;
   then the changed files are parsed, and the findings before and after are
   compared as multisets of (file, code, message).

Figures go to stdout and, with `--out`, into a Markdown file.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shutdownlint.config import Overrides, build_settings  # noqa: E402
from shutdownlint.engine import check_bytes  # noqa: E402
from shutdownlint.fixes import apply_edits, finding_edits, read_source  # noqa: E402
from shutdownlint.report import printable  # noqa: E402
from shutdownlint.rules import ALL_RULES  # noqa: E402

FLAGS = ["--isolated", "--select", "SDL", "--no-cache", "--exit-zero"]
NEW: list[str] = []  # each finding an edit added, for the Markdown


def linter() -> list[str]:
    """The console script beside the interpreter (as the other benchmarks run it)."""
    return [str(Path(sys.executable).with_name("shutdownlint"))]


def parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def report(tree: Path, jobs: int | None) -> list[dict]:
    command = [*linter(), "check", *FLAGS, "--format", "json", "--quiet", str(tree)]
    if jobs:
        command += ["--jobs", str(jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"shutdownlint failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout or "[]")


def key(row: dict, tree: Path) -> tuple[str, str, str]:
    return (str(Path(row["filename"]).relative_to(tree)), row["code"], row["message"])


def per_edit(tree: Path, rows: list[dict]) -> Counter:
    """Each edit applied alone: parses / removes its finding / adds a finding."""
    counts: Counter = Counter()
    settings = build_settings([tree], isolated=True, overrides=Overrides(select=["SDL"]))
    by_file: dict[str, list[dict]] = {}
    for row in rows:
        if row["fix"] and row["fix"]["edits"]:
            by_file.setdefault(row["filename"], []).append(row)
    for filename in sorted(by_file):
        path = Path(filename)
        data = path.read_bytes()
        read = read_source(data)
        if read is None:
            continue
        text, stored = read
        findings = check_bytes(data, path, settings, ALL_RULES).findings
        before = Counter((f.code, f.message) for f in findings)
        for finding in findings:
            if finding.fix is None or not finding.fix.edits:
                continue
            counts["edits"] += 1
            counts[f"edits {finding.fix.applicability.value}"] += 1
            edits = finding_edits(text, finding)
            if edits is None:
                counts["refused (would not parse)"] += 1
                continue
            fixed = apply_edits(text, edits)
            if not parses(fixed):
                counts["do not parse"] += 1
                continue
            counts["parse"] += 1
            after_findings = check_bytes(stored.encode(fixed), path, settings, ALL_RULES).findings
            after = Counter((f.code, f.message) for f in after_findings)
            if after[(finding.code, finding.message)] < before[(finding.code, finding.message)]:
                counts["remove their finding"] += 1
            else:
                counts["keep their finding"] += 1
            new = after - (before - Counter({(finding.code, finding.message): 1}))
            if new:
                counts["add a finding"] += 1
                counts["findings added"] += sum(new.values())
                for code, message in new:
                    where = f"{path.relative_to(tree)}:{finding.location.row}"
                    NEW.append(f"after the {finding.code} edit at {where} alone: {code} {message}")
                    print(f"  {NEW[-1]}")
    return counts


def all_at_once(tree: Path, rows: list[dict], jobs: int | None) -> Counter:
    """`check --fix --unsafe-fixes` on the copy, then the damage."""
    counts: Counter = Counter()
    files = sorted({row["filename"] for row in rows})
    originals = {f: Path(f).read_bytes() for f in files}
    command = [*linter(), "check", *FLAGS, "--fix", "--unsafe-fixes", "--quiet", str(tree)]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    counts["fix seconds"] = round(time.monotonic() - started)
    if done.returncode not in (0, 1):
        raise SystemExit(f"--fix failed ({done.returncode}): {done.stderr[-2000:]}")
    counts["refused (warnings)"] = done.stderr.count("not fixed")
    for filename, data in originals.items():
        now = Path(filename).read_bytes()
        if now != data:
            counts["files changed"] += 1
            read = read_source(now)
            ok = read is not None and parses(read[0])
            counts["changed files that parse" if ok else "changed files that do not parse"] += 1
    after = report(tree, jobs)
    before_keys = Counter(key(r, tree) for r in rows)
    after_keys = Counter(key(r, tree) for r in after)
    counts["findings before"] = sum(before_keys.values())
    counts["findings after"] = sum(after_keys.values())
    counts["findings removed"] = sum((before_keys - after_keys).values())
    counts["findings added"] = sum((after_keys - before_keys).values())
    for file, code, message in sorted(after_keys - before_keys):
        NEW.append(f"after --fix on {tree.name}: {file}: {code} {message}")
        print(f"  {NEW[-1]}")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    sections = []
    for tree in args.trees:
        with tempfile.TemporaryDirectory(prefix="sdl-fixes-") as scratch:
            copy = Path(scratch) / tree.resolve().name
            shutil.copytree(
                tree,
                copy,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "site-packages", "*.pyc"),
            )
            rows = report(copy, args.jobs)
            fixable = sum(1 for r in rows if r["fix"] and r["fix"]["edits"])
            print(f"{tree}: {len(rows)} findings, {fixable} with edits")
            single = per_edit(copy, rows)
            together = all_at_once(copy, rows, args.jobs)
        print(f"  per edit: {dict(single)}")
        print(f"  all at once: {dict(together)}")
        sections.append((tree, len(rows), fixable, single, together))
    if args.out:
        write_markdown(args.out, sections)
    return 0


def write_markdown(out: Path, sections: list) -> None:
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    trees = " ".join(str(s[0]) for s in sections)
    lines = [
        "# Fixes applied to real trees: do they parse, remove their finding, add one?",
        "",
        f"- Python: {sys.version.split()[0]}; linter commit {commit}",
        f"- Command: `python benchmarks/fixes.py --out {out.resolve().relative_to(ROOT)} {trees}`",
        "  (each tree is copied to a temporary folder first; every rule selected)",
        "",
        "Per edit: each finding's edits applied alone, the file checked again. All at",
        "once: `shutdownlint check --isolated --select SDL --fix --unsafe-fixes` on the",
        "copy, findings compared before and after as multisets of (file, code, message).",
        "",
        "| tree | findings | with edits | edits parse | remove their finding | add a finding "
        "| refused | --fix: files changed | changed files parse | findings removed "
        "| findings added | remaining |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for tree, total, fixable, single, together in sections:
        lines.append(
            f"| {tree} | {total} | {fixable} | {single['parse']}/{single['edits']} "
            f"| {single['remove their finding']} | {single['add a finding']} "
            f"| {single['refused (would not parse)'] + together['refused (warnings)']} "
            f"| {together['files changed']} | {together['changed files that parse']}"
            f"/{together['files changed']} | {together['findings removed']} "
            f"| {together['findings added']} | {together['findings after']} |"
        )
    lines += ["", "## Findings that appear after an edit", ""]
    lines += [f"- {printable(note)}" for note in NEW] or ["None."]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
