"""`python -m shutdownlint`.

The current directory is dropped from `sys.path` before anything else is
imported, so a `queue.py` or `threading.py` in the analysed repository cannot
shadow the standard library (SPEC §7: never run analysed code).
"""

import os
import sys

_cwd = os.path.realpath(os.getcwd())
sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.realpath(p) != _cwd]

from shutdownlint.cli import main  # noqa: E402

if __name__ == "__main__":
    main(prog_name="shutdownlint")
