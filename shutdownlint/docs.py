"""The rule reference: one Markdown page per rule, from the rule modules' docstrings.

    python -m shutdownlint.docs [DIR]      # default: rules/ in the checkout

A test fails when the committed pages are stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shutdownlint.rules import ALL_RULES, Rule

HEADINGS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Fix safety",
)


def rule_page(rule: type[Rule]) -> str:
    doc = rule.doc()
    title, _, body = doc.partition("\n")
    default = (
        f"opt-in: select it with `{rule.code}` or a prefix of it"
        if rule.opt_in
        else "on by default"
    )
    lines = [
        f"# {title.strip()}",
        "",
        f"- code: `{rule.code}`",
        f"- name: `{rule.name}`",
        f"- {default}",
    ]
    if rule.fix_title:
        lines.append(f"- fix: {rule.fix_title}")
    return "\n".join(lines) + "\n\n" + body.strip() + "\n"


def index_page() -> str:
    lines = ["# Rules", "", "| code | name | default | what it does |", "|---|---|---|---|"]
    for rule in ALL_RULES:
        default = "opt-in" if rule.opt_in else "yes"
        lines.append(
            f"| [{rule.code}]({rule.code}.md) | `{rule.name}` | {default} | {rule.summary()} |"
        )
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    out = {f"{rule.code}.md": rule_page(rule) for rule in ALL_RULES}
    out["README.md"] = index_page()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shutdownlint.docs", description="Write one Markdown page per rule."
    )
    parser.add_argument(
        "target",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "rules",
        help="the folder to write (default: rules/ of the checkout)",
    )
    target = parser.parse_args(argv).target
    target.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages())} pages to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
