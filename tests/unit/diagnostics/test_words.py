"""mlops.diagnostics.words: the words messages are made of."""

from __future__ import annotations

from mlops.diagnostics.words import markdown


def test_markdown_escapes_free_text() -> None:
    assert markdown("a*b_<img>|x") == "a\\*b\\_\\<img>\\|x"
