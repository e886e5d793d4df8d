"""Print a pip constraints file pinning every runtime dependency to the lowest
version its range in pyproject.toml admits (`name>=X` -> `name==X`), so CI can run
the suite against the bottom of every range. A dependency without a lower bound is
an error: an unbounded range promises what nobody tested."""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def lowest(requirements: list[str]) -> list[str]:
    pins = []
    for requirement in requirements:
        spec, _, marker = requirement.partition(";")
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)", spec)
        name, ranges = match.group(1), match.group(2)
        bound = re.search(r">=\s*([0-9][^,\s]*)", ranges)
        if bound is None:
            raise SystemExit(f"{name}: no lower bound in pyproject.toml ({requirement!r})")
        pin = f"{name}=={bound.group(1)}"
        pins.append(f"{pin}; {marker.strip()}" if marker.strip() else pin)
    return pins


if __name__ == "__main__":
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    sys.stdout.write("\n".join(lowest(project["dependencies"])) + "\n")
