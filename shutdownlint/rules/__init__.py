"""The rule registry, built from the catalogue (`shutdownlint.catalogue.RULE_NAMES`).

The catalogue is the one table of rules: each row's code and name name the module that
holds the rule (`sdl101_end_of_stream_skipped_on_error` for SDL101
`end-of-stream-skipped-on-error`), and the rule class in it is the `Rule` subclass with
that code. A new rule is its module, its fixtures and one row of the catalogue.
"""

from __future__ import annotations

import importlib

from shutdownlint.catalogue import RULE_NAMES, RuleName, module_of
from shutdownlint.rules.base import Rule


def _load(row: RuleName) -> type[Rule]:
    module = importlib.import_module(f"{__name__}.{module_of(row)}")
    [rule] = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Rule)
        and value.__module__ == module.__name__
        and getattr(value, "code", None) == row.code
    ]
    if (rule.name, rule.opt_in) != (row.name, row.opt_in):
        raise ImportError(f"{row.code}: the catalogue says {row}, the rule class differs")
    return rule


ALL_RULES: list[type[Rule]] = [_load(row) for row in RULE_NAMES]

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule"]
