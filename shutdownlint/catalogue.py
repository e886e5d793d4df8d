"""The rule codes and names as plain data, for the parts of a run that need no rule.

Configuration (validating `select`/`ignore`, the default selection), the cache key,
`--statistics` and noqa warnings need only each rule's code, name and whether it is
opt-in. Importing the registry (`shutdownlint.rules`) to learn them would import every
rule module, the analysis, astroid and libcst: a third of a second that a run whose
files all come from the cache would spend on nothing. The table below is a copy of
what the registry says; `tests/test_meta.py` checks it against
`shutdownlint.rules.ALL_RULES`, so a rule added there and not here fails a test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleName:
    code: str
    name: str
    opt_in: bool = False


# In the order of `shutdownlint.rules.ALL_RULES`.
RULE_NAMES: tuple[RuleName, ...] = (
    RuleName("SDL101", "end-of-stream-skipped-on-error"),
    RuleName("SDL102", "waiter-not-released-on-error"),
    RuleName("SDL103", "worker-leaked-on-error"),
    RuleName("SDL104", "listener-not-closed"),
    RuleName("SDL105", "worker-not-joined-on-stop"),
    RuleName("SDL201", "unguarded-shared-attribute"),
    RuleName("SDL202", "check-then-act-race"),
    RuleName("SDL203", "unguarded-read-modify-write"),
    RuleName("SDL301", "blocking-put-without-timeout"),
    RuleName("SDL302", "blocking-wait-in-shutdown-path", opt_in=True),
    RuleName("SDL401", "add-after-close"),
    RuleName("SDL403", "consumer-stopped-before-producers"),
    RuleName("SDL900", "parse-error"),
    RuleName("SDL999", "internal-error"),
)

NAMES_BY_CODE: dict[str, str] = {r.code: r.name for r in RULE_NAMES}
CODES: frozenset[str] = frozenset(NAMES_BY_CODE)
DEFAULT_CODES: frozenset[str] = frozenset(r.code for r in RULE_NAMES if not r.opt_in)
