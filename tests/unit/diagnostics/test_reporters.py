"""mlops.diagnostics.reporters: text, json and GitHub Actions annotations."""

from __future__ import annotations


def test_github_annotation_escapes_its_separators() -> None:
    from mlops.diagnostics import Diagnostic
    from mlops.diagnostics.reporters import github

    line = github([Diagnostic("a,b:c.yaml", 1, 2, "50% done\nnext", "$")])
    # a newline in a message is escaped for every reporter (one diagnostic, one line) before GitHub's own escaping
    assert line == "::error file=a%2Cb%3Ac.yaml,line=1,col=2::50%25 done\\nnext [at $]\n"
