#!/usr/bin/env python3
"""Score the SDL1xx, SDL2xx and SDL4xx rules on the probe programs of benchmarks/probes/.

    python benchmarks/probes.py [--verbose]

Each probe is a small realistic module with one seeded bug (the rule that must
report it) or a correct twin (which must stay quiet), written from real bugs of
popular packages by reviewers who did not write the rules. Prints recall on the
in-scope bugs, the out-of-scope shapes apart, and every finding on a correct twin. A
probe in `sdlN/` counts only the findings of its own family.
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

HERE = Path(__file__).resolve().parent / "probes"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per probe")
    args = parser.parse_args()
    probes = tomllib.loads((HERE / "probes.toml").read_text())["probe"]
    # The console script beside this interpreter (never `python -m` from a cwd).
    command = [str(Path(sys.executable).with_name("shutdownlint")), "check", "--isolated"]
    command += [
        "--no-cache",
        "--select",
        "SDL1,SDL2,SDL4",
        "--format",
        "json",
        "--exit-zero",
        str(HERE),
    ]
    rows = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    codes: dict[str, set[str]] = {}
    for row in rows:
        codes.setdefault(Path(row["filename"]).resolve().relative_to(HERE).as_posix(), set()).add(
            row["code"]
        )
    tally: dict[str, Counter[str]] = {}
    for probe in probes:
        family = probe["file"].split("/")[0].upper()  # sdl2/... -> SDL2
        got = {c for c in codes.get(probe["file"], set()) if c.startswith(family)}
        expect = probe["expect"]
        if not expect:
            verdict = "quiet" if not got else f"FALSE: {','.join(sorted(got))}"
            outcome = "false" if got else "quiet"
        elif not probe.get("scope", True):
            verdict = "out of scope, " + ("found" if expect in got else "not found")
            outcome = "outside"
        elif expect in got:
            verdict = outcome = "found"
        else:
            verdict, outcome = f"MISSED ({expect})", "missed"
        tally.setdefault(family + "xx", Counter())[outcome] += 1
        if args.verbose or verdict.startswith(("FALSE", "MISSED")):
            print(f"{probe['file']:60s} {verdict}")
    for family, n in sorted(tally.items()):
        print(
            f"{family}: seeded bugs in scope {n['found']}/{n['found'] + n['missed']} found, "
            f"{n['outside']} out of scope; correct twins {n['quiet']}/{n['quiet'] + n['false']} "
            "quiet"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
