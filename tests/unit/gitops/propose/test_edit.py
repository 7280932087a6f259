"""The one edit: comments, quotes and flow style kept; missing levels created in block style."""

from __future__ import annotations

import pytest

from mlops.gitops.propose.edit import EditRefused, set_artifact

SPEC = """\
# the platform
environments:
  staging:            # where models train
    target: t
  production:
    target: t
    overrides:
      models:
        fraud-scorer: {scaling: {max: 3}}   # flow style, kept
models:
  fraud-scorer:
    artifact: "registry://fraud-scorer:v12"  # quoted, kept
    command: [python, train.py, --a, --b, --c, --d, --e, --f, --g, --h, --i, --j, --k, --l, --m, --n, --o, --p]
"""


def test_missing_levels_are_created_and_nothing_else_moves() -> None:
    edited = set_artifact(SPEC, "staging", "fraud-scorer", "s3://m/run-1/model/")
    assert edited == SPEC.replace("    target: t\n  production:", "    target: t\n    overrides:\n      models:\n"
                                  "        fraud-scorer:\n          artifact: s3://m/run-1/model/\n  production:", 1)


def test_an_existing_flow_mapping_keeps_its_style_and_comment() -> None:
    edited = set_artifact(SPEC, "production", "fraud-scorer", "s3://m/run-2/model/")
    # The comment stays on the line (ruamel.yaml puts one space before it on the line it rewrites).
    assert "        fraud-scorer: {scaling: {max: 3}, artifact: s3://m/run-2/model/} # flow style, kept\n" in edited
    assert edited.count("\n") == SPEC.count("\n")


def test_a_level_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(EditRefused, match="overrides is not a mapping in the spec"):
        set_artifact(SPEC.replace("    target: t\n  production:", "    target: t\n    overrides: [1]\n  production:"),
                     "staging", "fraud-scorer", "s3://m/x/")
