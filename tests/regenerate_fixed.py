"""Write each fixable fixture's `.fixed.py` sibling: what `check --fix --unsafe-fixes`
(every rule selected, no configuration) writes into a copy of it, without the
`# expect:` comments. Review the diff before committing it.

    python -m tests.regenerate_fixed [SDL105/stored_workers.py ...]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LINTER = str(Path(sys.executable).with_name("shutdownlint"))


def main(names: list[str]) -> None:
    for source in sorted(FIXTURES.rglob("*.py")):
        relative = str(source.relative_to(FIXTURES))
        if source.name.endswith(".fixed.py") or (names and relative not in names):
            continue
        if relative.startswith("blind/"):
            continue  # blind programs are scored by their manifest, not fixed
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / source.parent.name / source.name
            shutil.copytree(source.parent, copy.parent)  # other modules are consulted
            flags = ["--isolated", "--no-cache", "--select", "SDL", "--quiet"]
            command = [LINTER, "check", *flags, "--fix", "--unsafe-fixes", str(copy)]
            subprocess.run(command, capture_output=True, check=False)
            fixed = copy.read_text(encoding="utf-8")
        sibling = source.with_name(source.name[: -len(".py")] + ".fixed.py")
        if fixed != source.read_text(encoding="utf-8"):
            sibling.write_text(re.sub(r"[ \t]*#\s*expect:[^\n]*", "", fixed), encoding="utf-8")
            print(f"wrote {sibling.relative_to(FIXTURES)}")
        elif sibling.exists():
            sibling.unlink()
            print(f"removed {sibling.relative_to(FIXTURES)} (nothing to fix any more)")


if __name__ == "__main__":
    main(sys.argv[1:])
