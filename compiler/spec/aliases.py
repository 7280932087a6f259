"""YAML aliases, bounded before anything is built from them.

An alias makes the composed node graph share a node: cheap in the file, but every later stage (the schema, the
rules, the secret scan, the emitters) walks the expanded tree. So the expansion is measured on the graph, without
expanding it, and refused when it is recursive (an anchored node containing an alias to itself: endless), or when
aliases add more than MAX_ALIAS_NODES nodes or MAX_ALIAS_CHARS characters of scalars to what the file itself
holds: the billion laughs, and the megabyte string aliased a thousand times, are refused in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import yaml

from mlops.diagnostics import Diagnostic
from mlops.errors import SpecError

# Budgets for what aliases add, far above what sharing a block of defaults between models needs (a 100-model spec
# merging a 50-node block: 5,000 nodes), and small enough that the expanded document validates in a few seconds.
MAX_ALIAS_NODES = 100_000
MAX_ALIAS_CHARS = 4 * 1024 * 1024


def check(root: yaml.Node, name: str) -> None:
    """Raise SpecError if `root`'s aliases recurse or expand past the budgets."""
    nodes, chars = _written(root)
    _expanded(root, name, nodes + MAX_ALIAS_NODES, chars + MAX_ALIAS_CHARS)


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value
    elif isinstance(node, yaml.SequenceNode):
        yield from node.value


def _chars(node: yaml.Node) -> int:
    return len(node.value) if isinstance(node, yaml.ScalarNode) else 0


def _written(root: yaml.Node) -> tuple[int, int]:
    """Nodes and scalar characters of the graph counting each shared node once: the document as written."""
    seen = {id(root)}
    stack = [root]
    chars = 0
    while stack:
        node = stack.pop()
        chars += _chars(node)
        for child in _children(node):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen), chars


_WALKING = (-1, -1)   # in `size`: the node is being walked (its descendants are on the stack)


def _expanded(root: yaml.Node, name: str, max_nodes: int, max_chars: int) -> None:
    """Post-order walk memoised by node: linear in the graph. A node met again while it is being walked is an
    alias to one of its own ancestors."""
    size: dict[int, tuple[int, int]] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if not done:
            if size.get(id(node)) == _WALKING:
                raise _refuse(node, name, "recursive alias: the node anchored here contains an alias to itself")
            if id(node) in size:
                continue
            size[id(node)] = _WALKING
            stack.append((node, True))
            stack.extend((c, False) for c in _children(node) if size.get(id(c), _WALKING) == _WALKING)
            continue
        counts = [size[id(c)] for c in _children(node)]
        total = (1 + sum(n for n, _ in counts), _chars(node) + sum(c for _, c in counts))
        size[id(node)] = total
        if total[0] > max_nodes:
            raise _refuse(node, name, f"aliases add more than {MAX_ALIAS_NODES:,} nodes to the document "
                                      f"(a YAML bomb?); refusing to load")
        if total[1] > max_chars:
            raise _refuse(node, name, f"aliases add more than {MAX_ALIAS_CHARS:,} characters to the document "
                                      f"(a YAML bomb?); refusing to load")


def _refuse(node: yaml.Node, name: str, message: str) -> SpecError:
    mark = node.start_mark
    return SpecError([Diagnostic(name, mark.line + 1, mark.column + 1, message)])
