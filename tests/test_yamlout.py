"""The single YAML serialisation point."""

from __future__ import annotations

import pytest
import yaml

from compiler import ir
from compiler.emit import manifests
from compiler.emit.yamlout import dump


def test_sorted_block_style_and_no_folding() -> None:
    long = "x" * 500
    text = dump({"b": [1, {"d": long, "c": "yes"}], "a": "$(infra.registryUrl)/m:1"}).decode()
    assert text == f"a: $(infra.registryUrl)/m:1\nb:\n- 1\n- c: 'yes'\n  d: {long}\n"


def test_multi_line_strings_are_literal_blocks_and_round_trip() -> None:
    value = {"program": "line one\n  indented\n"}
    text = dump(value).decode()
    assert text.startswith("program: |\n")
    assert yaml.safe_load(text) == value


def test_shared_dicts_are_written_in_full() -> None:
    shared = {"k": "v"}
    text = dump({"a": shared, "b": shared}).decode()
    assert "&" not in text and "*" not in text


def test_a_duplicate_object_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "n"}}
    monkeypatch.setattr(manifests, "objects", lambda env, hints: [obj, dict(obj)])
    env = ir.Environment.__new__(ir.Environment)
    object.__setattr__(env, "name", "dev")
    with pytest.raises(ValueError, match="two objects named ConfigMap/x in environment dev"):
        manifests.emit(env, None)  # type: ignore[arg-type]
