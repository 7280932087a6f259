"""The loader: positions for every node, YAML merge keys, and plain types only."""

from __future__ import annotations

import pytest

from mlops.errors import SpecError
from mlops.spec.load import parse


def test_every_key_and_value_keeps_its_line_and_column() -> None:
    source = parse("a:\n  b: [1, {c: x}]\n  'd': yes\n", "f.yaml")
    assert source.data == {"a": {"b": [1, {"c": "x"}], "d": True}}
    assert source.keys[("a", "b")] == (2, 3)
    assert source.values[("a", "b")] == (2, 6)
    assert source.values[("a", "b", 1, "c")] == (2, 14)
    assert source.keys[("a", "d")] == (3, 3)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    source = parse("a:\n  b: 1\n", "f.yaml")
    assert source.locate(("a", "b", "missing", 3)) == (2, 6)
    assert source.locate(("zzz",)) == (1, 1)


def test_merge_keys_apply_and_explicit_keys_win() -> None:
    source = parse("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert source.data["child"] == {"x": 1, "y": 3}


def test_dates_stay_text() -> None:
    assert parse("d: 2026-11-26\n", "f.yaml").data == {"d": "2026-11-26"}


@pytest.mark.parametrize("text, message", [
    ("a: 1\na: 2\n", "f.yaml:2:1: error: duplicate key 'a' (first defined at line 1, column 1) [at $.a]"),
    ("? [1, 2]\n: x\n", "f.yaml:1:3: error: keys must be strings; quote a sequence if you meant text [at $]"),
    ("a: !!binary aGk=\n",
     "f.yaml:1:4: error: tag !!binary is not allowed: only plain strings, numbers, booleans and null [at $.a]"),
    ("a: !!set {x}\n", "f.yaml:1:4: error: tag !!set is not allowed [at $.a]"),
    ("a: .inf\nb: .nan\n", "f.yaml:2:4: error: NaN is not allowed [at $.b]"),
])
def test_refusals_are_located(text: str, message: str) -> None:
    with pytest.raises(SpecError) as error:
        parse(text, "f.yaml")
    assert [d.text() for d in error.value.diagnostics] == [message]
