"""Schema patterns match the whole string (ECMA-262 `$`: no final newline slips through) and are bounded in
length, so no patterned value can carry a newline into a file or object name, nor make a regex backtrack for
minutes."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops.spec.load import parse
from mlops.spec.schema import PATTERN_LIMIT, ecma_pattern
from mlops.spec.validate import check

ROOT = Path(__file__).parents[3]
NORTH_STAR = yaml.safe_load((ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8"))
# Free text by the contract (no pattern): an env var's value, a kubeconfig context name.
FREE_TEXT = {("targets", "dc1", "context")}


def strings(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, tuple[Any, ...]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield "key", (*path, key)
            yield from strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, (*path, i))
    elif isinstance(node, str):
        yield "value", path


def with_newline(kind: str, path: tuple[Any, ...]) -> dict[str, Any]:
    doc = copy.deepcopy(NORTH_STAR)
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if kind == "key":
        parent[path[-1] + "\n"] = parent.pop(path[-1])
    else:
        parent[path[-1]] += "\n"
    return doc


@pytest.mark.parametrize("kind, path", [s for s in strings(NORTH_STAR) if s[1] not in FREE_TEXT],
                         ids=lambda x: ".".join(map(str, x)) if isinstance(x, tuple) else x)
def test_a_trailing_newline_on_any_name_or_patterned_value_is_an_error(kind: str, path: tuple[Any, ...]) -> None:
    found = check(parse(yaml.safe_dump(with_newline(kind, path)), "mlops.yaml"))
    errors = [d for d in found if d.severity == "error"]
    assert errors, f"{kind} at {path} accepted a trailing newline"
    assert all("\n" not in d.text().rstrip("\n") for d in errors)     # shown escaped: one line each


@pytest.mark.parametrize("pattern, text, matches", [
    ("^[a-z]+$", "fraud", True), ("^[a-z]+$", "fraud\n", False), ("^[$a]+$", "$a$", True),
    (r"^a\$$", "a$", True), (r"^a\$$", "a$\n", False), ("^(s|m)$", "m\n", False), ("[a-z]", "\n1a", True),
])
def test_ecma_dollar_matches_only_at_the_very_end(pattern: str, text: str, matches: bool) -> None:
    assert bool(ecma_pattern(pattern).search(text)) is matches


def test_a_patterned_string_past_the_limit_is_refused_without_its_regex() -> None:
    doc = copy.deepcopy(NORTH_STAR)
    doc["metadata"]["owner"] = "a@" + "." * 100_000 + "@"       # the e-mail pattern backtracks quadratically on it
    started = time.process_time()
    found = check(parse(yaml.safe_dump(doc), "mlops.yaml"))
    assert time.process_time() - started < 2.0                  # a minute before the bound
    assert [d.message for d in found if d.path == "$.metadata.owner"] == [
        f"owner must be at most {PATTERN_LIMIT} characters long, got 100003"]
