#!/usr/bin/env python3
"""Score the rules on a folder of blind programs (written from SPEC alone by a reviewer
who did not read the rules) described by its manifest.toml.

    python benchmarks/blind.py FOLDER [--verbose] [--json PATH]

Each `[[probe]]` has `file`, `expect` (a code, or "" for a correct program), for a bug
the `line` where SPEC says the finding belongs, and for a correct program optionally
`family` ("SDL2"; default: the family of the folder's bugs). A bug is **found** when
the file gets a finding of its family, **strict** when one has the expected code at the
expected line; a correct program is **false** when it gets any finding of its family.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def findings(folder: Path) -> dict[str, list[tuple[str, int]]]:
    # The console script beside this interpreter (never `python -m` from a cwd).
    command = [str(Path(sys.executable).with_name("shutdownlint")), "check", "--isolated"]
    command += ["--no-cache", "--select", "SDL", "--format", "json", "--exit-zero", str(folder)]
    rows = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    found: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        name = Path(row["filename"]).resolve().relative_to(folder.resolve()).as_posix()
        found.setdefault(name, []).append((row["code"], row["location"]["row"]))
    return found


def score(folder: Path, verbose: bool = False) -> dict:
    probes = tomllib.loads((folder / "manifest.toml").read_text())["probe"]
    got = findings(folder)
    bug_families = Counter(p["expect"][:4] for p in probes if p["expect"])
    default_family = bug_families.most_common(1)[0][0] if bug_families else "SDL"
    tally: dict[str, Counter[str]] = {}
    lines = []
    for probe in probes:
        expect = probe["expect"]
        family = expect[:4] if expect else probe.get("family", default_family)
        mine = [(c, r) for c, r in got.get(probe["file"], []) if c.startswith(family)]
        if expect:
            strict = (expect, probe.get("line")) in mine
            outcome = "strict" if strict else "found" if mine else "missed"
            tally.setdefault(expect, Counter())[outcome] += 1
        else:
            outcome = "false" if mine else "quiet"
            tally.setdefault(f"{family} correct", Counter())[outcome] += 1
        lines.append(f"{outcome:7} {probe['file']:40} expect {expect or '-':7} got {mine}")
    if verbose:
        print("\n".join(lines))
    return {key: dict(counter) for key, counter in sorted(tally.items())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--verbose", action="store_true", help="one line per program")
    parser.add_argument("--json", type=Path, help="write the tally here")
    args = parser.parse_args()
    tally = score(args.folder, args.verbose)
    for key, counter in tally.items():
        if key.endswith("correct"):
            print(f"{key}: {counter.get('quiet', 0)} quiet, {counter.get('false', 0)} flagged")
        else:
            hits = counter.get("strict", 0) + counter.get("found", 0)
            total = hits + counter.get("missed", 0)
            print(f"{key}: found {hits}/{total} ({counter.get('strict', 0)} at the line)")
    if args.json:
        args.json.write_text(json.dumps(tally, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
