"""SDL900 parse-error

## What it does
Reports a file that could not be read or parsed: a syntax error, bytes that do
not decode in the file's declared encoding (or a codec that fails), null bytes,
nesting too deep for the parser, or a path that cannot be read (permission
denied, a dangling link, a link loop, a FIFO or a device named on the command
line: "not a regular file"). The run goes on with the other files. Code that
CPython compiles is never reported, however deeply it nests.

## Why is this bad?
A file that does not parse cannot be checked, so every other rule is silent on
it. Parsing uses the running interpreter's grammar: the message of a syntax
error names that Python version, so code written for a newer Python can be
checked by running shutdownlint on that Python.

## Example
```python
def broken(:
    pass
```

## Use instead
```python
def fixed():
    pass
```

## Fix safety
No fix: the file has to be repaired by hand.
"""

from shutdownlint.rules.base import Rule


class ParseError(Rule):
    code = "SDL900"
    name = "parse-error"
    message = "{reason}"
    fix_title = "fix the file so that Python can parse it"
    engine_only = True
