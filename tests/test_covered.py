"""Unit tests of `ownership.covered`: which containers and values iterating a value built
from containers goes through (P4: copies, views, chains, concatenations, unpacking,
comprehensions, a local assigned once from one)."""

from __future__ import annotations

import textwrap

import astroid
import pytest
from astroid import nodes

from shutdownlint.analysis.ownership import covered

SOURCE = """
import itertools


class Owner:
    def close(self):
        doomed = [*self._idle, *self._busy.values()]
        idle, self._idle = self._idle, []
        for x in {expr}:
            pass
"""


def _covered(expr: str):
    module = astroid.parse(textwrap.dedent(SOURCE.format(expr=expr)), module_name="analysed")
    loop = next(module.nodes_of_class(nodes.For))
    found = covered(loop.iter)
    cls = next(module.nodes_of_class(nodes.ClassDef))
    return found.attributes(cls), found.locals(), {i.name for i in found.items}


@pytest.mark.parametrize(
    ("expr", "attributes"),
    [
        ("self._a", {"_a"}),
        ("list(self._a)", {"_a"}),
        ("self._a.copy()", {"_a"}),
        ("sorted(self._a.values())", {"_a"}),
        ("self._a[:]", {"_a"}),
        ("itertools.chain(self._a.values(), self._b.values())", {"_a", "_b"}),
        ("self._a + self._b", {"_a", "_b"}),
        ("self._a.keys() | self._b.keys()", {"_a", "_b"}),
        ("[*self._a, *self._b]", {"_a", "_b"}),
        ("[c for c in self._a if c.alive]", {"_a"}),
        ("{k: v for k, v in self._a.items()}", {"_a"}),
        ("doomed", {"_idle", "_busy"}),
        ("idle", {"_idle"}),
        ("[c.sock for c in self._a]", set()),
        ("self._a.get(key)", set()),
    ],
)
def test_containers_covered(expr: str, attributes: set[str]) -> None:
    assert _covered(expr)[0] == attributes


def test_values_yielded_themselves() -> None:
    attributes, _, items = _covered("(self._indexer, *self._fetchers)")
    assert attributes == {"_fetchers"}
    assert items == {"_indexer"}


def test_local_copy_is_a_container_too() -> None:
    assert "doomed" in _covered("doomed")[1]
