"""The single YAML serialisation point."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlops.emit.yamlout import dump, reference_dump
from tests.support import ROOT


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


# Strings that exercise PyYAML's quoting choices: indicators, YAML 1.1 booleans and numbers, leading and
# trailing blanks, multi-line text (literal blocks, with and without a final newline), non-ASCII.
_tricky = st.sampled_from(["", " ", "yes", "No", "on", "null", "~", "1", "0x1F", "1e3", "1_000", ".5", "-",
                           "- a", "a: b", "a #b", "#c", "@x", "`x", "!x", "&a", "*a", "|", ">", "%x", "'q'",
                           '"q"', "{a}", "[a]", "a,b", "?", "? x", "x\n", "\nx", "a\nb", "a\n\nb\n\n",
                           "  lead\nx", "tab\there", "trail \nx ", "é", "日本", "\u00a0", "\x07", "2024-01-01",
                           "12:30", "=", "<<", "$(infra.registryUrl)/m:1", "x" * 130])
_text = st.one_of(_tricky, st.text(max_size=12), st.text(alphabet="ab :-#\n'\"", max_size=10),
                  st.text(alphabet="yesnoYESNOtrufalTRUFALNul1._/-", min_size=1, max_size=6))
_scalar = st.one_of(_text, st.integers(), st.booleans(), st.none(),
                    st.floats(allow_nan=False), st.sampled_from([float("inf"), -float("inf"), 0.5, 1e20, -0.0, 0.0]))
_tree = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(_text, inner, max_size=4)), max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_text, _tree, max_size=5))
def test_fast_writer_is_byte_equal_to_pyyaml(tree: dict) -> None:
    assert dump(tree) == reference_dump(tree)


def test_golden_manifests_are_pyyaml_bytes() -> None:
    """The golden test holds `dump` to these files; this holds them to PyYAML: together, every real
    object shape the emitters produce is written exactly as PyYAML would."""
    golden = ROOT / "tests" / "golden"
    files = sorted(golden.glob("*/*/manifests/*.yaml"))
    assert len(files) > 100
    for path in files:
        content = path.read_bytes()
        assert reference_dump(yaml.safe_load(content)) == content, path


def test_other_containers_are_left_to_pyyaml() -> None:
    from collections import OrderedDict

    tree = {"a": OrderedDict(b=1), "c": [{"d": "x"}]}
    with pytest.raises(yaml.representer.RepresenterError):
        reference_dump(tree)
    with pytest.raises(yaml.representer.RepresenterError):
        dump(tree)
