"""SDL999 internal-error

## What it does
Reports that a rule raised an exception on this file. The other rules and files
still run. The message names the rule and the exception.

## Why is this bad?
It is a bug in shutdownlint, not in your code: please report it with the file
(or a reduced version of it). It cannot be ignored or silenced with `# noqa`,
and the run exits with status 2 so that CI notices.

Under flake8 the plugin also reports, as SDL999 at line 1 of each file, that it
could not check the file at all: a broken `[tool.shutdownlint]` (the message
names the configuration file and the key) or a crash. A traceback there would
stop every other flake8 plugin with it.

## Example
```python
# (an internal error cannot be shown by example)
```

## Use instead
```python
# (nothing to change in the analysed code)
```

## Fix safety
No fix: report the bug; run with `--debug` to print the traceback.
"""

from shutdownlint.rules.base import Rule


class InternalError(Rule):
    code = "SDL999"
    name = "internal-error"
    message = "rule {rule} failed on this file: {error}"
    fix_title = "report this bug to shutdownlint; run with `--debug` for the traceback"
    engine_only = True
