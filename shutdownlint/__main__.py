"""`python -m shutdownlint`.

`python -m` puts the working directory first on `sys.path`; it is dropped before
anything else is imported, so a `queue.py` or `threading.py` in the analysed
repository cannot shadow the standard library (SPEC §7: never run analysed
code). Only that first entry goes: the working directory may itself be a
legitimate later entry (the standard library's own folder, site-packages).
"""

import os
import sys

if sys.path and (sys.path[0] in ("", ".") or os.path.realpath(sys.path[0]) == os.getcwd()):
    del sys.path[0]

from shutdownlint.cli import main  # noqa: E402

if __name__ == "__main__":
    main(prog_name="shutdownlint")
